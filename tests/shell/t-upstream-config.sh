# Upstream configuration loading: a -f config file with bind-key and
# source-file of a second file setting options; errors in a config file;
# source-file at run time.
. "$(dirname "$0")/lib.sh"

cat >"$TEST_DIR/second.conf" <<'EOF'
set -g @from-second "second file"
set -g status-left "[cfg]"
EOF
cat >"$TEST_DIR/main.conf" <<EOF
# main config
bind-key X display-message "pressed X"
bind-key -T root F5 new-window -n f5
set -g history-limit 4242
source-file "$TEST_DIR/second.conf"
EOF

# c ARGS...: our binary with the config file instead of /dev/null.
c() { "$TMUX_BIN" -S "$SOCK" -f "$TEST_DIR/main.conf" "$@"; }

test_case "config file loaded at server start"
assert_ok c new-session -d -s cfg
assert_eq "" "$ERR"
run c list-keys -T prefix X
assert_eq 0 "$RC"
assert_eq 'bind-key -T prefix X display-message "pressed X"' "$OUT"
assert_eq 'bind-key -T root F5 new-window -n f5' "$(c list-keys -T root F5)"
assert_eq 4242 "$(c show -gv history-limit)"

test_case "source-file from the config sets options"
run c show -g
assert_contains '@from-second "second file"' "$OUT"
assert_contains 'status-left [cfg]' "$OUT"
assert_eq "second file" "$(c show -gv @from-second)"

test_case "source-file at run time"
printf 'set -g @later yes\nunbind-key X\n' >"$TEST_DIR/later.conf"
assert_ok c source-file "$TEST_DIR/later.conf"
assert_eq yes "$(c show -gv @later)"
assert_eq "" "$(c list-keys -T prefix X 2>/dev/null)"
assert_error_contains "No such file or directory" c source-file "$TEST_DIR/missing.conf"

test_case "a parse error names file and line and runs nothing"
printf 'set -g @ok 1\nno-such-command foo\n' >"$TEST_DIR/bad.conf"
run c source-file "$TEST_DIR/bad.conf"
assert_eq 1 "$RC"
# Upstream prints config errors on stdout.
assert_eq "$TEST_DIR/bad.conf:2: unknown command: no-such-command" "$OUT"
assert_error_contains "invalid option: @ok" c show -gv @ok
