#!/usr/bin/env python3
"""A scripted model endpoint for the real-agent tests (make test-agents).

Speaks two wire formats on 127.0.0.1, both as server-sent events:
  - Anthropic's Messages API: POST /v1/messages (Claude Code), plus
    /v1/messages/count_tokens;
  - OpenAI's Responses API: POST /v1/responses (Codex CLI).
Every other path gets `{}`.

A request is a *turn* of the conversation when it offers tools (the CLI's main
loop does; its side requests, such as a title or a topic check, do not). Each
turn takes the next step of the script; side requests and turns past the end
of the script get a short plain answer. Script steps (dicts):
  {"text": "...", "seconds": N}   stream the text over N seconds, end_turn
  {"tool": NAME, "input": {...}}  ask for a tool use (stop_reason tool_use);
                                  for Codex "input" is the function arguments
  {"text": "...", "tool": ..., "input": ...}  a text then the tool use
  {"tool_suffix": "__share", "input": {...}}  ask for the offered tool whose
                                  name ends with the suffix (MCP tools, which
                                  the CLI names itself: mcp__SERVER__TOOL);
                                  the name used is recorded as "tool"; a
                                  tool not offered yet but named in the
                                  conversation (deferred) is found there
Every response has its own message id and every tool use its own id.

Every request is recorded (path, headers of interest, parsed body, whether it
was a turn, which step answered it). `last_user_text()` is the newest user
text: the last text block of the last user message, skipping blocks the CLI
adds itself (`<system-reminder>`, `<environment_context>`, ...).

Used as a module by run.py (Model(...).start() in a thread), or standalone:
  model.py --script FILE.json [--port-file F] [--log F.jsonl] [--max-seconds N]
It always stops by itself after --max-seconds (default 900)."""
import argparse
import itertools
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# Text blocks that CLIs add to a user message around what the user typed.
CLI_ADDED_PREFIXES = (
    "<system-reminder>",
    "<environment_context>",
    "<user_instructions>",
    "<permissions instructions>",
    "# AGENTS.md instructions",
    "<INSTRUCTIONS>",
    "<turn_aborted>",
)

_ids = itertools.count(1)


def new_id(prefix):
    return "%s_%06d%s" % (prefix, next(_ids), format(int(time.time() * 1000) % 10**8, "08d"))


def text_blocks(content):
    """The text pieces of a message's content (a string or a list of blocks)."""
    if isinstance(content, str):
        return [content]
    out = []
    for b in content or []:
        if isinstance(b, dict) and b.get("type") in ("text", "input_text") and isinstance(b.get("text"), str):
            out.append(b["text"])
    return out


def user_text_of(body):
    """The newest user text of a Messages or Responses request body, or None."""
    if not isinstance(body, dict):
        return None
    msgs = body.get("messages")
    if msgs is None:
        msgs = body.get("input")
        if isinstance(msgs, str):
            return msgs
    if not isinstance(msgs, list):
        return None
    users = [m for m in msgs if isinstance(m, dict) and m.get("role") == "user"]
    if not users:
        return None
    texts = [t for t in text_blocks(users[-1].get("content")) if not t.lstrip().startswith(CLI_ADDED_PREFIXES)]
    return texts[-1] if texts else None


def tool_results_of(body):
    """Tool results in the last user message / last input items: [(id, text)]."""
    out = []
    msgs = body.get("messages") if isinstance(body, dict) else None
    if isinstance(msgs, list) and msgs:
        last = msgs[-1]
        if isinstance(last, dict) and isinstance(last.get("content"), list):
            for b in last["content"]:
                if isinstance(b, dict) and b.get("type") == "tool_result":
                    c = b.get("content")
                    out.append((b.get("tool_use_id"), c if isinstance(c, str) else json.dumps(c)))
    items = body.get("input") if isinstance(body, dict) else None
    if isinstance(items, list):
        for it in items:
            if isinstance(it, dict) and it.get("type") in ("function_call_output", "custom_tool_call_output"):
                o = it.get("output")
                out.append((it.get("call_id"), o if isinstance(o, str) else json.dumps(o)))
    return out


