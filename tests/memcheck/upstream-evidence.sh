#!/usr/bin/env bash
# Reproduce every entry of tests/memcheck/upstream.supp with the PLAIN
# upstream build (vendor/upstream/plain/tmux, no agent-tmux code at all)
# under valgrind memcheck, and say which entries it confirms.
#
#   tests/memcheck/upstream-evidence.sh       (make plain first)
#
# Exit status 1 if an entry is not reproduced (an entry without evidence
# should go). Logs: $OUT/logs/upstream-evidence/vg.PID.
set -u
REPO=$(cd "$(dirname "$0")/../.." && pwd)
HERE=$REPO/tests/memcheck
PLAIN=${PLAIN_TMUX:-$REPO/vendor/upstream/plain/tmux}
[ -x "$PLAIN" ] || { echo "upstream-evidence: no plain build at $PLAIN: run make plain" >&2; exit 2; }
command -v valgrind >/dev/null || { echo "upstream-evidence: valgrind is not installed" >&2; exit 2; }

OUT=${OUT:-$(mktemp -d "${TMPDIR:-/tmp}/agent-tmux-evidence.XXXXXX")}
logs=$OUT/logs/upstream-evidence
rm -rf "$logs" && mkdir -p "$logs" || exit 2
sock=$OUT/sock
export TMUX_TMPDIR=$OUT HOME=$OUT SHELL=/bin/sh
unset TMUX
p() { "$PLAIN" -S "$sock" -f /dev/null "$@"; }

# The server (forked from this client) runs under valgrind.
valgrind --log-file="$logs/vg.%p" --vgdb=no --num-callers=40 \
    --leak-check=full --show-leak-kinds=definite,indirect \
    "$PLAIN" -S "$sock" -f /dev/null new-session -d -s ev -x 80 -y 24 'sleep 1000'
until p has-session -t ev 2>/dev/null; do sleep 0.2; done

# 1. run-shell -C and if-shell with a command string.
p run-shell -C 'set -g @a 1'
p if-shell true 'set -g @b 1'
p if-shell -F 1 'set -g @c 1'
# 2. A command line the server cannot parse.
p no-such-command 2>/dev/null
# 3. Pane and window subscriptions of a control client.
{
	echo "refresh-client -B 'p:%*:#{pane_id}'"
	echo "refresh-client -B 'w:@*:#{window_id}'"
	sleep 3
} | p -C attach -t ev >/dev/null
# 4. A client killed while its command waits (a simple command, so that $!
#    is the client itself).
"$PLAIN" -S "$sock" -f /dev/null wait-for chan &
w=$!
sleep 1
kill -9 "$w"
wait "$w" 2>/dev/null
p wait-for -S chan
# 5. An empty pane, destroyed.
p split-window -d -t ev ''
p kill-pane -t ev:0.1

sleep 1
p kill-server
# Wait for valgrind's exit summary.
for _ in $(seq 100); do
	grep -q "ERROR SUMMARY" "$logs"/vg.* 2>/dev/null &&
	    [ "$(grep -l "ERROR SUMMARY" "$logs"/vg.* | wc -l)" -ge 3 ] && break
	sleep 0.3
done
# The client that valgrind started (its forks are the daemon and the server).
grep -l "Parent PID: $$\$" "$logs"/vg.* | sed 's/.*vg\.//' >"$logs/clients"
python3 "$HERE/report.py" valgrind "$OUT/logs" --repo "$REPO" --check-known
