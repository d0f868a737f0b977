# Limits and bad input: every one gives a clear error naming the thing, a
# non-zero exit, and changes nothing. Names and keys [A-Za-z0-9_.-]{1,64},
# agent types {1,32}, goals 1024 bytes, values 64 KiB, 1024 keys and 1 MiB per
# context, control characters, usage errors, unknown sessions, read-only
# clients.
. "$(dirname "$0")/lib.sh"

# snapshot: everything the agent commands can show about the server.
snapshot() { t lsa -J; t lsag -J; }

# refused TEXT CMD...: CMD fails with TEXT in stderr, prints nothing on
# stdout, and the agent state is unchanged.
refused() {
	local text=$1 before; shift
	before=$(snapshot)
	assert_error_contains "$text" "$@"
	assert_eq "" "$OUT" "no output from a failed: $*"
	assert_eq "$before" "$(snapshot)" "state unchanged after: $*"
}

# rep CHAR N: CHAR repeated N times.
rep() {
	if [[ $1 == [a-zA-Z0-9] ]]; then
		head -c "$2" /dev/zero | tr '\0' "$1"
	else
		local s; printf -v s '%*s' "$2" ''; printf '%s' "${s// /$1}"
	fi
}

NAMEMSG='(allowed: A-Z a-z 0-9 _ . -, 1 to 64 characters)'
TYPEMSG='(allowed: A-Z a-z 0-9 _ . -, 1 to 32 characters)'

new_detached a cat
new_detached b cat
new_detached plain cat
t ajoin -t a base >/dev/null
t ashare -t a seed=1 >/dev/null

test_case "group names: 64 characters ok, 65 refused"
g64=$(rep g 64)
assert_ok t ajoin -t b "$g64"
assert_eq "$g64" "$(t display -p -t =b: '#{agent_group}')"
t aleave -t b >/dev/null
refused "invalid group name: \"$(rep g 65)\" $NAMEMSG" t ajoin -t b "$(rep g 65)"
refused "invalid group name" t ajoin -t b -g "$(rep g 65)"
assert_ok t ajoin -t b 'A-Z_a.z-09'
t aleave -t b >/dev/null

test_case "group names: characters outside the set, empty"
new_detached nb cat
for bad in 'a b' 'a/b' 'a:b' 'x,y' 'ünï' '$1' 'tab	x'; do
	refused "invalid group name" t ajoin -t nb "$bad"
done
refused "invalid group name: \"\" $NAMEMSG" t ajoin -t nb -g ''
refused "invalid group name: \"\"" t ajoin -t nb ''
# A control character in a name is escaped in the message.
refused 'invalid group name: "a\u{1b}[2J"' t ajoin -t nb $'a\e[2J'
assert_eq "" "$(t display -p -t =nb: '#{agent_is_agent}')" "nb never became an agent"
# A member asking for a bad group stays where it was.
refused "invalid group name" t ajoin -t a 'x y'
assert_eq base "$(t display -p -t =a: '#{agent_group}')"

test_case "keys: 64 characters ok, 65 refused, bad characters"
k64=$(rep k 64)
assert_ok t ashare -t a "$k64=v"
assert_eq v "$(t agent-get -t a "$k64")"
refused "invalid key: \"$(rep k 65)\" $NAMEMSG" t ashare -t a "$(rep k 65)=v"
refused "invalid key" t ashare -t a -k "$(rep k 65)" -v v
refused "invalid key" t agent-get -t a "$(rep k 65)"
refused "invalid key: \"\"" t ashare -t a =v
refused 'invalid key: "a b"' t ashare -t a -k 'a b' -v v
refused 'invalid key: "a/b"' t ashare -t a 'a/b=v'
refused 'invalid key' t ashare -t a -u 'a b'

test_case "agent types: 1 to 32 characters"
assert_ok t set-agent -t a -G "$(rep t 32)"
assert_eq "$(rep t 32)" "$(t display -p -t =a: '#{agent_type}')"
refused "invalid agent type: \"$(rep t 33)\" $TYPEMSG" t set-agent -t a -G "$(rep t 33)"
refused "invalid agent type: \"\" $TYPEMSG" t set-agent -t a -G ''
refused 'invalid agent type: "a b"' t set-agent -t a -G 'a b'
refused "invalid agent type" t new-session -d -s nt -G "$(rep t 33)" cat
assert_fails t has-session -t nt
assert_ok t set-agent -t a -G claude

test_case "goals: control characters refused, tab and newline allowed, 1024 bytes"
for c in $'\a' $'\r' $'\e' $'\x7f' $'\u0085' $'\x01'; do
	refused "goal contains a control character" t set-agent -t a -o "x${c}y"
