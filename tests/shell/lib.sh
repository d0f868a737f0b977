# lib.sh: helpers for the shell tests, sourced by every tests/shell/t-*.sh.
#
# The runner (tests/shell/run) sets TMUX_BIN, PLAIN_TMUX, PYTHON, TEST_DIR,
# SOCK and RESULTS and runs each file in a fresh directory with a clean
# environment. Results go line by line to $RESULTS so that a test killed by
# its timeout still reports what it did:
#   C<TAB>name          a test case begins
#   P                   an assertion passed
#   F<TAB>where         an assertion failed; M<TAB>text lines follow
#   S<TAB>reason        the current case is skipped
# A case fails if any assertion in it failed, is skipped if it said so, and
# fails if it made no assertion at all (a test that cannot fail is a defect).

set -u
: "${TMUX_BIN:?run the tests through tests/shell/run}"
: "${TEST_DIR:?}" "${SOCK:?}" "${RESULTS:?}"
PLAIN_TMUX=${PLAIN_TMUX:-}
PYTHON=${PYTHON:-python3}
# Whole-number factor for the harness's time limits (wait_for, pty_wait; the
# runner scales the file timeout too): 1 normally, more when a slow checker
# such as valgrind runs the server (tests/memcheck).
TIME_SCALE=${TEST_TIME_SCALE:-1}
# The memory checker the server runs under (asan, valgrind; tests/memcheck),
# empty normally: a test that pushes volume through the server may use less.
MEMCHECK=${TEST_MEMCHECK:-}
LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CASE=""

# --- running tmux ------------------------------------------------------------

# t ARGS...: our binary on this test's private socket.
t() { "$TMUX_BIN" -S "$SOCK" -f /dev/null "$@"; }

# tp ARGS...: the plain upstream client on the same socket (see have_plain).
tp() { "$PLAIN_TMUX" -S "$SOCK" -f /dev/null "$@"; }

have_plain() { [ -n "$PLAIN_TMUX" ] && [ -x "$PLAIN_TMUX" ]; }

# start_server: a server that stays up with no sessions.
start_server() { t start-server \; set -g exit-empty off; }

