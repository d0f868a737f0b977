#!/usr/bin/env python3
"""Tool call round trip through agent-tmux-mcp against a tmux client process.

  bench/mcp-roundtrip.py [RUNS]     (make bench runs it; default 300 runs)

A private server (its own socket, -f /dev/null) with two agents in a group;
agent-tmux-mcp runs with $TMUX and $TMUX_PANE of one of them, as an agent
CLI would start it, and this script is its MCP client, speaking JSON-RPC on
its stdin/stdout with nothing but the standard library (so the client's own
cost is small). Each call is timed from writing the request to reading the
response: `share` (agent-share) and `get_context` with a key (agent-get).
The same operations as `tmux ashare ...` and `tmux agent-get ...` processes
are timed from spawn to exit. Prints median and p99 in microseconds and the
ratio of the command process to the MCP call (above 1: the MCP call is
faster). Measured in one run, on whatever else the machine is doing.
"""
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TMUX = os.environ.get("TMUX_BIN", os.path.join(ROOT, "target", "release", "tmux"))
MCP = os.environ.get("MCP_BIN", os.path.join(ROOT, "target", "release", "agent-tmux-mcp"))


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100.0 * (len(xs) - 1))))]


def main():
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    tmp = tempfile.mkdtemp(prefix="agent-tmux-bench-mcp-")
    sock = os.path.join(tmp, "s")
    env = dict(os.environ, SHELL="/bin/sh")
    env.pop("TMUX", None)

    def tmux(*a):
        return subprocess.run([TMUX, "-S", sock, *a], env=env, capture_output=True, text=True, check=True)

    try:
        tmux("-f", "/dev/null", "new-session", "-d", "-s", "a", "cat")
        tmux("new-session", "-d", "-s", "b", "cat")
        tmux("agent-join-group", "-q", "-t", "a", "bench")
        tmux("agent-join-group", "-q", "-t", "b", "bench")
        pane = tmux("display-message", "-p", "-t", "a", "#{pane_id}").stdout.strip()
        pid = tmux("display-message", "-p", "#{pid}").stdout.strip()
        menv = dict(env, TMUX="%s,%s,0" % (sock, pid), TMUX_PANE=pane)
        p = subprocess.Popen([MCP], stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=menv, text=True, bufsize=1)
        ids = iter(range(1, 10**9))

        def rpc(method, params, notify=False):
            msg = {"jsonrpc": "2.0", "method": method, "params": params}
            if not notify:
                msg["id"] = next(ids)
            p.stdin.write(json.dumps(msg) + "\n")
            p.stdin.flush()
            if notify:
                return None
            while True:
                r = json.loads(p.stdout.readline())
                if r.get("id") == msg["id"]:
                    return r

        rpc("initialize", {"protocolVersion": "2025-06-18", "capabilities": {},
                           "clientInfo": {"name": "bench", "version": "0"}})
        rpc("notifications/initialized", {}, notify=True)

        def timed_call(name, args):
            t = time.perf_counter()
            r = rpc("tools/call", {"name": name, "arguments": args})
            dt = time.perf_counter() - t
            assert not r["result"].get("isError"), r
            return dt

        def timed_proc(*a):
            t = time.perf_counter()
            subprocess.run([TMUX, "-S", sock, *a], env=env, stdout=subprocess.DEVNULL, check=True)
            return time.perf_counter() - t

        for i in range(20):  # warm up both paths
            timed_call("share", {"key": "k", "value": "v%d" % i})
            timed_proc("agent-share", "-q", "-t", "a", "k=w")
        rows = []
        for label, call, proc in (
                ("share", lambda i: timed_call("share", {"key": "k", "value": "value %d" % i}),
                 lambda i: timed_proc("agent-share", "-q", "-t", "a", "k=value %d" % i)),
                ("get", lambda i: timed_call("get_context", {"key": "k"}),
                 lambda i: timed_proc("agent-get", "-t", "a", "k"))):
            m, c = [], []
            for i in range(runs):  # interleaved, so both see the same load
                m.append(call(i))
                c.append(proc(i))
            rows.append((label, m, c))
        p.stdin.close()
        p.wait(10)
    finally:
        subprocess.run([TMUX, "-S", sock, "kill-server"], env=env, capture_output=True)
        shutil.rmtree(tmp, ignore_errors=True)

    us = lambda x: x * 1e6
    print("MCP tool call (agent-tmux-mcp over stdio) vs tmux client process, %d runs each, microseconds" % runs)
    print("%-6s %12s %12s %12s %12s %10s %10s" % ("op", "mcp median", "mcp p99", "proc median", "proc p99",
                                                 "median x", "p99 x"))
    for label, m, c in rows:
        mm, m99, cm, c99 = (us(statistics.median(m)), us(pct(m, 99)), us(statistics.median(c)), us(pct(c, 99)))
        print("%-6s %12.0f %12.0f %12.0f %12.0f %10.2f %10.2f" % (label, mm, m99, cm, c99, cm / mm, c99 / m99))


if __name__ == "__main__":
    main()
