#!/usr/bin/env python3
"""A small scripted stand-in for an agent CLI's terminal UI, for the fast
tests. It draws screens shaped like the real ones in tests/agents/OBSERVED.md
(Claude Code 2.1.328, Codex 0.171.0): a transcript, an input box between two
rules with a footer, a working spinner with `esc to interrupt`, a permission
dialog and a question dialog with numbered choices, a finished-turn line. It
uses the alternate screen, sets the pane title (a spinner glyph while it
works, `✳ NAME` when idle, `[ . ] Action Required | NAME` in a dialog), turns bracketed paste on and reads prompts from
pastes and typed keys.

  fake-agent.py [--script FILE] [--log FILE] [--control FIFO] [--exit N]
                (or FAKE_AGENT_SCRIPT, FAKE_AGENT_LOG, FAKE_AGENT_CONTROL)

The script is JSON:
  {"name": "Fake Agent",        title and banner
   "start": 0.2,                seconds before the input box appears (starting)
   "bracketed_paste": true,     turn bracketed paste on (at start)
   "boot_box": 0,               start as Claude Code 2.1.328 does: for the first S
                                seconds the input box is drawn already (bracketed
                                paste still off), then a spinner line redraws
                                (output flowing, no box) until "start" has passed;
                                bracketed paste goes on when it is ready
   "notify": false,             OSC 9 notification when a dialog opens
   "osc_state": false,          report states as Codex 0.171.0 does: OSC 7501
                                state=idle|working|blocked:kind=K|done, clear at exit
   "picker": false,             text starting with / or @ opens an autocomplete
                                picker that eats the next Enter (it closes the
                                picker and submits nothing; the Enter after
                                that submits), as Claude Code's does
   "hooks": {EVENT: [CMD, ...]} run like Claude Code's hooks (below)
   "claude_settings": PATH,     or: take the hooks from a Claude Code
                                settings file ("~" is $HOME; true: the default
                                $HOME/.claude/settings.json), as agent-hooks -i
                                writes it
   "session_id": "ID",          the conversation id hooks get (default: random)
   "exit_status": N,            the status of /exit and C-d (default 0)
   "claude_paste": false,       treat pastes as Claude Code 2.1.328 does: one
                                of more than 800 characters or more than 3
                                lines is submitted wrapped in <pasted_content
                                id=...> tags; a pasted tab becomes 4 spaces
   "lag": S,                    an Enter submits S seconds later (the text stays
                                in the box and the agent idle meanwhile)
   "turns": [TURN, ...]}        one per submitted prompt, in order
TURN: {"work": S,               seconds of working before anything else
       "until": PATH,           or: work until PATH exists
       "dialog": {"kind": "permission", "name": "notes.txt"}
               | {"kind": "question", "question": "...", "options": ["A", "B"]},
       "after": S,              seconds of working after the dialog is answered
       "reply": "text",         printed when the turn ends (default "Done.")
       "tools": ["Bash"],       tools used while working (PreToolUse and
                                PostToolUse hooks at the start of the work)
       "exit": N}               exit with status N after the turn
A prompt past the last turn gets {"work": 0.2}. A dialog may name its "tool"
(default Write for a permission, AskUserQuestion for a question).

Hooks: each command runs with `sh -c`, the pane's environment, the event's
JSON on stdin (session_id, transcript_path, cwd, hook_event_name and the
event's own fields, as Claude Code 2.1 sends them), synchronously (10 s at
most), its status logged ("hook" events). SessionStart (source "startup")
when the input box appears; UserPromptSubmit (prompt) on a submission;
PreToolUse (tool_name, tool_input) before a dialog and for each of a turn's
"tools"; PermissionRequest when a dialog opens (the question's too, tool
AskUserQuestion, as Claude Code 2.1.328 does); Notification
(message, notification_type "permission_prompt") with it when "notify" is
set; PostToolUse after a tool ran (a question answered, a permission dialog
answered with a choice other than the last, "No"); Stop when a turn ends; SessionEnd (reason "exit")
before exiting.

Control (a fifo, --control): one command a line, for tests: `done` (the
current work ends now), `exit N`, `title TEXT`, `notify TEXT` (OSC 9),
`paste on|off` (bracketed paste),
`osc7501 TEXT`, `bell`, `turn JSON` (append a turn), `submit TEXT`.

Keys: Enter submits (or answers a dialog), digits pick a choice, Up/Down move,
Esc cancels a dialog or interrupts work, C-c interrupts, C-d on an empty
input box or the prompt `/exit` quits with status 0. Text submitted while it
works is queued and submitted when the turn ends.

Every event goes to the log as a JSON line: {"t", "event", ...} with events
start, ready, paste (text), submit (text; the prompt as received), queued,
working, dialog, answer (choice, label), cancel, interrupt, idle (turn done),
picker-closed, hook (name, status), control (line), exit."""
import json
import os
import select
import signal
import subprocess
import sys
import termios
import time
import tty
import uuid

