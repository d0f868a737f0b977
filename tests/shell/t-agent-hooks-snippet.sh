# agent-hooks: the hooks snippet for Claude Code (and Gemini CLI) printed,
# and merged into a settings file only with -i: other settings and hooks
# kept, a backup beside it, the mode kept (0600 and a 0700 directory when
# new), idempotent, symbolic links followed, bad files left alone.
. "$(dirname "$0")/lib.sh"

# jq-like: python3 -c over a JSON file or stdin.
py() { "$PYTHON" -c "$@"; }
BIN=$(cd "$(dirname "$TMUX_BIN")" && pwd)/$(basename "$TMUX_BIN")
SET=$HOME/.claude/settings.json

start_server

test_case "the snippet is JSON with one agent-report hook per Claude Code event"
assert_ok t agent-hooks
printf '%s\n' "$OUT" >"$TEST_DIR/snippet.json"
assert_eq "SessionStart UserPromptSubmit PreToolUse PermissionRequest PostToolUse Notification Stop SessionEnd" \
    "$(py 'import json,sys; print(" ".join(json.load(open(sys.argv[1]))["hooks"]))' "$TEST_DIR/snippet.json")"
assert_eq "[ -z \"\$TMUX\" ] || $BIN agent-report -I Stop" \
    "$(py 'import json,sys; print(json.load(open(sys.argv[1]))["hooks"]["Stop"][0]["hooks"][0]["command"])' "$TEST_DIR/snippet.json")" \
    "the hook runs this binary, quiet outside tmux"
assert_eq "command" "$(py 'import json,sys; print(json.load(open(sys.argv[1]))["hooks"]["PreToolUse"][0]["hooks"][0]["type"])' "$TEST_DIR/snippet.json")"
[ -e "$SET" ]
assert_eq 1 $? "printing writes nothing"

test_case "-b names the command hooks run (quoted for sh); ahooks is the alias"
assert_ok t ahooks -b "/opt/my tmux/tmux"
assert_contains "|| '/opt/my tmux/tmux' agent-report -I SessionEnd" "$OUT"
assert_ok t ahooks -b tmux
assert_contains '|| tmux agent-report -I UserPromptSubmit' "$OUT"

test_case "gemini: its own event names"
assert_ok t agent-hooks gemini
printf '%s\n' "$OUT" >"$TEST_DIR/gemini.json"
assert_eq "SessionStart BeforeAgent BeforeTool AfterTool Notification AfterAgent SessionEnd" \
    "$(py 'import json,sys; print(" ".join(json.load(open(sys.argv[1]))["hooks"]))' "$TEST_DIR/gemini.json")"

test_case "bad input: clear errors, nothing written"
assert_error_contains "invalid agent cli: codex (claude or gemini)" t agent-hooks codex
assert_error_contains "-f needs -i" t agent-hooks -f "$TEST_DIR/x.json"
assert_error_contains "-b needs a command" t agent-hooks -b ""
assert_error_contains "too many arguments" t agent-hooks claude extra
[ -e "$TEST_DIR/x.json" ] || [ -e "$SET" ]
assert_eq 1 $? "no file appeared"

test_case "-i into no settings: a 0700 directory and a 0600 file holding the snippet"
assert_ok t agent-hooks -i
assert_contains "added hooks to $SET: SessionStart UserPromptSubmit" "$OUT"
assert_not_contains "backup" "$OUT" "nothing to back up"
assert_eq 700 "$(stat -c %a "$HOME/.claude")"
assert_eq 600 "$(stat -c %a "$SET")"
assert_eq "$(cat "$TEST_DIR/snippet.json")" "$(cat "$SET")" "the file is the snippet"

test_case "-i again: already installed, the file untouched"
cp "$SET" "$TEST_DIR/before.json"
assert_ok t agent-hooks -i
assert_contains "hooks already installed in $SET" "$OUT"
assert_ok cmp "$TEST_DIR/before.json" "$SET"
[ -e "$SET.agent-tmux.bak" ]
assert_eq 1 $? "no backup when nothing changed"

test_case "-i merges: other settings and hooks stay, in order; backup; mode kept"
cat >"$SET" <<'EOF'
{
  "model": "opus",
  "permissions": {"allow": ["Bash(ls:*)"]},
  "big": 1e400,
  "hooks": {
    "Stop": [{"hooks": [{"type": "command", "command": "notify-send done"}]}],
    "PreCompact": [{"matcher": "auto", "hooks": [{"type": "command", "command": "echo compact"}]}]
  },
  "statusLine": {"type": "command", "command": "my-status"}
}
EOF
chmod 640 "$SET"
cp "$SET" "$TEST_DIR/orig.json"
assert_ok t agent-hooks -i
assert_contains "backup: $SET.agent-tmux.bak" "$OUT"
assert_ok cmp "$TEST_DIR/orig.json" "$SET.agent-tmux.bak"
assert_eq 640 "$(stat -c %a "$SET")" "the mode is kept"
assert_eq 640 "$(stat -c %a "$SET.agent-tmux.bak")"
assert_eq "model permissions big hooks statusLine" "$(py 'import json,sys; print(" ".join(json.load(open(sys.argv[1]))))' "$SET")"
assert_contains '"big": 1e400' "$(cat "$SET")" "a number keeps its text"
assert_eq "notify-send done|$BIN agent-report -I Stop" \
    "$(py 'import json,sys; h=json.load(open(sys.argv[1]))["hooks"]["Stop"]; print("|".join(g["hooks"][0]["command"].split("|| ")[-1] for g in h))' "$SET")" \
    "our Stop hook comes after the user's"
