# The persistent store and agent-restore: after kill-server a new server
# on the same socket restores agents, groups (members in join order,
# coordinator), context (versions, writers, times), inboxes (unread
# messages, numbers, counters) and user templates, byte for byte; -n
# changes nothing; sessions that exist by name get their state attached;
# layouts come back with each pane relaunched in its start directory with
# its CLI's resume command when its conversation id is known; @agent-store
# off writes nothing; two sockets keep two stores.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/store-lib.sh"

test_case "kill-server, new server, agent-restore: the listings are the same"
start_server
make_team
# Wait until the activity of new sessions settles is not needed: listings
# leave status out.
before=$(listings)
stop_server
f=$(store_file)
assert_ne "" "$f" "a store file exists"
run t agent-restore
assert_eq 0 "$RC" "agent-restore succeeds: $ERR"
assert_contains "restored session lead" "$OUT"
assert_contains "restored group team" "$OUT"
assert_contains "restored template review" "$OUT"
assert_eq "$before" "$(listings)" "every listing is back byte for byte"
# Numbers go on from the restored ones.
assert_eq 3 "$(t list-agent-groups -F '#{group_name} #{group_version}' | awk '$1 == "team" { print $2 }')"
t agent-share -t coder plan=four >/dev/null
assert_eq 4 "$(t list-agent-groups -F '#{group_name} #{group_version}' | awk '$1 == "team" { print $2 }')"
t agent-send -t coder 'third message' >/dev/null
assert_eq "2 3 4" "$(t agent-inbox -J -t coder | jq -r '[.messages[].seq] | join(" ")')"
stop_server

test_case "restore twice: the second finds nothing (the store keeps the live state)"
start_server
make_team
stop_server
t agent-restore >/dev/null
before=$(listings)
stop_server
run t agent-restore
assert_eq 0 "$RC"
assert_eq "$before" "$(listings)" "the restored state was saved again"
run t agent-restore
assert_eq 0 "$RC"
assert_contains "skipped layout" "x$OUT skipped layout" "nothing new"
assert_not_contains "restored session" "$OUT"
stop_server

test_case "agent-restore -n says what it would do and changes nothing"
start_server
make_team
stop_server
run t agent-restore -n
assert_eq 0 "$RC"
assert_contains "would restore session lead" "$OUT"
assert_contains "would restore group team (2 members, version 3, 2 keys)" "$OUT"
assert_eq "" "$(t list-agents -F '#{session_name}' 2>/dev/null)" "no agent made"
assert_fails t has-session -t =lead
run t agent-restore
assert_contains "restored session lead" "$OUT"
stop_server

test_case "sessions that exist by name get their agent state attached"
start_server
make_team
stop_server
start_server
t new-session -d -s lead
t new-session -d -s coder -G other
run t agent-restore
assert_eq 0 "$RC"
assert_contains "attached agent state to session lead" "$OUT"
assert_contains "skipped: session coder is already an agent" "$OUT"
assert_eq 1 "$(t list-sessions -F '#{session_name}' | grep -c '^lead$')" "lead is not duplicated"
atype() { t list-agents -F '#{session_name} #{agent_type} #{agent_group}' | awk -v s="$1" '$1 == s { print $2 $3 }'; }
assert_eq claudeteam "$(atype lead)"
assert_eq other "$(atype coder)" "a live agent keeps its own state (and joins nothing)"
assert_eq "lead" "$(t list-agent-groups -J | jq -r '.groups[] | select(.name == "team") | [.members[].session_name] | join(" ")')"
stop_server

