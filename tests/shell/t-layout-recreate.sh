# agent-pane-recreate: only failed, degraded or removed panes; a new managed
# pane with the same role and label, linked to its predecessor one level
# deeper (chains end at depth 16); refused while another recreate of the
# same source is still creating; -k makes a retry return the same pane; the
# new pane keeps its output readable after exit (remain-on-exit).
. "$(dirname "$0")/lib.sh"

start_server

mp() {
	t list-agent-panes -a -J |
	    jq -r --arg m "$1" ".panes[] | select(.id == \$m) | .$2 | if . == null then \"\" else tostring end"
}
mid() { t list-agent-panes -a -t "$1" -F '#{agent_pane_label} #{agent_pane_id}' | awk -v l="$2" '$1 == l { m = $2 } END { print m }'; }
tpane() { mp "$1" pane_id; }
newl() { t new-agent-layout -d -P "$@"; }
geom() { t list-panes -t "=$1:" -F '#{pane_left} #{pane_top} #{pane_width} #{pane_height} #{agent_pane_label}'; }

test_case "recreate is refused for creating and ready panes"
L=$(newl -s rr -e 'manager=sleep 30' -e 'specialist=sleep 30')
M=$(mid "$L" m1)
assert_error_contains "pane $M is creating: only failed, degraded or removed panes can be recreated" \
    t agent-pane-recreate -t rr:m1
wait_for "[ \"\$(mp $M state)\" = ready ]" 5
assert_error_contains "pane $M is ready: only failed, degraded or removed panes can be recreated" \
    t agent-pane-recreate -t "$M"
assert_eq 1 "$RC"
assert_eq 3 "$(t lsap -a -t "$L" | wc -l | tr -d ' ')" "nothing made"
assert_eq 3 "$(t list-panes -t =rr: | wc -l | tr -d ' ')"

test_case "recreating a degraded pane: same role and label, linked, depth 1"
L=$(newl -s deg -e "manager=sh -c 'echo first-out; exit 3'" -e specialist=cat)
M=$(mid "$L" m1)
wait_for "[ \"\$(mp $M state)\" = degraded ]" 3
old=$(tpane "$M")
before=$(geom deg)
# The degraded pane's output is there to read before the recreate.
assert_contains "first-out" "$(t capture-pane -p -S - -t "$old")"
run t agent-pane-recreate -t deg:m1 'sleep 30'
assert_eq 0 "$RC"
N=$(mid "$L" m1)
assert_ne "$M" "$N"
new=$(tpane "$N")
assert_eq "$N: recreated $M as pane $new (depth 1)" "$OUT"
assert_eq '{"label":"m1","role":"manager","predecessor":"'"$M"'","successor":null,"depth":1,"state":"creating","command":"sleep 30"}' \
    "$(t lsap -J -t "$L" | jq -c --arg m "$N" '.panes[] | select(.id == $m) | {label: .label, role, predecessor, successor, depth, state, command}')"
# The predecessor's dead pane is removed; its record keeps how it ended.
assert_eq '{"state":"removed","failed_stage":"launch_command","successor":"'"$N"'","depth":0,"exit_status":3}' \
    "$(t lsap -a -J -t "$L" | jq -c --arg m "$M" '.panes[] | select(.id == $m) | {state, failed_stage, successor, depth, exit_status}')"
# The new pane takes the old one's place: the window keeps its shape.
assert_eq "" "$(t list-panes -a -F '#{pane_id}' | grep -x -- "$old")" "the dead pane is gone"
# m1 keeps its place on the left; s1 and s2 stay stacked on the right.
assert_eq "$(awk '$5 == "m1"' <<<"$before")" "$(geom deg | awk '$5 == "m1"')"
assert_eq "m1 s1 s2" "$(geom deg | sort -n -k1,1 -k2,2 | awk '{ print $5 }' | paste -sd ' ')"
assert_eq "m1 $N creating 1 $M" \
    "$(t display -p -t "$new" '#{agent_pane_label} #{agent_pane_id} #{agent_pane_state} #{agent_pane_depth} #{agent_pane_predecessor}')"
