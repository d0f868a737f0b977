# Issue 18 hardening of the agent domain: names that look like layout or
# managed-pane ids (ids win, '=' names the session), JSON numbers kept as
# given and duplicate keys refused, a new-agent-layout that fails changes
# nothing, a message keeps its sender's name at send time, and inboxes are
# bounded in bytes, per inbox and over the server.
. "$(dirname "$0")/lib.sh"

start_server

# --- item 7: ids against names ------------------------------------------------

test_case "an id-like session name: the id form is the id, =NAME the session"
t newal -d -s L2 >/dev/null   # layout L1 in session L2
t newal -d -s work >/dev/null # layout L2 in session work
run t list-agent-layouts -F '#{agent_layout_id} #{agent_layout_session}'
assert_eq "L1 L2
L2 work" "$OUT"
run t list-agent-panes -t L2 -F '#{agent_pane_layout}'
assert_eq "L2
L2
L2" "$OUT"
run t list-agent-panes -t =L2 -F '#{agent_pane_layout}'
assert_eq "L1
L1
L1" "$OUT"
# LAYOUT:LABEL with =NAME: the label in session L2's layout.
run t list-agent-panes -t L1 -F '#{agent_pane_id} #{agent_pane_label}'
m1=$(echo "$OUT" | awk '$2 == "m1" {print $1}')
run t await -i -T 0.2 -t =L2:m1
assert_match "^(|agent-wait: timed out)$" "$ERR" "await -i -t =L2:m1"
run t agent-pane-remove -t =L2:m1
assert_eq 0 "$RC" "agent-pane-remove -t =L2:m1: $ERR"
assert_eq removed "$(t list-agent-panes -a -t L1 -F '#{agent_pane_id} #{agent_pane_state}' | awk -v m="$m1" '$1 == m {print $2}')"
# work's m1 (layout L2) is untouched.
assert_eq creating,ready "$(t list-agent-panes -t L2 -F '#{agent_pane_label} #{agent_pane_state}' | awk '$1 == "m1" {print ($2 == "creating" || $2 == "ready") ? "creating,ready" : $2}')"

test_case "L<n>:x never falls back to a session named L<n>"
# Layout L2 has no pane labelled 0.1; session L2's pane 0.1 must not be hit.
before=$(t list-agent-panes -t L1 -F '#{agent_pane_id} #{agent_pane_state}')
assert_error_contains "can't find pane 0.1 in layout L2" t agent-pane-remove -t L2:0.1
assert_eq "$before" "$(t list-agent-panes -t L1 -F '#{agent_pane_id} #{agent_pane_state}')"
assert_error_contains "can't find pane 0.1 in layout L2" t await -i -T 0.2 -t L2:0.1
# A layout id that does not exist is an error, not a session name.
t new -d -s L7 cat
assert_error_contains "can't find layout: L7" t kill-agent-layout -t L7
assert_error_contains "can't find layout: L7" t agent-pane-remove -t L7:0.0
assert_error_contains "session 'L7' has no agent layout" t kill-agent-layout -t =L7
assert_ok t has-session -t =L7

test_case "an M<n>-like session name: M<n> is the managed pane, =NAME the session"
t new -d -s M99 cat
assert_error_contains "can't find managed pane: M99" t await -i -T 1 -t M99
assert_error_contains "can't find managed pane: M99" t agent-pane-remove -t M99
run t await -i -T 0.2 -t =M99
assert_match "^(|agent-wait: timed out)$" "$ERR" "await -i -t =M99"

test_case "kill-agent-layout: L2 is work's layout, =L2 session L2's"
assert_ok t kill-agent-layout -t =L2
assert_fails t has-session -t =L2
assert_ok t has-session -t work
assert_ok t kill-agent-layout -t L2
assert_fails t has-session -t work
t kill-session -t L7
t kill-session -t M99

# --- item 9: JSON numbers and duplicate keys ----------------------------------

new_detached ja cat
t ajoin -t ja jg >/dev/null

test_case "JSON numbers are kept exactly as given"
for n in 18446744073709551616 1.5e-400 1e2 1E+2 -0 0.10 123456789012345678901234567890.5e-3; do
	assert_ok t ashare -j -t ja "n=$n"
	assert_eq "$n" "$(t agent-get -t ja n)" "agent-get $n"
	assert_contains "\"value\":$n," "$(t agent-get -J -t ja n)" "agent-get -J $n"
	assert_contains "n=$n" "$(t apeers -t ja)" "apeers $n"
	assert_contains "\"value\":$n," "$(t list-agent-groups -J)" "list-agent-groups -J $n"
	assert_eq "$n" "$(t await -T 1 -t ja n)" "agent-wait $n"
done
assert_ok t ashare -j -t ja 'doc={"a": [1e2, 2.50, {"b": -0.0e-0}]}'
assert_eq '{"a":[1e2,2.50,{"b":-0.0e-0}]}' "$(t agent-get -t ja doc)"
assert_contains '"value":{"a":[1e2,2.50,{"b":-0.0e-0}]},' "$(t agent-get -J -t ja doc)"

test_case "duplicate JSON object keys are refused and change nothing"
assert_ok t ashare -j -t ja 'dup=[0]'
assert_error_contains 'invalid JSON value: duplicate key "a" at line 1 column' t ashare -j -t ja 'dup={"a":1,"a":2}'
assert_error_contains 'invalid JSON value: duplicate key "x"' t ashare -j -t ja 'dup=[{"y":{"x":1,"x":1}}]'
# Escapes that spell the same key are the same key.
assert_error_contains 'invalid JSON value: duplicate key "a"' t ashare -j -t ja 'dup={"a":1,"\u0061":2}'
assert_eq '[0]' "$(t agent-get -t ja dup)"
# The same key in different objects is fine.
assert_ok t ashare -j -t ja 'dup=[{"a":1},{"a":2}]'
assert_eq '[{"a":1},{"a":2}]' "$(t agent-get -t ja dup)"

