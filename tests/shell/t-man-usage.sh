# The man page documents every agent command as the binary has it: for each
# command agent-tmux adds or wraps, the synopsis of its entry in
# man/agent-tmux.1 (name, alias, flags and arguments) reads exactly as its
# usage in list-commands; every entry names a command the binary has; and the
# DESCRIPTION's list of additions names every command. The page's source is
# parsed here (no man page tool needed): an entry is ".Tg name" (plus
# ".Tg alias"), then ".It Xo Ic name", its usage items, ".Xc" and
# ".D1 Pq alias: Ic alias".
. "$(dirname "$0")/lib.sh"

MAN=${MAN_PAGE:-$LIB_DIR/../../man/agent-tmux.1}

# man_entries: one line per command entry of the page,
#   name~alias~usage~tags   ("~" is in no usage; tmux escapes control
#   characters in list-commands output, so no such separator would do)
# with the usage rendered from the mdoc synopsis as tmux prints usages
# ("[-t target-session] key"), tags the .Tg words before the entry, and
# "?MACRO" in the usage for a macro this parser does not know.
man_entries() {
	awk '
	function emit(w) {
		if (w == "") return
		if (glue || out == "") out = out w; else out = out " " w
		glue = 0
	}
	# render the macro words of one line (the leading "." removed)
	function render(line,    n, w, i, x, opens, fl) {
		n = split(line, w, /[ \t]+/); opens = 0; fl = 0
		for (i = 1; i <= n; i++) {
			x = w[i]
			if (x == "") continue
			if (x == "It" || x == "Xo" || x == "Xc" || x == "Ar" || x == "Ic" || x == "Cm" || x == "Li") { fl = 0; continue }
			if (x == "Op") { emit("["); glue = 1; opens++; fl = 0; continue }
			if (x == "Oo") { emit("["); glue = 1; fl = 0; continue }
			if (x == "Oc") { glue = 1; emit("]"); fl = 0; continue }
			if (x == "Fl") { fl = 1; continue }
			if (x == "Ns") { glue = 1; continue }
			if (x ~ /^[A-Z][a-z]$/) { emit("?" x); continue }
			if (x ~ /^[.,:;)\]?!]$/) { glue = 1; emit(x); continue }
			if (x ~ /^[(\[]$/) { emit(x); glue = 1; continue }
			if (x == "|" || x == "...") { emit(x); continue }
			emit((fl ? "-" : "") x)
		}
		while (opens-- > 0) { glue = 1; emit("]") }
	}
	# rest(line, n): the words of line after its first n
	function rest(line, n,    w, k, i, r) {
		k = split(line, w, /[ \t]+/); r = ""
		for (i = n + 1; i <= k; i++) r = r " " w[i]
		return r
	}
	function finish() {
		if (name != "") printf "%s~%s~%s~%s\n", name, alias, out, tags
		name = ""; alias = ""; out = ""; tags = ""; state = 0
	}
	/^\.Tg / {
		if (state == 3) finish()
		if (state == 0) tags = ""
		tags = tags (tags == "" ? "" : " ") $2; state = 1; next
	}
	state == 1 && /^\.It Xo Ic / { name = $4; out = ""; glue = 0; render(rest($0, 4)); state = 2; next }
	state == 1 && /^\.It Ic / { name = $3; out = ""; glue = 0; render(rest($0, 3)); state = 3; next }
	state == 1 { tags = ""; state = 0; next }
	state == 2 && /^\.Xc/ { state = 3; next }
	state == 2 && /^\./ { render(substr($0, 2)); next }
	state == 2 { out = out " ?TEXT"; next }
	state == 3 && /^\.D1 Pq alias: Ic / { alias = $5; finish(); next }
	state == 3 { finish() }
	END { if (state == 3) finish() }
	' "$MAN"
}

