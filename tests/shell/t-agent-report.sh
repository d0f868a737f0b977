# agent-report: hook reports from inside a pane (the caller's own pane by
# $TMUX_PANE, or -t), Claude Code's hook events with their JSON on stdin
# (read through the client, never blocking the server) or as -j, generic
# event names, the conversation id kept per pane; bad JSON, unknown events
# and calls from outside tmux are errors that change nothing. End to end:
# the fake agent running the hooks agent-hooks -i installed, each
# transition seen in #{agent_state} and as %agent-state-changed.
. "$(dirname "$0")/lib.sh"

F='#{agent_state}|#{agent_state_reason}|#{agent_conversation_id}'
st() { t display -p -t "$1" "$F"; }
# report_in JSON ARGS...: agent-report ARGS with JSON on its stdin (OUT, ERR, RC as run).
report_in() {
	local json=$1; shift
	printf '%s' "$json" | t agent-report "$@" >"$TEST_DIR/.out" 2>"$TEST_DIR/.err"
	RC=$?
	OUT=$(cat "$TEST_DIR/.out")
	ERR=$(cat "$TEST_DIR/.err")
}

start_server
new_detached a cat
A=$(t display -p -t =a: '#{pane_id}')

test_case "a plain pane has no agent state until something reports"
assert_eq "||" "$(st "$A")"

test_case "outside tmux (no \$TMUX_PANE) and without -t: an error, nothing changes"
assert_error_contains 'not run from a tmux pane (no $TMUX_PANE): use -t' t agent-report prompt
assert_eq "||" "$(st "$A")"
assert_error_contains "can't find pane: %999" t agent-report -t %999 prompt

test_case "the caller's pane from \$TMUX_PANE; a report prints nothing"
assert_ok env TMUX_PANE="$A" "$TMUX_BIN" -S "$SOCK" agent-report prompt
assert_eq "" "$OUT$ERR" "no output (Claude Code reads a hook's stdout)"
assert_eq "working|prompt|" "$(st "$A")"

test_case "from a shell in a pane: \$TMUX and \$TMUX_PANE are enough"
new_detached sh
S=$(t display -p -t =sh: '#{pane_id}')
t send-keys -t "$S" "'$TMUX_BIN' agent-report permission Bash; echo rc=\$?" Enter
wait_for "capture $S | grep -q rc=0" 10
assert_contains "rc=0" "$(capture "$S")"
assert_eq "waiting|permission|" "$(st "$S")"

test_case "Claude Code's events, JSON on stdin (-I)"
report_in '{"session_id":"5f1c-aa","transcript_path":"/t.jsonl","cwd":"/proj","hook_event_name":"SessionStart","source":"startup"}' -I -t "$A" SessionStart
assert_eq 0 "$RC" "SessionStart: $ERR"
assert_eq "idle|session-start|5f1c-aa" "$(st "$A")" "the conversation id is kept"
report_in '{"session_id":"5f1c-aa","hook_event_name":"UserPromptSubmit","prompt":"hi"}' -I -t "$A" UserPromptSubmit
assert_eq "working|prompt|5f1c-aa" "$(st "$A")"
report_in '{"hook_event_name":"PreToolUse","tool_name":"Write","tool_input":{"file_path":"/x","content":"'"$(head -c 100000 /dev/zero | tr '\0' y)"'"}}' -I -t "$A" PreToolUse
assert_eq 0 "$RC" "a 100 kB tool input: $ERR"
assert_eq "working|tool|5f1c-aa" "$(st "$A")"
report_in '{"hook_event_name":"PermissionRequest","tool_name":"Write"}' -I -t "$A" PermissionRequest
assert_eq "waiting|permission|5f1c-aa" "$(st "$A")"
report_in '{"hook_event_name":"PostToolUse","tool_name":"Write"}' -I -t "$A" PostToolUse
assert_eq "working|tool|5f1c-aa" "$(st "$A")"
report_in '{"hook_event_name":"Notification","message":"Claude needs your permission to use Bash","notification_type":"permission_prompt"}' -I -t "$A" Notification
assert_eq "waiting|permission|5f1c-aa" "$(st "$A")"
report_in '{"hook_event_name":"Stop","stop_hook_active":false}' -I -t "$A" Stop
assert_eq "idle|stop|5f1c-aa" "$(st "$A")"
report_in '{"hook_event_name":"SessionEnd","reason":"exit"}' -I -t "$A" SessionEnd
assert_eq "exited|session-end" "$(st "$A" | cut -d'|' -f1-2)"

