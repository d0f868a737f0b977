# Live control-mode notifications: %agent-group-changed (joined, coordinator,
# left), %agent-context-changed, %agent-pane-state (managed layout panes) and
# %agent-pane-status (panes of agent sessions), each field checked against
# tmux's own ids, always between %begin/%end blocks, never inside one; the
# client flag no-agent-notify (refresh-client -f, attach -f, #{client_flags})
# stops them and !no-agent-notify brings them back.
. "$(dirname "$0")/lib.sh"

# ctl_out NAME: what control client NAME received so far.
ctl_out() { cat "$TEST_DIR/$1.out"; }

# ctl_has NAME REGEX: did control client NAME receive a line matching REGEX?
ctl_has() { grep -Eq -- "$2" "$TEST_DIR/$1.out"; }

# ctl_sync NAME FD TOKEN: send a display -p TOKEN through FD and wait for its
# answer, so that everything queued before it has been written.
ctl_sync() {
	echo "display -p '$3'" >&"$2"
	wait_for "grep -qx '$3' '$TEST_DIR/$1.out'" 5
}

# ctl_structure FILE: "bad<TAB>..." lines for structural errors of control
# output, "inside<TAB>LINE" for a notification found inside a block, and
# "notify<TAB>LINE" for every line outside blocks.
ctl_structure() {
	awk '
	inblock && ($1 == "%end" || $1 == "%error") {
		if ($2 != t || $3 != n) print "bad\tmismatched " $0
		inblock = 0; next
	}
	inblock { if ($0 ~ /^%agent-/) print "inside\t" $0; next }
	$1 == "%begin" { inblock = 1; t = $2; n = $3; next }
	/^%/ { print "notify\t" $0; next }
	{ print "bad\toutside block: " $0 }
	END { if (inblock) print "bad\tunterminated block" }
	' "$1"
}

# agent_lines NAME: the %agent-* lines control client NAME received.
agent_lines() { grep -E '^%agent-' "$TEST_DIR/$1.out"; }

start_server
t set -g @agent-settle-time 0.2
t set -g @agent-idle-threshold 0.5
new_detached home cat
new_detached other cat
HOME_ID=$(t display -p -t =home: '#{session_id}')
OTHER_ID=$(t display -p -t =other: '#{session_id}')

ctl_start c1 home
C1=$CTL_FD C1_PID=$CTL_PID
ctl_sync c1 "$C1" ready-c1

test_case "%agent-group-changed: joined and coordinator for the first member"
# Caused by the control client's own command: after its %end.
echo "ajoin -t home team" >&"$C1"
wait_for "ctl_has c1 '^%agent-group-changed \\$HOME_ID team coordinator\$'" 5
assert_eq "$(printf '%%agent-group-changed %s team joined\n%%agent-group-changed %s team coordinator' "$HOME_ID" "$HOME_ID")" \
    "$(agent_lines c1)"
# The %end of the ajoin block comes before the first notification.
block_end=$(grep -n '^%end' "$TEST_DIR/c1.out" | tail -n 1 | cut -d: -f1)
first_note=$(grep -n '^%agent-group-changed' "$TEST_DIR/c1.out" | head -n 1 | cut -d: -f1)
assert_eq 1 "$(( block_end < first_note ))" "notification after the command's %end (end line $block_end, notification line $first_note)"
assert_contains "Session 'home' joined group 'team'" "$(ctl_out c1)" "the ajoin answer is in the block"

test_case "%agent-group-changed: a second member joins (another client)"
t ajoin -t other team >/dev/null
wait_for "ctl_has c1 '^%agent-group-changed \\$OTHER_ID team joined\$'" 5
line=$(grep '^%agent-group-changed '"\\$OTHER_ID" "$TEST_DIR/c1.out")
read -r name sid grp ev rest <<<"$line"
assert_eq "%agent-group-changed|$OTHER_ID|team|joined|" "$name|$sid|$grp|$ev|$rest"
# Joining as a member does not make it coordinator.
assert_eq 0 "$(grep -c "^%agent-group-changed \\$OTHER_ID team coordinator" "$TEST_DIR/c1.out")"

