# Read-only clients (attach -r) run no command that changes agent state, by
# any path: a read-only control client gets "client is read-only" for every
# mutating agent command (new-session -G/-o included) while the listing
# commands answer as usual; a read-only terminal client's key bindings of
# mutating agent commands do not run, those of listing commands do; and after
# switch-client -r makes the client read-write the same bindings work.
. "$(dirname "$0")/lib.sh"

# a and b: agents in group g1 with context key seed; solo: an agent in no
# group; plain: not an agent; ro: the session the read-only clients attach
# to. review: a user template. lay (L1): a layout whose M3 was removed. a has
# two unread messages.
fixture() {
	start_server
	t set -g @agent-settle-time 0
	for s in ro a b solo plain; do new_detached "$s" cat; done
	t ajoin -t a g1 >/dev/null
	t ajoin -t b g1 >/dev/null
	t ashare -t a seed=1 >/dev/null
	t set-agent -t solo -G solo -o alone
	t define-agent-template review author:1:cat reviewer:2
	t new-agent-layout -d -s lay -e manager=cat -e specialist=cat
	t agent-pane-remove -t M3 >/dev/null
	t agent-send -t a seeded >/dev/null
	t agent-send -t a second >/dev/null
	wait_for "[ \"\$(t lsap -F '#{agent_pane_state}' | sort -u)\" = ready ]" 5
}
fixture

# snapshot: sessions, panes, agents, groups, contexts, layouts, templates,
# inboxes, and the screen of solo's pane (a prompt target).
snapshot() {
	t list-sessions -F '#{session_id} #{session_name}' \; \
	    list-panes -a -F '#{pane_id} #{session_name} #{pane_dead}' \; \
	    list-agents -J \; list-agent-groups -J \; list-agent-layouts -a -J \; \
	    list-agent-panes -a -J \; list-agent-templates -J \; \
	    list-agents -F '#{session_name} #{agent_unread} #{agent_dropped}' \; \
	    agent-inbox -J -t =a \; capture-pane -p -t =solo: 2>&1
}

# Every mutating agent command, each one that a read-write client could run
# successfully here (checked at the end), by full name or alias.
MUTATING=(
	'set-agent -t plain -G made'
	'set-agent -t a -o "new goal"'
	'set-agent -u -t solo'
	'new-session -d -s made -G x cat'
	'new-session -d -s made2 -o "a goal" cat'
	'new -d -s made3 -G x cat'
	'agent-join-group -t plain g1'
	'ajoin -t solo -g g2'
	'agent-share -t a k=v'
	'ashare -t a -j -k j -v "[1]"'
	'agent-share -t a -u seed'
	'agent-send -t a hello'
	'asend -s a -g g1 "to the group"'
	'agent-inbox -c -n 1 -t a'
	'ainbox -c -t b'
	'agent-wait -mc -t a'
	'await -m -c -t a'
	'agent-prompt -b -d 0 -t solo "a prompt"'
	'aprompt -b -f -t solo: another'
	'agent-leave-group -t b'
	'aleave -t a'
	'new-agent-layout -d -s lay2 -e manager=cat -e specialist=cat'
	'newal -d -s lay3 -T review'
	'define-agent-template t2 r:1'
	'define-agent-template -u review'
	'agent-pane-remove -t M1'
	'agent-pane-recreate -t M3 cat'
	'kill-agent-layout -t L1'
)

# Listing commands with a line of their expected output.
READONLY=(
	'show-agent -t a'                                  'Agent Type: custom'
	'list-agents -F "#{session_name}"'                 'lay'
	'lsa -J'                                           '"session_name":"solo"'
	'agent-peers -t a -F "#{session_name}"'            'b'
	'apeers -t b -J'                                   '"group":"g1"'
	'agent-get -t a seed'                              '1'
	'agent-get -J -t a seed'                           '"key":"seed"'
	'list-agent-groups -F "#{group_name}:#{group_members}"' 'g1:2'
	'lsag -J'                                          '"name":"lay"'
	'list-agent-layouts -F "#{agent_layout_id}"'       'L1'
	'lsal -a -J'                                       '"id":"L1"'
	'list-agent-panes -a -F "#{agent_pane_id}"'        'M3'
	'lsap -t L1 -J'                                    '"id":"M1"'
	'list-agent-templates -F "#{template_name}"'       'review'
	'agent-wait -t a seed'                             '1'
	'agent-inbox -t a'                                 ': seeded'
	'ainbox -J -n 1 -t a'                              '"text":"seeded"'
	'agent-wait -m -t a'                               'seeded'
	'await -m -T 1 -t a'                               'seeded'
	'display -p "#{client_readonly}"'                  '1'
)

