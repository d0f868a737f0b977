# agent-wait (await): a key that exists answers at once; a missing key is
# waited for (the client blocks, the server does not) until another client
# shares it; -c waits for the next write; -i waits for a pane to go quiet;
# -T bounds the wait; the wait fails when the session is killed or leaves its
# group; #{agent_waiters} counts pending waits and drops when they end or
# their client is killed; 200 waiters wake together; bad -T values and other
# errors are refused at once.
. "$(dirname "$0")/lib.sh"

# "${TW[@]}" ARGS... &: our binary as a direct child, so that $! is the tmux
# client itself (a function run with & would be a subshell).
TW=("$TMUX_BIN" -S "$SOCK" -f /dev/null)
now() { date +%s.%N; }
elapsed() { awk -v s="$1" -v e="$(now)" 'BEGIN { printf "%.2f", e - s }'; }
# le A B: is A <= B (decimals)?
le() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a <= b) }'; }
waiters() { t display -p '#{agent_waiters}'; }

start_server
t set -g @agent-idle-threshold 0.5
new_detached w1 cat
new_detached w2 cat
new_detached lone cat
new_detached plain cat
t ajoin -t w1 team >/dev/null
t ajoin -t w2 team >/dev/null
t set-agent -t lone

test_case "a key that exists: printed at once"
t ashare -t w1 ready=yes >/dev/null
t0=$(now)
run t await -t w2 ready
assert_eq "0|yes|" "$RC|$OUT|$ERR"
assert_eq 0 "$(waiters)" "nothing left waiting"
run t agent-wait -t w1 ready
assert_eq "0|yes" "$RC|$OUT"
t ashare -t w1 -j 'cfg={"a": [1, 2]}' >/dev/null
run t await -t w2 cfg
assert_eq '0|{"a":[1,2]}' "$RC|$OUT" "a JSON value prints as agent-get shows it"
assert_eq "$(t agent-get -t w2 cfg)" "$OUT"
took=$(elapsed "$t0")
le "$took" 1.5
assert_eq 0 "$?" "answered at once (${took}s for three calls)"

test_case "a missing key: waits until another client shares it"
"${TW[@]}" await -t w2 later >"$TEST_DIR/later.out" 2>"$TEST_DIR/later.err" &
wpid=$!
wait_for "[ \"\$(waiters)\" = 1 ]" 5
assert_eq 1 "$(waiters)" "one waiter"
sleep 0.3
kill -0 "$wpid" 2>/dev/null
assert_eq 0 "$?" "still waiting"
# The server is not blocked meanwhile.
assert_eq "team" "$(t display -p -t =w1: '#{agent_group}')"
# Removing and writing other keys does not wake it.
t ashare -t w1 other=1 >/dev/null
t ashare -t w1 -u other >/dev/null
sleep 0.2
kill -0 "$wpid" 2>/dev/null
assert_eq 0 "$?" "other keys do not wake it"
t ashare -t w1 later=the-value >/dev/null
wait_for "! kill -0 $wpid" 5
wait "$wpid"
assert_eq 0 "$?" "waiter exits 0"
assert_eq "the-value" "$(cat "$TEST_DIR/later.out")"
assert_eq "" "$(cat "$TEST_DIR/later.err")"
assert_eq 0 "$(waiters)"

test_case "-c waits for the next write even if the key exists"
t ashare -t w1 ver=old >/dev/null
"${TW[@]}" await -c -t w2 ver >"$TEST_DIR/c.out" 2>&1 &
wpid=$!
wait_for "[ \"\$(waiters)\" = 1 ]" 5
sleep 0.2
kill -0 "$wpid" 2>/dev/null
assert_eq 0 "$?" "-c did not answer with the existing value"
t ashare -t w2 ver=new >/dev/null
wait_for "! kill -0 $wpid" 5
wait "$wpid"
assert_eq "0|new" "$?|$(cat "$TEST_DIR/c.out")"
# Writing the same value again is a write too.
"${TW[@]}" await -c -t w1 ver >"$TEST_DIR/c2.out" 2>&1 &
wpid=$!
wait_for "[ \"\$(waiters)\" = 1 ]" 5
t ashare -t w2 ver=new >/dev/null
wait_for "! kill -0 $wpid" 5
wait "$wpid"
assert_eq "0|new" "$?|$(cat "$TEST_DIR/c2.out")"

