# Bad input to the layout commands is refused with a tmux-style message and
# creates nothing: no session (ls), no layout (lsal -a), no pane, no
# template. Also the errors of the listing and targeting commands.
. "$(dirname "$0")/lib.sh"

start_server
t new-session -d -s keep cat
t set -g @agent-settle-time 0
assert_ok t new-agent-layout -d -s base -e manager=cat -e specialist=cat
# Settled first, so that the snapshots below do not change by themselves.
wait_for "[ \"\$(t lsap -F '#{agent_pane_state}' | sort -u)\" = ready ]" 5

snapshot() {
	printf '%s\n' "$(t list-sessions -F '#{session_name}')" "$(t list-agent-layouts -a)" \
	    "$(t list-panes -a -F '#{pane_id}')" "$(t list-agent-templates -J)" "$(t list-agent-groups 2>&1)"
}
before=$(snapshot)

# refused TEXT ARGS...: new-agent-layout ARGS fails with TEXT and changes nothing.
refused() {
	local text=$1; shift
	assert_error_contains "$text" t new-agent-layout -d "$@"
	assert_eq 1 "$RC" "exit status of: new-agent-layout -d $*"
	assert_eq "$before" "$(snapshot)" "nothing changed by: new-agent-layout -d $*"
}

test_case "unknown or invalid template"
refused "unknown template: nosuch" -T nosuch
refused "unknown template: nosuch" -T nosuch -s named
refused 'invalid template name: "a b"' -T 'a b'

test_case "-e: unknown role, duplicate role, no '=', empty or bad command"
refused "unknown role in -e: qa" -e qa=cat
refused "unknown role in -e: bogus" -T 2m+2s -e manager=cat -e bogus=cat
refused "duplicate role in -e: manager" -e manager=a -e manager=b
refused "invalid -e (expected role=command): manager" -e manager
refused "invalid -e (expected role=command): cat" -e manager=cat -e cat
refused "empty command for role manager" -e manager=
refused "empty command for role manager" -e 'manager=   '
refused 'invalid role name: "a b"' -e 'a b=cat'
refused "command contains a control character" -e "manager=$(printf 'a\nb')"
refused "command too long: 4097 bytes (limit 4096)" -e "manager=$(printf '%4097s' | tr ' ' x)"

test_case "invalid session name, group and idempotency key"
refused "invalid session name: \"a:b\"" -s a:b
refused "invalid session name: " -s ''
refused "invalid session name: \"$(printf '%65s' | tr ' ' s)\"" -s "$(printf '%65s' | tr ' ' s)"
refused 'invalid group name: "a b"' -g 'a b'
refused 'invalid idempotency key: "a:b"' -k a:b
refused 'invalid idempotency key: ""' -k ''
refused 'invalid idempotency key' -k "$(printf '%65s' | tr ' ' k)"
refused "duplicate session: keep" -s keep
refused "duplicate session: base" -s base -k fresh-key

test_case "define-agent-template: counts 0 and over 16, bad names"
assert_error_contains 'invalid count for role m: "0" (allowed: 1 to 16)' t define-agent-template t0 'm:0'
assert_error_contains 'invalid count for role m: "17" (allowed: 1 to 16)' t define-agent-template t0 'm:17'
assert_error_contains 'invalid count for role m: "-1" (allowed: 1 to 16)' t define-agent-template t0 'm:-1'
assert_error_contains 'invalid count for role m: "x"' t define-agent-template t0 'm:x'
assert_error_contains 'too many panes: 17 (limit 16)' t define-agent-template t0 'a:16' 'b:1'
assert_error_contains 'invalid template name: "a/b"' t define-agent-template 'a/b' 'm:1'
assert_error_contains "invalid template name: \"$(printf '%65s' | tr ' ' n)\"" t define-agent-template "$(printf '%65s' | tr ' ' n)" 'm:1'
assert_error_contains 'invalid role name: "a b"' t define-agent-template t0 'a b:1'
assert_error_contains 'duplicate pane label: a11' t define-agent-template t0 'a:11' 'a1:1'
assert_eq "$before" "$(snapshot)"

test_case "targets that name nothing"
assert_error_contains "can't find layout: L99" t list-agent-panes -t L99
assert_error_contains "can't find session: nosuch" t list-agent-panes -t nosuch
assert_error_contains "session 'keep' has no agent layout" t list-agent-panes -t keep
assert_error_contains "can't find managed pane: M99" t agent-pane-remove -t M99
assert_error_contains "can't find pane zz in layout L1" t agent-pane-remove -t base:zz
p=$(t display -p -t =keep: '#{pane_id}')
assert_error_contains "pane $p is not a managed agent pane" t agent-pane-remove -t "$p"
assert_error_contains "pane $p is not a managed agent pane" t agent-pane-recreate -t "$p"
assert_error_contains "can't find layout: L99" t kill-agent-layout -t L99
assert_eq "$before" "$(snapshot)"

test_case "a command starting with '-' is a command, not a flag of split-window"
t set -g @agent-settle-time 0.3
assert_ok t new-agent-layout -d -s dash -T 1m+2s -e 'manager=-I' -e 'specialist=cat'
wait_for "t lsap -t dash -F '#{agent_pane_label} #{agent_pane_state}' | grep -q '^m1 degraded'" 5
assert_eq "m1 degraded" "$(t lsap -t dash -F '#{agent_pane_label} #{agent_pane_state}' | head -1)"
assert_eq "alive" "$(t display -p alive)"
