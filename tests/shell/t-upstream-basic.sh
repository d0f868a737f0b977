# Upstream basics: new-session -d, list-sessions, has-session exit codes,
# split-window and list-panes counts, send-keys into /bin/sh and
# capture-pane, kill-session.
. "$(dirname "$0")/lib.sh"

test_case "no server yet"
assert_exit 1 t has-session -t nosuch
assert_eq "error connecting to $SOCK (No such file or directory)" "$ERR"
assert_fails t list-sessions

test_case "new-session -d and list-sessions"
assert_ok t new-session -d -s one -x 80 -y 24
assert_ok t new-session -d -s two -x 80 -y 24
assert_eq "$(printf 'one\ntwo')" "$(t list-sessions -F '#{session_name}')"
run t list-sessions
assert_eq 0 "$RC"
assert_match '^one: 1 windows \(created [^)]+\)' "$(head -n 1 <<<"$OUT")"
assert_error_contains "duplicate session: one" t new-session -d -s one

test_case "has-session exit codes"
assert_exit 0 t has-session -t one
assert_exit 1 t has-session -t nosuch
assert_eq "can't find session: nosuch" "$ERR"

test_case "split-window and list-panes"
assert_eq 1 "$(t list-panes -t one | wc -l)"
assert_ok t split-window -t one
assert_ok t split-window -h -t one
assert_eq 3 "$(t list-panes -t one | wc -l)"
assert_eq 1 "$(t list-panes -t two | wc -l)"
assert_eq 4 "$(t list-panes -a | wc -l)"
assert_match '^(%[0-9]+ ){2}%[0-9]+$' "$(t list-panes -t one -F '#{pane_id}' | xargs)"

test_case "send-keys and capture-pane"
pane=$(t display -p -t two '#{pane_id}')
assert_match '^%[0-9]+$' "$pane"
wait_prompt "$pane"
assert_ok t send-keys -t "$pane" 'echo hello' Enter
wait_for "capture '$pane' | grep -qx hello"
assert_eq hello "$(capture "$pane" | grep -x hello)"
# The echoed command line is there too, proving the keys went through sh.
assert_contains "echo hello" "$(capture "$pane")"
# -l sends the text literally (no key-name lookup).
assert_ok t send-keys -t "$pane" -l 'echo lit""eral'
assert_ok t send-keys -t "$pane" Enter
wait_for "capture '$pane' | grep -qx literal"
assert_eq literal "$(capture "$pane" | grep -x literal)"

test_case "kill-session"
assert_ok t kill-session -t one
assert_exit 1 t has-session -t one
assert_eq two "$(t list-sessions -F '#{session_name}')"
assert_ok t kill-session -t two
# The last session gone, the server exits (exit-empty is on by default).
wait_for "! t list-sessions"
assert_error_contains "no server running" t list-sessions
