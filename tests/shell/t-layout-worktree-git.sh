# Git as a child process: a slow git never blocks the server (other commands
# answer while new-agent-layout -w waits), a git past @agent-worktree-timeout
# or failing leaves only its pane failed with git's message, git missing
# from PATH is a clear error, a client that goes away while git runs breaks
# nothing (t-layout-worktree-many.sh: 8 layouts x 3 panes at once). A fake git on PATH (tests/shell: made here) stalls on a gate file
# or fails for chosen worktrees and runs the real git otherwise.
. "$(dirname "$0")/lib.sh"

export GIT_AUTHOR_NAME=tester GIT_AUTHOR_EMAIL=tester@example.invalid
export GIT_COMMITTER_NAME=tester GIT_COMMITTER_EMAIL=tester@example.invalid
export GIT_CONFIG_NOSYSTEM=1

REAL_GIT=$(command -v git)
FAKE=$TEST_DIR/fakebin
mkdir -p "$FAKE"
cat >"$FAKE/git" <<FAKEGIT
#!/bin/sh
case "\$*" in
*"worktree add"*/gated/s1*|*"worktree add"*/gone/s1*)
	while [ ! -e "$TEST_DIR/gate" ]; do sleep 0.05; done ;;
*"worktree add"*/late/s1*)
	while [ ! -e "$TEST_DIR/gate2" ]; do sleep 0.05; done ;;
*"worktree add"*/stuck/s1*)
	while :; do sleep 0.05; done ;;
*"worktree add"*/bad/s2*)
	echo "fatal: simulated failure for s2" >&2; exit 128 ;;
esac
exec "$REAL_GIT" "\$@"
FAKEGIT
chmod +x "$FAKE/git"

PATH=$FAKE:$PATH start_server
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
layout_of() { t lsal -a -F '#{agent_layout_session} #{agent_layout_id}' | awk -v s="$1" '$1 == s { print $2 }'; }
state_of() { mp "$(mid "$(layout_of "$1")" "$2")" state; }
path_of() { t display -p -t "$(mp "$(mid "$(layout_of "$1")" "$2")" pane_id)" '#{pane_current_path}'; }

R=$TEST_DIR/repo
mkrepo "$R"
W=$TEST_DIR/repo.agent-worktrees

test_case "a slow git does not block the server; the command waits for it"
t set -g @agent-worktree-timeout 60
t new-agent-layout -d -w -s gated -c "$R" >"$TEST_DIR/gated.out" 2>&1 &
pid=$!
wait_for "[ \"\$(state_of gated m1)\" = ready ]" 30
assert_eq ready "$(state_of gated m1)" "m1's git was first"
assert_eq creating "$(state_of gated s1)" "s1's git still runs"
assert_eq creating "$(state_of gated s2)" "s2's git waits for it (one at a time per repository)"
assert_eq answered "$(t display -p answered)" "the server answers meanwhile"
assert_ok kill -0 "$pid"
touch "$TEST_DIR/gate"
wait "$pid"
assert_eq 0 "$?" "$(cat "$TEST_DIR/gated.out")"
wait_for "[ \"\$(state_of gated s1)\" = ready ] && [ \"\$(state_of gated s2)\" = ready ]" 30
assert_eq "$W/gated/s1" "$(path_of gated s1)"
assert_eq "$W/gated/s2" "$(path_of gated s2)"
rm -f "$TEST_DIR/gate"

