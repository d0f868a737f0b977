# Agent messages: agent-send (asend) to one session or to every other member
# of a group (sender from -s, $TMUX_PANE or the attached client; shown by
# name), agent-inbox (ainbox) oldest first with -n, -c, -F and -J, two
# concurrent consuming readers never sharing a message, the bounded inbox
# (@agent-inbox-limit: oldest dropped and counted everywhere, counters
# balanced), agent-wait -m (already there, arriving later, distinct messages
# for -c consumers, -T, surviving aleave, failing on kill-session and
# set-agent -u), %agent-message for control clients, the agent-message hook,
# death and renaming of receiver and sender, and every error with the state
# left unchanged.
. "$(dirname "$0")/lib.sh"

# "${TW[@]}" ARGS... &: our binary as a direct child, so that $! is the tmux
# client itself (a function run with & would be a subshell).
TW=("$TMUX_BIN" -S "$SOCK" -f /dev/null)
waiters() { t display -p '#{agent_waiters}'; }
# sid NAME: the session id of NAME.
sid() { t display -p -t "=$1:" '#{session_id}'; }
# counts NAME: "unread delivered consumed dropped limit" from ainbox -J.
counts() { t ainbox -J -t "=$1:" | jq -r '"\(.unread) \(.delivered) \(.consumed) \(.dropped) \(.limit)"'; }
# texts NAME: the unread messages' texts, one a line (not consumed).
texts() { t ainbox -t "=$1:" -F '#{message_text}'; }
# seqs NAME: the unread messages' sequence numbers on one line.
seqs() { t ainbox -t "=$1:" -F '#{message_seq}' | paste -sd' '; }
# balanced NAME: delivered == consumed + dropped + unread?
balanced() {
	t ainbox -J -t "=$1:" | jq -e '.delivered == .consumed + .dropped + .unread' >/dev/null
}
# agent NAME: a detached session running cat, made an agent.
agent() { new_detached "$1" cat && t set-agent -t "=$1:"; }

start_server
for s in alpha bravo charlie; do agent "$s"; done
new_detached plain cat
for s in alpha bravo charlie; do t ajoin -t "=$s:" crew >/dev/null; done
A=$(sid alpha) B=$(sid bravo) C=$(sid charlie) P=$(sid plain)

test_case "direct send: one inbox, numbered from 1, sender '-' from outside tmux"
run t asend -t bravo hello
assert_eq "0|delivered to 1 inbox|" "$RC|$OUT|$ERR"
run t agent-send -s alpha -t bravo "from alpha"
assert_eq "0|delivered to 1 inbox" "$RC|$OUT"
now=$(date +%s)
run t ainbox -t bravo
assert_eq 0 "$RC"
assert_eq 2 "$(grep -c . <<<"$OUT")" "two lines"
assert_match '^1 - [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}: hello$' "$(sed -n 1p <<<"$OUT")"
assert_match '^2 alpha [0-9-]{10} [0-9:]{8}: from alpha$' "$(sed -n 2p <<<"$OUT")"
time1=$(t ainbox -t bravo -n 1 -F '#{message_time}')
assert_match '^[0-9]+$' "$time1"
assert_eq 1 "$(( time1 <= now && time1 >= now - 10 ))" "delivery time $time1 is now ($now)"
# The default line shows the delivery time in local time.
assert_eq "1 - $(date -d "@$time1" '+%Y-%m-%d %H:%M:%S'): hello" "$(sed -n 1p <<<"$OUT")"
run t ainbox -t bravo -F '#{message_seq}|#{message_from}|#{message_from_id}|#{message_text}|#{session_name}|#{session_id}'
assert_eq "1|-|-|hello|bravo|$B
2|alpha|$A|from alpha|bravo|$B" "$OUT" "-F formats, with the session's own formats"
run t ainbox -J -t bravo
assert_eq 0 "$RC"
assert_eq "$B|bravo|2|2|0|0|1000" "$(jq -r '"\(.session_id)|\(.session_name)|\(.unread)|\(.delivered)|\(.consumed)|\(.dropped)|\(.limit)"' <<<"$OUT")"
assert_eq '[{"seq":1,"from":null,"from_id":null,"text":"hello"},{"seq":2,"from":"alpha","from_id":"'"$A"'","text":"from alpha"}]' \
    "$(jq -c '[.messages[] | {seq, from, from_id, text}]' <<<"$OUT")" "-J messages"
assert_eq "$time1" "$(jq -r '.messages[0].time' <<<"$OUT")"
# Reading without -c consumes nothing; the sender's own inbox is untouched.
assert_eq "1 2" "$(seqs bravo)"
assert_eq "2 2 0 0 1000" "$(counts bravo)"
assert_eq "0 0 0 0 1000" "$(counts alpha)"
assert_eq "2 0" "$(t display -p -t =bravo: '#{agent_unread} #{agent_dropped}')"
assert_eq "Inbox: 2 unread, 0 dropped" "$(t show-agent -t bravo | grep '^Inbox:')"

test_case "the sender: \$TMUX_PANE's session, or the attached client's"
PA=$(t display -p -t =alpha: '#{pane_id}')
run env TMUX="$SOCK,1,0" TMUX_PANE="$PA" "$TMUX_BIN" -S "$SOCK" -f /dev/null asend -t charlie "from a pane of alpha"
assert_eq "0|delivered to 1 inbox" "$RC|$OUT"
assert_eq "alpha|$A|from a pane of alpha" "$(t ainbox -t charlie -F '#{message_from}|#{message_from_id}|#{message_text}')"
# -s wins over the environment.
run env TMUX="$SOCK,1,0" TMUX_PANE="$PA" "$TMUX_BIN" -S "$SOCK" -f /dev/null asend -s plain -t charlie "said plain"
assert_eq "plain|$P|said plain" "$(t ainbox -t charlie -F '#{message_from}|#{message_from_id}|#{message_text}' | tail -n 1)" \
    "-s names the sender (an agent or not)"
