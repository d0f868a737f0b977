# The managed-pane lifecycle with short commands (settle time 1 s, the
# default): creating -> ready after the settle time; a command that exits
# before it -> degraded (launch_command, with its exit status); one that
# exits after it -> degraded (process_exit); a start directory that does not
# exist -> failed (pane_create); agent-pane-remove, the user's kill-pane and
# kill-window -> removed. No state leads back to ready. The layout's state
# follows the aggregate rules; kill-agent-layout keeps the records.
. "$(dirname "$0")/lib.sh"

start_server

# mp MID FIELD: a managed pane's field from lsap -a -J ("" for null).
mp() {
	t list-agent-panes -a -J |
	    jq -r --arg m "$1" ".panes[] | select(.id == \$m) | .$2 | if . == null then \"\" else tostring end"
}
# lay LID FIELD: a layout's field from lsal -a -J.
lay() {
	t list-agent-layouts -a -J |
	    jq -r --arg l "$1" ".layouts[] | select(.id == \$l) | .$2 | if . == null then \"\" else tostring end"
}
# mid LAYOUT LABEL: the managed id of the current pane with that label.
mid() { t list-agent-panes -a -t "$1" -F '#{agent_pane_label} #{agent_pane_id}' | awk -v l="$2" '$1 == l { m = $2 } END { print m }'; }
# tpane MID: its tmux pane id.
tpane() { mp "$1" pane_id; }
# newl ARGS...: new-agent-layout -d -P; prints the layout id.
newl() { t new-agent-layout -d -P "$@"; }
now() { date +%s.%N; }
elapsed() { awk -v s="$1" -v e="$(now)" 'BEGIN { printf "%.2f", e - s }'; }

assert_ok t define-agent-template one 'w:1'

# Start every layout whose timing matters at once, so their waits overlap.
t0=$(now)
L_true=$(newl -s ltrue -T one -e w=true)
L_exit3=$(newl -s lexit3 -T one -e "w=sh -c 'echo launch-out; exit 3'")
L_short=$(newl -s lshort -T one -e 'w=sleep 0.2')
L_sig=$(newl -s lsig -T one -e "w=sh -c 'kill -TERM \$\$'")
L_ready=$(newl -s lready -T one -e 'w=sleep 30')
L_exit=$(newl -s lexit -T one -e w=cat)
M_true=$(mid "$L_true" w1) M_exit3=$(mid "$L_exit3" w1) M_short=$(mid "$L_short" w1)
M_sig=$(mid "$L_sig" w1) M_ready=$(mid "$L_ready" w1) M_exit=$(mid "$L_exit" w1)

test_case "creating until the settle time, then ready (sleep 30)"
assert_match '^L[0-9]+$' "$L_ready"
assert_eq creating "$(mp "$M_ready" state)" "right after creation"
assert_eq creating "$(lay "$L_ready" state)"
wait_for "[ \"\$(mp $M_ready state)\" = ready ]" 5
assert_eq ready "$(mp "$M_ready" state)"
took=$(elapsed "$t0")
assert_eq 1 "$(awk -v e="$took" 'BEGIN { print (e >= 0.9) }')" "ready only after the 1 s settle time (after ${took}s)"
assert_eq "||" "$(mp "$M_ready" failed_stage)|$(mp "$M_ready" exit_status)|$(mp "$M_ready" error)"
assert_eq ready "$(lay "$L_ready" state)"

test_case "a command exiting at once: degraded, launch_command, exit 0 (true)"
wait_for "[ \"\$(mp $M_true state)\" = degraded ]" 3
assert_eq "degraded launch_command 0" "$(mp "$M_true" state) $(mp "$M_true" failed_stage) $(mp "$M_true" exit_status)"
assert_eq degraded "$(lay "$L_true" state)"
# The dead pane stays (remain-on-exit) to be read.
assert_eq 1 "$(t display -p -t "$(tpane "$M_true")" '#{pane_dead}')"

