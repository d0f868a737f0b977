#!/usr/bin/env bash
# Persistent store: server-side cost of agent-share and agent-send with the
# store on and off, as ratios to display-message -p x in the same run; store
# size and agent-restore time (bench/store.py).
# Usage: bench/store.sh [SIZES...]   (default: 10 2000)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${TMUX_BIN:-$PWD/target/release/tmux}
[ -x "$bin" ] || { echo "build first: make build" >&2; exit 1; }
echo "agent-tmux $("$bin" -V) on $(nproc) cores, $(date -u +%F)"
python3 bench/store.py "$bin" "$@"
