# agent-prompt receipts (issue 14), against the fake agent TUI (fake-agent.py)
# whose state the server reads from its OSC 7501 reports: a prompt is reported submitted
# only once the agent took it; a picker that eats the first Enter is rescued
# once (never pasted twice); a slow start is waited for, a lost Enter fails
# with the reason; prompts for a working agent wait and go in order; never
# into a permission dialog; -n refuses; a human typing holds a deferred
# prompt; the pane dying fails what is queued; 20 queued prompts; -b and
# agent-wait -p; list-agent-prompts and its formats; the hook; -g; special
# texts.
. "$(dirname "$0")/lib.sh"

TW=("$TMUX_BIN" -S "$SOCK" -f /dev/null)
FAKE=$LIB_DIR/fake-agent.py

# agent NAME JSON [-G TYPE]: a session NAME (an agent session) running the
# fake agent with script JSON, logging to NAME.log; sets PANE; waits for idle.
agent() {
	local name=$1 script=$2 type=${3:-fake}
	printf '%s' "$script" >"$TEST_DIR/$name.json"
	rm -f "$TEST_DIR/$name.log"
	t new-session -d -s "$name" -x 100 -y 30 -G "$type" \
	    "exec $PYTHON $FAKE --script $TEST_DIR/$name.json --log $TEST_DIR/$name.log"
	PANE=$(t display -p -t "=$name:" '#{pane_id}')
	wait_for "[ \"\$(t display -p -t '$PANE' '#{agent_state}')\" = idle ]" 10
}
# events NAME EVENT: the fields "text" of a log's events EVENT, one a line.
events() {
	"$PYTHON" -c 'import json,sys
for l in open(sys.argv[1]):
    e = json.loads(l)
    if e["event"] == sys.argv[2]:
        print(e.get("text", "").replace("\n", "\\n"))' "$TEST_DIR/$1.log" "$2" 2>/dev/null
}
nevents() { events "$1" "$2" | wc -l | tr -d ' '; }
state_of() { t display -p -t "$1" '#{agent_state}'; }
lsap() { t list-agent-prompts -a -f "#{==:#{prompt_id},$1}" -F "$2"; }

start_server
t set -g @agent-prompt-delay 0.3

test_case "idle agent: agent-prompt returns once the prompt is seen submitted"
agent a1 '{"osc_state": true, "turns": [{"work": 0.5}]}'
assert_eq idle "$(state_of "$PANE")"
# set-option runs in the server as each change is announced, in order (a
# run-shell job per change could finish out of order).
t set -g agent-prompt-changed[0] "set -gaF @hooked '#{hook_prompt_id} #{hook_prompt_state}|'"
run t aprompt -t "$PANE" "hello there"
assert_eq "0||" "$RC|$OUT|$ERR"
assert_eq "hello there" "$(events a1 submit)" "the agent got it, once"
assert_eq 1 "$(nevents a1 paste)"
assert_eq "submitted" "$(lsap P1 '#{prompt_state}')"
assert_eq "P1 submitted" "$(t display -p -t "$PANE" '#{agent_prompt_id} #{agent_prompt_state}')"
assert_eq "P1 queued|P1 pasted|P1 submitted|" "$(t show -gv @hooked)" "the hook saw each state, in order"
t set -gu agent-prompt-changed[0]

test_case "-b prints the receipt id at once; agent-wait -p waits for it"
agent a2 '{"osc_state": true, "turns": [{"work": 0.3}]}'
# Enter 2 s after the paste: the receipt is still pasted when read below.
run t aprompt -b -d 2 -t "$PANE" "in the background"
assert_match '^0\|P[0-9]+\|$' "$RC|$OUT|$ERR"
id=$OUT
assert_eq pasted "$(lsap "$id" '#{prompt_state}')" "not submitted yet"
run t agent-wait -p "$id" -T 10
assert_eq "0|$id $PANE submitted|" "$RC|$OUT|$ERR"
assert_error_contains "can't find prompt receipt: P9999" t agent-wait -p P9999
assert_error_contains "invalid prompt receipt: x1" t agent-wait -p x1
run t list-agent-prompts -a -J -t "$PANE"
assert_contains "\"id\":\"$id\"" "$(tr -d ' \n' <<<"$OUT")"
assert_contains '"state":"submitted"' "$(tr -d ' \n' <<<"$OUT")"

