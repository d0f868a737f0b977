# Captures carry only what changed (an agent with only its messages not
# sent before, only the groups that changed): after kill -9, state built
# up over many small captures is restored exactly, and a rename alone is
# saved under the new name (this needs the server to hear of renames,
# which it does not yet: the store's other half, branch wt-save, adds it).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/store-lib.sh"

# What must survive a crash (versions and numbers of the inbox go on
# above the saved ones, so they are left out; message numbers are kept).
state() {
	t list-agents -F '#{session_name} #{agent_type} #{agent_goal} #{agent_group}' | sort
	t list-agent-groups -J | jq -c '[.groups[] | {name, members: [.members[].session_name]}] | sort_by(.name)'
	local s k
	for s in $(t list-agents -F '#{session_name}' | sort); do
		t agent-inbox -J -t "=$s" | jq -c '[.messages[] | {seq, text, from: .from_name}]'
	done
	for k in k1 k2 k3 k4 k5; do
		printf '%s=%s\n' "$k" "$(t agent-get -t a "$k" 2>/dev/null)"
	done
}

test_case "kill -9 after many small captures: inboxes, groups and agents are back exactly"
start_server
t new-session -d -s home
t new-session -d -s a -G claude -o first
t new-session -d -s b -G codex
t agent-join-group -t a g >/dev/null
t agent-join-group -t b g >/dev/null
# Each step in its own capture: messages arrive, some are read, keys come
# and go, a goal changes, a member leaves.
for i in 1 2 3 4 5; do
	t agent-send -t a -s home "m$i" >/dev/null
	t agent-share -q -t b "k$i=v$i"
	sleep 0.15
done
t agent-inbox -c -n 2 -t a >/dev/null
sleep 0.15
t agent-send -t a -s home m6 >/dev/null
t agent-send -t b -s a "to b" >/dev/null
t agent-share -t a -u k2 >/dev/null
t set-agent -t a -o second
sleep 0.15
t agent-inbox -c -n 1 -t a >/dev/null
t agent-leave-group -t b >/dev/null
sleep 0.15
t agent-send -t a -s home m7 >/dev/null
want=$(state)
assert_contains '"seq":4,"text":"m4"' "$want" "the live state has what the steps made"
sleep 0.3
crash_server
run t agent-restore
assert_eq 0 "$RC" "$ERR"
assert_eq "$want" "$(state)" "the same after kill -9 and agent-restore"
stop_server

test_case "a rename alone, then kill -9 after the bound: restored under the new name"
start_server
t new-session -d -s old -G claude -o renamed
t agent-join-group -t old team >/dev/null
t agent-send -t old hello >/dev/null
sleep 0.3
t rename-session -t old new
sleep 0.3
crash_server
run t agent-restore
assert_eq 0 "$RC" "$ERR"
assert_eq "new claude renamed team" "$(t list-agents -F '#{session_name} #{agent_type} #{agent_goal} #{agent_group}')"
assert_eq "" "$(t list-sessions -F '#{session_name}' | grep -x old)" "nothing under the old name"
assert_eq hello "$(t agent-inbox -J -t =new | jq -r '.messages[0].text')"
stop_server
