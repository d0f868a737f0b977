# agent-prompt and text that agent CLIs treat specially (issue 14), against
# the fake agent TUI (fake-agent.py) reporting its state with OSC 7501: in
# the claude profile the fake takes pastes as Claude Code 2.1.328 does (a
# paste over 800 characters or 3 lines arrives wrapped in <pasted_content>
# tags, a pasted tab becomes spaces), so a multi-line or long text must go in
# as short one-line pastes joined by C-j to arrive literally; tabs are
# refused there unless -f; control characters (ESC sequences) are refused
# everywhere; other profiles get the text as one paste.
. "$(dirname "$0")/lib.sh"

FAKE=$LIB_DIR/fake-agent.py

# agent NAME JSON [TYPE]: session NAME running the fake agent (agent type
# TYPE, default fake), logging to NAME.log; sets PANE; waits for idle.
agent() {
	local name=$1 script=$2 type=${3:-fake}
	printf '%s' "$script" >"$TEST_DIR/$name.json"
	t new-session -d -s "$name" -x 100 -y 30 -G "$type" \
	    "exec $PYTHON $FAKE --script $TEST_DIR/$name.json --log $TEST_DIR/$name.log"
	PANE=$(t display -p -t "=$name:" '#{pane_id}')
	wait_for "[ \"\$(t display -p -t '$PANE' '#{agent_state}')\" = idle ]" 10
}
# nevents NAME EVENT: how many events EVENT the fake logged.
nevents() {
	"$PYTHON" -c 'import json,sys
print(sum(1 for l in open(sys.argv[1]) if json.loads(l)["event"] == sys.argv[2]))' "$TEST_DIR/$1.log" "$2"
}
# submitted NAME N FILE: "literal" if the fake's Nth submitted prompt is
# exactly FILE's content, else what it got instead.
submitted() {
	"$PYTHON" -c 'import json,sys
subs = [json.loads(l)["text"] for l in open(sys.argv[1]) if json.loads(l)["event"] == "submit"]
want = open(sys.argv[3], encoding="utf-8").read()
n = int(sys.argv[2])
if len(subs) < n: print("only %d submitted" % len(subs))
elif subs[n - 1] == want: print("literal")
else: print("got %d chars: %r" % (len(subs[n - 1]), subs[n - 1][:100]))' "$TEST_DIR/$1.log" "$2" "$TEST_DIR/$3"
}

start_server
t set -g @agent-prompt-delay 0.2

CODE=$'Fix this function:\n```python\ndef add(a, b):\n    return a - b\n```\n\nThen run the tests.'
printf '%s' "$CODE" >"$TEST_DIR/code.txt"
# 100 lines of 100 characters, newlines included: exactly 10,000.
"$PYTHON" -c 'import sys
sys.stdout.write("\n".join(("line %03d " % i) + "abcdefghij" * 9 for i in range(100)) + ".")' >"$TEST_DIR/long.txt"
"$PYTHON" -c 'import sys; sys.stdout.write("word " * 399 + "end")' >"$TEST_DIR/line.txt"

test_case "claude: a multi-line text goes in as one-line pastes joined by C-j, arriving literally"
agent cl '{"name": "Claude Code", "osc_state": true, "claude_paste": true}' claude
assert_eq claude "$(t display -p -t "$PANE" '#{agent_profile}')"
run t aprompt -T 10 -t "$PANE" "$CODE"
assert_eq "0|" "$RC|$ERR"
assert_eq literal "$(submitted cl 1 code.txt)"
assert_eq 6 "$(nevents cl paste)" "one paste per non-empty line"

test_case "claude: 10,000 characters and a 2,000-character line arrive literally, in pieces"
run t aprompt -T 10 -t "$PANE" "$(cat "$TEST_DIR/long.txt")"
assert_eq "0|" "$RC|$ERR"
assert_eq literal "$(submitted cl 2 long.txt)"
assert_eq 106 "$(nevents cl paste)" "100 more pastes, each line under 500 characters"
run t aprompt -T 10 -t "$PANE" "$(cat "$TEST_DIR/line.txt")"
assert_eq "0|" "$RC|$ERR"
assert_eq literal "$(submitted cl 3 line.txt)"
assert_eq 110 "$(nevents cl paste)" "2,000 characters: 4 pastes of at most 500"

test_case "claude: @agent-prompt-paste-size 0 pastes the text whole (and it arrives wrapped)"
t set -t =cl: @agent-prompt-paste-size 0
run t aprompt -T 10 -t "$PANE" "$CODE"
assert_eq "0|" "$RC|$ERR"
assert_match "^got .*pasted_content" "$(submitted cl 4 code.txt)"
assert_eq 111 "$(nevents cl paste)"
t set -t =cl: -u @agent-prompt-paste-size

test_case "claude: a tab is refused (it would arrive as spaces); -f sends it anyway"
run t aprompt -t "$PANE" $'a\ttab'
assert_eq "1|prompt text contains a tab: claude turns a pasted tab into spaces and a typed one into a key (-f sends it anyway)" "$RC|$ERR"
assert_eq 111 "$(nevents cl paste)" "nothing pasted"
run t aprompt -T 10 -f -t "$PANE" $'a\ttab'
assert_eq 0 "$RC"
printf 'a    tab' >"$TEST_DIR/spaces.txt"
assert_eq literal "$(submitted cl 5 spaces.txt)" "forced: the fake made it spaces, as Claude does"

test_case "an ANSI escape sequence is refused in every profile, even with -f"
agent cx '{"name": "Codex", "osc_state": true}' codex
agent fk '{"osc_state": true}'
for p in "=cl:" "=cx:" "=fk:"; do
	run t aprompt -t "$p" $'make it \e[31mred\e[0m'
	assert_eq "1|prompt text contains a control character (U+001B at character 9): an agent would read it as a key; only tab and newline are taken" "$RC|$ERR" "$p"
	run t aprompt -f -t "$p" $'bell\a'
	assert_contains "(U+0007 at character 5)" "$ERR" "$p -f"
done
assert_eq 0 "$(nevents cx paste)"
assert_eq 0 "$(nevents fk paste)"

test_case "other profiles: tabs and a multi-line text go as one paste, literally"
printf 'a\tb\n\tc' >"$TEST_DIR/tabs.txt"
for s in cx fk; do
	run t aprompt -T 10 -t "=$s:" "$CODE"
	assert_eq "0|" "$RC|$ERR" "$s"
	assert_eq literal "$(submitted $s 1 code.txt)" "$s"
	run t aprompt -T 10 -t "=$s:" "$(cat "$TEST_DIR/tabs.txt")"
	assert_eq "0|" "$RC|$ERR" "$s"
	assert_eq literal "$(submitted $s 2 tabs.txt)" "$s"
	assert_eq 2 "$(nevents $s paste)" "$s: one paste each"
done

test_case "@agent-prompt-paste-size in another profile: pieces there too; bad values are ignored"
t set -t =fk: @agent-prompt-paste-size 4
run t aprompt -T 10 -t "=fk:" $'abcdefghij\nxy'
assert_eq "0|" "$RC|$ERR"
printf 'abcdefghij\nxy' >"$TEST_DIR/pieces.txt"
assert_eq literal "$(submitted fk 3 pieces.txt)"
assert_eq 6 "$(nevents fk paste)" "abcd efgh ij xy"
t set -t =fk: @agent-prompt-paste-size nonsense
run t aprompt -T 10 -t "=fk:" "whole again"
assert_eq 0 "$RC"
assert_eq 7 "$(nevents fk paste)"