test_case "%agent-context-changed: group, key, group version, author id"
t ashare -t other k1=one >/dev/null
v1=$(t apeers -J -t other | jq -r .version)
wait_for "ctl_has c1 '^%agent-context-changed team k1 '" 5
assert_eq "%agent-context-changed team k1 $v1 $OTHER_ID" "$(grep '^%agent-context-changed team k1 ' "$TEST_DIR/c1.out")"
# From the control client itself, a second key: the version goes up by one
# and the author is home.
echo "ashare -t home k2=two" >&"$C1"
wait_for "ctl_has c1 '^%agent-context-changed team k2 '" 5
read -r name grp key ver author rest <<<"$(grep '^%agent-context-changed team k2 ' "$TEST_DIR/c1.out")"
assert_eq "%agent-context-changed|team|k2|$((v1 + 1))|$HOME_ID|" "$name|$grp|$key|$ver|$author|$rest"
assert_eq "$((v1 + 1))" "$(t apeers -J -t home | jq -r .version)"
# Removing a key is a change too.
t ashare -t other -u k1 >/dev/null
wait_for "ctl_has c1 '^%agent-context-changed team k1 $((v1 + 2)) '" 5
assert_eq "%agent-context-changed team k1 $((v1 + 2)) $OTHER_ID" "$(grep "^%agent-context-changed team k1 $((v1 + 2)) " "$TEST_DIR/c1.out")"

test_case "%agent-group-changed: left, and the new coordinator"
echo "aleave -t home" >&"$C1"
wait_for "ctl_has c1 '^%agent-group-changed \\$OTHER_ID team coordinator\$'" 5
assert_eq "$(printf '%%agent-group-changed %s team left\n%%agent-group-changed %s team coordinator' "$HOME_ID" "$OTHER_ID")" \
    "$(agent_lines c1 | tail -n 2)"

test_case "%agent-pane-state: ready and degraded with its stage, removed"
assert_ok t define-agent-template one 'w:1'
L_ok=$(t new-agent-layout -d -P -s lok -T one -e 'w=sleep 30')
L_bad=$(t new-agent-layout -d -P -s lbad -T one -e "w=sh -c 'exit 3'")
assert_match '^L[0-9]+$' "$L_ok"
OK_S=$(t display -p -t =lok: '#{session_id}') OK_W=$(t display -p -t =lok: '#{window_id}') OK_P=$(t display -p -t =lok: '#{pane_id}')
BAD_S=$(t display -p -t =lbad: '#{session_id}') BAD_W=$(t display -p -t =lbad: '#{window_id}') BAD_P=$(t display -p -t =lbad: '#{pane_id}')
wait_for "ctl_has c1 '^%agent-pane-state \\$OK_S '" 5
wait_for "ctl_has c1 '^%agent-pane-state \\$BAD_S '" 5
assert_eq "%agent-pane-state $OK_S $OK_W $OK_P ready" "$(grep "^%agent-pane-state \\$OK_S " "$TEST_DIR/c1.out")"
assert_eq "%agent-pane-state $BAD_S $BAD_W $BAD_P degraded launch_command" "$(grep "^%agent-pane-state \\$BAD_S " "$TEST_DIR/c1.out")"
assert_match '^@[0-9]+ %[0-9]+$' "$OK_W $OK_P"
# Removing the managed pane (its session goes with it).
t kill-pane -t "$OK_P"
wait_for "ctl_has c1 '^%agent-pane-state \\$OK_S .* removed\$'" 5
assert_eq "%agent-pane-state $OK_S $OK_W $OK_P removed" "$(grep "^%agent-pane-state \\$OK_S .* removed" "$TEST_DIR/c1.out")"

