# Hooks on agent events (set-hook -g): agent-group-changed,
# agent-context-changed, agent-pane-state and agent-pane-status each run
# their commands with the hook_* formats of the event (checked field by field
# from a file written by run-shell); show-hooks lists the agent hooks once
# set (t-compat-hooks.sh: the listing rule); a session hook runs only for
# its own session.
. "$(dirname "$0")/lib.sh"

start_server
t set -g @agent-settle-time 0.2
t set -g @agent-idle-threshold 0.5

# hook_to NAME FILE FORMATS: set a global hook NAME appending FORMATS (a
# "|"-separated list of formats, expanded by run-shell) to FILE.
hook_to() {
	t set-hook -g "$1" "run-shell \"echo '$3' >> $TEST_DIR/$2\""
}
# lines FILE: its contents ("" if missing).
lines() { cat "$TEST_DIR/$1" 2>/dev/null; }
# nlines FILE: how many lines it has.
nlines() { lines "$1" | grep -c .; }

test_case "unset agent hooks: left out of show-hooks -g, shown by name"
run t show-hooks -g
assert_eq 0 "$RC"
assert_contains "session-renamed" "$OUT" "upstream hooks are listed"
assert_not_contains "agent-" "$OUT" "no unset agent hook in the listing"
for h in agent-context-changed agent-group-changed agent-message agent-pane-state agent-pane-status; do
	run t show-hooks -g "$h"
	assert_eq "0 $h" "$RC $OUT" "show-hooks -g $h (unset)"
done

hook_to agent-group-changed gc '#{hook}|#{hook_agent_group}|#{hook_agent_event}|#{hook_session}|#{hook_session_name}'
hook_to agent-context-changed cc '#{hook}|#{hook_agent_group}|#{hook_agent_key}|#{hook_agent_version}|#{hook_agent_author}|#{hook_agent_author_name}'
hook_to agent-pane-state ps '#{hook}|#{hook_agent_pane_state}|#{hook_agent_pane_previous_state}|#{hook_agent_pane_stage}|#{hook_agent_pane_label}|#{hook_agent_pane_id}|#{hook_agent_layout}|#{hook_pane}'
hook_to agent-pane-status st '#{hook}|#{hook_agent_pane_status}|#{hook_pane}'

test_case "show-hooks -g shows the commands set"
run t show-hooks -g
for h in agent-context-changed agent-group-changed agent-pane-state agent-pane-status; do
	assert_match "(^|"$'\n'")$h\\[0\\] run-shell \"echo '#\\{hook\\}\\|" "$OUT" "show-hooks -g shows $h[0]"
done
run t show-hooks -g agent-pane-status
assert_eq "agent-pane-status[0] run-shell \"echo '#{hook}|#{hook_agent_pane_status}|#{hook_pane}' >> $TEST_DIR/st\"" "$OUT"

new_detached a cat
new_detached b cat
A=$(t display -p -t =a: '#{session_id}')
B=$(t display -p -t =b: '#{session_id}')

test_case "agent-group-changed: joined, coordinator, left with their session"
t ajoin -t a crew >/dev/null
t ajoin -t b crew >/dev/null
t aleave -t a >/dev/null
wait_for "[ \$(nlines gc) -ge 5 ]" 5
assert_eq "agent-group-changed|crew|joined|$A|a
agent-group-changed|crew|coordinator|$A|a
agent-group-changed|crew|joined|$B|b
agent-group-changed|crew|left|$A|a
agent-group-changed|crew|coordinator|$B|b" "$(lines gc)"

test_case "agent-context-changed: group, key, version, author id and name"
t ashare -t b alpha=1 >/dev/null
t ajoin -t a crew >/dev/null
t ashare -t a beta=2 >/dev/null
t ashare -t b -u alpha >/dev/null
wait_for "[ \$(nlines cc) -ge 3 ]" 5
v=$(t apeers -J -t a | jq -r .version)
assert_eq 3 "$v" "three writes so far"
assert_eq "agent-context-changed|crew|alpha|1|$B|b
agent-context-changed|crew|beta|2|$A|a
agent-context-changed|crew|alpha|3|$B|b" "$(lines cc)"

test_case "agent-group-changed when a member session is killed"
: >"$TEST_DIR/gc"
t kill-session -t =b
wait_for "[ \$(nlines gc) -ge 2 ]" 5
# b leaves (named by id and name though it is gone), a takes over.
assert_eq "agent-group-changed|crew|left|$B|b
agent-group-changed|crew|coordinator|$A|a" "$(lines gc)"
assert_ok t has-session -t =a

test_case "agent-pane-state: ready and degraded, with label, ids, stage, pane"
assert_ok t define-agent-template duo 'w:2'
L=$(t new-agent-layout -d -P -s lay -T duo -e "w=sleep 30")
L2=$(t new-agent-layout -d -P -s lay2 -T duo -e "w=sh -c 'exit 4'")
assert_match '^L[0-9]+$' "$L"
wait_for "[ \$(nlines ps) -ge 4 ]" 5
# One line per managed pane; compare with list-agent-panes.
expected=$(t list-agent-panes -a -F '#{agent_pane_label}|#{agent_pane_id}|#{agent_layout_id}|#{pane_id}' |
    while IFS='|' read -r label mid lid pane; do
	if [ "$lid" = "$L" ]; then
		echo "agent-pane-state|ready|creating||$label|$mid|$lid|$pane"
	else
		echo "agent-pane-state|degraded|creating|launch_command|$label|$mid|$lid|$pane"
	fi
    done | sort)
