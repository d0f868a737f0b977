#!/usr/bin/env bash
# make test-compat: libtmux's and tmuxp's own test suites, run once with
# agent-tmux and once with plain tmux 3.5a as `tmux`; prints both counts per
# suite and every test whose outcome differs. Opt-in (never part of make
# test): it downloads from PyPI.
#
#   tests/compat/run.sh [libtmux|tmuxp ...]      default: both suites
#
# The pinned sdists (their test suites ship in them) are fetched with pip and
# checked against the hashes below, installed editable into a venv under
# target/compat/ (git-ignored) with the pinned test tools, and run as an
# unprivileged user: their tests wait for a `$` prompt, which root's shell does
# not print. As root the user $COMPAT_USER (default agent-tmux-compat) is made
# with useradd if missing; as any other user, that user runs them. Each run has
# a clean environment whose PATH starts with a directory holding one of the two
# binaries as `tmux` (copies, so a rebuild during the run changes nothing).
# Environment: TMUX_BIN (default target/release/tmux), PLAIN_TMUX (default
# vendor/upstream/plain/tmux), COMPAT_USER, COMPAT_DIR (default target/compat),
# PYTEST_ARGS (extra pytest arguments, e.g. "-x" or "-k hooks").
# Exit status: 0 if every suite gives the same outcomes with both binaries.
set -eu

REPO=$(cd "$(dirname "$0")/../.." && pwd)
TMUX_BIN=${TMUX_BIN:-$REPO/target/release/tmux}
PLAIN_TMUX=${PLAIN_TMUX:-$REPO/vendor/upstream/plain/tmux}
COMPAT_USER=${COMPAT_USER:-agent-tmux-compat}
W=${COMPAT_DIR:-$REPO/target/compat}
PYTEST_ARGS=${PYTEST_ARGS:-}
PYTHON=${PYTHON:-python3}

# name version sha256 of each sdist (PyPI); tmuxp 1.76.0 requires libtmux ~=0.62.0.
SDISTS="libtmux 0.62.0 41e9e80602b2656fd119b13253b27bad46af5cfef32099be53cdd391e2936b61
tmuxp 1.76.0 aedad329c5934e9380eecf43e4a9372f4f87cab640c9695105e1e91c9daec96f"
# Test tools, as in tmuxp 1.76.0's uv.lock (libtmux's asks for no newer ones).
TOOLS="pytest==9.1.1 pytest-rerunfailures==16.7 pytest-mock==3.16.0 gp-libs==0.0.19
PyYAML==6.0.3 hatchling==1.27.0 editables==0.5"

SUITES=${*:-libtmux tmuxp}
for s in $SUITES; do
	case $s in libtmux | tmuxp) ;; *) echo "run.sh: unknown suite: $s" >&2; exit 2 ;; esac
done
for b in "$TMUX_BIN" "$PLAIN_TMUX"; do
	[ -x "$b" ] || { echo "run.sh: no tmux binary at $b (make build plain)" >&2; exit 2; }
done

# --- the unprivileged user ---------------------------------------------------
if [ "$(id -u)" = 0 ]; then
	if ! id -u "$COMPAT_USER" >/dev/null 2>&1; then
		useradd -m -s /bin/bash "$COMPAT_USER"
		echo "run.sh: made user $COMPAT_USER"
	fi
	as_user() { runuser -u "$COMPAT_USER" -- "$@"; }
else
	COMPAT_USER=$(id -un)
	as_user() { "$@"; }
fi
UHOME=$(getent passwd "$COMPAT_USER" | cut -d: -f6)
USHELL=$(getent passwd "$COMPAT_USER" | cut -d: -f7)
case $USHELL in */bash | */sh | */dash) ;; *) USHELL=/bin/bash ;; esac