# description_commands: the commands the DESCRIPTION names with Ic in its
# list of what agent-tmux adds, one a line.
description_commands() {
	awk '
	/^\.Sh DESCRIPTION/ { d = 1; next }
	/^\.Sh / { d = 0 }
	d && /^\.Bl -bullet/ { l = 1; next }
	d && l && /^\.El/ { l = 0 }
	d && l && /^\.Ic / {
		for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]/) print $i
	}' "$MAN"
}

test_case "the man page is there and has command entries"
if ! have_agent_commands; then
	skip "no agent commands in $TMUX_BIN"
fi
assert_ok test -r "$MAN"
ENTRIES=$(man_entries)
assert_match '(^|'$'\n'')agent-wait~await~' "$ENTRIES" "the parser finds entries"

if have_agent_commands; then
	start_server
	US='~'
	LIST=$(t list-commands -F "#{command_list_name}$US#{command_list_alias}$US#{command_list_usage}")
	upstream_names=" $(printf '%s\n' $UPSTREAM_COMMANDS | cut -d: -f1 | tr '\n' ' ') "

	# The commands to check: those upstream 3.5a does not have, the wrapped
	# new-session, any other upstream command whose usage the plain build
	# shows differently, and every command the man page has an entry for.
	declare -A BIN_USAGE BIN_ALIAS CHECK
	while IFS=$US read -r name alias usage; do
		BIN_USAGE[$name]=$usage
		BIN_ALIAS[$name]=$alias
		[[ $upstream_names == *" $name "* ]] || CHECK[$name]=1
	done <<<"$LIST"
	CHECK[new-session]=1
	if have_plain; then
		while IFS=$US read -r name usage; do
			if [ -n "${BIN_USAGE[$name]+set}" ] && [ "${BIN_USAGE[$name]}" != "$usage" ]; then
				CHECK[$name]=1
			fi
		done < <("$PLAIN_TMUX" -S "$TEST_DIR/plain.sock" -f /dev/null start \; \
		    list-commands -F "#{command_list_name}$US#{command_list_usage}")
		"$PLAIN_TMUX" -S "$TEST_DIR/plain.sock" kill-server 2>/dev/null
	fi
	declare -A MAN_USAGE MAN_ALIAS MAN_TAGS
	while IFS=$US read -r name alias usage tags; do
		[ -n "$name" ] || continue
		MAN_USAGE[$name]=$usage
		MAN_ALIAS[$name]=$alias
		MAN_TAGS[$name]=$tags
		CHECK[$name]=1
	done <<<"$ENTRIES"

	# shown NAME ALIAS USAGE: a usage line as list-commands prints it.
	shown() { printf '%s%s %s' "$1" "${2:+ ($2)}" "$3"; }

	for name in $(printf '%s\n' "${!CHECK[@]}" | sort); do
		test_case "man page synopsis of $name"
		if [ -z "${BIN_USAGE[$name]+set}" ]; then
			_fail "the man page documents $name, which the binary does not have"
			continue
		fi
		if [ -z "${MAN_USAGE[$name]+set}" ]; then
			_fail "$name has no entry in man/agent-tmux.1 (.Tg $name, then .It Xo Ic $name ... .Xc)"
			continue
		fi
		assert_eq "$(shown "$name" "${BIN_ALIAS[$name]}" "${BIN_USAGE[$name]}")" \
		    "$(shown "$name" "${MAN_ALIAS[$name]}" "${MAN_USAGE[$name]}")" \
		    "$name: man page synopsis (got) differs from list-commands (expected)"
		want="$name${BIN_ALIAS[$name]:+ ${BIN_ALIAS[$name]}}"
		assert_eq "$want" "${MAN_TAGS[$name]}" "$name: .Tg tags of its entry (name, then alias)"
	done

	test_case "the DESCRIPTION names every command agent-tmux adds or wraps"
	described=" $(description_commands | tr '\n' ' ') "
	missing=""
	for name in $(printf '%s\n' "${!CHECK[@]}" | sort); do
		[ -n "${BIN_USAGE[$name]+set}" ] || continue
		[[ $described == *" $name "* ]] || missing="$missing $name"
	done
	assert_eq "" "$missing" "commands missing from the DESCRIPTION's list of additions"
fi
