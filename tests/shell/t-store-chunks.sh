# agent-restore from a client that can wait makes its sessions in chunks,
# with the event loop (hooks, other clients) running in between; the result
# is the same as in one go; a restore whose client goes away leaves the rest
# for the next agent-restore, and nothing is lost; a second agent-restore
# meanwhile is refused.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/store-lib.sh"

# make_many N: N agent sessions s1..sN in group crowd, each with a message,
# a context key per 10 sessions; one command client per 40 sessions (a
# client's command line has a size limit).
make_many() {
	local n=$1 i args=()
	for i in $(seq 1 "$n"); do
		args+=(new-session -d -s "s$i" -G custom \; agent-join-group -t "=s$i" crowd \;)
		args+=(agent-send -t "=s$i" "hello s$i" \;)
		[ $((i % 10)) -eq 0 ] && args+=(agent-share -t "=s$i" "k$i=v$i" \;)
		if [ $((i % 40)) -eq 0 ] || [ "$i" -eq "$n" ]; then
			t "${args[@]}" >/dev/null || return
			args=()
		fi
	done
}

test_case "a large restore runs in chunks: hooks run between them, the result is the same"
start_server
make_many 200
before=$(listings)
stop_server
start_server
# session-created hooks go to the global queue, which runs between passes
# of the event loop: in one go every hook would see all 200 sessions.
# Making 200 sessions takes well over one pass's 20 ms on any machine.
t set-hook -g session-created 'set -gaF @counts "#{server_sessions} "'
run t agent-restore
assert_eq 0 "$RC" "agent-restore succeeds: $ERR"
assert_eq 200 "$(grep -c '^restored session s' <<<"$OUT")" "200 sessions made"
assert_contains "restored group crowd" "$OUT"
assert_eq "$before" "$(listings)" "every listing is back byte for byte"
counts=$(t show -gv @counts)
assert_eq 200 "$(wc -w <<<"$counts" | tr -d ' ')" "one hook per session"
first=$(awk '{ print $1 }' <<<"$counts")
assert_eq 200 "$(awk '{ print $NF }' <<<"$counts")"
[ "$first" -lt 200 ]
assert_eq 0 "$?" "the first hooks ran before the last chunk was made (they saw $first sessions)"
# Never fewer sessions than a hook before it saw: chunks in order.
assert_eq "$(tr ' ' '\n' <<<"$counts" | grep . | sort -n | tr '\n' ' ')" "$counts"
stop_server

test_case "from the global queue (@agent-restore-on-start) it runs in one go, the same"
start_server
make_many 40
before=$(listings)
stop_server
printf 'set -g @agent-restore-on-start on\nset -g exit-empty off\n' >"$TEST_DIR/auto.conf"
"$TMUX_BIN" -S "$SOCK" -f "$TEST_DIR/auto.conf" start-server
wait_for "[ \"\$(t list-agent-groups -F '#{group_name}' 2>/dev/null)\" = crowd ]"
assert_eq "$before" "$(listings)" "restored by itself, byte for byte"
stop_server

test_case "the restoring client goes away: the rest waits for agent-restore again"
start_server
make_many 400
before=$(listings)
stop_server
start_server
# Kill the restoring client from the first chunk's hooks (once: mkdir).
cat >"$TEST_DIR/killer.sh" <<EOF
mkdir "$TEST_DIR/killed" 2>/dev/null && kill -9 \$(cat "$TEST_DIR/pid")
EOF
t set-hook -g session-created "run-shell -b 'sh $TEST_DIR/killer.sh'"
# Not through t(): $! must be the client itself.
"$TMUX_BIN" -S "$SOCK" -f /dev/null agent-restore >/dev/null 2>&1 &
echo $! >"$TEST_DIR/pid"
{ wait "$(cat "$TEST_DIR/pid")"; } 2>/dev/null
assert_eq 137 "$?" "the client was killed"
t set-hook -gu session-created
# The server sees the client gone at its next chunk.
wait_for "t agent-restore -n >/dev/null 2>&1"
made=$(t list-sessions -F '#{session_name}' | grep -c '^s')
assert_ok t display -p alive
run t agent-restore
assert_eq 0 "$RC" "agent-restore again succeeds: $ERR"
assert_contains "restored group crowd" "$OUT"
assert_contains "restored session s400" "$OUT" "the first restore stopped early (it made $made)"
assert_contains "attached agent state to session s1" "$OUT" "what the first made gets its state"
assert_eq "$before" "$(listings)" "nothing lost, nothing twice"
assert_eq 400 "$(t list-sessions -F '#{session_name}' | grep -c '^s')"
stop_server

test_case "a second agent-restore while one runs is refused and changes nothing"
start_server
make_many 300
stop_server
start_server
# From the first chunk's hooks, while the first restore is held (once).
cat >"$TEST_DIR/second.sh" <<EOF
mkdir "$TEST_DIR/second" 2>/dev/null || exit 0
"$TMUX_BIN" -S "$SOCK" agent-restore >"$TEST_DIR/second.out" 2>&1
echo \$? >"$TEST_DIR/second.rc"
EOF
t set-hook -g session-created "run-shell -b 'sh $TEST_DIR/second.sh'"
run t agent-restore
assert_eq 0 "$RC" "the first restore succeeds: $ERR"
wait_for "[ -s '$TEST_DIR/second.rc' ]"
assert_eq 1 "$(cat "$TEST_DIR/second.rc")" "the second fails"
assert_match "agent-restore: a restore is in progress \([0-9]+ of 300 sessions made\)" "$(cat "$TEST_DIR/second.out")"
assert_eq 300 "$(t list-sessions -F '#{session_name}' | grep -c '^s')" "made once"
stop_server
