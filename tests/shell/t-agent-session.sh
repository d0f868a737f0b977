# Agent sessions: new-session -G/-o (with -A and -P -F still upstream's),
# set-agent (create, change, -u removing metadata and leaving the group),
# show-agent (its lines, and the error for a plain session).
. "$(dirname "$0")/lib.sh"

# created_line_ok LINE: "Created: YYYY-MM-DD HH:MM:SS (N seconds ago)".
CREATED_RE='^Created: [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2} \([0-9]+ seconds ago\)$'

test_case "new-session -G -o makes an agent session"
assert_ok t new-session -d -s a -x 80 -y 24 -G claude -o "fix the build" cat
assert_eq "" "$OUT"
run t show-agent -t a
assert_eq 0 "$RC"
assert_eq "Session: a" "$(sed -n 1p <<<"$OUT")"
assert_eq "Agent Type: claude" "$(sed -n 2p <<<"$OUT")"
assert_eq "Goal: fix the build" "$(sed -n 3p <<<"$OUT")"
assert_match "$CREATED_RE" "$(sed -n 4p <<<"$OUT")"
assert_eq "$(printf 'Group: (none)\nRole: (none)\nPeers: 0')" "$(sed -n '5,7p' <<<"$OUT")"
# Created is now: the format gives the same second (give or take one).
created=$(t display -p -t =a: '#{agent_created}')
now=$(date +%s)
assert_match '^[0-9]+$' "$created"
assert_eq 1 "$(( now - created >= 0 && now - created <= 2 ))" "agent_created is about now ($created vs $now)"

test_case "new-session with only -G or only -o"
assert_ok t new-session -d -s onlytype -x 80 -y 24 -G codex cat
assert_eq "codex|" "$(t display -p -t =onlytype: '#{agent_type}|#{agent_goal}')"
assert_ok t new-session -d -s onlygoal -x 80 -y 24 -o "just a goal" cat
assert_eq "custom|just a goal" "$(t display -p -t =onlygoal: '#{agent_type}|#{agent_goal}')"
# Without -G/-o a session is plain.
assert_ok t new-session -d -s plain -x 80 -y 24 cat
assert_eq "|" "$(t display -p -t =plain: '#{agent_is_agent}|#{agent_type}')"

test_case "new-session -P -F prints the new session, agent formats included"
run t new-session -d -s printed -x 80 -y 24 -P -F '#{session_name} #{window_width}x#{window_height}' -G claude cat
assert_eq 0 "$RC"
assert_eq "printed 80x24" "$OUT"
assert_eq claude "$(t display -p -t =printed: '#{agent_type}')"
# The printed line is the session as created: an agent of type claude.
run t new-session -d -s printed2 -x 80 -y 24 -P -F '#{session_name} #{agent_type} [#{agent_goal}]' -G claude -o g1 cat
assert_eq 0 "$RC"
assert_eq "printed2 claude [g1]" "$OUT" "new-session -P -F '#{agent_type}' shows the new agent"

test_case "new-session -A: -G/-o apply only when a session is created"
# -A with a new name creates the session with its agent metadata.
assert_ok t new-session -A -d -s viaA -x 80 -y 24 -G aider -o "made by -A" cat
assert_eq "aider|made by -A" "$(t display -p -t =viaA: '#{agent_type}|#{agent_goal}')"
# -A with an existing name attaches (which needs a terminal, as upstream)
# and leaves the existing agent's metadata alone.
run t new-session -A -d -s viaA -G other -o "other goal" cat
assert_contains "open terminal failed: not a terminal" "$ERR"
assert_eq "aider|made by -A" "$(t display -p -t =viaA: '#{agent_type}|#{agent_goal}')"
assert_eq 1 "$(t ls -F '#{session_name}' | grep -cx viaA)"

test_case "new-session -G/-o invalid: refused before anything is created"
assert_error_contains 'invalid agent type: "a b"' t new-session -d -s bad1 -G 'a b' cat
assert_error_contains "goal contains a control character" t new-session -d -s bad2 -o $'bell\a' cat
assert_fails t has-session -t bad1
assert_fails t has-session -t bad2
assert_eq "" "$(t ls -F '#{session_name}' | grep '^bad')"