class Model:
    def __init__(self, script=None, max_seconds=900, log_path=None, chunk_chars=12):
        self.lock = threading.Lock()
        self.script = list(script or [])
        self.step = 0
        self.requests = []
        self.max_seconds = max_seconds
        self.log_path = log_path
        self.chunk_chars = chunk_chars
        self.server = None
        self.port = None
        self.streaming = 0  # responses being streamed right now

    # --- control (from the harness thread) ---
    def set_script(self, steps):
        with self.lock:
            self.script = list(steps)
            self.step = 0

    def turns(self):
        with self.lock:
            return [r for r in self.requests if r["turn"]]

    def all_requests(self):
        with self.lock:
            return list(self.requests)

    def last_user_text(self):
        t = self.turns()
        return t[-1]["user_text"] if t else None

    # --- serving ---
    def start(self):
        model = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def do_GET(self):
                model._record(self, None, False, None)
                self._json(200, {})

            def do_POST(self):
                n = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(n) if n else b""
                try:
                    body = json.loads(raw or b"{}")
                except ValueError:
                    body = None
                path = self.path.split("?")[0]
                if path.endswith("/messages/count_tokens"):
                    model._record(self, body, False, None)
                    return self._json(200, {"input_tokens": 100})
                if path.endswith("/messages") or path.endswith("/responses"):
                    api = "anthropic" if path.endswith("/messages") else "responses"
                    is_turn = isinstance(body, dict) and bool(body.get("tools"))
                    step = model._next_step() if is_turn else None
                    model._record(self, body, is_turn, step)
                    if not isinstance(body, dict):
                        return self._json(400, {"error": {"type": "invalid_request_error", "message": "bad json"}})
                    if step is None:
                        step = {"text": "ok", "seconds": 0}
                    step = model._resolve_tool(step, body)
                    with model.lock:
                        model.streaming += 1
                    try:
                        if api == "anthropic":
                            if body.get("stream"):
                                model._anthropic_sse(self, step, body)
                            else:
                                self._json(200, model._anthropic_message(step, body))
                        else:
                            model._responses_sse(self, step, body)
                    except (BrokenPipeError, ConnectionResetError):
                        pass
                    finally:
                        with model.lock:
                            model.streaming -= 1
                    return
                model._record(self, body, False, None)
                self._json(200, {})

            def _json(self, code, obj):
                data = json.dumps(obj).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        timer = threading.Timer(self.max_seconds, self.stop)
        timer.daemon = True
        timer.start()
        return self

    def stop(self):
        if self.server:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def url(self):
        return "http://127.0.0.1:%d" % self.port

    # --- internals ---
    def _next_step(self):
        with self.lock:
            if self.step < len(self.script):
                s = self.script[self.step]
                self.step += 1
                return dict(s, index=self.step - 1)
            return None

    def _resolve_tool(self, step, body):
        suffix = step.get("tool_suffix")
        if not suffix:
            return step
        names = [t.get("name", "") for t in body.get("tools") or [] if isinstance(t, dict)]
        name = next((n for n in names if n.endswith(suffix)), None)
        if name is None:
            # A deferred tool (Claude Code's ToolSearch) is named only in the
            # text of the conversation.
            m = re.search(r"\bmcp__[A-Za-z0-9_-]+?%s\b" % re.escape(suffix), json.dumps(body))
            name = m.group(0) if m else None
        if name is None:
            return {"text": "no offered tool ends with %s" % suffix, "seconds": 0}
        with self.lock:
            if self.requests:
                self.requests[-1]["tool"] = name
        return dict(step, tool=name)

    def _record(self, h, body, is_turn, step):
        r = {
            "t": time.time(),
            "method": h.command,
            "path": h.path,
            "turn": is_turn,
            "step": None if step is None else step.get("index"),
            "user_text": user_text_of(body) if is_turn else None,
            "tool_results": tool_results_of(body) if is_turn else [],
            "body": body,
        }
        with self.lock:
            self.requests.append(r)
        if self.log_path:
            with open(self.log_path, "a") as f:
                f.write(json.dumps(r) + "\n")

    def _pieces(self, text):
        n = self.chunk_chars
        return [text[i:i + n] for i in range(0, len(text), n)] or [""]

    def _stream_start(self, h):
        h.send_response(200)
        h.send_header("Content-Type", "text/event-stream")
        h.send_header("Cache-Control", "no-cache")
        h.send_header("Transfer-Encoding", "chunked")
        h.end_headers()

    @staticmethod
    def _chunk(h, data):
        h.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        h.wfile.flush()

    def _event(self, h, name, obj):
        self._chunk(h, ("event: %s\ndata: %s\n\n" % (name, json.dumps(obj))).encode())

    def _stream_end(self, h):
        h.wfile.write(b"0\r\n\r\n")
        h.wfile.flush()

    def _slowly(self, pieces, seconds, emit):
        gap = (float(seconds) / len(pieces)) if seconds else 0
        for p in pieces:
            emit(p)
            if gap:
                time.sleep(gap)

    # Anthropic Messages API
    def _anthropic_message(self, step, body):
        content = []
        if step.get("text"):
            content.append({"type": "text", "text": step["text"]})
        if step.get("tool"):
            content.append({"type": "tool_use", "id": new_id("toolu"), "name": step["tool"], "input": step.get("input", {})})
        return {
            "id": new_id("msg"), "type": "message", "role": "assistant", "model": body.get("model", "scripted"),
            "content": content, "stop_reason": "tool_use" if step.get("tool") else "end_turn",
            "stop_sequence": None, "usage": {"input_tokens": 100, "output_tokens": 10},
        }

    def _anthropic_sse(self, h, step, body):
        self._stream_start(h)
        ev = lambda name, obj: self._event(h, name, dict(obj, type=name))
        ev("message_start", {"message": {
            "id": new_id("msg"), "type": "message", "role": "assistant", "model": body.get("model", "scripted"),
            "content": [], "stop_reason": None, "stop_sequence": None,
            "usage": {"input_tokens": 100, "output_tokens": 1}}})
        idx = 0
        text = step.get("text")
        if text or not step.get("tool"):
            ev("content_block_start", {"index": idx, "content_block": {"type": "text", "text": ""}})
            self._slowly(self._pieces(text or ""), step.get("seconds", 0), lambda p: ev(
                "content_block_delta", {"index": idx, "delta": {"type": "text_delta", "text": p}}))
            ev("content_block_stop", {"index": idx})
            idx += 1
        if step.get("tool"):
            ev("content_block_start", {"index": idx, "content_block": {
                "type": "tool_use", "id": new_id("toolu"), "name": step["tool"], "input": {}}})
            args = json.dumps(step.get("input", {}))
            for p in self._pieces(args):
                ev("content_block_delta", {"index": idx, "delta": {"type": "input_json_delta", "partial_json": p}})
            ev("content_block_stop", {"index": idx})
        ev("message_delta", {"delta": {"stop_reason": "tool_use" if step.get("tool") else "end_turn",
                                       "stop_sequence": None}, "usage": {"output_tokens": 10}})
        ev("message_stop", {})
        self._stream_end(h)

    # OpenAI Responses API
    def _responses_sse(self, h, step, body):
        self._stream_start(h)
        rid = new_id("resp")
        ev = lambda name, obj: self._event(h, name, dict(obj, type=name))
        base = {"id": rid, "object": "response", "created_at": int(time.time()), "status": "in_progress",
                "model": body.get("model", "scripted"), "output": []}
        ev("response.created", {"response": base})
        out = []
        oi = 0
        text = step.get("text")
        if text or not step.get("tool"):
            mid = new_id("msg")
            ev("response.output_item.added", {"output_index": oi, "item": {
                "type": "message", "id": mid, "role": "assistant", "status": "in_progress", "content": []}})
            ev("response.content_part.added", {"output_index": oi, "item_id": mid, "content_index": 0,
                                                "part": {"type": "output_text", "text": "", "annotations": []}})
            self._slowly(self._pieces(text or ""), step.get("seconds", 0), lambda p: ev(
                "response.output_text.delta", {"output_index": oi, "item_id": mid, "content_index": 0, "delta": p}))
            ev("response.output_text.done", {"output_index": oi, "item_id": mid, "content_index": 0, "text": text or ""})
            item = {"type": "message", "id": mid, "role": "assistant", "status": "completed",
                    "content": [{"type": "output_text", "text": text or "", "annotations": []}]}
            ev("response.output_item.done", {"output_index": oi, "item": item})
            out.append(item)
            oi += 1
        if step.get("tool"):
            item = {"type": "function_call", "id": new_id("fc"), "call_id": new_id("call"), "name": step["tool"],
                    "arguments": json.dumps(step.get("input", {})), "status": "completed"}
            ev("response.output_item.added", {"output_index": oi, "item": dict(item, arguments="", status="in_progress")})
            ev("response.output_item.done", {"output_index": oi, "item": item})
            out.append(item)
        usage = {"input_tokens": 100, "input_tokens_details": {"cached_tokens": 0}, "output_tokens": 10,
                 "output_tokens_details": {"reasoning_tokens": 0}, "total_tokens": 110}
        ev("response.completed", {"response": dict(base, status="completed", output=out, usage=usage)})
        self._stream_end(h)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--script", help="JSON file: a list of steps")
    ap.add_argument("--port-file")
    ap.add_argument("--log", help="append every request as a JSON line")
    ap.add_argument("--max-seconds", type=float, default=900)
    a = ap.parse_args()
    script = json.load(open(a.script)) if a.script else []
    m = Model(script, a.max_seconds, a.log).start()
    if a.port_file:
        with open(a.port_file, "w") as f:
            f.write("%d\n" % m.port)
    else:
        print(m.port, flush=True)
    deadline = time.time() + a.max_seconds
    while m.server and time.time() < deadline:
        time.sleep(0.2)


if __name__ == "__main__":
    main()