# A control client attached to bravo sends as bravo.
mkfifo "$TEST_DIR/att.in"
"${TW[@]}" -C attach -t =bravo: <"$TEST_DIR/att.in" >"$TEST_DIR/att.out" 2>&1 &
att_pid=$!
exec {ATT}>"$TEST_DIR/att.in"
echo "asend -t charlie from-attached" >&"$ATT"
echo "display -p done-att" >&"$ATT"
wait_for "grep -qx done-att '$TEST_DIR/att.out'" 5
assert_contains "delivered to 1 inbox" "$(cat "$TEST_DIR/att.out")"
assert_eq "bravo|from-attached" "$(t ainbox -t charlie -F '#{message_from}|#{message_text}' | tail -n 1)"
exec {ATT}>&-
wait_for "! kill -0 $att_pid" 5
t ainbox -c -t charlie >/dev/null

test_case "group send: every member but the sender"
before_a=$(counts alpha) before_b=$(counts bravo)
run t asend -s alpha -g crew "to the crew"
assert_eq "0|delivered to 2 inboxes|" "$RC|$OUT|$ERR"
assert_eq "$before_a" "$(counts alpha)" "the sender gets nothing"
assert_eq "alpha|to the crew" "$(t ainbox -t bravo -F '#{message_from}|#{message_text}' | tail -n 1)"
assert_eq "alpha|to the crew" "$(t ainbox -t charlie -F '#{message_from}|#{message_text}' | tail -n 1)"
# The sender from the environment is excluded too.
run env TMUX="$SOCK,1,0" TMUX_PANE="$PA" "$TMUX_BIN" -S "$SOCK" -f /dev/null asend -g crew "env group"
assert_eq "0|delivered to 2 inboxes" "$RC|$OUT"
assert_eq "$before_a" "$(counts alpha)"
# No sender (outside tmux): every member, alpha too.
run t asend -g crew "to everyone"
assert_eq "0|delivered to 3 inboxes" "$RC|$OUT"
assert_eq "-|to everyone" "$(t ainbox -t alpha -F '#{message_from}|#{message_text}')"
# A sender outside the group: every member.
run t asend -s plain -g crew "from outside"
assert_eq "0|delivered to 3 inboxes" "$RC|$OUT"
for s in alpha bravo charlie; do
	assert_eq "plain|from outside" "$(t ainbox -t "$s" -F '#{message_from}|#{message_text}' | tail -n 1)" "$s got it"
done
# (alpha: 2 group sends; bravo: 2 before + 4; charlie: 3 before + 4.)
assert_eq "2 6 7" "$(t ainbox -J -t alpha | jq -r .delivered) $(t ainbox -J -t bravo | jq -r .delivered) $(t ainbox -J -t charlie | jq -r .delivered)" \
    "each receiver numbers in its own inbox"
assert_eq "2 6 7" "$(t ainbox -t alpha -n 1000 -F '#{message_seq}' | tail -n 1) $(t ainbox -t bravo -F '#{message_seq}' | tail -n 1) $(t ainbox -t charlie -F '#{message_seq}' | tail -n 1)"
for s in alpha bravo charlie; do t ainbox -c -t "$s" >/dev/null; done

test_case "a group of one: sending to it from its member is an error, from outside it works"
agent solo1
t ajoin -t solo1 solo >/dev/null
assert_error_contains "group solo has no other member to send to" t asend -s solo1 -g solo x
assert_eq "0 0 0 0 1000" "$(counts solo1)"
run t asend -g solo "from nowhere"
assert_eq "0|delivered to 1 inbox" "$RC|$OUT"
assert_eq "from nowhere" "$(texts solo1)"

test_case "order, -n, escaping, and -c consuming exactly what was printed"
agent q
for i in 1 2 3 4 5; do t asend -s alpha -t q "m$i" >/dev/null; done
t asend -t q "$(printf 'two\nlines\tand a \\ backslash')" >/dev/null
t asend -t q "héllo ✓ ünïcode" >/dev/null
assert_eq "1 2 3 4 5 6 7" "$(seqs q)"
run t ainbox -t q -n 2 -F '#{message_seq}:#{message_text}'
assert_eq "1:m1
2:m2" "$OUT" "-n 2: the two oldest"
run t ainbox -t q
assert_match '^6 - [0-9-]{10} [0-9:]{8}: two\\nlines\\tand a \\\\ backslash$' "$(sed -n 6p <<<"$OUT")" "escaped on one line"
assert_match ': héllo ✓ ünïcode$' "$(sed -n 7p <<<"$OUT")"
assert_eq "$(printf 'two\nlines\tand a \\ backslash')" "$(t ainbox -J -t q | jq -r '.messages[5].text')" "raw in JSON"
# -c -n 2 consumes the two oldest and prints them.
run t ainbox -c -n 2 -t q -F '#{message_seq}'
assert_eq "1
2" "$OUT"
assert_eq "3 4 5 6 7" "$(seqs q)"
assert_eq "5 7 2 0 1000" "$(counts q)"
# -c -J: the consumed messages, with the counts after consuming them.
run t ainbox -c -J -n 1 -t q
assert_eq '3|m3|4|7|3|0' "$(jq -r '"\([.messages[].seq] | join(","))|\(.messages[0].text)|\(.unread)|\(.delivered)|\(.consumed)|\(.dropped)"' <<<"$OUT")"
# -c with no -n: all the rest.
run t ainbox -c -t q
assert_eq 4 "$(grep -c . <<<"$OUT")"
assert_match '^4 alpha ' "$(head -n 1 <<<"$OUT")"
assert_eq "0 7 7 0 1000" "$(counts q)"
assert_eq "0 0" "$(t display -p -t =q: '#{agent_unread} #{agent_dropped}')"
# Empty: nothing printed, not an error; numbering goes on.
run t ainbox -c -t q
assert_eq "0||" "$RC|$OUT|$ERR"
t asend -t q next >/dev/null
assert_eq "8" "$(seqs q)"
balanced q
assert_eq 0 "$?" "delivered = consumed + dropped + unread"

