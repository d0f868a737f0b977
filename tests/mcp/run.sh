#!/usr/bin/env bash
# `make mcp` (part of `make test`): the MCP Python SDK venv (setup.sh), then
# tests/mcp/test_mcp.py against target/release/{tmux,agent-tmux-mcp}.
# TMUX_BIN and MCP_BIN override the binaries; extra arguments (-v) pass on.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bash "$here/setup.sh"
exec "$here/.venv/bin/python" "$here/test_mcp.py" \
    --tmux "${TMUX_BIN:-$root/target/release/tmux}" \
    --mcp "${MCP_BIN:-$root/target/release/agent-tmux-mcp}" "$@"
