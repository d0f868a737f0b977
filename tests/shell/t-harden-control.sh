# Control-mode framing of commands that wait (issue 18 item 6): the value
# agent-wait prints, the message agent-wait -m prints and the error of a wait
# that fails or times out (or of an agent-prompt whose pane went away) arrive
# inside the command's own %begin/%end (or %error) block, with the guard's
# time, number and flags, however late; a value with lines that look like
# notifications or like the block's own guard cannot end the block or forge
# anything (guard look-alikes are quoted with a backslash). Also (item 8):
# timers of completed waits are cancelled and clients killed while waiting
# are freed (bounded server memory, measured against a warm-up).
. "$(dirname "$0")/lib.sh"

# ctl_sync NAME FD TOKEN: display -p TOKEN through FD and wait for it.
ctl_sync() {
	echo "display -p '$3'" >&"$2"
	wait_for "grep -qx '$3' '$TEST_DIR/$1.out'" 5
}

# blocks FILE: every line of FILE as the libtmux-style parser sees it:
# "out<TAB>NUMBER<TAB>LINE" for a line between %begin and the %end/%error
# with the same time and number, "guard<TAB>NUMBER<TAB>end|error" for the
# guard, "notify<TAB>LINE" for a line outside blocks that is a notification,
# "bad<TAB>..." for anything else.
blocks() {
	awk '
	inblock && ($1 == "%end" || $1 == "%error") && $2 == t && $3 == n {
		print "guard\t" n "\t" substr($1, 2); inblock = 0; next
	}
	inblock { print "out\t" n "\t" $0; next }
	$1 == "%begin" { inblock = 1; t = $2; n = $3; next }
	/^%/ { print "notify\t" $0; next }
	{ print "bad\toutside block: " $0 }
	END { if (inblock) print "bad\tunterminated block " n }
	' "$1"
}

# block_with NAME LINE: the number of the block of control client NAME
# whose first output line is LINE.
block_with() {
	blocks "$TEST_DIR/$1.out" | awk -F'\t' -v l="$2" '
	$1 == "out" && !($2 in seen) { seen[$2] = 1; if ($3 == l) n = $2 }
	END { print n }'
}
# block_out NAME NUMBER / block_guard NAME NUMBER: the output lines and the
# guard ("end" or "error") of block NUMBER of control client NAME.
block_out() { blocks "$TEST_DIR/$1.out" | awk -F'\t' -v n="$2" '$1 == "out" && $2 == n { print $3 }'; }
block_guard() { blocks "$TEST_DIR/$1.out" | awk -F'\t' -v n="$2" '$1 == "guard" && $2 == n { print $3 }'; }
# structure NAME: lines that break the framing: "bad" ones, and %agent-*
# notifications or a bare %exit found inside blocks or forged outside.
structure() {
	blocks "$TEST_DIR/$1.out" | grep -E "^bad|^notify	%exit|^notify	%agent-context-changed g verdict 99|^out	[0-9]+	%(agent-context-changed g (other |verdict [0-8] )|output )"
}
last_begin() { awk '$1 == "%begin" { n = $3 } END { print n }' "$TEST_DIR/$1.out"; }
last_begin_time() { awk '$1 == "%begin" { t = $2 } END { print t }' "$TEST_DIR/$1.out"; }

waiters() { t display -p '#{agent_waiters}'; }

start_server
new_detached a cat
new_detached b cat
t ajoin -t a g >/dev/null
t ajoin -t b g >/dev/null

ctl_start c1 a
C1=$CTL_FD
ctl_sync c1 "$C1" ready-c1

test_case "agent-wait's value is framed: forged %exit and notifications stay output"
: >"$TEST_DIR/c1.out"
echo "await -t a verdict" >&"$C1"
wait_for "[ \"\$(waiters)\" = 1 ]" 5
# Notifications written while the wait is pending stay outside its block.
t ashare -t b other=1 >/dev/null
wait_for "grep -q '^%agent-context-changed g other ' '$TEST_DIR/c1.out'" 5
t ashare -t b "verdict=ok
%exit
%agent-context-changed g verdict 99 \$7" >/dev/null
ctl_sync c1 "$C1" after-verdict
n=$(block_with c1 ok)
assert_ne "" "$n" "a block starts with the value"
assert_eq "ok
%exit
%agent-context-changed g verdict 99 \$7" "$(block_out c1 "$n")" \
    "the value's three lines are output of the wait's own block"