test_case "two concurrent readers (-c -n 1 -J) consume 200 messages, none twice"
agent rd
for i in $(seq 200); do echo "asend -s =alpha: -t =rd: \"msg $i\""; done >"$TEST_DIR/200.conf"
t source-file "$TEST_DIR/200.conf" >/dev/null
assert_eq "200 200 0 0 1000" "$(counts rd)"
# reader NAME ARGS...: consume until the inbox is empty, appending each
# answer to NAME.log; starts when the file "go" exists.
reader() {
	local name=$1 out; shift
	while [ ! -e "$TEST_DIR/go" ]; do sleep 0.01; done
	while :; do
		out=$("$TMUX_BIN" -S "$SOCK" -f /dev/null ainbox -c -t =rd: "$@") || { echo FAILED >>"$TEST_DIR/$name.log"; return; }
		[ -n "$out" ] || return 0
		[[ $out == *'"messages":[]'* ]] && return 0
		printf '%s\n' "$out" >>"$TEST_DIR/$name.log"
	done
}
rm -f "$TEST_DIR/go"
reader r1 -n 1 -J & p1=$!
reader r2 -n 1 -J & p2=$!
touch "$TEST_DIR/go"
wait "$p1" "$p2"
assert_eq 0 "$(cat "$TEST_DIR"/r[12].log | grep -c FAILED)" "no reader failed"
jq -r '.messages[].seq' "$TEST_DIR/r1.log" >"$TEST_DIR/r1.seq"
jq -r '.messages[].seq' "$TEST_DIR/r2.log" >"$TEST_DIR/r2.seq"
n1=$(grep -c . "$TEST_DIR/r1.seq") n2=$(grep -c . "$TEST_DIR/r2.seq")
assert_eq 200 "$((n1 + n2))" "200 messages read in all ($n1 + $n2)"
assert_eq "" "$(sort -n "$TEST_DIR"/r[12].seq | uniq -d | paste -sd' ')" "no message read twice"
assert_eq "$(seq 200)" "$(sort -n "$TEST_DIR"/r[12].seq)" "every message read"
assert_eq 1 "$(( n1 > 0 && n2 > 0 ))" "both readers took part ($n1, $n2)"
# Each reader saw increasing numbers, and each message's text matches it.
assert_eq "$(sort -n "$TEST_DIR/r1.seq")" "$(cat "$TEST_DIR/r1.seq")" "reader 1 in order"
assert_eq "$(sort -n "$TEST_DIR/r2.seq")" "$(cat "$TEST_DIR/r2.seq")" "reader 2 in order"
assert_eq 0 "$(jq -r '.messages[] | select(.text != "msg \(.seq)") | .seq' "$TEST_DIR"/r[12].log | grep -c .)"
assert_eq "0 200 200 0 1000" "$(counts rd)"
# Again with -n 5 against -n 1, in the text formats.
t source-file "$TEST_DIR/200.conf" >/dev/null
rm -f "$TEST_DIR/go" "$TEST_DIR"/r[34].log
reader r3 -n 5 -F '#{message_seq}' & p1=$!
reader r4 -n 1 & p2=$!
touch "$TEST_DIR/go"
wait "$p1" "$p2"
{ cat "$TEST_DIR/r3.log"; awk '{ print $1 }' "$TEST_DIR/r4.log"; } | sort -n >"$TEST_DIR/r34.seq"
assert_eq "$(seq 201 400)" "$(cat "$TEST_DIR/r34.seq")" "messages 201 to 400 read exactly once"
assert_eq "0 400 400 0 1000" "$(counts rd)"

test_case "a full inbox drops its oldest message and counts it"
agent lim
t set -t =lim: @agent-inbox-limit 3
for i in 1 2 3; do
	run t asend -t lim "n$i"
	assert_eq "delivered to 1 inbox" "$OUT" "n$i fits"
