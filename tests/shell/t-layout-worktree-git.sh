# Git as a child process: a slow git never blocks the server (other commands
# answer while new-agent-layout -w waits), a git past @agent-worktree-timeout
# or failing leaves only its pane failed with git's message, git missing
# from PATH is a clear error, a client that goes away while git runs breaks
# nothing, and 8 layouts x 3 panes made at once in one repository never
# collide. A fake git on PATH (tests/shell: made here) stalls on a gate file
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
wait_for "[ \"\$(state_of gated m1)\" = ready ] && [ \"\$(state_of gated s2)\" = ready ]" 10
assert_eq ready "$(state_of gated m1)" "the other panes are up"
assert_eq creating "$(state_of gated s1)" "s1's git still runs"
assert_eq answered "$(t display -p answered)" "the server answers meanwhile"
assert_ok kill -0 "$pid"
touch "$TEST_DIR/gate"
wait "$pid"
assert_eq 0 "$?" "$(cat "$TEST_DIR/gated.out")"
wait_for "[ \"\$(state_of gated s1)\" = ready ]" 5
assert_eq "$W/gated/s1" "$(path_of gated s1)"
rm -f "$TEST_DIR/gate"

test_case "a git past the timeout is killed; only its pane fails"
t set -g @agent-worktree-timeout 1
run t new-agent-layout -d -w -s stuck -c "$R"
assert_eq 1 "$RC"
assert_contains "pane s1 failed: git worktree add timed out after 1s" "$ERR"
assert_eq failed "$(state_of stuck s1)"
assert_eq worktree "$(mp "$(mid "$(layout_of stuck)" s1)" failed_stage)"
assert_eq "git worktree add timed out after 1s" "$(mp "$(mid "$(layout_of stuck)" s1)" error)"
wait_for "[ \"\$(state_of stuck s2)\" = ready ]" 5
assert_eq ready "$(state_of stuck s2)"
assert_eq "$W/stuck/m1" "$(path_of stuck m1)"
wait_for "! pgrep -f 'stuck/s1' >/dev/null" 5
assert_fails pgrep -f "worktree add -b agent/stuck/s1"
t set -g @agent-worktree-timeout 60

test_case "a failing git fails its pane with git's message"
run t new-agent-layout -d -w -s bad -c "$R"
assert_eq 1 "$RC"
assert_contains "pane s2 failed: git worktree add failed (128): fatal: simulated failure for s2" "$ERR"
assert_eq "git worktree add failed (128): fatal: simulated failure for s2" "$(mp "$(mid "$(layout_of bad)" s2)" error)"
assert_eq failed "$(state_of bad s2)"
assert_contains "state=failed stage=worktree" "$(t lsap -t bad | grep 'label=s2')"
wait_for "[ \"\$(state_of bad s1)\" = ready ]" 5
assert_eq ready "$(state_of bad s1)"

test_case "a client that goes away while git runs: the layout goes on"
t new-agent-layout -d -w -s gone -c "$R" >/dev/null 2>&1 &
pid=$!
wait_for "[ \"\$(state_of gone m1)\" = ready ]" 10
kill "$pid"
wait "$pid" 2>/dev/null
touch "$TEST_DIR/gate"
wait_for "[ \"\$(state_of gone s1)\" = ready ]" 10
assert_eq ready "$(state_of gone s1)"
assert_eq "$W/gone/s1" "$(path_of gone s1)"
assert_eq ok "$(t display -p ok)"

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
		wait_for "[ \"\$(path_of many$i $l)\" = '$W/many$i/$l' ]" 10
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
assert_ok git -C "$R" rev-parse -q --verify refs/heads/agent/gated/m1
