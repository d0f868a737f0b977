# A session dying by any path leaves its group (peers stop listing it, a new
# coordinator is chosen, an emptied group dissolves): kill-session, its last
# pane exiting, kill-pane, destroy-unattached, kill-server (a new server
# starts clean). rename-session shows the new name everywhere at once.
. "$(dirname "$0")/lib.sh"

# members GROUP: "coordinator: m1 m2 ..." from lsag -J.
members() {
	t lsag -J | jq -r --arg g "$1" \
	    '.groups[] | select(.name == $g) | .coordinator + ": " + ([.members[].session_name] | join(" "))'
}

test_case "kill-session of the coordinator"
for s in k1 k2 k3; do new_detached "$s" cat; t ajoin -t "$s" kg >/dev/null; done
assert_eq "k1: k1 k2 k3" "$(members kg)"
assert_ok t kill-session -t k1
assert_eq "k2: k2 k3" "$(members kg)"
assert_eq "Coordinator" "$(t display -p -t =k2: '#{agent_role}')"
run t apeers -t k3
assert_eq "Peers: 1 session" "$(sed -n 3p <<<"$OUT")"
assert_not_contains "k1" "$OUT"
assert_eq "k2,k3" "$(t lsa -J | jq -r '[.agents[].session_name] | join(",")')"
assert_eq "1 1" "$(t display -p -t =k2: '#{agent_peers}') $(t display -p -t =k3: '#{agent_peers}')"

test_case "kill-session of a member"
assert_ok t kill-session -t k3
assert_eq "k2: k2" "$(members kg)"
run t apeers -t k2
assert_eq "Peers: None (only session in group)" "$(sed -n 3p <<<"$OUT")"

test_case "kill-session of the last member dissolves the group"
t ashare -t k2 left=behind >/dev/null
assert_ok t kill-session -t k2
assert_eq "" "$(t lsag -F '#{group_name}' -f '#{==:#{group_name},kg}')"
new_detached k4 cat
t ajoin -t k4 kg >/dev/null
assert_error_contains "key not found: left" t agent-get -t k4 left
assert_eq "k4: k4" "$(members kg)"

test_case "the last pane exiting (shell command ends)"
new_detached keep cat
new_detached short 'sleep 0.3'
new_detached m2 cat
t ajoin -t short pg >/dev/null
t ajoin -t m2 pg >/dev/null
assert_eq "short: short m2" "$(members pg)"
wait_for "! t has-session -t short 2>/dev/null" 5
assert_fails t has-session -t short
assert_eq "m2: m2" "$(members pg)"
assert_eq "Coordinator 0" "$(t display -p -t =m2: '#{agent_role} #{agent_peers}')"
assert_not_contains "short" "$(t lsa)"

test_case "kill-pane of the last pane"
new_detached kp cat
t ajoin -t kp pg >/dev/null
assert_eq "m2: m2 kp" "$(members pg)"
t split-window -d -t =kp: cat
# One pane killed: the session lives on.
assert_ok t kill-pane -t =kp:0.1
assert_eq "m2: m2 kp" "$(members pg)"
assert_ok t kill-pane -t =kp:0.0
assert_fails t has-session -t kp
assert_eq "m2: m2" "$(members pg)"
# The coordinator's last pane.
new_detached kp2 cat
t ajoin -t kp2 pg >/dev/null
assert_ok t kill-pane -t =m2:
assert_eq "kp2: kp2" "$(members pg)"
run t apeers -t kp2
assert_eq "Role: Coordinator" "$(sed -n 2p <<<"$OUT")"

test_case "kill-window of the only window"
new_detached kw cat
t ajoin -t kw pg >/dev/null
assert_ok t kill-window -t kw:0
assert_fails t has-session -t kw
assert_eq "kp2: kp2" "$(members pg)"

