# Agent commands match only by full name or alias, never by prefix, so every
# upstream abbreviation keeps its 3.5a meaning: `tmux a` still attaches and
# ambiguity lists name only upstream commands.
. "$(dirname "$0")/lib.sh"

new_detached s cat
t set-agent -t s -G claude

test_case "aliases work"
run t ajoin -t s pg
assert_eq 0 "$RC"
assert_contains "Session 's' joined group 'pg'" "$OUT"
run t ashare -t s k=v
assert_eq "Shared with group 'pg': k=v" "$OUT"
run t apeers -t s
assert_eq "Coordination Group: pg" "$(sed -n 1p <<<"$OUT")"
run t lsa
assert_eq "s: type=claude group=pg role=Coordinator peers=0 status=idle goal=" "$OUT"
run t lsag -F '#{group_name}'
assert_eq "pg" "$OUT"
run t aleave -t s
assert_eq 0 "$RC"
assert_contains "Session 's' left group 'pg'" "$OUT"

test_case "full names work"
assert_ok t agent-join-group -t s pg
assert_ok t agent-share -t s k=w
assert_eq w "$(t agent-get -t s k)"
assert_ok t agent-peers -t s
assert_ok t list-agents
assert_ok t list-agent-groups
assert_ok t show-agent -t s
assert_ok t set-agent -t s -o x
assert_ok t agent-leave-group -t s

test_case "list-commands shows names, aliases and usage"
run t list-commands -F '#{command_list_name}|#{command_list_alias}'
for pair in 'list-agents|lsa' 'list-agent-groups|lsag' 'agent-join-group|ajoin' \
    'agent-leave-group|aleave' 'agent-share|ashare' 'agent-peers|apeers' \
    'agent-get|' 'set-agent|' 'show-agent|' 'new-session|new'; do
	assert_eq 1 "$(grep -cxF "$pair" <<<"$OUT")" "list-commands: $pair"
done
assert_eq "agent-share (ashare) [-jq] [-t target-session] key=value | -k key -v value | -u key" \
    "$(t list-commands agent-share)"

test_case "prefixes of agent commands are unknown commands"
for w in show-a show-agen list-agent list-agent-g agent-j agent-sh agent-g \
    agent-p agent-l set-a ag age agent agent- lsag2 ajoi; do
	run t "$w"
	assert_eq 1 "$RC" "exit status of: $w"
	assert_eq "unknown command: $w" "$ERR"
done

# resolve WORD: what the server makes of WORD as a command name: the full
# name it resolves to (from the error for an invalid flag) or its error.
resolve() {
	local err
	err=$(t "$1" -~ 2>&1 </dev/null)
	case $err in
	"command "*": invalid flag -~") err=${err#command }; echo "${err%%: invalid flag -~}" ;;
	*) echo "$err" ;;
	esac
}

WORDS="list- li l se sh show sho s su a at att new ne n sw sel lsa-x lscm ls"

test_case "upstream abbreviations are unchanged"
# Each word resolves as upstream 3.5a's cmd_find would (lib.sh reference).
for w in $WORDS; do
	assert_eq "$(upstream_lookup "$w")" "$(resolve "$w")" "lookup of '$w'"
done
run t list-
assert_eq "ambiguous command: list-, could be: list-buffers, list-clients, list-commands, list-keys, list-panes, list-sessions, list-windows" "$ERR"
run t sh
assert_contains "ambiguous command: sh, could be: " "$ERR"
assert_not_contains "agent" "$ERR"
run t s
assert_contains "ambiguous command: s, could be: " "$ERR"
assert_not_contains "agent" "$ERR"
assert_not_contains "set-agent" "$ERR"

test_case "the same as a plain upstream tmux"
if have_plain; then
	"$PLAIN_TMUX" -S "$TEST_DIR/plain.sock" -f /dev/null new-session -d -s p cat
	for w in $WORDS; do
		theirs=$("$PLAIN_TMUX" -S "$TEST_DIR/plain.sock" -f /dev/null "$w" -~ 2>&1 </dev/null)
		assert_eq "$theirs" "$(t "$w" -~ 2>&1 </dev/null)" "'$w' as in plain tmux"
	done
	"$PLAIN_TMUX" -S "$TEST_DIR/plain.sock" kill-server
else
	skip "no plain upstream tmux (vendor/build-plain.sh)"
fi

test_case "tmux a still attaches"
pty_start a env TERM=screen "$TMUX_BIN" -S "$SOCK" a -t s
wait_for "[ -n \"\$(t list-clients)\" ] || [ -s '$TEST_DIR/a.status' ]"
assert_eq "s" "$(t list-clients -F '#{session_name}')"
t detach-client -s s
assert_eq 0 "$(pty_wait a)"
assert_contains "[detached (from session s)]" "$(pty_output a)"