test_case "a command exiting with 3: degraded with exit 3, output readable"
wait_for "[ \"\$(mp $M_exit3 state)\" = degraded ]" 3
assert_eq "degraded launch_command 3" "$(mp "$M_exit3" state) $(mp "$M_exit3" failed_stage) $(mp "$M_exit3" exit_status)"
assert_contains "launch-out" "$(t capture-pane -p -S - -t "$(tpane "$M_exit3")")"
assert_contains "M${M_exit3#M}: layout=$L_exit3 pane=$(tpane "$M_exit3") label=w1 role=w state=degraded stage=launch_command exit=3 depth=0" \
    "$(t lsap -t "$L_exit3")"

test_case "a command killed by a signal: exit status 128 + signal"
wait_for "[ \"\$(mp $M_sig state)\" = degraded ]" 3
assert_eq "degraded launch_command 143" "$(mp "$M_sig" state) $(mp "$M_sig" failed_stage) $(mp "$M_sig" exit_status)"

test_case "exiting before the settle time is degraded, not ready (sleep 0.2)"
wait_for "[ \"\$(mp $M_short state)\" != creating ]" 3
assert_eq "degraded launch_command 0" "$(mp "$M_short" state) $(mp "$M_short" failed_stage) $(mp "$M_short" exit_status)"

test_case "no path back: a degraded pane stays degraded"
# The settle timers of these panes have fired by now (lready is ready and
# was created after them): they did not make the degraded panes ready.
assert_eq ready "$(mp "$M_ready" state)"
assert_eq "degraded degraded degraded" "$(mp "$M_true" state) $(mp "$M_short" state) $(mp "$M_exit3" state)"
# Respawning the tmux pane does not make the managed pane ready either.
p=$(tpane "$M_true")
assert_ok t respawn-pane -k -t "$p" 'sleep 30'
assert_eq 0 "$(t display -p -t "$p" '#{pane_dead}')"
sleep 1.2
assert_eq "degraded launch_command" "$(mp "$M_true" state) $(mp "$M_true" failed_stage)"
assert_eq degraded "$(t display -p -t "$p" '#{agent_pane_state}')"

test_case "a ready pane whose process exits: degraded, process_exit"
wait_for "[ \"\$(mp $M_exit state)\" = ready ]" 5
assert_eq ready "$(mp "$M_exit" state)"
t send-keys -t "$(tpane "$M_exit")" C-d
wait_for "[ \"\$(mp $M_exit state)\" = degraded ]" 3
assert_eq "degraded process_exit 0" "$(mp "$M_exit" state) $(mp "$M_exit" failed_stage) $(mp "$M_exit" exit_status)"
assert_eq degraded "$(lay "$L_exit" state)"
assert_eq 1 "$(t display -p -t "$(tpane "$M_exit")" '#{pane_dead}')"

test_case "a start directory that does not exist: failed, pane_create"
before=$(t list-agent-layouts -a | wc -l)
run t new-agent-layout -d -P -s nodir -c "$TEST_DIR/no/such/dir" -e manager=cat -e specialist=cat
assert_eq 1 "$RC"
L_fail=$(t lsal -F '#{agent_layout_id}' -f '#{==:#{agent_layout_session},nodir}')
assert_match '^L[0-9]+$' "$L_fail"
assert_eq "layout $L_fail: start directory does not exist: $TEST_DIR/no/such/dir; its panes are failed" "$ERR"
assert_eq "failed failed failed" "$(t lsap -t "$L_fail" -J | jq -r '[.panes[].state] | join(" ")')"
assert_eq "pane_create pane_create pane_create" "$(t lsap -t "$L_fail" -J | jq -r '[.panes[].failed_stage] | join(" ")')"
assert_eq "start directory does not exist: $TEST_DIR/no/such/dir" "$(t lsap -t "$L_fail" -J | jq -r '.panes[0].error')"
assert_eq failed "$(lay "$L_fail" state)"
assert_eq '{"creating":0,"ready":0,"degraded":0,"failed":3,"removed":0}' \
    "$(t lsal -J | jq -c --arg l "$L_fail" '.layouts[] | select(.id == $l) | .counts')"
