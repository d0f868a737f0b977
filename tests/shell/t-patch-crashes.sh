# Server crashes of upstream tmux 3.5a that agent-tmux fixes in its patch
# series (vendor/patches): a control-mode notification that runs after the
# session or window it is about changed under it (0008), and a grouped
# session emptied by break-pane or kill-window whose stale current window was
# read while the rest of its group was destroyed (0009). Each case runs the
# sequence with a control client attached and checks that the server lives
# on, that the control client is still answered and what became of the
# sessions. Plain upstream 3.5a crashes on every case, so against a build
# without the agent commands (the plain build) the cases skip.
. "$(dirname "$0")/lib.sh"

# glibc's malloc with its per-thread cache off and with freed memory filled
# with junk (perturb): a read through a pointer to a freed block then reads
# junk and crashes, where it would often read the stale but intact block.
# The server inherits this from the client that starts it. (Under the memory
# checkers, tests/memcheck, their own allocator replaces glibc's.)
export GLIBC_TUNABLES=glibc.malloc.tcache_count=0:glibc.malloc.perturb=165

# ctl_sync NAME FD TOKEN: have control client NAME print TOKEN (sent through
# FD) and wait for it: everything the server queued before has run. (The
# write is in a subshell: if the client has died with the server, SIGPIPE
# ends that subshell, not the test.)
ctl_sync() {
	(echo "display -p '$3'" >&"$2") 2>/dev/null
	wait_for "grep -qx '$3' '$TEST_DIR/$1.out'" 5
}

# fresh NAME: a new server (the previous case's may have crashed) with a
# session "keep" and control client NAME attached to it (its fd in KEEP_FD).
fresh() {
	[ -n "${KEEP_FD:-}" ] && exec {KEEP_FD}>&-
	t kill-server 2>/dev/null
	wait_for "! t has-session 2>/dev/null" 5
	start_server
	new_detached keep cat
	ctl_start "$1" keep
	KEEP_FD=$CTL_FD
	ctl_sync "$1" "$KEEP_FD" "ready-$1"
}

# alive NAME TOKEN: assert that the server still runs and still answers
# control client NAME.
alive() {
	run ctl_sync "$1" "$KEEP_FD" "$2"
	assert_eq 0 "$RC" "control client $1 answered after the sequence"
	assert_ok t has-session -t =keep
}

# patched: skip the current case on a build without our patches.
patched() {
	have_agent_commands && return 0
	skip "plain upstream 3.5a crashes here (fixed by vendor/patches/$1)"
	return 1
}

test_case "kill-window then kill-session in one command list (0008)"
if patched 0008; then
	fresh c1
	t new-session -d -s X cat \; new-window -d -t X cat
	# kill-window queues a session-window-changed notification; the session
	# is destroyed before it runs.
	t kill-window -t X:0 \; kill-session -t X
	alive c1 after-1
	assert_fails t has-session -t =X
	assert_contains "%sessions-changed" "$(cat "$TEST_DIR/c1.out")"
fi

test_case "kill-pane of a window linked twice into its only session (0008)"
if patched 0008; then
	fresh c2
	t new-session -d -s X cat
	t link-window -d -s X:0 -t X:5
	# Both links go, the session with them; the window change notified on
	# the way runs after the session is gone.
	t kill-pane -t X:0
	alive c2 after-2
	assert_fails t has-session -t =X
	assert_eq keep "$(t list-sessions -F '#{session_name}')"
fi

test_case "two join-panes empty a window whose active pane changed (0008)"
if patched 0008; then
	fresh c3
	t new-session -d -s X cat \; split-window -d -t X cat
	t new-session -d -s Y cat
	# The first join-pane makes the other pane active (notified later); the
	# second leaves the window with no pane at all, and it closes.
	t join-pane -d -s X:0.0 -t Y: \; join-pane -d -s X:0.0 -t Y:
	alive c3 after-3
	assert_fails t has-session -t =X
	assert_eq 3 "$(t list-panes -t Y: | wc -l | tr -d ' ')"
fi

test_case "break-pane of the last pane of a grouped session (0009)"
if patched 0009; then
	fresh c4
	t new-session -d -s B cat
	t new-session -d -s A cat
	t new-session -d -s A2 -t A
	# The window moves to B; A2, empty, and the rest of its group (A) are
	# destroyed.
	t break-pane -d -s A2:0.0 -t B:
	alive c4 after-4
	assert_eq "B keep" "$(t list-sessions -F '#{session_name}' | sort | tr '\n' ' ' | sed 's/ $//')"
	assert_eq 2 "$(t list-windows -t B: | wc -l | tr -d ' ')"
fi

test_case "the same with a client of the group moving on (detach-on-destroy off, 0009)"
if patched 0009; then
	fresh c5
	t set -g detach-on-destroy off
	t new-session -d -s B cat
	t new-session -d -s A cat
	t new-session -d -s A2 -t A
	ctl_start c5a A
	A_FD=$CTL_FD A_PID=$CTL_PID
	ctl_sync c5a "$A_FD" ready-c5a
	# The client on A must move to a session that survives: B or keep,
	# never the emptied A2.
	t break-pane -d -s A2:0.0 -t B:
	alive c5 after-5
	run ctl_sync c5a "$A_FD" after-5a
	assert_eq 0 "$RC" "the client that was on A is answered"
	assert_match '^(B|keep)$' "$(t list-clients -F '#{client_pid} #{client_session}' |
	    awk -v p="$A_PID" '$1 == p { print $2 }')"
	assert_eq "B keep" "$(t list-sessions -F '#{session_name}' | sort | tr '\n' ' ' | sed 's/ $//')"
fi
