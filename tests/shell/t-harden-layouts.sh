# Issue 18 items 11 and 13: layout state follows the real panes. A layout
# belongs to its session and lives in one window; when that session dies
# while the window lives on in another session (a grouped session,
# link-window), the layout passes to that session and its panes stay
# managed. A managed pane taken out of the layout's window (join-pane,
# move-pane, break-pane, swap-pane) is released: removed, marked released,
# running on as a plain pane no managed-pane target reaches; a recreate
# makes its successor in the layout's own window. And agent-wait -i on a
# busy pane that respawn-pane -k restarts ends: the old program's exit ends
# its busy period.
. "$(dirname "$0")/lib.sh"

start_server

mp() {
	t list-agent-panes -a -J |
	    jq -r --arg m "$1" ".panes[] | select(.id == \$m) | .$2 | if . == null then \"\" else tostring end"
}
mid() { t list-agent-panes -a -t "$1" -F '#{agent_pane_label} #{agent_pane_id}' | awk -v l="$2" '$1 == l { m = $2 } END { print m }'; }
states() { t list-agent-panes -a -J -t "$1" | jq -r '[.panes[] | .state] | join(" ")'; }
newl() { t new-agent-layout -d -P "$@"; }
tpanes() { t list-panes -a -F '#{pane_id}'; }

test_case "the layout passes to the grouped session that keeps its window"
L=$(newl -s gl -e 'manager=sleep 100' -e 'specialist=sleep 100')
M1=$(mid "$L" m1)
wait_for "[ \"\$(states $L)\" = 'ready ready ready' ]" 5
t new-session -d -s gl2 -t gl
P1=$(mp "$M1" pane_id)
t kill-session -t gl
assert_ok t has-session -t =gl2
assert_contains "$P1" "$(tpanes)" "the panes still run in gl2"
assert_eq "ready ready ready" "$(states "$L")" "none is removed"
assert_eq "gl2 ready" "$(t list-agent-layouts -a -F '#{agent_layout_session} #{agent_layout_state}' | grep -v '^$' | tail -1)"
assert_eq "$L" "$(t display -p -t =gl2: '#{agent_layout_id}')"
run t agent-prompt -t "$M1" hello
assert_eq 0 "$RC" "M-ids still reach the panes"
# Its end is the end of the panes: killing gl2 removes them.
t kill-session -t gl2
assert_eq "removed removed removed" "$(states "$L")"

test_case "a window kept only by a session it was linked into: its panes are released"
L=$(newl -s ll -e 'manager=sleep 100' -e 'specialist=sleep 100')
t new-session -d -s other
t link-window -d -s ll:0 -t other:5
t kill-session -t ll
assert_eq "removed removed removed" "$(states "$L")"
assert_eq "true true true" "$(t lsap -a -J -t "$L" | jq -r '[.panes[] | .released] | join(" ")')"
assert_eq 3 "$(t list-panes -t =other:5 | wc -l | tr -d ' ')" "they run on in other"
assert_eq "" "$(t display -p -t =other:5 '#{agent_layout_id}')" "other does not get the layout"
assert_error_contains "layout $L is already removed" t kill-agent-layout -t "$L"
assert_ok t has-session -t =other
t kill-session -t other

test_case "kill-agent-layout kills the panes wherever the layout passed"
L=$(newl -s kl -e 'manager=sleep 100' -e 'specialist=sleep 100')
t new-session -d -s kl2 -t kl
t new-session -d -s kl3 -t kl
t kill-session -t kl
run t kill-agent-layout -t "$L"
assert_eq "0|$L killed" "$RC|$OUT"
assert_eq "removed removed removed" "$(states "$L")"
for m in $(t lsap -a -t "$L" -F '#{agent_pane_tmux_id}'); do
	assert_not_contains "$m" "$(tpanes)" "kill-agent-layout kills every pane"
done
t kill-session -t kl3 2>/dev/null

test_case "no removed pane's tmux pane exists after its session dies"
L=$(newl -s nr -e 'manager=sleep 100' -e 'specialist=sleep 100')
t new-session -d -s nr2 -t nr
t new-session -d -s nr3 -t nr
t kill-session -t nr
t kill-session -t nr2
live=$(tpanes)
bad=$(t list-agent-panes -a -J -t "$L" | jq -r '.panes[] | select(.state == "removed") | .pane_id' | grep -xF -f <(echo "$live") || true)
assert_eq "" "$bad"
assert_eq "nr3" "$(t list-agent-layouts -a -F '#{agent_layout_id} #{agent_layout_session}' | awk -v l="$L" '$1 == l { print $2 }')"
t kill-session -t nr3

