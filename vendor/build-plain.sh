#!/bin/sh
# Build a plain C upstream tmux from the fetched, verified source, for the
# shell tests (tests/shell) to compare against and to use as a plain client.
#
#   vendor/upstream/tmux-3.5a/   source unpacked by vendor/fetch.sh (read only here;
#                                the version comes from vendor/pin)
#   vendor/upstream/plain-src/   private copy that is configured and built
#   vendor/upstream/plain/tmux   the resulting binary
#
# Idempotent: does nothing if the binary exists and no source file is newer.
# Environment: JOBS (default 2) for make -j.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
TMUX_VERSION=3.5a
# shellcheck source=/dev/null
[ -f "$here/pin" ] && . "$here/pin"
up="$here/upstream"
src="$up/tmux-$TMUX_VERSION"
build="$up/plain-src"
out="$up/plain/tmux"

die() { echo "build-plain: $*" >&2; exit 1; }

[ -f "$src/configure" ] && [ -f "$src/tmux.c" ] ||
	die "no upstream source at $src: run vendor/fetch.sh first"

# Up to date? (any source file newer than the binary means rebuild; fetch.sh's
# verification stamp is not source)
up_to_date() {
	[ -x "$out" ] && [ -z "$(find "$src" -type f ! -name .agent-tmux-verified \
	    -newer "$out" -print | head -n 1)" ]
}
up_to_date && exit 0
# One build at a time; a concurrent run may have just finished it.
if command -v flock >/dev/null 2>&1; then
	exec 9>"$up/.build-plain.lock"
	flock 9
	up_to_date && exit 0
fi

echo "build-plain: building $out from $src" >&2
rm -rf "$build"
# cp -p keeps timestamps so configure/automake outputs stay newer than inputs.
cp -Rp "$src" "$build"
# Drop anything a build in the shared tree may have left behind.
find "$build" \( -name '*.o' -o -name 'tmux' -type f \) -exec rm -f {} +
log="$build/build.log"
(
	cd "$build"
	[ -f Makefile ] && make distclean >/dev/null 2>&1 || true
	./configure YACC=true --sysconfdir=/etc
	make -j"${JOBS:-2}"
) >"$log" 2>&1 || { tail -n 30 "$log" >&2; die "build failed, see $log"; }

mkdir -p "$(dirname "$out")"
cp "$build/tmux" "$out.tmp"
mv -f "$out.tmp" "$out"
"$out" -V >&2