test_case "%agent-pane-status: busy then idle for a pane of an agent session"
t new-session -d -s st -G custom -x 80 -y 24 "sh -c 'echo one; sleep 0.2; echo two; sleep 100'"
ST_S=$(t display -p -t =st: '#{session_id}') ST_W=$(t display -p -t =st: '#{window_id}') ST_P=$(t display -p -t =st: '#{pane_id}')
wait_for "ctl_has c1 '^%agent-pane-status \\$ST_S .* idle\$'" 5
assert_eq "$(printf '%%agent-pane-status %s %s %s busy\n%%agent-pane-status %s %s %s idle' "$ST_S" "$ST_W" "$ST_P" "$ST_S" "$ST_W" "$ST_P")" \
    "$(grep "^%agent-pane-status \\$ST_S " "$TEST_DIR/c1.out")"
# A plain (non-agent) session's pane is not announced.
t new-session -d -s plainbusy -x 80 -y 24 "sh -c 'echo plain; sleep 100'"
PL_S=$(t display -p -t =plainbusy: '#{session_id}')
wait_for "[ \"\$(t display -p -t =plainbusy: '#{agent_pane_status}')\" = busy ]" 3
ctl_sync c1 "$C1" sync-plain
assert_eq "busy" "$(t display -p -t =plainbusy: '#{agent_pane_status}')" "the plain pane is busy"
assert_eq 0 "$(grep -c "^%agent-pane-status \\$PL_S " "$TEST_DIR/c1.out")" "no notification for a plain session"

test_case "%agent-pane-status: exited when an idle agent pane's process ends"
# st's pane runs a new program that prints, goes idle, then is killed: the
# status changes idle -> exited, which is a change like any other.
t set -t =st: remain-on-exit on
t respawn-pane -k -t "$ST_P" "sh -c 'echo bye; exec sleep 100'"
wait_for "[ \"\$(grep -c '^%agent-pane-status \\$ST_S .* idle\$' '$TEST_DIR/c1.out')\" = 2 ]" 5
assert_eq idle "$(t display -p -t "$ST_P" '#{agent_pane_status}')"
kill "$(t display -p -t "$ST_P" '#{pane_pid}')"
wait_for "[ \"\$(t display -p -t '$ST_P' '#{agent_pane_status}')\" = exited ]" 5
assert_eq "exited 1" "$(t display -p -t "$ST_P" '#{agent_pane_status} #{pane_dead}')"
ctl_sync c1 "$C1" sync-exited
assert_eq "$(printf 'busy\nidle\nexited')" "$(grep "^%agent-pane-status \\$ST_S " "$TEST_DIR/c1.out" | tail -n 3 | awk '{ print $5 }')" \
    "busy, idle, then exited announced"

test_case "notifications are never inside a %begin/%end block"
# A burst of commands from the control client, each causing notifications,
# mixed with notifications caused by other clients.
for i in 1 2 3 4 5; do
	echo "ajoin -t home burst$i ; ashare -t home n=$i ; display -p between-$i" >&"$C1"
	t ashare -t other m=$i >/dev/null
done
ctl_sync c1 "$C1" sync-burst
s=$(ctl_structure "$TEST_DIR/c1.out")
assert_eq "" "$(grep -E '^(bad|inside)' <<<"$s")" "well formed, no agent line inside a block"
assert_eq 5 "$(grep -c $'^notify\t%agent-context-changed burst[0-9] n 1 '"\\$HOME_ID\$" <<<"$s")" "every burst notification outside blocks"
assert_eq 5 "$(grep -c $'^notify\t%agent-context-changed team m ' <<<"$s")"
# Every %agent- line of the whole session was outside blocks.
assert_eq "$(grep -c '^%agent-' "$TEST_DIR/c1.out")" "$(grep -c $'^notify\t%agent-' <<<"$s")"