test_case "join-pane out of the layout's window releases the pane"
L=$(newl -s jl -e 'manager=sleep 100' -e "specialist=sh -c 'exit 3'")
S1=$(mid "$L" s1)
wait_for "[ \"\$(mp $S1 state)\" = degraded ]" 5
P=$(mp "$S1" pane_id)
t new-session -d -s away
t join-pane -d -s "$P" -t away:
assert_eq "removed" "$(mp "$S1" state)"
assert_eq "true" "$(mp "$S1" released)"
assert_eq "$S1 1" "$(t lsap -a -t "$L" -F "#{agent_pane_id} #{agent_pane_released}" | grep "^$S1 ")" "the format says so"
assert_contains "$P" "$(tpanes)" "it runs on as a plain pane"
assert_error_contains "pane $P is not a managed agent pane" t agent-pane-recreate -t "$P"
run t agent-prompt -t "$S1" hello
assert_ne 0 "$RC" "its M-id no longer reaches it"
assert_eq 2 "$(t list-panes -t =away: | wc -l | tr -d ' ')"
before=$(t list-panes -t =away: -F '#{pane_id} #{pane_width}x#{pane_height}')
# Recreating it makes the successor in the layout's own window and leaves
# the released pane and the other window alone.
run t agent-pane-recreate -t "$S1" 'sleep 100'
assert_eq 0 "$RC"
N=$(mid "$L" s1)
NP=$(mp "$N" pane_id)
assert_eq "@$(t display -p -t =jl: '#{window_id}' | tr -d @)" "$(t display -p -t "$NP" '#{window_id}')"
assert_eq "$before" "$(t list-panes -t =away: -F '#{pane_id} #{pane_width}x#{pane_height}')"
assert_eq 3 "$(t list-panes -t =jl: | wc -l | tr -d ' ')"
t kill-session -t away

test_case "break-pane and swap-pane release, a move within the window does not"
L=$(newl -s bl -e 'manager=sleep 100' -e 'specialist=sleep 100')
M1=$(mid "$L" m1)
S1=$(mid "$L" s1)
S2=$(mid "$L" s2)
t swap-pane -d -s "$(mp "$S1" pane_id)" -t "$(mp "$S2" pane_id)"
assert_eq "false" "$(mp "$S1" released)" "a swap inside the window changes nothing"
assert_ne removed "$(mp "$S1" state)"
t break-pane -d -s "$(mp "$S1" pane_id)"
assert_eq "removed true" "$(mp "$S1" state) $(mp "$S1" released)"
t new-session -d -s sw
t swap-pane -d -s "$(mp "$M1" pane_id)" -t sw:
assert_eq "removed true" "$(mp "$M1" state) $(mp "$M1" released)"
assert_ne removed "$(mp "$S2" state)"
t kill-session -t sw

test_case "agent-wait -i ends when respawn-pane -k replaces a busy program"
t new-session -d -s busy -x 80 -y 24 "sh -c 'while :; do echo y; sleep 0.1; done'"
BP=$(t display -p -t =busy: '#{pane_id}')
wait_for "[ \"\$(t display -p -t '$BP' '#{agent_pane_status}')\" = busy ]" 5
"$TMUX_BIN" -S "$SOCK" -f /dev/null await -i -T 8 -t "$BP" >"$TEST_DIR/resp.out" 2>&1 &
wpid=$!
wait_for "[ \"\$(t display -p '#{agent_waiters}')\" = 1 ]" 5
assert_eq 1 "$(t display -p '#{agent_waiters}')" "waiting while the pane is busy"
# The new program is as busy as the old one: only the respawn can end the wait.
t respawn-pane -k -t "$BP" "sh -c 'while :; do echo z; sleep 0.1; done'"
wait_for "! kill -0 $wpid" 4
if kill -0 "$wpid" 2>/dev/null; then
	kill "$wpid"
	wait "$wpid"
	rc=timeout
else
	wait "$wpid"
	rc=$?
fi
assert_eq "0|" "$rc|$(cat "$TEST_DIR/resp.out")" "the old program's exit ended the wait"
# The new program's own output makes the pane busy again.
wait_for "[ \"\$(t display -p -t '$BP' '#{agent_pane_status}')\" = busy ]" 5
assert_eq busy "$(t display -p -t "$BP" '#{agent_pane_status}')"
# respawn-window -k the same.
"$TMUX_BIN" -S "$SOCK" -f /dev/null await -i -T 8 -t "$BP" >"$TEST_DIR/respw.out" 2>&1 &
wpid=$!
wait_for "[ \"\$(t display -p '#{agent_waiters}')\" = 1 ]" 5
t respawn-window -k -t =busy: "sh -c 'while :; do echo w; sleep 0.1; done'"
wait_for "! kill -0 $wpid" 4
if kill -0 "$wpid" 2>/dev/null; then
	kill "$wpid"
	wait "$wpid"
	rc=timeout
else
	wait "$wpid"
	rc=$?
fi
assert_eq "0|" "$rc|$(cat "$TEST_DIR/respw.out")" "respawn-window ends it too"
t kill-session -t busy
