# Upstream attach and detach through a pseudo-terminal (tests/shell/pty-run.py):
# attach-session shows in list-clients, detach-client and the prefix key
# (C-b d) detach it; `a` and `at` are prefixes of attach-session; attach
# without a terminal fails as upstream does.
. "$(dirname "$0")/lib.sh"

new_detached s
t send-keys -t s 'echo marker-in-pane' Enter

# attach_and_check NAME ATTACH-WORD: attach a pty client with `tmux WORD -t s`
# and check the server sees it; leaves it attached.
attach_and_check() {
	pty_start "$1" "$TMUX_BIN" -S "$SOCK" "$2" -t s
	# Attached, or the client already gave up.
	wait_for "[ -n \"\$(t list-clients)\" ] || [ -s '$TEST_DIR/$1.status' ]"
	assert_eq "s 80x24" "$(t list-clients -F '#{session_name} #{client_width}x#{client_height}')" \
	    "client attached by '$2'"
	assert_match '^/dev/pts/[0-9]+$' "$(t list-clients -F '#{client_tty}')"
	assert_eq 1 "$(t display -p -t s: '#{session_attached}')"
	# The client draws the session: the pane text reaches its terminal.
	wait_for "grep -q marker-in-pane '$TEST_DIR/$1.out' || [ -s '$TEST_DIR/$1.status' ]"
	assert_contains marker-in-pane "$(pty_output "$1")"
}

test_case "attach-session and detach-client"
attach_and_check full attach-session
assert_ok t detach-client -s s
assert_eq 0 "$(pty_wait full)" "client exit status after detach-client"
assert_contains "[detached (from session s)]" "$(pty_output full)"
assert_eq "" "$(t list-clients)"
assert_eq 0 "$(t display -p -t s: '#{session_attached}')"

test_case "tmux a attaches (prefix of attach-session)"
attach_and_check a a
tty=$(t list-clients -F '#{client_tty}')
assert_ok t detach-client -t "$tty"
assert_eq 0 "$(pty_wait a)"
assert_contains "[detached (from session s)]" "$(pty_output a)"

test_case "tmux at attaches; prefix key C-b d detaches"
attach_and_check at at
pty_keys at '\002d'
assert_eq 0 "$(pty_wait at)"
assert_contains "[detached (from session s)]" "$(pty_output at)"
assert_eq "" "$(t list-clients)"

test_case "attach alias and kill-session while attached"
attach_and_check alias attach
assert_ok t kill-session -t s
assert_eq 0 "$(pty_wait alias)"
assert_contains "[exited]" "$(pty_output alias)"

test_case "attach without a terminal"
new_detached s2
assert_error_contains "open terminal failed: not a terminal" t attach -t s2
assert_error_contains "open terminal failed: not a terminal" t a -t s2
assert_error_contains "can't find session: nosuch" t attach -t nosuch
