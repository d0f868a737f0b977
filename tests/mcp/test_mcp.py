#!/usr/bin/env python3
"""agent-tmux-mcp against a real MCP client (the official Python SDK, `mcp`).

Run by `make test` (target `mcp`) through tests/mcp/run.sh, which makes the
venv first. Without --inner this is the driver: it starts a private tmux
server (its own socket, -f /dev/null) with the sessions `peer` (running cat,
so it stays idle) and `busy` (printing all the time), runs itself with
--inner in a pane of a third session, `me`, waits for it (tmux wait-for) and
prints its results; it also checks the error paths that need no pane (no
$TMUX, no server). The inner run is the MCP client: it starts
agent-tmux-mcp as its child, exactly as an agent CLI does (so the server
inherits $TMUX and $TMUX_PANE), and acts as the other sessions through
plain `tmux` commands. Every check compares with what the server really
did (read back with tmux commands), and error texts with those the same
command gives on the command line.

Usage: test_mcp.py --tmux TMUX --mcp AGENT_TMUX_MCP [-v]
Exit status 0 when every case passed.
"""

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
import warnings

RESULTS = []


def record(name, ok, detail=""):
    RESULTS.append({"name": name, "ok": bool(ok), "detail": detail})


# ---------------------------------------------------------------- driver


def driver(args):
    tmp = tempfile.mkdtemp(prefix="agent-tmux-mcp-test-")
    sock = os.path.join(tmp, "sock")
    results = os.path.join(tmp, "results.json")
    log = os.path.join(tmp, "inner.log")
    env = dict(os.environ, SHELL="/bin/sh", LANG="C.UTF-8")
    env.pop("TMUX", None)
    env.pop("TMUX_PANE", None)

    def tmux(*a, check=True):
        return subprocess.run([args.tmux, "-S", sock, *a], env=env, capture_output=True,
                              text=True, check=check, timeout=30)

    # Outside tmux: a clear error at start.
    # With no server on the socket of $TMUX: tmux's own words, naming it.
    cli = tmux("display-message", "-p", "x", check=False).stderr.strip()
    for name, e, want in (
            ("no tmux", {}, "agent-tmux-mcp: not running inside tmux ($TMUX is not set)"),
            ("no pane", {"TMUX": sock + ",1,0"}, "agent-tmux-mcp: not running in a tmux pane"),
            ("no server", {"TMUX": sock + ",1,0", "TMUX_PANE": "%0"}, "agent-tmux-mcp: " + cli)):
        p = subprocess.run([args.mcp], env={**env, **e}, input="", capture_output=True,
                           text=True, timeout=30)
        record(f"start error: {name}", p.returncode == 1 and p.stderr.startswith(want)
               and sock in cli, f"rc={p.returncode} stderr={p.stderr.strip()!r}")

    # Peers are agents (the fake agent TUI of the shell tests, read with the
    # claude profile): peer idle, busy working, asks at a permission dialog.
    fake = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "shell", "fake-agent.py")
    tmux("-f", "/dev/null", "start-server", ";", "set", "-g", "exit-empty", "off")
    for name, script in (("peer", {"start": 0.2}),
                         ("busy", {"start": 0.2, "turns": [{"until": os.path.join(tmp, "never")}]}),
                         ("asks", {"start": 0.2, "turns": [{"work": 0.1, "dialog": {"kind": "permission",
                                                                                     "name": "notes.txt"}}]})):
        path = os.path.join(tmp, name + ".json")
        with open(path, "w") as f:
            json.dump(script, f)
        tmux("new-session", "-d", "-s", name, "-G", "claude", "-x", "100", "-y", "30",
             f"{sys.executable} {fake} --script {path}")
    for name in ("peer", "busy", "asks"):
        tmux("agent-wait", "-S", "idle", "-t", name, "-T", "30")
    for name, state in (("busy", "working"), ("asks", "waiting")):
        tmux("send-keys", "-t", name, "-l", "go")
        tmux("send-keys", "-t", name, "Enter")
        tmux("agent-wait", "-S", state, "-t", name, "-T", "30")
    inner = (f"{sys.executable} {os.path.abspath(__file__)} --inner --tmux {args.tmux} "
             f"--mcp {args.mcp} --results {results} >{log} 2>&1; "
             f"{args.tmux} -S {sock} wait-for -S mcp-done")
    tmux("new-session", "-d", "-s", "me", "-x", "100", "-y", "30", inner)
    try:
        subprocess.run([args.tmux, "-S", sock, "wait-for", "mcp-done"], env=env, timeout=300,
                       check=True)
    except subprocess.TimeoutExpired:
        record("inner run finished", False, "timed out after 300 s")
    if os.path.exists(results):
        with open(results) as f:
            RESULTS.extend(json.load(f))
    else:
        record("inner run wrote its results", False, open(log).read()[-3000:])
    tmux("kill-server", check=False)

    failed = [r for r in RESULTS if not r["ok"]]
    for r in RESULTS:
        if args.verbose or not r["ok"]:
            print(f"{'PASS' if r['ok'] else 'FAIL'} {r['name']}"
                  + (f": {r['detail']}" if r["detail"] and not r["ok"] else ""))
    print(f"mcp: {len(RESULTS) - len(failed)} passed, {len(failed)} failed")
    if failed and os.path.exists(log):
        print("--- inner log (tail) ---\n" + open(log).read()[-3000:])
    shutil.rmtree(tmp, ignore_errors=True)
    return 1 if failed or not RESULTS else 0