test_case "the event from the JSON's hook_event_name; -j instead of stdin; areport"
report_in '{"hook_event_name":"UserPromptSubmit"}' -I -t "$A"
assert_eq 0 "$RC" "$ERR"
assert_eq "working|prompt" "$(st "$A" | cut -d'|' -f1-2)"
assert_ok t areport -t "$A" -j '{"hook_event_name":"Stop"}'
assert_eq "idle|stop" "$(st "$A" | cut -d'|' -f1-2)"
report_in '' -I -t "$A" prompt
assert_eq 0 "$RC" "an empty stdin: the event alone ($ERR)"
assert_eq "working|prompt" "$(st "$A" | cut -d'|' -f1-2)"

test_case "Claude Code's question (tool AskUserQuestion): waiting for a question, not permission"
assert_ok t agent-report -t "$A" -j '{"hook_event_name":"PreToolUse","tool_name":"AskUserQuestion","tool_input":{"questions":[]}}'
assert_eq "waiting|question" "$(st "$A" | cut -d'|' -f1-2)" "PreToolUse"
assert_ok t agent-report -t "$A" -j '{"hook_event_name":"PermissionRequest","tool_name":"AskUserQuestion"}'
assert_eq "waiting|question" "$(st "$A" | cut -d'|' -f1-2)" "PermissionRequest"
assert_ok t agent-report -t "$A" -j '{"hook_event_name":"PostToolUse","tool_name":"AskUserQuestion"}'
assert_eq "working|tool" "$(st "$A" | cut -d'|' -f1-2)" "PostToolUse: answered"
assert_ok t agent-report -t "$A" permission AskUserQuestion
assert_eq "waiting|question" "$(st "$A" | cut -d'|' -f1-2)" "the generic name"

test_case "Codex's notify program JSON (type agent-turn-complete) as the last argument"
NOTIFY='{"type":"agent-turn-complete","thread-id":"t-1","turn-id":"1","cwd":"/p","input-messages":["hi"],"last-assistant-message":"done"}'
assert_ok t agent-report -t "$A" -j "$NOTIFY"
assert_eq "idle|turn-complete|t-1" "$(st "$A")" "the thread id is the conversation id"

test_case "Codex's notify gives way to its OSC 7501 report in effect"
cat >"$TEST_DIR/codex.sh" <<'S'
stty -echo
printf '\033]7501;state=working:app=codex\007'; read x
printf '\033]7501;state=done:app=codex\007'; exec sleep 60
S
t new-session -d -s cx -G custom -x 80 -y 24 "sh $TEST_DIR/codex.sh"
X=$(t display -p -t =cx: '#{pane_id}')
wait_for "[ \"\$(st $X | cut -d'|' -f1)\" = working ]"
# Codex 0.171.0 runs it for its side request while the turn goes on.
assert_ok t agent-report -t "$X" -j "${NOTIFY/t-1/t-2}"
assert_eq "working|working|t-2" "$(st "$X")" "still working; the thread id is kept"
assert_eq "osc" "$(t display -p -t "$X" '#{agent_state_source}')"
t send-keys -t "$X" Enter
wait_for "[ \"\$(st $X | cut -d'|' -f1)\" = idle ]"
assert_eq "idle|done|t-2" "$(st "$X")" "the turn ends when OSC 7501 says so"
t kill-session -t =cx

test_case "generic names with an argument: session-start ID, notification TEXT, tool NAME"
new_detached g cat
G=$(t display -p -t =g: '#{pane_id}')
assert_ok t agent-report -t "$G" session-start conv-42
assert_eq "idle|session-start|conv-42" "$(st "$G")"
assert_ok t agent-report -t "$G" tool Bash
assert_eq "working|tool|conv-42" "$(st "$G")"
assert_ok t agent-report -t "$G" notification "needs your input on the plan"
assert_eq "waiting|notification|conv-42" "$(st "$G")"
assert_ok t agent-report -t "$G" stop
assert_ok t agent-report -t "$G" session-start conv-43
assert_eq "idle|session-start|conv-43" "$(st "$G")" "a new conversation replaces the id"