mkdir -p "$W"
[ "$(id -u)" = 0 ] && chown "$COMPAT_USER" "$W"
# ucmd ARGS...: as the user, in $W, with a clean environment.
ucmd() {
	as_user env -i HOME="$UHOME" USER="$COMPAT_USER" LOGNAME="$COMPAT_USER" \
	    SHELL="$USHELL" LANG=C.UTF-8 TERM=xterm-256color \
	    PATH="$W/venv/bin:/usr/local/bin:/usr/bin:/bin" \
	    PIP_DISABLE_PIP_VERSION_CHECK=1 "$@"
}

# --- sdists, venv ------------------------------------------------------------
stamp="$W/venv/.agent-tmux-compat"
want_stamp=$(printf '%s\n%s\n' "$SDISTS" "$TOOLS" | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want_stamp" ]; then
	echo "run.sh: fetching the pinned sdists and test tools from PyPI into $W"
	as_user rm -rf "$W/venv" "$W/src" "$W/sdist"
	ucmd mkdir -p "$W/sdist" "$W/src"
	while read -r name version sum; do
		ucmd "$PYTHON" -m pip download --quiet --no-deps --no-binary :all: \
		    -d "$W/sdist" "$name==$version"
		f="$W/sdist/$name-$version.tar.gz"
		got=$(sha256sum "$f" | cut -d' ' -f1)
		if [ "$got" != "$sum" ]; then
			echo "run.sh: $f: sha256 $got, expected $sum" >&2
			exit 1
		fi
		ucmd tar -xzf "$f" -C "$W/src"
	done <<<"$SDISTS"
	ucmd "$PYTHON" -m venv "$W/venv"
	# shellcheck disable=SC2086
	ucmd "$W/venv/bin/pip" install --quiet $TOOLS
	ucmd "$W/venv/bin/pip" install --quiet --no-deps --no-build-isolation \
	    -e "$W/src/libtmux-0.62.0" -e "$W/src/tmuxp-1.76.0"
	echo "$want_stamp" | as_user tee "$stamp" >/dev/null
fi

# --- the two binaries as `tmux` ------------------------------------------------
for k in ours plain; do
	as_user rm -rf "$W/bin-$k"
	ucmd mkdir -p "$W/bin-$k"
done
as_user cp "$TMUX_BIN" "$W/bin-ours/tmux"
as_user cp "$PLAIN_TMUX" "$W/bin-plain/tmux"
echo "run.sh: ours:  $("$W/bin-ours/tmux" -V), agent-tmux $(ucmd "$W/bin-ours/tmux" -L compat-probe-$$ -f /dev/null start-server \; display -p '#{agent_tmux_version}')"
echo "run.sh: plain: $("$W/bin-plain/tmux" -V)"

# --- run -----------------------------------------------------------------------
ucmd mkdir -p "$W/results"
for s in $SUITES; do
	dir=$(ls -d "$W/src/$s"-*/)
	for k in ours plain; do
		xml="$W/results/$s-$k.xml"
		log="$W/results/$s-$k.log"
		echo "run.sh: $s with $k tmux (log: $log)"
		# Their own configuration (pyproject.toml: addopts, testpaths),
		# less docs/conf.py: the Sphinx configuration imports the docs
		# toolchain (gp-sphinx), which is no part of the tests. No cache
		# in the tree, a fresh tmp dir per run.
		tmp=$(ucmd mktemp -d)
		# shellcheck disable=SC2086
		(cd "$dir" && ucmd env PATH="$W/bin-$k:$W/venv/bin:/usr/local/bin:/usr/bin:/bin" \
		    TMPDIR="$tmp" "$W/venv/bin/python" -m pytest -p no:cacheprovider -q \
		    --ignore=docs/conf.py --junitxml="$xml" $PYTEST_ARGS) >"$log" 2>&1 || true
		as_user rm -rf "$tmp"
		tail -n 1 "$log" | sed 's/^/    /'
	done
done

status=0
for s in $SUITES; do
	"$PYTHON" "$REPO/tests/compat/compare.py" "$s" "$W/results/$s-ours.xml" "$W/results/$s-plain.xml" || status=1
done
exit $status
