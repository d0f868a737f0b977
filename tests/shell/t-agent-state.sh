# Agent state (issue 13): #{agent_state}/#{agent_state_reason}/#{agent_state_source}
# of panes that run an agent, from screen rules (the built-in claude profile
# reading fake-agent.py's Claude-shaped screens), OSC 7501 reports, titles
# (a user profile), OSC 9/777 notifications and bells, bracketed paste and
# exits; %agent-state-changed in control mode, the agent-state-changed hook,
# agent-wait -S (any/all, timeout), the session aggregate, the server-wide
# waiting count, list/show commands, define-agent-profile /
# list-agent-profiles and their errors; plain programs keep busy/idle.
. "$(dirname "$0")/lib.sh"

FAKE="$LIB_DIR/fake-agent.py"
# st PANE: "STATE REASON SOURCE" of a pane.
st() { t display -p -t "$1" '#{agent_state} #{agent_state_reason} #{agent_state_source}'; }
# states CTL PANE: the states %agent-state-changed announced for PANE, in
# order, consecutive repeats (reason changes) merged.
states() {
	awk -v p="$2" '$1 == "%agent-state-changed" && $2 == p { print $4 }' "$TEST_DIR/$1.out" |
	    uniq | tr '\n' ' ' | sed 's/ $//'
}
# prompt PANE TEXT: type a prompt and Enter.
prompt() { t send-keys -t "$1" -l "$2"; t send-keys -t "$1" Enter; }
pane_of() { t display -p -t "=$1:" '#{pane_id}'; }

start_server
t set -g remain-on-exit on
new_detached home
ctl_start c home

cat >"$TEST_DIR/claude.json" <<'J'
{"name": "Fake Agent", "start": 0.6,
 "turns": [{"work": 1.0, "dialog": {"kind": "permission", "name": "notes.txt"}, "after": 0.8, "reply": "Made it."},
           {"work": 0.5, "dialog": {"kind": "question", "question": "Which colour?", "options": ["Red", "Blue"]}, "after": 0.5},
           {"work": 0.3, "exit": 0}]}
J

test_case "claude profile: screen rules drive starting, idle, working, waiting, exited"
t new-session -d -s cl -G claude -x 100 -y 30 "$PYTHON $FAKE --script $TEST_DIR/claude.json"
P=$(pane_of cl)
assert_eq "starting launch start claude" "$(st "$P") $(t display -p -t "$P" '#{agent_profile}')"
run t agent-wait -S idle -t "$P" -T 10
assert_eq "0 $P idle ready" "$RC $OUT"
assert_eq "idle ready screen" "$(st "$P")"
prompt "$P" "make notes"
run t agent-wait -S working -t "$P" -T 10
assert_eq "0 $P working working" "$RC $OUT"
run t agent-wait -S waiting -t "$P" -T 10
assert_eq "0 $P waiting permission" "$RC $OUT"
assert_eq "waiting permission screen" "$(st "$P")"
assert_eq "1" "$(t display -p '#{agent_waiting_count}')"
t send-keys -t "$P" 1
run t agent-wait -S working -t "$P" -T 10
assert_eq "0 $P working working" "$RC $OUT"
run t agent-wait -S idle -t "$P" -T 10
assert_eq "0 $P idle ready" "$RC $OUT"
assert_eq "0" "$(t display -p '#{agent_waiting_count}')"
prompt "$P" "ask me"
wait_for "[ \"\$(st $P)\" = 'waiting question screen' ]"
assert_eq "waiting question screen" "$(st "$P")"
t send-keys -t "$P" 2
wait_for "[ \"\$(st $P)\" = 'idle ready screen' ]"
assert_eq "idle ready screen" "$(st "$P")"
prompt "$P" "bye"
run t agent-wait -S exited -t "$P" -T 10
assert_eq "0 $P exited 0" "$RC $OUT"
assert_eq "exited 0 exit" "$(st "$P")"
wait_for "[ \"\$(states c $P)\" = 'idle working waiting working idle working waiting working idle working exited' ]" 5
assert_eq "idle working waiting working idle working waiting working idle working exited" "$(states c "$P")" \
    "%agent-state-changed for $P"
assert_match "^%agent-state-changed $P \\\$[0-9]+ waiting permission$" "$(grep -m1 "^%agent-state-changed $P .* waiting" "$TEST_DIR/c.out")"

