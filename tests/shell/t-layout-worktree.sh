# new-agent-layout -w: a git worktree and branch per managed pane, made by
# git jobs while the command waits; the panes start in their worktrees, a
# commit in one is not in another; list-agent-panes, -J and the formats show
# them; bad input and a directory outside any repository make nothing;
# define-agent-template -w; recreate keeps (or re-adds) the worktree.
. "$(dirname "$0")/lib.sh"

export GIT_AUTHOR_NAME=tester GIT_AUTHOR_EMAIL=tester@example.invalid
export GIT_COMMITTER_NAME=tester GIT_COMMITTER_EMAIL=tester@example.invalid
export GIT_CONFIG_NOSYSTEM=1

start_server
t set -g @agent-settle-time 0.2

# mkrepo DIR: a repository with one commit on branch main.
mkrepo() {
	git init -q -b main "$1" && echo one >"$1/file" &&
	    git -C "$1" add file && git -C "$1" commit -qm one
}
mp() {
	t list-agent-panes -a -J |
	    jq -r --arg m "$1" ".panes[] | select(.id == \$m) | .$2 | if . == null then \"\" else tostring end"
}
mid() { t list-agent-panes -a -t "$1" -F '#{agent_pane_label} #{agent_pane_id}' | awk -v l="$2" '$1 == l { m = $2 } END { print m }'; }
# pane_of LAYOUT LABEL: the tmux pane of the layout's current pane LABEL.
pane_of() { mp "$(mid "$1" "$2")" pane_id; }
path_of() { t display -p -t "$(pane_of "$1" "$2")" '#{pane_current_path}'; }

R=$TEST_DIR/repo
mkrepo "$R"
W=$TEST_DIR/repo.agent-worktrees

test_case "-w makes a worktree and branch per pane, named agent/LAYOUT/LABEL"
run t new-agent-layout -d -w -P -s squad -c "$R"
assert_eq 0 "$RC" "$ERR"
L=$OUT
assert_match '^L[0-9]+$' "$L"
for l in m1 s1 s2; do
	assert_eq "$W/squad/$l" "$(git -C "$R" worktree list --porcelain | grep -x "worktree $W/squad/$l" | cut -d' ' -f2-)"
	assert_eq "refs/heads/agent/squad/$l" "$(git -C "$W/squad/$l" symbolic-ref HEAD)"
	assert_eq "$(git -C "$R" rev-parse HEAD)" "$(git -C "$W/squad/$l" rev-parse HEAD)" "from HEAD"
done
assert_eq main "$(git -C "$R" branch --show-current)" "the main checkout is untouched"
assert_eq "" "$(git -C "$R" status --porcelain)" "and clean: the worktrees are beside it"

test_case "the panes start in their worktrees"
for l in m1 s1 s2; do
	wait_for "[ \"\$(path_of $L $l)\" = '$W/squad/$l' ]" 5
	assert_eq "$W/squad/$l" "$(path_of "$L" "$l")"
done
wait_for "[ \"\$(mp $(mid "$L" m1) state)\" = ready ]" 30
assert_eq ready "$(mp "$(mid "$L" m1)" state)"

test_case "formats, list-agent-panes and -J show worktree and branch"
assert_eq "agent/squad/s1 $W/squad/s1" "$(t display -p -t "$(pane_of "$L" s1)" '#{agent_pane_branch} #{agent_pane_worktree}')"
M=$(mid "$L" s2)
assert_eq "$W/squad/s2" "$(mp "$M" worktree)"
assert_eq agent/squad/s2 "$(mp "$M" branch)"
assert_eq false "$(mp "$M" worktree_removed)"
assert_eq "$(git -C "$R" rev-parse HEAD)" "$(mp "$M" worktree_base)"
assert_contains "label=s2 role=specialist state=ready depth=0 branch=agent/squad/s2 worktree=$W/squad/s2" "$(t lsap -t squad)"
assert_eq "agent/squad/m1" "$(t lsap -t squad -F '#{agent_pane_branch}' | head -1)"