test_case "a git past the timeout is killed; only its pane fails, the next git goes on"
# Long enough for the other git commands even on a loaded machine.
t set -g @agent-worktree-timeout 5
run t new-agent-layout -d -w -s stuck -c "$R"
assert_eq 1 "$RC"
assert_contains "pane s1 failed: git worktree add timed out after 5s" "$ERR"
assert_eq failed "$(state_of stuck s1)"
assert_eq worktree "$(mp "$(mid "$(layout_of stuck)" s1)" failed_stage)"
assert_eq "git worktree add timed out after 5s" "$(mp "$(mid "$(layout_of stuck)" s1)" error)"
wait_for "[ \"\$(state_of stuck s2)\" = ready ]" 30
assert_eq ready "$(state_of stuck s2)"
assert_eq "$W/stuck/m1" "$(path_of stuck m1)"
wait_for "! pgrep -f 'stuck/s1' >/dev/null" 30
assert_fails pgrep -f "worktree add -b agent/stuck/s1"
t set -g @agent-worktree-timeout 60

test_case "a failing git fails its pane with git's message"
run t new-agent-layout -d -w -s bad -c "$R"
assert_eq 1 "$RC"
assert_contains "pane s2 failed: git worktree add failed (128): fatal: simulated failure for s2" "$ERR"
assert_eq "git worktree add failed (128): fatal: simulated failure for s2" "$(mp "$(mid "$(layout_of bad)" s2)" error)"
assert_eq failed "$(state_of bad s2)"
assert_contains "state=failed stage=worktree" "$(t lsap -t bad | grep 'label=s2')"
wait_for "[ \"\$(state_of bad s1)\" = ready ]" 30
assert_eq ready "$(state_of bad s1)"

test_case "a client that goes away while git runs: the layout goes on"
t new-agent-layout -d -w -s gone -c "$R" >/dev/null 2>&1 &
pid=$!
wait_for "[ \"\$(state_of gone m1)\" = ready ]" 30
kill "$pid"
wait "$pid" 2>/dev/null
touch "$TEST_DIR/gate"
wait_for "[ \"\$(state_of gone s1)\" = ready ]" 30
assert_eq ready "$(state_of gone s1)"
assert_eq "$W/gone/s1" "$(path_of gone s1)"
assert_eq ok "$(t display -p ok)"

test_case "a layout killed while git makes a worktree: that worktree is removed when git is done"
t new-agent-layout -d -w -s late -c "$R" >"$TEST_DIR/late.out" 2>&1 &
pid=$!
wait_for "[ \"\$(state_of late m1)\" = ready ]" 30
# Its removals wait behind s1's git, which waits for the gate.
t kill-agent-layout -t late >"$TEST_DIR/late-kill.out" 2>&1 &
kpid=$!
wait_for "! t has-session -t late" 30
assert_fails t has-session -t late
assert_ok kill -0 "$kpid"
touch "$TEST_DIR/gate2"
wait "$kpid"
assert_eq 0 "$?" "$(cat "$TEST_DIR/late-kill.out")"
assert_contains "worktree removed: $W/late/m1" "$(cat "$TEST_DIR/late-kill.out")"
wait "$pid"
assert_eq 0 "$?" "$(cat "$TEST_DIR/late.out")"
wait_for "! git -C '$R' rev-parse -q --verify refs/heads/agent/late/s1" 30
assert_fails git -C "$R" rev-parse -q --verify refs/heads/agent/late/s1
assert_fails test -e "$W/late/s1"
assert_not_contains "$W/late/" "$(git -C "$R" worktree list)"

test_case "git missing from PATH: a clear error, nothing made"
NS=$TEST_DIR/nogit.sock
mkdir -p "$TEST_DIR/empty-bin"
PATH=$TEST_DIR/empty-bin "$TMUX_BIN" -S "$NS" -f /dev/null new-session -d -s base
run env PATH="$TEST_DIR/empty-bin" "$TMUX_BIN" -S "$NS" new-agent-layout -d -w -s nogit -c "$R"
assert_eq 1 "$RC"
assert_eq "git not found in PATH" "$ERR"
assert_fails "$TMUX_BIN" -S "$NS" has-session -t nogit
assert_eq base "$("$TMUX_BIN" -S "$NS" ls -F '#{session_name}')"
assert_fails test -e "$W/nogit"
"$TMUX_BIN" -S "$NS" kill-server