# new_detached NAME [COMMAND...]: a detached 80x24 session. Without a
# COMMAND it runs $SHELL and waits for its first prompt (see wait_prompt).
new_detached() {
	local name=$1; shift
	t new-session -d -s "$name" -x 80 -y 24 "$@" || return
	[ $# -gt 0 ] || wait_prompt "$name:"
}

# wait_prompt PANE: wait until the shell in PANE has printed something (its
# prompt). Keys sent before that are echoed by the terminal before the shell
# reads them, so the pane would not show what a test expects.
wait_prompt() { wait_for "[ -n \"\$(capture '$1' | tr -d ' \n')\" ]"; }

# capture PANE: the visible text of a pane.
capture() { t capture-pane -p -t "$1"; }

# have_agent_commands: does the binary under test have the agent commands?
have_agent_commands() {
	if [ -z "${_HAVE_AGENT:-}" ]; then
		if "$TMUX_BIN" -S "$TEST_DIR/probe.sock" -f /dev/null \
		    list-commands -F '#{command_list_name}' 2>/dev/null |
		    grep -qx 'show-agent'; then
			_HAVE_AGENT=yes
		else
			_HAVE_AGENT=no
		fi
	fi
	[ "$_HAVE_AGENT" = yes ]
}

# run CMD...: run a command, keeping its stdout in OUT, stderr in ERR and
# exit status in RC (trailing newlines stripped as by $(...)).
run() {
	"$@" >"$TEST_DIR/.out" 2>"$TEST_DIR/.err" </dev/null
	RC=$?
	OUT=$(cat "$TEST_DIR/.out")
	ERR=$(cat "$TEST_DIR/.err")
	return 0
}

# wait_for CONDITION [SECONDS]: poll a shell condition (eval'd) every 50 ms
# until it succeeds; returns 1 after SECONDS (default 10, times
# TEST_TIME_SCALE). It does not assert: follow it with an assertion on the
# real output.
wait_for() {
	local cond=$1 limit=${2:-10} i=0
	local n=$((limit * 20 * TIME_SCALE))
	while ! eval "$cond" >/dev/null 2>&1; do
		i=$((i + 1))
		[ "$i" -ge "$n" ] && return 1
		sleep 0.05
	done
	return 0
}

# --- cases and results ---------------------------------------------------------

# test_case NAME: begin a named case; assertions until the next test_case
# belong to it.
test_case() {
	CASE=$1
	# Each case keeps its own persistent store (servers started from here
	# on inherit it), so none picks up an earlier case's agent state.
	_CASES=$((${_CASES:-0} + 1))
	export XDG_STATE_HOME="$TEST_DIR/state/$_CASES"
	printf 'C\t%s\n' "$CASE" >>"$RESULTS"
	echo "--- $CASE"
}

# skip REASON: mark the current case skipped (its assertions still count if
# any failed).
skip() {
	printf 'S\t%s\n' "$*" >>"$RESULTS"
	echo "SKIP: $CASE: $*"
}

# where the assertion was called: first stack frame outside this file.
_where() {
	local i
	for ((i = 1; i < ${#BASH_SOURCE[@]}; i++)); do
		if [ "${BASH_SOURCE[$i]}" != "${BASH_SOURCE[0]}" ]; then
			echo "$(basename "${BASH_SOURCE[$i]}"):${BASH_LINENO[$((i - 1))]}"
			return
		fi
	done
	echo "?"
}

_pass() { echo P >>"$RESULTS"; }

# _fail LINE...: record a failure with its message lines.
_fail() {
	local where line l
	where=$(_where)
	[ -n "$CASE" ] || test_case "(no test_case)"
	printf 'F\t%s\n' "$where" >>"$RESULTS"
	echo "FAIL: $where: $CASE"
	for line in "$@"; do
		while IFS= read -r l || [ -n "$l" ]; do
			printf 'M\t%s\n' "$l" >>"$RESULTS"
			printf '    %s\n' "$l"
		done <<<"$line"
	done
	return 1
}

# Show a value for a failure message, multi-line values indented.
_show() {
	case $1 in
	*$'\n'*) printf '\n%s' "$(awk 'NR <= 25 { print "      | " $0 }
	    END { if (NR > 25) printf "      | ... (%d lines in all)\n", NR }' <<<"$1")" ;;
	*) printf "'%s'" "$1" ;;
	esac
}

# --- assertions ----------------------------------------------------------------
# Each returns 0 on pass, 1 on failure, and records the result.

# assert_eq EXPECTED ACTUAL [MESSAGE]
assert_eq() {
	if [ "$1" == "$2" ]; then _pass; else
		_fail "${3:-values differ}" "expected: $(_show "$1")" "got:      $(_show "$2")"
	fi
}

# assert_ne UNEXPECTED ACTUAL [MESSAGE]
assert_ne() {
	if [ "$1" != "$2" ]; then _pass; else
		_fail "${3:-values should differ}" "both:     $(_show "$1")"
	fi
}

# assert_match EXTENDED-REGEX ACTUAL [MESSAGE]  (bash =~, whole string)
assert_match() {
	if [[ $2 =~ $1 ]]; then _pass; else
		_fail "${3:-no match}" "regex:    '$1'" "got:      $(_show "$2")"
	fi
}

# assert_contains NEEDLE HAYSTACK [MESSAGE]  (fixed string)
assert_contains() {
	if [[ $2 == *"$1"* ]]; then _pass; else
		_fail "${3:-text not found}" "wanted:   $(_show "$1")" "in:       $(_show "$2")"
	fi
}

# assert_not_contains NEEDLE HAYSTACK [MESSAGE]
assert_not_contains() {
	if [[ $2 != *"$1"* ]]; then _pass; else
		_fail "${3:-unwanted text found}" "unwanted: $(_show "$1")" "in:       $(_show "$2")"
	fi
}

# assert_ok CMD...: exit status 0 (OUT/ERR/RC are set as by run).
assert_ok() {
	run "$@"
	if [ "$RC" -eq 0 ]; then _pass; else
		_fail "command failed (exit $RC): $*" "stderr:   $(_show "$ERR")"
	fi
}

# assert_fails CMD...: non-zero exit status.
assert_fails() {
	run "$@"
	if [ "$RC" -ne 0 ]; then _pass; else
		_fail "command should have failed: $*" "stdout:   $(_show "$OUT")"
	fi
}

# assert_exit STATUS CMD...: this exact exit status.
assert_exit() {
	local want=$1; shift
	run "$@"
	if [ "$RC" -eq "$want" ]; then _pass; else
		_fail "exit status of: $*" "expected: $want" "got:      $RC" "stderr:   $(_show "$ERR")"
	fi
}

# assert_error_contains TEXT CMD...: non-zero exit and TEXT in stderr.
assert_error_contains() {
	local text=$1; shift
	run "$@"
	if [ "$RC" -ne 0 ] && [[ $ERR == *"$text"* ]]; then _pass; else
		_fail "expected failure with '$text': $*" "exit:     $RC" "stderr:   $(_show "$ERR")"
	fi
}

# --- pseudo-terminal clients -----------------------------------------------------

# ctl_start NAME SESSION [ATTACH-FLAGS...]: a control client attached to
# SESSION, reading commands from the fifo NAME.in (kept open on the fd whose
# number is left in CTL_FD) and writing to NAME.out. Sets CTL_PID (the client
# process itself, not a subshell).
ctl_start() {
	local name=$1 s=$2; shift 2
	rm -f "$TEST_DIR/$name.in"
	mkfifo "$TEST_DIR/$name.in"
	# Emptied, then appended to: an earlier client of the same NAME that is
	# still writing can't leave a hole of NULs before the new output.
	: >"$TEST_DIR/$name.out"
	"$TMUX_BIN" -S "$SOCK" -f /dev/null -C attach "$@" -t "$s" \
	    <"$TEST_DIR/$name.in" >>"$TEST_DIR/$name.out" 2>&1 &
	CTL_PID=$!
	exec {CTL_FD}>"$TEST_DIR/$name.in"
}

# pty_start NAME CMD...: run CMD in the background on a new 80x24 pty.
# Its screen output goes to $TEST_DIR/NAME.out; bytes written to the fifo
# $TEST_DIR/NAME.in are typed into it (see pty_keys). Sets PTY_PID.
pty_start() {
	local name=$1; shift
	rm -f "$TEST_DIR/$name.in"
	mkfifo "$TEST_DIR/$name.in"
	"$PYTHON" "$LIB_DIR/pty-run.py" --input "$TEST_DIR/$name.in" \
	    --output "$TEST_DIR/$name.out" --status "$TEST_DIR/$name.status" \
	    -- "$@" </dev/null >/dev/null 2>"$TEST_DIR/$name.err" &
	PTY_PID=$!
}

# pty_keys NAME TEXT: type TEXT (printf escapes allowed) into the pty.
pty_keys() {
	timeout 5 bash -c 'printf "$1" >"$2"' _ "$2" "$TEST_DIR/$1.in" ||
	    echo "pty_keys: could not write to $1" >&2
}

# pty_wait NAME [SECONDS]: wait for the pty program to exit; prints its exit
# status, or "running" if it did not exit in time.
pty_wait() {
	if wait_for "[ -s '$TEST_DIR/$1.status' ]" "${2:-10}"; then
		cat "$TEST_DIR/$1.status"
	else
		echo running
	fi
}

# pty_output NAME: what the program wrote to its terminal so far.
pty_output() { cat "$TEST_DIR/$1.out" 2>/dev/null; }

# --- upstream 3.5a reference ---------------------------------------------------

# The upstream tmux 3.5a command table (cmd.c cmd_table), in order, as
# name:alias. Used when no plain upstream binary is available to compare with.
UPSTREAM_COMMANDS="attach-session:attach bind-key:bind break-pane:breakp
capture-pane:capturep choose-buffer: choose-client: choose-tree:
clear-history:clearhist clear-prompt-history:clearphist clock-mode:
command-prompt: confirm-before:confirm copy-mode: customize-mode:
delete-buffer:deleteb detach-client:detach display-menu:menu
display-message:display display-popup:popup display-panes:displayp
find-window:findw has-session:has if-shell:if join-pane:joinp kill-pane:killp
kill-server: kill-session: kill-window:killw last-pane:lastp last-window:last
link-window:linkw list-buffers:lsb list-clients:lsc list-commands:lscm
list-keys:lsk list-panes:lsp list-sessions:ls list-windows:lsw
load-buffer:loadb lock-client:lockc lock-server:lock lock-session:locks
move-pane:movep move-window:movew new-session:new new-window:neww
next-layout:nextl next-window:next paste-buffer:pasteb pipe-pane:pipep
previous-layout:prevl previous-window:prev refresh-client:refresh
rename-session:rename rename-window:renamew resize-pane:resizep
resize-window:resizew respawn-pane:respawnp respawn-window:respawnw
rotate-window:rotatew run-shell:run save-buffer:saveb select-layout:selectl
select-pane:selectp select-window:selectw send-keys:send send-prefix:
server-access: set-buffer:setb set-environment:setenv set-hook:
set-option:set set-window-option:setw show-buffer:showb
show-environment:showenv show-hooks: show-messages:showmsgs
show-options:show show-prompt-history:showphist show-window-options:showw
source-file:source split-window:splitw start-server:start
suspend-client:suspendc swap-pane:swapp swap-window:swapw
switch-client:switchc unbind-key:unbind unlink-window:unlinkw wait-for:wait"

# upstream_lookup WORD...: what upstream 3.5a's cmd_find() (cmd.c) makes of
# each WORD, one line each: the full command name, or its error ("unknown
# command: x", "ambiguous command: x, could be: a, b").
upstream_lookup() {
	printf '%s\n' "$@" | awk -v table="$UPSTREAM_COMMANDS" '
	BEGIN {
		n = split(table, e, /[ \n]+/)
		for (i = 1; i <= n; i++) {
			split(e[i], f, ":"); name[i] = f[1]; alias[i] = f[2]
		}
	}
	function prefix(p, s) { return substr(s, 1, length(p)) == p }
	{
		w = $0; found = ""; amb = 0
		for (i = 1; i <= n; i++) {
			if (alias[i] != "" && alias[i] == w) { found = name[i]; amb = 0; break }
			if (!prefix(w, name[i])) continue
			if (found != "") amb = 1
			found = name[i]
			if (name[i] == w) break
		}
		if (amb) {
			list = ""
			for (i = 1; i <= n; i++)
				if (prefix(w, name[i])) list = list (list == "" ? "" : ", ") name[i]
			print "ambiguous command: " w ", could be: " list
		} else if (found == "") print "unknown command: " w
		else print found
	}'
}

# --- end of file -----------------------------------------------------------------

_lib_exit() {
	local p
	for p in $(jobs -p); do kill "$p" 2>/dev/null; done
}
trap _lib_exit EXIT
