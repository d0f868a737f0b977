# The scripted fake agent TUI (fake-agent.py) driven with today's
# agent-prompt: what it received, what it drew (input box, working spinner,
# permission and question dialogs, finished-turn line), its title, exit.
. "$(dirname "$0")/lib.sh"

FAKE=$LIB_DIR/fake-agent.py
LOG=$TEST_DIR/fake.log
GO=$TEST_DIR/go

# ev FIELD [EVENT]: that field of each logged event (of EVENT only, if given),
# JSON-encoded, one a line.
ev() {
	"$PYTHON" -c '
import json, sys
for l in open(sys.argv[1]):
    e = json.loads(l)
    if len(sys.argv) < 4 or e["event"] == sys.argv[3]:
        print(json.dumps(e.get(sys.argv[2]), ensure_ascii=False))
' "$LOG" "$@" 2>/dev/null
}
# json TEXT: TEXT JSON-encoded, as ev prints it.
json() { "$PYTHON" -c 'import json, sys; print(json.dumps(sys.argv[1], ensure_ascii=False))' "$1"; }
nsubmit() { ev event submit | wc -l; }
title() { t display -p -t "$P" '#{pane_title}'; }

cat >"$TEST_DIR/script.json" <<EOF
{"name": "Fake Agent", "start": 0.3, "osc_state": true, "turns": [
  {"work": 0.1, "reply": "Looked at it."},
  {"work": 0.1, "reply": "Long one read."},
  {"until": "$GO", "reply": "Finished the work."},
  {"work": 0.1, "dialog": {"kind": "permission", "name": "notes.txt"}, "after": 0.1, "reply": "Created notes.txt."},
  {"work": 0.1, "dialog": {"kind": "question", "header": "Color", "question": "Which color should the banner be?",
   "options": ["Red", "Blue"]}, "reply": "Blue it is."}
]}
EOF

test_case "starting, then the input box; title and bracketed paste set"
new_detached fa "$PYTHON $FAKE --script $TEST_DIR/script.json --log $LOG"
t set -t =fa: remain-on-exit on
P=$(t display -p -t =fa: '#{pane_id}')
t pipe-pane -O -t "$P" "cat >>$TEST_DIR/fa.raw"
wait_for "capture $P | grep -q '? for shortcuts'" 10
assert_contains "? for shortcuts" "$(capture "$P")"
assert_eq "❯" "$(capture "$P" | grep -x '❯ *' | sed 's/ *$//')" "an empty input box"
assert_eq '"ready"' "$(ev event | sed -n 2p)" "started, then ready"
assert_eq "✳ Fake Agent" "$(title)"
assert_eq 1 "$(t display -p -t "$P" '#{alternate_on}')" "on the alternate screen"

test_case "agent-prompt: a multi-line prompt with a code block is one submission, exact text"
TEXT=$(printf 'Fix this function:\n```python\ndef add(a, b):\n    return a - b\n```\nThen run the tests.')
assert_ok t agent-prompt -d 0.3 -t "$P" "$TEXT"
wait_for "[ \$(nsubmit) -ge 1 ]" 10
assert_eq "$(json "$TEXT")" "$(ev text submit | sed -n 1p)" "submitted as sent"
assert_eq "$(json "$TEXT")" "$(ev text paste | sed -n 1p)" "it came as one bracketed paste"
wait_for "capture $P | grep -q 'Worked for'" 10
assert_contains "● Looked at it." "$(capture "$P")"
assert_contains "❯ Fix this function: …" "$(capture "$P")" "the transcript shows the prompt"

test_case "agent-prompt: 10,000 characters arrive whole"
LONG=$("$PYTHON" -c 'print("\n".join("line %03d " % i + "abcdefghij" * 9 for i in range(100)) + ".", end="")')
assert_eq 10000 "${#LONG}"
assert_ok t agent-prompt -d 0.3 -t "$P" "$LONG"
wait_for "[ \$(nsubmit) -ge 2 ]" 10
assert_eq "$(json "$LONG")" "$(ev text submit | sed -n 2p)"
wait_for "capture $P | grep -q 'Long one read.'" 10
assert_contains "● Long one read." "$(capture "$P")"