assert_eq 4 "$(grep -c . <<<"$expected")" "four managed panes listed"
assert_eq "$expected" "$(lines ps | sort)"
assert_match '^agent-pane-state\|ready\|creating\|\|w[12]\|M[0-9]+\|L[0-9]+\|%[0-9]+$' "$(lines ps | grep ready | head -n 1)"

test_case "agent-pane-state: removed"
: >"$TEST_DIR/ps"
pane=$(t list-agent-panes -t "$L" -F '#{agent_pane_label} #{pane_id}' | awk '$1 == "w1" { print $2 }')
mid=$(t list-agent-panes -t "$L" -F '#{agent_pane_label} #{agent_pane_id}' | awk '$1 == "w1" { print $2 }')
assert_match '^%[0-9]+$' "$pane"
t kill-pane -t "$pane"
wait_for "[ \$(nlines ps) -ge 1 ]" 5
assert_eq "agent-pane-state|removed|ready||w1|$mid|$L|" "$(lines ps | sed 's/|%[0-9]*$/|/')"

test_case "agent-pane-status: busy then idle, with the pane"
: >"$TEST_DIR/st"
t new-session -d -s busy -G custom -x 80 -y 24 "sh -c 'echo work; sleep 100'"
P=$(t display -p -t =busy: '#{pane_id}')
wait_for "[ \$(grep -c '|$P\$' '$TEST_DIR/st') -ge 2 ]" 5
assert_eq "agent-pane-status|busy|$P
agent-pane-status|idle|$P" "$(grep "|$P\$" "$TEST_DIR/st")"

test_case "a session hook runs only for its own session"
t set-hook -t =a: agent-context-changed "run-shell \"echo 'only-a|#{hook_agent_key}|#{hook_session_name}' >> $TEST_DIR/sess\""
new_detached c cat
t ajoin -t c crew >/dev/null
: >"$TEST_DIR/cc"
t ashare -t c fromc=1 >/dev/null
vc=$(t apeers -J -t a | jq -r .version)
t ashare -t a froma=1 >/dev/null
# Hooks run in order: once a's has run, c's has too.
wait_for "[ \$(nlines sess) -ge 1 ]" 5
# The global hook ran for c's write; for a's, the session hook (which
# replaces the global one for session a) ran instead.
assert_eq "only-a|froma|a" "$(lines sess)"
assert_eq "agent-context-changed|crew|fromc|$vc|$(t display -p -t =c: '#{session_id}')|c" "$(lines cc)"

test_case "a hook that causes its own event runs once (no loop)"
t set-hook -gu agent-context-changed
t set-hook -u -t =a: agent-context-changed
t set-hook -g agent-context-changed 'agent-share -t =a: loop=1'
assert_ok t ashare -t a start=1
wait_for "t agent-get -t a loop" 5
assert_eq 1 "$(t agent-get -t a loop)"
# The server is responsive, and the hook did not run again for its own write.
assert_eq "ok" "$(timeout 5 "$TMUX_BIN" -S "$SOCK" -f /dev/null display -p ok)"
# loop's write was the group's last one: the hook did not fire for it.
sleep 0.3
assert_eq "$(t apeers -J -t a | jq .version)" "$(t agent-get -J -t a loop | jq .version)"
t set-hook -gu agent-context-changed

test_case "agent-wait run by a hook (no client) is refused, not blocking hooks"
t set-hook -g agent-group-changed 'agent-wait -t =a: never-written'
new_detached w2 cat
assert_ok t ajoin -t w2 crew
assert_eq "ok" "$(timeout 5 "$TMUX_BIN" -S "$SOCK" -f /dev/null display -p ok)"
assert_eq 0 "$(t display -p '#{agent_waiters}')"
t set-hook -gu agent-group-changed

test_case "agent-wait in a hook is refused even while a client is attached"
mkfifo "$TEST_DIR/cin"
t -C attach -t =a: <"$TEST_DIR/cin" >"$TEST_DIR/cout" 2>&1 &
exec 4>"$TEST_DIR/cin"
wait_for "grep -q '^%' '$TEST_DIR/cout'" 5
t set-hook -g session-renamed 'agent-wait -t =a: never-written'
t set-hook -g window-renamed "run-shell 'echo renamed >> $TEST_DIR/wr'"
t rename-session -t =w2: w3
t rename-window -t =w3: win
wait_for "[ -s '$TEST_DIR/wr' ]" 5
assert_eq "renamed" "$(cat "$TEST_DIR/wr" 2>/dev/null)" "later hooks still run"
assert_eq 0 "$(t display -p '#{agent_waiters}')"
exec 4>&-
t set-hook -gu session-renamed
t set-hook -gu window-renamed