# ---------------------------------------------------------------- inner


def sh(tmux_bin, *a):
    """A tmux command as another session would run it: (rc, stdout, stderr)."""
    p = subprocess.run([tmux_bin, *a], capture_output=True, text=True, timeout=30)
    return p.returncode, p.stdout.rstrip("\n"), p.stderr.rstrip("\n")


async def inner(args):
    from mcp import Client, StdioServerParameters

    # resources/subscribe is what 2025-era clients (Claude Code) use: tested on purpose.
    warnings.simplefilter("ignore")

    T = args.tmux

    def tmux(*a):
        return sh(T, *a)

    env = dict(os.environ)
    params = StdioServerParameters(command=args.mcp, args=[], env=env)
    updates = []

    async def on_message(message):
        params_ = getattr(message, "params", None)
        uri = getattr(params_, "uri", None)
        if uri:
            updates.append(str(uri))

    async def call(c, name, arguments=None):
        r = await c.call_tool(name, arguments or {})
        return bool(r.is_error), "".join(getattr(b, "text", "") for b in r.content)

    def check(name, cond, detail=""):
        record(name, cond, detail)

    async def wait_until(pred, timeout=10.0):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if pred():
                return True
            await asyncio.sleep(0.02)
        return pred()

    async with Client(params, mode="legacy", message_handler=on_message) as c:
        # --- listing
        tools = (await c.list_tools()).tools
        names = sorted(t.name for t in tools)
        want = sorted(["whoami", "list_peers", "get_context", "share", "unset", "send_message",
                       "read_inbox", "wait_for_key", "wait_for_message", "wait_for_peer",
                       "prompt_peer"])
        check("tools/list names", names == want, str(names))
        check("tools have object schemas and descriptions",
              all(t.input_schema.get("type") == "object" and len(t.description or "") > 40
                  for t in tools))
        res = (await c.list_resources()).resources
        uris = [str(r.uri) for r in res]
        check("resources/list has context and inbox",
              "agent-tmux://context" in uris and "agent-tmux://inbox" in uris, str(uris))
        tpl = (await c.list_resource_templates()).resource_templates
        check("resource template for one key",
              [t.uri_template for t in tpl] == ["agent-tmux://context/{key}"])

        # --- no group yet
        err, out = await call(c, "whoami")
        me = json.loads(out) if not err else {}
        check("whoami outside a group", not err and me.get("session_name") == "me"
              and me.get("group") is None and me.get("pane_id") == os.environ["TMUX_PANE"], out)
        rc, _, cli_err = tmux("agent-peers", "-t", "me")
        err, out = await call(c, "list_peers")
        check("no group: list_peers error is the command's", err and rc == 1 and out == cli_err,
              f"{out!r} vs {cli_err!r}")
        err, out = await call(c, "share", {"key": "k", "value": "v"})
        rc, _, cli_err = tmux("agent-share", "-t", "me", "k=v")
        check("no group: share error is the command's", err and out == cli_err,
              f"{out!r} vs {cli_err!r}")
        err, out = await call(c, "send_message", {"text": "hi", "group": True})
        check("no group: send to group fails", err and "not in a coordination group" in out, out)

        # --- join
        for s in ("me", "peer", "busy", "asks"):
            tmux("agent-join-group", "-q", "-t", s, "team")
        err, out = await call(c, "whoami")
        me = json.loads(out)
        check("whoami in a group", me["group"] == "team" and me["role"] == "Coordinator"
              and me["peers"] == ["peer", "busy", "asks"] and me["read_only"] is False, out)
        err, out = await call(c, "list_peers")
        peers = {p["session_name"]: p for p in json.loads(out)["peers"]} if not err else {}
        _, st, _ = tmux("display-message", "-p", "-t", "peer", "#{agent_session_state}")
        check("list_peers with state", not err and peers.get("peer", {}).get("state") == st == "idle"
              and peers.get("busy", {}).get("role") == "Member", out)
        check("list_peers: the agent states", peers.get("busy", {}).get("state") == "working"
              and (peers.get("asks", {}).get("state"), peers.get("asks", {}).get("state_reason"))
              == ("waiting", "permission"), out)

        # --- share / get / unset
        err, out = await call(c, "share", {"key": "note", "value": "line 1\nline \"2\" $HOME ~x"})
        _, v, _ = tmux("agent-get", "-t", "peer", "note")
        check("share text, seen by another session", not err and v == "line 1\nline \"2\" $HOME ~x",
              f"{out!r} {v!r}")
        err, out = await call(c, "share", {"key": "plan", "value": {"steps": [1, 2], "ok": True}})
        _, v, _ = tmux("agent-get", "-J", "-t", "peer", "plan")
        e = json.loads(v)
        check("share JSON, seen by another session", not err and e["json"] is True
              and e["value"] == {"steps": [1, 2], "ok": True} and e["author_id"] == me["session_id"],
              v)
        err, out = await call(c, "share", {"key": "s", "value": "x", "as_json": True})
        _, v, _ = tmux("agent-get", "-t", "peer", "s")
        check("share a string as JSON", not err and v == '"x"', v)
        err, out = await call(c, "get_context", {"key": "plan"})
        check("get_context one key", not err and json.loads(out)["value"]["steps"] == [1, 2], out)
        err, out = await call(c, "get_context")
        ctx = json.loads(out)
        _, pj, _ = tmux("agent-peers", "-J", "-t", "peer")
        check("get_context all, with versions", not err and sorted(ctx["context"]) == ["note", "plan", "s"]
              and ctx["version"] == json.loads(pj)["version"] == 3, out)
        err, out = await call(c, "get_context", {"key": "nope"})
        _, _, cli_err = tmux("agent-get", "-t", "me", "nope")
        check("get_context missing key: the command's error", err and out == cli_err, out)

        # --- bad input changes nothing
        _, before, _ = tmux("agent-peers", "-J", "-t", "peer")
        err, out = await call(c, "share", {"key": "bad key!", "value": "x"})
        _, _, cli_err = tmux("agent-share", "-t", "peer", "-k", "bad key!", "-v", "x")
        check("bad key: the command's error", err and out == cli_err and "bad key" in out, out)
        big = "x" * 70000
        err, out = await call(c, "share", {"key": "big", "value": big})
        check("oversized value: the command's error",
              err and out == "value too long: 70000 bytes (limit 65536)", out)
        err, out = await call(c, "share", {"key": "k"})
        check("missing argument", err and out == "missing argument: value", out)
        err, out = await call(c, "share", {"key": "k", "value": 1, "extra": 1})
        check("unknown argument", err and out == "unknown argument: extra", out)
        err, out = await call(c, "share", {"key": 5, "value": 1})
        check("wrong type", err and out == "invalid argument: key (expected a string)", out)
        err, out = await call(c, "send_message", {"text": "x", "to": "peer", "group": True})
        check("send_message needs one of to and group", err and "not both" in out, out)
        err, out = await call(c, "read_inbox", {"take": "yes"})
        check("read_inbox take must be a boolean", err and out == "invalid argument: take (expected a boolean)", out)
        err, out = await call(c, "read_inbox", {"count": 0})
        check("read_inbox count must be 1 or more", err and "count" in out, out)
        err, out = await call(c, "no_such_tool")
        check("unknown tool", err and out == "unknown tool: no_such_tool", out)
        _, after, _ = tmux("agent-peers", "-J", "-t", "peer")
        check("bad input changed nothing", before == after)

        err, out = await call(c, "unset", {"key": "s"})
        rc, _, _ = tmux("agent-get", "-t", "peer", "s")
        check("unset", not err and rc == 1, out)
        err, out = await call(c, "unset", {"key": "s"})
        _, _, cli_err = tmux("agent-share", "-t", "me", "-u", "s")
        check("unset missing key: the command's error", err and out == cli_err, out)

        # --- messages
        err, out = await call(c, "send_message", {"to": "peer", "text": "-hello peer"})
        _, inbox, _ = tmux("agent-inbox", "-J", "-t", "peer")
        ib = json.loads(inbox)
        check("send_message to a peer", not err and out == "delivered to 1 inbox"
              and ib["messages"][-1]["text"] == "-hello peer"
              and ib["messages"][-1]["from_id"] == me["session_id"], out + inbox)
        err, out = await call(c, "send_message", {"group": True, "text": "all"})
        check("send_message to the group", not err and out == "delivered to 3 inboxes", out)
        err, out = await call(c, "send_message", {"to": "pe", "text": "x"})
        check("send_message by name is exact", err and "pe" in out, out)
        tmux("agent-send", "-s", "peer", "-t", "me", "from peer")
        err, out = await call(c, "read_inbox")
        m = json.loads(out)["messages"]
        check("read_inbox", not err and m[-1]["text"] == "from peer" and m[-1]["from"] == "peer", out)
        err, out = await call(c, "read_inbox", {"take": True})
        _, n, _ = tmux("display-message", "-p", "-t", "me", "#{agent_unread}")
        check("read_inbox take consumes", not err and n == "0", out)

        # --- resources
        r = await c.read_resource("agent-tmux://context/plan")
        check("read context key resource", json.loads(r.contents[0].text)["value"]["ok"] is True)
        r = await c.read_resource("agent-tmux://context")
        check("read context resource", sorted(json.loads(r.contents[0].text)["context"]) == ["note", "plan"])
        res = [str(x.uri) for x in (await c.list_resources()).resources]
        check("resources/list has a resource per key", "agent-tmux://context/note" in res, str(res))

        await c.subscribe_resource("agent-tmux://context/verdict")
        await c.subscribe_resource("agent-tmux://inbox")
        updates.clear()
        tmux("agent-share", "-t", "peer", "verdict=approve")
        ok = await wait_until(lambda: "agent-tmux://context/verdict" in updates)
        check("resources/updated when another session shares the key", ok, str(updates))
        tmux("agent-share", "-t", "peer", "other=1")
        tmux("agent-send", "-s", "peer", "-t", "me", "ping")
        ok = await wait_until(lambda: "agent-tmux://inbox" in updates)
        check("resources/updated for the inbox on a message", ok, str(updates))
        check("no update for a key not subscribed", "agent-tmux://context/other" not in updates,
              str(updates))
        await call(c, "read_inbox", {"take": True})

        # --- waits run while other calls go on
        wait = asyncio.create_task(call(c, "wait_for_key", {"key": "result", "timeout": 30}))
        err, out = await call(c, "whoami")
        check("a call completes while a wait is pending", not err and not wait.done())
        tmux("agent-share", "-t", "peer", "result=42 done")
        err, out = await asyncio.wait_for(wait, 30)
        check("wait_for_key woken by a peer's share", not err and out == "42 done", out)
        err, out = await call(c, "wait_for_key", {"key": "result"})
        check("wait_for_key returns an existing key at once", not err and out == "42 done", out)
        wait = asyncio.create_task(call(c, "wait_for_key", {"key": "result", "changed": True,
                                                            "timeout": 30}))
        await call(c, "get_context", {"key": "result"})
        tmux("agent-share", "-t", "peer", "result=43")
        err, out = await asyncio.wait_for(wait, 30)
        check("wait_for_key changed waits for the next write", not err and out == "43", out)

        wait = asyncio.create_task(call(c, "wait_for_message", {"take": True, "timeout": 30}))
        await call(c, "list_peers")
        check("wait_for_message pending", not wait.done())
        tmux("agent-send", "-s", "peer", "-t", "me", "wake up")
        err, out = await asyncio.wait_for(wait, 30)
        _, n, _ = tmux("display-message", "-p", "-t", "me", "#{agent_unread}")
        check("wait_for_message woken and takes it", not err and out == "wake up" and n == "0", out)

        err, out = await call(c, "wait_for_key", {"key": "never", "timeout": 0.3})
        rc, _, cli_err = tmux("agent-wait", "-t", "me", "-T", "0.3", "never")
        check("timeout: the command's error", err and out == cli_err == "agent-wait: timed out", out)
        err, out = await call(c, "wait_for_key", {"key": "k", "timeout": 0})
        check("bad timeout", err and "timeout" in out, out)

        err, out = await call(c, "wait_for_peer", {"peer": "peer", "timeout": 10})
        check("wait_for_peer on an idle peer", not err and json.loads(out)["state"] == "idle", out)
        err, out = await call(c, "wait_for_peer", {"peer": "nobody"})
        check("wait_for_peer: not a peer", err and out.startswith("not a peer: nobody"), out)

        # --- prompts
        err, out = await call(c, "prompt_peer", {"peer": "peer", "text": "hello cat"})
        ok = await wait_until(lambda: "hello cat" in tmux("capture-pane", "-p", "-t", "peer")[1])
        check("prompt_peer an idle peer", not err and out == "prompted peer" and ok, out)
        _, st, _ = tmux("display-message", "-p", "-t", "busy", "#{agent_state}")
        err, out = await call(c, "prompt_peer", {"peer": "busy", "text": "x", "defer": False})
        check("prompt_peer defer false refuses a working peer as agent-prompt -n",
              st == "working" and err and "the agent is working (-n)" in out, out)
        err, out = await call(c, "prompt_peer", {"peer": "busy", "text": "later"})
        _, queued, _ = tmux("list-agent-prompts", "-t", "busy", "-F", "#{prompt_state}")
        check("prompt_peer queues for a working peer", not err and out.startswith("queued for busy (receipt P")
              and queued.split() == ["queued"], f"{out} / {queued!r}")
        err, out = await call(c, "prompt_peer", {"peer": "asks", "text": "1"})
        _, screen, _ = tmux("capture-pane", "-p", "-t", "asks")
        _, queued, _ = tmux("list-agent-prompts", "-t", "asks", "-F", "#{prompt_state}")
        check("prompt_peer refuses a peer waiting for a human",
              err and out == "peer 'asks' is waiting (permission): it needs a human, not prompting "
              "(force: true prompts anyway)" and "Do you want to create notes.txt?" in screen
              and not queued.strip(), out)
        err, out = await call(c, "prompt_peer", {"peer": "me", "text": "x"})
        check("prompt_peer: only peers", err and out.startswith("not a peer: me"), out)

        # --- read-only
        tmux("set-option", "-g", "@agent-mcp-read-only", "on")
        _, before, _ = tmux("agent-peers", "-J", "-t", "peer")
        refused = []
        for name, a in (("share", {"key": "ro", "value": "x"}), ("unset", {"key": "plan"}),
                        ("send_message", {"to": "peer", "text": "x"}),
                        ("read_inbox", {"take": True}), ("prompt_peer", {"peer": "peer", "text": "x"}),
                        ("wait_for_message", {"take": True, "timeout": 1})):
            err, out = await call(c, name, a)
            refused.append(err and out == "read-only: @agent-mcp-read-only is on")
        err, out = await call(c, "get_context", {"key": "plan"})
        _, after, _ = tmux("agent-peers", "-J", "-t", "peer")
        check("read-only refuses every write, reads still work",
              all(refused) and not err and before == after, str(refused))
        err, out = await call(c, "whoami")
        check("whoami shows read-only", json.loads(out)["read_only"] is True)
        tmux("set-option", "-gu", "@agent-mcp-read-only")

    # --- the 2026-07-28 protocol: subscriptions/listen
    async with Client(params) as c2:
        check("modern protocol negotiated", c2.protocol_version >= "2026-07-28", c2.protocol_version)
        async with c2.listen(resource_subscriptions=["agent-tmux://context/verdict"]) as sub:
            tmux("agent-share", "-t", "peer", "verdict=reject")
            got = None
            try:
                async with asyncio.timeout(10):
                    async for ev in sub:
                        got = getattr(ev, "uri", None)
                        break
            except TimeoutError:
                pass
            check("subscriptions/listen gets the update", got == "agent-tmux://context/verdict",
                  str(got))
        err, out = await call(c2, "get_context", {"key": "verdict"})
        check("modern protocol tool call", not err and json.loads(out)["value"] == "reject", out)

    # Leaving the group: the server's error, not a stale answer.
    tmux("agent-leave-group", "-q", "-t", "me")
    async with Client(params, mode="legacy") as c3:
        err, out = await call(c3, "get_context")
        _, _, cli_err = tmux("agent-peers", "-t", "me")
        check("no group after leaving: the command's error", err and out == cli_err, out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tmux", required=True)
    ap.add_argument("--mcp", required=True)
    ap.add_argument("--inner", action="store_true")
    ap.add_argument("--results")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    args.tmux = os.path.abspath(args.tmux)
    args.mcp = os.path.abspath(args.mcp)
    if not args.inner:
        sys.exit(driver(args))
    try:
        asyncio.run(inner(args))
    except BaseException:
        record("inner run raised no exception", False, traceback.format_exc()[-2000:])
    with open(args.results, "w") as f:
        json.dump(RESULTS, f)


if __name__ == "__main__":
    main()
