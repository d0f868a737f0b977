#!/usr/bin/env bash
# make asan: the shell suite against a build whose C side (upstream tmux and
# our generated main wrapper) is compiled with AddressSanitizer, then a scan
# of every report.
#
#   tests/memcheck/asan.sh [pattern...]     patterns as for tests/shell/run
#
# The build goes to target/asan (AGENT_TMUX_SANITIZE=address, see build.rs),
# leaving target/release alone. Each process writes its reports to
# $OUT/logs/TEST/asan.PID (the server daemonizes, so its stderr goes nowhere);
# atexit=1 makes every process that exits normally leave one such file, which
# is how processes are counted. halt_on_error stays on (the C code is not
# built with -fsanitize-recover): a process stops at its first invalid access.
# fast_unwind_on_malloc=0: allocation stacks go on through libevent (built
# without frame pointers) to the tmux code that asked for the memory.
# Leak checking (LeakSanitizer) runs at each process's exit; leaks that
# plain upstream tmux has too are listed in tests/memcheck/upstream.supp
# (see README.md) and labelled, not hidden.
#
# Exit status: non-zero if any invalid access was reported, or a leak whose
# stack involves agent-tmux code (tests/memcheck/report.py). Failing test
# cases are shown but do not decide the status (MEMCHECK_SUITE_STRICT=1 makes
# them count too).
# Environment: OUT (default: a new directory under $TMPDIR), TEST_TIME_SCALE
# (default 2), MEMCHECK_SUITE_STRICT, ASAN_OPTIONS (added after ours).
set -u
REPO=$(cd "$(dirname "$0")/../.." && pwd)
HERE=$REPO/tests/memcheck
cd "$REPO" || exit 2

OUT=${OUT:-$(mktemp -d "${TMPDIR:-/tmp}/agent-tmux-asan.XXXXXX")}
mkdir -p "$OUT/logs" || exit 2
OUT=$(cd "$OUT" && pwd -P)
rm -rf "${OUT:?}/logs" && mkdir "$OUT/logs" || exit 2

start=$(date +%s)
echo "asan: building target/asan/release/tmux (AGENT_TMUX_SANITIZE=address)"
AGENT_TMUX_SANITIZE=address CARGO_TARGET_DIR=$REPO/target/asan \
    cargo build --release --quiet --bin tmux || exit 2
bin=$REPO/target/asan/release/tmux
built=$(date +%s)

# The runner clears the environment of each test file, so the settings live
# in a small generated TMUX_BIN that hands over to tmux-wrapper.
cat >"$OUT/tmux" <<EOF
#!/bin/sh
export MEMCHECK_REAL='$bin' MEMCHECK_DIR='$OUT/logs' MEMCHECK_TOOL=asan
export ASAN_OPTIONS='atexit=1:detect_leaks=1:handle_abort=1:halt_on_error=1:fast_unwind_on_malloc=0:${ASAN_OPTIONS:-}'
exec '$HERE/tmux-wrapper' "\$@"
EOF
chmod +x "$OUT/tmux"

TMUX_BIN=$OUT/tmux TEST_TIME_SCALE=${TEST_TIME_SCALE:-2} \
    PLAIN_TMUX=${PLAIN_TMUX:-$REPO/vendor/upstream/plain/tmux} \
    TEST_MEMCHECK=asan bash tests/shell/run "$@" | tee "$OUT/suite.log"
suite_rc=${PIPESTATUS[0]}
done=$(date +%s)

echo
python3 "$HERE/report.py" asan "$OUT/logs" --repo "$REPO"
rc=$?
echo "asan: build $((built - start)) s, suite $((done - built)) s; logs in $OUT/logs"
if [ "$suite_rc" -ne 0 ]; then
	echo "asan: the shell suite had failures under ASan (see $OUT/suite.log)"
	[ "${MEMCHECK_SUITE_STRICT:-0}" = 1 ] && [ $rc -eq 0 ] && rc=1
fi
exit $rc