done
refused "goal contains a control character" t new-session -d -s ng -o $'x\ry' cat
assert_fails t has-session -t ng
assert_ok t set-agent -t a -o $'line 1\n\tline 2'
assert_eq $'line 1\n\tline 2' "$(t lsa -J | jq -r '.agents[] | select(.session_name == "a") | .goal')"
assert_ok t set-agent -t a -o "$(rep g 1024)"
refused "goal too long: 1025 bytes (limit 1024)" t set-agent -t a -o "$(rep g 1025)"
# Bytes, not characters: 512 two-byte characters fit, 513 do not.
assert_ok t set-agent -t a -o "$(rep é 512)"
refused "goal too long: 1026 bytes (limit 1024)" t set-agent -t a -o "$(rep é 513)"
assert_ok t set-agent -t a -o "goal"

test_case "values: control characters refused, tab and newline allowed"
for c in $'\a' $'\r' $'\e' $'\x7f' $'\u009b' $'\x01'; do
	refused "value contains a control character" t ashare -t a -k ctl -v "x${c}y"
done
refused "value contains a control character" t ashare -t a $'ctl=\e[31m'
refused "invalid UTF-8" t ashare -t a -k ctl -v $'ab\xffcd'
assert_error_contains "key not found: ctl" t agent-get -t a ctl
assert_ok t ashare -t a -k ctl -v $'tab\there\nnewline'
assert_eq $'tab\there\nnewline' "$(t agent-get -t a ctl)"

test_case "values: 64 KiB ok, 64 KiB + 1 refused"
# Too long for a command line (the client refuses >16 KiB: "command too
# long"), so passed through source-file.
rep v 65536 >"$TEST_DIR/v64k"
printf 'ashare -t a -k big -v "%s"\n' "$(cat "$TEST_DIR/v64k")" >"$TEST_DIR/ok.conf"
printf 'ashare -t a -k big2 -v "%sv"\n' "$(cat "$TEST_DIR/v64k")" >"$TEST_DIR/over.conf"
assert_ok t source-file "$TEST_DIR/ok.conf"
assert_eq 65536 "$(t agent-get -t a big | tr -d '\n' | wc -c)"
assert_eq "$(cat "$TEST_DIR/v64k")" "$(t agent-get -t a big)"
before=$(snapshot)
run t source-file "$TEST_DIR/over.conf"
assert_ne 0 "$RC"
assert_contains "value too long: 65537 bytes (limit 65536)" "$OUT$ERR"
assert_eq "$before" "$(snapshot)" "state unchanged after the refused value"
# JSON is measured in its compact form: a 65534-character string is 65536
# bytes with its quotes; 65535 characters are one too many.
printf 'ashare -j -t a -k js -v %s\n' "'\"$(rep j 65534)\"'" >"$TEST_DIR/js-ok.conf"
printf 'ashare -j -t a -k js2 -v %s\n' "'\"$(rep j 65535)\"   '" >"$TEST_DIR/js-over.conf"
assert_ok t source-file "$TEST_DIR/js-ok.conf"
assert_eq 65534 "$(t agent-get -J -t a js | jq -r '.value | length')"
run t source-file "$TEST_DIR/js-over.conf"
assert_contains "value too long: 65537 bytes (limit 65536)" "$OUT$ERR"
assert_error_contains "key not found: js2" t agent-get -t a js2
t ashare -t a -u big >/dev/null
t ashare -t a -u js >/dev/null

