# Detecting agent-tmux in one line, the same way on plain 3.5a (false) and on
# agent-tmux (true): `%if #{agent_tmux_version}`, `#{?agent_tmux_version,...}`
# and `if -F '#{?agent_tmux_version,1,0}'`, in a .tmux.conf (-f) and typed at
# the command prompt of an attached client. Also upstream's two truth rules,
# which make a bare `if -F '#{agent_tmux_version}'` false while the version
# starts with 0: if-shell -F is false for any value beginning with "0"
# (cmd-if-shell.c), %if and #{?...} only for "" and "0" (format_true).
. "$(dirname "$0")/lib.sh"

cat >"$TEST_DIR/detect.conf" <<'EOF'
set -g exit-empty off
%if #{agent_tmux_version}
set -g @by-if agent
%else
set -g @by-if plain
%endif
set -gF @by-cond '#{?agent_tmux_version,agent,plain}'
if -F '#{?agent_tmux_version,1,0}' 'set -g @by-iff agent' 'set -g @by-iff plain'
if -F '#{agent_tmux_version}' 'set -g @by-raw agent' 'set -g @by-raw plain'
EOF

PS="$TEST_DIR/plain.sock"
# ours / theirs ARGS...: our server or a plain 3.5a one, both with the file.
ours() { "$TMUX_BIN" -S "$SOCK" -f "$TEST_DIR/detect.conf" "$@"; }
theirs() { "$PLAIN_TMUX" -S "$PS" -f "$TEST_DIR/detect.conf" "$@"; }

# detected FUNC: the four results of the config file, space-separated.
detected() { $1 show -gv @by-if; $1 show -gv @by-cond; $1 show -gv @by-iff; $1 show -gv @by-raw; }

VERSION=$("$TMUX_BIN" -S "$TEST_DIR/probe.sock" -f /dev/null start-server \; display -p '#{agent_tmux_version}')

test_case "the version starts with 0: upstream's two truth rules differ on it"
assert_match '^[0-9]+\.[0-9]+\.[0-9]+' "$VERSION" "agent_tmux_version is set without a session"
assert_ok ours -f /dev/null start-server \; set -g exit-empty off
assert_eq "1 1 0 0" "$(ours display -p '#{?agent_tmux_version,1,0} #{?#{l:0.1},1,0} #{?#{l:0},1,0} #{?#{l:},1,0}')" \
    "#{?...}: false only for empty and 0"
assert_ok ours if -F '0.1' 'set -g @zero-dot yes' 'set -g @zero-dot no'
assert_eq no "$(ours show -gv @zero-dot)" "if-shell -F: a value beginning with 0 is false"
ours kill-server

test_case "a .tmux.conf detects agent-tmux in one line (-f)"
assert_ok ours new-session -d -s s -x 80 -y 24 cat
assert_eq "" "$ERR" "the file parses without errors"
case $VERSION in 0*) raw=plain ;; *) raw=agent ;; esac
assert_eq "agent agent agent $raw" "$(detected ours | xargs)"

test_case "the same .tmux.conf on plain 3.5a: not agent-tmux, no errors"
if ! have_plain; then
	skip "no plain upstream build"
else
	assert_ok theirs new-session -d -s s -x 80 -y 24 cat
	assert_eq "" "$ERR" "the file parses without errors"
	assert_eq "plain plain plain plain" "$(detected theirs | xargs)"
fi

test_case "from the shell: if -F and display"
assert_ok ours if -F '#{?agent_tmux_version,1,0}' 'set -g @sh agent' 'set -g @sh plain'
assert_eq agent "$(ours show -gv @sh)"
assert_eq agent-tmux "$(ours display -p '#{?agent_tmux_version,agent-tmux,tmux}')"
if have_plain; then
	assert_ok theirs if -F '#{?agent_tmux_version,1,0}' 'set -g @sh agent' 'set -g @sh plain'
	assert_eq plain "$(theirs show -gv @sh)"
	assert_eq tmux "$(theirs display -p '#{?agent_tmux_version,agent-tmux,tmux}')"
fi

# at_prompt NAME FUNC BIN SOCKET: attach BIN on a pty, type the one-liners at
# its command prompt, and print what they set.
at_prompt() {
	local name=$1 f=$2 bin=$3 sock=$4 client line
	pty_start "$name" env TERM=screen "$bin" -S "$sock" attach -t s
	wait_for "[ -n \"\$($f list-clients -t s)\" ] || [ -s '$TEST_DIR/$name.status' ]"
	client=$($f list-clients -t s -F '#{client_name}')
	for line in "if -F '#{?agent_tmux_version,1,0}' 'set -g @pr-iff agent' 'set -g @pr-iff plain'" \
	    "set -gF @pr-cond '#{?agent_tmux_version,agent,plain}'"; do
		# command-prompt -b has opened the prompt when it returns; the line
		# is then typed into it key by key.
		$f command-prompt -b -t "$client"
		$f send-keys -K -c "$client" "$line" Enter
	done
	wait_for "$f show -gv @pr-cond" 5
	echo "$($f show -gv @pr-iff) $($f show -gv @pr-cond)"
	$f detach-client -t "$client"
}

test_case "typed at the command prompt of an attached client"
assert_eq "agent agent" "$(at_prompt po ours "$TMUX_BIN" "$SOCK")"
if have_plain; then
	assert_eq "plain plain" "$(at_prompt pp theirs "$PLAIN_TMUX" "$PS")"
	theirs kill-server
fi
