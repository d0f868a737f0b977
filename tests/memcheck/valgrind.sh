#!/usr/bin/env bash
# make valgrind: the shell suite with every tmux server under valgrind
# memcheck, then a scan of the logs.
#
#   tests/memcheck/valgrind.sh [pattern...]   patterns as for tests/shell/run
#
# Uses the normal release build (target/release/tmux). TMUX_BIN is
# tests/memcheck/tmux-wrapper: a client that finds no server listening on its
# socket (so may start one) runs under valgrind, which follows the fork, so
# the server it starts is checked from its first instruction to its exit;
# other clients run natively. Logs: $OUT/logs/TEST/vg.PID. The whole suite
# takes about 12 minutes on 2 cores.
#
# Exit status: non-zero on any invalid read, write or free, or a definite
# leak or use of uninitialised memory attributed to agent-tmux
# (tests/memcheck/report.py). Failing test cases are shown (time-bound cases
# can fail under valgrind's slowdown) but do not decide the status unless
# MEMCHECK_SUITE_STRICT=1.
# Environment: OUT, TEST_TIME_SCALE (default 6),
# VALGRIND_EXTRA (more valgrind options, e.g. --track-origins=yes).
set -u
REPO=$(cd "$(dirname "$0")/../.." && pwd)
HERE=$REPO/tests/memcheck
cd "$REPO" || exit 2
command -v valgrind >/dev/null || { echo "valgrind: not installed (scripts/setup.sh valgrind)" >&2; exit 2; }

OUT=${OUT:-$(mktemp -d "${TMPDIR:-/tmp}/agent-tmux-valgrind.XXXXXX")}
mkdir -p "$OUT" || exit 2
OUT=$(cd "$OUT" && pwd -P)
rm -rf "${OUT:?}/logs" && mkdir "$OUT/logs" || exit 2

start=$(date +%s)
cargo build --release --quiet --bin tmux || exit 2
built=$(date +%s)

cat >"$OUT/tmux" <<EOF
#!/bin/sh
export MEMCHECK_REAL='$REPO/target/release/tmux' MEMCHECK_DIR='$OUT/logs'
export MEMCHECK_TOOL=valgrind
export VALGRIND_EXTRA='${VALGRIND_EXTRA:-}'
exec '$HERE/tmux-wrapper' "\$@"
EOF
chmod +x "$OUT/tmux"

TMUX_BIN=$OUT/tmux TEST_TIME_SCALE=${TEST_TIME_SCALE:-6} \
    PLAIN_TMUX=${PLAIN_TMUX:-$REPO/vendor/upstream/plain/tmux} \
    TEST_MEMCHECK=valgrind bash tests/shell/run "$@" | tee "$OUT/suite.log"
suite_rc=${PIPESTATUS[0]}
done=$(date +%s)

echo
python3 "$HERE/report.py" valgrind "$OUT/logs" --repo "$REPO"
rc=$?
echo "valgrind: build $((built - start)) s, suite $((done - built)) s; logs in $OUT/logs"
if [ "$suite_rc" -ne 0 ]; then
	echo "valgrind: the shell suite had failures under valgrind (see $OUT/suite.log)"
	[ "${MEMCHECK_SUITE_STRICT:-0}" = 1 ] && [ $rc -eq 0 ] && rc=1
fi
exit $rc