test_case "bad input: clear errors, the state unchanged"
before=$(st "$G")
report_in '{"hook_event_name": ' -I -t "$G" Stop
assert_eq 1 "$RC"
assert_contains "invalid hook JSON: EOF while parsing" "$ERR"
report_in '[1, 2]' -I -t "$G" Stop
assert_contains "invalid hook JSON: not an object" "$ERR"
report_in '{"a": 1, "a": 2}' -I -t "$G" Stop
assert_contains "invalid hook JSON" "$ERR" "a duplicate key"
assert_error_contains "unknown agent event: Bogus" t agent-report -t "$G" Bogus
assert_error_contains "unknown agent event: Bogus" t agent-report -t "$G" -j '{"hook_event_name":"Bogus"}'
assert_error_contains "no event: give one, or JSON with hook_event_name" t agent-report -t "$G" -j '{}'
assert_error_contains "no event" t agent-report -t "$G"
assert_error_contains "session-start needs a conversation id" t agent-report -t "$G" session-start
assert_error_contains "invalid conversation id: a b" t agent-report -t "$G" session-start "a b"
assert_error_contains "-I and -j can't be used together" t agent-report -I -j '{}' -t "$G" Stop
printf '\377\376' | t agent-report -I -t "$G" Stop 2>"$TEST_DIR/err"
assert_contains "invalid hook JSON: not UTF-8" "$(cat "$TEST_DIR/err")"
assert_eq "$before" "$(st "$G")" "nothing changed"

test_case "-I from a control client: an error (its stdin is the protocol)"
ctl_start c g
echo "agent-report -I -t $G prompt" >&"$CTL_FD"
wait_for "grep -q 'can.t read stdin' $TEST_DIR/c.out" 10
assert_contains "can't read stdin: no command client" "$(cat "$TEST_DIR/c.out")"
assert_eq "$before" "$(st "$G")"

# slow_writer FIFO FIRST REST: write FIRST into FIFO, wait until its reader
# took it (the client is reading its stdin for the server), touch FIFO.took,
# wait for FIFO.go, write REST, close.
slow_writer() {
	"$PYTHON" - "$@" <<'PY' &
import fcntl, os, struct, sys, termios, time
fifo, first, rest = sys.argv[1:4]
fd = os.open(fifo, os.O_WRONLY)
os.write(fd, first.encode())
end = time.time() + 10
while struct.unpack("i", fcntl.ioctl(fd, termios.FIONREAD, b"\0\0\0\0"))[0] and time.time() < end:
    time.sleep(0.01)
open(fifo + ".took", "w").close()
while not os.path.exists(fifo + ".go") and time.time() < end:
    time.sleep(0.01)
try:
    os.write(fd, rest.encode())
except BrokenPipeError:
    pass
os.close(fd)
PY
	WRITER=$!
}

test_case "reading stdin never blocks the server: other commands run while the hook's JSON is on its way"
mkfifo "$TEST_DIR/j1"
t agent-report -I -t "$G" <"$TEST_DIR/j1" 2>"$TEST_DIR/slow.err" &
SLOW=$!
slow_writer "$TEST_DIR/j1" '{"hook_event_name":' '"UserPromptSubmit"}'
wait_for "[ -e $TEST_DIR/j1.took ]" 10
assert_ok t display -p -t "$G" '#{pane_id}'
assert_eq "$G" "$OUT" "the server answers while the client sends"
assert_eq "$before" "$(st "$G")" "no report yet"
touch "$TEST_DIR/j1.go"
wait "$SLOW"
assert_eq 0 $? "$(cat "$TEST_DIR/slow.err")"
wait "$WRITER"
assert_eq "working|prompt|conv-43" "$(st "$G")"

test_case "a report on a pane that went away while stdin was read: an error"
new_detached gone cat
X=$(t display -p -t =gone: '#{pane_id}')
mkfifo "$TEST_DIR/j2"
t agent-report -I -t "$X" Stop <"$TEST_DIR/j2" 2>"$TEST_DIR/gone.err" &
SLOW=$!
slow_writer "$TEST_DIR/j2" '{' '}'
wait_for "[ -e $TEST_DIR/j2.took ]" 10
t kill-session -t =gone
touch "$TEST_DIR/j2.go"
wait "$SLOW"
assert_eq 1 $? "it failed"
wait "$WRITER"
assert_contains "can't find pane: $X" "$(cat "$TEST_DIR/gone.err")"

test_case "end to end: the fake agent runs the hooks agent-hooks -i installed"
assert_ok t agent-hooks -i
LOG=$TEST_DIR/fake.log
CTL=$TEST_DIR/fake.ctl
cat >"$TEST_DIR/e2e.json" <<EOF
{"name": "Fake Agent", "start": 0.3, "claude_settings": true, "session_id": "e2e-conv-1", "exit_status": 3,
 "turns": [{"until": "$TEST_DIR/never", "dialog": {"kind": "permission", "name": "notes.txt"}, "after": 0.2, "reply": "Made it."},
           {"work": 0.2, "dialog": {"kind": "question", "question": "Which colour?", "options": ["Red", "Blue"]}, "after": 0.2}]}
