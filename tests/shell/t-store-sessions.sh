# The persistent store keeps user agent profiles and each plain agent
# session's launch command and conversation: after kill -9 of the server
# past the bound and agent-restore on a new server, profiles are back as
# list-agent-profiles showed them, and sessions are relaunched with their
# command (claude --resume ID when the conversation is known); a session
# rename alone is saved within the bound.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/store-lib.sh"

mkdir -p "$TEST_DIR/work"
fake_claude

test_case "user agent profiles come back; a removed one stays removed"
start_server
t new-session -d -s keep
t define-agent-profile -p -d 50 -l 10 -c mycli,mycli2 mycli 'waiting:permission=Allow\?' 'title:working=^busy' 'idle=^> $'
t define-agent-profile claude 'idle:ready=^X$'
t define-agent-profile gone 'idle=^\$'
t define-agent-profile -u gone
before=$(t list-agent-profiles -J)
sleep $BOUND
crash_server
restart_server
run t agent-restore
assert_contains "restored profile mycli" "$OUT"
assert_contains "restored profile claude" "$OUT"
assert_not_contains "gone" "$OUT"
assert_eq "$before" "$(t list-agent-profiles -J)" "list-agent-profiles -J is the same"
stop_server
restart_server
run t agent-restore -n
assert_contains "would restore profile mycli" "$OUT"
assert_eq 0 "$(t list-agent-profiles -J | jq '[.profiles[] | select(.builtin | not)] | length')" "-n defines nothing"
stop_server

test_case "a plain agent session is relaunched with its command, resumed when its conversation is known"
start_server
: >"$TEST_DIR/claude-argv"
t new-session -d -s c1 -G claude -c "$TEST_DIR/work" -e REPORT=1 claude --model x
t new-session -d -s c2 -G custom -c "$TEST_DIR/work" 'cat -u'
t new-session -d -s c3 -G claude
c2cmd=$(t display -p -t c2: '#{pane_start_command}')
wait_for "[ -n \"\$(t display -p -t c1: '#{agent_conversation_id}')\" ]"
pane=$(t list-panes -s -t =c1 -F '#{pane_id}' | tr -d %)
sleep $BOUND
crash_server
: >"$TEST_DIR/claude-argv"
restart_server
run t agent-restore -n
assert_contains "would restore session c1 (claude --model x --resume conv-$pane)" "$OUT"
assert_contains "would restore session c2 (cat -u)" "$OUT"
assert_contains "would restore session c3 (default shell)" "$OUT"
run t agent-restore
assert_eq 0 "$RC" "$ERR"
assert_contains "restored session c1" "$OUT"
wait_for "[ \$(wc -l <'$TEST_DIR/claude-argv') -ge 1 ]"
assert_eq "$TEST_DIR/work --model x --resume conv-$pane" "$(cat "$TEST_DIR/claude-argv")" "resumed in its start directory"
assert_eq "$c2cmd" "$(t display -p -t c2: '#{pane_start_command}')" "c2 runs its command again"
assert_eq "$TEST_DIR/work" "$(t display -p -t c2: '#{pane_current_path}')"
assert_eq "" "$(t display -p -t c3: '#{pane_start_command}')" "c3 runs the default shell"
assert_eq "claude custom claude" "$(t list-agents -F '#{agent_type}' | tr '\n' ' ' | sed 's/ $//')"
stop_server

test_case "a session rename alone is saved within the bound"
start_server
t new-session -d -s before -G claude
sleep $BOUND
t rename-session -t before after
sleep $BOUND
crash_server
restart_server
run t agent-restore
assert_eq 0 "$RC" "$ERR"
assert_contains "restored session after" "$OUT"
assert_not_contains "before" "$OUT"
stop_server

