# The durability bound: after kill -9 of the server, every change
# acknowledged more than @agent-store-interval (default 200 ms) before is
# restored; context versions and inbox numbers never go backwards.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/store-lib.sh"

version() { t list-agent-groups -F '#{group_name} #{group_version}' | awk -v g="$1" '$1 == g { print $2 }'; }

test_case "kill -9 right after a burst of shares: all of them are back"
start_server
t new-session -d -s a -G claude
t agent-join-group -t a burst >/dev/null
# 200 shares in one client invocation, then the bound, then SIGKILL.
args=()
for i in $(seq 1 200); do args+=(agent-share -q -t a "k$((i % 50))=value-$i" \;); done
t "${args[@]}"
t agent-send -t a 'last words' >/dev/null
acked=$(version burst)
assert_eq 200 "$acked"
sleep 0.25
crash_server
run t agent-restore
assert_eq 0 "$RC" "$ERR"
# Everything acknowledged before the bound is there.
assert_eq "value-200" "$(t agent-get -t a k0)"
assert_eq "value-199" "$(t agent-get -t a k49)"
assert_eq 50 "$(t list-agent-groups -F '#{group_name} #{group_context_keys}' | awk '$1 == "burst" { print $2 }')"
assert_eq "last words" "$(t agent-inbox -J -t a | jq -r '.messages[0].text')"
# After a crash numbers go on far above the saved ones: none given twice.
t agent-share -q -t a after=crash
v=$(version burst)
[ "$v" -gt "$acked" ] && _pass || _fail "version went backwards: $v after $acked"
t agent-send -t a again >/dev/null
seq=$(t agent-inbox -J -t a | jq -r '.messages[-1].seq')
[ "$seq" -gt 1 ] && _pass || _fail "inbox number went backwards: $seq"
stop_server

test_case "after a clean exit numbers go on exactly"
start_server
t new-session -d -s a -G claude
t agent-join-group -t a g >/dev/null
t agent-share -q -t a k=1 \; agent-share -q -t a k=2
stop_server
t agent-restore >/dev/null
t agent-share -q -t a k=3
assert_eq 3 "$(version g)"
stop_server

test_case "kill -9 of a server that never restored keeps the old state for later"
start_server
t new-session -d -s a -G claude
t agent-join-group -t a keep >/dev/null
t agent-share -q -t a k=kept
stop_server
# A new server changes its own state, is killed, and still has the old.
start_server
t new-session -d -s other -G codex
sleep 0.3
crash_server
run t agent-restore
assert_contains "restored session a" "$OUT"
assert_contains "restored session other" "$OUT"
assert_eq kept "$(t agent-get -t a k)"
stop_server

test_case "a crash's state keeps its gap through a clean exit that restored nothing"
start_server
t new-session -d -s a -G claude
t agent-join-group -t a g >/dev/null
t agent-share -q -t a k=1 \; agent-share -q -t a k=2
sleep 0.3
crash_server
start_server
t new-session -d -s b
stop_server
t agent-restore >/dev/null
t agent-share -q -t a k=3
v=$(version g)
[ "$v" -gt 3 ] && _pass || _fail "version $v: the crash gap was lost"
stop_server
