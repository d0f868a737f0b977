# Agent commands that change state, run from a key binding or the command
# prompt of an attached client, confirm on the status line instead of opening
# view mode; -q silences them anywhere; errors are reported as before.
. "$(dirname "$0")/lib.sh"

have_agent_commands || { skip "needs the agent commands"; exit 0; }

new_detached work
new_detached peer
t ajoin -t peer team >/dev/null
t set -g display-time 10000
t bind-key -n F1 agent-join-group -t work team
t bind-key -n F2 agent-share -t work fromkey=1
t bind-key -n F3 agent-share -q -t work quietkey=2
t bind-key -n F4 agent-leave-group -q -t work
t bind-key -n F5 agent-share -q -t nosuch k=1
t bind-key -n F6 show-agent -t work
t bind-key -n J command-prompt -p group: "agent-join-group -t work '%%'"

pty_start term env TERM=screen "$TMUX_BIN" -S "$SOCK" attach -t =work
wait_for "[ -n \"\$(t list-clients -t =work -F '#{client_name}')\" ]"
client=$(t list-clients -t =work -F '#{client_name}')

in_mode() { t display -p -t =work: '#{pane_in_mode}'; }

test_case "a binding's confirmation goes to the status line, not view mode"
assert_ok t send-keys -K -c "$client" F1
wait_for "grep -q \"joined group 'team'\" '$TEST_DIR/term.out'" 5
assert_contains "joined group 'team'" "$(pty_output term)" "the confirmation is on the status line"
assert_eq team "$(t display -p -t =work: '#{agent_group}')" "the binding ran"
assert_eq 0 "$(in_mode)" "no view mode"
assert_ok t send-keys -K -c "$client" F2
wait_for "grep -q 'Shared with group' '$TEST_DIR/term.out'" 5
assert_eq 1 "$(t agent-get -t work fromkey)"
assert_eq 0 "$(in_mode)"

test_case "-q from a binding: nothing shown, the change made"
before=$(grep -c 'quietkey' "$TEST_DIR/term.out")
assert_ok t send-keys -K -c "$client" F3 F6
# F6 (a listing) opens view mode: once it has, F3 before it has run.
wait_for "[ \"\$(in_mode)\" = 1 ]" 5
assert_eq 2 "$(t agent-get -t work quietkey)"
t copy-mode -q -t =work:
assert_eq "$before" "$(grep -c 'quietkey' "$TEST_DIR/term.out")" "no message about quietkey"
assert_ok t send-keys -K -c "$client" F4 F6
wait_for "[ \"\$(in_mode)\" = 1 ]" 5
assert_eq "" "$(t display -p -t =work: '#{agent_group}')" "-q leave ran"
t copy-mode -q -t =work:

test_case "an error from a binding is still shown, no view mode"
assert_ok t send-keys -K -c "$client" F5
wait_for "grep -q \"find session: nosuch\" '$TEST_DIR/term.out'" 5
assert_contains "find session: nosuch" "$(pty_output term)" "even with -q"
assert_eq 0 "$(in_mode)"

test_case "the command prompt binding of the issue joins without view mode"
assert_ok t send-keys -K -c "$client" J
wait_for "grep -q 'group:' '$TEST_DIR/term.out'" 5
assert_ok t send-keys -K -c "$client" t e a m Enter
wait_for "[ \"\$(t display -p -t =work: '#{agent_group}')\" = team ]" 5
assert_eq team "$(t display -p -t =work: '#{agent_group}')"
assert_eq 0 "$(in_mode)"
t detach-client -t "$client"
assert_eq 0 "$(pty_wait term)"

test_case "from a command-line client output is unchanged; -q prints nothing"
run t ashare -t work k1=v
assert_eq "0|Shared with group 'team': k1=v|" "$RC|$OUT|$ERR"
run t ashare -q -t work k2=v
assert_eq "0||" "$RC|$OUT|$ERR"
assert_eq v "$(t agent-get -t work k2)"
run t aleave -q -t work
assert_eq "0||" "$RC|$OUT|$ERR"
run t ajoin -q -t work team
assert_eq "0||" "$RC|$OUT|$ERR"

test_case "-q keeps errors"
run t ashare -q -t work 'bad key=1'
assert_eq 1 "$RC"
assert_contains 'invalid key: "bad key"' "$ERR"
run t ajoin -q -t nosuch team
assert_eq 1 "$RC"
assert_contains "can't find session" "$ERR"

test_case "every command that confirms takes -q; listings don't"
for c in agent-join-group agent-leave-group agent-share agent-send set-agent \
	define-agent-template agent-pane-remove agent-pane-recreate kill-agent-layout; do
	assert_match "\\[-[a-zA-Z]*q" "$(t list-commands "$c")" "$c takes -q"
done
for c in list-agents show-agent agent-get agent-peers agent-inbox; do
	assert_not_contains "q" "$(t list-commands "$c" | grep -o '\[-[a-zA-Z]*\]' | head -1)" "$c has no -q"
done