test_case "destroy-unattached: the last client leaving kills it"
new_detached du cat
new_detached dpeer cat
t ajoin -t du dg >/dev/null
t ajoin -t dpeer dg >/dev/null
pty_start du env TERM=screen "$TMUX_BIN" -S "$SOCK" attach -t =du
wait_for "[ -n \"\$(t list-clients -t =du 2>/dev/null)\" ] || [ -s '$TEST_DIR/du.status' ]"
assert_eq 1 "$(t display -p -t =du: '#{session_attached}')"
# Set while attached (an unattached session with it on dies at once).
t set -t =du: destroy-unattached on
assert_eq "du: du dpeer" "$(members dg)"
# The client moves to dpeer, leaving du unattached. (Not detach-client:
# upstream 3.5a's server itself sometimes crashes when detach-client makes
# a destroy-unattached session unattached, plain build included.)
client=$(t list-clients -t =du -F '#{client_name}')
assert_ok t switch-client -c "$client" -t =dpeer
wait_for "! t has-session -t =du 2>/dev/null" 5
assert_fails t has-session -t =du
assert_eq "dpeer: dpeer" "$(members dg)"
assert_eq "Coordinator 0" "$(t display -p -t =dpeer: '#{agent_role} #{agent_peers}')"
t detach-client -s =dpeer
assert_eq 0 "$(pty_wait du)"
assert_contains "[detached (from session dpeer)]" "$(pty_output du)"

test_case "destroy-unattached set on an unattached session"
new_detached du3 cat
t ajoin -t =du3 dg >/dev/null
assert_eq "dpeer: dpeer du3" "$(members dg)"
t set -t =du3: destroy-unattached on
wait_for "! t has-session -t =du3 2>/dev/null" 5
assert_fails t has-session -t =du3
assert_eq "dpeer: dpeer" "$(members dg)"

test_case "rename-session: the new name everywhere at once"
new_detached oldname cat
new_detached peer cat
t set-agent -t oldname -G claude
t ajoin -t oldname rg >/dev/null
t ajoin -t peer rg >/dev/null
t ashare -t oldname note=hi >/dev/null
assert_ok t rename-session -t oldname newname
run t apeers -t peer
assert_contains "  - newname (type: claude, goal: , role: Coordinator, status: idle)" "$OUT"
assert_not_contains "oldname" "$OUT"
run t lsag
assert_contains "  Coordinator: newname" "$OUT"
assert_contains "    - newname [claude] (coordinator)" "$OUT"
assert_not_contains "oldname" "$OUT"
run t lsa
assert_contains "newname: type=claude group=rg role=Coordinator peers=1" "$OUT"
assert_not_contains "oldname" "$OUT"
run t show-agent -t newname
assert_eq "Session: newname" "$(sed -n 1p <<<"$OUT")"
assert_eq "newname" "$(t agent-get -J -t peer note | jq -r .author)"
assert_eq "newname" "$(t lsag -J | jq -r '.groups[] | select(.name == "rg") | .coordinator')"
assert_eq "newname" "$(t apeers -J -t peer | jq -r '.peers[0].session_name')"
run t aleave -t newname
assert_eq "Session 'newname' left group 'rg'" "$(sed -n 1p <<<"$OUT")"
assert_error_contains "can't find session: oldname" t show-agent -t oldname

test_case "an entry's author may be gone; its id stays"
new_detached writer cat
t ajoin -t writer rg >/dev/null
wid=$(t display -p -t =writer: '#{session_id}')
t ashare -t writer w=1 >/dev/null
t kill-session -t writer
assert_eq 1 "$(t agent-get -t peer w)"
assert_eq "$wid" "$(t agent-get -J -t peer w | jq -r .author_id)"

test_case "kill-server: a new server starts with no agents or groups"
assert_ne "" "$(t lsa)"
pid=$(t display -p '#{pid}')
t kill-server
# The old server is gone (not just without sessions: it may still be
# exiting, e.g. writing its persistent store, and would take a client).
wait_for "! kill -0 $pid" 5
start_server
assert_eq "Agent Coordination Groups: 0" "$(t lsag)"
assert_eq "" "$(t lsa)"
assert_eq '{"agents":[]}' "$(t lsa -J)"
assert_eq '{"groups":[]}' "$(t lsag -J)"
# Session ids start again from $0: nothing of the old registry leaks in.
new_detached fresh cat
assert_eq '$0' "$(t display -p -t =fresh: '#{session_id}')"
assert_eq "||" "$(t display -p -t =fresh: '#{agent_is_agent}|#{agent_group}|#{agent_type}')"
run t ajoin -t fresh kg
assert_eq "$(printf "Session 'fresh' is now an agent (type custom)\nSession 'fresh' joined group 'kg'\nFirst session in group (coordinator)")" "$OUT"
