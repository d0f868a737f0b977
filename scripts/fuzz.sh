#!/usr/bin/env bash
# Run every fuzz target of fuzz/ for FUZZ_SECONDS each (default 300) and
# print one summary line per target. Exits non-zero if any target crashed
# (a panic, a failed property, a timeout or running out of memory); the
# input that did it is left in fuzz/artifacts/<target>/.
#
# The targets are built without a sanitizer: the domain library is safe Rust
# (no `unsafe`), so AddressSanitizer would find nothing a panic doesn't, and
# it makes every run several times slower. Overflow checks and debug
# assertions stay on (cargo-fuzz's default).
#
# Needs the nightly toolchain and cargo-fuzz, installed here when missing.
# Each target starts from its corpus, fuzz/corpus/<target>/: the committed
# seeds (seed-*) and whatever earlier runs added (git-ignored).
set -uo pipefail
cd "$(dirname "$0")/../fuzz"

seconds=${FUZZ_SECONDS:-300}
case $seconds in
    '' | *[!0-9]*) echo "fuzz: FUZZ_SECONDS must be a number of seconds" >&2; exit 2 ;;
esac

if ! rustup run nightly rustc --version >/dev/null 2>&1; then
    echo "fuzz: installing the nightly toolchain" >&2
    rustup toolchain install nightly --profile minimal || exit 1
fi
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
    echo "fuzz: installing cargo-fuzz" >&2
    cargo install cargo-fuzz --locked || exit 1
fi

cargo +nightly fuzz build --sanitizer none || { echo "fuzz: build failed" >&2; exit 1; }
mapfile -t targets < <(cargo +nightly fuzz list)
mkdir -p artifacts/logs

failed=0
summary=()
for t in "${targets[@]}"; do
    log=artifacts/logs/$t.log
    echo "fuzz: $t for ${seconds}s (log: fuzz/$log)" >&2
    cargo +nightly fuzz run --sanitizer none "$t" -- -max_total_time="$seconds" -timeout=10 \
        -print_final_stats=1 >"$log" 2>&1
    status=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    took=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -1)
    artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
    if [ "$status" -eq 0 ]; then
        crashes=0
    else
        crashes=1
        failed=1
    fi
    line=$(printf '%-14s %12s runs  %5s s  crashes: %s' "$t" "${runs:-?}" "${took:-?}" "$crashes")
    if [ -n "$artifact" ]; then
        line="$line  ($artifact)"
    elif [ "$status" -ne 0 ]; then
        line="$line  (exit $status: see fuzz/$log)"
    fi
    summary+=("$line")
    echo "fuzz: $line" >&2
done

echo
echo "fuzz summary (${seconds}s per target):"
printf '  %s\n' "${summary[@]}"
exit "$failed"