test_case "-V: a write after the version read first is never missed"
v=$(t agent-peers -J -t w1 | python3 -c 'import json,sys; print(json.load(sys.stdin)["version"])')
# The write lands before the waiting client connects: still seen.
t ashare -t w2 ver=after-read >/dev/null
run t await -V "$v" -t w1 ver
assert_eq "0|after-read|" "$RC|$OUT|$ERR" "a write since version $v answers at once"
v2=$(t agent-peers -J -t w1 | python3 -c 'import json,sys; print(json.load(sys.stdin)["version"])')
assert_eq 1 "$(( v2 > v ))" "the write made a later version ($v -> $v2)"
"${TW[@]}" await -V "$v2" -t w1 ver >"$TEST_DIR/v.out" 2>&1 &
wpid=$!
wait_for "[ \"\$(waiters)\" = 1 ]" 5
t ashare -t w1 unrelated=1 >/dev/null
sleep 0.2
kill -0 "$wpid" 2>/dev/null
assert_eq 0 "$?" "nothing written to the key since $v2: it waits"
t ashare -t w2 ver=next >/dev/null
wait_for "! kill -0 $wpid" 5
wait "$wpid"
assert_eq "0|next" "$?|$(cat "$TEST_DIR/v.out")"
v3=$(t agent-peers -J -t w1 | python3 -c 'import json,sys; print(json.load(sys.stdin)["version"])')
run t await -V $((v3 + 1)) -t w1 ver
assert_eq "1|agent-wait: version $((v3 + 1)) is ahead of group team's context (version $v3)" "$RC|$ERR"
run t await -V x -t w1 ver
assert_eq "1|invalid context version: x (a whole number, 0 or more)" "$RC|$ERR"
run t await -V 1 -c -t w1 ver
assert_eq "1|-V and -c can't be used together" "$RC|$ERR"
run t await -V 1 -i -t w1
assert_eq "1|-V goes only with a key" "$RC|$ERR"
assert_eq 0 "$(waiters)"

test_case "-T 0.5: times out with an error and a non-zero exit"
t0=$(now)
run t await -T 0.5 -t w1 never
took=$(elapsed "$t0")
assert_ne 0 "$RC" "non-zero exit on timeout"
assert_eq "agent-wait: timed out" "$ERR"
assert_eq "" "$OUT"
le 0.45 "$took" && le "$took" 3
assert_eq 0 "$?" "timed out after about 0.5 s (took ${took}s)"
assert_eq 0 "$(waiters)"
# A -T long enough does not get in the way.
"${TW[@]}" await -T 5 -t w1 soon >"$TEST_DIR/soon.out" 2>&1 &
wpid=$!
wait_for "[ \"\$(waiters)\" = 1 ]" 5
t ashare -t w2 soon=ok >/dev/null
wait "$wpid"
assert_eq "0|ok" "$?|$(cat "$TEST_DIR/soon.out")"

test_case "invalid -T values are refused at once"
for v in 0 0.0 -1 abc '' 1e10 inf nan 1s; do
	run t await -T "$v" -t w1 ready
	assert_eq "1|invalid timeout: $v (seconds, more than 0)|" "$RC|$ERR|$OUT" "-T '$v'"
done
assert_eq 0 "$(waiters)"
# Fractions are fine.
assert_ok t await -T 0.25 -t w1 ready
assert_eq yes "$OUT"

test_case "other errors"
assert_error_contains "no key given" t await -t w1
assert_error_contains "-i takes no key" t await -i -t w1 ready
assert_error_contains "-i takes no key" t await -i -c -t w1
assert_error_contains "can't find session: nosuch" t await -t nosuch k
assert_error_contains "no agent metadata" t await -t plain k
assert_error_contains "not in a coordination group" t await -t lone k
run t await -t w1 'bad key!'
assert_ne 0 "$RC" "an invalid key name is refused"
assert_ne "" "$ERR"
assert_error_contains "can't find pane" t await -i -t nosuch
assert_eq 0 "$(waiters)"