SPIN = "·✢✳✶✻✽"
TITLE_SPIN = "⠂⠐"
VERBS = ["Pondering", "Brewing", "Computing"]


class Agent:
    def __init__(self, script, log):
        self.s = script
        self.name = script.get("name", "Fake Agent")
        self.turns = list(script.get("turns", []))
        self.logf = open(log, "a", buffering=1) if log else None
        self.t0 = time.monotonic()
        self.transcript = []  # lines above the input box
        self.text = ""  # the input box
        self.queue = []
        self.state = "starting"  # starting, idle, working, dialog
        self.turn = None
        self.phase_end = 0.0
        self.until = None
        self.work_started = 0.0
        self.dialog = None
        self.sel = 0
        self.picker = False
        self.in_paste = False
        self.paste = ""
        self.pending = b""
        self.ready_at = self.t0 + float(script.get("start", 0.2))
        self.frame = 0
        self.last_title = None
        self.last_frame = None
        self.exit_code = None
        self.session_id = script.get("session_id") or str(uuid.uuid4())
        self.hooks = load_hooks(script)
        self.control = None
        self.control_buf = b""

    # --- output ---
    def log(self, event, **kw):
        if self.logf:
            self.logf.write(json.dumps(dict(kw, t=round(time.monotonic() - self.t0, 3), event=event)) + "\n")

    def out(self, s):
        os.write(1, s.encode())

    def osc_state(self, st):
        if self.s.get("osc_state"):
            self.out("\x1b]7501;%s\x07" % st)

    def hook(self, event, **fields):
        cmds = self.hooks.get(event, [])
        if not cmds:
            return
        doc = dict(session_id=self.session_id, transcript_path="/tmp/fake-agent-%s.jsonl" % self.session_id,
                   cwd=os.getcwd(), hook_event_name=event, **fields)
        data = json.dumps(doc).encode()
        for cmd in cmds:
            try:
                p = subprocess.run(["sh", "-c", cmd], input=data, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, timeout=10)
                status, err = p.returncode, p.stderr.decode("utf-8", "replace").strip()
            except subprocess.TimeoutExpired:
                status, err = "timeout", ""
            self.log("hook", name=event, status=status, stderr=err[:300])

    def control_line(self, line):
        self.log("control", line=line)
        word, _, rest = line.partition(" ")
        if word == "done":
            if self.state == "working":
                self.phase_end = 0.0
                self.until = None
        elif word == "exit":
            self.exit_code = int(rest or 0)
        elif word == "title":
            self.last_title = None
            self.title(rest)
            self.fixed_title = rest
        elif word == "notify":
            self.out("\x1b]9;%s\x07" % rest)
        elif word == "osc7501":
            self.out("\x1b]7501;%s\x07" % rest)
        elif word == "bell":
            self.out("\x07")
        elif word == "paste":
            self.out("\x1b[?2004h" if rest == "on" else "\x1b[?2004l")
        elif word == "turn":
            self.turns.append(json.loads(rest))
        elif word == "submit":
            self.submit(rest)

    def read_control(self):
        try:
            data = os.read(self.control, 4096)
        except BlockingIOError:
            return
        self.control_buf += data
        while b"\n" in self.control_buf:
            line, self.control_buf = self.control_buf.split(b"\n", 1)
            if line.strip():
                self.control_line(line.decode("utf-8", "replace").strip())

    def title(self, t):
        if t != self.last_title:
            self.last_title = t
            self.out("\x1b]0;%s\x07" % t)

    def size(self):
        try:
            c, r = os.get_terminal_size(1)
        except OSError:
            c, r = 80, 24
        return max(c, 20), max(r, 10)

    def draw(self):
        cols, rows = self.size()
        rule = "─" * cols
        bottom = []
        boot = float(self.s.get("boot_box", 0))
        if self.state == "starting" and time.monotonic() < self.t0 + boot:
            bottom = ["", rule, "❯ ", rule, "  ? for shortcuts"]
        elif self.state == "starting" and boot:
            bottom = ["", "  Starting " + self.name + "… " + TITLE_SPIN[self.frame % 2]]
        elif self.state == "starting":
            bottom = ["", "  Starting " + self.name + "…"]
        elif self.state == "dialog":
            d = self.dialog
            bottom.append(rule)
            if d["kind"] == "permission":
                bottom += [" Create file", " " + d.get("name", "notes.txt"), "",
                           " Do you want to create %s?" % d.get("name", "notes.txt")]
                foot = " Esc to cancel · Tab to amend"
            else:
                bottom += [" " + d.get("header", "Question"), "", " " + d["question"], ""]
                foot = " Enter to select · ↑/↓ to navigate · Esc to cancel"
            for i, label in enumerate(self.options()):
                bottom.append(" %s %d. %s" % ("❯" if i == self.sel else " ", i + 1, label))
            bottom += ["", foot]
        else:
            if self.state == "working":
                secs = int(time.monotonic() - self.work_started)
                bottom.append("%s %s… (%ds · esc to interrupt)" % (
                    SPIN[self.frame % len(SPIN)], VERBS[len(self.transcript) % len(VERBS)], secs))
            lines = (self.text or "").split("\n")
            shown = "[Pasted text +%d lines]" % (len(lines) - 1) if len(lines) > 3 else " ".join(lines)
            bottom += ["", rule, "❯ " + shown[:cols - 3], rule]
            if self.picker:
                bottom += ["  /exit        Exit the fake agent", "  README.md"]
            bottom.append("  esc to interrupt" if self.state == "working" else "  ? for shortcuts")
        top = [" ▐ " + self.name, ""] + self.transcript
        room = rows - len(bottom)
        top = top[-room:] if room > 0 else []
        screen = top + [""] * (rows - len(top) - len(bottom)) + bottom
        screen = [l[:cols] for l in screen[-rows:]]
        frame = "\x1b[H\x1b[2J" + "\r\n".join(screen)
        if frame != self.last_frame:  # quiet while nothing changes, as the real ones are
            self.last_frame = frame
            self.out(frame)
        if getattr(self, "fixed_title", None) is not None:
            pass
        elif self.state == "working":
            self.title("%s %s" % (TITLE_SPIN[self.frame % 2], self.name))
        elif self.state == "dialog":
            self.title("[ . ] Action Required | " + self.name)
        else:
            self.title("✳ " + self.name)

    def options(self):
        d = self.dialog
        if d["kind"] == "permission":
            return ["Yes", "Yes, and don't ask again for this session", "No"]
        return list(d.get("options", ["Yes", "No"]))

    # --- states ---
    def become_ready(self):
        self.state = "idle"
        if self.s.get("boot_box") and self.s.get("bracketed_paste", True):
            self.out("\x1b[?2004h")
        self.log("ready")
        self.osc_state("state=idle:app=fake")
        self.hook("SessionStart", source="startup")

    def submit(self, text):
        if self.state in ("working", "dialog"):
            self.queue.append(text)
            self.log("queued", text=text)
            return
        self.log("submit", text=text)
        if text.strip() == "/exit":
            self.exit_code = int(self.s.get("exit_status", 0))
            return
        self.hook("UserPromptSubmit", prompt=text)
        self.transcript.append("❯ " + text.split("\n")[0] + (" …" if "\n" in text else ""))
        self.turn = self.turns.pop(0) if self.turns else {"work": 0.2}
        self.start_work(self.turn.get("work", 0.5), self.turn.get("until"))
        for tool in self.turn.get("tools", []):
            self.hook("PreToolUse", tool_name=tool, tool_input={})
            self.hook("PostToolUse", tool_name=tool, tool_input={}, tool_response={})

    def start_work(self, seconds, until=None):
        self.state = "working"
        self.work_started = time.monotonic()
        self.phase_end = self.work_started + float(seconds or 0)
        self.until = until
        self.log("working")
        self.osc_state("state=working:app=fake")

    def work_done(self):
        t = self.turn
        if t.get("dialog") and self.dialog is None and not t.get("_answered"):
            self.dialog = dict(t["dialog"])
            self.sel = 0
            self.state = "dialog"
            self.log("dialog", kind=self.dialog["kind"])
            self.osc_state("state=blocked:app=fake:kind=%s" % self.dialog["kind"])
            tool, tinput = self.dialog_tool()
            self.hook("PreToolUse", tool_name=tool, tool_input=tinput)
            # Claude Code 2.1.328 asks permission for AskUserQuestion too.
            self.hook("PermissionRequest", tool_name=tool, tool_input=tinput)
            if self.s.get("notify"):
                self.out("\x1b]9;%s needs your attention\x07" % self.name)
                self.hook("Notification", message="%s needs your permission to use %s" % (self.name, tool),
                          notification_type="permission_prompt")
            return
        self.finish_turn()

    def finish_turn(self, interrupted=False):
        secs = max(0, int(round(time.monotonic() - self.work_started)))
        if interrupted:
            self.transcript += ["  ⎿  Interrupted", ""]
        else:
            self.transcript += ["● " + self.turn.get("reply", "Done."), "", "✻ Worked for %ds" % secs, ""]
        self.state = "idle"
        code = self.turn.get("exit")
        self.turn = None
        self.log("idle", interrupted=interrupted)
        self.osc_state("state=done:app=fake")
        self.hook("Stop", stop_hook_active=False)
        if code is not None:
            self.exit_code = int(code)
        elif self.queue:
            self.submit(self.queue.pop(0))

    def dialog_tool(self):
        d = self.dialog
        if d["kind"] == "permission":
            return d.get("tool", "Write"), {"file_path": d.get("name", "notes.txt"), "content": ""}
        return d.get("tool", "AskUserQuestion"), {"questions": [{"question": d.get("question", "")}]}

    def answer(self, i):
        label = self.options()[i]
        self.log("answer", kind=self.dialog["kind"], choice=i + 1, label=label)
        if self.dialog["kind"] != "permission" or i < len(self.options()) - 1:
            tool, tinput = self.dialog_tool()
            self.hook("PostToolUse", tool_name=tool, tool_input=tinput, tool_response={"answer": label})
        self.transcript.append("  ⎿  %s" % label)
        self.dialog = None
        self.turn["_answered"] = True
        self.start_work(self.turn.get("after", 0.2))

    # --- input ---
    def feed(self, data):
        buf = self.pending + data
        self.pending = b""
        i = 0
        while i < len(buf):
            if self.in_paste:
                end = buf.find(b"\x1b[201~", i)
                if end < 0:
                    # keep a possible partial end marker for the next read
                    keep = 0
                    for k in range(1, 6):
                        if buf.endswith(b"\x1b[201~"[:k]):
                            keep = k
                    chunk = buf[i:len(buf) - keep]
                    self.paste += chunk.decode("utf-8", "replace")
                    self.pending = buf[len(buf) - keep:]
                    return
                self.paste += buf[i:end].decode("utf-8", "replace")
                self.in_paste = False
                self.pasted(self.paste.replace("\r\n", "\n").replace("\r", "\n"))
                self.paste = ""
                i = end + 6
                continue
            b = buf[i:i + 1]
            if b == b"\x1b":
                rest = buf[i:]
                if rest.startswith(b"\x1b[200~"):
                    self.in_paste = True
                    i += 6
                    continue
                if len(rest) < 6 and (b"\x1b[200~".startswith(rest) or b"\x1b[A".startswith(rest)
                                      or b"\x1bOA".startswith(rest)) and len(rest) > 1:
                    self.pending = rest
                    return
                for seq, key in ((b"\x1b[A", "up"), (b"\x1b[B", "down"), (b"\x1bOA", "up"), (b"\x1bOB", "down"),
                                 (b"\x1b[Z", "btab"), (b"\x1b[C", "right"), (b"\x1b[D", "left")):
                    if rest.startswith(seq):
                        self.key(key)
                        i += len(seq)
                        break
                else:
                    if rest.startswith(b"\x1b[") or rest.startswith(b"\x1bO"):
                        j = i + 2
                        while j < len(buf) and not (0x40 <= buf[j] <= 0x7e):
                            j += 1
                        i = j + 1  # an unknown sequence: ignored
                    else:
                        self.key("esc")
                        i += 1
                continue
            # a UTF-8 character
            n = 1
            c0 = buf[i]
            if c0 >= 0xf0:
                n = 4
            elif c0 >= 0xe0:
                n = 3
            elif c0 >= 0xc0:
                n = 2
            if i + n > len(buf):
                self.pending = buf[i:]
                return
            self.key(buf[i:i + n].decode("utf-8", "replace"))
            i += n

    def pasted(self, text):
        self.log("paste", text=text)
        if self.state == "dialog":
            return  # a dialog takes no text
        if self.s.get("claude_paste"):
            text = text.replace("\t", "    ")
            if len(text) > 800 or text.count("\n") > 2:
                text = '\n\n<pasted_content id="f00d">\n%s\n</pasted_content id="f00d">\n' % text
        self.text += text
        self.check_picker()

    def check_picker(self):
        if self.s.get("picker") and self.text[:1] in ("/", "@") and "\n" not in self.text:
            self.picker = True

    def key(self, k):
        if self.state == "starting":
            return
        if self.state == "dialog":
            n = len(self.options())
            if k == "up":
                self.sel = (self.sel - 1) % n
            elif k in ("down", "\t"):
                self.sel = (self.sel + 1) % n
            elif k == "\r":
                self.answer(self.sel)
            elif k.isdigit() and 1 <= int(k) <= n:
                self.answer(int(k) - 1)
            elif k in ("esc", "\x03"):
                self.log("cancel", kind=self.dialog["kind"])
                self.dialog = None
                self.finish_turn(interrupted=True)
            return
        if k in ("esc", "\x03"):
            if self.picker:
                self.picker = False
            elif self.state == "working":
                self.log("interrupt")
                self.finish_turn(interrupted=True)
            elif k == "\x03":
                self.text = ""
            return
        if k == "\x04" and not self.text and self.state == "idle":
            self.exit_code = int(self.s.get("exit_status", 0))
            return
        if k == "\r":
            if self.picker:
                self.picker = False
                self.log("picker-closed", text=self.text)
                return
            if self.text and self.s.get("lag"):
                self.lagged = time.monotonic() + float(self.s["lag"])
            elif self.text:
                text, self.text = self.text, ""
                self.submit(text)
            return
        if k == "\x7f":
            self.text = self.text[:-1]
            if not self.text:
                self.picker = False
            return
        if k in ("up", "down", "left", "right", "btab"):
            return
        if len(k) == 1 and ord(k) < 0x20 and k != "\n":
            return
        self.text += "\n" if k == "\n" else k
        self.check_picker()

    # --- main loop ---
    def tick(self):
        now = time.monotonic()
        if getattr(self, "lagged", None) and now >= self.lagged:
            self.lagged = None
            text, self.text = self.text, ""
            self.submit(text)
        if self.state == "starting" and now >= self.ready_at:
            self.become_ready()
        if self.state == "working":
            done = os.path.exists(self.until) if self.until else now >= self.phase_end
            if done:
                self.work_done()

    def run(self):
        fd = 0
        old = termios.tcgetattr(fd)
        tty.setraw(fd)
        self.out("\x1b[?1049h")
        if self.s.get("bracketed_paste", True) and not self.s.get("boot_box"):
            self.out("\x1b[?2004h")
        self.log("start", pid=os.getpid())
        signal.signal(signal.SIGWINCH, lambda *a: None)
        try:
            while self.exit_code is None:
                self.tick()
                if self.exit_code is not None:
                    break
                self.draw()
                self.frame += 1
                fds = [fd] + ([self.control] if self.control is not None else [])
                try:
                    r, _, _ = select.select(fds, [], [], 0.1)
                except InterruptedError:
                    continue
                if self.control is not None and self.control in r:
                    self.read_control()
                if fd in r:
                    data = os.read(fd, 65536)
                    if not data:
                        self.exit_code = 1
                        break
                    self.feed(data)
        finally:
            self.hook("SessionEnd", reason="exit")
            self.osc_state("state=clear")
            self.out("\x1b[?2004l\x1b[?1049l")
            termios.tcsetattr(fd, termios.TCSADRAIN, old)
            self.log("exit", status=self.exit_code)
        return self.exit_code


