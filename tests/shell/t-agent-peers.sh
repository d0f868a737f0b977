# Listings: agent-peers/apeers (text, -F, -J), list-agent-groups/lsag (text,
# -F, -f, -J) and list-agents/lsa (one line per agent, -F, -f, -J).
. "$(dirname "$0")/lib.sh"

# time_line_ok LINE PREFIX: "PREFIX YYYY-MM-DD HH:MM:SS (N seconds ago)".
TIME_RE='[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2} \([0-9]+ seconds ago\)'

new_detached lead cat
new_detached w1 cat
new_detached w2 cat
new_detached solo cat
new_detached plain cat
t set-agent -t lead -G claude -o "coordinate the work"
t set-agent -t w1 -G codex -o "write tests"
t ajoin -t lead team >/dev/null
t ajoin -t w1 team >/dev/null
t ajoin -t w2 team >/dev/null
t ajoin -t solo alone >/dev/null

test_case "apeers: member's view"
run t agent-peers -t w1
assert_eq 0 "$RC"
assert_eq "Coordination Group: team" "$(sed -n 1p <<<"$OUT")"
assert_eq "Role: Member" "$(sed -n 2p <<<"$OUT")"
assert_eq "Peers: 2 sessions" "$(sed -n 3p <<<"$OUT")"
assert_eq "  - lead (type: claude, goal: coordinate the work, role: Coordinator, status: idle)" "$(sed -n 4p <<<"$OUT")"
assert_eq "  - w2 (type: custom, goal: , role: Member, status: idle)" "$(sed -n 5p <<<"$OUT")"
assert_match "^Last Coordination: $TIME_RE\$" "$(sed -n 6p <<<"$OUT")"
assert_eq "Shared Context: Empty" "$(sed -n 7p <<<"$OUT")"
assert_eq 7 "$(wc -l <<<"$OUT")"

test_case "apeers: coordinator's view, context as key=value lines"
t ashare -t w2 status=green >/dev/null
t ashare -t w2 -j 'cfg={"a": [1, 2]}' >/dev/null
run t apeers -t lead
assert_eq "Role: Coordinator" "$(sed -n 2p <<<"$OUT")"
assert_eq "  - w1 (type: codex, goal: write tests, role: Member, status: idle)" "$(sed -n 4p <<<"$OUT")"
assert_eq "  - w2 (type: custom, goal: , role: Member, status: idle)" "$(sed -n 5p <<<"$OUT")"
assert_match "^Shared Context: 2 keys, [0-9]+ bytes\$" "$(sed -n 7p <<<"$OUT")"
assert_eq "$(printf 'cfg={"a":[1,2]}\nstatus=green')" "$(sed -n '8,$p' <<<"$OUT")"
assert_not_contains "  - lead" "$OUT" "a session is not its own peer"

test_case "apeers: alone in a group; 1 peer is singular"
run t apeers -t solo
assert_eq "$(printf 'Coordination Group: alone\nRole: Coordinator\nPeers: None (only session in group)')" "$(sed -n 1,3p <<<"$OUT")"
assert_match "^Last Coordination: $TIME_RE\$" "$(sed -n 4p <<<"$OUT")"
t ajoin -t plain alone >/dev/null
run t apeers -t solo
assert_eq "Peers: 1 session" "$(sed -n 3p <<<"$OUT")"
assert_eq "  - plain (type: custom, goal: , role: Member, status: idle)" "$(sed -n 4p <<<"$OUT")"
t aleave -t plain >/dev/null
t set-agent -u -t plain

test_case "apeers: errors"
assert_error_contains "session 'plain' has no agent metadata" t apeers -t plain
t set-agent -t plain
assert_error_contains "session 'plain' is not in a coordination group" t apeers -t plain
assert_error_contains "can't find session: nosuch" t apeers -t nosuch
t set-agent -u -t plain

test_case "apeers -F: one line per peer"
run t apeers -t w2 -F '#{session_name}|#{agent_type}|#{agent_role}|#{agent_is_coordinator}|#{agent_peers}'
assert_eq "$(printf 'lead|claude|Coordinator|1|2\nw1|codex|Member|0|2')" "$OUT"
run t apeers -t solo -F '#{session_name}'
assert_eq 0 "$RC"
assert_eq "" "$OUT"

test_case "apeers -J"
run t apeers -J -t w1
assert_eq 0 "$RC"
j=$OUT
assert_eq "team|w1|Member|lead" "$(jq -r '[.group, .session_name, .role, .coordinator] | join("|")' <<<"$j")"
assert_eq "$(t display -p -t =w1: '#{session_id}')" "$(jq -r .session_id <<<"$j")"
assert_eq "$(t display -p -t =lead: '#{session_id}')" "$(jq -r .coordinator_id <<<"$j")"
assert_eq "lead,w2" "$(jq -r '[.peers[].session_name] | join(",")' <<<"$j")"
assert_eq "claude|coordinate the work|team|Coordinator|2" \
    "$(jq -r '.peers[0] | [.agent_type, .goal, .group, .role, (.peers|tostring)] | join("|")' <<<"$j")"
assert_eq "$(t display -p -t =lead: '#{agent_created}')" "$(jq -r '.peers[0].created' <<<"$j")"
assert_eq "green|w2" "$(jq -r '.context.status | [.value, .author] | join("|")' <<<"$j")"
assert_eq "[1,2]" "$(jq -c '.context.cfg.value.a' <<<"$j")"
assert_eq "$(t lsag -F '#{group_version}' -f '#{==:#{group_name},team}')" "$(jq -r .version <<<"$j")"
assert_match '^[0-9]+$' "$(jq -r .last_change <<<"$j")"