test_case "a commit in one pane's worktree is not in another's"
t send-keys -t "$(pane_of "$L" m1)" 'echo mine > new.txt && git add new.txt && git commit -qm from-m1 && echo DONE-M1' Enter
wait_for "capture $(pane_of "$L" m1) | grep -qx DONE-M1" 30
assert_contains from-m1 "$(git -C "$W/squad/m1" log --format=%s)"
assert_not_contains from-m1 "$(git -C "$W/squad/s1" log --format=%s)"
assert_fails test -e "$W/squad/s1/new.txt"
assert_fails test -e "$R/new.txt"
assert_eq "$(git -C "$R" rev-parse main)" "$(git -C "$W/squad/s1" rev-parse HEAD)"

test_case "plain layouts are unchanged: no worktree, empty formats"
run t new-agent-layout -d -P -s plain -c "$R"
assert_eq 0 "$RC" "$ERR"
assert_eq "" "$(t display -p -t "$(pane_of "$OUT" m1)" '#{agent_pane_worktree}#{agent_pane_branch}')"
assert_eq "" "$(mp "$(mid "$OUT" m1)" worktree)"
assert_not_contains branch= "$(t lsap -t plain)"
assert_eq 4 "$(git -C "$R" worktree list | wc -l | tr -d ' ')" "no new worktrees"

test_case "-b starts the worktrees from another base"
git -C "$R" branch older HEAD
git -C "$R" commit -q --allow-empty -m two
run t new-agent-layout -d -w -s based -b older -c "$R"
assert_eq 0 "$RC" "$ERR"
assert_eq "$(git -C "$R" rev-parse older)" "$(git -C "$W/based/m1" rev-parse HEAD)"
assert_ne "$(git -C "$R" rev-parse main)" "$(git -C "$W/based/m1" rev-parse HEAD)"

test_case "a relative -c, and no -c, are the client's working directory"
run sh -c "cd '$TEST_DIR' && exec '$TMUX_BIN' -S '$SOCK' new-agent-layout -d -w -s rel -c repo"
assert_eq 0 "$RC" "$ERR"
assert_eq agent/rel/m1 "$(git -C "$W/rel/m1" branch --show-current)"
run sh -c "cd '$R' && exec '$TMUX_BIN' -S '$SOCK' new-agent-layout -d -w -s here"
assert_eq 0 "$RC" "$ERR"
assert_eq agent/here/s2 "$(git -C "$W/here/s2" branch --show-current)"
for s in rel here; do t kill-agent-layout -t "$s" >/dev/null; done
assert_fails test -e "$W/rel/m1"

test_case "outside a repository: an error and nothing made"
mkdir -p "$TEST_DIR/plain-dir"
before=$(t ls | wc -l)
run t new-agent-layout -d -w -s norepo -c "$TEST_DIR/plain-dir"
assert_eq 1 "$RC"
assert_eq "not a git repository: $TEST_DIR/plain-dir" "$ERR"
assert_eq "$before" "$(t ls | wc -l)" "no session"
assert_fails t has-session -t norepo
assert_fails test -e "$TEST_DIR/plain-dir.agent-worktrees"

test_case "a base git can't resolve: an error and nothing made"
run t new-agent-layout -d -w -s nobase -b no-such-branch -c "$R"
assert_eq 1 "$RC"
assert_contains "can't resolve base no-such-branch" "$ERR"
assert_contains "fatal:" "$ERR"
assert_fails t has-session -t nobase
assert_fails test -e "$W/nobase"

test_case "bad names, bases and directories are refused before git runs"
assert_error_contains 'invalid worktree base: "--upload-pack=x" (must not start with -)' \
    t new-agent-layout -d -w -s b1 -b --upload-pack=x -c "$R"
assert_error_contains 'invalid worktree base: "main..older" (must not contain ..)' \
    t new-agent-layout -d -w -s b2 -b main..older -c "$R"
assert_error_contains 'invalid worktree name: "x..y" (must not contain ..)' \
    t new-agent-layout -d -w -s x..y -c "$R"
assert_error_contains 'invalid worktree name: "-x" (must not start with . or -)' \
    t new-agent-layout -d -w -s -x -c "$R"
assert_error_contains 'invalid worktree name: "a.lock" (must not end with . or .lock)' \
    t new-agent-layout -d -w -s a.lock -c "$R"
long=$(printf 'n%.0s' $(seq 65))
assert_error_contains "invalid session name: \"$long\"" \
    t new-agent-layout -d -w -s "$long" -c "$R"
assert_error_contains "start directory does not exist: $TEST_DIR/nowhere" \
    t new-agent-layout -d -w -s b3 -c "$TEST_DIR/nowhere"