assert_eq $((before + 1)) "$(t list-agent-layouts -a | wc -l)"
# Failed panes never become ready.
sleep 1.1
assert_eq "failed failed failed" "$(t lsap -t "$L_fail" -J | jq -r '[.panes[].state] | join(" ")')"

test_case "agent-pane-remove: removed; already removed is fine"
L_rm=$(newl -s rm -e manager=cat -e specialist=cat)
M=$(mid "$L_rm" s2)
p=$(tpane "$M")
run t agent-pane-remove -t "rm:s2"
assert_eq 0 "$RC"
assert_eq "$M removed" "$OUT"
assert_eq removed "$(mp "$M" state)"
assert_eq "" "$(t list-panes -a -F '#{pane_id}' | grep -x -- "$p")" "its tmux pane is gone"
run t agent-pane-remove -t "$M"
assert_eq 0 "$RC"
assert_eq "$M is already removed" "$OUT"
# By LAYOUT:LABEL with the layout id, and by tmux pane id.
M1=$(mid "$L_rm" s1)
assert_ok t agent-pane-remove -t "$L_rm:s1"
assert_eq removed "$(mp "$M1" state)"
Mm=$(mid "$L_rm" m1)
assert_ok t agent-pane-remove -t "$(tpane "$Mm")"
assert_eq removed "$(mp "$Mm" state)"
assert_eq removed "$(lay "$L_rm" state)"
# Removed panes show only with -a.
assert_eq "" "$(t lsap -t "$L_rm")"
assert_eq 3 "$(t lsap -a -t "$L_rm" | grep -c 'state=removed')"

test_case "agent-pane-remove refuses panes that are not managed"
t new-session -d -s plain cat
p=$(t display -p -t =plain: '#{pane_id}')
assert_error_contains "pane $p is not a managed agent pane" t agent-pane-remove -t "$p"
assert_eq 1 "$RC"
assert_eq "$p" "$(t display -p -t "$p" '#{pane_id}')" "the pane is still there"
assert_error_contains "can't find managed pane: M999" t agent-pane-remove -t M999
assert_error_contains "can't find pane" t agent-pane-remove -t rm:nolabel

test_case "a failed pane can be removed"
Mf=$(mid "$L_fail" s1)
assert_ok t agent-pane-remove -t "$Mf"
assert_eq "removed pane_create" "$(mp "$Mf" state) $(mp "$Mf" failed_stage)"

test_case "the user's kill-pane: removed, and the layout survives"
L_kp=$(newl -s kp -e manager=cat -e specialist=cat)
M=$(mid "$L_kp" s1)
assert_ok t kill-pane -t "$(tpane "$M")"
assert_eq removed "$(mp "$M" state)"
assert_eq "$L_kp" "$(t lsal -F '#{agent_layout_id}' -f '#{==:#{agent_layout_session},kp}')" "still listed"
assert_ne removed "$(lay "$L_kp" state)"
assert_eq "m1 s2" "$(t list-panes -t =kp: -F '#{agent_pane_label}' | paste -sd ' ')"
assert_eq 1 "$(lay "$L_kp" counts.removed)"
assert_eq "$L_kp" "$(t display -p -t =kp: '#{agent_layout_id}')"

test_case "the user's kill-window: every pane removed"
L_kw=$(newl -s kw -e manager=cat -e specialist=cat)
t new-window -d -t =kw: cat
assert_ok t kill-window -t =kw:0
assert_eq "removed removed removed" "$(t lsap -a -t "$L_kw" -J | jq -r '[.panes[].state] | join(" ")')"
assert_eq removed "$(lay "$L_kw" state)"
assert_eq "" "$(t lsal -F '#{agent_layout_id}' -f "#{==:#{agent_layout_id},$L_kw}")" "not live"
assert_eq "kw" "$(t display -p -t =kw: '#{session_name}')" "the session with its other window stays"
# kill-window of a layout's only window ends its session too.
L_kw2=$(newl -s kw2 -e manager=cat -e specialist=cat)
assert_ok t kill-window -t =kw2:
assert_eq "removed removed removed" "$(t lsap -a -t "$L_kw2" -J | jq -r '[.panes[].state] | join(" ")')"
assert_fails t has-session -t =kw2

