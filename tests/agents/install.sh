#!/usr/bin/env bash
# Install the agent CLIs pinned in package-lock.json into node_modules with
# `npm ci`, only when node_modules is missing or older than the lock file
# (quiet when there is nothing to do). Install scripts are not run: the
# harness calls each CLI's platform binary (from its optional dependency)
# directly.
set -eu
cd "$(dirname "$0")"
stamp=node_modules/.installed-lock
if [ -f "$stamp" ] && cmp -s package-lock.json "$stamp"; then
	exit 0
fi
command -v npm >/dev/null || { echo "test-agents: npm is needed (apt-get install npm)" >&2; exit 1; }
echo "test-agents: installing the pinned agent CLIs (npm ci, ~800 MB)"
npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
cp package-lock.json "$stamp"