test_case "respawn starts again; exit status is the reason"
t respawn-pane -k -t "$P" "sh -c 'exit 3'"
run t agent-wait -S exited -t "$P" -T 10
assert_eq "0 $P exited 3" "$RC $OUT"
assert_match "starting" "$(awk -v p="$P" '$1 == "%agent-state-changed" && $2 == p { print $4 }' "$TEST_DIR/c.out" | tail -n 2 | head -n 1)"

test_case "a profile that needs bracketed paste: idle screen without it is starting (not-ready)"
cat >"$TEST_DIR/nopaste.json" <<'J'
{"start": 0.1, "bracketed_paste": false}
J
t new-session -d -s np -G claude -x 100 -y 30 "$PYTHON $FAKE --script $TEST_DIR/nopaste.json"
NP=$(pane_of np)
wait_for "capture $NP | grep -q 'for shortcuts'"
wait_for "[ \"\$(st $NP)\" = 'starting not-ready screen' ]" 5
assert_eq "starting not-ready screen" "$(st "$NP")"
t kill-session -t np

test_case "a launch is starting until the profile says ready, not working from its output"
# As Claude Code 2.1.328 starts: the input box first (bracketed paste off),
# then a spinner line redrawn with no box, then the box with paste on.
cat >"$TEST_DIR/boot.json" <<'J'
{"start": 1.5, "boot_box": 0.5}
J
t new-session -d -s bo -G claude -x 100 -y 30 "$PYTHON $FAKE --script $TEST_DIR/boot.json --log $TEST_DIR/boot.log"
BO=$(pane_of bo)
run t agent-wait -S idle -t "$BO" -T 15
assert_eq "0 $BO idle ready" "$RC $OUT"
wait_for "[ \"\$(states c $BO)\" = 'starting idle' ]" 5
assert_eq "starting idle" "$(states c "$BO")" "%agent-state-changed for $BO until it was ready"
t kill-session -t bo

test_case "a SessionStart hook says ready: bracketed paste off does not make it starting"
cat >"$TEST_DIR/ss.json" <<J
{"start": 0.3, "bracketed_paste": false, "session_id": "conv-ss-1",
 "hooks": {"SessionStart": ["'$TMUX_BIN' agent-report -I SessionStart"],
           "UserPromptSubmit": ["'$TMUX_BIN' agent-report -I UserPromptSubmit"]},
 "turns": [{"until": "$TEST_DIR/never"}]}
J
t new-session -d -s ss -G claude -x 100 -y 30 "$PYTHON $FAKE --script $TEST_DIR/ss.json --log $TEST_DIR/ss.log"
SS=$(pane_of ss)
wait_for "grep -q '\"name\": \"SessionStart\", \"status\": 0' $TEST_DIR/ss.log" 10
assert_eq "idle conv-ss-1" "$(t display -p -t "$SS" '#{agent_state} #{agent_conversation_id}')"
# The screen rules read the idle box afterwards (paste still off): idle.
wait_for "capture $SS | grep -q 'for shortcuts'"
prompt "$SS" "go"
run t agent-wait -S working -t "$SS" -T 10
assert_match "^0 $SS working " "$RC $OUT"
assert_eq "idle working" "$(states c "$SS")" "%agent-state-changed for $SS"
t kill-session -t ss

test_case "OSC 7501 reports (as Codex sends them) decide without a profile"
cat >"$TEST_DIR/osc.json" <<'J'
{"start": 0.3, "osc_state": true,
 "turns": [{"work": 0.8, "dialog": {"kind": "permission"}, "after": 0.5}]}
J
t new-session -d -s os -G osc-only -x 100 -y 30 "$PYTHON $FAKE --script $TEST_DIR/osc.json"
O=$(pane_of os)
assert_eq "" "$(t display -p -t "$O" '#{agent_profile}')"
run t agent-wait -S idle -t "$O" -T 10
assert_eq "0 $O idle ready" "$RC $OUT"
assert_eq "idle ready osc" "$(st "$O")"
prompt "$O" go
run t agent-wait -S waiting -t "$O" -T 10
assert_eq "0 $O waiting permission" "$RC $OUT"
assert_eq "waiting permission osc" "$(st "$O")"
t send-keys -t "$O" 1
wait_for "[ \"\$(st $O)\" = 'idle done osc' ]"
assert_eq "idle done osc" "$(st "$O")"
t send-keys -t "$O" C-d
run t agent-wait -S exited -t "$O" -T 10
assert_eq "0 $O exited 0" "$RC $OUT"