test_case "working: spinner line with 'esc to interrupt', spinner title; then the finished-turn line"
assert_ok t agent-prompt -d 0.3 -t "$P" "/etc/hosts: what is it for?"
wait_for "capture $P | grep -q 'esc to interrupt)'" 10
screen=$(capture "$P")
assert_match "^[·✢✳✶✻✽] [A-Z][a-z]+… \\([0-9]+s · esc to interrupt\\)$" "$(grep 'esc to interrupt)' <<<"$screen")" "spinner line"
assert_eq "  esc to interrupt" "$(tail -n 1 <<<"$screen")" "footer"
assert_match "^[⠂⠐] Fake Agent$" "$(title)"
assert_eq '"/etc/hosts: what is it for?"' "$(ev text submit | sed -n 3p)" "a leading / is literal here"
touch "$GO"
wait_for "[ \"\$(title)\" = '✳ Fake Agent' ]" 10
assert_eq "✳ Fake Agent" "$(title)" "the idle title is back"
assert_match "^✻ Worked for [0-9]+s$" "$(capture "$P" | grep 'Worked for' | tail -n 1)"
assert_contains "? for shortcuts" "$(capture "$P")"
assert_not_contains "esc to interrupt" "$(capture "$P")"

test_case "permission dialog: numbered choices, answered with 1"
assert_ok t agent-prompt -d 0.3 -t "$P" "create notes.txt"
wait_for "capture $P | grep -q 'Do you want to create notes.txt?'" 10
screen=$(capture "$P")
assert_contains "❯ 1. Yes" "$screen"
assert_contains "  3. No" "$screen"
assert_contains "Esc to cancel · Tab to amend" "$screen"
assert_not_contains "esc to interrupt" "$screen" "no working marker in a dialog"
assert_eq "[ . ] Action Required | Fake Agent" "$(title)"
t send-keys -t "$P" 1
wait_for "[ -n \"\$(ev label answer)\" ]" 10
assert_eq '"Yes"' "$(ev label answer | tail -n 1)"
wait_for "capture $P | grep -q 'Created notes.txt.'" 10
assert_contains "⎿  Yes" "$(capture "$P")"

test_case "question dialog: Down then Enter picks the second choice"
assert_ok t agent-prompt -d 0.3 -t "$P" "ask me"
wait_for "capture $P | grep -q 'Which color should the banner be?'" 10
screen=$(capture "$P")
assert_contains "❯ 1. Red" "$screen"
assert_contains "Enter to select · ↑/↓ to navigate · Esc to cancel" "$screen"
t send-keys -t "$P" Down
wait_for "capture $P | grep -q '❯ 2. Blue'" 10
assert_contains "❯ 2. Blue" "$(capture "$P")"
t send-keys -t "$P" Enter
wait_for "[ \$(ev label answer | wc -l) -ge 2 ]" 10
assert_eq '"Blue"' "$(ev label answer | tail -n 1)"
wait_for "capture $P | grep -q 'Blue it is.'" 10
assert_contains "● Blue it is." "$(capture "$P")"

test_case "exit: /exit quits with status 0"
assert_ok t agent-prompt -d 0.3 -t "$P" "/exit"
wait_for "[ \"\$(t display -p -t $P '#{pane_dead}')\" = 1 ]" 10
assert_eq "1 0" "$(t display -p -t "$P" '#{pane_dead} #{pane_dead_status}')"
assert_eq '0' "$(ev status exit)"
# The states it reported (OSC 7501, as Codex does), in order; pipe-pane may
# have started after the first idle, which is left out.
states=$(grep -ao $'\e]7501;[^\a]*' "$TEST_DIR/fa.raw" | cut -d';' -f2 | uniq | paste -sd' ' |
    sed 's/^state=idle:app=fake //')
assert_eq "state=working:app=fake state=done:app=fake state=working:app=fake state=done:app=fake state=working:app=fake state=done:app=fake state=working:app=fake state=blocked:app=fake:kind=permission state=working:app=fake state=done:app=fake state=working:app=fake state=blocked:app=fake:kind=question state=working:app=fake state=done:app=fake state=clear" "$states"

test_case "picker: a leading @ opens a picker that takes the next Enter"
printf '{"picker": true, "start": 0.1}\n' >"$TEST_DIR/picker.json"
LOG=$TEST_DIR/picker.log
new_detached pk "$PYTHON $FAKE --script $TEST_DIR/picker.json --log $LOG"
P=$(t display -p -t =pk: '#{pane_id}')
wait_for "capture $P | grep -q '? for shortcuts'" 10
t agent-prompt -d 0.3 -t "$P" "@README.md summarize" >/dev/null 2>&1
wait_for "[ -n \"\$(ev text picker-closed)\" ]" 10
assert_eq '"@README.md summarize"' "$(ev text picker-closed)" "Enter closed the picker"
assert_eq 0 "$(nsubmit)" "nothing was submitted"
assert_contains "❯ @README.md summarize" "$(capture "$P")" "the text waits in the input box"
t send-keys -t "$P" Enter
wait_for "[ \$(nsubmit) -ge 1 ]" 10
assert_eq '"@README.md summarize"' "$(ev text submit)" "a second Enter submits it"