# --- item 10: a failed new-agent-layout changes nothing -----------------------

test_case "new-agent-layout with no space: one error, no session, layout or group"
t set-hook -g agent-pane-state 'set -g @pane_hook fired'
t set-hook -g agent-group-changed 'set -g @group_hook fired'
t set -g default-size 3x3
layouts_before=$(t list-agent-layouts -F '#{agent_layout_id}')
run t newal -d -s tiny -T 2m+2s
assert_eq 1 "$RC"
assert_eq "no space for new pane" "$ERR"
assert_fails t has-session -t =tiny
assert_eq "$layouts_before" "$(t list-agent-layouts -F '#{agent_layout_id}')"
assert_not_contains tiny "$(t list-agent-groups)"
assert_not_contains tiny "$(t list-agents)"
assert_eq "" "$(t show -gv @pane_hook 2>/dev/null)"
assert_eq "" "$(t show -gv @group_hook 2>/dev/null)"
t set-hook -gu agent-pane-state
t set-hook -gu agent-group-changed
t set -g default-size 80x24
# The id it would have taken is still free.
next=$(t newal -d -P -s roomy)
assert_eq "L3" "$next"
t kill-agent-layout -t =roomy

# --- item 12: the sender's name at send time ----------------------------------

new_detached rx cat
new_detached tx cat
t set-agent -t rx >/dev/null
t set-agent -t tx >/dev/null

test_case "a message shows its sender's name at send time, before and after the sender dies"
t asend -s tx -t rx hello >/dev/null
t rename-session -t tx renamed
for when in alive dead; do
	run t ainbox -t rx
	assert_match "^1 tx .*: hello$" "$OUT" "text, sender $when"
	assert_eq tx "$(t ainbox -t rx -F '#{message_from}')" "format, sender $when"
	assert_contains '"from":"tx"' "$(t ainbox -t rx -J)" "-J, sender $when"
	t kill-session -t renamed
	# Another session takes the old name: still the name recorded.
	[ "$when" = alive ] && new_detached tx cat
done
t kill-session -t tx

test_case "the agent-message hook names the sender as it was named when it sent"
t set-hook -g agent-message 'set -gF @from "#{hook_agent_from_name}"'
new_detached tx2 cat
t set-agent -t tx2 >/dev/null
t asend -s tx2 -t rx two >/dev/null
wait_for '[ "$(t show -gv @from 2>/dev/null)" = tx2 ]'
assert_eq tx2 "$(t show -gv @from)"
t set-hook -gu agent-message
t ainbox -c -t rx >/dev/null

# --- item 8: byte bounds on inboxes -------------------------------------------

# 15000-byte messages (a command line is at most about 16 KB).
big=$(head -c 14999 /dev/zero | tr '\0' x)

test_case "@agent-inbox-bytes bounds one inbox; the oldest is dropped and counted"
t set -g @agent-inbox-bytes 65536
for n in 1 2 3 4; do t asend -t rx "$n$big" >/dev/null; done
run t asend -t rx "5$big"
assert_eq "delivered to 1 inbox (1 older message dropped: inbox full)" "$OUT"
run t ainbox -t rx -J
# The oldest left is the second sent: the first was dropped.
assert_eq "4 1 2 60000 65536" "$(echo "$OUT" | jq -r '"\(.unread) \(.dropped) \(.messages[0].text[0:1]) \(.bytes) \(.bytes_limit)"')"
t ainbox -c -t rx >/dev/null
t set -gu @agent-inbox-bytes

test_case "@agent-inbox-total-bytes bounds all inboxes; the server's oldest is dropped"
new_detached ry cat
new_detached rz cat
t set-agent -t ry >/dev/null
t set-agent -t rz >/dev/null
t set -g @agent-inbox-total-bytes 65536
t asend -t rx "x$big" >/dev/null
for n in 1 2 3; do t asend -t ry "$n$big" >/dev/null; done
run t asend -t rz "z$big"
assert_eq "delivered to 1 inbox (1 older message dropped: server inboxes full)" "$OUT"
assert_eq "0 2" "$(t ainbox -t rx -J | jq -r '"\(.unread) \(.dropped)"')"
assert_eq "3 0" "$(t ainbox -t ry -J | jq -r '"\(.unread) \(.dropped)"')"
assert_eq "1 0" "$(t ainbox -t rz -J | jq -r '"\(.unread) \(.dropped)"')"

test_case "a group send is bounded by the server-wide bound too"
for s in g1 g2 g3 g4; do new_detached $s cat; t ajoin -t $s gg >/dev/null; done
run t asend -g gg "$big"
assert_eq 0 "$RC"
assert_match "^delivered to 4 inboxes \(4 older messages dropped: server inboxes full\)$" "$OUT"
assert_eq "0 3 0" "$(t ainbox -t ry -J | jq -r '"\(.unread) \(.dropped) \(.bytes)"')"
assert_eq "0 1 0" "$(t ainbox -t rz -J | jq -r '"\(.unread) \(.dropped) \(.bytes)"')"
for s in g1 g2 g3 g4; do
	assert_eq "1 0 14999" "$(t ainbox -t $s -J | jq -r '"\(.unread) \(.dropped) \(.bytes)"')" "$s"
done
t set -gu @agent-inbox-total-bytes