assert_eq "m1" "$(t display -p -t "$new" '#{pane_title}')"
# LAYOUT:LABEL now names the successor.
assert_error_contains "pane $N is creating" t agent-pane-recreate -t deg:m1
wait_for "[ \"\$(mp $N state)\" = ready ]" 5
assert_eq ready "$(mp "$N" state)"
wait_for "[ \"\$(t lsal -F '#{agent_layout_state}' -f '#{==:#{agent_layout_id},$L}')\" = ready ]" 3
assert_eq "ready" "$(t lsal -F '#{agent_layout_state}' -f "#{==:#{agent_layout_id},$L}")" \
    "the layout is ready again: the recreated pane replaced the degraded one"

test_case "a recreated source can't be recreated again"
# M (degraded, then removed with its pane) already has successor N.
assert_error_contains "$M was already recreated as $N" t agent-pane-recreate -t "$M"
assert_eq 4 "$(t lsap -a -t "$L" | wc -l | tr -d ' ')"

test_case "recreating a removed pane and a failed pane"
L=$(newl -s rem -e manager=cat -e specialist=cat)
M=$(mid "$L" s2)
assert_ok t agent-pane-remove -t rem:s2
assert_ok t agent-pane-recreate -t rem:s2
N=$(mid "$L" s2)
assert_eq "s2 specialist $M 1 cat" "$(mp "$N" label) $(mp "$N" role) $(mp "$N" predecessor) $(mp "$N" depth) $(mp "$N" command)"
assert_eq "m1 s1 s2" "$(t list-panes -t =rem: -F '#{agent_pane_label}' | sort | paste -sd ' ')"
run t new-agent-layout -d -s fl -c /no/such/dir -e manager=cat -e specialist=cat
L=$(t lsal -F '#{agent_layout_id}' -f '#{==:#{agent_layout_session},fl}')
M=$(mid "$L" s1)
assert_eq failed "$(mp "$M" state)"
assert_ok t agent-pane-recreate -t "fl:s1"
N=$(mid "$L" s1)
assert_eq "creating 1 $M" "$(mp "$N" state) $(mp "$N" depth) $(mp "$N" predecessor)"
wait_for "[ \"\$(mp $N state)\" = ready ]" 5
assert_eq ready "$(mp "$N" state)"

test_case "refused while another recreate of the same source is still creating"
t set -g @agent-settle-time 30
L=$(newl -s busy -T 2m+2s -e 'manager=true' -e specialist=cat)
M=$(mid "$L" m2)
wait_for "[ \"\$(mp $M state)\" = degraded ]" 3
assert_ok t agent-pane-recreate -k try-1 -t "$M" 'sleep 1000'
N=$(mid "$L" m2)
assert_eq creating "$(mp "$N" state)"
assert_error_contains "a recreate of $M is still creating ($N)" t agent-pane-recreate -t "$M"
assert_error_contains "a recreate of $M is still creating ($N)" t agent-pane-recreate -k try-2 -t "$M"
# A retry with the same key returns the same pane and makes nothing.
panes=$(t list-panes -t =busy: | wc -l)
run t agent-pane-recreate -k try-1 -t "$M" 'sleep 1000'
assert_eq 0 "$RC"
assert_eq "$N (replay of idempotency key try-1)" "$OUT"
assert_eq "$panes" "$(t list-panes -t =busy: | wc -l)"
assert_eq 5 "$(t lsap -a -t "$L" | wc -l | tr -d ' ')"
assert_eq "$N" "$(mid "$L" m2)"
# The retry may name the pane by LAYOUT:LABEL, which now names the
# successor: the same key still answers with that pane.
run t agent-pane-recreate -k try-1 -t busy:m2 'sleep 1000'
assert_eq 0 "$RC"
assert_eq "$N (replay of idempotency key try-1)" "$OUT"
assert_eq 5 "$(t lsap -a -t "$L" | wc -l | tr -d ' ')"
assert_error_contains 'invalid idempotency key: "a b"' t agent-pane-recreate -k 'a b' -t "$M"
t set -g @agent-settle-time 1

