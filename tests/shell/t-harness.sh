# The harness itself: assertions really fail on wrong values, start_server
# keeps a server with no sessions, pty-run.py reports exit status, and the
# hard-coded upstream command table in lib.sh matches the plain build.
. "$(dirname "$0")/lib.sh"

# outcome CMD...: run an assertion in a subshell writing to a scratch results
# file; prints "pass" or "fail" by what it recorded.
outcome() {
	(RESULTS=$TEST_DIR/scratch; : >"$RESULTS"; "$@" >/dev/null 2>&1
	 grep -q '^F' "$RESULTS" && echo fail || { grep -qx P "$RESULTS" && echo pass; })
}

test_case "assertions fail on wrong values"
assert_eq pass "$(outcome assert_eq a a)"
assert_eq fail "$(outcome assert_eq a b)"
assert_eq fail "$(outcome assert_eq a '')"
assert_eq fail "$(outcome assert_ne a a)"
assert_eq pass "$(outcome assert_match '^a+$' aaa)"
assert_eq fail "$(outcome assert_match '^a+$' aab)"
assert_eq pass "$(outcome assert_contains b abc)"
assert_eq fail "$(outcome assert_contains x abc)"
assert_eq fail "$(outcome assert_not_contains b abc)"
assert_eq pass "$(outcome assert_ok true)"
assert_eq fail "$(outcome assert_ok false)"
assert_eq fail "$(outcome assert_fails true)"
assert_eq pass "$(outcome assert_exit 3 sh -c 'exit 3')"
assert_eq fail "$(outcome assert_exit 0 sh -c 'exit 3')"
assert_eq pass "$(outcome assert_error_contains oops sh -c 'echo oops >&2; exit 1')"
assert_eq fail "$(outcome assert_error_contains oops sh -c 'echo oops >&2; exit 0')"
assert_eq fail "$(outcome assert_error_contains oops sh -c 'echo other >&2; exit 1')"

test_case "failures name file and line"
(RESULTS=$TEST_DIR/scratch; : >"$RESULTS"; assert_eq x y >/dev/null)
assert_eq "F	t-harness.sh:$((LINENO - 1))" "$(grep '^F' "$TEST_DIR/scratch")"

test_case "wait_for is bounded"
start=$SECONDS
assert_exit 1 wait_for false 1
assert_eq 1 "$(( SECONDS - start <= 3 * TIME_SCALE ))"
assert_exit 0 wait_for true

test_case "start_server keeps a server with no sessions"
assert_ok start_server
assert_ok t list-sessions
assert_eq "" "$OUT"
assert_eq off "$(t show -gv exit-empty)"
assert_ok t kill-server

test_case "pty-run.py gives the command a terminal and its status"
pty_start p sh -c 'tty; stty size; exit 7'
assert_eq 7 "$(pty_wait p)"
assert_match '/dev/pts/[0-9]+' "$(pty_output p)"
assert_contains "24 80" "$(pty_output p)"

test_case "lib.sh upstream table matches the plain build"
if have_plain; then
	assert_eq "$(tr ' ' '\n' <<<"$UPSTREAM_COMMANDS" | grep .)" \
	    "$("$PLAIN_TMUX" -S "$TEST_DIR/plain.sock" -f /dev/null \
	    list-commands -F '#{command_list_name}:#{command_list_alias}')"
else
	skip "no plain upstream build at ${PLAIN_TMUX:-(unset)}: run vendor/build-plain.sh"
fi