test_case "the wait fails at once when its session is killed"
new_detached doomed cat
t ajoin -t doomed team >/dev/null
"${TW[@]}" await -t doomed gone >"$TEST_DIR/doomed.out" 2>"$TEST_DIR/doomed.err" &
wpid=$!
wait_for "[ \"\$(waiters)\" = 1 ]" 5
t0=$(now)
t kill-session -t =doomed
wait_for "! kill -0 $wpid" 5
took=$(elapsed "$t0")
wait "$wpid"
rc=$?
assert_ne 0 "$rc" "non-zero exit"
assert_match '^agent-wait: ' "$(cat "$TEST_DIR/doomed.err")" "an agent-wait error"
le "$took" 1.5
assert_eq 0 "$?" "at once (${took}s)"
assert_eq 0 "$(waiters)"
assert_ok t has-session -t =w1
# Alone in its group: the group dissolves with it.
new_detached solo cat
t ajoin -t solo alone >/dev/null
"${TW[@]}" await -t solo k >/dev/null 2>"$TEST_DIR/solo.err" &
wpid=$!
wait_for "[ \"\$(waiters)\" = 1 ]" 5
t kill-session -t =solo
wait_for "! kill -0 $wpid" 5
wait "$wpid"
assert_ne 0 "$?"
assert_match '^agent-wait: ' "$(cat "$TEST_DIR/solo.err")"
assert_eq "" "$(t lsag -F '#{group_name}' | grep -x alone)"
assert_eq 0 "$(waiters)"

test_case "the wait fails when its session leaves the group"
"${TW[@]}" await -t w2 left >"$TEST_DIR/left.out" 2>"$TEST_DIR/left.err" &
wpid=$!
wait_for "[ \"\$(waiters)\" = 1 ]" 5
t aleave -t w2 >/dev/null
wait_for "! kill -0 $wpid" 5
wait "$wpid"
assert_ne 0 "$?" "non-zero exit"
assert_eq "agent-wait: session left group team" "$(cat "$TEST_DIR/left.err")"
assert_eq "" "$(cat "$TEST_DIR/left.out")"
assert_eq 0 "$(waiters)"
# Switching groups is leaving too; waiters of other sessions stay.
t ajoin -t w2 team >/dev/null
"${TW[@]}" await -t w1 stays >"$TEST_DIR/stays.out" 2>&1 &
wpid1=$!
"${TW[@]}" await -t w2 moves >/dev/null 2>"$TEST_DIR/moves.err" &
wpid2=$!
wait_for "[ \"\$(waiters)\" = 2 ]" 5
t ajoin -t w2 elsewhere >/dev/null
wait_for "! kill -0 $wpid2" 5
wait "$wpid2"
assert_ne 0 "$?"
assert_eq "agent-wait: session left group team" "$(cat "$TEST_DIR/moves.err")"
assert_eq 1 "$(waiters)" "w1's waiter is still there"
t ashare -t w1 stays=here >/dev/null
wait "$wpid1"
assert_eq "0|here" "$?|$(cat "$TEST_DIR/stays.out")"
t ajoin -t w2 team >/dev/null

test_case "#{agent_waiters} drops when a waiting client is killed"
"${TW[@]}" await -t w1 term >/dev/null 2>&1 &
p1=$!
"${TW[@]}" await -t w2 kill9 >/dev/null 2>&1 &
p2=$!
"${TW[@]}" await -t w2 stay >"$TEST_DIR/stay.out" 2>&1 &
p3=$!
wait_for "[ \"\$(waiters)\" = 3 ]" 5
assert_eq 3 "$(waiters)"
{ kill -TERM "$p1"; wait "$p1"; } 2>/dev/null
wait_for "[ \"\$(waiters)\" = 2 ]" 5
assert_eq 2 "$(waiters)" "after SIGTERM"
# (Its "Killed" job report is not a shell error: keep it out of the log.)
{ kill -KILL "$p2"; wait "$p2"; } 2>/dev/null
wait_for "[ \"\$(waiters)\" = 1 ]" 5
assert_eq 1 "$(waiters)" "after SIGKILL"
# Sharing the keys the dead clients waited for is harmless.
t ashare -t w1 term=1 >/dev/null
t ashare -t w1 kill9=1 >/dev/null
t ashare -t w1 stay=2 >/dev/null
wait "$p3"
assert_eq "0|2" "$?|$(cat "$TEST_DIR/stay.out")"
assert_eq 0 "$(waiters)"
assert_ok t has-session -t =w1