test_case "1024 keys ok, the 1025th refused"
t new-session -d -s full -x 80 -y 24 cat
t ajoin -t full fullgrp >/dev/null
# Four batches of 256 commands joined with \; (under the client's limit).
for batch in 0 1 2 3; do
	args=()
	for i in $(seq $((batch * 256 + 1)) $((batch * 256 + 256))); do
		[ ${#args[@]} -gt 0 ] && args+=(';')
		args+=(ashare -t full "k$i=$i")
	done
	t "${args[@]}" >/dev/null || echo "batch $batch failed" >&2
done
assert_eq 1024 "$(t lsag -F '#{group_context_keys}' -f '#{==:#{group_name},fullgrp}')"
assert_eq 1024 "$(t agent-get -t full k1024)"
refused "group context full: 1024 keys (limit 1024)" t ashare -t full k1025=x
refused "group context full" t ashare -t full -j -k k1025 -v 1
# Replacing a key of a full context is fine; removing one makes room.
assert_ok t ashare -t full k1=replaced
assert_eq replaced "$(t agent-get -t full k1)"
assert_ok t ashare -t full -u k2
assert_ok t ashare -t full k1025=now
assert_eq 1024 "$(t lsag -F '#{group_context_keys}' -f '#{==:#{group_name},fullgrp}')"
t kill-session -t full # keeps the snapshots of later cases small

test_case "1 MiB per group context"
t new-session -d -s bytes -x 80 -y 24 cat
t ajoin -t bytes bytegrp >/dev/null
# 16 keys of 3 + 65536 bytes: the 16th makes 1048624 bytes.
for i in $(seq 10 25); do
	printf 'ashare -t bytes -k b%s -v "%s"\n' "$i" "$(cat "$TEST_DIR/v64k")"
done >"$TEST_DIR/mib.conf"
run t source-file "$TEST_DIR/mib.conf"
assert_contains "group context too large: 1048624 bytes (limit 1048576 bytes)" "$OUT$ERR"
assert_eq "15 983085" "$(t lsag -F '#{group_context_keys} #{group_context_bytes}' -f '#{==:#{group_name},bytegrp}')"
assert_error_contains "key not found: b25" t agent-get -t bytes b25
# A small key still fits under the limit.
assert_ok t ashare -t bytes small=1
assert_eq "16 983091" "$(t lsag -F '#{group_context_keys} #{group_context_bytes}' -f '#{==:#{group_name},bytegrp}')"
t kill-session -t bytes

test_case "unknown target session"
refused "can't find session: nosuch" t ajoin -t nosuch g
refused "can't find session: nosuch" t aleave -t nosuch
refused "can't find session: nosuch" t ashare -t nosuch k=v
refused "can't find session: nosuch" t agent-get -t nosuch k
refused "can't find session: nosuch" t apeers -t nosuch
refused "can't find session: nosuch" t show-agent -t nosuch
refused "can't find session: nosuch" t set-agent -t nosuch -G x

test_case "usage errors"
refused "invalid key=value pair (no '='): novalue" t ashare -t a novalue
refused "give the group name once: -g group-name or group-name" t ajoin -t b -g one two
refused "no group name given" t ajoin -t b
refused "-k needs -v value" t ashare -t a -k k
refused "-v needs -k key" t ashare -t a -v v
refused "give key=value, -k key -v value, or -u key" t ashare -t a
refused "give key=value, -k key -v value, or -u key" t ashare -t a -k k -v v k=v
refused "give key=value, -k key -v value, or -u key" t ashare -t a -u seed k=v
refused "-u cannot be combined with -G or -o" t set-agent -t a -u -G x
refused "-u cannot be combined with -G or -o" t set-agent -t a -u -o x
refused "too many arguments" t ajoin -t b one two
refused "too few arguments" t agent-get -t a
refused "unknown flag -x" t lsa -x
refused "unknown flag -t" t lsag -t a
refused "session 'plain' has no agent metadata" t show-agent -t plain
refused "session 'plain' has no agent metadata" t ashare -t plain k=v
refused "session 'plain' has no agent metadata" t set-agent -t plain -u
t set-agent -t plain
refused "session 'plain' is not in a coordination group" t aleave -t plain
refused "session 'plain' is not in a coordination group" t ashare -t plain k=v
refused "session 'plain' is not in a coordination group" t agent-get -t plain seed
t set-agent -t plain -u

test_case "read-only client: mutating agent commands refused, listing allowed"
new_detached ro cat
t bind-key -n F5 ajoin rogrp
t bind-key -n F6 ashare -t a fromro=1
t bind-key -n F9 show-agent -t a
pty_start ro env TERM=screen "$TMUX_BIN" -S "$SOCK" attach -r -t =ro
wait_for "[ -n \"\$(t list-clients -t =ro)\" ] || [ -s '$TEST_DIR/ro.status' ]"
client=$(t list-clients -t =ro -F '#{client_name}')
assert_eq 1 "$(t display -p -c "$client" '#{client_readonly}')"
before=$(snapshot)
assert_ok t send-keys -K -c "$client" F5
wait_for "grep -q 'Client is read-only' '$TEST_DIR/ro.out'" 5
assert_contains "Client is read-only" "$(pty_output ro)" "refusal shown to the client"
assert_ok t send-keys -K -c "$client" F6
sleep 0.2
assert_eq "|" "$(t display -p -t =ro: '#{agent_is_agent}|#{agent_group}')"
assert_error_contains "key not found: fromro" t agent-get -t a fromro
assert_eq "$before" "$(snapshot)" "nothing changed by the read-only client"
# A read-only command (show-agent) may run from a read-only client.
assert_ok t send-keys -K -c "$client" F9
wait_for "grep -q 'Agent Type: claude' '$TEST_DIR/ro.out'" 5
assert_contains "Agent Type: claude" "$(pty_output ro)"
# The same binding works once the client is read-write.
t copy-mode -q -t =ro:
assert_eq 0 "$(t display -p -t =ro: '#{pane_in_mode}')"
assert_ok t switch-client -c "$client" -r -t =ro
assert_eq 0 "$(t display -p -c "$client" '#{client_readonly}')"
assert_ok t send-keys -K -c "$client" F5
wait_for "[ \"\$(t display -p -t =ro: '#{agent_group}')\" = rogrp ]" 5
assert_eq rogrp "$(t display -p -t =ro: '#{agent_group}')"
t detach-client -t "$client"
assert_eq 0 "$(pty_wait ro)"