assert_eq "auto echo compact" "$(py 'import json,sys; g=json.load(open(sys.argv[1]))["hooks"]["PreCompact"][0]; print(g["matcher"], g["hooks"][0]["command"])' "$SET")"
assert_eq '{"allow": ["Bash(ls:*)"]} my-status' "$(py 'import json,sys; d=json.load(open(sys.argv[1])); print(json.dumps(d["permissions"]), d["statusLine"]["command"])' "$SET")"

test_case "settings it can't read safely are left alone"
for bad in '{"model": ' '[1, 2]' '{"hooks": []}' '{"hooks": {"Stop": {}}}' '{"a": 1, "a": 2}'; do
	printf '%s' "$bad" >"$TEST_DIR/bad.json"
	run t agent-hooks -i -f "$TEST_DIR/bad.json"
	assert_ne 0 "$RC" "refused: $bad"
	assert_eq "$bad" "$(cat "$TEST_DIR/bad.json")" "unchanged: $bad"
done
printf '{"hooks": []}' >"$TEST_DIR/bad.json"
assert_error_contains 'bad.json: settings have an unexpected shape: "hooks" is not an object' t agent-hooks -i -f "$TEST_DIR/bad.json"
printf '{"x": ' >"$TEST_DIR/bad.json"
assert_error_contains "bad.json: settings are not valid JSON" t agent-hooks -i -f "$TEST_DIR/bad.json"
[ -e "$TEST_DIR/bad.json.agent-tmux.bak" ]
assert_eq 1 $? "no backup of a refused file"
mkdir "$TEST_DIR/adir"
assert_error_contains "not a regular file" t agent-hooks -i -f "$TEST_DIR/adir"

test_case "a symbolic link is followed: the link stays, the file it names changes"
mkdir -p "$TEST_DIR/dotfiles"
echo '{"theme": "dark"}' >"$TEST_DIR/dotfiles/claude.json"
ln -s "$TEST_DIR/dotfiles/claude.json" "$TEST_DIR/link.json"
assert_ok t agent-hooks -i -f "$TEST_DIR/link.json"
[ -L "$TEST_DIR/link.json" ]
assert_eq 0 $? "still a link"
assert_eq "dark" "$(py 'import json,sys; print(json.load(open(sys.argv[1]))["theme"])' "$TEST_DIR/dotfiles/claude.json")"
assert_contains "agent-report -I Stop" "$(cat "$TEST_DIR/dotfiles/claude.json")"

test_case "-f is taken relative to the client's directory; gemini too"
mkdir -p "$TEST_DIR/proj"
(cd "$TEST_DIR/proj" && t agent-hooks -i -f gem.json gemini) >"$TEST_DIR/out" 2>&1
assert_contains "added hooks to $TEST_DIR/proj/gem.json: SessionStart BeforeAgent" "$(cat "$TEST_DIR/out")"
assert_eq "agent-tmux-afteragent" "$(py 'import json,sys; print(json.load(open(sys.argv[1]))["hooks"]["AfterAgent"][0]["hooks"][0]["name"])' "$TEST_DIR/proj/gem.json")"

test_case "-i without HOME: an error naming -f"
assert_error_contains "no HOME in the client's environment: use -f" env -u HOME "$TMUX_BIN" -S "$SOCK" -f /dev/null agent-hooks -i

test_case "-i from a key binding or hook (a queue it must not hold) is refused"
t set-hook -g session-created "run-shell 'true'; agent-hooks -i -f $TEST_DIR/from-hook.json"
t new-session -d -s hooked
t set-hook -gu session-created
[ -e "$TEST_DIR/from-hook.json" ]
assert_eq 1 $? "the hook wrote nothing"

test_case "a directory it can't write into: a lowercase error, nothing left behind"
mkdir -p "$TEST_DIR/ro"
echo '{}' >"$TEST_DIR/ro/s.json"
chmod 500 "$TEST_DIR/ro"
if [ "$(id -u)" = 0 ]; then
	skip "root writes anywhere"
else
	assert_error_contains "can't write $TEST_DIR/ro/s.json.agent-tmux.bak: permission denied" t agent-hooks -i -f "$TEST_DIR/ro/s.json"
	assert_eq '{}' "$(cat "$TEST_DIR/ro/s.json")"
fi
chmod 700 "$TEST_DIR/ro"
