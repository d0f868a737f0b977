# agent-prompt (aprompt), checked against paste-recorder.py, a program that
# turns bracketed paste on (or not) and logs every chunk of input with its
# arrival time: multi-line text arrives as exactly one bracketed paste and
# then exactly one CR, the delay later (-d, @agent-prompt-delay, default 1 s);
# without bracketed paste the raw text comes with CR line ends; queued
# prompts arrive in order, never merged; the client waits for the Enter
# unless -b (which prints the receipt id), while the server keeps answering; the typing guard refuses after
# a human typed through an attached client (not after send-keys), -f and
# @agent-typing-guard 0 let it through; layout label and managed-pane
# targets; dead, input-off and vanishing panes; every error.
. "$(dirname "$0")/lib.sh"

TW=("$TMUX_BIN" -S "$SOCK" -f /dev/null)
REC="$LIB_DIR/paste-recorder.py"
now() { date +%s.%N; }
elapsed() { awk -v s="$1" -v e="$(now)" 'BEGIN { printf "%.2f", e - s }'; }
# le A B: is A <= B (decimals)?
le() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a <= b) }'; }

# rec LOG stream|tokens: what a recorder logged. "stream": every byte in
# order, escaped (\e ESC, \r CR, \n LF, \t TAB, \\, \xHH other controls).
# "tokens": one line each for a bracketed paste ("paste T TEXT", T when its
# end marker arrived), a CR outside a paste ("cr T") and other bytes
# ("text T TEXT", T of its last byte); an unterminated paste is "open T TEXT".
# (awk, not python: it runs in polling loops and must start fast.)
rec() {
	cat "$1" 2>/dev/null | LC_ALL=C awk -v mode="$2" '
	BEGIN { hx = "0123456789abcdef"; S = "1b5b3230307e"; E = "1b5b3230317e" }
	function at(i, len) { return substr(H, 2 * i - 1, 2 * len) }
	function byte(i) {
		return (index(hx, substr(H, 2 * i - 1, 1)) - 1) * 16 + index(hx, substr(H, 2 * i, 1)) - 1
	}
	function esc(from, to,   i, b, out) {
		out = ""
		for (i = from; i <= to; i++) {
			b = byte(i)
			if (b == 27) out = out "\\e"
			else if (b == 13) out = out "\\r"
			else if (b == 10) out = out "\\n"
			else if (b == 9) out = out "\\t"
			else if (b == 92) out = out "\\\\"
			else if (b < 32 || b == 127) out = out sprintf("\\x%02x", b)
			else out = out sprintf("%c", b)
		}
		return out
	}
	{
		gsub(/[{}",:]/, " ")
		n = length($4) / 2
		for (k = 1; k <= n; k++) T[N + k] = $2
		H = H $4; N += n
	}
	END {
		if (mode == "stream") { print esc(1, N); exit }
		i = 1
		while (i <= N) {
			if (at(i, 6) == S) {
				j = i + 6
				while (j <= N && at(j, 6) != E) j++
				if (j > N) { printf "open %.4f %s\n", T[N], esc(i + 6, N); break }
				printf "paste %.4f %s\n", T[j + 5], esc(i + 6, j - 1)
				i = j + 6
			} else if (at(i, 1) == "0d") {
				printf "cr %.4f\n", T[i]; i++
			} else {
				j = i
				while (j <= N && at(j, 1) != "0d" && at(j, 6) != S) j++
				printf "text %.4f %s\n", T[j - 1], esc(i, j - 1)
				i = j
			}
		}
	}'
}
# kinds LOG: the token kinds on one line ("paste cr").
kinds() { rec "$1" tokens | awk '{ print $1 }' | paste -sd' '; }
# tok LOG N FIELD: field FIELD (2: time, 3: text) of token N.
tok() { rec "$1" tokens | awk -v n="$2" -v f="$3" 'NR == n { if (f == 3) { sub(/^[^ ]+ [^ ]+ /, ""); print } else print $f }'; }
# gap LOG N M: time of token M minus time of token N.
gap() { awk -v a="$(tok "$1" "$2" 2)" -v b="$(tok "$1" "$3" 2)" 'BEGIN { printf "%.3f", b - a }'; }
# ntok LOG: how many tokens.
ntok() { rec "$1" tokens | grep -c .; }

# recorder NAME [--no-bracket]: a detached session NAME whose pane runs the
# recorder logging to NAME.log; sets PANE to its pane id.
recorder() {
	local name=$1; shift
	rm -f "$TEST_DIR/$name.log"
	t new-session -d -s "$name" -x 80 -y 24 "exec $PYTHON $REC $TEST_DIR/$name.log $*"
	PANE=$(t display -p -t "=$name:" '#{pane_id}')
	wait_for "capture '$PANE' | grep -q ready" 10
}
LOGS=$TEST_DIR

start_server

test_case "multi-line text: one bracketed paste, then one CR after the delay"
recorder r1
assert_contains ready "$(capture "$PANE")"
text=$(printf 'first line\nsecond line\twith tab\nthird: ünïcode ✓')
t0=$(now)
run t aprompt -d 1 -t "$PANE" "$text"
took=$(elapsed "$t0")
assert_eq "0||" "$RC|$OUT|$ERR"
wait_for "[ \"\$(kinds $LOGS/r1.log)\" = 'paste cr' ]" 5
assert_eq '\e[200~first line\rsecond line\twith tab\rthird: ünïcode ✓\e[201~\r' "$(rec "$LOGS/r1.log" stream)" \
    "exactly these bytes: newlines as CR inside one paste, one CR after"
assert_eq "paste cr" "$(kinds "$LOGS/r1.log")" "one paste, then one Enter"
g=$(gap "$LOGS/r1.log" 1 2)
le 0.8 "$g" && le "$g" 4
assert_eq 0 "$?" "Enter about 1 s after the paste (${g}s)"
le 0.9 "$took"
assert_eq 0 "$?" "the client waited for the Enter (${took}s)"

test_case "a long multi-line text is still one paste"
recorder r2
long=$(for i in $(seq 150); do printf 'line %03d of the long prompt, some words to make it longer\n' "$i"; done)
assert_ok t aprompt -d 0.5 -t "$PANE" "$long"
wait_for "[ \"\$(kinds $LOGS/r2.log)\" = 'paste cr' ]" 5
assert_eq "paste cr" "$(kinds "$LOGS/r2.log")"
assert_eq "$(printf '%s' "$long" | tr '\n' '\r' | sed 's/\r/\\r/g')" "$(tok "$LOGS/r2.log" 1 3)" "the paste holds the whole text"
g=$(gap "$LOGS/r2.log" 1 2)
le 0.4 "$g"
assert_eq 0 "$?" "Enter after the delay (${g}s)"

test_case "no bracketed paste: raw text with CR line ends, then CR after the delay"
recorder nb --no-bracket
assert_ok t aprompt -d 0.8 -t "$PANE" "$(printf 'alpha\nbeta')"
wait_for "[ \"\$(kinds $LOGS/nb.log)\" = 'text cr text cr' ]" 5
assert_eq 'alpha\rbeta\r' "$(rec "$LOGS/nb.log" stream)" "no ESC[200~, no ESC at all"
assert_eq "text cr text cr" "$(kinds "$LOGS/nb.log")"
g=$(gap "$LOGS/nb.log" 3 4)
le 0.6 "$g"
assert_eq 0 "$?" "the last CR (Enter) came the delay after the text (${g}s)"
g=$(gap "$LOGS/nb.log" 1 3)
le "$g" 0.3
assert_eq 0 "$?" "the text's own CR came with the text (${g}s)"

test_case "queued prompts (-b) arrive in order, each paste after the previous Enter"
recorder q
t0=$(now)
assert_ok t aprompt -b -d 0.6 -t "$PANE" "$(printf 'one\nuno')"
assert_ok t aprompt -b -d 0.6 -t "$PANE" two
assert_ok t aprompt -b -d 0.6 -t "$PANE" three
took=$(elapsed "$t0")
le "$took" 1.5
assert_eq 0 "$?" "-b returns at once (${took}s for three)"
wait_for "[ \$(ntok $LOGS/q.log) -ge 6 ]" 10
assert_eq '\e[200~one\runo\e[201~\r\e[200~two\e[201~\r\e[200~three\e[201~\r' "$(rec "$LOGS/q.log" stream)"
assert_eq "paste cr paste cr paste cr" "$(kinds "$LOGS/q.log")"
for p in 1 3 5; do
	g=$(gap "$LOGS/q.log" "$p" $((p + 1)))
	le 0.45 "$g"
	assert_eq 0 "$?" "token $((p + 1)) (Enter) the delay after paste $p (${g}s)"
done

test_case "the client waits for the Enter; with -b it does not"
recorder cw
t0=$(now)
"${TW[@]}" aprompt -d 2 -t "$PANE" waiting >"$TEST_DIR/cw.out" 2>"$TEST_DIR/cw.err" &
cpid=$!
wait_for "[ \"\$(kinds $LOGS/cw.log)\" = paste ]" 5
assert_eq paste "$(kinds "$LOGS/cw.log")" "pasted, no Enter yet"
kill -0 "$cpid" 2>/dev/null
assert_eq 0 "$?" "the client is still waiting after the paste"
wait "$cpid"
rc=$?
took=$(elapsed "$t0")
assert_eq "0||" "$rc|$(cat "$TEST_DIR/cw.out")|$(cat "$TEST_DIR/cw.err")"
le 1.9 "$took"
assert_eq 0 "$?" "it returned after the delay (${took}s)"
wait_for "[ \"\$(kinds $LOGS/cw.log)\" = 'paste cr' ]" 2
assert_eq "paste cr" "$(kinds "$LOGS/cw.log")" "the Enter arrived"
# -b: back before the Enter, printing the receipt id (issue 14).
t0=$(now)
run t aprompt -b -d 2 -t "$PANE" background
took=$(elapsed "$t0")
assert_match '^0\|P[0-9]+\|$' "$RC|$OUT|$ERR" "-b prints the receipt id"
wait_for "[ \"\$(kinds $LOGS/cw.log)\" = 'paste cr paste' ]" 5
assert_eq "paste cr paste" "$(kinds "$LOGS/cw.log")" "-b returned; its Enter has not come yet"
le "$took" 1.5
assert_eq 0 "$?" "-b returned at once (${took}s)"
wait_for "[ \"\$(kinds $LOGS/cw.log)\" = 'paste cr paste cr' ]" 5
assert_eq "paste cr paste cr" "$(kinds "$LOGS/cw.log")"
# A waiting prompt queued behind a -b one waits for both.
t0=$(now)
assert_ok t aprompt -b -d 1 -t "$PANE" first
run t aprompt -d 0.5 -t "$PANE" second
took=$(elapsed "$t0")
assert_eq 0 "$RC"
le 1.4 "$took"
assert_eq 0 "$?" "the second client waited through both delays (${took}s)"
wait_for "[ \$(ntok $LOGS/cw.log) = 8 ]" 3
assert_eq '\e[200~first\e[201~\r\e[200~second\e[201~\r' "$(rec "$LOGS/cw.log" stream | sed 's/.*background\\e\[201~\\r//')"

test_case "the server answers other commands during the delay"
recorder sv
"${TW[@]}" aprompt -d 3 -t "$PANE" slow >/dev/null 2>&1 &
cpid=$!
wait_for "[ \"\$(kinds $LOGS/sv.log)\" = paste ]" 5
t0=$(now)
assert_eq ok "$(timeout 5 "$TMUX_BIN" -S "$SOCK" -f /dev/null display -p ok)"
assert_ok t list-sessions
took=$(elapsed "$t0")
le "$took" 1.5
assert_eq 0 "$?" "answered at once (${took}s)"
# Prompts to another pane go on meanwhile.
recorder other
assert_ok t aprompt -d 0.2 -t "$PANE" elsewhere
wait_for "[ \"\$(kinds $LOGS/other.log)\" = 'paste cr' ]" 3
assert_eq "paste cr" "$(kinds "$LOGS/other.log")" "another pane is not queued behind"
kill -0 "$cpid" 2>/dev/null
assert_eq 0 "$?" "the 3 s prompt is still pending"
assert_eq paste "$(kinds "$LOGS/sv.log")"
wait "$cpid"
assert_eq 0 "$?"
# The client returns once Enter is written; the recorder logs it in its own time.
wait_for "[ \"\$(kinds $LOGS/sv.log)\" = 'paste cr' ]" 3
assert_eq "paste cr" "$(kinds "$LOGS/sv.log")"

test_case "the delay: @agent-prompt-delay (session, global), -d overrides, default 1 s"
recorder dl
t set -t =dl: @agent-prompt-delay 0.3
t0=$(now)
assert_ok t aprompt -t "$PANE" opt
took=$(elapsed "$t0")
wait_for "[ \"\$(kinds $LOGS/dl.log)\" = 'paste cr' ]" 3
g=$(gap "$LOGS/dl.log" 1 2)
le 0.2 "$g" && le "$g" 0.9 && le 0.25 "$took"
assert_eq 0 "$?" "the session option's 0.3 s (gap ${g}s, client ${took}s)"
t set -u -t =dl: @agent-prompt-delay
t set -g @agent-prompt-delay 0.3
assert_ok t aprompt -t "$PANE" glob
wait_for "[ \$(ntok $LOGS/dl.log) = 4 ]" 3
g=$(gap "$LOGS/dl.log" 3 4)
le 0.2 "$g" && le "$g" 0.9
assert_eq 0 "$?" "the global option (${g}s)"
t set -g @agent-prompt-delay 0.3
t0=$(now)
assert_ok t aprompt -d 1.2 -t "$PANE" dflag
took=$(elapsed "$t0")
le 1.1 "$took"
assert_eq 0 "$?" "-d wins over the option (${took}s)"
for v in abc 61; do
	t set -g @agent-prompt-delay "$v"
	t0=$(now)
	assert_ok t aprompt -t "$PANE" "bad-$v"
	took=$(elapsed "$t0")
	le 0.9 "$took"
	assert_eq 0 "$?" "@agent-prompt-delay '$v' means the default 1 s (${took}s)"
done
t set -gu @agent-prompt-delay
t0=$(now)
assert_ok t aprompt -t "$PANE" default
took=$(elapsed "$t0")
le 0.9 "$took"
assert_eq 0 "$?" "the default is 1 s (${took}s)"
wait_for "[ \$(ntok $LOGS/dl.log) = 12 ]" 3
g=$(gap "$LOGS/dl.log" 11 12)
le 0.8 "$g"
assert_eq 0 "$?" "default: Enter 1 s after the paste (${g}s)"
# -d 0: the Enter comes straight after the paste, still after it.
assert_ok t aprompt -d 0 -t "$PANE" "$(printf 'zero\ndelay')"
wait_for "[ \$(ntok $LOGS/dl.log) = 14 ]" 3
assert_eq 'paste cr' "$(rec "$LOGS/dl.log" tokens | tail -n 2 | awk '{ print $1 }' | paste -sd' ')"
assert_eq 'zero\rdelay' "$(tok "$LOGS/dl.log" 13 3)"

test_case "typing guard: refused after a human typed through an attached client"
recorder gd
GP=$PANE
t split-window -d -t "=gd:" "$PYTHON $REC $TEST_DIR/gd2.log"
GP2=$(t list-panes -t =gd: -F '#{pane_id}' | grep -vx "$GP")
wait_for "capture '$GP2' | grep -q ready" 5
pty_start att env TERM=screen "$TMUX_BIN" -S "$SOCK" attach -t =gd:
wait_for "[ -n \"\$(t list-clients)\" ] || [ -s '$TEST_DIR/att.status' ]" 5
assert_eq "gd" "$(t list-clients -F '#{session_name}')" "a terminal client is attached"
# It has drawn the pane: its terminal is set up, keys go to the pane.
wait_for "grep -q ready '$TEST_DIR/att.out'" 5
assert_eq "$GP" "$(t display -p -t =gd: '#{pane_id}')" "the recorder pane is active"
pty_keys att 'x'
wait_for "[ \"\$(rec $LOGS/gd.log stream)\" = x ]" 5
assert_eq x "$(rec "$LOGS/gd.log" stream)" "the typed key reached the pane"
run t aprompt -d 0.2 -t "$GP" hello
assert_ne 0 "$RC" "refused"
assert_match "^a human typed into pane $GP [0-9]+\\.[0-9] seconds ago \\(typing guard 3 s\\): not prompting; -f to prompt anyway\$" "$ERR"
# Also when queued with -b.
run t aprompt -b -d 0.2 -t "$GP" hello
assert_ne 0 "$RC" "-b is refused too"
assert_contains "not prompting; -f to prompt anyway" "$ERR"
sleep 0.5
assert_eq x "$(rec "$LOGS/gd.log" stream)" "nothing was written to the pane"
# Another pane of the same window was not typed into.
run t aprompt -d 0.2 -t "$GP2" "other pane"
assert_eq "0|" "$RC|$ERR"
wait_for "[ \"\$(kinds $LOGS/gd2.log)\" = 'paste cr' ]" 3
assert_eq '\e[200~other pane\e[201~\r' "$(rec "$LOGS/gd2.log" stream)" "the guard is per pane"

test_case "typing guard: -f prompts anyway"
pty_keys att 'y'
wait_for "[ \"\$(rec $LOGS/gd.log stream)\" = xy ]" 5
assert_error_contains "not prompting" t aprompt -d 0.2 -t "$GP" refused
run t aprompt -f -d 0.3 -t "$GP" "$(printf 'forced\nthrough')"
assert_eq "0|" "$RC|$ERR"
wait_for "[ \"\$(kinds $LOGS/gd.log)\" = 'text paste cr' ]" 3
assert_eq 'xy\e[200~forced\rthrough\e[201~\r' "$(rec "$LOGS/gd.log" stream)"

test_case "typing guard: @agent-typing-guard sets the seconds, 0 disables it"
t set -g @agent-typing-guard 30
t set -t =gd: @agent-typing-guard 1.5
pty_keys att 'z'
wait_for "[ \"\$(rec $LOGS/gd.log stream | tail -c 2)\" = z ]" 5
tz=$(now)
assert_error_contains "(typing guard 1.5 s)" t aprompt -d 0.2 -t "$GP" no
t set -u -t =gd: @agent-typing-guard
assert_error_contains "(typing guard 30 s)" t aprompt -d 0.2 -t "$GP" no
t set -t =gd: @agent-typing-guard 1.5
# Once the guard's time has passed, prompts go through.
sleep "$(awk -v e="$(elapsed "$tz")" 'BEGIN { s = 1.7 - e; print (s > 0 ? s : 0) }')"
n=$(ntok "$LOGS/gd.log")
run t aprompt -d 0.2 -t "$GP" expired
assert_eq "0|" "$RC|$ERR" "the session's 1.5 s guard is over"
wait_for "[ \$(ntok $LOGS/gd.log) = $((n + 2)) ]" 3
assert_eq "paste cr" "$(rec "$LOGS/gd.log" tokens | tail -n 2 | awk '{ print $1 }' | paste -sd' ')"
t set -t =gd: @agent-typing-guard 0
pty_keys att 'w'
wait_for "[ \"\$(rec $LOGS/gd.log stream | tail -c 2)\" = w ]" 5
n=$(ntok "$LOGS/gd.log")
run t aprompt -d 0.2 -t "$GP" unguarded
assert_eq "0|" "$RC|$ERR" "guard 0: right after typing"
wait_for "[ \$(ntok $LOGS/gd.log) = $((n + 2)) ]" 3
assert_eq '\e[200~unguarded\e[201~\r' "$(rec "$LOGS/gd.log" stream | sed 's/.*w//')"
# An invalid value means the default 3 s.
t set -t =gd: @agent-typing-guard abc
pty_keys att 'v'
wait_for "[ \"\$(rec $LOGS/gd.log stream | tail -c 2)\" = v ]" 5
assert_error_contains "(typing guard 3 s)" t aprompt -d 0.2 -t "$GP" no
t set -u -t =gd: @agent-typing-guard
t set -gu @agent-typing-guard

test_case "a human types during the delay: Enter is not sent, unless -f"
t set -t =gd: @agent-typing-guard 0
n=$(ntok "$LOGS/gd.log")
"${TW[@]}" aprompt -d 1.5 -t "$GP" during >/dev/null 2>"$TEST_DIR/du.err" &
d1=$!
wait_for "[ \$(ntok $LOGS/gd.log) = $((n + 1)) ]" 5
assert_eq "paste during" "$(rec "$LOGS/gd.log" tokens | tail -n 1 | awk '{ print $1, $3 }')"
pty_keys att 'u'
wait_for "[ \"\$(rec $LOGS/gd.log stream | tail -c 2)\" = u ]" 5
wait "$d1"
assert_ne 0 "$?" "the waiting client fails"
assert_eq "a human typed into pane $GP after the paste: Enter not sent (-f sends it anyway)" "$(cat "$TEST_DIR/du.err")"
sleep 0.3
assert_eq "paste text" "$(rec "$LOGS/gd.log" tokens | tail -n 2 | awk '{ print $1 }' | paste -sd' ')" "no Enter after the human's key"
n=$(ntok "$LOGS/gd.log")
"${TW[@]}" aprompt -f -d 1.5 -t "$GP" forced >/dev/null 2>"$TEST_DIR/du2.err" &
d2=$!
wait_for "[ \$(ntok $LOGS/gd.log) = $((n + 1)) ]" 5
pty_keys att 'k'
wait "$d2"
assert_eq "0|" "$?|$(cat "$TEST_DIR/du2.err")" "-f sends Enter anyway"
wait_for "[ \$(ntok $LOGS/gd.log) = $((n + 3)) ]" 3
assert_eq "paste text cr" "$(rec "$LOGS/gd.log" tokens | tail -n 3 | awk '{ print $1 }' | paste -sd' ')"
t set -u -t =gd: @agent-typing-guard

test_case "respawn-pane during the delay: the new program gets no Enter"
recorder rs
RP=$PANE
"${TW[@]}" aprompt -d 1.5 -t "$RP" respawned >/dev/null 2>"$TEST_DIR/rs.err" &
r1=$!
wait_for "[ \"\$(kinds $LOGS/rs.log)\" = paste ]" 5
rm -f "$TEST_DIR/rs2.log"
t respawn-pane -k -t "$RP" "exec $PYTHON $REC $TEST_DIR/rs2.log"
wait_for "[ -e '$TEST_DIR/rs2.log' ] || capture '$RP' | grep -q ready" 5
wait "$r1"
assert_ne 0 "$?" "the waiting client fails"
assert_eq "pane $RP exited before Enter was sent" "$(cat "$TEST_DIR/rs.err")"
sleep 0.3
assert_eq "" "$(rec "$TEST_DIR/rs2.log" stream)" "the new program received nothing"
assert_ok t aprompt -d 0.1 -t "$RP" fresh
wait_for "[ \"\$(kinds $LOGS/rs2.log)\" = 'paste cr' ]" 3
assert_eq '\e[200~fresh\e[201~\r' "$(rec "$TEST_DIR/rs2.log" stream)"

test_case "typing guard: send-keys does not count as typing"
recorder sk
t send-keys -t "$PANE" -l 'typed by a command'
t send-keys -t "$PANE" Enter
wait_for "[ \"\$(rec $LOGS/sk.log stream)\" = 'typed by a command\\r' ]" 5
assert_eq 'typed by a command\r' "$(rec "$LOGS/sk.log" stream)"
run t aprompt -d 0.2 -t "$PANE" after-send-keys
assert_eq "0|" "$RC|$ERR" "not refused"
wait_for "[ \$(ntok $LOGS/sk.log) = 4 ]" 3
assert_eq 'typed by a command\r\e[200~after-send-keys\e[201~\r' "$(rec "$LOGS/sk.log" stream)"
# The attached client's keys still guard gd's pane; detach it.
t detach-client -s =gd:
assert_eq 0 "$(pty_wait att)" "the attached client detached"

test_case "targets: %pane, session:window.pane, session, layout label, managed id"
recorder tg
assert_ok t aprompt -d 0 -t "=tg:0.0" by-index
assert_ok t aprompt -d 0 -t "=tg:" by-session
assert_ok t aprompt -d 0 -t tg by-name
wait_for "[ \$(ntok $LOGS/tg.log) = 6 ]" 3
assert_eq '\e[200~by-index\e[201~\r\e[200~by-session\e[201~\r\e[200~by-name\e[201~\r' "$(rec "$LOGS/tg.log" stream)"
assert_ok t define-agent-template recs "rec:1:$PYTHON $REC $TEST_DIR/lay.log" "quiet:1:$PYTHON $REC $TEST_DIR/lay2.log"
L=$(t new-agent-layout -d -P -s squad -T recs)
assert_match '^L[0-9]+$' "$L"
run t list-agent-panes -t "$L" -F '#{agent_pane_label} #{agent_pane_id} #{pane_id}'
label=$(awk '$1 ~ /^r/ { print $1 }' <<<"$OUT")
mid=$(awk '$1 ~ /^r/ { print $2 }' <<<"$OUT")
lpane=$(awk '$1 ~ /^r/ { print $3 }' <<<"$OUT")
assert_match '^[a-z]+1$' "$label"
wait_for "capture '$lpane' | grep -q ready" 5
run t aprompt -d 0.3 -t "squad:$label" "$(printf 'by\nlabel')"
assert_eq "0|" "$RC|$ERR" "squad:$label"
run t aprompt -d 0.3 -t "$L:$label" by-layout-id
assert_eq "0|" "$RC|$ERR" "$L:$label"
run t aprompt -d 0.3 -t "$mid" by-managed-id
assert_eq "0|" "$RC|$ERR" "$mid"
wait_for "[ \$(ntok $LOGS/lay.log) = 6 ]" 3
assert_eq '\e[200~by\rlabel\e[201~\r\e[200~by-layout-id\e[201~\r\e[200~by-managed-id\e[201~\r' "$(rec "$LOGS/lay.log" stream)"
assert_eq "paste cr paste cr paste cr" "$(kinds "$LOGS/lay.log")"
assert_eq "" "$(rec "$LOGS/lay2.log" stream)" "the other managed pane got nothing"
assert_error_contains "can't find pane: squad:nolabel" t aprompt -t squad:nolabel x
assert_error_contains "can't find" t aprompt -t M999 x

test_case "refused panes: dead, input disabled, missing"
recorder dead
t set -t =dead: remain-on-exit on
kill "$(t display -p -t "$PANE" '#{pane_pid}')"
wait_for "[ \"\$(t display -p -t '$PANE' '#{pane_dead}')\" = 1 ]" 5
assert_error_contains "pane $PANE is dead: its program has exited" t aprompt -t "$PANE" x
assert_error_contains "pane $PANE is dead: its program has exited" t aprompt -b -f -t "$PANE" x
recorder off
t select-pane -d -t "$PANE"
assert_error_contains "pane $PANE has input disabled (select-pane -e enables it)" t aprompt -d 0.2 -t "$PANE" x
assert_error_contains "has input disabled" t aprompt -f -b -d 0.2 -t "$PANE" x
sleep 0.3
assert_eq "" "$(rec "$LOGS/off.log" stream)" "nothing written"
t select-pane -e -t "$PANE"
assert_ok t aprompt -d 0.2 -t "$PANE" enabled
wait_for "[ \"\$(kinds $LOGS/off.log)\" = 'paste cr' ]" 3
assert_eq '\e[200~enabled\e[201~\r' "$(rec "$LOGS/off.log" stream)"
assert_error_contains "can't find pane: %9999" t aprompt -t %9999 x
assert_error_contains "can't find pane: nosuch" t aprompt -t nosuch x

test_case "the pane goes during the delay: waiting clients fail"
recorder kp
"${TW[@]}" aprompt -d 3 -t "$PANE" doomed >"$TEST_DIR/k1.out" 2>"$TEST_DIR/k1.err" &
k1=$!
"${TW[@]}" aprompt -d 3 -t "$PANE" queued >"$TEST_DIR/k2.out" 2>"$TEST_DIR/k2.err" &
k2=$!
wait_for "[ \"\$(kinds $LOGS/kp.log)\" = paste ]" 5
sleep 0.5
t kill-pane -t "$PANE"
wait_for "! kill -0 $k1 && ! kill -0 $k2" 5
wait "$k1"; r1=$?
wait "$k2"; r2=$?
assert_eq 1 "$(( r1 != 0 && r2 != 0 ))" "both exit non-zero ($r1, $r2)"
assert_eq "pane $PANE exited before Enter was sent" "$(cat "$TEST_DIR/k1.err")"
assert_eq "pane $PANE exited before Enter was sent" "$(cat "$TEST_DIR/k2.err")" "the queued one too"
assert_eq paste "$(kinds "$LOGS/kp.log")"
assert_eq ok "$(t display -p ok)"
# The program exits during the delay (the pane stays, dead).
recorder ex
t set -t =ex: remain-on-exit on
"${TW[@]}" aprompt -d 2 -t "$PANE" exiting >/dev/null 2>"$TEST_DIR/ex.err" &
e1=$!
wait_for "[ \"\$(kinds $LOGS/ex.log)\" = paste ]" 5
kill "$(t display -p -t "$PANE" '#{pane_pid}')"
wait "$e1"
assert_ne 0 "$?"
assert_eq "pane $PANE exited before Enter was sent" "$(cat "$TEST_DIR/ex.err")"
# Input disabled during the delay: no Enter, an error.
recorder io
"${TW[@]}" aprompt -d 1.5 -t "$PANE" disabled >/dev/null 2>"$TEST_DIR/io.err" &
i1=$!
wait_for "[ \"\$(kinds $LOGS/io.log)\" = paste ]" 5
t select-pane -d -t "$PANE"
wait "$i1"
assert_ne 0 "$?"
assert_eq "pane $PANE has input disabled (select-pane -e enables it)" "$(cat "$TEST_DIR/io.err")"
sleep 0.2
assert_eq paste "$(kinds "$LOGS/io.log")" "no Enter was sent"

test_case "a waiting client killed: the prompt is still delivered"
recorder ck
"${TW[@]}" aprompt -d 1 -t "$PANE" orphan >/dev/null 2>&1 &
c1=$!
wait_for "[ \"\$(kinds $LOGS/ck.log)\" = paste ]" 5
{ kill -KILL "$c1"; wait "$c1"; } 2>/dev/null
wait_for "[ \"\$(kinds $LOGS/ck.log)\" = 'paste cr' ]" 5
assert_eq '\e[200~orphan\e[201~\r' "$(rec "$LOGS/ck.log" stream)"
assert_ok t aprompt -d 0.1 -t "$PANE" after
wait_for "[ \$(ntok $LOGS/ck.log) = 4 ]" 3
assert_eq "paste cr paste cr" "$(kinds "$LOGS/ck.log")"

test_case "errors: text and delay"
recorder er
assert_error_contains "prompt text is empty" t aprompt -t "$PANE" ''
assert_error_contains "prompt text contains a control character" t aprompt -t "$PANE" "$(printf 'a\033[31mb')"
assert_error_contains "prompt text contains a control character" t aprompt -t "$PANE" "$(printf 'a\rb')"
assert_error_contains "invalid UTF-8" t aprompt -t "$PANE" "$(printf 'a\377')"
for d in 61 -1 abc '' 1e3 nan inf; do
	assert_error_contains "invalid delay: $d (seconds, 0 to 60)" t aprompt -d "$d" -t "$PANE" x
done
assert_fails t aprompt -t "$PANE"
assert_fails t aprompt -t "$PANE" one two
printf 'aprompt -t %s "%s"\n' "$PANE" "$(head -c 65537 /dev/zero | tr '\0' x)" >"$TEST_DIR/long.conf"
assert_error_contains "prompt text too long: 65537 bytes (limit 65536)" t source-file "$TEST_DIR/long.conf"
sleep 0.3
assert_eq "" "$(rec "$LOGS/er.log" stream)" "nothing was written"
assert_ok t aprompt -d 60 -b -t "$PANE" max-delay
wait_for "[ \"\$(kinds $LOGS/er.log)\" = paste ]" 3
assert_eq paste "$(kinds "$LOGS/er.log")" "-d 60 is accepted"
