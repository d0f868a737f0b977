#!/usr/bin/env bash
# make demo: start a private agent-tmux server with a small team of agents and
# show what agent-tmux adds to tmux. Leaves the server running for you.
set -euo pipefail
cd "$(dirname "$0")/.."

bin=$PWD/target/release/tmux
sock=agent-tmux-demo
t() { "$bin" -L "$sock" -f /dev/null "$@"; }
if [ -t 1 ]; then b=$'\033[1m' n=$'\033[0m'; else b="" n=""; fi
show() { printf '\n%s$ tmux %s%s\n' "$b" "$*" "$n"; t "$@"; }
export SHELL=${SHELL:-/bin/sh}

t kill-server 2>/dev/null || true

echo "$(t -V) with agent-tmux $(t start-server \; display -p '#{agent_tmux_version}')"
echo "A private server on socket '$sock' (tmux -L $sock); your own tmux is untouched."

show new-session -d -s researcher -G claude -o "find the flaky test"
show new-session -d -s coder -G codex -o "fix what researcher finds"
show new-session -d -s reviewer -G claude -o "review the fix"
# Every session shows its group and role in its status line.
t set -g status-left '[#{agent_group}:#{agent_role}] ' \; set -g status-left-length 40

show agent-join-group -t researcher team
show ajoin -t coder team
show ajoin -t reviewer team

show agent-share -t researcher finding="tests/net.rs times out under load"
show ashare -t researcher -j 'repro={"cmd": "cargo test net", "runs": 20, "fails": 3}'
show ashare -t coder status=fixing
printf '\n%s$ v=$(tmux agent-get -t reviewer status)%s\n' "$b" "$n"
echo "v=$(t agent-get -t reviewer status)"

show list-agent-groups
show agent-peers -t coder
show list-agents
show display-message -p -t reviewer '#{session_name} is #{agent_role} of #{agent_group} with #{agent_peers} peers'

echo
echo "The coordinator leaves; the longest-standing member takes over:"
show agent-leave-group -t researcher

echo
echo "Scripts wait for results instead of polling (the server wakes them):"
printf '\n%s$ tmux agent-wait -T 10 -t reviewer verdict &   # then a peer shares it%s\n' "$b" "$n"
t agent-wait -T 10 -t reviewer verdict > "${TMPDIR:-/tmp}/agent-tmux-demo.wait" &
waiter=$!
sleep 0.3
show agent-share -t coder verdict=approved
wait "$waiter"
echo "agent-wait printed: $(cat "${TMPDIR:-/tmp}/agent-tmux-demo.wait")"
rm -f "${TMPDIR:-/tmp}/agent-tmux-demo.wait"

echo
echo "A managed layout: one manager and two specialists, each pane tracked:"
t set -g @agent-settle-time 0.5
show new-agent-layout -d -s squad -T 1m+2s -e 'specialist=sleep 600' -P
show list-agent-templates
sleep 1
show list-agent-panes -t squad
show list-panes -t squad -F '#{pane_id} #{agent_pane_label} #{agent_pane_role} #{agent_pane_state} #{agent_pane_status}'

cat <<EOT

Attach to see the team (status line shows group and role), or the layout
(pane borders show each pane's label, role and state):
    $bin -L $sock attach -t coder
    $bin -L $sock attach -t squad
Stop the demo server:
    $bin -L $sock kill-server
EOT
