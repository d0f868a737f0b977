# Busy/idle status of panes (@agent-idle-threshold): #{agent_pane_status}
# and #{agent_status} are busy while output flows, idle once it has stopped
# for the threshold, exited when the process is gone (remain-on-exit);
# %agent-pane-status announces busy then idle, once each, however chatty the
# pane; list-agents and agent-peers show each agent's status; a status line
# showing #{agent_pane_status} is redrawn when it changes.
. "$(dirname "$0")/lib.sh"

now() { date +%s.%N; }
elapsed() { awk -v s="$1" -v e="$(now)" 'BEGIN { printf "%.2f", e - s }'; }
# le A B: is A <= B (decimals)?
le() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a <= b) }'; }
# pst TARGET: #{agent_pane_status} of a pane.
pst() { t display -p -t "$1" '#{agent_pane_status}'; }

start_server
t set -g @agent-idle-threshold 0.5
new_detached home cat

# A control client watching everything, attached to home.
mkfifo "$TEST_DIR/c.in"
"$TMUX_BIN" -S "$SOCK" -f /dev/null -C attach -t home <"$TEST_DIR/c.in" >"$TEST_DIR/c.out" 2>&1 &
CPID=$!
exec 3>"$TEST_DIR/c.in"
echo "display -p ready-c" >&3
wait_for "grep -qx ready-c '$TEST_DIR/c.out'" 5

