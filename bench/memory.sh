#!/usr/bin/env bash
# Server resident memory of N agent sessions (default 2,000: 200 groups of 10,
# each group with 20 context keys, as in bench/ctl.py) against the same N
# plain sessions, all running `cat`, on one server of this binary.
#
# Usage: bench/memory.sh [N]        RUNS=2 by default (each on a fresh server)
#
# Each run starts a server (private -L socket, -f /dev/null) and, with one
# source-file each (so set-up costs one client):
#   1. makes N plain sessions                     -> plain RSS
#   2. runs as many harmless commands as step 3   -> warm RSS (malloc noise)
#   3. makes them agents: set-agent -G -o, agent-join-group, agent-share
#                                                 -> agent RSS
#   4. runs step 3 again (same values: no new state) -> again RSS (noise)
# The plain sessions are the same objects before and after step 3, so the
# difference is what the agent state adds, plus whatever malloc keeps from
# running the commands; step 2 and step 4 measure that. A fresh server for
# the agent sessions would instead compare two heaps grown by different
# command histories, whose difference is of the same order as the figure.
#
# bytes per agent session = (agent RSS - plain RSS - context bytes) / N,
# with plain RSS before the warm-up: the warm-up's noise is charged to the
# agents. The context bytes are the keys and values (#{group_context_bytes}).
# RSS is VmRSS of /proc/PID/status; Anonymous of smaps_rollup is shown too.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${TMUX_BIN:-$PWD/target/release/tmux}
[ -x "$bin" ] || { echo "build first: make build" >&2; exit 1; }
n=${1:-2000}
runs=${RUNS:-2}
groups=$(( n / 10 > 0 ? n / 10 : 1 ))
keys=20
target=2048
sock=agent-tmux-bench-memory-$$
dir=$(mktemp -d)
export XDG_STATE_HOME="$dir/state"  # the persistent store of these servers goes with them
tm() { "$bin" -L "$sock-$run" -f /dev/null "$@"; }
run=0
pid=
# stop: kill the server of this run and wait until its process is gone.
stop() {
	tm kill-server 2>/dev/null || true
	[ -z "$pid" ] || while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
	pid=
}
trap 'stop; rm -rf "$dir"' EXIT
export SHELL=/bin/sh

for ((i = 0; i < n; i++)); do
	echo "new-session -d -s s$i cat"
done >"$dir/plain.conf"
for ((i = 0; i < n; i++)); do
	echo "set-agent -t s$i -G bench -o goal$i"
	echo "agent-join-group -t s$i g$((i % groups))"
done >"$dir/agent.conf"
for ((g = 0; g < groups; g++)); do
	for ((k = 0; k < keys; k++)); do
		echo "agent-share -t s$g key$k=value-$g-$k"
	done
done >>"$dir/agent.conf"
# The warm-up: one harmless command for each line of agent.conf, with the
# same targets and arguments of the same sizes.
sed -e 's/^set-agent -t \([^ ]*\) .*/display -p -t \1 bench/' \
    -e 's/^agent-join-group -t \([^ ]*\) \(.*\)/show-options -q -t \1 @\2/' \
    -e 's/^agent-share -t \([^ ]*\) \(.*\)/display -p -t \1 \2/' \
    "$dir/agent.conf" >"$dir/warm.conf"

# rss: "VmRSS Anonymous" of the server in KiB, once two samples 0.5 s apart
# agree (at most 10 s).
rss() {
	local a b i
	for ((i = 0; i < 20; i++)); do
		a=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status")
		sleep 0.5
		b=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status")
		[ "$a" = "$b" ] && break
	done
	echo "$b $(awk '/^Anonymous:/ { print $2 }' "/proc/$pid/smaps_rollup")"
}

# check WHAT WANT GOT: stop if the set-up did not make what it should.
check() { [ "$2" = "$3" ] || { echo "set-up failed: $1: want $2, got $3" >&2; exit 1; }; }

echo "agent-tmux $("$bin" -V) on $(nproc) cores, $(date -u +%F)"
echo "# $n sessions running cat; agents in $groups groups of $((n / groups)), $keys keys each"
printf '%-4s %10s %10s %10s %10s %9s %9s %12s %8s %6s\n' run 'plain KiB' 'warm KiB' \
    'agent KiB' 'again KiB' 'anon +KiB' 'ctx bytes' 'bytes/agent' target result
results=()
for ((run = 1; run <= runs; run++)); do
	tm new-session -d -s home cat
	pid=$(tm display -p '#{pid}')
	tm source-file "$dir/plain.conf"
	check sessions $((n + 1)) "$(tm list-sessions | wc -l)"
	read -r plain plain_anon < <(rss)
	tm source-file "$dir/warm.conf" >/dev/null
	read -r warm _ < <(rss)
	tm source-file "$dir/agent.conf" >/dev/null
	check agents "$n" "$(tm list-agents | wc -l)"
	check groups "$groups" "$(tm list-agent-groups -F x | wc -l)"
	check keys $((groups * keys)) "$(tm list-agent-groups -F '#{group_context_keys}' | awk '{ s += $1 } END { print s }')"
	ctx=$(tm list-agent-groups -F '#{group_context_bytes}' | awk '{ s += $1 } END { print s }')
	read -r agent agent_anon < <(rss)
	tm source-file "$dir/agent.conf" >/dev/null
	read -r again _ < <(rss)
	per=$(( ((agent - plain) * 1024 - ctx) / n ))
	result=PASS; [ "$per" -lt "$target" ] || result=FAIL
	results+=("$result")
	printf '%-4s %10s %10s %10s %10s %9s %9s %12s %8s %6s\n' "$run" "$plain" "$warm" "$agent" \
	    "$again" $((agent_anon - plain_anon)) "$ctx" "$per" "$target" "$result"
	echo "     warm-up noise $((warm - plain)) KiB; agent step $((agent - warm)) KiB;" \
	    "repeating it $((again - agent)) KiB;" \
	    "bytes/agent against warm RSS $(( ((agent - warm) * 1024 - ctx) / n ))"
	stop
done
[[ " ${results[*]} " != *FAIL* ]]
