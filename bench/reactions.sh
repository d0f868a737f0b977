#!/usr/bin/env bash
# Waiting costs and reaction latencies (bench/reactions.py). Usage: bench/reactions.sh [TRIALS]
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${TMUX_BIN:-$PWD/target/release/tmux}
dir=$(mktemp -d); trap '"$bin" -S "$dir/sock" kill-server 2>/dev/null || true; rm -rf "$dir"' EXIT
export XDG_STATE_HOME="$dir/state"  # the persistent store of these servers goes with them
export SHELL=/bin/sh
python3 bench/reactions.py "$bin" "$dir/sock" "${1:-1000}"