test_case "a picker eats the first Enter: closed, Enter again, pasted once"
agent pk '{"osc_state": true, "picker": true, "turns": [{"work": 0.3}]}'
t set -t =pk: @agent-prompt-submit-time 1
run t aprompt -t "$PANE" "/review the last commit"
assert_eq "0||" "$RC|$OUT|$ERR"
assert_eq 1 "$(nevents pk picker-closed)" "the first Enter only closed the picker"
assert_eq "/review the last commit" "$(events pk submit)" "then it was submitted, once"
assert_eq 1 "$(nevents pk paste)" "never pasted twice"
assert_eq "submitted 1" "$(t list-agent-prompts -a -t "$PANE" -F '#{prompt_state} #{prompt_rescued}')"

test_case "a slow start within the submit time is waited for; too slow fails"
agent sl '{"osc_state": true, "lag": 1.5, "turns": [{"work": 0.3}]}'
t set -t =sl: @agent-prompt-submit-time 5
run t aprompt -t "$PANE" "take your time"
assert_eq "0||" "$RC|$OUT|$ERR"
assert_eq "submitted 0" "$(t list-agent-prompts -a -t "$PANE" -F '#{prompt_state} #{prompt_rescued}')" "no rescue needed"
# Lag 60 s > 0.5 + 0.2 + 0.5: checked, rescued once, checked again: fails.
agent sl2 '{"osc_state": true, "lag": 60}'
t set -t =sl2: @agent-prompt-submit-time 0.5
t set -t =sl2: @agent-prompt-delay 0.1
run t aprompt -t "$PANE" "too slow"
assert_eq 1 "$RC"
assert_eq "not submitted: the agent did not start within 0.5 s, even after closing what was in the way; the text is left in its input" "$ERR"
assert_eq 1 "$(nevents sl2 paste)" "pasted once"

test_case "prompts for a working agent wait, then go in order; -n refuses"
agent wk "{\"osc_state\": true, \"turns\": [{\"until\": \"$TEST_DIR/wk.go\"}, {\"work\": 0.3}, {\"work\": 0.3}]}"
assert_ok t aprompt -T 20 -t "$PANE" first
assert_eq working "$(state_of "$PANE")"
b=$(t aprompt -b -t "$PANE" second)
c=$(t aprompt -b -t "$PANE" third)
assert_eq "queued|deferred: the agent is working" "$(lsap "$b" '#{prompt_state}|#{prompt_reason}')"
assert_eq queued "$(lsap "$c" '#{prompt_state}')"
assert_eq 2 "$(t display -p -t "$PANE" '#{agent_prompt_queued}')"
run t aprompt -n -t "$PANE" refused
assert_eq "1|not prompting pane $PANE: the agent is working (-n)" "$RC|$ERR"
sleep 0.5
assert_eq 1 "$(nevents wk paste)" "nothing typed into the working agent"
touch "$TEST_DIR/wk.go"
run t agent-wait -p "$b,$c" -T 10
assert_eq "0|$b $PANE submitted"$'\n'"$c $PANE submitted" "$RC|$OUT"
assert_eq "first second third" "$(events wk submit | paste -sd' ')" "in order"
assert_eq 0 "$(nevents wk queued)" "none reached the agent while it worked"
assert_eq "1 1" "$(lsap "$b" '#{prompt_deferred}') $(lsap "$c" '#{prompt_deferred}')"

