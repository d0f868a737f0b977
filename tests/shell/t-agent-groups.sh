# Coordination groups: agent-join-group/ajoin (with -g or positional, plain
# sessions becoming agents, discovery output, re-joining, switching groups)
# and agent-leave-group/aleave (coordinator hand-over, dissolving an empty
# group with its context, the not-in-group error).
. "$(dirname "$0")/lib.sh"

for s in s1 s2 s3 s4; do new_detached "$s" cat; done
t set-agent -t s1 -G claude -o "lead"

test_case "first session in a group is its coordinator"
run t agent-join-group -t s1 -g team
assert_eq 0 "$RC"
assert_eq "$(printf "Session 's1' joined group 'team'\nFirst session in group (coordinator)")" "$OUT"
assert_eq "" "$ERR"
assert_eq "team|Coordinator|1|0" "$(t display -p -t =s1: '#{agent_group}|#{agent_role}|#{agent_is_coordinator}|#{agent_peers}')"
# It kept its type and goal.
assert_eq "claude|lead" "$(t display -p -t =s1: '#{agent_type}|#{agent_goal}')"

test_case "a plain session joining becomes an agent of type custom"
assert_eq "" "$(t display -p -t =s2: '#{agent_is_agent}')"
run t ajoin -t s2 team
assert_eq 0 "$RC"
assert_eq "$(printf "Session 's2' is now an agent (type custom)
Session 's2' joined group 'team'
Discovered 1 peer(s)
  - s1")" "$OUT"
assert_eq "1|custom||Member" "$(t display -p -t =s2: '#{agent_is_agent}|#{agent_type}|#{agent_goal}|#{agent_role}')"

test_case "later joiners discover every peer, in join order"
t set-agent -t s3 -G codex
run t ajoin -t s3 -g team
assert_eq "$(printf "Session 's3' joined group 'team'
Discovered 2 peer(s)
  - s1
  - s2")" "$OUT"
assert_eq "2 2 2" "$(for s in s1 s2 s3; do t display -p -t =$s: '#{agent_peers}'; done | tr '\n' ' ' | sed 's/ $//')"
assert_eq "team 3 s1" "$(t lsag -F '#{group_name} #{group_members} #{group_coordinator}')"

test_case "joining the same group again is a no-op that says so"
t ashare -t s1 k=v >/dev/null
before=$(t lsag -J)
run t ajoin -t s2 team
assert_eq 0 "$RC"
assert_eq "Session 's2' is already in group 'team'" "$OUT"
run t ajoin -t s1 -g team
assert_eq "Session 's1' is already in group 'team'" "$OUT"
assert_eq "$before" "$(t lsag -J)" "group unchanged (members, order, version, context)"

test_case "joining another group leaves the old one first and says so"
run t ajoin -t s3 other
assert_eq 0 "$RC"
assert_eq "$(printf "Session 's3' left group 'team'
Removed from 2 peer(s)
Session 's3' joined group 'other'
First session in group (coordinator)")" "$OUT"
assert_eq "other|Coordinator" "$(t display -p -t =s3: '#{agent_group}|#{agent_role}')"
assert_eq "$(printf 'other 1\nteam 2')" "$(t lsag -F '#{group_name} #{group_members}')"
assert_eq "1" "$(t display -p -t =s1: '#{agent_peers}')"

test_case "switching groups as coordinator names the new coordinator"
run t ajoin -t s1 other
assert_eq "$(printf "Session 's1' left group 'team'
Removed from 1 peer(s)
New coordinator of 'team': s2
Session 's1' joined group 'other'
Discovered 1 peer(s)
  - s3")" "$OUT"
assert_eq "Coordinator" "$(t display -p -t =s2: '#{agent_role}')"
assert_eq "Member" "$(t display -p -t =s1: '#{agent_role}')"
# The context stays with the group, not with the session that wrote it.
assert_eq v "$(t agent-get -t s2 k)"
assert_error_contains "key not found: k" t agent-get -t s1 k

test_case "aleave: member leaves"
# other: s3 (coordinator), s1; add s4 so there are three.
t ajoin -t s4 other >/dev/null
run t aleave -t s1
assert_eq 0 "$RC"
assert_eq "$(printf "Session 's1' left group 'other'\nRemoved from 2 peer(s)")" "$OUT"
assert_eq "||0|0" "$(t display -p -t =s1: '#{agent_group}|#{agent_role}|#{agent_is_coordinator}|#{agent_peers}')"
# It stays an agent.
assert_eq "1|claude" "$(t display -p -t =s1: '#{agent_is_agent}|#{agent_type}')"
assert_eq "other 2 s3" "$(t lsag -F '#{group_name} #{group_members} #{group_coordinator}' -f '#{==:#{group_name},other}')"

test_case "aleave: coordinator hands over to the longest-standing member"
# other: s3 (coordinator since its creation), s4; s1 joins again later.
t ajoin -t s1 other >/dev/null
run t agent-leave-group -t s3
assert_eq "$(printf "Session 's3' left group 'other'
Removed from 2 peer(s)
New coordinator: s4")" "$OUT"
assert_eq "Coordinator Member" "$(t display -p -t =s4: '#{agent_role}') $(t display -p -t =s1: '#{agent_role}')"
run t apeers -t s1
assert_contains "  - s4 (type: custom, goal: , role: Coordinator, status: idle)" "$OUT"
assert_not_contains "s3" "$OUT"

test_case "the last member leaving dissolves the group and its context"
t ashare -t s2 secret=42 >/dev/null
assert_eq 42 "$(t agent-get -t s2 secret)"
run t aleave -t s2
assert_eq "$(printf "Session 's2' left group 'team'
Removed from 0 peer(s)
Group 'team' dissolved (no members left)")" "$OUT"
run t lsag
assert_not_contains "Group: team" "$OUT"
assert_eq "other" "$(t lsag -F '#{group_name}')"
# A new group of that name starts with an empty context.
run t ajoin -t s2 team
assert_eq "$(printf "Session 's2' joined group 'team'\nFirst session in group (coordinator)")" "$OUT"
assert_error_contains "key not found: secret" t agent-get -t s2 secret
assert_error_contains "key not found: k" t agent-get -t s2 k
assert_eq "0 0" "$(t lsag -F '#{group_context_keys} #{group_version}' -f '#{==:#{group_name},team}')"

test_case "aleave outside a group"
assert_error_contains "session 's3' is not in a coordination group" t aleave -t s3
assert_eq 1 "$RC"
assert_error_contains "session 's3' is not in a coordination group" t agent-leave-group -t s3
new_detached plain cat
assert_error_contains "session 'plain' has no agent metadata" t aleave -t plain
assert_eq "" "$(t display -p -t =plain: '#{agent_is_agent}')"

test_case "ajoin without -t uses the current session (inside a pane)"
# run-shell from a pane of s3 has TMUX set, so the target is s3.
t respawn-pane -k -t =s3: "sh"
t send-keys -t =s3: "$TMUX_BIN -S $SOCK ajoin frompane; $TMUX_BIN -S $SOCK display -p 'in=#{agent_group}' > $TEST_DIR/frompane.txt" Enter
wait_for "[ -s '$TEST_DIR/frompane.txt' ]"
assert_eq "frompane" "$(t display -p -t =s3: '#{agent_group}')"
assert_eq "in=frompane" "$(cat "$TEST_DIR/frompane.txt" 2>/dev/null)"