test_case "a layout's Claude-like pane is relaunched with claude --resume ID"
mkdir -p "$TEST_DIR/bin" "$TEST_DIR/work"
cat >"$TEST_DIR/bin/claude" <<FAKE
#!/bin/sh
# A fake Claude Code: records its argv, reports a conversation id.
echo "\$(pwd) \$*" >>"$TEST_DIR/claude-argv"
"$TMUX_BIN" -S "$SOCK" set -p -t "\$TMUX_PANE" @agent-conversation-id "conv-\$(echo \$TMUX_PANE | tr -d %)"
exec cat
FAKE
chmod +x "$TEST_DIR/bin/claude"
export PATH="$TEST_DIR/bin:$PATH"
start_server
t define-agent-template duo 'worker:2:claude' 'watcher:1:cat'
t new-agent-layout -d -s squad -T duo -c "$TEST_DIR/work" >/dev/null
wait_for "[ \$(wc -l <'$TEST_DIR/claude-argv') -ge 2 ]"
wait_for "[ \$(t list-panes -s -t =squad -F '#{@agent-conversation-id}' | grep -c conv-) -ge 2 ]"
ids=$(t list-panes -s -t =squad -F '#{@agent-conversation-id}' | grep conv- | sort | tr '\n' ' ')
assert_eq 2 "$(wc -w <<<"$ids" | tr -d ' ')"
assert_eq "0" "$(t list-agent-layouts -F '#{agent_layout_restored}')" "not restored"
# The store is written within the bound.
sleep 0.5
stop_server
: >"$TEST_DIR/claude-argv"
run t agent-restore
assert_eq 0 "$RC"
assert_contains "restored layout squad (3 panes)" "$OUT"
wait_for "[ \$(wc -l <'$TEST_DIR/claude-argv') -ge 2 ]"
want=""
for c in $ids; do want="$want$TEST_DIR/work --resume $c
"; done
assert_eq "$(printf %s "$want" | sort)" "$(sort "$TEST_DIR/claude-argv")" "each pane resumed its conversation in its start dir"
assert_eq "1" "$(t list-agent-layouts -F '#{agent_layout_restored}')" "marked restored"
assert_eq "watcher1 worker1 worker2" "$(t list-agent-panes -t squad -F '#{agent_pane_label}' | sort | tr '\n' ' ' | sed 's/ $//')"
assert_eq "$TEST_DIR/work $TEST_DIR/work $TEST_DIR/work" "$(t list-agent-panes -t squad -F '#{pane_current_path}' | tr '\n' ' ' | sed 's/ $//')" "in their start directory"
assert_eq squad "$(t list-agent-groups -F '#{group_name}')"
stop_server

test_case "@agent-store off: nothing is written"
printf 'set -g @agent-store off\n' >"$TEST_DIR/off.conf"
"$TMUX_BIN" -S "$SOCK" -f "$TEST_DIR/off.conf" new-session -d -s a -G claude
t agent-share -t a k=v >/dev/null 2>&1 || t agent-join-group -t a g >/dev/null
sleep 0.4
assert_eq "" "$(store_file)" "no store file"
assert_error_contains "persistent store is off" t agent-restore
stop_server

test_case "two servers on different sockets keep separate stores"
start_server
t new-session -d -s one -G claude
S2="$TEST_DIR/sock2"
"$TMUX_BIN" -S "$S2" -f /dev/null new-session -d -s two -G codex
sleep 0.4
assert_eq 2 "$(ls "$XDG_STATE_HOME"/agent-tmux/*.db | wc -l | tr -d ' ')"
stop_server
"$TMUX_BIN" -S "$S2" kill-server
wait_for "! \"$TMUX_BIN\" -S \"$S2\" has-session 2>/dev/null"
sleep 0.3
run t agent-restore
assert_contains "restored session one" "$OUT"
assert_not_contains "two" "$OUT"
run "$TMUX_BIN" -S "$S2" -f /dev/null agent-restore
assert_contains "restored session two" "$OUT"
assert_not_contains "one" "$OUT"
"$TMUX_BIN" -S "$S2" kill-server
stop_server

test_case "@agent-restore-on-start on: the server restores by itself"
start_server
make_team
before=$(listings)
stop_server
printf 'set -g @agent-restore-on-start on\n' >"$TEST_DIR/auto.conf"
"$TMUX_BIN" -S "$SOCK" -f "$TEST_DIR/auto.conf" start-server \; set -g exit-empty off
wait_for "t has-session -t =coder"
wait_for "[ -n \"\$(t list-agent-groups -F '#{group_name}')\" ]"
assert_eq "$before" "$(listings)"
stop_server
