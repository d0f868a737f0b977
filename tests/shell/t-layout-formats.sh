# The #{agent_pane_*} and #{agent_layout_*} formats: in list-panes -F,
# display -p, the pane border of a managed window (expanded, and drawn on
# a client attached through a pty), and a control-mode subscription that
# reports state changes (%subscription-changed).
. "$(dirname "$0")/lib.sh"

start_server

mid() { t list-agent-panes -a -t "$1" -F '#{agent_pane_label} #{agent_pane_id}' | awk -v l="$2" '$1 == l { m = $2 } END { print m }'; }
tpane() { t list-agent-panes -a -t "$1" -F '#{agent_pane_label} #{agent_pane_tmux_id}' | awk -v l="$2" '$1 == l { m = $2 } END { print m }'; }
pstate() { t display -p -t "$1" '#{agent_pane_state}'; }

L=$(t new-agent-layout -d -P -s f -e 'manager=sleep 30' -e specialist=cat)
p_m1=$(tpane "$L" m1) p_s1=$(tpane "$L" s1)

test_case "#{agent_pane_*} in list-panes -F and display -p"
assert_eq "m1 manager creating M1 $L 0|s1 specialist creating M2 $L 0|s2 specialist creating M3 $L 0" \
    "$(t list-panes -t =f: -F '#{agent_pane_label} #{agent_pane_role} #{agent_pane_state} #{agent_pane_id} #{agent_pane_layout} #{agent_pane_depth}' | paste -sd '|')"
assert_eq "$p_m1" "$(t display -p -t "$p_m1" '#{agent_pane_tmux_id}')"
wait_for "[ \"\$(pstate $p_m1)\" = ready ]" 5
assert_eq "m1|ready||" "$(t display -p -t "$p_m1" '#{agent_pane_label}|#{agent_pane_state}|#{agent_pane_stage}|#{agent_pane_predecessor}')"
assert_eq "$L|ready|1m+2s|f" "$(t display -p -t =f: '#{agent_layout_id}|#{agent_layout_state}|#{agent_layout_template}|#{agent_layout_group}')"
# A pane that is not managed has none of them.
t new-session -d -s plain cat
assert_eq "||||" "$(t display -p -t =plain: '#{agent_pane_label}|#{agent_pane_state}|#{agent_pane_id}|#{agent_layout_id}|#{agent_layout_state}')"
# A state change shows at once.
t send-keys -t "$p_s1" C-d
wait_for "[ \"\$(pstate $p_s1)\" = degraded ]" 3
assert_eq "s1|degraded|process_exit|0" "$(t display -p -t "$p_s1" '#{agent_pane_label}|#{agent_pane_state}|#{agent_pane_stage}|#{agent_pane_exit_status}')"
assert_eq "degraded" "$(t display -p -t =f: '#{agent_layout_state}')"
assert_eq "m1 ready|s1 degraded|s2 ready" \
    "$(t list-panes -t =f: -F '#{agent_pane_label} #{agent_pane_state}' | paste -sd '|')"
# lsap and lsal take formats too.
assert_eq "M2 s1 degraded process_exit 0" \
    "$(t lsap -t f -F '#{agent_pane_id} #{agent_pane_label} #{agent_pane_state} #{agent_pane_stage} #{agent_pane_exit_status}' | grep ' s1 ')"
assert_eq "$L f 1m+2s f degraded 3" \
    "$(t lsal -F '#{agent_layout_id} #{agent_layout_session} #{agent_layout_template} #{agent_layout_group} #{agent_layout_state} #{agent_layout_panes}')"

test_case "the pane border format expands to label, role and state"
assert_eq "top" "$(t show-options -wv -t =f: pane-border-status)"
assert_eq " m1 (manager) ready " "$(t display -p -t "$p_m1" '#{E:pane-border-format}')"
assert_eq " s1 (specialist) degraded " "$(t display -p -t "$p_s1" '#{E:pane-border-format}')"

