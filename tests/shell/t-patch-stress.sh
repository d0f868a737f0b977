# Server faults that the adversarial stress mix (make stress-adversarial)
# found after issue 18's thirteen items were fixed, each reduced to the few
# commands that show it; upstream 3.5a has each of them, and each is fixed by
# a patch of vendor/patches (named in the case). Against a build without the
# agent commands (the plain build) the cases skip.
. "$(dirname "$0")/lib.sh"

# patched: skip the current case on a build without our patches.
patched() {
	have_agent_commands && return 0
	skip "plain upstream 3.5a fails here (fixed by vendor/patches/$1)"
	return 1
}

# gone PID: wait until process PID has exited (or is a zombie).
gone() {
	wait_for "! kill -0 $1 2>/dev/null || grep -q '^State:.*Z' /proc/$1/status" 5
}

# fresh: a new server; one that the previous case left running, deaf to
# clients (the fault it tests), is killed first.
fresh() {
	if [ -n "${PID:-}" ] && kill -0 "$PID" 2>/dev/null; then
		pkill -9 -P "$PID" 2>/dev/null
		kill -9 "$PID" 2>/dev/null
		rm -f "$SOCK"
	fi
	start_server
}

test_case "kill-server ends the server although a session-closed hook makes a session (0015)"
if patched 0015; then
	fresh
	new_detached a cat
	t set-hook -g session-closed 'new-session -d -s again cat'
	PID=$(t display -p '#{pid}')
	run t kill-server
	assert_eq 0 "$RC" "kill-server"
	gone "$PID"
	assert_eq 0 "$?" "the server (pid $PID) exits"
	# Nothing is left that a client could not reach: no server, no pane.
	run t list-sessions
	assert_ne 0 "$RC" "no server answers"
	assert_eq "" "$(pgrep -P "$PID" 2>/dev/null)" "no pane of the server is left"
fi

test_case "the same for a session made by an agent hook on the shutdown (0015)"
if patched 0015; then
	fresh
	new_detached a cat
	t set-agent -t a \; agent-join-group -t a g1 >/dev/null
	# Destroying a makes it leave g1: agent-group-changed fires.
	t set-hook -g agent-group-changed 'new-session -d -s again cat'
	PID=$(t display -p '#{pid}')
	run t kill-server
	assert_eq 0 "$RC" "kill-server"
	gone "$PID"
	assert_eq 0 "$?" "the server (pid $PID) exits"
fi

test_case "new-session -t a session whose name a left-over group still has (0016)"
if patched 0016; then
	fresh
	new_detached keep cat
	# The group "A" outlives its session A; B is its only member.
	t new-session -d -s A cat \; new-session -d -s B -t A \; kill-session -t A
	# A new session A, not grouped, with a current window (1) and a last
	# window (2) that B does not have.
	t new-session -d -s A cat \; new-window -d -t A:1 cat \; new-window -d -t A:2 cat \; \
	    select-window -t A:2 \; select-window -t A:1
	t new-session -d -s C -t A
	PID=$(t display -p '#{pid}')
	# A change to B's windows: before, A was synchronized with it and left
	# with no current window; finding A then crashed the server.
	t new-window -d -t B:5 cat
	run t display -p -t A '#{window_index} #{session_windows}'
	assert_eq 0 "$RC" "A is found ($ERR)"
	assert_eq "1 3" "$OUT" "A keeps its windows and its current one"
	assert_ok kill -0 "$PID"
	# A and C share A's windows, B keeps its own group and windows.
	assert_eq "0 1 2" "$(t list-windows -t C -F '#{window_index}' | tr '\n' ' ' | sed 's/ $//')"
	assert_eq "$(t display -p -t A '#{session_group}')" "$(t display -p -t C '#{session_group}')"
	assert_ne "$(t display -p -t A '#{session_group}')" "$(t display -p -t B '#{session_group}')"
	assert_eq "0 5" "$(t list-windows -t B -F '#{window_index}' | tr '\n' ' ' | sed 's/ $//')"
	assert_eq "A-1 A-1 A" "$(t display -p -t A '#{session_group}') $(t display -p -t C '#{session_group}') $(t display -p -t B '#{session_group}')"
fi