test_case "title rules of a user profile"
t define-agent-profile titles 'title:working=^[⠂⠐] ' 'title:waiting:permission=Action Required' 'title:idle=^✳ '
t new-session -d -s ti -G titles -x 100 -y 30 "$PYTHON $FAKE --script $TEST_DIR/claude.json"
T=$(pane_of ti)
wait_for "[ \"\$(st $T)\" = 'idle ready title' ]"
assert_eq "idle ready title titles" "$(st "$T") $(t display -p -t "$T" '#{agent_profile}')"
# The title reads idle while it starts too: wait for its input box.
wait_for "capture $T | grep -q 'for shortcuts'"
prompt "$T" x
run t agent-wait -S waiting -t "$T" -T 10
assert_eq "0 $T waiting permission" "$RC $OUT"
assert_eq "waiting permission title" "$(st "$T")"
t send-keys -t "$T" 3
run t agent-wait -S working -t "$T" -T 10
assert_eq "0 $T working working" "$RC $OUT"
t kill-session -t ti

test_case "OSC 9 and OSC 777 notifications and bells: waiting until something newer"
cat >"$TEST_DIR/notify.sh" <<'S'
stty -echo
w() { printf '\033]7501;state=working\007'; }
printf '\033]9;build done\007'; read x; w
read x; printf '\033]777;notify;Title;Body\033\\'; read x; w
read x; printf '\007'; read x; w
exec sleep 60
S
t new-session -d -s nt -G custom -x 80 -y 24 "sh $TEST_DIR/notify.sh"
N=$(pane_of nt)
run t agent-wait -S waiting -t "$N" -T 10
assert_eq "0 $N waiting notification" "$RC $OUT"
assert_eq "waiting notification notification" "$(st "$N")"
t send-keys -t "$N" Enter
run t agent-wait -S working -t "$N" -T 10
assert_eq "0 $N working working" "$RC $OUT"
t send-keys -t "$N" Enter
run t agent-wait -S waiting -t "$N" -T 10
assert_eq "0 $N waiting notification" "$RC $OUT"
t send-keys -t "$N" Enter
wait_for "[ \"\$(st $N)\" = 'working working osc' ]"
t send-keys -t "$N" Enter
run t agent-wait -S waiting -t "$N" -T 10
assert_eq "0 $N waiting bell" "$RC $OUT"
t kill-session -t nt

test_case "session aggregate: waiting beats working beats idle; agent-wait -S any and -a all"
cat >"$TEST_DIR/say.sh" <<'S'
stty -echo
for s in "$@"; do printf '\033]7501;%s\007' "$s"; read x; done
exec sleep 60
S
t new-session -d -s ag -G custom -x 80 -y 24 "sh $TEST_DIR/say.sh state=idle state=blocked:kind=question state=done"
A=$(pane_of ag)
B=$(t split-window -P -F '#{pane_id}' -t "=ag:" "sh $TEST_DIR/say.sh state=working state=done")
wait_for "[ \"\$(t display -p -t $B '#{agent_state}')\" = working ]"
wait_for "[ \"\$(t display -p -t $A '#{agent_state}')\" = idle ]"
assert_eq "working" "$(t display -p -t "=ag:" '#{agent_session_state}')"
run t agent-wait -S idle,waiting -t "$A" -t "$B" -T 5
assert_eq "0 $A idle ready" "$RC $OUT"
t send-keys -t "$A" Enter
wait_for "[ \"\$(t display -p -t $A '#{agent_state}')\" = waiting ]"
assert_eq "waiting question" "$(t display -p -t "=ag:" '#{agent_session_state} #{agent_session_state_reason}')"
run t show-agent -t ag
assert_contains "State: waiting (question)" "$OUT"
run t list-agents -J
assert_contains '"state":"waiting","state_reason":"question"' "$(tr -d ' \n' <<<"$OUT")"
# -a: all of them at once; nothing yet, so it waits, then wakes.
t agent-wait -S idle -a -t "$A" -t "$B" -T 10 >"$TEST_DIR/all.out" 2>&1 &
WPID=$!
t send-keys -t "$A" Enter
wait_for "[ \"\$(t display -p -t $A '#{agent_state}')\" = idle ]"
assert_eq "1" "$(t display -p '#{agent_waiters}')" "the -a waiter still waits for $B"
t send-keys -t "$B" Enter
wait "$WPID"
assert_eq "0" "$?"
assert_eq "$A idle done
$B idle done" "$(cat "$TEST_DIR/all.out")"
assert_eq "idle" "$(t display -p -t "=ag:" '#{agent_session_state}')"
run t agent-wait -S working -t "$A" -T 0.3
assert_eq "1 agent-wait: timed out" "$RC $ERR"

