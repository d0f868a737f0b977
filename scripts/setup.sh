#!/usr/bin/env bash
# Install what building and testing agent-tmux needs on a Debian machine, then
# fetch the pinned tmux source. Idempotent: quiet when everything is there.
# Runs apt-get as root, or through sudo when not root.
#   scripts/setup.sh valgrind   also valgrind (for make valgrind)
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(gcc make patch pkg-config libevent-dev libncurses-dev libclang-dev
          python3 jq util-linux ca-certificates)
[ "${1:-}" = valgrind ] && packages+=(valgrind)

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null || { echo "setup: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
        sudo=sudo
    fi
    echo "setup: installing ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq >&2
    $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

if ! command -v cargo >/dev/null; then
    echo "setup: cargo not found: install a Rust toolchain (rustup, Rust 1.80 or newer) first" >&2
    exit 1
fi

bash vendor/fetch.sh
