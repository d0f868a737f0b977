# Upstream control mode (tmux -C): commands read from stdin, replies in
# %begin/%end blocks (%error for a failed command), notifications between
# blocks, %exit at the end; a long-lived control client fed through a fifo
# shows in list-clients as a control client.
. "$(dirname "$0")/lib.sh"

# parse_control FILE: check the block structure of control-mode output and
# print one line per block, "end|error<TAB>flags<TAB>body" (body lines joined
# by "\n"), and "notify<TAB><line>" for lines outside blocks. Prints
# "bad<TAB>..." for structural errors.
parse_control() {
	awk '
	function flush(kind) { printf "%s\t%s\t%s\n", kind, flags, body; inblock = 0 }
	inblock && ($1 == "%end" || $1 == "%error") {
		if ($2 != t || $3 != n || $4 != flags) print "bad\tmismatched " $0
		flush(substr($1, 2)); next
	}
	inblock { body = body (body == "" ? "" : "\\n") $0; next }
	$1 == "%begin" {
		if (NF != 4) print "bad\t" $0
		if (n != "" && $3 <= n) print "bad\tnumber not increasing " $0
		inblock = 1; t = $2; n = $3; flags = $4; body = ""; next
	}
	/^%/ { print "notify\t" $0; next }
	{ print "bad\toutside block: " $0 }
	END { if (inblock) print "bad\tunterminated block" }
	' "$1"
}

new_detached s

test_case "commands on stdin give %begin/%end blocks"
t -C attach -t s >"$TEST_DIR/c1.out" 2>"$TEST_DIR/c1.err" <<'EOF'
display -p hello
bogus-cmd
new-window -d -t s: -n keep
list-sessions -F "#{session_name} #{session_windows}"
display -p "#{==:a,a} #{version}"
EOF
assert_eq 0 "$?"
assert_eq "" "$(cat "$TEST_DIR/c1.err")"
parsed=$(parse_control "$TEST_DIR/c1.out")
blocks=$(grep -E '^(end|error)	' <<<"$parsed")
assert_eq "" "$(grep '^bad' <<<"$parsed")" "control output is well formed"
# The attach command itself answers first (flags 0), then one block per line
# read from stdin (flags 1), in order.
assert_eq "$(printf 'end\t0\t
end\t1\thello
error\t1\tparse error: unknown command: bogus-cmd
end\t1\t
end\t1\ts 2
end\t1\t1 3.5a')" "$blocks"

test_case "notifications and %exit"
assert_contains $'notify\t%session-changed $0 s' "$parsed"
keep=$(t display -p -t s:keep '#{window_id}')
assert_match '^@[0-9]+$' "$keep"
assert_contains $'notify\t%window-add '"$keep" "$parsed"
assert_eq "%exit" "$(tail -n 1 "$TEST_DIR/c1.out")"

test_case "a control client fed through a fifo"
mkfifo "$TEST_DIR/c2.in"
t -C attach -t s <"$TEST_DIR/c2.in" >"$TEST_DIR/c2.out" 2>&1 &
cpid=$!
exec 3>"$TEST_DIR/c2.in"
echo 'display -p "first #{session_name}"' >&3
wait_for "grep -qx 'first s' '$TEST_DIR/c2.out'"
assert_eq "first s" "$(grep -x 'first s' "$TEST_DIR/c2.out")"
assert_eq "1 s" "$(t list-clients -F '#{client_control_mode} #{session_name}')"
# Output of a pane the control client sees arrives as %output.
t send-keys -t s:0 'echo from-pane' Enter
wait_for "grep -q '^%output %[0-9]* .*from-pane' '$TEST_DIR/c2.out'"
assert_match '%output %[0-9]+ [^'$'\n'']*from-pane' "$(cat "$TEST_DIR/c2.out")"
echo 'no-such-thing' >&3
wait_for "grep -q '^%error' '$TEST_DIR/c2.out'"
assert_contains "parse error: unknown command: no-such-thing" "$(cat "$TEST_DIR/c2.out")"
exec 3>&-
wait_for "! kill -0 $cpid"
wait "$cpid"
assert_eq 0 "$?"
assert_eq "%exit" "$(tail -n 1 "$TEST_DIR/c2.out")"
assert_eq "" "$(t list-clients)"
assert_eq "" "$(parse_control "$TEST_DIR/c2.out" | grep '^bad')"