done
run t asend -t lim n4
assert_eq "0|delivered to 1 inbox (1 older message dropped: inbox full)" "$RC|$OUT"
run t asend -s alpha -t lim n5
assert_eq "delivered to 1 inbox (1 older message dropped: inbox full)" "$OUT"
assert_eq "3 4 5" "$(seqs lim)" "the oldest went"
run t ainbox -t lim
assert_eq "(2 unread messages dropped: inbox full, limit 3)" "$(head -n 1 <<<"$OUT")"
assert_eq "3 4 5" "$(tail -n +2 <<<"$OUT" | awk '{ print $1 }' | paste -sd' ')"
assert_eq "3 5 0 2 3" "$(counts lim)"
assert_eq "n3
n4
n5" "$(texts lim)" "-F prints no dropped line"
assert_eq "3 2" "$(t display -p -t =lim: '#{agent_unread} #{agent_dropped}')"
assert_eq "Inbox: 3 unread, 2 dropped" "$(t show-agent -t lim | grep '^Inbox:')"
assert_eq "3 2" "$(t lsa -J | jq -r '.agents[] | select(.session_name == "lim") | "\(.unread) \(.dropped)"')"
balanced lim
assert_eq 0 "$?" "balanced after drops"
# Consuming one, then lowering the limit: the next delivery drops down to it.
t ainbox -c -n 1 -t lim >/dev/null
t set -t =lim: @agent-inbox-limit 1
run t asend -t lim n6
assert_eq "delivered to 1 inbox (2 older messages dropped: inbox full)" "$OUT"
assert_eq "6" "$(seqs lim)"
assert_eq "1 6 1 4 1" "$(counts lim)"
balanced lim
assert_eq 0 "$?" "6 = 1 consumed + 4 dropped + 1 unread"
# The dropped line stays after everything is read.
t ainbox -c -t lim >/dev/null
assert_eq "(4 unread messages dropped: inbox full, limit 1)" "$(t ainbox -t lim)"
assert_eq "0 4" "$(t display -p -t =lim: '#{agent_unread} #{agent_dropped}')"
# One dropped: singular.
agent one
t set -t =one: @agent-inbox-limit 1
t asend -t one a >/dev/null
t asend -t one b >/dev/null
assert_eq "(1 unread message dropped: inbox full, limit 1)" "$(t ainbox -t one | head -n 1)"

test_case "@agent-inbox-limit: global, session overrides, invalid values mean 1000"
agent gl
t set -g @agent-inbox-limit 2
assert_eq 2 "$(t ainbox -J -t gl | jq .limit)" "the global limit"
assert_eq 1 "$(t ainbox -J -t one | jq .limit)" "a session's own limit wins"
for i in 1 2 3; do t asend -t gl "g$i" >/dev/null; done
assert_eq "2 3 0 1 2" "$(counts gl)"
for v in 0 abc -5 100001; do
	t set -g @agent-inbox-limit "$v"
	assert_eq 1000 "$(t ainbox -J -t gl | jq .limit)" "limit '$v' means the default"
done
t set -g @agent-inbox-limit 100000
assert_eq 100000 "$(t ainbox -J -t gl | jq .limit)"
t set -gu @agent-inbox-limit
assert_eq 1000 "$(t ainbox -J -t gl | jq .limit)"

test_case "group send into full inboxes: the drops of all receivers counted"
agent f1
agent f2
for s in f1 f2; do t set -t "=$s:" @agent-inbox-limit 1; t ajoin -t "=$s:" full >/dev/null; done
run t asend -g full first
assert_eq "delivered to 2 inboxes" "$OUT"
run t asend -g full second
assert_eq "0|delivered to 2 inboxes (2 older messages dropped: inbox full)" "$RC|$OUT"
assert_eq "second|second" "$(texts f1)|$(texts f2)"
assert_eq "1 2 0 1 1|1 2 0 1 1" "$(counts f1)|$(counts f2)"

test_case "agent-wait -m: a message already there, printed raw, consumed only with -c"
agent w
t asend -t w "$(printf 'first\nof two lines')" >/dev/null
t asend -t w second >/dev/null
run t await -m -t w
assert_eq "0|$(printf 'first\nof two lines')|" "$RC|$OUT|$ERR"
assert_eq "2 2 0 0 1000" "$(counts w)" "not consumed"
run t agent-wait -m -c -t w
assert_eq "0|$(printf 'first\nof two lines')" "$RC|$OUT"
assert_eq "1 2 1 0 1000" "$(counts w)" "consumed"
run t await -m -c -t w
assert_eq "0|second" "$RC|$OUT"
assert_eq "0 2 2 0 1000" "$(counts w)"
assert_eq 0 "$(waiters)"

test_case "agent-wait -m: waits until a message arrives (server not blocked)"
"${TW[@]}" await -m -t w >"$TEST_DIR/w1.out" 2>"$TEST_DIR/w1.err" &
wpid=$!
wait_for "[ \"\$(waiters)\" = 1 ]" 5
assert_eq 1 "$(waiters)"
sleep 0.3
kill -0 "$wpid" 2>/dev/null
assert_eq 0 "$?" "still waiting"
# Other inboxes do not wake it; the server answers.
t asend -t alpha "not for w" >/dev/null
assert_eq "ok" "$(timeout 5 "$TMUX_BIN" -S "$SOCK" -f /dev/null display -p ok)"
sleep 0.2
kill -0 "$wpid" 2>/dev/null
assert_eq 0 "$?" "a message to another session does not wake it"
t asend -s bravo -t w arrived >/dev/null
wait_for "! kill -0 $wpid" 5
wait "$wpid"
assert_eq "0|arrived|" "$?|$(cat "$TEST_DIR/w1.out")|$(cat "$TEST_DIR/w1.err")"
assert_eq "1 3 2 0 1000" "$(counts w)" "not consumed"
assert_eq 0 "$(waiters)"
t ainbox -c -t w >/dev/null

test_case "agent-wait -m -c: each consuming waiter gets a different message"
pids=()
for i in 1 2 3 4; do
	"${TW[@]}" await -m -c -t w >"$TEST_DIR/c$i.out" 2>"$TEST_DIR/c$i.err" &
	pids+=($!)
