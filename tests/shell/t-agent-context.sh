# Shared context: agent-share/ashare (key=value, -k/-v, -u, -j JSON),
# agent-get (plain value for scripts, -J entry), replacement, versions,
# authors, awkward values (newlines, tabs, UTF-8) and visibility to every
# member of the group.
. "$(dirname "$0")/lib.sh"

for s in a b c outsider; do new_detached "$s" cat; done
t ajoin -t a team >/dev/null
t ajoin -t b team >/dev/null
t ajoin -t c team >/dev/null

# ver KEY [SESSION]: the version of KEY's entry, from agent-get -J.
ver() { t agent-get -J -t "${2:-a}" "$1" | jq -r .version; }

test_case "ashare key=value, agent-get prints just the value"
run t ashare -t a status=running
assert_eq 0 "$RC"
assert_eq "Shared with group 'team': status=running" "$OUT"
v=$(t agent-get -t a status)
assert_eq running "$v"
# Exactly the value and one newline: nothing else on stdout.
assert_eq "$(printf 'running\n' | od -c)" "$(t agent-get -t a status | od -c)"

test_case "agent-share -k -v, values with = and spaces"
run t agent-share -t b -k plan -v "step 1 = build, step 2 = test"
assert_eq "Shared with group 'team': plan=step 1 = build, step 2 = test" "$OUT"
assert_eq "step 1 = build, step 2 = test" "$(t agent-get -t c plan)"
# key=value splits at the first '='.
t ashare -t a 'eq=a=b=c' >/dev/null
assert_eq "a=b=c" "$(t agent-get -t b eq)"
# An empty value is a value.
assert_ok t ashare -t a empty=
assert_eq "" "$(t agent-get -t a empty)"
assert_eq '""' "$(t agent-get -J -t a empty | jq -c .value)"

test_case "values are visible to every member"
for s in a b c; do
	assert_eq running "$(t agent-get -t $s status)" "agent-get from $s"
	run t apeers -t $s
	assert_contains "status=running" "$OUT"
done
assert_error_contains "session 'outsider' has no agent metadata" t agent-get -t outsider status
t set-agent -t outsider
assert_error_contains "session 'outsider' is not in a coordination group" t agent-get -t outsider status
assert_error_contains "session 'outsider' is not in a coordination group" t ashare -t outsider x=1

test_case "writing a key again replaces it, version increases on every write"
v1=$(ver status)
assert_match '^[0-9]+$' "$v1"
t ashare -t b status=done >/dev/null
v2=$(ver status)
assert_eq done "$(t agent-get -t a status)"
assert_eq 1 "$(( v2 > v1 ))" "version increased ($v1 -> $v2)"
t ashare -t b status=done >/dev/null # same value: still a write
v3=$(ver status)
assert_eq 1 "$(( v3 > v2 ))" "version increased on an identical write ($v2 -> $v3)"
# A write of another key also makes a new group version, larger still.
t ashare -t c other=1 >/dev/null
assert_eq 1 "$(( $(ver other) > v3 ))"
# Replaced, not duplicated: one line per key in apeers, one key in -J.
run t apeers -t a
assert_eq 1 "$(grep -c '^status=' <<<"$OUT")"
assert_eq "done" "$(t apeers -J -t a | jq -r '.context.status.value')"
assert_eq 1 "$(t apeers -J -t a | jq '[.context | keys[] | select(. == "status")] | length')"
# The group's version is that of the latest write.
assert_eq "$(ver other)" "$(t lsag -F '#{group_version}')"

test_case "author and time of an entry"
t ashare -t c status=by-c >/dev/null
entry=$(t agent-get -J -t a status)
assert_eq "status|by-c|false|c" "$(jq -r '[.key, .value, .json, .author] | join("|")' <<<"$entry")"
assert_eq "$(t display -p -t =c: '#{session_id}')" "$(jq -r .author_id <<<"$entry")"
now=$(date +%s)
t_written=$(jq -r .time <<<"$entry")
assert_eq 1 "$(( now - t_written >= 0 && now - t_written <= 2 ))" "entry time is now ($t_written vs $now)"

