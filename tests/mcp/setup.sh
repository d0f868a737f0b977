#!/usr/bin/env bash
# A git-ignored virtualenv (tests/mcp/.venv) with the official MCP Python SDK
# at the pinned version, for tests/mcp/test_mcp.py. Idempotent and quiet: it
# does nothing when the venv already has the pin.
set -eu
cd "$(dirname "$0")"
PIN="mcp==2.3.0"
PYTHON=${PYTHON:-python3}
stamp=.venv/.agent-tmux-pin
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$PIN" ] && [ -x .venv/bin/python ]; then
    exit 0
fi
rm -rf .venv
"$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check "$PIN"
echo "$PIN" >"$stamp"