# blocks FILE: the replies of a control client after the attach itself, one
# line each: "end" or "error", a tab, the body with lines joined by "|".
blocks() {
	awk '
	$1 == "%begin" { inb = 1; body = ""; next }
	inb && ($1 == "%end" || $1 == "%error") {
		if ($4 == 1) print substr($1, 2) "\t" body
		inb = 0; next
	}
	inb { body = body (body == "" ? "" : "|") $0 }
	' "$1"
}

test_case "read-only control client: every mutating agent command refused"
{
	printf '%s\n' "${MUTATING[@]}"
	# Read-only commands in between, one line each, still answer.
	for ((i = 0; i < ${#READONLY[@]}; i += 2)); do
		printf '%s\n' "${READONLY[$i]}"
	done
} >"$TEST_DIR/ctl.in"
before=$(snapshot)
t -C attach -r -t =ro <"$TEST_DIR/ctl.in" >"$TEST_DIR/ctl.out" 2>"$TEST_DIR/ctl.err"
assert_eq "%exit" "$(tail -n 1 "$TEST_DIR/ctl.out")" "the control client ran to the end"
assert_eq "" "$(cat "$TEST_DIR/ctl.err")"
mapfile -t replies < <(blocks "$TEST_DIR/ctl.out")
assert_eq $((${#MUTATING[@]} + ${#READONLY[@]} / 2)) "${#replies[@]}" "one reply per command"
for i in "${!MUTATING[@]}"; do
	assert_eq $'error\tclient is read-only' "${replies[$i]}" "refused: ${MUTATING[$i]}"
done
assert_eq "$before" "$(snapshot)" "nothing changed by the read-only control client"
assert_eq "" "$(grep '^%agent-' "$TEST_DIR/ctl.out")" "no agent event happened"
echo "${#MUTATING[@]} mutating commands refused"

test_case "read-only control client: listing agent commands answer"
n=${#MUTATING[@]}
for ((i = 0; i < ${#READONLY[@]}; i += 2)); do
	reply=${replies[$((n + i / 2))]}
	assert_eq end "${reply%%$'\t'*}" "runs: ${READONLY[$i]}"
	assert_contains "${READONLY[$((i + 1))]}" "|${reply#*$'\t'}|" "output of: ${READONLY[$i]}"
done

test_case "read-only control client: no upstream detour"
# Without -G or -o, new-session is upstream's, which lets a control client
# make a plain session: that is no agent state.
printf '%s\n' 'new-session -d -s plainmade cat' 'new-session -d -s agentmade -G x cat' \
    'show-agent -t plainmade' >"$TEST_DIR/ctl2.in"
t -C attach -r -t =ro <"$TEST_DIR/ctl2.in" >"$TEST_DIR/ctl2.out" 2>&1
mapfile -t replies < <(blocks "$TEST_DIR/ctl2.out")
assert_eq "end	" "${replies[0]}"
assert_eq $'error\tclient is read-only' "${replies[1]}"
assert_eq $'error\tsession \'plainmade\' has no agent metadata' "${replies[2]}"
assert_fails t has-session -t =agentmade
assert_eq "" "$(t display -p -t =plainmade: '#{agent_is_agent}')"
t kill-session -t =plainmade

# --- a terminal client -----------------------------------------------------------

# Keys bound to mutating agent commands, and what each does once allowed.
t bind-key -n F1 set-agent -t plain -G bound
t bind-key -n F2 agent-join-group -t plain g1
t bind-key -n F3 agent-share -t a fromkey=1
t bind-key -n F4 define-agent-template fromkey r:1
t bind-key -n F5 new-session -d -s fromkey -G keyed cat
t bind-key -n F6 kill-agent-layout -t L1
t bind-key -n F10 agent-send -t b fromkey
t bind-key -n F11 agent-inbox -c -t a
# Keys bound to listing agent commands (their output opens view mode).
t bind-key -n F7 show-agent -t solo
t bind-key -n F8 agent-get -t a seed

pty_start term env TERM=screen "$TMUX_BIN" -S "$SOCK" attach -r -t =ro
wait_for "[ -n \"\$(t list-clients -t =ro -F '#{client_name} #{client_control_mode}' | grep ' 0$')\" ]"
client=$(t list-clients -t =ro -F '#{client_name} #{client_control_mode}' | awk '$2 == 0 { print $1 }')

test_case "read-only terminal client: bindings of mutating agent commands don't run"
assert_eq 1 "$(t display -p -c "$client" '#{client_readonly}')"
before=$(snapshot)
for k in F1 F2 F3 F4 F5 F6 F10 F11; do
	assert_ok t send-keys -K -c "$client" "$k"
done
wait_for "grep -q 'Client is read-only' '$TEST_DIR/term.out'" 5
assert_contains "Client is read-only" "$(pty_output term)" "the refusal is shown to the client"
# The keys are handled in order: once a listing key (F8) has answered, the
# refused ones before it have been handled too.
assert_ok t send-keys -K -c "$client" F8
wait_for "[ \"\$(t display -p -t =ro: '#{pane_in_mode}')\" = 1 ]" 5
assert_eq "$before" "$(snapshot)" "nothing changed by the bindings"
assert_eq "|" "$(t display -p -t =plain: '#{agent_is_agent}|#{agent_type}')"
assert_error_contains "key not found: fromkey" t agent-get -t a fromkey
assert_fails t has-session -t =fromkey

test_case "read-only terminal client: bindings of listing agent commands run"
# F8 above opened view mode with the value; F7 shows solo's agent.
assert_eq 1 "$(t display -p -t =ro: '#{pane_in_mode}')"
t copy-mode -q -t =ro:
assert_ok t send-keys -K -c "$client" F7
wait_for "grep -q 'Goal: alone' '$TEST_DIR/term.out'" 5
assert_contains "Goal: alone" "$(pty_output term)"
assert_eq 1 "$(t display -p -t =ro: '#{pane_in_mode}')"
t copy-mode -q -t =ro:

test_case "after switch-client -r the client is read-write and the bindings work"
assert_ok t switch-client -c "$client" -r -t =ro
assert_eq 0 "$(t display -p -c "$client" '#{client_readonly}')"
for k in F1 F2 F3 F4 F5 F6 F10 F11; do
	assert_ok t send-keys -K -c "$client" "$k"
done
wait_for "t has-session -t =fromkey && ! t has-session -t =lay" 5
assert_eq "bound|g1" "$(t display -p -t =plain: '#{agent_type}|#{agent_group}')"
assert_eq 1 "$(t agent-get -t a fromkey)"
assert_eq "fromkey: r:1 (1 pane, layout tiled)" "$(t list-agent-templates | grep '^fromkey:')"
assert_eq "keyed" "$(t display -p -t =fromkey: '#{agent_type}')"
assert_eq removed "$(t lsal -a -F '#{agent_layout_state}' -f '#{==:#{agent_layout_id},L1}')"
assert_eq "fromkey" "$(t agent-inbox -t b -F '#{message_text}')"
assert_eq 0 "$(t display -p -t =a: '#{agent_unread}')"
# And back to read-only: refused again.
assert_ok t switch-client -c "$client" -r -t =ro
assert_eq 1 "$(t display -p -c "$client" '#{client_readonly}')"
t copy-mode -q -t =ro:
before=$(snapshot)
t bind-key -n F9 set-agent -t plain -G again
assert_ok t send-keys -K -c "$client" F9 F8
wait_for "[ \"\$(t display -p -t =ro: '#{pane_in_mode}')\" = 1 ]" 5
assert_eq "$before" "$(snapshot)"
assert_eq bound "$(t display -p -t =plain: '#{agent_type}')"
t detach-client -t "$client"
assert_eq 0 "$(pty_wait term)"

test_case "each refused command works from a read-write control client"
# The refusals above were for read-only, not for bad commands: the same
# lines, run by a read-write control client on a fresh copy of the fixture.
t kill-server
wait_for "! t list-sessions >/dev/null 2>&1"
fixture
printf '%s\n' "${MUTATING[@]}" >"$TEST_DIR/rw.in"
t -C attach -t =ro <"$TEST_DIR/rw.in" >"$TEST_DIR/rw.out" 2>&1
mapfile -t replies < <(blocks "$TEST_DIR/rw.out")
assert_eq "${#MUTATING[@]}" "${#replies[@]}"
for i in "${!MUTATING[@]}"; do
	assert_eq end "${replies[$i]%%$'\t'*}" "read-write runs: ${MUTATING[$i]} (${replies[$i]#*$'\t'})"
done