test_case "-j JSON values"
run t agent-share -t a -j 'cfg={"retries": 3}'
assert_eq 0 "$RC"
assert_eq "Shared with group 'team': cfg={\"retries\":3}" "$OUT"
assert_eq '{"retries":3}' "$(t agent-get -t b cfg)"
assert_eq 3 "$(t agent-get -J -t b cfg | jq .value.retries)"
assert_eq true "$(t agent-get -J -t b cfg | jq .json)"
assert_ok t ashare -j -t a -k list -v '[1, "two", null, {"x": [true]}]'
assert_eq '[1,"two",null,{"x":[true]}]' "$(t agent-get -t c list)"
assert_ok t ashare -j -t a num=42
assert_eq number "$(t agent-get -J -t a num | jq -r '.value | type')"
# Without -j the same text is a string.
t ashare -t a str=42 >/dev/null
assert_eq string "$(t agent-get -J -t a str | jq -r '.value | type')"
assert_eq false "$(t agent-get -J -t a str | jq .json)"
# DEL and C1 controls in JSON strings are shown escaped, like those below
# U+0020, everywhere the value is printed.
run t ashare -j -t a 'ctl=["\u007f\u009b", "\u0007"]'
assert_eq 'Shared with group '"'team'"': ctl=["\u007f\u009b","\u0007"]' "$OUT"
assert_eq '["\u007f\u009b","\u0007"]' "$(t agent-get -t b ctl)"
assert_contains '"value":["\u007f\u009b","\u0007"]' "$(t agent-get -J -t b ctl)"
assert_eq 2 "$(t agent-get -J -t b ctl | jq -r '.value[0] | length')"
t ashare -t a -u ctl >/dev/null

test_case "invalid JSON is refused and changes nothing"
before=$(t agent-get -J -t a cfg)
assert_error_contains "invalid JSON value" t ashare -j -t a 'cfg={"retries": 3'
assert_error_contains "invalid JSON value" t ashare -j -t a 'cfg=not json'
assert_error_contains "invalid JSON value" t ashare -j -t a -k cfg -v ''
assert_eq "$before" "$(t agent-get -J -t a cfg)"

test_case "ashare -u removes a key"
v_before=$(t lsag -F '#{group_version}')
run t ashare -t b -u str
assert_eq 0 "$RC"
assert_eq "Removed from group 'team': str" "$OUT"
assert_error_contains "key not found: str" t agent-get -t a str
assert_eq 1 "$RC"
assert_eq 1 "$(( $(t lsag -F '#{group_version}') > v_before ))" "removal makes a new version"
assert_error_contains "key not found: str" t ashare -t b -u str
assert_error_contains "give key=value, -k key -v value, or -u key" t ashare -t b -u cfg other=1
assert_error_contains "give key=value, -k key -v value, or -u key" t ashare -t b -j -u cfg
assert_eq '{"retries":3}' "$(t agent-get -t a cfg)"

test_case "unset key: error and non-zero exit, nothing on stdout"
run t agent-get -t a nosuchkey
assert_eq 1 "$RC"
assert_eq "" "$OUT"
assert_eq "key not found: nosuchkey" "$ERR"
if v=$(t agent-get -t a nosuchkey 2>/dev/null); then got=ok; else got=failed; fi
assert_eq "failed" "$got" "v=\$(tmux agent-get ...) fails for an unset key"

test_case "values with newlines, tabs and UTF-8"
val=$'line one\n\tindented line two\nnaïve 日本 🦀'
assert_ok t ashare -t a -k multi -v "$val"
assert_eq "$val" "$(t agent-get -t c multi)"
assert_eq "$val" "$(t agent-get -J -t b multi | jq -r .value)"
assert_ok t ashare -t a "utf=ünïcödé ✓"
assert_eq "ünïcödé ✓" "$(t agent-get -t b utf)"
assert_eq "ünïcödé ✓" "$(t apeers -J -t c | jq -r .context.utf.value)"
run t apeers -t a
assert_contains "utf=ünïcödé ✓" "$OUT"
# Bytes counted: key + value bytes of each entry.
bytes=$(t lsag -F '#{group_context_bytes}')
want=$(t apeers -J -t a | jq '[.context | to_entries[] | (.key | utf8bytelength) + (if .value.json then (.value.value | tojson | utf8bytelength) else (.value.value | utf8bytelength) end)] | add')
assert_eq "$want" "$bytes" "context bytes = sum of key and value bytes"

test_case "context survives the author leaving, goes with the group"
t ashare -t c fromc=yes >/dev/null
t aleave -t c >/dev/null
assert_eq yes "$(t agent-get -t a fromc)"
assert_eq c "$(t agent-get -J -t a fromc | jq -r .author)"
assert_error_contains "session 'c' is not in a coordination group" t agent-get -t c fromc
