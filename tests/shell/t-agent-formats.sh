# The #{agent_*} formats: display -p, list-sessions -F/-f, if-shell -F, a
# status line redrawn as soon as a group changes (status-interval 0, seen on
# an attached terminal), a control-mode subscription, agent_tmux_version.
. "$(dirname "$0")/lib.sh"

ALL='#{agent_is_agent}|#{agent_type}|#{agent_goal}|#{agent_group}|#{agent_role}|#{agent_is_coordinator}|#{agent_peers}'

new_detached plain cat
new_detached a cat
new_detached b cat
t set-agent -t a -G claude -o "the goal"

test_case "display -p: plain session, agent, group member"
assert_eq "||||||" "$(t display -p -t =plain: "$ALL")" "a plain session: all empty, as on plain tmux"
assert_eq "" "$(t display -p -t =plain: '#{agent_created}')"
assert_eq "1|claude|the goal|||0|0" "$(t display -p -t =a: "$ALL")"
t ajoin -t a fmt >/dev/null
t ajoin -t b fmt >/dev/null
assert_eq "1|claude|the goal|fmt|Coordinator|1|1" "$(t display -p -t =a: "$ALL")"
assert_eq "1|custom||fmt|Member|0|1" "$(t display -p -t =b: "$ALL")"
# Conditionals and comparisons work on them like any format.
assert_eq "lead" "$(t display -p -t =a: '#{?agent_is_coordinator,lead,follow}')"
assert_eq "follow" "$(t display -p -t =b: '#{?agent_is_coordinator,lead,follow}')"
assert_eq "1" "$(t display -p -t =b: '#{==:#{agent_group},fmt}')"
assert_eq "none" "$(t display -p -t =plain: '#{?agent_group,#{agent_group},none}')"

test_case "agent_created and #{t:agent_created}"
created=$(t display -p -t =a: '#{agent_created}')
now=$(date +%s)
assert_match '^[0-9]+$' "$created"
assert_eq 1 "$(( now - created >= 0 && now - created <= 3 ))" "agent_created is recent ($created vs $now)"
# #{t:...} renders it as tmux renders times (compare with session_created).
t_created=$(t display -p -t =a: '#{t:agent_created}')
assert_match '^[A-Z][a-z]{2} [A-Z][a-z]{2} +[0-9]+ [0-9]{2}:[0-9]{2}:[0-9]{2} [0-9]{4}$' "$t_created"
if [ "$created" = "$(t display -p -t =a: '#{session_created}')" ]; then
	assert_eq "$(t display -p -t =a: '#{t:session_created}')" "$t_created"
else
	assert_eq "$(LC_ALL=C date -d "@$created" '+%a %b %e %H:%M:%S %Y')" "$t_created"
fi

test_case "list-sessions -F and -f"
run t ls -F '#{session_name}:#{agent_type}:#{agent_group}:#{agent_role}:#{agent_peers}'
assert_eq "$(printf 'a:claude:fmt:Coordinator:1\nb:custom:fmt:Member:1\nplain::::')" "$OUT"
run t ls -f '#{agent_is_agent}' -F '#{session_name}'
assert_eq "$(printf 'a\nb')" "$OUT"
run t ls -f '#{==:#{agent_role},Member}' -F '#{session_name}'
assert_eq "b" "$OUT"
run t ls -f '#{!=:#{agent_group},fmt}' -F '#{session_name}'
assert_eq "plain" "$OUT"
# list-windows and list-panes see the formats of their session too.
assert_eq "fmt" "$(t lsw -t b -F '#{agent_group}')"
assert_eq "Member" "$(t lsp -t =b: -F '#{agent_role}')"

test_case "if-shell -F"
assert_ok t if-shell -F -t =a: '#{agent_is_coordinator}' 'set -g @ifa coord' 'set -g @ifa member'
assert_eq coord "$(t show -gv @ifa)"
assert_ok t if-shell -F -t =b: '#{agent_is_coordinator}' 'set -g @ifb coord' 'set -g @ifb member'
assert_eq member "$(t show -gv @ifb)"
assert_ok t if -F -t =plain: '#{agent_group}' 'set -g @ifp in' 'set -g @ifp out'
assert_eq out "$(t show -gv @ifp)"

test_case "formats follow changes immediately"
t aleave -t a >/dev/null
assert_eq "1|claude|the goal|||0|0" "$(t display -p -t =a: "$ALL")"
assert_eq "1|custom||fmt|Coordinator|1|0" "$(t display -p -t =b: "$ALL")"
t set-agent -u -t a
assert_eq "||||||" "$(t display -p -t =a: "$ALL")"

test_case "agent_tmux_version and agent_upstream_version"
v=$(t display -p '#{agent_tmux_version}')
assert_match '^[0-9]+\.[0-9]+\.[0-9]+' "$v"
assert_eq "3.5a" "$(t display -p '#{agent_upstream_version}')"
assert_eq "$(t display -p '#{version}')" "$(t display -p '#{agent_upstream_version}')"
# The same whatever the session.
assert_eq "$v" "$(t display -p -t =plain: '#{agent_tmux_version}')"

