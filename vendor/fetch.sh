#!/usr/bin/env bash
# Fetch, verify and unpack the pinned upstream tmux source (see vendor/pin).
#
# The upstream source is never committed. This script obtains the release
# tarball from Debian's source package with apt's ordinary client, using a
# private apt configuration (a deb-src line for the pinned suite, built from
# the Debian mirror this machine is already configured for), so the system's
# apt configuration is never modified. It checks the sha256 from vendor/pin
# and unpacks into vendor/upstream/tmux-<version>/ (git-ignored).
#
# AGENT_TMUX_TARBALL=/path/to/tmux-3.5a.tar.gz uses a tarball you already
# have instead of downloading (it must still match the pinned hash).
#
# Idempotent and quiet when the verified source is already unpacked.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=/dev/null
. "$here/pin"
dest="$here/upstream"
src="$dest/tmux-$TMUX_VERSION"
stamp="$src/.agent-tmux-verified"
cache="$here/cache"

say() { printf 'fetch: %s\n' "$*" >&2; }
die() { printf 'fetch: error: %s\n' "$*" >&2; exit 1; }

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$ORIG_SHA256" ]; then
    exit 0
fi

verify() {
    local got
    got=$(sha256sum "$1" | cut -d' ' -f1)
    if [ "$got" != "$ORIG_SHA256" ]; then
        die "sha256 mismatch for $1: expected $ORIG_SHA256, got $got (refusing to build from it)"
    fi
}

# Which Debian mirror: the first one this machine's apt already uses.
debian_mirror() {
    local uri=""
    if [ -n "${AGENT_TMUX_DEBIAN_MIRROR:-}" ]; then
        printf '%s\n' "$AGENT_TMUX_DEBIAN_MIRROR"; return
    fi
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] || continue
        uri=$(awk 'tolower($1)=="uris:" && $2 ~ /debian\/?$/ {print $2; exit}' "$f")
        [ -n "$uri" ] && break
    done
    if [ -z "$uri" ]; then
        for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
            [ -f "$f" ] || continue
            uri=$(awk '$1=="deb" {for (i=2;i<=NF;i++) if ($i ~ /^(https?|file):.*debian\/?$/) {print $i; exit}}' "$f")
            [ -n "$uri" ] && break
        done
    fi
    [ -n "$uri" ] || die "no Debian mirror found in /etc/apt; set AGENT_TMUX_DEBIAN_MIRROR"
    printf '%s\n' "$uri"
}

download() {
    command -v apt-get >/dev/null || die "apt-get not found; set AGENT_TMUX_TARBALL to a tmux $TMUX_VERSION tarball"
    local apt="$cache/apt" mirror keyring=/usr/share/keyrings/debian-archive-keyring.gpg
    mirror=$(debian_mirror)
    mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/dl"
    printf 'deb-src [signed-by=%s] %s %s main\n' "$keyring" "$mirror" "$DEBIAN_SUITE" >"$apt/sources.list"
    local opts=(-o "Dir::Etc::SourceList=$apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
                -o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache"
                -o Debug::NoLocking=1 -o APT::Sandbox::User=root -qq)
    say "downloading Debian source package $DEBIAN_SOURCE_PACKAGE ($DEBIAN_SUITE)"
    apt-get "${opts[@]}" update >&2 || die "apt-get update of the private source list failed"
    (cd "$apt/dl" && apt-get "${opts[@]}" source --download-only "$DEBIAN_SOURCE_PACKAGE" >&2) ||
        die "apt-get source --download-only $DEBIAN_SOURCE_PACKAGE failed"
    [ -f "$apt/dl/$ORIG_TARBALL" ] || die "Debian's $DEBIAN_SOURCE_PACKAGE in $DEBIAN_SUITE no longer ships $ORIG_TARBALL; update vendor/pin"
    mkdir -p "$cache"
    mv "$apt/dl/$ORIG_TARBALL" "$cache/$ORIG_TARBALL"
    rm -f "$apt/dl/"*
}

mkdir -p "$cache"
if [ -n "${AGENT_TMUX_TARBALL:-}" ]; then
    [ -f "$AGENT_TMUX_TARBALL" ] || die "AGENT_TMUX_TARBALL=$AGENT_TMUX_TARBALL does not exist"
    tarball=$AGENT_TMUX_TARBALL
else
    tarball="$cache/$ORIG_TARBALL"
    [ -f "$tarball" ] || download
fi
verify "$tarball"

mkdir -p "$dest"
tmp=$(mktemp -d "$dest/.tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
tar -xzf "$tarball" -C "$tmp"
[ -f "$tmp/tmux-$TMUX_VERSION/tmux.h" ] || die "$tarball does not unpack to tmux-$TMUX_VERSION/"
rm -rf "$src"
mv "$tmp/tmux-$TMUX_VERSION" "$src"
printf '%s\n' "$ORIG_SHA256" >"$stamp"
say "verified and unpacked tmux $TMUX_VERSION into ${src#"$here/../"}"