test_case "the layout's state: creating, then failed, degraded, ready, removed"
# All failed (bad start directory).
run t new-agent-layout -d -s agg -c /no/such/dir -e 'manager=sleep 30' -e 'specialist=sleep 30'
L=$(t lsal -F '#{agent_layout_id}' -f '#{==:#{agent_layout_session},agg}')
assert_eq failed "$(lay "$L" state)"
# creating beats failed.
assert_ok t agent-pane-recreate -t agg:m1
assert_eq "creating failed failed" "$(t lsap -t "$L" -J | jq -r '[.panes[].state] | sort | join(" ")')"
assert_eq creating "$(lay "$L" state)"
# failed beats ready.
wait_for "[ \"\$(mp $(mid "$L" m1) state)\" = ready ]" 5
assert_eq "failed failed ready" "$(t lsap -t "$L" -J | jq -r '[.panes[].state] | sort | join(" ")')"
assert_eq failed "$(lay "$L" state)"
# degraded beats ready; removed does not count.
assert_ok t agent-pane-recreate -t agg:s1 "sh -c 'exit 5'"
assert_ok t agent-pane-remove -t agg:s2
wait_for "[ \"\$(mp $(mid "$L" s1) state)\" = degraded ]" 3
assert_eq "degraded ready" "$(t lsap -t "$L" -J | jq -r '[.panes[].state] | sort | join(" ")')"
assert_eq degraded "$(lay "$L" state)"
# ready with removed ones.
assert_ok t agent-pane-remove -t agg:s1
assert_eq ready "$(lay "$L" state)"
assert_match "^$L: session=agg template=1m\\+2s group=agg state=ready panes=3 \\(ready 1, removed 2\\)\$" \
    "$(t lsal -f '#{==:#{agent_layout_session},agg}')"
# all removed.
assert_ok t agent-pane-remove -t agg:m1
assert_eq removed "$(lay "$L" state)"
assert_eq "" "$(t lsal -f "#{==:#{agent_layout_id},$L}")"
assert_contains "$L: session=" "$(t lsal -a)"

test_case "kill-agent-layout: the session goes, the records stay"
L=$(newl -s doomed -e manager=cat -e specialist=cat)
run t kill-agent-layout -t doomed
assert_eq 0 "$RC"
assert_eq "$L killed" "$OUT"
assert_fails t has-session -t =doomed
assert_eq "" "$(t lsal -F '#{agent_layout_id}' | grep -x "$L")" "not listed without -a"
assert_eq "$L removed" "$(t lsal -a -F '#{agent_layout_id} #{agent_layout_state}' | grep "^$L ")"
assert_eq removed "$(lay "$L" state)"
assert_eq "removed removed removed" "$(t lsap -a -t "$L" -J | jq -r '[.panes[].state] | join(" ")')"
assert_eq "m1 s1 s2" "$(t lsap -a -t "$L" -F '#{agent_pane_label}' | paste -sd ' ')"
assert_eq "" "$(t lsap -t "$L")"
assert_error_contains "layout $L is already removed" t kill-agent-layout -t "$L"
# By layout id too; a session without a layout is refused.
L2=$(newl -s doomed2 -e manager=cat -e specialist=cat)
assert_ok t kill-agent-layout -t "$L2"
assert_fails t has-session -t =doomed2
assert_error_contains "session 'plain' has no agent layout" t kill-agent-layout -t plain
assert_error_contains "can't find layout: L999" t kill-agent-layout -t L999
