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

cat <<EOT

Attach to see the team (status line shows group and role):
    $bin -L $sock attach -t coder
Stop the demo server:
    $bin -L $sock kill-server
EOT