test_case "the agent-state-changed hook"
t set-hook -g agent-state-changed "run-shell 'echo #{hook_agent_previous_state}-#{hook_agent_state}:#{hook_agent_state_reason}:#{hook_agent_state_source}:#{pane_id} >> $TEST_DIR/hook.log'"
t new-session -d -s hk -G custom -x 80 -y 24 "sh $TEST_DIR/say.sh state=working state=blocked:kind=permission"
H=$(pane_of hk)
# Its first output is the launch, not work: what that output said (OSC) decides.
wait_for "grep -q 'starting-working:working:osc:$H' '$TEST_DIR/hook.log'"
assert_eq "starting-working:working:osc:$H" "$(cat "$TEST_DIR/hook.log")"
t send-keys -t "$H" Enter
wait_for "grep -q 'working-waiting:permission:osc:$H' '$TEST_DIR/hook.log'"
assert_contains "working-waiting:permission:osc:$H" "$(cat "$TEST_DIR/hook.log")"
t set-hook -gu agent-state-changed

test_case "plain programs keep busy/idle and have no agent state"
new_detached plain cat
PL=$(pane_of plain)
t send-keys -t "$PL" hello Enter
wait_for "[ \"\$(t display -p -t $PL '#{agent_pane_status}')\" = busy ]"
assert_eq "[] busy []" "$(t display -p -t "$PL" '[#{agent_state}] #{agent_pane_status} [#{agent_session_state}]')"
run t agent-wait -S idle -t "$PL"
assert_eq "1 agent-wait: pane $PL does not run an agent" "$RC $ERR"
run t list-agent-profiles -F '#{profile_name}'
assert_eq "claude codex gemini titles" "$(echo $OUT)"

test_case "define-agent-profile: bad input is a clear error and changes nothing"
before=$(t list-agent-profiles -J)
bad() { # expected error, then the arguments
	local want=$1; shift
	run t define-agent-profile "$@"
	assert_eq "1 $want" "$RC $ERR" "define-agent-profile $*"
}
bad "define-agent-profile: bad pattern: (unclosed: unclosed group" p1 'working=(unclosed'
bad "define-agent-profile: bad pattern: x{99999}: Compiled regex exceeds size limit of 1048576 bytes." p1 'idle=x{99999}'
bad "define-agent-profile: bad state in rule: exited (want working, waiting or idle)" p1 'exited=x'
bad "define-agent-profile: bad reason in rule: Perm (lowercase letters, digits and '-', at most 32)" p1 'waiting:Perm=x'
bad "define-agent-profile: bad rule: nopattern (want [title:]state[:reason]=pattern)" p1 'nopattern'
bad "define-agent-profile: bad profile name: a b (letters, digits, '-' and '_', at most 32)" 'a b'
bad "define-agent-profile: bad debounce: 1 (milliseconds, 10-10000)" -d 1 p1 'idle=x'
bad "invalid debounce: soon (milliseconds)" -d soon p1 'idle=x'
bad "define-agent-profile: bad lines: 0 (1-200)" -l 0 p1 'idle=x'
bad "define-agent-profile: profile claude is built in, not defined" -u claude
bad "define-agent-profile: no such profile: nope" -u nope
bad "-u takes only a profile name" -u titles 'idle=x'
assert_eq "$before" "$(t list-agent-profiles -J)"

test_case "define-agent-profile overrides a built-in one; -u restores it; list shows it"
t define-agent-profile -c mycli -d 50 -l 5 -p claude 'idle:ready=^> $'
run t list-agent-profiles -f '#{==:#{profile_name},claude}'
assert_eq "claude: commands=mycli debounce=50ms lines=5 rules=1 (overrides built in)" "$OUT"
run t list-agent-profiles -J
assert_contains '{"name":"claude","builtin":false,"overrides":true,"commands":["mycli"],"debounce_ms":50,"lines":5,"needs_paste":true,"rules":["idle:ready=^>$"]}' "$(tr -d ' \n' <<<"$OUT")"
t define-agent-profile -u claude
run t list-agent-profiles -f '#{==:#{profile_name},claude}'
assert_eq "claude: commands=claude debounce=30ms lines=20 rules=10 (built in)" "$OUT"