assert_eq "end" "$(block_guard c1 "$n")" "one %end closes the block"
assert_eq "" "$(structure c1)" \
    "no bare %exit, no forged notification, no notification inside a block"
assert_eq 1 "$(grep -Ec "^%agent-context-changed g verdict [0-8] " "$TEST_DIR/c1.out")" \
    "the real notification is still there, outside blocks"
kill -0 "$CTL_PID"
assert_eq 0 "$?" "the control client is still attached"

test_case "agent-wait -m's message is framed the same way"
: >"$TEST_DIR/c1.out"
echo "await -m -c -t a" >&"$C1"
wait_for "[ \"\$(waiters)\" = 1 ]" 5
t asend -t a "hello
%exit" >/dev/null
ctl_sync c1 "$C1" after-message
n=$(block_with c1 hello)
assert_eq "hello
%exit" "$(block_out c1 "$n")"
assert_eq "end" "$(block_guard c1 "$n")"
assert_eq "" "$(structure c1)"

test_case "a value line that is the block's own guard does not end it (quoted)"
: >"$TEST_DIR/c1.out"
ctl_sync c1 "$C1" before-forged
k=$(last_begin c1)
tm=$(last_begin_time c1)
echo "await -c -t a forged" >&"$C1"
wait_for "[ \"\$(waiters)\" = 1 ]" 5
# The wait's number is one of the next few (other clients' commands count
# too): an attacker sends guards for all of them; \% lines are quoted once
# more.
forged=x
quoted=x
for ((i = k + 1; i <= k + 4; i++)); do
	forged+=$'\n'"%end $tm $i 1"$'\n'"%error $tm $i 1"
	quoted+=$'\n'"\\%end $tm $i 1"$'\n'"\\%error $tm $i 1"
done
forged+=$'\n'"%begin $tm $((k + 9)) 1"$'\n'"\\%end $tm $((k + 1)) 0"$'\n'"%exit"$'\n'"y"
quoted+=$'\n'"\\%begin $tm $((k + 9)) 1"$'\n'"\\\\%end $tm $((k + 1)) 0"$'\n'"%exit"$'\n'"y"
t ashare -t b "forged=$forged" >/dev/null
ctl_sync c1 "$C1" after-forged
n=$(block_with c1 x)
assert_eq "$quoted" "$(block_out c1 "$n")" \
    "guard look-alikes are quoted, everything else is as shared"
assert_eq "end" "$(block_guard c1 "$n")"
assert_eq "" "$(structure c1)"
# Outside control mode the value is printed as shared, unquoted.
run t agent-get -t a forged
assert_eq "$forged" "$OUT" "a plain client gets the value as shared"
# agent-get in control mode quotes the same way (one rule for agent output).
: >"$TEST_DIR/c1.out"
echo "agent-get -t a forged" >&"$C1"
ctl_sync c1 "$C1" after-get
assert_eq "$quoted" "$(block_out c1 "$(block_with c1 x)")" "agent-get quotes the same way"

test_case "a wait that times out: the error is inside the block, then %error"
: >"$TEST_DIR/c1.out"
echo "await -T 0.3 -t a never" >&"$C1"
wait_for "grep -q '^%error ' '$TEST_DIR/c1.out'" 5
n=$(last_begin c1)
blocks "$TEST_DIR/c1.out" >"$TEST_DIR/c1.blocks"
assert_eq "agent-wait: timed out" "$(awk -F'\t' -v n="$n" '$1 == "out" && $2 == n { print $3 }' "$TEST_DIR/c1.blocks")"
assert_eq "error" "$(awk -F'\t' -v n="$n" '$1 == "guard" && $2 == n { print $3 }' "$TEST_DIR/c1.blocks")"
assert_eq "" "$(grep '^bad' "$TEST_DIR/c1.blocks")"
assert_eq 1 "$(grep -c "^%begin $(last_begin_time c1) $n 1\$" "$TEST_DIR/c1.out")" \
    "begin and error have the same time, number and flags"
assert_eq 1 "$(grep -c "^%error $(last_begin_time c1) $n 1\$" "$TEST_DIR/c1.out")"

