# Hooks that act on the server (issue 18, items 3-5 and the crashes of the
# adversarial stress mix): a command run by a hook fires no agent hook, so a
# hook that causes its own event runs once, whether the command is an agent
# command or an upstream one (kill-session, kill-pane); a hook about
# something that is gone has no current target, so a bare command fails
# instead of acting on whatever session tmux would pick; agent-wait refuses
# to hold a queue that is not its own client's (if-shell -b from a hook
# lands on another client's queue); and a hook that kills a window or pane
# does not read the freed window (checked with glibc's malloc perturbation,
# which makes a read of freed memory crash at once).
. "$(dirname "$0")/lib.sh"

start_server
t set -g @agent-settle-time 0.1

# panes SESSION: "label state" of each pane of SESSION, in order.
panes() { t list-panes -s -t "=$1" -F '#{agent_pane_label} #{agent_pane_state}' 2>/dev/null; }
# sessions: the names of all sessions, one a line, sorted.
sessions() { t ls -F '#{session_name}' 2>/dev/null | sort; }
# ready SESSION N: all N panes of SESSION are ready.
ready() { [ "$(panes "$1" | grep -c ' ready$')" = "$2" ]; }

test_case "a hook's kill-session fires no more agent-group-changed hooks"
for i in 1 2 3 4 5 6; do
	t new -d -s "s$i" cat
	t ajoin -t "s$i" crew >/dev/null
done
t new -d -s other cat
t set-hook -g agent-group-changed 'kill-session'
t kill-session -t =s1
# s1 leaves (it is gone: no current target, so the hook's kill-session
# fails) and s2 becomes coordinator: the hook kills s2, and the events s2's
# death causes run no hook.
wait_for "! t has-session -t =s2" 5
t display -p sync >/dev/null
assert_ok t display -p 'server alive'
assert_eq "other
s3
s4
s5
s6" "$(sessions)" "only s1 and s2 are gone"
t set-hook -gu agent-group-changed
for s in s3 s4 s5 s6 other; do t kill-session -t "=$s"; done

test_case "a hook's kill-pane fires no more agent-pane-state hooks (2m+2s layout)"
t newal -d -s L -T 2m+2s
wait_for "ready L 4" 5
assert_eq "m1 ready
m2 ready
s1 ready
s2 ready" "$(panes L)"
t set-hook -g agent-pane-state 'kill-pane -t L:0.0'
t agent-pane-remove -t L:s2
# s2 removed: the hook kills L:0.0 (m1) once; m1's own removal runs no hook.
wait_for "[ \"\$(panes L | wc -l)\" -le 2 ]" 5
t display -p sync >/dev/null
assert_eq "m2 ready
s1 ready" "$(panes L)"
t set-hook -gu agent-pane-state
t kill-session -t =L

test_case "a hook about a removed pane has no current target"
t newal -d -s L
t new -d -s unrelated cat
wait_for "ready L 3" 5
t set-hook -g agent-pane-state 'kill-pane'
t set-hook -ga agent-pane-state 'set -g @h18-done yes'
t agent-pane-remove -t L:m1
wait_for "[ \"\$(t show -gv @h18-done 2>/dev/null)\" = yes ]" 5
assert_eq yes "$(t show -gv @h18-done 2>/dev/null)" "the hook ran"
assert_ok t has-session -t =unrelated
assert_eq 1 "$(t list-panes -t =unrelated: 2>/dev/null | wc -l)" "unrelated keeps its pane"
assert_eq "s1 ready
s2 ready" "$(panes L)" "the layout loses only m1"
t set-hook -gu agent-pane-state
t set -gu @h18-done
t kill-session -t =L
t kill-session -t =unrelated

test_case "a hook about a removed pane still sees its formats"
t newal -d -s L
wait_for "ready L 3" 5
t set-hook -g agent-pane-state "run-shell \"echo '#{hook_agent_pane_label} #{hook_agent_pane_state} #{hook_session_name}' >> $TEST_DIR/gone\""
t agent-pane-remove -t L:m1
wait_for "[ -s $TEST_DIR/gone ]" 5
assert_eq "m1 removed L" "$(cat "$TEST_DIR/gone" 2>/dev/null)"
t set-hook -gu agent-pane-state
t kill-session -t =L