def main():
    args = sys.argv[1:]
    script_path = os.environ.get("FAKE_AGENT_SCRIPT")
    log = os.environ.get("FAKE_AGENT_LOG")
    control = os.environ.get("FAKE_AGENT_CONTROL")
    exit_status = None
    while args:
        a = args.pop(0)
        if a == "--script" and args:
            script_path = args.pop(0)
        elif a == "--log" and args:
            log = args.pop(0)
        elif a == "--control" and args:
            control = args.pop(0)
        elif a == "--exit" and args:
            exit_status = int(args.pop(0))
        else:
            sys.stderr.write("usage: fake-agent.py [--script FILE] [--log FILE] [--control FIFO] [--exit N]\n")
            return 2
    script = {}
    if script_path:
        with open(script_path) as f:
            script = json.load(f)
    if exit_status is not None:
        script["exit_status"] = exit_status
    agent = Agent(script, log)
    if control:
        if not os.path.exists(control):
            os.mkfifo(control, 0o600)
        # Read and write, so that it never reads end-of-file between writers.
        agent.control = os.open(control, os.O_RDWR | os.O_NONBLOCK)
    return agent.run()


def load_hooks(script):
    """EVENT -> [command, ...] from the script's "hooks" and from a Claude
    Code settings file ({"hooks": {EVENT: [{"matcher", "hooks": [{"type":
    "command", "command"}]}]}})."""
    hooks = {}
    for ev, cmds in script.get("hooks", {}).items():
        hooks.setdefault(ev, []).extend([cmds] if isinstance(cmds, str) else cmds)
    path = script.get("claude_settings")
    if path is True:
        path = "~/.claude/settings.json"
    if path:
        path = os.path.expanduser(path)
        try:
            with open(path) as f:
                settings = json.load(f)
        except (OSError, ValueError):
            settings = {}
        for ev, groups in (settings.get("hooks") or {}).items():
            for g in groups:
                for h in g.get("hooks", []):
                    if h.get("type") == "command" and h.get("command"):
                        hooks.setdefault(ev, []).append(h["command"])
    return hooks


if __name__ == "__main__":
    sys.exit(main())
