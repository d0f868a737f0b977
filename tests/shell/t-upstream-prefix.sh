# Command-name lookup as in upstream 3.5a: unique prefixes (a, at, ls,
# list-k, new, kill-ses) and aliases resolve; ambiguous prefixes list only
# upstream commands; agent commands resolve only by full name or alias,
# never by prefix. Compared with the hard-coded upstream table (lib.sh) and,
# when built, with the plain upstream binary ($PLAIN_TMUX).
. "$(dirname "$0")/lib.sh"

new_detached s

# probe BIN SOCKET WORD...: how BIN's server resolves each WORD, one line
# each: the command name, or the lookup error. Uses one control-mode client
# and the flag -~, which no command has, so nothing runs: the server answers
# "command NAME: invalid flag -~" once it has found NAME.
probe() {
	local bin=$1 sock=$2; shift 2
	printf '%s -~\n' "$@" | "$bin" -S "$sock" -f /dev/null -C attach -t s |
	    awk '/^%begin .* 1$/ { getline; sub(/^parse error: /, "")
		if ($0 ~ /^command [^ ]+: invalid flag -~$/) $0 = $2
		sub(/:$/, ""); print }'
}

# The commands of the binary under test, as name:alias, and those that are
# not upstream (the agent commands).
ours=$(t list-commands -F '#{command_list_name}:#{command_list_alias}')
extra=$(comm -13 <(tr ' ' '\n' <<<"$UPSTREAM_COMMANDS" | sort) <(sort <<<"$ours"))
extra_names=$(cut -d: -f1 <<<"$extra" | grep . || true)

# Every prefix of every command name (upstream and ours), and every alias.
words=$( (tr ' ' '\n' <<<"$UPSTREAM_COMMANDS"; echo "$ours") | grep . |
    awk -F: '{ for (i = 1; i <= length($1); i++) print substr($1, 1, i)
	if ($2 != "") print $2 }' | sort -u)

# expected WORD...: upstream's answer, except that our own extra commands
# resolve by exact name or alias.
expected() {
	paste <(printf '%s\n' "$@") <(upstream_lookup "$@") |
	    awk -F'\t' -v extra="$extra" '
	    BEGIN { n = split(extra, e, "\n")
		for (i = 1; i <= n; i++) { split(e[i], f, ":"); own[f[1]] = f[1]
			if (f[2] != "") own[f[2]] = f[1] } }
	    { print ($1 in own) ? own[$1] : $2 }'
}

test_case "unique prefixes and aliases on the command line"
assert_ok t ls
assert_eq "$(t list-sessions)" "$OUT" "ls = list-sessions"
assert_match '^s: 1 windows' "$OUT"
assert_ok t list-k
assert_eq "$(t list-keys)" "$OUT" "list-k = list-keys"
assert_match "bind-key +-T prefix +d +detach-client" "$OUT"
assert_eq "$(t list-keys)" "$(t lsk)" "lsk = list-keys"
assert_ok t new -d -s x
assert_exit 0 t has -t x
assert_ok t kill-ses -t x
assert_exit 1 t has-session -t x
assert_eq "can't find session: x" "$ERR"
# a and at resolve to attach-session, which needs a terminal.
assert_error_contains "open terminal failed: not a terminal" t a -t s
assert_error_contains "open terminal failed: not a terminal" t at -t s
assert_error_contains "can't find session: nosuch" t a -t nosuch

test_case "ambiguous and unknown words on the command line"
if have_plain; then
	"$PLAIN_TMUX" -S "$TEST_DIR/plain.sock" -f /dev/null new -d -s s
fi
for w in list- show- s new- kill- l d sh se show-a list-a agent ag list-agent zz; do
	want=$(upstream_lookup "$w")
	run t "$w"
	assert_eq "1 $want" "$RC $(head -n 1 <<<"$ERR")" "tmux $w"
	if have_plain; then
		mine="$RC $ERR"
		run "$PLAIN_TMUX" -S "$TEST_DIR/plain.sock" "$w"
		assert_eq "$RC $ERR" "$mine" "tmux $w: plain upstream vs ours"
	fi
done

test_case "every prefix and alias resolves as in upstream 3.5a"
# shellcheck disable=SC2086
got=$(probe "$TMUX_BIN" "$SOCK" $words)
want=$(expected $words)
assert_match '^[0-9]+$' "$(wc -l <<<"$words")"
assert_eq "$(wc -l <<<"$words")" "$(wc -l <<<"$got")" "one answer per word"
assert_eq "" "$(diff <(paste <(echo "$words") <(echo "$want")) \
    <(paste <(echo "$words") <(echo "$got")))" "word, expected vs ours"
assert_eq attach-session "$(probe "$TMUX_BIN" "$SOCK" a)"

test_case "same resolutions as the plain upstream build"
if have_plain; then
	# Our extra commands are expected to differ only in their own names.
	plain_words=$(grep -vxF -f <(cut -d: -f1,2 <<<"$extra" | tr ':' '\n' | grep . ||
	    echo ' ') <<<"$words")
	# shellcheck disable=SC2086
	assert_eq "$(probe "$PLAIN_TMUX" "$TEST_DIR/plain.sock" $plain_words)" \
	    "$(probe "$TMUX_BIN" "$SOCK" $plain_words)"
else
	skip "no plain upstream build at ${PLAIN_TMUX:-(unset)}: run vendor/build-plain.sh"
fi

test_case "list-commands has every upstream command"
missing=$(comm -23 <(tr ' ' '\n' <<<"$UPSTREAM_COMMANDS" | grep . | sort) <(sort <<<"$ours"))
assert_eq "" "$missing" "upstream name:alias missing from list-commands"
if have_plain; then
	assert_eq "" "$(comm -23 <("$PLAIN_TMUX" -S "$TEST_DIR/plain.sock" list-commands | sort) \
	    <(t list-commands | sort) | grep -v '^new-session ')" \
	    "upstream list-commands lines (usage) missing from ours"
fi

test_case "agent commands only by full name or alias"
if have_agent_commands; then
	assert_contains show-agent "$extra_names"
	for n in $extra_names; do
		assert_eq "$n" "$(probe "$TMUX_BIN" "$SOCK" "$n")" "$n by full name"
		[[ $n == *-* ]] || continue
		p=${n%?}
		assert_eq "$(expected "$p")" "$(probe "$TMUX_BIN" "$SOCK" "$p")" "prefix $p"
	done
	assert_error_contains "unknown command: list-a" t list-a
	assert_eq "$(upstream_lookup show-a)" "$(t show-a 2>&1)"
	assert_error_contains "open terminal failed: not a terminal" t a -t s
else
	skip "binary has no agent commands (no show-agent in list-commands)"
fi