test_case "a prompt during a permission dialog is never typed into it"
agent dg '{"osc_state": true, "turns": [{"work": 0.2, "dialog": {"kind": "permission", "name": "x.txt"}, "after": 0.2}, {"work": 0.2}]}'
assert_ok t aprompt -T 20 -t "$PANE" "make a file"
wait_for "[ \"\$(state_of $PANE)\" = waiting ]" 5
assert_eq waiting "$(state_of "$PANE")"
d=$(t aprompt -b -t "$PANE" "after the dialog")
assert_match "^queued\\|deferred: the agent is waiting" "$(lsap "$d" '#{prompt_state}|#{prompt_reason}')"
run t aprompt -n -t "$PANE" nope
assert_contains "the agent is waiting" "$ERR"
sleep 1
assert_eq 1 "$(nevents dg paste)" "not pasted into the dialog"
assert_eq 0 "$(nevents dg answer)" "the dialog was not answered by the prompt"
t send-keys -t "$PANE" 3
run t agent-wait -p "$d" -T 10
assert_eq "0|$d $PANE submitted" "$RC|$OUT"
assert_eq "make a file|after the dialog" "$(events dg submit | paste -sd'|')"
assert_eq "No" "$(python3 -c 'import json,sys
print([json.loads(l) for l in open(sys.argv[1]) if json.loads(l)["event"]=="answer"][0]["label"])' "$TEST_DIR/dg.log")" "answered by the human's key only"

test_case "-f overrides the guards: pasted into the working agent"
agent fo "{\"osc_state\": true, \"turns\": [{\"until\": \"$TEST_DIR/fo.go\"}, {\"work\": 0.2}]}"
assert_ok t aprompt -T 20 -t "$PANE" busy
id=$(t aprompt -b -f -t "$PANE" forced)
wait_for "[ \$(nevents fo paste) = 2 ]" 5
assert_eq 2 "$(nevents fo paste)" "pasted at once"
touch "$TEST_DIR/fo.go"
run t agent-wait -p "$id" -T 10
assert_eq 0 "$RC"

test_case "a human typing holds a deferred prompt for the typing guard"
agent hu "{\"osc_state\": true, \"turns\": [{\"until\": \"$TEST_DIR/hu.go\"}, {\"work\": 0.2}]}"
t set -t =hu: @agent-typing-guard 5
assert_ok t aprompt -T 20 -t "$PANE" start
h=$(t aprompt -b -t "$PANE" held)
pty_start att env TERM=screen "$TMUX_BIN" -S "$SOCK" attach -t =hu:
wait_for "[ -n \"\$(t list-clients)\" ]" 5
pty_keys att 'x'
# Once the agent shows the key, the server has recorded it as a human's.
wait_for "capture $PANE | grep -q '^❯ x'" 5
touch "$TEST_DIR/hu.go"
wait_for "[ \"\$(state_of $PANE)\" = idle ]" 5
assert_eq "queued|deferred: a human typed into pane $PANE" "$(lsap "$h" '#{prompt_state}|#{prompt_reason}')"
run t agent-wait -p "$h" -T 10
assert_eq "0|$h $PANE submitted" "$RC|$OUT"
t detach-client -s =hu:
pty_wait att >/dev/null

test_case "the pane dies mid-delivery: every receipt fails with the reason"
agent kp "{\"osc_state\": true, \"turns\": [{\"until\": \"$TEST_DIR/kp.never\"}]}"
assert_ok t aprompt -T 20 -t "$PANE" working
"${TW[@]}" aprompt -t "$PANE" queued-one >/dev/null 2>"$TEST_DIR/k1.err" &
k1=$!
k2=$(t aprompt -b -t "$PANE" queued-two)
wait_for "[ \"\$(t display -p -t $PANE '#{agent_prompt_queued}')\" = 2 ]" 5
t kill-pane -t "$PANE"
wait "$k1"
assert_ne 0 "$?"
assert_eq "pane $PANE exited before Enter was sent" "$(cat "$TEST_DIR/k1.err")"
assert_eq "failed|pane $PANE exited before Enter was sent" "$(lsap "$k2" '#{prompt_state}|#{prompt_reason}')"

