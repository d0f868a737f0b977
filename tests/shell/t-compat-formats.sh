# The agent formats of a session that is not an agent are empty, as plain
# 3.5a shows formats it does not know, so one .tmux.conf reads the same on
# both; the server- and pane-level ones (versions, agent_waiters,
# agent_pane_status) are set everywhere. The README's status-line examples
# print the same on a plain session of either binary and show the agent's
# values on an agent session.
. "$(dirname "$0")/lib.sh"

SESSION_FORMATS="agent_is_agent agent_type agent_goal agent_created agent_group
agent_role agent_is_coordinator agent_peers agent_unread agent_dropped
agent_status agent_layout_id agent_layout_state agent_layout_template
agent_layout_group agent_pane_label agent_pane_state agent_pane_id"

# The README's examples (status-left, status-right).
LEFT='#{?agent_group,[#{agent_group}:#{agent_role}] ,}'
RIGHT='#{?agent_unread,#{agent_unread} msg ,}'

pt() { "$PLAIN_TMUX" -S "$TEST_DIR/plain.sock" -f /dev/null "$@"; }

new_detached plain cat
new_detached ag cat
new_detached peer cat
t set-agent -t ag -G claude -o goal
t ajoin -t ag crew >/dev/null
t ajoin -t peer crew >/dev/null
if have_plain; then pt new-session -d -s plain -x 80 -y 24 cat; fi

# all FUNC: every session-level format of session plain, one per line.
all() {
	local f=$1 k
	for k in $SESSION_FORMATS; do echo "$k=$($f display -p -t =plain: "#{$k}")"; done
}

test_case "a plain session: every session-level agent format is empty"
want=$(for k in $SESSION_FORMATS; do echo "$k="; done)
assert_eq "$want" "$(all t)"
if have_plain; then
	assert_eq "$(all pt)" "$(all t)" "as on plain 3.5a"
fi
assert_eq "" "$(t ls -f '#{agent_is_agent}' -F '#{session_name}' | grep -x plain)" "not matched by -f"

test_case "version, waiter and pane status formats are set for every session"
run t display -p -t =plain: '#{agent_tmux_version}|#{agent_upstream_version}|#{agent_waiters}|#{agent_pane_status}'
assert_match '^[0-9]+\.[0-9]+\.[0-9]+[^|]*\|3\.5a\|0\|(busy|idle)$' "$OUT"
if have_plain; then
	assert_eq "|||" "$(pt display -p -t =plain: '#{agent_tmux_version}|#{agent_upstream_version}|#{agent_waiters}|#{agent_pane_status}')" \
	    "plain 3.5a: all empty"
fi

test_case "an agent session: the same formats have values"
assert_eq "1|claude|goal|crew|1|0|0" \
    "$(t display -p -t =ag: '#{agent_is_agent}|#{agent_type}|#{agent_goal}|#{agent_group}|#{agent_peers}|#{agent_unread}|#{agent_dropped}')"
assert_match '^(busy|idle)$' "$(t display -p -t =ag: '#{agent_status}')"

test_case "README status-line examples: the same on a plain session of both"
assert_eq "|" "$(t display -p -t =plain: "$LEFT|$RIGHT")"
if have_plain; then
	assert_eq "$(pt display -p -t =plain: "$LEFT|$RIGHT")" "$(t display -p -t =plain: "$LEFT|$RIGHT")"
fi
# The comparison the README used to show is true on plain tmux (empty != 0).
if have_plain; then
	assert_eq "1" "$(pt display -p -t =plain: '#{!=:#{agent_unread},0}')" "why the old example printed ' msg '"
fi

test_case "README status-line examples on an agent session"
assert_eq "[crew:Coordinator] |" "$(t display -p -t =ag: "$LEFT|$RIGHT")" "no message yet"
t asend -s peer -t ag hello >/dev/null
assert_eq "[crew:Coordinator] |1 msg " "$(t display -p -t =ag: "$LEFT|$RIGHT")"
t ainbox -c -t ag >/dev/null
assert_eq "[crew:Coordinator] |" "$(t display -p -t =ag: "$LEFT|$RIGHT")" "read: gone again"

if have_plain; then pt kill-server; fi
