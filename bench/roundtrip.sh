#!/usr/bin/env bash
# Client round trip: the same command run as separate tmux processes, agent-tmux
# against a plain C build of the same pinned source (make plain), and ajoin/ashare
# against display -p on our binary. Prints microseconds per run and ratios.
# Usage: bench/roundtrip.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
ours=${TMUX_BIN:-$PWD/target/release/tmux}
plain=${PLAIN_TMUX:-$PWD/vendor/upstream/plain/tmux}
[ -x "$plain" ] || bash vendor/build-plain.sh
runs=${1:-500}
dir=$(mktemp -d)
export XDG_STATE_HOME="$dir/state"  # the persistent store of these servers goes with them
trap '"$ours" -S "$dir/o" kill-server 2>/dev/null || true; "$plain" -S "$dir/p" kill-server 2>/dev/null || true; rm -rf "$dir"' EXIT
export SHELL=/bin/sh

# time_runs BIN SOCK CMD...: microseconds per run of `BIN -S SOCK CMD...`.
time_runs() {
    local bin=$1 sock=$2; shift 2
    local start end
    start=$(date +%s%N)
    for ((i = 0; i < runs; i++)); do "$bin" -S "$sock" -f /dev/null "$@" >/dev/null; done
    end=$(date +%s%N)
    echo $(((end - start) / runs / 1000))
}
# new_runs BIN SOCK: microseconds per `new-session -d` (each a new session).
new_runs() {
    local bin=$1 sock=$2 start end
    start=$(date +%s%N)
    for ((i = 0; i < runs; i++)); do "$bin" -S "$sock" -f /dev/null new-session -d -s "n$i" cat; done
    end=$(date +%s%N)
    echo $(((end - start) / runs / 1000))
}

for b in "$ours:$dir/o" "$plain:$dir/p"; do
    "${b%%:*}" -S "${b#*:}" -f /dev/null new-session -d -s home cat
done
"$ours" -S "$dir/o" -f /dev/null new-session -d -s peer cat
"$ours" -S "$dir/o" -f /dev/null agent-join-group -t peer team >/dev/null

d_o=$(time_runs "$ours" "$dir/o" display -p -t home x)
d_p=$(time_runs "$plain" "$dir/p" display -p -t home x)
n_o=$(new_runs "$ours" "$dir/o")
n_p=$(new_runs "$plain" "$dir/p")
# The agent commands are compared with display -p measured now, on the same
# (by now larger) server.
d_now=$(time_runs "$ours" "$dir/o" display -p -t home x)
j=$(time_runs "$ours" "$dir/o" agent-join-group -t home team)
s=$(time_runs "$ours" "$dir/o" agent-share -t peer k=v)
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }
echo "client round trip, $runs runs each (microseconds per run; separate tmux processes)"
printf '%-28s %8s %8s %7s\n' command agent-tmux plain ratio
printf '%-28s %8d %8d %7s\n' "display -p" "$d_o" "$d_p" "$(ratio "$d_o" "$d_p")"
printf '%-28s %8d %8d %7s\n' "new-session -d" "$n_o" "$n_p" "$(ratio "$n_o" "$n_p")"
printf '%-28s %8d %8s %7s\n' "ajoin (vs our display -p)" "$j" "$d_now" "$(ratio "$j" "$d_now")"
printf '%-28s %8d %8s %7s\n' "ashare (vs our display -p)" "$s" "$d_now" "$(ratio "$s" "$d_now")"
