#!/usr/bin/env bash
# Server-side cost of each agent command at 10 and 2,000 agent sessions, as a
# ratio to display-message -p x measured in the same run (bench/ctl.py).
# Usage: bench/server-cost.sh [SIZES...]   (default: 10 2000)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${TMUX_BIN:-$PWD/target/release/tmux}
[ -x "$bin" ] || { echo "build first: make build" >&2; exit 1; }
sizes=("$@"); [ ${#sizes[@]} -gt 0 ] || sizes=(10 2000)
dir=$(mktemp -d); trap '"$bin" -S "$dir/sock" kill-server 2>/dev/null || true; rm -rf "$dir"' EXIT
export XDG_STATE_HOME="$dir/state"  # the persistent store of these servers goes with them
export SHELL=/bin/sh
echo "agent-tmux $("$bin" -V) on $(nproc) cores, $(date -u +%F)"
for n in "${sizes[@]}"; do
    "$bin" -S "$dir/sock" kill-server 2>/dev/null || true
    python3 bench/ctl.py "$bin" "$dir/sock" "$n" "${REPEAT:-2000}"
    echo
done