EOF
t new-session -d -s e2e -G claude -x 100 -y 30 "$PYTHON $LIB_DIR/fake-agent.py --script $TEST_DIR/e2e.json --log $LOG --control $CTL"
t set -t =e2e: remain-on-exit on
E=$(t display -p -t =e2e: '#{pane_id}')
ctl_start w e2e
wait_for "[ \"\$(st $E | cut -d'|' -f1,3)\" = 'idle|e2e-conv-1' ]" 10
assert_eq "idle|e2e-conv-1" "$(st "$E" | cut -d'|' -f1,3)" "SessionStart: idle, with the conversation id"
assert_eq "e2e-conv-1" "$(t display -p -t =e2e: '#{agent_conversation_id}')"
t agent-prompt -d 0.3 -t "$E" "create notes.txt" >/dev/null 2>&1
wait_for "[ \"\$(st $E | cut -d'|' -f1)\" = working ]" 10
assert_eq "working" "$(st "$E" | cut -d'|' -f1)" "UserPromptSubmit: working"
echo done >"$CTL"
wait_for "[ \"\$(st $E | cut -d'|' -f1-2)\" = 'waiting|permission' ]" 10
assert_eq "waiting|permission" "$(st "$E" | cut -d'|' -f1-2)" "PermissionRequest: waiting"
assert_contains "Do you want to create notes.txt?" "$(capture "$E")"
t send-keys -t "$E" 1
wait_for "grep -q '\"event\": \"idle\"' $LOG" 10
wait_for "[ \"\$(st $E | cut -d'|' -f1)\" = idle ]" 10
assert_eq "idle" "$(st "$E" | cut -d'|' -f1)" "Stop: idle"
cp "$TEST_DIR/w.out" "$TEST_DIR/w.before-question"
t send-keys -t "$E" -l "ask me"
t send-keys -t "$E" Enter
wait_for "capture $E | grep -q 'Which colour?'" 10
wait_for "[ \"\$(st $E | cut -d'|' -f1-2)\" = 'waiting|question' ]" 10
# The hooks (PreToolUse, PermissionRequest of AskUserQuestion) come before
# the dialog is drawn: the first waiting is the question's.
first_wait=$(grep -a "^%agent-state-changed $E " "$TEST_DIR/w.out" | tail -n +"$(grep -ac "^%agent-state-changed $E " "$TEST_DIR/w.before-question")" | grep -a -m1 " waiting ")
assert_match " waiting question$" "$first_wait" "the first waiting after the question prompt"
t send-keys -t "$E" 2
wait_for "grep -c '\"event\": \"idle\"' $LOG | grep -qx 2" 10
wait_for "[ \"\$(st $E | cut -d'|' -f1)\" = idle ]" 10
t send-keys -t "$E" C-d
wait_for "[ \"\$(t display -p -t $E '#{pane_dead}')\" = 1 ]" 10
wait_for "[ \"\$(st $E | cut -d'|' -f1)\" = exited ]" 10
assert_eq "exited" "$(st "$E" | cut -d'|' -f1)"
assert_eq 3 "$(t display -p -t "$E" '#{pane_dead_status}')"
# Every hook ran and succeeded.
hooks=$("$PYTHON" -c '
import json, sys
print(" ".join("%s:%s" % (e["name"], e["status"]) for e in map(json.loads, open(sys.argv[1])) if e["event"] == "hook"))' "$LOG")
assert_eq "SessionStart:0 UserPromptSubmit:0 PreToolUse:0 PermissionRequest:0 PostToolUse:0 Stop:0 UserPromptSubmit:0 PreToolUse:0 PermissionRequest:0 PostToolUse:0 Stop:0 SessionEnd:0" "$hooks"
# The control client saw the transitions, in order.
seen=$(grep -a "^%agent-state-changed $E " "$TEST_DIR/w.out" | cut -d' ' -f4 | uniq | paste -sd' ')
assert_contains "idle working waiting working idle" "$seen" "%agent-state-changed in order"
assert_match "exited$" "$seen"

test_case "the conversation id in list-agents -J"
t new-session -d -s conv -G claude cat
C=$(t display -p -t =conv: '#{pane_id}')
assert_ok t agent-report -t "$C" session-start conv-json-7
assert_ok t list-agents -J
assert_eq "conv-json-7" "$(printf '%s' "$OUT" | "$PYTHON" -c 'import json,sys; print([a for a in json.load(sys.stdin)["agents"] if a["session_name"]=="conv"][0]["conversation_id"])' 2>&1)"