done
wait_for "[ \"\$(waiters)\" = 4 ]" 5
assert_eq 4 "$(waiters)"
# One message wakes exactly one of them.
t asend -t w x1 >/dev/null
wait_for "[ \"\$(waiters)\" = 3 ]" 5
sleep 0.2
assert_eq 3 "$(waiters)" "one woke for one message"
assert_eq "0 4 4 0 1000" "$(counts w)" "and consumed it"
# Three at once (one command queue).
printf 'asend -t =w: x2\nasend -t =w: x3\nasend -t =w: x4\n' >"$TEST_DIR/three.conf"
t source-file "$TEST_DIR/three.conf" >/dev/null
bad=0
for p in "${pids[@]}"; do wait "$p" || bad=$((bad + 1)); done
assert_eq 0 "$bad" "all exit 0"
assert_eq "x1 x2 x3 x4" "$(cat "$TEST_DIR"/c[1-4].out | sort | paste -sd' ')" "four distinct messages"
assert_eq "" "$(cat "$TEST_DIR"/c[1-4].err)"
assert_eq "0 7 7 0 1000" "$(counts w)"
assert_eq 0 "$(waiters)"

test_case "agent-wait -m -c: 50 consumers, 50 messages in one burst, each once"
mkdir -p "$TEST_DIR/many"
pids=()
for i in $(seq 50); do
	"${TW[@]}" await -m -c -t w >"$TEST_DIR/many/$i.out" 2>"$TEST_DIR/many/$i.err" &
	pids+=($!)
done
wait_for "[ \"\$(waiters)\" = 50 ]" 20
assert_eq 50 "$(waiters)"
for i in $(seq 50); do echo "asend -t =w: burst-$i"; done >"$TEST_DIR/burst.conf"
t source-file "$TEST_DIR/burst.conf" >/dev/null
bad=0
for p in "${pids[@]}"; do wait "$p" || bad=$((bad + 1)); done
assert_eq 0 "$bad" "all exit 0"
assert_eq "$(seq 50 | sed 's/^/burst-/' | sort)" "$(cat "$TEST_DIR"/many/*.out | sort)" "each message exactly once"
assert_eq "" "$(cat "$TEST_DIR"/many/*.err)"
assert_eq "0 57 57 0 1000" "$(counts w)"
assert_eq 0 "$(waiters)"

test_case "agent-wait -m -c: a killed waiter consumes nothing"
"${TW[@]}" await -m -c -t w >/dev/null 2>&1 &
kp=$!
wait_for "[ \"\$(waiters)\" = 1 ]" 5
{ kill -KILL "$kp"; wait "$kp"; } 2>/dev/null
wait_for "[ \"\$(waiters)\" = 0 ]" 5
assert_eq 0 "$(waiters)" "the waiter is gone"
t asend -t w kept >/dev/null
assert_eq "kept" "$(texts w)" "the message stays unread"
assert_eq "1 58 57 0 1000" "$(counts w)"
t ainbox -c -t w >/dev/null

test_case "agent-wait -m: waiters served oldest first (a reader, then a consumer)"
"${TW[@]}" await -m -t w >"$TEST_DIR/look.out" 2>&1 &
lp=$!
wait_for "[ \"\$(waiters)\" = 1 ]" 5
"${TW[@]}" await -m -c -t w >"$TEST_DIR/take.out" 2>&1 &
tp_=$!
wait_for "[ \"\$(waiters)\" = 2 ]" 5
t asend -t w shared >/dev/null
wait "$lp"; r1=$?
wait "$tp_"; r2=$?
assert_eq "0 0|shared|shared" "$r1 $r2|$(cat "$TEST_DIR/look.out")|$(cat "$TEST_DIR/take.out")" "the reader saw it, then the consumer took it"
assert_eq "0 59 59 0 1000" "$(counts w)"
# The consumer first: it takes the message; the reader waits for the next.
"${TW[@]}" await -m -c -t w >"$TEST_DIR/take2.out" 2>&1 &
tp_=$!
wait_for "[ \"\$(waiters)\" = 1 ]" 5
"${TW[@]}" await -m -t w >"$TEST_DIR/look2.out" 2>&1 &
lp=$!
wait_for "[ \"\$(waiters)\" = 2 ]" 5
t asend -t w taken >/dev/null
wait "$tp_"
assert_eq "0|taken" "$?|$(cat "$TEST_DIR/take2.out")"
sleep 0.2
assert_eq 1 "$(waiters)" "the reader still waits"
t asend -t w later >/dev/null
wait "$lp"
assert_eq "0|later" "$?|$(cat "$TEST_DIR/look2.out")"
assert_eq "1 61 60 0 1000" "$(counts w)"
t ainbox -c -t w >/dev/null

test_case "agent-wait -m -T: times out"
run t await -m -T 0.5 -t w
assert_eq "1|agent-wait: timed out|" "$RC|$ERR|$OUT"
run t await -m -c -T 0.3 -t w
assert_eq "1|agent-wait: timed out" "$RC|$ERR"
assert_eq 0 "$(waiters)"
assert_eq "0 61 61 0 1000" "$(counts w)" "nothing consumed"
t asend -t w quick >/dev/null
run t await -m -c -T 5 -t w
assert_eq "0|quick" "$RC|$OUT"
run t await -m -T 0 -t w
assert_eq "1|invalid timeout: 0 (seconds, more than 0)" "$RC|$ERR"

