# A plain upstream tmux client ($PLAIN_TMUX, built by vendor/build-plain.sh)
# talking to our server, and our client talking to a plain server.
#
# Upstream 3.5a's client parses the command line only to learn whether the
# command may start a server (client.c client_main, result discarded); it
# sends argv in MSG_COMMAND and the server parses it again with its own
# command table (server-client.c server_client_dispatch_command ->
# cmd_parse_from_arguments). So command names, prefixes and agent commands
# are resolved by our server even for a plain client.
. "$(dirname "$0")/lib.sh"

need_plain() {
	have_plain && return 0
	skip "no plain upstream build at ${PLAIN_TMUX:-(unset)}: run vendor/build-plain.sh"
	return 1
}

new_detached s

test_case "plain client: list-sessions and display"
if need_plain; then
	assert_ok tp list-sessions
	assert_eq "$(t list-sessions)" "$OUT"
	assert_eq s "$(tp display -p -t s: '#{session_name}')"
	assert_eq "3.5a 1" "$(tp display -p '#{version} #{==:a,a}')"
fi

test_case "plain client: new-window and send-keys, seen by our client"
if need_plain; then
	assert_ok tp new-window -d -t s: -n fromplain
	assert_eq "0 1" "$(t list-windows -t s -F '#{window_index}' | xargs)"
	assert_eq fromplain "$(t display -p -t s:1 '#{window_name}')"
	wait_prompt s:fromplain
	assert_ok tp send-keys -t s:fromplain 'echo via-plain' Enter
	wait_for "capture s:fromplain | grep -qx via-plain"
	assert_eq via-plain "$(capture s:fromplain | grep -x via-plain)"
	assert_ok tp new-session -d -s fromplain2
	assert_exit 0 t has-session -t fromplain2
fi

test_case "plain client: names are resolved by our server"
if need_plain; then
	# The server's lookup answers, whatever the client's own table says.
	run tp list-
	assert_eq "1 $(upstream_lookup list-)" "$RC $ERR"
	run tp show-a
	assert_eq "1 $(upstream_lookup show-a)" "$RC $ERR"
	assert_error_contains "unknown command: zz" tp zz -~
	assert_eq s "$(t display -p -t s: '#{session_name}')" "our server still works"
fi

test_case "plain client: agent commands by full name"
if ! have_agent_commands; then
	skip "binary has no agent commands (no show-agent in list-commands)"
elif need_plain; then
	# The plain client does not know show-agent, yet our server runs it:
	# the flag error comes from the server's show-agent entry.
	assert_error_contains "command show-agent: invalid flag -~" tp show-agent -~
	for n in list-agents list-agent-groups; do
		run t "$n"
		mine="$RC $OUT $ERR"
		run tp "$n"
		assert_eq "$mine" "$RC $OUT $ERR" "plain client: $n"
	done
	assert_eq s "$(t display -p -t s: '#{session_name}')" "our server still works"
fi

test_case "our client against a plain server"
if need_plain; then
	ps="$TEST_DIR/plain.sock"
	"$PLAIN_TMUX" -S "$ps" -f /dev/null new-session -d -s up -x 80 -y 24
	assert_eq up "$("$TMUX_BIN" -S "$ps" display -p '#{session_name}')"
	assert_ok "$TMUX_BIN" -S "$ps" new-window -d -t up: -n ours
	# Window 0 is named by automatic-rename after its pane's command, which
	# is the forked tmux until the shell has exec'd: wait for that.
	wait_for "[ \"\$('$PLAIN_TMUX' -S '$ps' display -p -t up:0 '#{window_name}')\" = sh ]"
	assert_eq "0:sh 1:ours" "$("$PLAIN_TMUX" -S "$ps" list-windows -t up -F '#{window_index}:#{window_name}' | xargs)"
	run "$TMUX_BIN" -S "$ps" list-
	assert_eq "1 $(upstream_lookup list-)" "$RC $ERR"
	assert_ok "$TMUX_BIN" -S "$ps" kill-server
fi