# ctl_answers NAME TOKEN: send display -p TOKEN, wait (5 s) for its answer.
ctl_answers() {
	echo "display -p '$2'" >&"$CTL_FD"
	wait_for "grep -qx '$2' '$TEST_DIR/$1.out'" 5
}

test_case "agent-wait from a hook's if-shell -b does not hold a control client's queue"
t new -d -s a cat
t ajoin -t a crew >/dev/null
ctl_start c a
assert_ok ctl_answers c tok0
t set-hook -g agent-context-changed 'if-shell -b "true" "set -g @h18-bg ran ; agent-wait -t a never"'
t ashare -t a k=1 >/dev/null
wait_for "[ \"\$(t show -gv @h18-bg 2>/dev/null)\" = ran ]" 5
assert_eq ran "$(t show -gv @h18-bg 2>/dev/null)" "the if-shell -b commands ran"
t set-hook -gu agent-context-changed
assert_ok ctl_answers c tok1
t ashare -t a k2=2 >/dev/null
wait_for "grep -q '^%agent-context-changed crew k2 ' '$TEST_DIR/c.out'" 5
assert_match "%agent-context-changed crew k2 " "$(cat "$TEST_DIR/c.out")" "notifications still arrive"
assert_contains "agent-wait: " "$(cat "$TEST_DIR/c.out")" "the wait was refused with an error"
exec {CTL_FD}>&-
kill "$CTL_PID" 2>/dev/null
t kill-session -t =a
t set -gu @h18-bg

# The crash cases run on a server of their own whose malloc fills freed
# memory (and keeps no per-thread cache, which is never filled), so reading
# a freed window crashes at once instead of by chance.
tc() { "$TMUX_BIN" -S "$TEST_DIR/crash.sock" -f /dev/null "$@"; }
crash_server() {
	tc kill-server >/dev/null 2>&1
	GLIBC_TUNABLES=glibc.malloc.tcache_count=0 MALLOC_PERTURB_=165 \
	    "$TMUX_BIN" -S "$TEST_DIR/crash.sock" -f /dev/null start-server \; set -g exit-empty off
}

test_case "an agent hook's kill-window of a window in another session's list"
crash_server
tc new -d -s a cat \; new-window -d -t a cat \; new -d -s b cat
tc ajoin -t a crew >/dev/null
tc set-hook -g agent-context-changed 'kill-window -t a:1'
tc ashare -t a k=1 >/dev/null
wait_for "[ \"\$(tc list-windows -t =a 2>/dev/null | wc -l)\" = 1 ] || ! tc has-session -t =b" 5
assert_ok tc display -p 'server alive'
assert_eq 1 "$(tc list-windows -t =a 2>/dev/null | wc -l)" "a:1 is gone"
assert_ok tc has-session -t =b

test_case "an agent hook's kill-pane of the last pane of a window"
crash_server
tc new -d -s a cat \; new-window -d -t a cat \; new -d -s b cat
tc ajoin -t a crew >/dev/null
tc set-hook -g agent-context-changed 'kill-pane -t a:1.0'
tc ashare -t a k=1 >/dev/null
wait_for "[ \"\$(tc list-windows -t =a 2>/dev/null | wc -l)\" = 1 ] || ! tc has-session -t =b" 5
assert_ok tc display -p 'server alive'
assert_eq 1 "$(tc list-windows -t =a 2>/dev/null | wc -l)" "a:1 is gone"

test_case "a tmux hook's kill-window (the same upstream bug, plain tmux hooks)"
crash_server
tc new -d -s a cat \; new-window -d -t a cat \; new -d -s b cat
tc set-hook -g session-renamed 'kill-window -t a:1'
tc rename-session -t =b bb
wait_for "[ \"\$(tc list-windows -t =a 2>/dev/null | wc -l)\" = 1 ] || ! tc has-session -t =bb" 5
assert_ok tc display -p 'server alive'
assert_eq 1 "$(tc list-windows -t =a 2>/dev/null | wc -l)" "a:1 is gone"
tc kill-server >/dev/null 2>&1