test_case "agent-wait -m survives leaving the group"
agent mover
t ajoin -t mover crew >/dev/null
"${TW[@]}" await -m -t mover >"$TEST_DIR/mv.out" 2>"$TEST_DIR/mv.err" &
wpid=$!
wait_for "[ \"\$(waiters)\" = 1 ]" 5
t aleave -t mover >/dev/null
sleep 0.3
kill -0 "$wpid" 2>/dev/null
assert_eq 0 "$?" "still waiting after aleave"
assert_eq 1 "$(waiters)"
t ajoin -t mover elsewhere >/dev/null
sleep 0.2
kill -0 "$wpid" 2>/dev/null
assert_eq 0 "$?" "still waiting after joining another group"
t asend -t mover "after leaving" >/dev/null
wait "$wpid"
assert_eq "0|after leaving|" "$?|$(cat "$TEST_DIR/mv.out")|$(cat "$TEST_DIR/mv.err")"
assert_eq 0 "$(waiters)"

test_case "agent-wait -m fails when the session is killed or stops being an agent"
agent doomed
DOOMED=$(sid doomed)
"${TW[@]}" await -m -t doomed >"$TEST_DIR/dm.out" 2>"$TEST_DIR/dm.err" &
p1=$!
"${TW[@]}" await -m -c -t doomed >"$TEST_DIR/dm2.out" 2>"$TEST_DIR/dm2.err" &
p2=$!
wait_for "[ \"\$(waiters)\" = 2 ]" 5
t kill-session -t =doomed
wait_for "! kill -0 $p1 && ! kill -0 $p2" 5
wait "$p1"; r1=$?
wait "$p2"; r2=$?
assert_eq 1 "$(( r1 != 0 && r2 != 0 ))" "both exit non-zero ($r1, $r2)"
assert_eq "agent-wait: session $DOOMED is gone|agent-wait: session $DOOMED is gone" \
    "$(cat "$TEST_DIR/dm.err")|$(cat "$TEST_DIR/dm2.err")"
assert_eq "|" "$(cat "$TEST_DIR/dm.out")|$(cat "$TEST_DIR/dm2.out")"
assert_eq 0 "$(waiters)"
agent unset
"${TW[@]}" await -m -t unset >/dev/null 2>"$TEST_DIR/un.err" &
wpid=$!
wait_for "[ \"\$(waiters)\" = 1 ]" 5
t set-agent -u -t unset >/dev/null
wait_for "! kill -0 $wpid" 5
wait "$wpid"
assert_ne 0 "$?"
assert_eq "agent-wait: session is no longer an agent" "$(cat "$TEST_DIR/un.err")"
assert_eq 0 "$(waiters)"

test_case "agent-wait -m errors"
assert_error_contains "-m takes no key" t await -m -t w somekey
assert_error_contains "session 'plain' has no agent metadata" t await -m -t plain
assert_error_contains "can't find session: nosuch" t await -m -t nosuch
assert_error_contains "can't find session: nosuch" t await -m -c -t nosuch
assert_eq 0 "$(waiters)"

test_case "set-agent -u drops the unread messages and says so"
agent gone
t asend -t gone one >/dev/null
t asend -t gone two >/dev/null
run t set-agent -u -t gone
assert_eq 0 "$RC"
assert_contains "Dropped 2 unread messages" "$OUT"
assert_error_contains "session 'gone' has no agent metadata" t ainbox -t gone
t set-agent -t gone
assert_eq "0 0 0 0 1000" "$(counts gone)" "a new agent starts with an empty inbox"

# ctl_sync NAME FD TOKEN: wait until everything sent before is answered.
ctl_sync() {
	echo "display -p '$3'" >&"$2"
	wait_for "grep -qx '$3' '$TEST_DIR/$1.out'" 5
}
msg_lines() { grep '^%agent-message ' "$TEST_DIR/$1.out"; }

test_case "%agent-message: receiver, sender ('-' for none), sequence number"
agent ctl
CTL=$(sid ctl)
t ajoin -t ctl crew >/dev/null
ctl_start c1 =ctl:
C1=$CTL_FD C1_PID=$CTL_PID
ctl_sync c1 "$C1" ready-c1
dseq=$(( $(t ainbox -J -t bravo | jq .delivered) + 1 ))
t asend -t bravo plain-send >/dev/null
wait_for "msg_lines c1 | grep -q ." 5
assert_eq "%agent-message $B - $dseq" "$(msg_lines c1)"
# From the control client itself: sender is its session, after its %end.
echo "asend -t bravo from-ctl" >&"$C1"
wait_for "[ \$(msg_lines c1 | grep -c .) -ge 2 ]" 5
assert_eq "%agent-message $B $CTL $((dseq + 1))" "$(msg_lines c1 | tail -n 1)"
end_line=$(grep -n '^%end' "$TEST_DIR/c1.out" | tail -n 1 | cut -d: -f1)
note_line=$(grep -n '^%agent-message' "$TEST_DIR/c1.out" | tail -n 1 | cut -d: -f1)
assert_eq 1 "$(( end_line < note_line ))" "after the command's %end"
# A group send: one line per receiver.
n0=$(msg_lines c1 | grep -c .)
sa=$(( $(t ainbox -J -t alpha | jq .delivered) + 1 ))
sb=$(( dseq + 2 ))
sc=$(( $(t ainbox -J -t charlie | jq .delivered) + 1 ))
t asend -s ctl -g crew to-crew >/dev/null
wait_for "[ \$(msg_lines c1 | grep -c .) -ge $((n0 + 3)) ]" 5
assert_eq "$(printf '%%agent-message %s %s %s\n' "$A" "$CTL" "$sa" "$B" "$CTL" "$sb" "$C" "$CTL" "$sc" | sort)" \
    "$(msg_lines c1 | tail -n 3 | sort)"
