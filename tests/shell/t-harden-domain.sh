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