test_case "refresh-client -f no-agent-notify stops them, !no-agent-notify restores them"
# A second client without the flag sees everything: the events do happen.
ctl_start c2 home
C2=$CTL_FD C2_PID=$CTL_PID
ctl_sync c2 "$C2" ready-c2
echo "refresh-client -f no-agent-notify" >&"$C1"
ctl_sync c1 "$C1" sync-flag-on
c1_client=$(t list-clients -F '#{client_pid} #{client_name}' | awk -v p="$C1_PID" '$1 == p { print $2 }')
assert_ne "" "$c1_client" "control client c1 is listed"
assert_contains "no-agent-notify" "$(t display -p -c "$c1_client" '#{client_flags}')"
before=$(grep -c '^%agent-' "$TEST_DIR/c1.out")
t ajoin -t other quiet >/dev/null
t ashare -t other q=silent >/dev/null
wait_for "ctl_has c2 '^%agent-context-changed quiet q '" 5
assert_contains "%agent-context-changed quiet q 1 $OTHER_ID" "$(ctl_out c2)" "the client without the flag got it"
echo "refresh-client -f '!no-agent-notify'" >&"$C1"
ctl_sync c1 "$C1" sync-flag-off
assert_not_contains "no-agent-notify" "$(t display -p -c "$c1_client" '#{client_flags}')"
t ashare -t other q=loud >/dev/null
wait_for "ctl_has c1 '^%agent-context-changed quiet q 2 '" 5
assert_eq "%agent-context-changed quiet q 2 $OTHER_ID" "$(grep '^%agent-context-changed quiet' "$TEST_DIR/c1.out")" \
    "only the change after !no-agent-notify reached c1"
assert_eq 0 "$(grep -c '^%agent-group-changed .* quiet ' "$TEST_DIR/c1.out")" "no group change from while the flag was set"
assert_eq "$((before + 1))" "$(grep -c '^%agent-' "$TEST_DIR/c1.out")" "one agent line since the flag was set"
# Other output (command replies) went on while the flag was set.
assert_contains "sync-flag-off" "$(ctl_out c1)"

test_case "attach -f no-agent-notify"
ctl_start c3 home -f no-agent-notify
C3=$CTL_FD
ctl_sync c3 "$C3" ready-c3
c3_flags=$(t list-clients -F '#{client_control_mode} #{client_flags}' | grep -c 'no-agent-notify')
assert_eq 1 "$c3_flags" "exactly one client has the flag"
t ashare -t other q=again >/dev/null
wait_for "ctl_has c2 '^%agent-context-changed quiet q 3 '" 5
ctl_sync c3 "$C3" sync-c3
assert_eq 0 "$(grep -c '^%agent-' "$TEST_DIR/c3.out")" "c3 got no agent notification"
assert_eq 1 "$(grep -c '^%agent-context-changed quiet q 3 ' "$TEST_DIR/c1.out")" "c1 (flag cleared) did"

test_case "control clients end cleanly"
C3_PID=$CTL_PID
for c in 3 2 1; do
	pid_var=C${c}_PID
	eval "exec {C$c}>&-"
	wait_for "! kill -0 ${!pid_var}" 10
	wait "${!pid_var}"
	assert_eq 0 "$?" "control client c$c exits with 0"
	assert_eq "%exit" "$(tail -n 1 "$TEST_DIR/c$c.out")"
done
assert_eq "" "$(ctl_structure "$TEST_DIR/c2.out" | grep -E '^(bad|inside)')"
assert_eq "" "$(ctl_structure "$TEST_DIR/c3.out" | grep -E '^(bad|inside)')"
assert_ok t has-session -t home

test_case "control clients connecting while notifications are written (regression)"
# A control client has the CLIENT_CONTROL flag from its first identify
# message but its control state only once identify is done, several reads
# later (each passed fd is its own read). Notifications written in between
# crashed the server (control_write on a null state). Flood notifications
# from one control client while many others connect and leave.
t ajoin -t home flood >/dev/null
server_pid=$(t display -p '#{pid}')
(for i in $(seq 3000); do echo "ashare -t home k=$i"; done) |
    "$TMUX_BIN" -S "$SOCK" -f /dev/null -C attach -t home >/dev/null 2>&1 &
pids=($!)
for i in $(seq 60); do
	"$TMUX_BIN" -S "$SOCK" -f /dev/null -C attach -t other </dev/null >/dev/null 2>&1 &
	pids+=($!)
done
wait "${pids[@]}"
assert_eq "ok $server_pid" "$(t display -p "ok #{pid}" 2>&1)" "the server survived"