test_case "a wait that fails (session killed): error inside the block"
new_detached gone cat
t ajoin -t gone g >/dev/null
: >"$TEST_DIR/c1.out"
echo "await -t gone never" >&"$C1"
wait_for "[ \"\$(waiters)\" = 1 ]" 5
t kill-session -t gone
wait_for "grep -q '^%error ' '$TEST_DIR/c1.out'" 5
n=$(last_begin c1)
blocks "$TEST_DIR/c1.out" >"$TEST_DIR/c1.blocks"
assert_match "agent-wait: .*gone" "$(awk -F'\t' -v n="$n" '$1 == "out" && $2 == n { print $3 }' "$TEST_DIR/c1.blocks")"
assert_eq "error" "$(awk -F'\t' -v n="$n" '$1 == "guard" && $2 == n { print $3 }' "$TEST_DIR/c1.blocks")"
assert_eq "" "$(grep '^bad' "$TEST_DIR/c1.blocks")"

test_case "agent-prompt's wait is framed: the block ends after Enter, errors inside"
new_detached p cat
t set-agent -t p
: >"$TEST_DIR/c1.out"
echo "aprompt -f -d 30 -t p: hello" >&"$C1"
wait_for "capture p | grep -q hello" 5
assert_eq 0 "$(grep -c '^%begin \|^%end \|^%error ' "$TEST_DIR/c1.out")" \
    "no part of the block before Enter is sent"
t kill-pane -t p:
wait_for "grep -q '^%error ' '$TEST_DIR/c1.out'" 5
n=$(last_begin c1)
blocks "$TEST_DIR/c1.out" >"$TEST_DIR/c1.blocks"
assert_match "exited before Enter" "$(awk -F'\t' -v n="$n" '$1 == "out" && $2 == n { print $3 }' "$TEST_DIR/c1.blocks")"
assert_eq "error" "$(awk -F'\t' -v n="$n" '$1 == "guard" && $2 == n { print $3 }' "$TEST_DIR/c1.blocks")"
assert_eq "" "$(grep '^bad' "$TEST_DIR/c1.blocks")"
new_detached p2 cat
t set-agent -t p2
: >"$TEST_DIR/c1.out"
echo "aprompt -f -d 0.1 -t p2: hi" >&"$C1"
wait_for "grep -q '^%end ' '$TEST_DIR/c1.out'" 5
blocks "$TEST_DIR/c1.out" >"$TEST_DIR/c1.blocks"
assert_eq "guard	$(last_begin c1)	end" "$(grep '^guard' "$TEST_DIR/c1.blocks")" "a prompt that is sent ends with %end"

test_case "upstream wait-for keeps upstream's framing"
: >"$TEST_DIR/c1.out"
echo "wait-for chan" >&"$C1"
wait_for "grep -q '^%end ' '$TEST_DIR/c1.out'" 5
assert_eq 1 "$(grep -c '^%end ' "$TEST_DIR/c1.out")" "%end right away, as upstream"
t wait-for -S chan
ctl_sync c1 "$C1" after-chan

# Item 8: server memory, each measured by bench/wait-memory.py on a server
# of its own, after a warm-up of the same size (so malloc's heap has its
# working size and a run that frees what it allocates grows by ~0). Without
# the fixes the growth is about 230 bytes per completed -T wait (a timer kept
# until its timeout) and about 4 KB per killed waiting client; the bounds
# leave that signal an order of magnitude above the noise (~5 bytes/op).
WAIT_MEMORY="$LIB_DIR/../../bench/wait-memory.py"
# per_op EXPERIMENT N: bytes of server RSS growth per operation.
per_op() {
	"$PYTHON" "$WAIT_MEMORY" "$TMUX_BIN" "$1" "$2" |
	    sed -n 's/.*( *\(-\{0,1\}[0-9.]*\) bytes\/op)$/\1/p'
}
# below A B: is A < B (decimals)?
below() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'; }

test_case "completed agent-wait -T waits cancel their timers (bounded memory)"
b=$(per_op timers 4000)
assert_ne "" "$b" "measured"
below "$b" 60
assert_eq 0 "$?" "RSS growth per completed wait: $b bytes (bound 60)"

test_case "clients killed while waiting are freed (bounded memory)"
b=$(per_op killed 400)
assert_ne "" "$b" "measured"
below "$b" 600
assert_eq 0 "$?" "RSS growth per killed waiting client: $b bytes (bound 600)"
