# What agent-pane-remove and kill-agent-layout do with a pane's worktree:
# removed with its branch when clean and merged (or without commits of its
# own); kept, and said so, with uncommitted changes, commits not merged, or
# a lock; -f removes changes and commits anyway; a worktree deleted by hand
# is pruned. Real repositories, made here.
. "$(dirname "$0")/lib.sh"

export GIT_AUTHOR_NAME=tester GIT_AUTHOR_EMAIL=tester@example.invalid
export GIT_COMMITTER_NAME=tester GIT_COMMITTER_EMAIL=tester@example.invalid
export GIT_CONFIG_NOSYSTEM=1

start_server
t set -g @agent-settle-time 0.2

mkrepo() {
	git init -q -b main "$1" && echo one >"$1/file" &&
	    git -C "$1" add file && git -C "$1" commit -qm one
}
mid() { t list-agent-panes -a -t "$1" -F '#{agent_pane_label} #{agent_pane_id}' | awk -v l="$2" '$1 == l { m = $2 } END { print m }'; }
mp() {
	t list-agent-panes -a -J |
	    jq -r --arg m "$1" ".panes[] | select(.id == \$m) | .$2 | if . == null then \"\" else tostring end"
}
# mkl ARGS: new-agent-layout -d -w -P ARGS, its stderr kept for ok_made.
mkl() { t new-agent-layout -d -w -P "$@" 2>"$TEST_DIR/mkl.err"; }
ok_made() { assert_eq "" "$(cat "$TEST_DIR/mkl.err")" "new-agent-layout said"; }
has_branch() { git -C "$R" rev-parse -q --verify "refs/heads/$1" >/dev/null; }

R=$TEST_DIR/repo
mkrepo "$R"
W=$TEST_DIR/repo.agent-worktrees
L=$(mkl -s rm -T 2m+2s -c "$R")

test_case "a clean worktree with no commits of its own is removed with its branch"
ok_made
M=$(mid "$L" m1)
run t agent-pane-remove -t "$M"
assert_eq 0 "$RC" "$ERR"
assert_eq "$M removed
worktree removed: $W/rm/m1 (branch agent/rm/m1 deleted)" "$OUT"
assert_fails test -e "$W/rm/m1"
assert_fails has_branch agent/rm/m1
assert_eq removed "$(mp "$M" state)"
assert_eq true "$(mp "$M" worktree_removed)"
assert_contains "(removed)" "$(t lsap -a -t "$L" | grep "^$M:")"

test_case "uncommitted changes: kept, and said so; -f removes it"
M=$(mid "$L" m2)
echo wip >"$W/rm/m2/untracked.txt"
run t agent-pane-remove -t "$M"
assert_eq 0 "$RC" "$ERR"
assert_eq "$M removed
worktree kept: $W/rm/m2 (uncommitted changes; -f removes it)" "$OUT"
assert_eq wip "$(cat "$W/rm/m2/untracked.txt")"
assert_ok has_branch agent/rm/m2
assert_eq removed "$(mp "$M" state)"
assert_eq false "$(mp "$M" worktree_removed)"
# The pane is gone; its kept worktree can still be removed, with -f.
run t agent-pane-remove -f -t "$M"
assert_eq "$M is already removed
worktree removed: $W/rm/m2 (branch agent/rm/m2 deleted)" "$OUT"
assert_fails test -e "$W/rm/m2"
assert_fails has_branch agent/rm/m2

test_case "a modified tracked file counts as uncommitted too"
M=$(mid "$L" s1)
echo changed >>"$W/rm/s1/file"
run t agent-pane-remove -t "$M"
assert_contains "worktree kept: $W/rm/s1 (uncommitted changes" "$OUT"
assert_ok test -d "$W/rm/s1"
git -C "$W/rm/s1" checkout -q -- file