assert_eq 0 "$(msg_lines c1 | grep -c "^%agent-message $CTL ")" "the sender got none"
# Outside blocks, always.
inside=$(awk '$1 == "%begin" { b = 1; next } $1 == "%end" || $1 == "%error" { b = 0; next } b && /^%agent-message/' "$TEST_DIR/c1.out")
assert_eq "" "$inside" "no %agent-message inside a %begin/%end block"
# no-agent-notify silences it.
echo "refresh-client -f no-agent-notify" >&"$C1"
ctl_sync c1 "$C1" sync-flag
n1=$(msg_lines c1 | grep -c .)
t asend -t bravo silent >/dev/null
ctl_sync c1 "$C1" sync-silent
assert_eq "$n1" "$(msg_lines c1 | grep -c .)" "no-agent-notify: no %agent-message"
exec {C1}>&-
wait_for "! kill -0 $C1_PID" 5

test_case "hook agent-message: hook_agent_from, _from_name, _seq; target is the receiver"
t set-hook -g agent-message "run-shell \"echo '#{hook}|#{hook_agent_from}|#{hook_agent_from_name}|#{hook_agent_seq}|#{hook_session}|#{hook_session_name}' >> $TEST_DIR/hk\""
run t show-hooks -g agent-message
assert_contains "agent-message[0] run-shell" "$OUT"
s1=$(( $(t ainbox -J -t charlie | jq .delivered) + 1 ))
t asend -s alpha -t charlie hooked >/dev/null
t asend -t charlie anonymous >/dev/null
wait_for "[ \$(grep -c . '$TEST_DIR/hk') -ge 2 ]" 5
assert_eq "agent-message|$A|alpha|$s1|$C|charlie
agent-message|-||$((s1 + 1))|$C|charlie" "$(cat "$TEST_DIR/hk")"
# A group send runs it once per receiver.
: >"$TEST_DIR/hk"
t asend -s alpha -g crew hooked-group >/dev/null
wait_for "[ \$(grep -c . '$TEST_DIR/hk') -ge 3 ]" 5
sleep 0.2
assert_eq "$(printf '%s\n' bravo charlie ctl)" "$(cut -d'|' -f6 "$TEST_DIR/hk" | sort)" "once for each receiver"
assert_eq "$A|alpha" "$(cut -d'|' -f2,3 "$TEST_DIR/hk" | sort -u)"
# A session hook on the receiver runs only for its own messages.
t set-hook -t =bravo: agent-message "run-shell \"echo 'bravo-only|#{hook_agent_seq}|#{hook_session_name}' >> $TEST_DIR/hb\""
: >"$TEST_DIR/hk"
t asend -t charlie to-c >/dev/null
sb=$(( $(t ainbox -J -t bravo | jq .delivered) + 1 ))
t asend -t bravo to-b >/dev/null
wait_for "[ -s '$TEST_DIR/hb' ]" 5
wait_for "[ -s '$TEST_DIR/hk' ]" 5
sleep 0.2
assert_eq "bravo-only|$sb|bravo" "$(cat "$TEST_DIR/hb")"
assert_eq "charlie" "$(cut -d'|' -f6 "$TEST_DIR/hk")" "the global hook ran for charlie only"
t set-hook -u -t =bravo: agent-message
t set-hook -gu agent-message

test_case "a hook that sends a message does not loop"
agent loop
t set-hook -g agent-message 'asend -t =loop: echo'
assert_ok t asend -t loop start
wait_for "[ \"\$(t ainbox -J -t loop | jq .delivered)\" = 2 ]" 5
sleep 0.3
assert_eq "ok" "$(timeout 5 "$TMUX_BIN" -S "$SOCK" -f /dev/null display -p ok)"
assert_eq "start
echo" "$(texts loop)" "the hook's own message did not run the hook again"
t set-hook -gu agent-message

test_case "death of the receiver: its messages go; a new session of that name starts empty"
agent dr
t asend -t dr a >/dev/null
t asend -t dr b >/dev/null
t set -t =dr: @agent-inbox-limit 1
t asend -t dr c >/dev/null
assert_eq "1 3 0 2 1" "$(counts dr)"
t kill-session -t =dr
assert_error_contains "can't find session: dr" t asend -t dr again
assert_error_contains "can't find session: dr" t ainbox -t dr
agent dr
run t ainbox -t dr
assert_eq "0||" "$RC|$OUT|$ERR" "nothing inherited, no dropped line"
assert_eq "0 0 0 0 1000" "$(counts dr)"
assert_eq "Inbox: 0 unread, 0 dropped" "$(t show-agent -t dr | grep '^Inbox:')"
t asend -t dr fresh >/dev/null
assert_eq "1" "$(seqs dr)" "numbering starts again at 1"
# A group member's death: group sends reach the others only.
agent dm
t ajoin -t dm crew >/dev/null
run t asend -s alpha -g crew count
assert_eq "delivered to 4 inboxes" "$OUT"
t kill-session -t =dm
run t asend -s alpha -g crew count
assert_eq "delivered to 3 inboxes" "$OUT"