test_case "control mode: a subscription to #{agent_pane_state} reports changes"
# Subscriptions are checked once a second: settle 2 s lets the first check
# see creating.
t set -g @agent-settle-time 2
Lc=$(t new-agent-layout -d -P -s ctl -e 'manager=sleep 30' -e specialist=cat)
pm=$(tpane "$Lc" m1) ps=$(tpane "$Lc" s2)
mkfifo "$TEST_DIR/ctl.in"
t -C attach -t =ctl <"$TEST_DIR/ctl.in" >"$TEST_DIR/ctl.out" 2>&1 &
cpid=$!
exec 3>"$TEST_DIR/ctl.in"
echo "refresh-client -B 'mst:$pm:#{agent_pane_state}'" >&3
echo "refresh-client -B 'lst::#{agent_layout_state}'" >&3
sub() { grep -a "^%subscription-changed $1 " "$TEST_DIR/ctl.out" | sed 's/.* : //' | paste -sd ' '; }
wait_for "grep -aq '^%subscription-changed mst .* : ready\$' '$TEST_DIR/ctl.out'" 6
assert_eq "creating ready" "$(sub mst)" "the pane subscription saw creating, then ready"
assert_match "^%subscription-changed mst \\\$[0-9]+ @[0-9]+ [0-9]+ $pm : ready\$" \
    "$(grep -a '^%subscription-changed mst' "$TEST_DIR/ctl.out" | tail -n 1)"
wait_for "[ \"\$(sub lst)\" = 'creating ready' ]" 3
assert_eq "creating ready" "$(sub lst)"
# A specialist exits: the layout turns degraded.
t send-keys -t "$ps" C-d
wait_for "grep -aq '^%subscription-changed lst .* : degraded\$' '$TEST_DIR/ctl.out'" 4
assert_eq "creating ready degraded" "$(sub lst)"
# The manager did not change, and its subscription said nothing more.
assert_eq "ready" "$(pstate "$pm")"
assert_eq "creating ready" "$(sub mst)"
echo "detach" >&3
exec 3>&-
wait_for "! kill -0 $cpid" 3
assert_eq "%exit" "$(tail -n 1 "$TEST_DIR/ctl.out")"
t set -g @agent-settle-time 1

test_case "the border drawn on an attached client shows label and state"
# attach-session through a pty right after creation (settle 2 s, so the
# first frame shows creating); the border is redrawn as the panes turn
# ready, and degraded. Last in this file, tmux commands under a timeout.
tt() { timeout 3 "$TMUX_BIN" -S "$SOCK" -f /dev/null "$@"; }
t set -g @agent-settle-time 2
La=$(t new-agent-layout -d -P -s att -e 'manager=sleep 30' -e specialist=cat)
pty_start att "$TMUX_BIN" -S "$SOCK" attach-session -t =att
wait_for "grep -aq 's2 (specialist) creating' '$TEST_DIR/att.out' || [ -s '$TEST_DIR/att.status' ]" 3
out=$(pty_output att)
assert_contains "m1 (manager) creating" "$out"
assert_contains "s1 (specialist) creating" "$out"
assert_eq "att" "$(tt list-clients -F '#{session_name}')"
wait_for "grep -aq 's2 (specialist) ready' '$TEST_DIR/att.out'" 5
out=$(pty_output att)
assert_contains "m1 (manager) ready" "$out"
assert_contains "s1 (specialist) ready" "$out"
assert_contains "s2 (specialist) ready" "$out"
assert_not_contains "degraded" "$out"
tt send-keys -t "$(tpane "$La" s1)" C-d
wait_for "grep -aq 's1 (specialist) degraded' '$TEST_DIR/att.out'" 3
assert_contains "s1 (specialist) degraded" "$(pty_output att)"
assert_ok tt detach-client -s att
assert_eq 0 "$(pty_wait att 3)"
t set -g @agent-settle-time 1