test_case "commits not merged: kept; merged into the base: removed"
git -C "$W/rm/s1" commit -q --allow-empty -m own-1
git -C "$W/rm/s1" commit -q --allow-empty -m own-2
run t agent-pane-remove -t "$M"
assert_eq "$M is already removed
worktree kept: $W/rm/s1 (branch agent/rm/s1 has 2 commits not merged; -f removes it)" "$OUT"
assert_ok test -d "$W/rm/s1"
git -C "$R" merge -q --ff-only agent/rm/s1
run t agent-pane-remove -t "$M"
assert_eq "$M is already removed
worktree removed: $W/rm/s1 (branch agent/rm/s1 deleted)" "$OUT"
assert_fails test -e "$W/rm/s1"
assert_eq own-2 "$(git -C "$R" log -1 --format=%s main)" "the merged work stays on main"

test_case "-f removes a worktree with commits not merged (destructive)"
M=$(mid "$L" s2)
git -C "$W/rm/s2" commit -q --allow-empty -m lost
echo dirty >"$W/rm/s2/x"
run t agent-pane-remove -f -t "$M"
assert_eq "$M removed
worktree removed: $W/rm/s2 (branch agent/rm/s2 deleted)" "$OUT"
assert_fails test -e "$W/rm/s2"
assert_fails has_branch agent/rm/s2
assert_eq 1 "$(git -C "$R" worktree list | wc -l | tr -d ' ')"

test_case "a locked worktree is kept, even with -f"
L2=$(mkl -s lk -c "$R")
ok_made
git -C "$R" worktree lock "$W/lk/m1"
run t agent-pane-remove -f -t "$(mid "$L2" m1)"
assert_eq 0 "$RC" "$ERR"
assert_contains "worktree kept: $W/lk/m1 (locked; git worktree unlock it first)" "$OUT"
assert_ok test -d "$W/lk/m1"
assert_ok has_branch agent/lk/m1

test_case "a worktree deleted by hand is pruned (its branch deleted unless it has commits)"
rm -rf "$W/lk/s1"
run t agent-pane-remove -t "$(mid "$L2" s1)"
assert_eq 0 "$RC" "$ERR"
assert_contains "worktree missing: $W/lk/s1 (pruned; branch agent/lk/s1 deleted)" "$OUT"
assert_not_contains "$W/lk/s1" "$(git -C "$R" worktree list)"
assert_fails has_branch agent/lk/s1
git -C "$W/lk/s2" commit -q --allow-empty -m keep-me
rm -rf "$W/lk/s2"
run t agent-pane-remove -t "$(mid "$L2" s2)"
assert_contains "worktree missing: $W/lk/s2 (pruned; branch agent/lk/s2 kept: 1 commits not merged)" "$OUT"
assert_ok has_branch agent/lk/s2

test_case "kill-agent-layout: one line per worktree, removed or kept"
L3=$(mkl -s kl -c "$R")
ok_made
echo wip >"$W/kl/s1/wip"
git -C "$W/kl/s2" commit -q --allow-empty -m mine
run t kill-agent-layout -t "$L3"
assert_eq 0 "$RC" "$ERR"
assert_eq "$L3 killed
worktree removed: $W/kl/m1 (branch agent/kl/m1 deleted)
worktree kept: $W/kl/s1 (uncommitted changes; -f removes it)
worktree kept: $W/kl/s2 (branch agent/kl/s2 has 1 commits not merged; -f removes it)" "$OUT"
assert_fails t has-session -t kl
assert_ok test -f "$W/kl/s1/wip"
assert_ok has_branch agent/kl/s2

test_case "kill-agent-layout -f removes them all"
L4=$(mkl -s kf -c "$R")
ok_made
echo wip >"$W/kf/s1/wip"
git -C "$W/kf/s2" commit -q --allow-empty -m mine
run t kill-agent-layout -f -t "$L4"
assert_eq 0 "$RC" "$ERR"
assert_eq 3 "$(printf '%s\n' "$OUT" | grep -c '^worktree removed: ')"
assert_fails test -e "$W/kf"/s1
for l in m1 s1 s2; do assert_fails has_branch "agent/kf/$l"; done

test_case "-q: quiet, the rules the same"
L5=$(mkl -s kq -c "$R")
ok_made
echo wip >"$W/kq/m1/wip"
run t kill-agent-layout -q -t "$L5"
assert_eq 0 "$RC" "$ERR"
assert_eq "" "$OUT"
assert_ok test -f "$W/kq/m1/wip"
assert_fails test -e "$W/kq/s1"
