# store-lib.sh: helpers for the persistent-store tests (t-store-*.sh),
# sourced after lib.sh. Each case has its own XDG_STATE_HOME (lib.sh).

# The store file of this test's socket (empty if there is none).
store_file() { ls "$XDG_STATE_HOME"/agent-tmux/*.db 2>/dev/null | head -1; }

# The server's pid.
server_pid() { t display-message -p '#{pid}' 2>/dev/null; }

# stop_server: kill-server and wait until the process is gone.
stop_server() {
	local pid
	pid=$(server_pid)
	t kill-server 2>/dev/null
	[ -n "$pid" ] && wait_for "! kill -0 $pid"
}

# crash_server: SIGKILL, and wait until the process is gone.
crash_server() {
	local pid
	pid=$(server_pid)
	[ -n "$pid" ] && kill -9 "$pid" && wait_for "! kill -0 $pid"
}

# The listings a restore must give back byte for byte (status is busy/idle
# activity, which is not agent state and not kept).
listings() {
	t list-agent-groups -J
	t list-agents -J | jq -c 'del(.agents[].status, .agents[].state, .agents[].state_reason, .agents[].state_since)'
	t list-agent-templates -J
	local s
	for s in $(t list-agents -F '#{session_name}'); do
		t agent-inbox -J -t "=$s"
	done
}

# A team: three agents in two groups, context with text and JSON, unread
# messages (one consumed, so numbers do not start at 1), a user template.
make_team() {
	t new-session -d -s lead -G claude -o 'lead the team' -c "$TEST_DIR"
	t new-session -d -s coder -G codex -o 'write code'
	t new-session -d -s solo -G custom
	t agent-join-group -t lead team >/dev/null
	t agent-join-group -t coder team >/dev/null
	t agent-join-group -t solo alone >/dev/null
	t agent-share -t lead plan='step one; step two' >/dev/null
	t agent-share -t coder -j 'repro={"runs": 20, "fails": 3}' >/dev/null
	t agent-share -t lead plan='step one; step two; step three' >/dev/null
	t agent-share -t solo note=alone >/dev/null
	t agent-send -t coder 'first message' >/dev/null
	t agent-inbox -c -t coder >/dev/null
	t agent-send -t coder 'second message' >/dev/null
	t agent-send -s lead -g team 'to the team' >/dev/null
	t define-agent-template review 'author:1:cat' 'reviewer:2:cat'
}

# restart_server: a new server that stays up with no sessions (one started
# by agent-restore itself exits when the command is done, racing the next
# client), with managed panes settling in 0.1 s.
restart_server() { start_server; t set -g @agent-settle-time 0.1; }

# The bound (@agent-store-interval, 200 ms) and a little more.
BOUND=0.35

# fake_claude: a fake Claude Code first in PATH; it appends where it runs
# and its arguments to $TEST_DIR/claude-argv and, with REPORT=1 in its
# environment, reports a conversation id (conv-N for pane %N) the way its
# SessionStart hook does.
fake_claude() {
	mkdir -p "$TEST_DIR/bin"
	cat >"$TEST_DIR/bin/claude" <<FAKE
#!/bin/sh
echo "\$(pwd) \$*" >>"$TEST_DIR/claude-argv"
if [ "\${REPORT:-0}" = 1 ]; then
	"$TMUX_BIN" -S "$SOCK" agent-report -t "\$TMUX_PANE" session-start "conv-\$(echo \$TMUX_PANE | tr -d %)"
fi
exec cat
FAKE
	chmod +x "$TEST_DIR/bin/claude"
	export PATH="$TEST_DIR/bin:$PATH"
	: >"$TEST_DIR/claude-argv"
}