test_case "-T: a queued prompt is withdrawn, the client fails with where it was"
agent to "{\"osc_state\": true, \"turns\": [{\"until\": \"$TEST_DIR/to.go\"}, {\"work\": 0.2}]}"
assert_ok t aprompt -T 20 -t "$PANE" busy
run t aprompt -T 0.5 -t "$PANE" late
assert_eq 1 "$RC"
assert_match "^P[0-9]+ not submitted within 0.5 s \\(queued, deferred: the agent is working\\)$" "$ERR"
touch "$TEST_DIR/to.go"
wait_for "[ \"\$(state_of $PANE)\" = idle ]" 5
sleep 0.5
assert_eq 1 "$(nevents to paste)" "the withdrawn prompt was never pasted"

test_case "20 queued prompts to one pane: each once, in order"
agent q20 '{"osc_state": true}'
t set -t =q20: @agent-prompt-delay 0.05
ids=
for i in $(seq -w 1 20); do
	ids="$ids,$(t aprompt -b -t "$PANE" "prompt $i")"
done
run t agent-wait -p "${ids#,}" -T 60
assert_eq 0 "$RC"
assert_eq 20 "$(grep -c ' submitted$' <<<"$OUT")"
assert_eq "$(seq -w 1 20 | sed 's/^/prompt /' | paste -sd'|')" "$(events q20 submit | paste -sd'|')"
assert_eq 20 "$(nevents q20 paste)"

test_case "-g: each idle member gets the prompt, one receipt each"
agent g1 '{"osc_state": true}'
P1=$PANE
agent g2 "{\"osc_state\": true, \"turns\": [{\"until\": \"$TEST_DIR/g2.go\"}]}"
P2=$PANE
assert_ok t aprompt -t "$P2" busy
agent g3 '{"osc_state": true}'
P3=$PANE
for s in g1 g2 g3; do t agent-join-group -t "=$s:" team; done
run t aprompt -g team "to the team"
assert_eq 0 "$RC"
assert_match "^P[0-9]+ $P1 submitted$" "$(grep " $P1 " <<<"$OUT")"
assert_match "^P[0-9]+ $P3 submitted$" "$(grep " $P3 " <<<"$OUT")"
assert_eq "- $P2 skipped: the agent is working (working)" "$(grep " $P2 " <<<"$OUT")"
assert_eq "to the team" "$(events g1 submit)"
assert_eq "to the team" "$(events g3 submit)"
assert_eq "busy" "$(events g2 submit)"
# Their turns end before the next group prompt finds them idle.
assert_ok t agent-wait -S idle -a -t "$P1" -t "$P3" -T 20
run t aprompt -b -g team again
assert_eq 2 "$(grep -c '^P' <<<"$OUT")"
assert_eq team "$(t list-agent-prompts -a -F '#{prompt_group}' | sort -u | grep team)"
assert_error_contains "can't find group" t aprompt -g nosuch x
assert_error_contains "-g and -t can't be used together" t aprompt -g team -t "$P1" x
touch "$TEST_DIR/g2.go"

test_case "special texts: a leading ! is refused for claude, -f sends it"
agent cl '{"name": "Claude Code", "osc_state": true}' claude
assert_eq claude "$(t display -p -t "$PANE" '#{agent_profile}')"
run t aprompt -t "$PANE" '!echo hi'
assert_eq "1|prompt text starts with '!': claude runs it as a shell command, not a prompt (-f sends it anyway)" "$RC|$ERR"
assert_eq 0 "$(nevents cl paste)"
run t aprompt -T 10 -t "$PANE" '# a note with @README.md and ?'
assert_eq "0|" "$RC|$ERR"
assert_eq '# a note with @README.md and ?' "$(events cl submit)"
run t aprompt -T 10 -f -t "$PANE" '!forced'
assert_eq 0 "$RC"
