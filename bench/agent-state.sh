#!/usr/bin/env bash
# Agent state benchmarks (bench/agent-state.py): output throughput of an
# agent pane vs plain tmux 3.5a, and detection latency seen by a control
# client. Usage: bench/agent-state.sh [MB] [TRIALS] [FLIPS]
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${TMUX_BIN:-$PWD/target/release/tmux}
plain=${PLAIN_TMUX:-$PWD/vendor/upstream/plain/tmux}
[ -x "$bin" ] || { echo "build first: make build" >&2; exit 1; }
[ -x "$plain" ] || { echo "build the plain upstream tmux first: bash vendor/build-plain.sh" >&2; exit 1; }
dir=$(mktemp -d); trap '"$bin" -S "$dir/l.sock" kill-server 2>/dev/null || true; "$bin" -S "$dir/t.sock" kill-server 2>/dev/null || true; rm -rf "$dir"' EXIT
export SHELL=/bin/sh
echo "agent-tmux $("$bin" -V) vs $("$plain" -V) on $(nproc) cores, $(date -u +%F)"
python3 bench/agent-state.py "$bin" "$plain" "$dir" "${1:-80}" "${2:-3}" "${3:-200}"
