# The persistent store keeps managed layouts whole: after kill -9 of the
# server past the bound and agent-restore on a new server, recreate chains
# (predecessors, successors, depths, history) are back and go on; a worktree
# pane restarts in its worktree and branch, never given a second one, and
# one whose worktree is gone is failed with the reason, said by the
# restore; a conversation id reported by agent-report alone is saved.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/store-lib.sh"

export GIT_AUTHOR_NAME=tester GIT_AUTHOR_EMAIL=tester@example.invalid
export GIT_COMMITTER_NAME=tester GIT_COMMITTER_EMAIL=tester@example.invalid
export GIT_CONFIG_NOSYSTEM=1

mkdir -p "$TEST_DIR/work"
fake_claude

# Managed panes as restore must give them back: everything but what a new
# server cannot keep (tmux pane ids, live agent state).
panes_json() {
	t list-agent-panes -a -J -t "$1" |
	    jq -cS '[.panes[] | del(.pane_id, .agent_state, .agent_state_reason, .conversation_id)]'
}
mstate() { t list-agent-panes -a -t "$1" -F '#{agent_pane_label} #{agent_pane_state}' | awk -v l="$2" '$1 == l { s = $2 } END { print s }'; }
pane_of() { t list-agent-panes -t "$1" -F '#{agent_pane_label} #{agent_pane_tmux_id}' | awk -v l="$2" '$1 == l { print $2 }'; }

test_case "recreate chains come back: predecessors, depths, links"
start_server
t set -g @agent-settle-time 0.1
t define-agent-template duo 'w:2:cat'
t new-agent-layout -d -s squad -T duo -c "$TEST_DIR/work" >/dev/null
wait_for "[ \"\$(mstate squad w1)\" = ready ] && [ \"\$(mstate squad w2)\" = ready ]"
# w1 is recreated twice (its pane killed each time): a chain of three.
t kill-pane -t "$(pane_of squad w1)"
wait_for "[ \"\$(mstate squad w1)\" = removed ]"
t agent-pane-recreate -t squad:w1 >/dev/null
wait_for "[ \"\$(mstate squad w1)\" = ready ]"
t kill-pane -t "$(pane_of squad w1)"
wait_for "[ \"\$(mstate squad w1)\" = removed ]"
t agent-pane-recreate -t squad:w1 >/dev/null
wait_for "[ \"\$(mstate squad w1)\" = ready ]"
before=$(panes_json squad)
assert_eq "0 1 2" "$(jq -r '[.[] | select(.label == "w1") | .depth] | map(tostring) | join(" ")' <<<"$before")"
sleep $BOUND
crash_server
restart_server
run t agent-restore
assert_eq 0 "$RC" "$ERR"
assert_contains "restored layout squad (2 panes)" "$OUT"
wait_for "[ \"\$(mstate squad w1)\" = ready ] && [ \"\$(mstate squad w2)\" = ready ]"
assert_eq "$before" "$(panes_json squad)" "every pane of every chain is back, linked"
assert_eq "w1 2 M3" "$(t list-agent-panes -t squad -F '#{agent_pane_label} #{agent_pane_depth} #{agent_pane_predecessor}' | grep '^w1 ')"
# The chain goes on from there.
t kill-pane -t "$(pane_of squad w1)"
wait_for "[ \"\$(mstate squad w1)\" = removed ]"
run t agent-pane-recreate -t squad:w1
assert_contains "(depth 3)" "$OUT"
stop_server

# mkrepo DIR: a repository with one commit on branch main.
mkrepo() {
	git init -q -b main "$1" && echo one >"$1/file" &&
	    git -C "$1" add file && git -C "$1" commit -qm one
}
R=$TEST_DIR/repo
W=$TEST_DIR/repo.agent-worktrees
mkrepo "$R"

test_case "worktree panes restart in their worktree and branch; none is made again"
start_server
t set -g @agent-settle-time 0.1
t define-agent-template duo 'w:2:cat'
t new-agent-layout -d -w -s crew -T duo -c "$R" >/dev/null
wait_for "[ \"\$(mstate crew w1)\" = ready ] && [ \"\$(mstate crew w2)\" = ready ]" 30
echo work >"$W/crew/w1/wip"
before=$(panes_json crew)
assert_eq "agent/crew/w1 $W/crew/w1" "$(jq -r '.[] | select(.label == "w1") | "\(.branch) \(.worktree)"' <<<"$before")"
trees=$(git -C "$R" worktree list --porcelain)
sleep $BOUND
crash_server
restart_server
run t agent-restore
assert_eq 0 "$RC" "$ERR"
assert_contains "restored layout crew (2 panes)" "$OUT"
assert_not_contains "missing" "$OUT"
wait_for "[ \"\$(mstate crew w1)\" = ready ] && [ \"\$(mstate crew w2)\" = ready ]" 30
assert_eq "$before" "$(panes_json crew)" "worktree, branch and base are kept"
for l in w1 w2; do
	assert_eq "$W/crew/$l" "$(t display -p -t "$(pane_of crew $l)" '#{pane_current_path}')" "$l starts in its worktree"
	assert_eq "agent/crew/$l $W/crew/$l" "$(t display -p -t "$(pane_of crew $l)" '#{agent_pane_branch} #{agent_pane_worktree}')"
done
assert_eq "$trees" "$(git -C "$R" worktree list --porcelain)" "no worktree made or removed"
assert_eq work "$(cat "$W/crew/w1/wip")" "the work in it is untouched"
stop_server

CREW_STORE=$XDG_STATE_HOME

test_case "a worktree that is gone: its pane is failed, with the reason, and said so"
# The store of the case above holds crew; w2's worktree goes away.
export XDG_STATE_HOME=$CREW_STORE
rm -rf "$W/crew/w2"
restart_server
run t agent-restore -n
assert_eq 0 "$RC" "$ERR"
assert_contains "w2: worktree missing: $W/crew/w2" "$OUT"
assert_contains "w1: cat (in worktree $W/crew/w1, branch agent/crew/w1)" "$OUT"
run t agent-restore
assert_eq 0 "$RC" "$ERR"
assert_contains "w2: worktree missing: $W/crew/w2 (pane failed)" "$OUT"
assert_eq failed "$(mstate crew w2)"
assert_eq "worktree missing: $W/crew/w2" "$(t list-agent-panes -t crew -J | jq -r '.panes[] | select(.label == "w2") | .error')"
assert_eq worktree "$(t list-agent-panes -t crew -J | jq -r '.panes[] | select(.label == "w2") | .failed_stage')"
assert_fails test -e "$W/crew/w2" "no worktree made in its place"
wait_for "[ \"\$(mstate crew w1)\" = ready ]" 30
assert_eq "$W/crew/w1" "$(t display -p -t "$(pane_of crew w1)" '#{pane_current_path}')"
assert_ok t has-session -t =crew
stop_server

test_case "an agent-report alone (its conversation id) is saved within the bound"
start_server
t set -g @agent-settle-time 0.1
: >"$TEST_DIR/claude-argv"
t define-agent-template solo 'w:1:claude'
t new-agent-layout -d -s one -T solo -c "$TEST_DIR/work" >/dev/null
wait_for "[ \"\$(mstate one w1)\" = ready ]"
sleep $BOUND
t agent-report -t "$(pane_of one w1)" session-start conv-reported
sleep $BOUND
crash_server
restart_server
run t agent-restore -n
assert_contains "w1: claude --resume conv-reported" "$OUT"
stop_server