test_case "set-agent on a plain session makes it an agent"
new_detached s1 cat
assert_error_contains "session 's1' has no agent metadata" t show-agent -t s1
assert_eq 1 "$RC"
assert_ok t set-agent -t s1
assert_eq "" "$OUT"
run t show-agent -t s1
assert_eq "$(printf 'Session: s1\nAgent Type: custom\nGoal: ')" "$(sed -n 1,3p <<<"$OUT")"
assert_ok t set-agent -t s1 -G claude -o "first goal"
assert_eq "claude|first goal" "$(t display -p -t =s1: '#{agent_type}|#{agent_goal}')"

test_case "set-agent changes only what it is given"
created=$(t display -p -t =s1: '#{agent_created}')
assert_ok t set-agent -t s1 -o "second goal"
assert_eq "claude|second goal" "$(t display -p -t =s1: '#{agent_type}|#{agent_goal}')"
assert_ok t set-agent -t s1 -G codex
assert_eq "codex|second goal" "$(t display -p -t =s1: '#{agent_type}|#{agent_goal}')"
assert_ok t set-agent -t s1 -o ""
assert_eq "codex|" "$(t display -p -t =s1: '#{agent_type}|#{agent_goal}')"
assert_eq "$created" "$(t display -p -t =s1: '#{agent_created}')" "created time unchanged"
# A failed set-agent changes nothing.
assert_error_contains "invalid agent type" t set-agent -t s1 -G 'no way' -o "never"
assert_eq "codex|" "$(t display -p -t =s1: '#{agent_type}|#{agent_goal}')"

test_case "set-agent keeps the group; show-agent shows group, role, peers"
new_detached s2 cat
t ajoin -t s1 team >/dev/null
t ajoin -t s2 team >/dev/null
assert_ok t set-agent -t s2 -G gemini -o "review"
assert_eq "team" "$(t display -p -t =s2: '#{agent_group}')"
run t show-agent -t s1
assert_eq "$(printf 'Group: team\nRole: Coordinator\nPeers: 1')" "$(sed -n '5,7p' <<<"$OUT")"
run t show-agent -t s2
assert_eq "$(printf 'Session: s2\nAgent Type: gemini\nGoal: review')" "$(sed -n 1,3p <<<"$OUT")"
assert_eq "$(printf 'Group: team\nRole: Member\nPeers: 1')" "$(sed -n '5,7p' <<<"$OUT")"

test_case "set-agent -u leaves the group and removes the metadata"
run t set-agent -u -t s1
assert_eq 0 "$RC"
assert_eq "Session 's1' left group 'team'" "$OUT"
assert_error_contains "session 's1' has no agent metadata" t show-agent -t s1
assert_eq "||" "$(t display -p -t =s1: '#{agent_is_agent}|#{agent_type}|#{agent_group}')"
# s2 is now alone and coordinates.
assert_eq "Coordinator 0" "$(t display -p -t =s2: '#{agent_role} #{agent_peers}')"
assert_eq "team 1 s2" "$(t lsag -F '#{group_name} #{group_members} #{group_coordinator}')"
assert_not_contains "s1:" "$(t lsa)"
# -u outside a group is silent; -u again: no metadata.
assert_ok t set-agent -t onlytype -u
assert_eq "" "$OUT"
assert_error_contains "session 'onlytype' has no agent metadata" t set-agent -u -t onlytype
assert_error_contains "-u cannot be combined with -G or -o" t set-agent -u -t s2 -G x
assert_error_contains "-u cannot be combined with -G or -o" t set-agent -u -t s2 -o x
assert_eq "gemini|review|team" "$(t display -p -t =s2: '#{agent_type}|#{agent_goal}|#{agent_group}')"

test_case "set-agent and show-agent: unknown session"
assert_error_contains "can't find session: nosuch" t set-agent -t nosuch -G x
assert_error_contains "can't find session: nosuch" t show-agent -t nosuch