test_case "status line shows the group at once after ajoin (status-interval 0)"
new_detached st cat
t set -t =st: status-interval 0
t set -t =st: status-left '<#{agent_group}|#{agent_role}>'
t set -t =st: status-left-length 60
# status-right shows a session environment variable: changing it redraws
# nothing, which shows that only an explicit redraw updates this terminal.
t setenv -t st MARK before
t set -t =st: status-right '[#{MARK}]'
pty_start st env TERM=screen "$TMUX_BIN" -S "$SOCK" attach -t st
wait_for "[ -n \"\$(t list-clients -t st)\" ] || [ -s '$TEST_DIR/st.status' ]"
client=$(t list-clients -t st -F '#{client_name}')
assert_match '^/dev/pts/[0-9]+$' "$client"
wait_for "grep -q '<|>' '$TEST_DIR/st.out'"
assert_contains "<|>" "$(pty_output st)" "status line before joining"
assert_eq "<|>" "$(t display -p -c "$client" '#{T:status-left}')"
t setenv -t st MARK after
sleep 0.3
assert_not_contains "[after]" "$(pty_output st)" "no redraw without a reason"
: >"$TEST_DIR/st.out"
t ajoin -t st statusgrp >/dev/null
# Redrawn by the join itself: no status-interval timer is running.
wait_for "grep -q '<statusgrp|Coordinator>' '$TEST_DIR/st.out'" 3
assert_contains "<statusgrp|Coordinator>" "$(pty_output st)" "status line redrawn after ajoin"
assert_eq "<statusgrp|Coordinator>" "$(t display -p -c "$client" '#{T:status-left}')"

test_case "status line follows role changes caused by other sessions"
new_detached first cat
t aleave -t st >/dev/null
t ajoin -t first statusgrp >/dev/null
: >"$TEST_DIR/st.out"
t ajoin -t st statusgrp >/dev/null
wait_for "grep -q '<statusgrp|Member>' '$TEST_DIR/st.out'" 3
assert_contains "<statusgrp|Member>" "$(pty_output st)"
: >"$TEST_DIR/st.out"
# The coordinator leaving makes st coordinator: st's status line changes
# though st ran no command.
t aleave -t first >/dev/null
wait_for "grep -q '<statusgrp|Coordinator>' '$TEST_DIR/st.out'" 3
assert_contains "<statusgrp|Coordinator>" "$(pty_output st)" "status line redrawn on hand-over"
: >"$TEST_DIR/st.out"
t aleave -t st >/dev/null
wait_for "grep -q '<|>' '$TEST_DIR/st.out'" 3
assert_contains "<|>" "$(pty_output st)" "status line redrawn after aleave"
t detach-client -s st
assert_eq 0 "$(pty_wait st)"

test_case "control mode: refresh-client -B subscription sees ajoin"
new_detached sub cat
mkfifo "$TEST_DIR/c.in"
t -C attach -t sub <"$TEST_DIR/c.in" >"$TEST_DIR/c.out" 2>&1 &
cpid=$!
exec 3>"$TEST_DIR/c.in"
echo "refresh-client -B 'grp::#{agent_group}'" >&3
sid=$(t display -p -t =sub: '#{session_id}')
# The first report is the empty group.
wait_for "grep -q '^%subscription-changed grp ' '$TEST_DIR/c.out'" 5
assert_contains "%subscription-changed grp $sid - - - : " "$(cat "$TEST_DIR/c.out")"
t ajoin -t sub subgrp >/dev/null
wait_for "grep -q '^%subscription-changed grp .* : subgrp\$' '$TEST_DIR/c.out'" 5
assert_contains "%subscription-changed grp $sid - - - : subgrp" "$(cat "$TEST_DIR/c.out")"
t ajoin -t sub subgrp2 >/dev/null
wait_for "grep -q '^%subscription-changed grp .* : subgrp2\$' '$TEST_DIR/c.out'" 5
assert_contains "%subscription-changed grp $sid - - - : subgrp2" "$(cat "$TEST_DIR/c.out")"
# Agent commands from the control client answer in %begin/%end blocks.
echo "show-agent" >&3
wait_for "grep -q '^Group: subgrp2' '$TEST_DIR/c.out'" 5
assert_contains "Group: subgrp2" "$(cat "$TEST_DIR/c.out")"
echo "ajoin bad/name" >&3
wait_for "grep -q '^%error' '$TEST_DIR/c.out'" 5
assert_contains 'invalid group name: "bad/name"' "$(cat "$TEST_DIR/c.out")"
exec 3>&-
wait_for "! kill -0 $cpid"
assert_eq "%exit" "$(tail -n 1 "$TEST_DIR/c.out")"