test_case "-i: returns only after the pane's output stops"
t new-session -d -s chat -x 80 -y 24 "sh -c 'for i in 1 2 3 4 5 6; do echo x; sleep 0.2; done; sleep 100'"
P=$(t display -p -t =chat: '#{pane_id}')
wait_for "[ \"\$(t display -p -t '$P' '#{agent_pane_status}')\" = busy ]" 5
t0=$(now)
run t await -i -t "$P"
took=$(elapsed "$t0")
assert_eq "0||" "$RC|$OUT|$ERR"
# All six lines were out before it returned, and the pane is idle.
assert_eq 6 "$(capture "$P" | grep -cx x)" "output had stopped when -i returned"
assert_eq idle "$(t display -p -t "$P" '#{agent_pane_status}')"
le 0.9 "$took" && le "$took" 5
assert_eq 0 "$?" "waited through the output and the threshold (${took}s)"
assert_eq 0 "$(waiters)"
# Idle already: at once. A session target means its active pane.
t0=$(now)
assert_ok t await -i -t =chat:
took=$(elapsed "$t0")
le "$took" 0.4
assert_eq 0 "$?" "an idle pane answers at once (${took}s)"

test_case "-i: ends when the pane's process exits, fails when the pane goes"
t new-session -d -s quit -x 80 -y 24 "sh -c 'while :; do echo y; sleep 0.1; done'"
QP=$(t display -p -t =quit: '#{pane_id}')
t set -t =quit: remain-on-exit on
wait_for "[ \"\$(t display -p -t '$QP' '#{agent_pane_status}')\" = busy ]" 5
"${TW[@]}" await -i -t "$QP" >"$TEST_DIR/quit.out" 2>&1 &
wpid=$!
wait_for "[ \"\$(waiters)\" = 1 ]" 5
kill "$(t display -p -t "$QP" '#{pane_pid}')"
wait_for "! kill -0 $wpid" 5
wait "$wpid"
assert_eq 0 "$?" "the pane's process exited: the wait is over"
assert_eq exited "$(t display -p -t "$QP" '#{agent_pane_status}')"
t respawn-pane -k -t "$QP" "sh -c 'while :; do echo y; sleep 0.1; done'"
wait_for "[ \"\$(t display -p -t '$QP' '#{agent_pane_status}')\" = busy ]" 5
"${TW[@]}" await -i -t "$QP" >/dev/null 2>"$TEST_DIR/gone.err" &
wpid=$!
wait_for "[ \"\$(waiters)\" = 1 ]" 5
t kill-pane -t "$QP"
wait_for "! kill -0 $wpid" 5
wait "$wpid"
assert_ne 0 "$?" "the pane went away: an error"
assert_eq "agent-wait: pane $QP is gone" "$(cat "$TEST_DIR/gone.err")"
assert_eq 0 "$(waiters)"

test_case "200 concurrent waiters all wake when the key is shared"
mkdir -p "$TEST_DIR/many"
pids=()
for i in $(seq 200); do
	"${TW[@]}" await -t w2 big >"$TEST_DIR/many/$i.out" 2>"$TEST_DIR/many/$i.err" &
	pids+=($!)
done
wait_for "[ \"\$(waiters)\" = 200 ]" 20
assert_eq 200 "$(waiters)" "all 200 waiting"
t ashare -t w1 big=wake-up >/dev/null
bad=0
for p in "${pids[@]}"; do wait "$p" || bad=$((bad + 1)); done
assert_eq 0 "$bad" "every waiter exits 0"
assert_eq "200 wake-up" "$(cat "$TEST_DIR"/many/*.out | sort | uniq -c | awk '{ print $1, $2 }')"
assert_eq "" "$(cat "$TEST_DIR"/many/*.err)"
assert_eq 0 "$(waiters)"
