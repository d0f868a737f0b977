# Agent hooks in the listings (vendor/patches/0007): the default listings of
# show-hooks and show-options -H are line for line those of plain 3.5a while
# no agent hook is set, so tools that parse them knowing only upstream's hook
# names (libtmux's Hooks) keep working; a set agent hook is listed like any
# other, and every agent hook shows by name, set or not.
. "$(dirname "$0")/lib.sh"

AGENT_HOOKS="agent-context-changed agent-group-changed agent-message agent-pane-state agent-pane-status"

# pt ARGS...: a plain 3.5a server of its own, for the reference listings.
pt() { "$PLAIN_TMUX" -S "$TEST_DIR/plain.sock" -f /dev/null "$@"; }

# The listings compared, one per line (arguments after the command name).
LISTINGS="show-hooks -g
show-hooks
show-hooks -w
show-hooks -p
show-options -gH
show-options -H
show-options -AH
show-options -gwH
show-options -wAH
show-options -pAH
show-options -gHv"

# listing FUNC ARGS: what the server behind FUNC prints for one listing.
listing() { local f=$1; shift; $f "$@" -t s: 2>&1; }

new_detached s cat
if have_plain; then
	pt new-session -d -s s -x 80 -y 24 cat
fi

test_case "default listings are plain 3.5a's, line for line"
if ! have_plain; then
	skip "no plain upstream build"
else
	while IFS= read -r l; do
		# shellcheck disable=SC2086
		assert_eq "$(listing pt $l)" "$(listing t $l)" "tmux $l"
	done <<<"$LISTINGS"
	# Not vacuous: the listings do show unset upstream hooks by name.
	assert_contains $'\nsession-renamed\n' "$(t show-hooks -g)"
fi

test_case "each agent hook shows by name while unset"
for h in $AGENT_HOOKS; do
	run t show-hooks -g "$h"
	assert_eq "0 $h" "$RC $OUT" "show-hooks -g $h"
	run t show-options -gH "$h"
	assert_eq "0 $h" "$RC $OUT" "show-options -gH $h"
done
run t show-hooks -g agent-nonesuch
assert_contains "invalid option: agent-nonesuch" "$ERR"

test_case "a set agent hook is listed; unset again, it leaves the listing"
t set-hook -g agent-message 'display-message hi'
t set-hook -g 'agent-pane-state[3]' 'display-message st'
run t show-hooks -g
assert_eq 1 "$(grep -cx 'agent-message\[0\] display-message hi' <<<"$OUT")" "agent-message[0] listed"
assert_eq 1 "$(grep -cx 'agent-pane-state\[3\] display-message st' <<<"$OUT")" "agent-pane-state[3] listed"
assert_eq 2 "$(grep -c '^agent-' <<<"$OUT")" "only the set agent hooks"
assert_eq 1 "$(t show-options -gH | grep -cx 'agent-message\[0\] display-message hi')" "show-options -gH lists it"
assert_eq "agent-message[0]* display-message hi" "$(t show-options -AH -t s: | grep '^agent-message')" "inherited with -A"
assert_eq "agent-pane-state[3] display-message st" "$(t show-hooks -g agent-pane-state)"
if have_plain; then
	assert_eq "$(listing pt show-hooks -g)" "$(t show-hooks -g | grep -v '^agent-')" "the rest as plain 3.5a"
fi
t set-hook -gu 'agent-pane-state[3]'
t set-hook -gu agent-message
run t show-hooks -g
assert_not_contains "agent-" "$OUT" "unset, left out again"
if have_plain; then
	assert_eq "$(listing pt show-hooks -g)" "$OUT" "plain 3.5a's again"
fi

test_case "a session's own agent hook is in that session's listing"
t set-hook -t s: agent-group-changed 'display-message grp'
assert_eq "agent-group-changed[0] display-message grp" "$(t show-hooks -t s:)"
assert_eq "" "$(t show-hooks -g | grep '^agent-')" "not in the global listing"
t set-hook -u -t s: agent-group-changed
assert_eq "" "$(t show-hooks -t s:)"

if have_plain; then pt kill-server; fi
