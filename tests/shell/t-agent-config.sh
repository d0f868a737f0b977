# Agent commands from configuration: a config file run at server start
# (new-session -G, ajoin, ashare), a key binding `bind-key X ajoin cfgteam`
# pressed on an attached client (send-keys -K), source-file and run-shell -C
# at run time, and config errors naming file and line.
. "$(dirname "$0")/lib.sh"

cat >"$TEST_DIR/agent.conf" <<'EOF'
# agent-tmux config
set -g exit-empty off
bind-key X ajoin cfgteam
bind-key -T root F7 agent-leave-group
bind-key -T root F8 agent-share "pressed=F8"
new-session -d -s boot -x 80 -y 24 -G cfgtype -o "started from config" cat
agent-join-group -t boot bootgrp
agent-share -t boot origin=config
ashare -t boot -j 'list=[1, 2]'
set-agent -t boot -o "goal changed in config"
set -g @after-agent yes
EOF

# c ARGS...: our binary with the config file.
c() { "$TMUX_BIN" -S "$SOCK" -f "$TEST_DIR/agent.conf" "$@"; }

test_case "agent commands in a config file run at server start"
assert_ok c new-session -d -s other -x 80 -y 24 cat
assert_eq "" "$ERR"
assert_eq yes "$(c show -gv @after-agent)" "the lines after the agent commands ran too"
run c show-agent -t boot
assert_eq "$(printf 'Session: boot\nAgent Type: cfgtype\nGoal: goal changed in config')" "$(sed -n 1,3p <<<"$OUT")"
assert_eq "$(printf 'Group: bootgrp\nRole: Coordinator\nPeers: 0')" "$(sed -n '5,7p' <<<"$OUT")"
assert_eq config "$(c agent-get -t boot origin)"
assert_eq "[1,2]" "$(c agent-get -t boot list)"
assert_eq "bootgrp 1 boot 2" "$(c lsag -F '#{group_name} #{group_members} #{group_coordinator} #{group_context_keys}')"

test_case "the bindings are there"
assert_eq "bind-key -T prefix X agent-join-group cfgteam" "$(c list-keys -T prefix X)"
assert_eq "bind-key -T root F7 agent-leave-group" "$(c list-keys -T root F7)"

test_case "pressing C-b X on an attached client joins its session"
pty_start cl env TERM=screen "$TMUX_BIN" -S "$SOCK" attach -t other
wait_for "[ -n \"\$(c list-clients -t other)\" ] || [ -s '$TEST_DIR/cl.status' ]"
client=$(c list-clients -t other -F '#{client_name}')
assert_match '^/dev/pts/[0-9]+$' "$client"
# Config errors would be shown in view mode on the first attach: none.
assert_eq 0 "$(c display -p -t other: '#{pane_in_mode}')"
assert_eq "" "$(c display -p -t other: '#{agent_is_agent}')"
assert_ok c send-keys -K -c "$client" C-b X
wait_for "[ \"\$(c display -p -t other: '#{agent_group}')\" = cfgteam ]" 5
assert_eq "cfgteam|custom|Coordinator" "$(c display -p -t other: '#{agent_group}|#{agent_type}|#{agent_role}')"
assert_eq "boot,other" "$(c lsa -J | jq -r '[.agents[].session_name] | join(",")')"

test_case "root-table bindings with agent commands"
assert_ok c send-keys -K -c "$client" F8
wait_for "c agent-get -t other pressed" 5
assert_eq "F8" "$(c agent-get -t other pressed 2>&1)"
assert_ok c send-keys -K -c "$client" F7
wait_for "[ -z \"\$(c display -p -t other: '#{agent_group}')\" ]" 5
assert_eq "|1" "$(c display -p -t other: '#{agent_group}|#{agent_is_agent}')"
assert_eq "" "$(c lsag -F '#{group_name}' -f '#{==:#{group_name},cfgteam}')" "cfgteam dissolved"
c detach-client -t "$client"
assert_eq 0 "$(pty_wait cl)"

test_case "source-file and run-shell -C at run time"
cat >"$TEST_DIR/later.conf" <<'EOF'
ajoin -t other latergrp
ashare -t other -k from -v "source-file"
EOF
run c source-file "$TEST_DIR/later.conf"
assert_eq 0 "$RC"
assert_contains "Session 'other' joined group 'latergrp'" "$OUT"
assert_eq "source-file" "$(c agent-get -t other from)"
assert_ok c run-shell -C 'ashare -t other via=run-shell'
assert_eq "run-shell" "$(c agent-get -t other via)"
assert_ok c run-shell -C 'ajoin -t boot latergrp'
assert_eq "other: boot" "$(c lsag -J | jq -r '.groups[] | select(.name == "latergrp") | .coordinator + ": " + ([.members[].session_name] - [.coordinator] | join(" "))')"

test_case "errors in a config file name the file and line"
printf 'set -g @bad1 1\nagent-j x\n' >"$TEST_DIR/parse.conf"
run c source-file "$TEST_DIR/parse.conf"
assert_eq 1 "$RC"
assert_eq "$TEST_DIR/parse.conf:2: unknown command: agent-j" "$OUT"
assert_error_contains "invalid option: @bad1" c show -gv @bad1
# A failing agent command: its error, and the lines after it still run.
printf 'ajoin -t other "bad name"\nset -g @bad2 ran\n' >"$TEST_DIR/exec.conf"
run c source-file "$TEST_DIR/exec.conf"
assert_eq 1 "$RC"
assert_contains 'invalid group name: "bad name"' "$OUT$ERR"
assert_eq ran "$(c show -gv @bad2)"
assert_eq latergrp "$(c display -p -t other: '#{agent_group}')"

test_case "a failing agent command at server start is reported on attach"
printf '%s\n' 'set -g exit-empty off' \
    'new-session -d -s x -x 80 -y 24 cat' \
    'ajoin -t x "bad name"' \
    'set -g @after 1' >"$TEST_DIR/bad-start.conf"
c2() { "$TMUX_BIN" -S "$TEST_DIR/sock2" -f "$TEST_DIR/bad-start.conf" "$@"; }
assert_ok c2 start-server
assert_eq 1 "$(c2 show -gv @after)"
assert_eq "|" "$(c2 display -p -t x: '#{agent_is_agent}|#{agent_group}')"
pty_start bad env TERM=screen "$TMUX_BIN" -S "$TEST_DIR/sock2" attach -t x
wait_for "grep -q 'invalid group name' '$TEST_DIR/bad.out'" 5
assert_contains "bad-start.conf:3: invalid group name: \"bad name\"" "$(pty_output bad)"
assert_eq "1 view-mode" "$(c2 display -p -t x: '#{pane_in_mode} #{pane_mode}')"
c2 kill-server