test_case "death of the sender: its messages stay, shown with the name it had"
agent snd
SND=$(sid snd)
t asend -s snd -t charlie "last words" >/dev/null
t kill-session -t =snd
assert_eq "snd|$SND|last words" "$(t ainbox -t charlie -F '#{message_from}|#{message_from_id}|#{message_text}' | tail -n 1)"
assert_eq "snd|$SND" "$(t ainbox -J -t charlie | jq -r '.messages[-1] | "\(.from)|\(.from_id)"')"
assert_match "^[0-9]+ snd [0-9-]{10} [0-9:]{8}: last words\$" "$(t ainbox -t charlie | tail -n 1)"
assert_error_contains "can't find session: snd" t asend -s snd -t charlie x

test_case "rename: the receiver keeps its inbox; a renamed sender shows its name then"
agent ren
t asend -s alpha -t ren before >/dev/null
t rename-session -t =ren: renamed
assert_eq "before" "$(texts renamed)"
assert_eq "1 1 0 0 1000" "$(counts renamed)"
assert_eq "renamed" "$(t ainbox -J -t renamed | jq -r .session_name)"
t asend -t renamed after >/dev/null
assert_eq "1 2" "$(seqs renamed)"
t rename-session -t =alpha: alpha2
# The man page: the sender "(its name then)", not its name now.
assert_eq "alpha" "$(t ainbox -t renamed -n 1 -F '#{message_from}')" "the sender's name then"
assert_match '^1 alpha ' "$(t ainbox -t renamed | head -n 1)"
t rename-session -t =alpha2: alpha

test_case "errors leave every inbox unchanged"
snapshot() {
	t lsa -J | jq -c '[.agents[] | [.session_name, .unread, .dropped]]'
	for s in alpha bravo charlie; do t ainbox -J -t "=$s:" | jq -c '[.delivered, .consumed]'; done
}
before=$(snapshot)
assert_error_contains "-g and -t can't be used together" t asend -g crew -t bravo x
assert_error_contains "no receiver: give -t target-session or -g group" t asend x
assert_error_contains "no receiver: give -t target-session or -g group" t asend -s alpha x
assert_error_contains "can't find session: nosuch" t asend -t nosuch x
assert_error_contains "can't find session: nosuch" t asend -s nosuch -t bravo x
assert_error_contains "can't find session: nosuch" t asend -s nosuch -g crew x
assert_error_contains "session 'plain' has no agent metadata" t asend -t plain x
assert_error_contains "can't find group: nogroup" t asend -g nogroup x
assert_error_contains "invalid group name" t asend -g 'bad name!' x
assert_error_contains "message is empty" t asend -t bravo ''
assert_error_contains "message is empty" t asend -g crew ''
for c in '\001' '\033[31m' '\r' '\177' '\302\205'; do
	assert_error_contains "message contains a control character" t asend -t bravo "$(printf "a${c}b")"
done
assert_error_contains "message contains a control character" t asend -s alpha -g crew "$(printf 'bell\007')"
assert_error_contains "invalid UTF-8" t asend -t bravo "$(printf 'ok\377')"
assert_error_contains "invalid UTF-8 at byte 2" t asend -t bravo "$(printf 'ok\303(')"
assert_fails t asend -t bravo
assert_fails t asend -t bravo one two
# Too long: through source-file (a client's command line is smaller).
printf 'asend -t =bravo: "%s"\n' "$(head -c 65537 /dev/zero | tr '\0' x)" >"$TEST_DIR/long.conf"
assert_error_contains "message too long: 65537 bytes (limit 65536)" t source-file "$TEST_DIR/long.conf"
assert_error_contains "invalid count: 0 (1 to 100000)" t ainbox -c -n 0 -t bravo
assert_error_contains "invalid count: 100001 (1 to 100000)" t ainbox -c -n 100001 -t bravo
assert_error_contains "invalid count: x (1 to 100000)" t ainbox -c -n x -t bravo
assert_error_contains "invalid count: -1 (1 to 100000)" t ainbox -c -n -1 -t bravo
assert_error_contains "can't find session: nosuch" t ainbox -c -t nosuch
assert_error_contains "session 'plain' has no agent metadata" t ainbox -c -t plain
assert_eq "$before" "$(snapshot)" "nothing delivered, consumed or dropped"
assert_eq 0 "$(waiters)"

test_case "the largest message (65536 bytes), tab and newline are accepted"
agent big
printf 'asend -t =big: "%s"\n' "$(head -c 65536 /dev/zero | tr '\0' y)" >"$TEST_DIR/max.conf"
run t source-file "$TEST_DIR/max.conf"
assert_eq "0|delivered to 1 inbox" "$RC|$OUT"
assert_eq 65536 "$(t ainbox -J -t big | jq -r '.messages[0].text | length')"
run t asend -t big "$(printf 'tab\there\nnewline')"
assert_eq "0|delivered to 1 inbox" "$RC|$OUT"
assert_eq "$(printf 'tab\there\nnewline')" "$(t ainbox -J -t big | jq -r '.messages[1].text')"
# A multi-byte character exactly at the limit.
printf 'asend -t =big: "%s✓"\n' "$(head -c 65533 /dev/zero | tr '\0' z)" >"$TEST_DIR/utf.conf"
run t source-file "$TEST_DIR/utf.conf"
assert_eq "0|delivered to 1 inbox" "$RC|$OUT"
printf 'asend -t =big: "%s✓"\n' "$(head -c 65534 /dev/zero | tr '\0' z)" >"$TEST_DIR/utf2.conf"
assert_error_contains "message too long: 65537 bytes (limit 65536)" t source-file "$TEST_DIR/utf2.conf"
assert_eq "3 3 0 0 1000" "$(counts big)"