assert_error_contains "-b needs -w" t new-agent-layout -d -s b4 -b main -c "$R"
t define-agent-template dotted '.x:1'
assert_error_contains 'invalid worktree name: ".1" (must not start with . or -)' \
    t new-agent-layout -d -w -s b5 -T dotted -c "$R"
assert_fails t has-session -t b1
for s in b1 b2 x..y -x a.lock b3 b4 b5; do assert_fails t has-session -t "=$s"; done
assert_eq 7 "$(git -C "$R" worktree list | wc -l | tr -d ' ')" "no worktrees made"

test_case "a name already taken in the repository fails those panes with git's message"
git -C "$R" branch agent/taken/s1
run t new-agent-layout -d -w -P -s taken -c "$R"
assert_eq 1 "$RC"
assert_contains "layout L" "$ERR"
assert_contains "pane s1 failed: git worktree add failed (" "$ERR"
assert_contains "): fatal: a branch named 'agent/taken/s1' already exists" "$ERR"
assert_not_contains "pane m1" "$ERR"
LT=$(t lsal -F '#{agent_layout_session} #{agent_layout_id}' | awk '$1 == "taken" { print $2 }')
M=$(mid "$LT" s1)
assert_eq failed "$(mp "$M" state)"
assert_eq worktree "$(mp "$M" failed_stage)"
assert_contains "already exists" "$(mp "$M" error)"
wait_for "[ \"\$(mp $(mid "$LT" m1) state)\" = ready ]" 30
assert_eq ready "$(mp "$(mid "$LT" m1)" state)" "other panes unaffected"
assert_eq "$W/taken/s2" "$(path_of "$LT" s2)"

test_case "define-agent-template -w: its layouts get worktrees without -w"
t define-agent-template -w wt-pair 'dev:2'
assert_contains "worktree per pane" "$(t list-agent-templates | grep '^wt-pair:')"
assert_eq true "$(t list-agent-templates -J | jq -r '.templates[] | select(.name == "wt-pair") | .worktree')"
run t new-agent-layout -d -s pair -T wt-pair -c "$R"
assert_eq 0 "$RC" "$ERR"
LP=$(t lsal -F '#{agent_layout_session} #{agent_layout_id}' | awk '$1 == "pair" { print $2 }')
assert_eq "agent/pair/d1" "$(git -C "$W/pair/d1" branch --show-current)"
assert_eq "$W/pair/d2" "$(t display -p -t "$(pane_of "$LP" d2)" '#{agent_pane_worktree}')"

test_case "recreate reuses the predecessor's worktree and branch"
M=$(mid "$L" s1)
echo wip >"$W/squad/s1/wip.txt"
t send-keys -t "$(pane_of "$L" s1)" 'exit' Enter
wait_for "[ \"\$(mp $M state)\" = degraded ]" 30
run t agent-pane-recreate -t "$M"
assert_eq 0 "$RC" "$ERR"
N=$(mid "$L" s1)
assert_ne "$M" "$N"
assert_eq "$W/squad/s1" "$(mp "$N" worktree)"
assert_eq agent/squad/s1 "$(mp "$N" branch)"
wait_for "[ \"\$(path_of $L s1)\" = '$W/squad/s1' ]" 30
assert_eq "$W/squad/s1" "$(path_of "$L" s1)"
assert_eq wip "$(cat "$W/squad/s1/wip.txt")" "work kept"
assert_eq 1 "$(git -C "$R" worktree list | grep -c "/squad/s1 ")"

test_case "recreate of a pane whose worktree was deleted adds it again from its branch"
t send-keys -t "$(pane_of "$L" m1)" 'cd / && exit' Enter
M=$(mid "$L" m1)
wait_for "[ \"\$(mp $M state)\" = degraded ]" 30
rm -rf "$W/squad/m1"
run t agent-pane-recreate -t "$M"
assert_eq 0 "$RC" "$ERR"
N=$(mid "$L" m1)
wait_for "[ \"\$(mp $N state)\" = ready ]" 30
assert_eq ready "$(mp "$N" state)"
assert_eq "$W/squad/m1" "$(path_of "$L" m1)"
assert_contains from-m1 "$(git -C "$W/squad/m1" log --format=%s)" "the branch's commits are back"