test_case "the recreated pane keeps its output readable after exit"
L=$(newl -s keep -e manager=true -e specialist=cat)
M=$(mid "$L" m1)
wait_for "[ \"\$(mp $M state)\" = degraded ]" 3
assert_ok t agent-pane-recreate -t keep:m1 "sh -c 'echo recreated-out; exit 4'"
N=$(mid "$L" m1)
p=$(tpane "$N")
wait_for "[ \"\$(mp $N state)\" = degraded ]" 3
assert_eq "degraded launch_command 4" "$(mp "$N" state) $(mp "$N" failed_stage) $(mp "$N" exit_status)"
assert_eq "on" "$(t show-options -pv -t "$p" remain-on-exit)"
assert_eq 1 "$(t display -p -t "$p" '#{pane_dead}')"
assert_contains "recreated-out" "$(t capture-pane -p -S - -t "$p")"
# And again, from that one: depth 2.
assert_ok t agent-pane-recreate -t keep:m1 'sleep 30'
assert_eq 2 "$(mp "$(mid "$L" m1)" depth)"

test_case "a chain of recreates goes to depth 16; the 17th is refused"
t set -g @agent-settle-time 0
assert_ok t define-agent-template solo 'w:1:true'
L=$(newl -s chain -T solo)
ok=0
for i in $(seq 1 16); do
	M=$(mid "$L" w1)
	wait_for "[ \"\$(mp $M state)\" = degraded ]" 3 || break
	t agent-pane-recreate -t chain:w1 >/dev/null || break
	ok=$i
done
assert_eq 16 "$ok" "16 recreates succeeded"
M=$(mid "$L" w1)
wait_for "[ \"\$(mp $M state)\" = degraded ]" 3
assert_eq 16 "$(mp "$M" depth)"
assert_error_contains "recreate chain too deep: $M is at depth 16 (limit 16)" t agent-pane-recreate -t chain:w1
assert_eq 17 "$(t lsap -a -t "$L" | wc -l | tr -d ' ')" "the refused recreate made nothing"
# The whole chain, linked both ways, in lsap -J.
assert_eq "$(seq 0 16 | paste -sd ' ')" "$(t lsap -a -J -t "$L" | jq -r '[.panes[].depth] | join(" ")')"
assert_eq true "$(t lsap -a -J -t "$L" | jq '[.panes as $p | range(1; $p | length) | ($p[.].predecessor == $p[. - 1].id and $p[. - 1].successor == $p[.].id)] | all')"
assert_eq "1 16" "$(t lsap -J -t "$L" | jq -r '"\(.panes | length) \(.panes[0].depth)"')"
assert_eq 1 "$(t list-panes -t =chain: | wc -l | tr -d ' ')" "one pane in the window"
t set -g @agent-settle-time 1

test_case "recreate in a killed layout, and of unmanaged panes, is refused"
L=$(newl -s dead -e manager=cat -e specialist=cat)
M=$(mid "$L" m1)
assert_ok t kill-agent-layout -t "$L"
assert_error_contains "layout $L is removed: its panes can't be recreated" t agent-pane-recreate -t "$M"
t new-session -d -s plain cat
p=$(t display -p -t =plain: '#{pane_id}')
assert_error_contains "pane $p is not a managed agent pane" t agent-pane-recreate -t "$p"
assert_error_contains "can't find managed pane: M999" t agent-pane-recreate -t M999
assert_eq 1 "$(t list-panes -t =plain: | wc -l | tr -d ' ')"
