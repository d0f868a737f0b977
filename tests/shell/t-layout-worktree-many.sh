# 8 layouts x 3 panes made at once in one repository: 24 worktrees and
# branches, no collision, each pane in its own; killing the 8 at once
# removes all 24. Real repositories, made here.
. "$(dirname "$0")/lib.sh"

export GIT_AUTHOR_NAME=tester GIT_AUTHOR_EMAIL=tester@example.invalid
export GIT_COMMITTER_NAME=tester GIT_COMMITTER_EMAIL=tester@example.invalid
export GIT_CONFIG_NOSYSTEM=1

start_server
t set -g @agent-settle-time 0.2
t set -g @agent-worktree-timeout 120

mkrepo() {
	git init -q -b main "$1" && echo one >"$1/file" &&
	    git -C "$1" add file && git -C "$1" commit -qm one
}
mid() { t list-agent-panes -a -t "$1" -F '#{agent_pane_label} #{agent_pane_id}' | awk -v l="$2" '$1 == l { m = $2 } END { print m }'; }
mp() {
	t list-agent-panes -a -J |
	    jq -r --arg m "$1" ".panes[] | select(.id == \$m) | .$2 | if . == null then \"\" else tostring end"
}
layout_of() { t lsal -a -F '#{agent_layout_session} #{agent_layout_id}' | awk -v s="$1" '$1 == s { print $2 }'; }
path_of() { t display -p -t "$(mp "$(mid "$(layout_of "$1")" "$2")" pane_id)" '#{pane_current_path}'; }

R=$TEST_DIR/repo
mkrepo "$R"
W=$TEST_DIR/repo.agent-worktrees

test_case "8 layouts x 3 panes at once in one repository: 24 worktrees, no collision"
pids=""
for i in 1 2 3 4 5 6 7 8; do
	t new-agent-layout -d -w -s "many$i" -c "$R" >"$TEST_DIR/many$i.out" 2>&1 &
	pids="$pids $!"
done
fails=0
for p in $pids; do wait "$p" || fails=$((fails + 1)); done
assert_eq 0 "$fails" "$(cat "$TEST_DIR"/many*.out)"
assert_eq 24 "$(git -C "$R" worktree list --porcelain | grep -c "^worktree $W/many")"
assert_eq 24 "$(git -C "$R" for-each-ref --format='%(refname)' refs/heads/agent/ | grep -c '^refs/heads/agent/many[1-8]/[ms][12]$')"
for i in 1 2 3 4 5 6 7 8; do
	for l in m1 s1 s2; do
		wait_for "[ \"\$(path_of many$i $l)\" = '$W/many$i/$l' ]" 30
		assert_eq "$W/many$i/$l" "$(path_of "many$i" "$l")"
		assert_eq "agent/many$i/$l" "$(git -C "$W/many$i/$l" branch --show-current)"
	done
done

test_case "... and killing them all removes all 24"
pids=""
for i in 1 2 3 4 5 6 7 8; do
	t kill-agent-layout -t "many$i" >"$TEST_DIR/kill$i.out" 2>&1 &
	pids="$pids $!"
done
fails=0
for p in $pids; do wait "$p" || fails=$((fails + 1)); done
assert_eq 0 "$fails" "$(cat "$TEST_DIR"/kill*.out)"
assert_eq 24 "$(cat "$TEST_DIR"/kill*.out | grep -c '^worktree removed: ')"
assert_eq 0 "$(git -C "$R" worktree list --porcelain | grep -c "^worktree $W/many")"
assert_eq 0 "$(git -C "$R" for-each-ref --format='%(refname)' refs/heads/agent/ | grep -c '^refs/heads/agent/many')"
assert_eq main "$(git -C "$R" for-each-ref --format='%(refname:short)' refs/heads/)" "only main is left"