# Under a memory checker realloc always moves the block, and a pane's
# history grows one line per realloc: 10M would take minutes there.
case $MEMCHECK in
'') FLOOD=10M ;;
*) FLOOD=200K ;;
esac
test_case "yes | head -c $FLOOD: busy while output flows, then idle"
t set -g remain-on-exit on
t0=$(now)
t new-session -d -s flood -G custom -x 80 -y 24 "yes | head -c $FLOOD; sleep 5"
S=$(t display -p -t =flood: '#{session_id}') W=$(t display -p -t =flood: '#{window_id}') P=$(t display -p -t =flood: '#{pane_id}')
wait_for "[ \"\$(pst '$P')\" = busy ]" 5
assert_eq "busy busy 0" "$(t display -p -t "$P" '#{agent_pane_status} #{agent_status} #{pane_dead}')"
# Sample the status and the pane's history size until it goes idle.
samples=""
h_busy=""
while :; do
	line=$(t display -p -t "$P" '#{agent_pane_status} #{history_size}')
	st=${line% *} hs=${line#* }
	samples="$samples $st"
	[ "$st" = busy ] && h_busy="$h_busy $hs"
	[ "$st" != busy ] && break
	le $((15 * TIME_SCALE)) "$(elapsed "$t0")" && break
	sleep 0.1
done
idle_at=$(elapsed "$t0")
assert_eq idle "$st" "busy, then idle (after ${idle_at}s)"
# While busy the output kept flowing: the history grew between samples.
assert_ne "$(awk '{ print $1 }' <<<"$h_busy")" "$(awk '{ print $NF }' <<<"$h_busy")" \
    "history grew while busy:$h_busy"
# Once idle, no more output arrives.
h1=$(t display -p -t "$P" '#{history_size}')
sleep 0.3
assert_eq "$h1" "$(t display -p -t "$P" '#{history_size}')" "no output once idle"
assert_eq "idle idle" "$(t display -p -t "$P" '#{agent_pane_status} #{agent_status}')"
# busy ... busy idle: no flapping back.
assert_match '^( busy)+ idle$' "$samples"
# %agent-pane-status: one busy, then one idle, with the pane's ids.
wait_for "grep -q '^%agent-pane-status \\$S .* idle\$' '$TEST_DIR/c.out'" 3
assert_eq "$(printf '%%agent-pane-status %s %s %s busy\n%%agent-pane-status %s %s %s idle' "$S" "$W" "$P" "$S" "$W" "$P")" \
    "$(grep "^%agent-pane-status \\$S " "$TEST_DIR/c.out")"

test_case "a chatty pane (yes) gives one busy notification, not a flood"
t new-session -d -s chatty -G custom -x 80 -y 24 yes
CS=$(t display -p -t =chatty: '#{session_id}') CP=$(t display -p -t =chatty: '#{pane_id}')
samples=""
for i in 1 2 3 4 5 6 7 8 9 10; do
	sleep 0.2
	samples="$samples $(pst "$CP")"
done
assert_eq "$(printf ' busy%.0s' 1 2 3 4 5 6 7 8 9 10)" "$samples" "busy all along (2 s)"
echo "display -p sync-chatty" >&3
wait_for "grep -qx sync-chatty '$TEST_DIR/c.out'" 5
assert_eq 1 "$(grep -c "^%agent-pane-status \\$CS .* busy\$" "$TEST_DIR/c.out")" "one busy notification in 2 s"
assert_eq 0 "$(grep -c "^%agent-pane-status \\$CS .* idle\$" "$TEST_DIR/c.out")" "and no idle one"

test_case "list-agents and agent-peers show each agent's status"
new_detached calm cat
t set-agent -t calm
t ajoin -t calm crew >/dev/null
t ajoin -t chatty crew >/dev/null
t ajoin -t flood crew >/dev/null
run t list-agents
assert_eq 0 "$RC"
assert_match '(^|'$'\n'')chatty: [^'$'\n'']*status=busy' "$OUT" "list-agents: chatty is busy"
assert_match '(^|'$'\n'')calm: [^'$'\n'']*status=idle' "$OUT" "list-agents: calm is idle"
# flood's program (yes | head; sleep 5) is quiet by now, or already gone.
assert_match '(^|'$'\n'')flood: [^'$'\n'']*status=(idle|exited)' "$OUT" "list-agents: flood is idle"
assert_match '^busy idle (idle|exited)$' "$(for s in chatty calm flood; do t lsa -F '#{session_name} #{agent_status}' | awk -v s=$s '$1 == s { print $2 }'; done | tr '\n' ' ' | sed 's/ $//')"
assert_eq "busy" "$(t lsa -J | jq -r '.agents[] | select(.session_name == "chatty") | .status')"
run t agent-peers -t calm
assert_eq 0 "$RC"
assert_match '(^|'$'\n'')  - chatty \([^'$'\n'']*status: busy\)' "$OUT" "agent-peers: chatty is busy"
assert_match '(^|'$'\n'')  - flood \([^'$'\n'']*status: (idle|exited)\)' "$OUT" "agent-peers: flood is idle"
run t agent-peers -t chatty
assert_match '(^|'$'\n'')  - calm \([^'$'\n'']*status: idle\)' "$OUT" "agent-peers: calm is idle"
assert_eq "busy" "$(t apeers -J -t calm | jq -r '.peers[] | select(.session_name == "chatty") | .status')"
# The chatty pane stops: its status follows.
t kill-session -t =chatty

test_case "exited when the process is gone (remain-on-exit)"
wait_for "[ \"\$(pst '$P')\" = exited ]" 10
took=$(elapsed "$t0")
assert_eq "exited exited 1" "$(t display -p -t "$P" '#{agent_pane_status} #{agent_status} #{pane_dead}')"
# The pane was idle through its sleep 5: exited only once the process ended.
le 5 "$took"
assert_eq 0 "$?" "exited after the sleep 5 (${took}s)"
assert_match '(^|'$'\n'')flood: [^'$'\n'']*status=exited' "$(t list-agents)" "list-agents: flood exited"
assert_match '  - flood \([^)]*status: exited\)' "$(t agent-peers -t calm)" "agent-peers: flood exited"

test_case "a status line showing #{agent_pane_status} is redrawn when it changes"
t new-session -d -s sr -G custom -x 80 -y 24 cat
t set -t =sr: status-interval 0
t set -t =sr: status-right '[#{agent_pane_status}]'
pty_start sr env TERM=screen "$TMUX_BIN" -S "$SOCK" attach -t sr
wait_for "[ -n \"\$(t list-clients -t sr)\" ] || [ -s '$TEST_DIR/sr.status' ]"
client=$(t list-clients -t sr -F '#{client_name}')
assert_match '^/dev/pts/[0-9]+$' "$client"
wait_for "grep -q '\\[idle\\]' '$TEST_DIR/sr.out'" 5
assert_eq "[idle]" "$(t display -p -c "$client" '#{E:status-right}')"
: >"$TEST_DIR/sr.out"
t send-keys -t =sr: hello
wait_for "grep -q '\\[busy\\]' '$TEST_DIR/sr.out'" 3
assert_eq "[busy]" "$(t display -p -c "$client" '#{E:status-right}')"
assert_contains "[busy]" "$(pty_output sr)" "redrawn as busy"
# Idle comes from a timer, not from anything the client does.
: >"$TEST_DIR/sr.out"
wait_for "grep -q '\\[idle\\]' '$TEST_DIR/sr.out'" 3
assert_contains "[idle]" "$(pty_output sr)" "redrawn as idle"
assert_eq "[idle]" "$(t display -p -c "$client" '#{E:status-right}')"

test_case "the status line is redrawn when an idle pane's process exits"
# remain-on-exit is on: the pane stays, its status is exited.
: >"$TEST_DIR/sr.out"
kill "$(t display -p -t =sr: '#{pane_pid}')"
wait_for "[ \"\$(pst =sr:)\" = exited ]" 3
assert_eq "[exited]" "$(t display -p -c "$client" '#{E:status-right}')"
wait_for "grep -q '\\[exited\\]' '$TEST_DIR/sr.out'" 3
assert_contains "[exited]" "$(pty_output sr)" "redrawn as exited"
t detach-client -s sr
assert_eq 0 "$(pty_wait sr)"

test_case "the same status line in a plain (non-agent) session follows too"
# #{agent_pane_status} is defined for every pane, not only agents'.
t new-session -d -s psr -x 80 -y 24 cat
t set -t =psr: status-interval 0
t set -t =psr: status-right '[#{agent_pane_status}]'
pty_start psr env TERM=screen "$TMUX_BIN" -S "$SOCK" attach -t psr
wait_for "[ -n \"\$(t list-clients -t psr)\" ] || [ -s '$TEST_DIR/psr.status' ]"
wait_for "grep -q '\\[idle\\]' '$TEST_DIR/psr.out'" 5
: >"$TEST_DIR/psr.out"
t send-keys -t =psr: hello
wait_for "[ \"\$(pst =psr:)\" = busy ]" 3
assert_eq busy "$(pst =psr:)"
# (Whether a redraw catches [busy] depends on what else redraws the status
# line; going idle has no other cause, so only the refresh can show it.)
: >"$TEST_DIR/psr.out"
wait_for "[ \"\$(pst =psr:)\" = idle ]" 3
assert_eq "[idle]" "$(t display -p -c "$(t list-clients -t psr -F '#{client_name}')" '#{E:status-right}')"
wait_for "grep -q '\\[idle\\]' '$TEST_DIR/psr.out'" 2
assert_contains "[idle]" "$(pty_output psr)" "redrawn as idle"
t detach-client -s psr
assert_eq 0 "$(pty_wait psr)"

exec 3>&-
wait_for "! kill -0 $CPID" 5