test_case "lsag: every group, in name order"
run t list-agent-groups
assert_eq 0 "$RC"
bytes=$(t lsag -F '#{group_context_bytes}' -f '#{==:#{group_name},team}')
assert_eq "$(printf "Agent Coordination Groups: 2

Group: alone
  Members: 1
  Coordinator: solo
    - solo [custom] (coordinator)
  Shared Context: 0 keys, 0 bytes

Group: team
  Members: 3
  Coordinator: lead
    - lead [claude] (coordinator)
    - w1 [codex]
    - w2 [custom]
  Shared Context: 2 keys, %s bytes" "$bytes")" "$OUT"
# cfg={"a":[1,2]} is 3+11 bytes, status=green 6+5.
assert_eq 25 "$bytes"

test_case "lsag -F and -f"
run t lsag -F '#{group_name}:#{group_members}:#{group_coordinator}:#{group_context_keys}'
assert_eq "$(printf 'alone:1:solo:0\nteam:3:lead:2')" "$OUT"
assert_eq "$(t display -p -t =lead: '#{session_id}')" "$(t lsag -F '#{group_coordinator_id}' -f '#{==:#{group_name},team}')"
run t lsag -f '#{>:#{group_members},1}' -F '#{group_name}'
assert_eq "team" "$OUT"
run t lsag -f '#{>:#{group_members},1}'
assert_eq "Agent Coordination Groups: 1" "$(sed -n 1p <<<"$OUT")"
assert_not_contains "alone" "$OUT"
run t lsag -f '#{==:#{group_name},nosuch}'
assert_eq "Agent Coordination Groups: 0" "$OUT"

test_case "lsag -J"
run t lsag -J
assert_eq 0 "$RC"
assert_eq "alone,team" "$(jq -r '[.groups[].name] | join(",")' <<<"$OUT")"
assert_eq "lead:claude:Coordinator,w1:codex:Member,w2:custom:Member" \
    "$(jq -r '[.groups[1].members[] | [.session_name, .agent_type, .role] | join(":")] | join(",")' <<<"$OUT")"
assert_eq "lead|2|25" "$(jq -r '.groups[1] | [.coordinator, .context_keys, .context_bytes] | join("|")' <<<"$OUT")"
assert_eq "green" "$(jq -r '.groups[1].context.status.value' <<<"$OUT")"
assert_eq "team" "$(t lsag -J -f '#{==:#{group_name},team}' | jq -r '[.groups[].name] | join(",")')"

test_case "lsa: one line per agent, in session order"
run t list-agents
assert_eq 0 "$RC"
assert_eq "$(printf '%s\n' \
    "lead: type=claude group=team role=Coordinator peers=2 status=idle goal=coordinate the work" \
    "w1: type=codex group=team role=Member peers=2 status=idle goal=write tests" \
    "w2: type=custom group=team role=Member peers=2 status=idle goal=" \
    "solo: type=custom group=alone role=Coordinator peers=0 status=idle goal=")" "$OUT"
assert_not_contains "plain" "$OUT"
# An agent without a group.
t set-agent -t plain -G idle
assert_eq "plain: type=idle group=- role=- peers=0 status=idle goal=" "$(t lsa | tail -n 1)"

test_case "lsa -F and -f"
run t lsa -F '#{session_name}=#{agent_type}'
assert_eq "$(printf 'lead=claude\nw1=codex\nw2=custom\nsolo=custom\nplain=idle')" "$OUT"
run t lsa -f '#{agent_is_coordinator}' -F '#{session_name}'
assert_eq "$(printf 'lead\nsolo')" "$OUT"
run t lsa -f '#{==:#{agent_group},team}' -F '#{session_name}'
assert_eq "$(printf 'lead\nw1\nw2')" "$OUT"
run t lsa -f '#{==:#{agent_type},nosuch}'
assert_eq 0 "$RC"
assert_eq "" "$OUT"

test_case "lsa -J"
run t lsa -J
assert_eq 0 "$RC"
assert_eq 5 "$(jq '.agents | length' <<<"$OUT")"
assert_eq "w1|codex|write tests|team|Member|2" \
    "$(jq -r '.agents[1] | [.session_name, .agent_type, .goal, .group, .role, (.peers|tostring)] | join("|")' <<<"$OUT")"
assert_eq "null|null" "$(jq -r '.agents[4] | [(.group|tostring), (.role|tostring)] | join("|")' <<<"$OUT")"
assert_eq "$(t display -p -t =w1: '#{session_id}')" "$(jq -r '.agents[1].session_id' <<<"$OUT")"
assert_eq "lead,solo" "$(t lsa -J -f '#{agent_is_coordinator}' | jq -r '[.agents[].session_name] | join(",")')"

test_case "-J wins over -F"
assert_eq 5 "$(t lsa -J -F '#{session_name}' | jq '.agents | length')"
assert_eq "alone,team" "$(t lsag -J -F '#{group_name}' | jq -r '[.groups[].name] | join(",")')"
assert_eq "lead,w2" "$(t apeers -J -F '#{session_name}' -t w1 | jq -r '[.peers[].session_name] | join(",")')"
