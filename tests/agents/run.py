#!/usr/bin/env python3
"""make test-agents: real agent CLIs, offline, in panes of our built tmux.

  tests/agents/run.py [-v] [--cli claude,codex] [PATTERN...]

Each CLI (pinned in tests/agents/package.json, installed by `npm ci` into
tests/agents/node_modules) runs in a pane of $TMUX_BIN (default
target/release/tmux) on a private socket, with a private HOME and config
(first-run dialogs skipped), talking to the scripted model endpoint of
model.py on 127.0.0.1. The whole run happens in a new network namespace with
only loopback up (unshare -n) when the machine allows it; otherwise every
proxy variable points at a closed loopback port.

Scenarios (PATTERN selects those whose "cli/name" contains it): start, prompts
delivered with `agent-prompt` (multi-line with a code block, 10,000
characters, a leading `/`, `@README.md`, a leading `!` or `#`, `?` alone,
tabs, an ANSI escape sequence) compared with what the endpoint received, or
refused with the expected error where REFUSED says so, a reply streamed for seconds, a permission dialog
answered, a question with choices answered, the turn finishing, exit;
`state` (issue 13): one conversation through all of these with the CLI's
hooks installed, the server's #{agent_state} checked at each step and the
%agent-state-changed latency recorded (results/CLI/state/states.json); and
(Claude Code) agent-tmux-mcp registered with `claude mcp add`: the model calls
its share tool, then its wait tool, which a peer's share wakes.
Waits are on conditions (the screen, the endpoint's records), never sleeps.

Everything each scenario saw goes to tests/agents/results/CLI/SCENARIO/
(git-ignored): screens.jsonl (every change of the screen, title and mode
flags, sampled every 100 ms), raw.out (the pane's output bytes, from
pipe-pane), events.jsonl (terminal-mode switches, titles and notifications
parsed from raw.out, with the time they were first seen), requests.jsonl
(what the endpoint received), and NAME.txt screens at the moments that
matter. results/summary.txt has one line per check.

Outcomes: PASS, FAIL, XFAIL (known not to work today, with the reason: data
for later issues, not hidden), XPASS (an expected failure that passed: the
expectation is out of date, counted as failed). The last line is
"N passed, N failed" (", N xfail" follows)."""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True
import model as modelmod  # noqa: E402

NM = os.path.join(HERE, "node_modules")
# Homes and projects live outside the repository, so that the CLIs do not
# read this repository's git status or instruction files.
WORK = os.environ.get("AGENT_TESTS_WORK") or os.path.join(tempfile.gettempdir(), "agent-tmux-test-agents-%d" % os.getuid())
RESULTS = os.path.join(HERE, "results")
WIDTH, HEIGHT = 120, 40
VERBOSE = False

# --- waiting -----------------------------------------------------------------


class Timeout(Exception):
    pass


def wait_until(cond, timeout, what, interval=0.05):
    """Poll cond() until it returns a true value, which is returned; raise
    Timeout(what) after timeout seconds."""
    end = time.monotonic() + timeout
    while True:
        v = cond()
        if v:
            return v
        if time.monotonic() >= end:
            raise Timeout("timed out after %gs waiting for %s" % (timeout, what))
        time.sleep(interval)


# --- tmux --------------------------------------------------------------------


class Tmux:
    def __init__(self, binary, sock, env):
        self.binary, self.sock, self.env = binary, sock, env

    def run(self, *args, check=True, timeout=30):
        p = subprocess.run([self.binary, "-S", self.sock, "-f", "/dev/null"] + list(args),
                           env=self.env, capture_output=True, text=True, timeout=timeout)
        if check and p.returncode != 0:
            raise RuntimeError("tmux %s: exit %d: %s" % (args[0], p.returncode, p.stderr.strip()))
        return p

    def out(self, *args, **kw):
        return self.run(*args, **kw).stdout

    def capture(self, pane):
        p = self.run("capture-pane", "-p", "-t", pane, check=False)
        return p.stdout if p.returncode == 0 else ""

    def fmt(self, pane, f):
        p = self.run("display-message", "-p", "-t", pane, f, check=False)
        return p.stdout.rstrip("\n") if p.returncode == 0 else None


FLAGS = ("#{pane_title}\t#{pane_in_mode}\t#{alternate_on}\t#{cursor_flag}\t#{pane_dead}\t"
         "#{pane_dead_status}\t#{cursor_x},#{cursor_y}\t#{pane_current_command}\t#{agent_pane_status}\t"
         "#{mouse_any_flag}\t#{keypad_flag}\t#{pane_key_mode}"
         "\t#{agent_state}\t#{agent_state_reason}\t#{agent_state_source}")
FLAG_NAMES = ("title", "in_mode", "alternate_on", "cursor_flag", "dead", "dead_status", "cursor",
              "command", "agent_pane_status", "mouse_any", "keypad", "key_mode",
              "agent_state", "agent_state_reason", "agent_state_source")


class Screen(list):
    """A pane's visible lines (trailing blank lines dropped) and its title."""
    title = ""


def trim(screen, title=""):
    lines = screen.split("\n")
    while lines and not lines[-1].strip():
        lines.pop()
    out = Screen(l.rstrip() for l in lines)
    out.title = title or ""
    return out


def bottom(lines, n=12):
    return lines[-n:]


# --- raw output: modes, titles, notifications --------------------------------

RAW_PATTERNS = [
    ("mode", re.compile(rb"\x1b\[\?([0-9;]+)([hl])")),
    ("osc", re.compile(rb"\x1b\](\d+);(.*?)(?:\x07|\x1b\\)", re.S)),
    ("apc", re.compile(rb"\x1b_(.*?)\x1b\\", re.S)),
    ("kitty-keys", re.compile(rb"\x1b\[[>=<]([0-9;]*)u")),
]
MODE_NAMES = {"2004": "bracketed-paste", "1049": "alt-screen", "1047": "alt-screen", "25": "cursor-visible",
              "1004": "focus-events", "2026": "synchronized-output", "1000": "mouse", "1002": "mouse-button",
              "1003": "mouse-any", "1006": "mouse-sgr", "7": "wrap", "1": "cursor-keys", "2031": "color-scheme"}


def raw_events(data):
    """Mode switches, OSC strings (titles 0/1/2, notifications 9/777/99, ...),
    APC strings and kitty keyboard requests in a pane's output, by offset."""
    ev = []
    for kind, rx in RAW_PATTERNS:
        for m in rx.finditer(data):
            if kind == "mode":
                for num in m.group(1).decode().split(";"):
                    ev.append({"off": m.start(), "kind": "mode", "mode": num, "name": MODE_NAMES.get(num, "?"),
                               "on": m.group(2) == b"h"})
            elif kind == "osc":
                ev.append({"off": m.start(), "kind": "osc", "osc": int(m.group(1)),
                           "text": m.group(2).decode("utf-8", "replace")[:300]})
            elif kind == "apc":
                ev.append({"off": m.start(), "kind": "apc", "text": m.group(1).decode("utf-8", "replace")[:120]})
            else:
                ev.append({"off": m.start(), "kind": "kitty-keys", "text": m.group(0).decode()[1:]})
    bels = [m.start() for m in re.finditer(rb"\x07", data)]
    osc_spans = [(m.start(), m.end()) for m in RAW_PATTERNS[1][1].finditer(data)]
    for b in bels:
        if not any(s <= b < e for s, e in osc_spans):
            ev.append({"off": b, "kind": "bell"})
    ev.sort(key=lambda e: e["off"])
    return ev


def bracketed_paste(data):
    """The bracketed-paste mode a program last set in its output: on, off or
    never set."""
    on, off = data.rfind(b"\x1b[?2004h"), data.rfind(b"\x1b[?2004l")
    if on < 0 and off < 0:
        return "never-set"
    return "on" if on > off else "off"


# --- one pane being watched --------------------------------------------------


class Pane:
    """An agent CLI in its own session; a thread records every change of its
    screen and flags."""

    def __init__(self, tm, cli, name, outdir, model):
        self.tm, self.cli, self.name, self.dir, self.model = tm, cli, name, outdir, model
        self.raw = os.path.join(outdir, "raw.out")
        self.samples = []
        self.label = "launch"
        self.stop_flag = False
        self.t0 = time.monotonic()
        self.session = "%s-%s" % (cli.name, name)
        self.target = "=%s:" % self.session
        self.lock = threading.Lock()
        self.last_screen = []
        self.last_flags = {}
        self.extra_args = ()

    def start(self):
        env_args = []
        for k, v in self.cli.pane_env(self.model).items():
            env_args += ["-e", "%s=%s" % (k, v)]
        chan = "go-" + self.session
        # The program starts once pipe-pane records its output (wait-for).
        wrapper = '"$0" wait-for %s; exec "$@"' % chan
        cmd = ["sh", "-c", wrapper, self.tm.binary] + self.cli.command() + list(self.extra_args)
        self.tm.run("new-session", "-d", "-s", self.session, "-G", self.cli.agent_type, "-x", str(WIDTH),
                    "-y", str(HEIGHT), "-c", self.cli.proj, *env_args, "--", *cmd)
        self.tm.run("set-option", "-t", self.target, "remain-on-exit", "on")
        self.pane = self.tm.fmt(self.target, "#{pane_id}")
        self.tm.run("pipe-pane", "-O", "-t", self.pane, "cat >> '%s'" % self.raw)
        wait_until(lambda: os.path.exists(self.raw) or self.tm.fmt(self.pane, "#{pane_pipe}") == "1", 5,
                   "pipe-pane")
        self.tm.run("wait-for", "-S", chan)
        self.t0 = time.monotonic()
        self.thread = threading.Thread(target=self._record, daemon=True)
        self.thread.start()
        return self

    def mark(self, label):
        with self.lock:
            self.label = label
        self.note("label", label=label)

    def note(self, kind, **kw):
        with open(os.path.join(self.dir, "log.jsonl"), "a") as f:
            f.write(json.dumps(dict(kw, t=round(time.monotonic() - self.t0, 3), kind=kind)) + "\n")
        if VERBOSE:
            print("    [%6.2f] %s %s" % (time.monotonic() - self.t0, kind, json.dumps(kw)[:200]))

    def sample(self):
        screen = trim(self.tm.capture(self.pane))
        line = self.tm.fmt(self.pane, FLAGS)
        flags = dict(zip(FLAG_NAMES, (line or "").split("\t")))
        try:
            with open(self.raw, "rb") as f:
                data = f.read()
        except OSError:
            data = b""
        flags["bracketed_paste"] = bracketed_paste(data)
        return screen, flags, len(data)

    def _record(self):
        path = os.path.join(self.dir, "screens.jsonl")
        with open(path, "a") as f:
            while not self.stop_flag:
                screen, flags, rawlen = self.sample()
                with self.lock:
                    changed = screen != self.last_screen or flags != self.last_flags
                    self.last_screen, self.last_flags = screen, flags
                    label = self.label
                if changed:
                    s = {"t": round(time.monotonic() - self.t0, 3), "label": label, "raw_len": rawlen,
                         "flags": flags, "screen": screen}
                    self.samples.append(s)
                    f.write(json.dumps(s, ensure_ascii=False) + "\n")
                    f.flush()
                time.sleep(0.1)

    def screen(self):
        return trim(self.tm.capture(self.pane), self.tm.fmt(self.pane, "#{pane_title}"))

    def text(self):
        return "\n".join(self.screen())

    def wait_screen(self, pred, timeout, what):
        return wait_until(lambda: pred(self.screen()), timeout, what)

    def save(self, name):
        screen, flags, _ = self.sample()
        with open(os.path.join(self.dir, name + ".txt"), "w") as f:
            f.write("\n".join(screen) + "\n")
            f.write("-- flags: %s\n" % json.dumps(flags, ensure_ascii=False))
        return screen, flags

    def keys(self, *keys, literal=False):
        self.note("keys", keys=keys, literal=literal)
        self.tm.run("send-keys", "-t", self.pane, *(["-l"] if literal else []), *keys)

    def prompt(self, text, delay=None):
        """agent-prompt, waiting for its receipt (at most 30 s); returns (rc, stderr)."""
        args = ["agent-prompt", "-T", "30"] + (["-d", str(delay)] if delay is not None else []) + ["-t", self.pane, text]
        self.note("agent-prompt", chars=len(text), head=text[:60])
        p = self.tm.run(*args, check=False, timeout=60)
        self.note("agent-prompt-done", rc=p.returncode, err=p.stderr.strip())
        return p.returncode, p.stderr.strip()

    def dead(self):
        return self.tm.fmt(self.pane, "#{pane_dead}") == "1"

    def finish(self):
        self.stop_flag = True
        if hasattr(self, "thread"):
            self.thread.join(2)
        try:
            with open(self.raw, "rb") as f:
                data = f.read()
        except OSError:
            data = b""
        ev = raw_events(data)
        times = [(s["raw_len"], s["t"]) for s in self.samples]
        with open(os.path.join(self.dir, "events.jsonl"), "w") as f:
            for e in ev:
                e["seen_t"] = next((t for n, t in times if n > e["off"]), None)
                f.write(json.dumps(e, ensure_ascii=False) + "\n")
        self.tm.run("kill-session", "-t", self.target, check=False)
        return ev


# --- the CLIs ----------------------------------------------------------------


class Cli:
    name = agent_type = ""

    def __init__(self):
        self.root = os.path.join(WORK, self.name)
        self.home = os.path.join(self.root, "home")
        self.proj = os.path.join(self.root, "proj")
        self.outside = os.path.join(self.root, "outside")

    def prepare(self):
        shutil.rmtree(self.root, ignore_errors=True)
        for d in (self.home, self.proj, self.outside):
            os.makedirs(d)
        with open(os.path.join(self.proj, "README.md"), "w") as f:
            f.write("# demo project\n\nA small project for the agent tests.\n")

    def base_env(self):
        return {"HOME": self.home, "LANG": "C.UTF-8", "DISABLE_AUTOUPDATER": "1"}

    def binary(self):
        raise NotImplementedError

    def version(self):
        p = subprocess.run([self.binary(), "--version"], capture_output=True, text=True, timeout=30,
                           env=dict(os.environ, HOME=self.home))
        return (p.stdout or p.stderr).strip()


class Claude(Cli):
    name, agent_type = "claude", "claude"
    exit_keys = ("/exit",)

    def before_question(self, p):
        pass

    def binary(self):
        return os.path.join(NM, "@anthropic-ai", "claude-code-linux-x64", "claude")

    def command(self):
        return [self.binary(), "--permission-mode", "default"]

    def prepare(self):
        super().prepare()
        with open(os.path.join(self.home, ".claude.json"), "w") as f:
            json.dump({"hasCompletedOnboarding": True,
                       "projects": {self.proj: {"hasTrustDialogAccepted": True}}}, f)

    def pane_env(self, model):
        return dict(self.base_env(), ANTHROPIC_BASE_URL=model.url(), ANTHROPIC_AUTH_TOKEN="scripted",
                    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC="1", DISABLE_TELEMETRY="1",
                    DISABLE_ERROR_REPORTING="1")

    # screen rules (what this harness waits on)
    @staticmethod
    def working(lines):
        return any("esc to interrupt" in l for l in bottom(lines, 8))

    @staticmethod
    def composer(lines):
        return any(l.startswith("❯") for l in bottom(lines, 8))

    def idle(self, lines):
        return self.composer(lines) and not self.working(lines) and not self.dialog(lines)

    @staticmethod
    def dialog(lines):
        b = "\n".join(bottom(lines, 25))
        return "Esc to cancel" in b or "Enter to select" in b

    @staticmethod
    def permission(lines):
        b = "\n".join(bottom(lines, 25))
        return "Do you want to" in b and "Esc to cancel" in b

    @staticmethod
    def question(lines):
        b = "\n".join(bottom(lines, 25))
        return "Enter to select" in b

    @staticmethod
    def finished(lines):
        return any(re.match(r"^✻ \S+ for \d", l) for l in lines)

    def write_step(self, path, content):
        return {"text": "I will create the file.", "tool": "Write", "input": {"file_path": path, "content": content}}

    def question_step(self):
        return {"tool": "AskUserQuestion", "input": {"questions": [{
            "question": "Which color should the banner be?", "header": "Color", "multiSelect": False,
            "options": [{"label": "Red", "description": "A warm banner"},
                        {"label": "Blue", "description": "A cool banner"}]}]}}


class Codex(Cli):
    name, agent_type = "codex", "codex"
    exit_keys = ("/quit",)

    def before_question(self, p):
        # request_user_input answers "unavailable in Default mode": the
        # question dialog exists in Plan mode, which shift+tab selects.
        # Right after the composer appears the key may be ignored: send it
        # again only while the mode has not changed.
        plan = lambda l: any("Plan mode" in x for x in bottom(l, 3))
        for i in range(3):
            p.keys("BTab")
            try:
                p.wait_screen(plan, 2, "Plan mode")
                break
            except Timeout:
                if i == 2:
                    raise
        p.note("plan-mode", sends=i + 1)
        p.mark("plan-mode")

    def binary(self):
        return os.path.join(NM, "@openai", "codex-linux-x64", "vendor", "x86_64-unknown-linux-musl", "bin", "codex")

    def command(self):
        # Without --no-daemon Codex starts a shared background app-server
        # that outlives the TUI (and a stale one breaks the next start).
        return [self.binary(), "--no-daemon"]

    def prepare(self):
        super().prepare()
        os.makedirs(os.path.join(self.home, ".codex"))

    def write_config(self, model):
        with open(os.path.join(self.home, ".codex", "config.toml"), "w") as f:
            if getattr(self, "notify", None):
                # issue 13: Codex's notify program reports each finished turn.
                f.write("notify = %s\n" % json.dumps([self.notify, "agent-report", "-j"]))
            f.write('model = "scripted-model"\nmodel_provider = "scripted"\napproval_policy = "on-request"\n'
                    'sandbox_mode = "workspace-write"\ncheck_for_update_on_startup = false\n\n'
                    '[model_providers.scripted]\nname = "Scripted"\nbase_url = "%s/v1"\n'
                    'env_key = "SCRIPTED_API_KEY"\nwire_api = "responses"\n\n'
                    '[projects."%s"]\ntrust_level = "trusted"\n\n'
                    '[tui]\nscreen_reader_detection_done = true\n' % (model.url(), self.proj))

    def pane_env(self, model):
        self.write_config(model)
        return dict(self.base_env(), CODEX_HOME=os.path.join(self.home, ".codex"), SCRIPTED_API_KEY="scripted")

    # While text streams in, Codex shows no "esc to interrupt": only the
    # title's braille spinner says it works (seen with 0.171.0).
    @staticmethod
    def working(lines):
        return any("esc to interrupt" in l for l in lines) or bool(re.match("[\u2800-\u28ff] ", lines.title))

    @staticmethod
    def composer(lines):
        return any(l.startswith("›") for l in lines)

    def idle(self, lines):
        return (self.composer(lines) and not self.working(lines) and not self.dialog(lines)
                and not any("Waiting for startup" in l for l in lines))

    @staticmethod
    def dialog(lines):
        b = "\n".join(lines)
        return ("Would you like to" in b or "enter to confirm" in b.lower() or "enter to submit" in b.lower()
                or "esc to cancel" in b.lower())

    @staticmethod
    def permission(lines):
        return "Would you like to" in "\n".join(lines)

    @staticmethod
    def question(lines):
        b = "\n".join(lines)
        return "Which color should the banner be?" in b and Codex.dialog(lines)

    @staticmethod
    def finished(lines):
        return any(re.search(r"Worked for (<)?\d", l) for l in lines)

    def write_step(self, path, content):
        return {"tool": "exec_command", "input": {
            "cmd": "printf '%%s' '%s' > %s" % (content.strip(), path), "sandbox_permissions": "require_escalated",
            "justification": "Create %s outside the project?" % os.path.basename(path)}}

    def question_step(self):
        return {"tool": "request_user_input", "input": {"questions": [{
            "id": "banner_color", "header": "Color", "question": "Which color should the banner be?",
            "options": [{"label": "Red", "description": "A warm banner"},
                        {"label": "Blue", "description": "A cool banner"}]}]}}


CLIS = {"claude": Claude, "codex": Codex}

# --- prompts and what is known about them -------------------------------------

# 100 lines of 100 characters, newlines included: exactly 10,000.
LONG = "\n".join(("line %03d " % i) + "abcdefghij" * 9 for i in range(100)) + "."
PROMPTS = [
    ("multiline", "Fix this function:\n```python\ndef add(a, b):\n    return a - b\n```\nThen run the tests."),
    ("long-10000", LONG),
    ("slash", "/etc/hosts maps names to addresses; explain it"),
    ("at-file", "@README.md summarize this file"),
    ("bang", "!echo hello from a prompt"),
    ("hash", "# always run the tests before committing"),
    ("question-mark", "?"),
    ("tabs", "Columns:\tname\tsize\n\tindented with a tab"),
    ("ansi", "Make this \x1b[31mred\x1b[0m text plain"),
]
# (cli, prompt name) -> why it is known not to arrive literally today.
XFAIL = {}
# Prompts agent-prompt refuses (issue 14) for a CLI, unless -f: the start of the error.
CONTROL = "prompt text contains a control character (U+001B at character 11)"
REFUSED = {
    ("claude", "bang"): "prompt text starts with '!': claude runs it as a shell command",
    ("codex", "bang"): "prompt text starts with '!': codex runs it as a shell command",
    ("claude", "tabs"): "prompt text contains a tab: claude turns a pasted tab into spaces",
    ("claude", "ansi"): CONTROL,
    ("codex", "ansi"): CONTROL,
}

# --- results -------------------------------------------------------------------


class Results:
    def __init__(self):
        self.rows = []

    def add(self, cli, scen, check, outcome, detail=""):
        self.rows.append((cli, scen, check, outcome, detail))
        print("  %-6s %s/%s: %s%s" % (outcome, cli, scen, check, (" (%s)" % detail) if detail else ""))
        sys.stdout.flush()

    def check(self, cli, scen, check, ok, detail="", xfail=None):
        if xfail:
            outcome = "XPASS" if ok else "XFAIL"
            detail = (detail + "; " if detail else "") + "known: " + xfail
        else:
            outcome = "PASS" if ok else "FAIL"
        self.add(cli, scen, check, outcome, detail)
        return ok

    def counts(self):
        c = {k: 0 for k in ("PASS", "FAIL", "XFAIL", "XPASS", "NOTE")}
        for r in self.rows:
            c[r[3]] += 1
        return c


# --- scenarios -------------------------------------------------------------------


def new_pane(tm, cli, name, model, script, args=()):
    d = os.path.join(RESULTS, cli.name, name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    model.set_script(script)
    model.log_path = os.path.join(d, "requests.jsonl")
    p = Pane(tm, cli, name, d, model)
    p.extra_args = args
    p.start()
    p.turns0 = len(model.turns())
    return p


def turns_since(p):
    return p.model.turns()[p.turns0:]


def ready(p, res, scen, timeout=40):
    try:
        p.wait_screen(p.cli.idle, timeout, "the idle composer")
        p.mark("ready")
        p.save("ready")
        return True
    except Timeout as e:
        p.save("not-ready")
        res.check(p.cli.name, scen, "starts and shows its composer", False, str(e))
        return False


def wait_turn(p, n, timeout=20):
    return wait_until(lambda: len(turns_since(p)) >= n and turns_since(p)[n - 1], timeout, "model turn %d" % n)


def answer(p, keys, done, res, scen, tries=4):
    """Send keys to a dialog until done(screen) holds, a second apart at
    most. Dialogs may ignore keys for a moment after they appear (a guard
    against keys meant for something else); how many sends it took, and how
    long after the dialog appeared, is recorded as data."""
    t0 = time.monotonic()
    for i in range(1, tries + 1):
        p.keys(*keys)
        try:
            p.wait_screen(done, 1.0 if i < tries else 5.0, "the dialog to take %s" % " ".join(keys))
            p.note("answered", keys=keys, sends=i, seconds=round(time.monotonic() - t0, 2))
            if i > 1:
                res.add(p.cli.name, scen, "dialog took %s" % " ".join(keys), "NOTE",
                        "only send %d of %s was taken, %.1fs after the first" % (i, "+".join(keys), time.monotonic() - t0))
            return True
        except Timeout:
            continue
    p.save("dialog-stuck")
    res.check(p.cli.name, scen, "the dialog takes %s" % " ".join(keys), False, "%d sends, no effect" % tries)
    return False


def scen_start_exit(tm, cli, model, res):
    p = new_pane(tm, cli, "start-exit", model, [])
    t0 = time.monotonic()
    try:
        if not ready(p, res, "start-exit"):
            return
        res.check(cli.name, "start-exit", "starts and shows its composer", True,
                  "%.1fs to the idle composer" % (time.monotonic() - t0))
        p.mark("exit")
        p.keys(*cli.exit_keys, literal=True)
        p.wait_screen(lambda l: cli.exit_keys[0] in "\n".join(l), 5, "the exit command echoed")
        p.keys("Enter")
        try:
            wait_until(p.dead, 20, "the program to exit")
            p.save("exited")
            st = tm.fmt(p.pane, "#{pane_dead_status}")
            res.check(cli.name, "start-exit", "exits on %s" % cli.exit_keys[0], st == "0", "exit status %s" % st)
        except Timeout as e:
            p.save("not-exited")
            res.check(cli.name, "start-exit", "exits on %s" % cli.exit_keys[0], False, str(e))
    finally:
        p.finish()


def scen_prompt(tm, cli, model, res, pname, text):
    scen = "prompt-" + pname
    p = new_pane(tm, cli, scen, model, [{"text": "Received.", "seconds": 0}])
    xf = XFAIL.get((cli.name, pname))
    try:
        if not ready(p, res, scen):
            return
        p.mark("prompt")
        t_sent = time.time()
        rc, err = p.prompt(text)
        refusal = REFUSED.get((cli.name, pname))
        if refusal:
            res.check(cli.name, scen, "agent-prompt refuses it", rc != 0 and err.startswith(refusal), err)
            time.sleep(2)  # nothing must arrive: give it the time it would take
            got = [t["user_text"] for t in turns_since(p)]
            res.check(cli.name, scen, "nothing reached the model or ran", not got, repr(got)[:120])
            p.save("after-prompt")
            return
        state = tm.run("list-agent-prompts", "-a", "-t", p.pane, "-F", "#{prompt_state} #{prompt_submit_ms} #{prompt_reason}",
                       check=False).stdout.strip().splitlines()
        res.check(cli.name, scen, "agent-prompt exits 0 with its receipt submitted",
                  rc == 0 and bool(state) and state[-1].startswith("submitted"), "%s; receipt: %s" % (err, state[-1:] or "none"))
        try:
            wait_turn(p, 1, 15)
        except Timeout:
            pass
        got = [t["user_text"] for t in turns_since(p)]
        p.mark("after")
        p.save("after-prompt")
        with open(os.path.join(p.dir, "received.json"), "w") as f:
            json.dump({"sent": text, "received": got}, f, indent=1, ensure_ascii=False)
        if not got:
            detail = "nothing reached the model in 15 s; screen bottom: %r" % bottom(p.screen(), 6)
        elif got[0] == text:
            detail = "%d characters, identical, request %.1fs after agent-prompt" % (len(text), turns_since(p)[0]["t"] - t_sent)
        elif text in (got[0] or ""):
            detail = "the text arrived verbatim inside %d added characters: %r...%r" % (
                len(got[0]) - len(text), got[0][:got[0].index(text)][:60], got[0][got[0].index(text) + len(text):][-60:])
        else:
            detail = "received %d chars: %r" % (len(got[0] or ""), (got[0] or "")[:120])
        res.check(cli.name, scen, "the model received the exact text", bool(got) and got[0] == text, detail, xf)
        if got:
            try:
                p.wait_screen(lambda l: cli.idle(l) and cli.finished(l), 20, "idle after the reply")
                res.check(cli.name, scen, "the turn finishes, composer idle", True)
            except Timeout as e:
                p.save("not-idle")
                res.check(cli.name, scen, "the turn finishes, composer idle", False, str(e))
    finally:
        p.finish()


STORY = ("Once upon a time a small terminal multiplexer watched five agents at once, and it learned to tell "
         "which of them needed a human and which were merely thinking. ") * 3


def scen_stream(tm, cli, model, res, seconds=5):
    scen = "stream"
    p = new_pane(tm, cli, scen, model, [{"text": STORY, "seconds": seconds}])
    try:
        if not ready(p, res, scen):
            return
        p.mark("prompt")
        p.prompt("Tell me a story")
        wait_turn(p, 1)
        t_req = time.monotonic()
        p.mark("streaming")
        try:
            p.wait_screen(cli.working, 5, "a working marker")
            res.check(cli.name, scen, "shows a working marker while streaming", True,
                      "%.2fs after the request" % (time.monotonic() - t_req))
            p.save("working")
        except Timeout as e:
            res.check(cli.name, scen, "shows a working marker while streaming", False, str(e))
        try:
            p.wait_screen(lambda l: cli.idle(l) and cli.finished(l), seconds + 20, "the finished turn")
            took = time.monotonic() - t_req
            p.mark("finished")
            p.save("finished")
            res.check(cli.name, scen, "the turn finishes after the stream, composer idle", took >= seconds * 0.8,
                      "%.1fs after the request (stream %ss)" % (took, seconds))
            res.check(cli.name, scen, "the streamed text is on the screen", "needed a human" in p.text())
        except Timeout as e:
            p.save("not-finished")
            res.check(cli.name, scen, "the turn finishes after the stream, composer idle", False, str(e))
    finally:
        p.finish()


def scen_permission(tm, cli, model, res):
    scen = "permission"
    target = os.path.join(cli.outside, "agent-made.txt")
    p = new_pane(tm, cli, scen, model, [cli.write_step(target, "made by the scripted model\n"),
                                        {"text": "The file is created.", "seconds": 0}])
    try:
        if not ready(p, res, scen):
            return
        p.mark("prompt")
        p.prompt("Create a file outside the project")
        wait_turn(p, 1)
        try:
            p.wait_screen(cli.permission, 15, "the permission dialog")
            p.mark("permission-dialog")
            screen, flags = p.save("dialog")
            res.check(cli.name, scen, "a permission dialog is shown", True,
                      "agent_pane_status=%s" % flags.get("agent_pane_status"))
        except Timeout as e:
            p.save("no-dialog")
            res.check(cli.name, scen, "a permission dialog is shown", False, str(e))
            return
        p.mark("answer")
        # The first choice (Yes) is preselected: Enter takes it.
        if not answer(p, ["Enter"], lambda l: not cli.permission(l), res, scen):
            return
        try:
            wait_turn(p, 2, 15)
            tr = turns_since(p)[1]["tool_results"]
            res.check(cli.name, scen, "the answer reaches the model as a tool result", bool(tr), repr(tr)[:160])
        except Timeout as e:
            p.save("no-result")
            res.check(cli.name, scen, "the answer reaches the model as a tool result", False, str(e))
            return
        ok = os.path.exists(target) and open(target).read().strip() == "made by the scripted model"
        res.check(cli.name, scen, "the approved write happened", ok, target)
        try:
            p.wait_screen(lambda l: cli.idle(l) and cli.finished(l), 20, "the finished turn")
            p.mark("finished")
            p.save("finished")
            res.check(cli.name, scen, "the turn finishes, composer idle", True)
        except Timeout as e:
            p.save("not-finished")
            res.check(cli.name, scen, "the turn finishes, composer idle", False, str(e))
    finally:
        p.finish()


def scen_question(tm, cli, model, res):
    scen = "question"
    p = new_pane(tm, cli, scen, model, [cli.question_step(), {"text": "Blue it is.", "seconds": 0}])
    try:
        if not ready(p, res, scen):
            return
        cli.before_question(p)
        p.mark("prompt")
        p.prompt("Ask me which color to use")
        wait_turn(p, 1)
        try:
            p.wait_screen(cli.question, 15, "the question dialog")
            p.mark("question-dialog")
            screen, flags = p.save("dialog")
            res.check(cli.name, scen, "a question with choices is shown", True,
                      "agent_pane_status=%s" % flags.get("agent_pane_status"))
        except Timeout as e:
            p.save("no-dialog")
            res.check(cli.name, scen, "a question with choices is shown", False, str(e))
            return
        p.mark("answer")
        if not answer(p, ["Down"], lambda l: any("Blue" in x and ("❯" in x or "›" in x) for x in l), res, scen):
            return
        if not answer(p, ["Enter"], lambda l: not cli.question(l), res, scen):
            return
        # Some versions show a review step after the last question.
        try:
            wait_turn(p, 2, 6)
        except Timeout:
            p.save("after-enter")
            if cli.dialog(p.screen()):
                p.mark("confirm")
                p.keys("Enter")
        try:
            wait_turn(p, 2, 15)
            tr = turns_since(p)[1]["tool_results"]
            res.check(cli.name, scen, "the chosen answer reaches the model", any("Blue" in (x or "") for _, x in tr),
                      repr(tr)[:200])
        except Timeout as e:
            p.save("no-result")
            res.check(cli.name, scen, "the chosen answer reaches the model", False, str(e))
            return
        try:
            p.wait_screen(lambda l: cli.idle(l) and cli.finished(l), 20, "the finished turn")
            p.mark("finished")
            p.save("finished")
            res.check(cli.name, scen, "the turn finishes, composer idle", True)
        except Timeout as e:
            p.save("not-finished")
            res.check(cli.name, scen, "the turn finishes, composer idle", False, str(e))
    finally:
        p.finish()


MCP_BIN = os.path.abspath(os.environ.get("MCP_BIN", os.path.join(REPO, "target", "release", "agent-tmux-mcp")))


def scen_mcp(tm, cli, model, res):
    """agent-tmux-mcp registered with `claude mcp add agent-tmux -- BIN`
    (local scope, this project): the scripted model calls its share tool and
    the key is in the group (agent-get from another session); then its
    wait_for_key tool, pending until a peer shares the key."""
    scen = "mcp"
    if cli.name != "claude":
        return
    env = dict(os.environ, HOME=cli.home, DISABLE_AUTOUPDATER="1", CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC="1")
    add = subprocess.run([cli.binary(), "mcp", "add", "agent-tmux", "--", MCP_BIN], cwd=cli.proj, env=env,
                         capture_output=True, text=True, timeout=60)
    if not res.check(cli.name, scen, "claude mcp add agent-tmux -- agent-tmux-mcp", add.returncode == 0,
                     (add.stdout + add.stderr).strip()[:200]):
        return
    peer = "mcp-peer"
    tm.run("new-session", "-d", "-s", peer, "cat")
    # Claude Code defers MCP tools: a model first loads them with ToolSearch.
    script = [{"tool": "ToolSearch", "input": {"query": "select:mcp__agent-tmux__share,mcp__agent-tmux__wait_for_key"}},
              {"text": "Sharing the verdict.", "tool_suffix": "__share", "input": {"key": "verdict", "value": "approve"}},
              {"tool_suffix": "__wait_for_key", "input": {"key": "go", "timeout": 120}},
              {"text": "Done.", "seconds": 0}]
    # MCP tools ask for permission in default mode; allow only this server's.
    p = new_pane(tm, cli, scen, model, script, args=("--allowedTools", "mcp__agent-tmux"))
    try:
        tm.run("agent-join-group", "-q", "-t", p.session, "team")
        tm.run("agent-join-group", "-q", "-t", peer, "team")
        if not ready(p, res, scen):
            return
        p.mark("prompt")
        p.prompt("Share the verdict with the group, then wait for go")
        wait_turn(p, 2, 30)
        body = json.dumps(turns_since(p)[1]["body"])
        mcp_tools = sorted(set(re.findall(r"mcp__agent-tmux__[a-z_]+", body)))
        res.check(cli.name, scen, "the MCP tools reach the model (ToolSearch)", "mcp__agent-tmux__share" in mcp_tools,
                  " ".join(mcp_tools))
        try:
            v = wait_until(lambda: tm.run("agent-get", "-t", peer, "verdict", check=False).stdout.strip(), 30,
                           "the key in the group")
            res.check(cli.name, scen, "share tool: the key is in the group (agent-get from another session)",
                      v == "approve", repr(v))
        except Timeout as e:
            p.save("no-share")
            res.check(cli.name, scen, "share tool: the key is in the group (agent-get from another session)",
                      False, str(e))
            return
        wait_turn(p, 3, 30)
        tr = turns_since(p)[2]["tool_results"]
        res.check(cli.name, scen, "the share result reaches the model", any("shared verdict" in (x or "") for _, x in tr),
                  repr(tr)[:160])
        try:
            wait_until(lambda: tm.fmt(p.target, "#{agent_waiters}") not in ("", "0"), 30, "the MCP wait to start")
            p.mark("waiting")
            p.save("waiting")
            res.check(cli.name, scen, "wait_for_key is pending (agent_waiters)", len(turns_since(p)) == 3)
        except Timeout as e:
            p.save("no-wait")
            res.check(cli.name, scen, "wait_for_key is pending (agent_waiters)", False, str(e))
            return
        tm.run("agent-share", "-t", peer, "go=now please")
        try:
            wait_turn(p, 4, 30)
            tr = turns_since(p)[3]["tool_results"]
            res.check(cli.name, scen, "wait_for_key woken by the peer's share", any("now please" in (x or "") for _, x in tr),
                      repr(tr)[:160])
        except Timeout as e:
            p.save("not-woken")
            res.check(cli.name, scen, "wait_for_key woken by the peer's share", False, str(e))
            return
        try:
            p.wait_screen(lambda l: cli.idle(l) and cli.finished(l), 20, "the finished turn")
            p.save("finished")
            res.check(cli.name, scen, "the turn finishes, composer idle", True)
        except Timeout as e:
            p.save("not-finished")
            res.check(cli.name, scen, "the turn finishes, composer idle", False, str(e))
    finally:
        p.finish()
        tm.run("kill-session", "-t", "=" + peer, check=False)
        subprocess.run([cli.binary(), "mcp", "remove", "agent-tmux"], cwd=cli.proj, env=env, capture_output=True,
                       timeout=60)
# --- issue 13: the agent state the server sees -------------------------------


class StateWatch:
    """A control client on the scenario's session (no %output): every
    %agent-state-changed line for the pane, with the time it arrived."""

    def __init__(self, tm, session, pane, t0):
        self.pane, self.t0 = pane, t0
        self.events = []  # (t, state, reason)
        self.p = subprocess.Popen([tm.binary, "-S", tm.sock, "-f", "/dev/null", "-C", "attach", "-f",
                                   "no-output", "-t", session], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=tm.env)
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        for raw in self.p.stdout:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            w = line.split(" ")
            if len(w) >= 5 and w[0] == "%agent-state-changed" and w[1] == self.pane:
                self.events.append((time.monotonic() - self.t0, w[3], " ".join(w[4:])))

    def first(self, states, since):
        """The first change to one of states at or after `since` (harness
        time), or None."""
        return next((e for e in list(self.events) if e[1] in states and e[0] >= since), None)

    def wait(self, states, since, timeout, what):
        return wait_until(lambda: self.first(states, since), timeout, what)

    def stop(self):
        try:
            self.p.stdin.close()
            self.p.wait(5)
        except Exception:
            self.p.kill()


def scen_state(tm, cli, model, res):
    """Issue 13: one conversation through every state, the server's
    #{agent_state} checked at each step against what the screen shows, with
    the CLI's own hooks installed (Claude Code: agent-hooks -i into its
    private HOME; Codex: its notify program). Latency is the time from the
    harness first seeing the screen (polled every 50 ms) to the control
    client receiving the first %agent-state-changed to that state since
    the action before it (negative: the state came first, as hooks fire
    before the CLI draws)."""
    scen = "state"
    if cli.name == "claude":
        settings = os.path.join(cli.home, ".claude", "settings.json")
        p0 = tm.run("agent-hooks", "-i", "-f", settings, check=False)
        res.check(cli.name, scen, "agent-hooks -i installs the hooks", p0.returncode == 0 and
                  "agent-report" in open(settings).read(), (p0.stdout + p0.stderr).strip().split("\n")[0])
    else:
        cli.notify = tm.binary
    target = os.path.join(cli.outside, "state-made.txt")
    p = new_pane(tm, cli, scen, model, [{"text": STORY, "seconds": 4}, cli.write_step(target, "made\n"),
                                        {"text": "The file is created.", "seconds": 0}, cli.question_step(),
                                        {"text": "Blue it is.", "seconds": 0}])
    st = lambda: (tm.fmt(p.pane, "#{agent_state}|#{agent_state_reason}|#{agent_state_source}") or "").split("|")
    first = st()
    watch = StateWatch(tm, p.session, p.pane, p.t0)
    lat = []
    since = [0.0]

    def acted():
        """An action: the next state change counts from here."""
        since[0] = time.monotonic() - p.t0

    def step(name, screen_pred, states, timeout=20, reason=None):
        """Wait for the screen, then for the state; record the latency."""
        try:
            p.wait_screen(screen_pred, timeout, name + " on the screen")
        except Timeout as e:
            p.save("no-" + name)
            res.check(cli.name, scen, "%s: the screen shows it" % name, False, str(e))
            return False
        t_screen = time.monotonic() - p.t0
        p.save(name)
        # The change may have come before the screen did (hooks fire first).
        ev = watch.first(states, since[0])
        now = st()
        if not (ev and now[0] in states):
            try:
                ev = watch.wait(states, since[0], 5, "%s in %%agent-state-changed" % "|".join(states))
            except Timeout:
                ev = None
            now = st()
        ok = now[0] in states and (reason is None or now[1] == reason)
        d = "state %s (%s, from %s)" % tuple(now[:3]) if len(now) >= 3 else repr(now)
        if ev:
            lat.append({"step": name, "state": ev[1], "latency_ms": round((ev[0] - t_screen) * 1000)})
            d += "; notified %+d ms after the screen" % round((ev[0] - t_screen) * 1000)
        res.check(cli.name, scen, "%s: #{agent_state} is %s%s" % (name, "|".join(states),
                                                                   " (%s)" % reason if reason else ""), ok, d)
        acted()
        return ok

    try:
        res.check(cli.name, scen, "launched: starting (or already idle)", first[0] in ("starting", "idle"),
                  "first seen: %r" % "|".join(first))
        if not step("ready", cli.idle, ["idle"], 40):
            return
        p.mark("prompt-stream")
        acted()
        p.prompt("Tell me a story")
        step("streaming", cli.working, ["working"], 20)
        # Sampled while it streams: never idle or waiting.
        samples = []
        while not cli.finished(p.screen()) and len(samples) < 20:
            samples.append(st()[0])
            time.sleep(0.1)
        res.check(cli.name, scen, "while streaming #{agent_state} stays working", samples and
                  all(x == "working" for x in samples[:-1]), " ".join(samples))
        step("turn-finished", lambda l: cli.idle(l) and cli.finished(l), ["idle"], 30)
        p.mark("prompt-permission")
        acted()
        p.prompt("Create a file outside the project")
        if step("permission-dialog", cli.permission, ["waiting"], 30, reason="permission"):
            samples = []
            for _ in range(10):
                samples.append(st()[0])
                time.sleep(0.1)
            res.check(cli.name, scen, "at the dialog never idle (1 s sampled)", "idle" not in samples,
                      " ".join(samples))
        p.mark("answer-permission")
        acted()
        if not answer(p, ["Enter"], lambda l: not cli.permission(l), res, scen):
            return
        step("permission-finished", lambda l: cli.idle(l) and cli.finished(l) and os.path.exists(target),
             ["idle"], 30)
        cli.before_question(p)
        p.mark("prompt-question")
        acted()
        p.prompt("Ask me which color to use")
        if step("question-dialog", cli.question, ["waiting"], 30, reason="question"):
            samples = []
            for _ in range(10):
                samples.append(st()[0])
                time.sleep(0.1)
            res.check(cli.name, scen, "at the question never idle (1 s sampled)", "idle" not in samples,
                      " ".join(samples))
        p.mark("answer-question")
        acted()
        if not answer(p, ["Down"], lambda l: any("Blue" in x and ("❯" in x or "›" in x) for x in l), res, scen):
            return
        if not answer(p, ["Enter"], lambda l: not cli.question(l), res, scen):
            return
        try:
            wait_turn(p, 5, 8)
        except Timeout:
            if cli.dialog(p.screen()):
                p.keys("Enter")
        step("question-finished", lambda l: cli.idle(l) and cli.finished(l) and "Blue it is" in "\n".join(l),
             ["idle"], 30)
        p.mark("exit")
        p.keys(*cli.exit_keys, literal=True)
        p.wait_screen(lambda l: cli.exit_keys[0] in "\n".join(l), 5, "the exit command echoed")
        p.keys("Enter")
        step("exited", lambda l: p.dead(), ["exited"], 30)
        conv = tm.fmt(p.pane, "#{agent_conversation_id}")
        if cli.name == "claude":
            res.check(cli.name, scen, "the hooks' conversation id is kept (#{agent_conversation_id})",
                      bool(re.match(r"^[0-9a-f-]{36}$", conv or "")), repr(conv))
    finally:
        watch.stop()
        with open(os.path.join(p.dir, "states.json"), "w") as f:
            json.dump({"first": first, "changes": watch.events, "latency": lat}, f, indent=1)
        if lat:
            res.add(cli.name, scen, "detection latency", "NOTE", "; ".join(
                "%s %+d ms" % (x["step"], x["latency_ms"]) for x in lat))
        p.finish()


def scenarios():
    out = [("start-exit", scen_start_exit)]
    for pname, text in PROMPTS:
        out.append(("prompt-" + pname, lambda tm, cli, m, r, n=pname, t=text: scen_prompt(tm, cli, m, r, n, t)))
    out += [("stream", scen_stream), ("permission", scen_permission), ("question", scen_question),
            ("state", scen_state)]
    out.append(("mcp", scen_mcp))
    return out


# --- main ------------------------------------------------------------------------


def leftovers(grace=5):
    """Processes still running from this run's private directory (the CLIs
    and anything they started there, the tmux server) after grace seconds,
    ended by their pid."""
    try:
        wait_until(lambda: not _leftovers(), grace, "no leftovers")
        return []
    except Timeout:
        pass
    found = _leftovers()
    for pid, _ in found:
        try:
            os.kill(pid, 15)
        except OSError:
            pass
    return found


def _leftovers():
    found = []
    me = os.getpid()
    for d in os.listdir("/proc"):
        if not d.isdigit() or int(d) == me:
            continue
        try:
            with open("/proc/%s/cmdline" % d, "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode("utf-8", "replace")
            cwd = os.readlink("/proc/%s/cwd" % d)
        except OSError:
            continue
        if WORK in cmd or cwd.startswith(WORK) or NM in cmd:
            try:
                with open("/proc/%s/stat" % d) as f:
                    if f.read().rsplit(")", 1)[1].split()[0] == "Z":
                        continue  # a zombie is gone already
            except OSError:
                continue
            found.append((int(d), cmd.strip()))
    return found


def in_private_net():
    """Re-run this script in a network namespace with only loopback, when
    possible. Returns normally (without re-running) when already inside one
    or when namespaces are unavailable."""
    if os.environ.get("AGENT_TESTS_NETNS"):
        return os.environ["AGENT_TESTS_NETNS"]
    if shutil.which("unshare") and shutil.which("ip"):
        env = dict(os.environ, AGENT_TESTS_NETNS="loopback-only namespace")
        probe = subprocess.run(["unshare", "-n", "true"], capture_output=True)
        if probe.returncode == 0:
            os.execvpe("unshare", ["unshare", "-n", "--", "sh", "-c", 'ip link set lo up && exec "$@"', "sh",
                                   sys.executable] + sys.argv, env)
    return None


def main():
    global VERBOSE
    ap = argparse.ArgumentParser(usage=__doc__.split("\n")[2].strip())
    ap.add_argument("-v", action="store_true", help="print every step")
    ap.add_argument("--cli", default="claude,codex")
    ap.add_argument("patterns", nargs="*")
    a = ap.parse_args()
    VERBOSE = a.v
    net = in_private_net() or "host network; proxies point at a closed loopback port"
    tmux_bin = os.path.abspath(os.environ.get("TMUX_BIN", os.path.join(REPO, "target", "release", "tmux")))
    if not os.access(tmux_bin, os.X_OK):
        sys.exit("run.py: no tmux binary at %s (make build)" % tmux_bin)
    os.makedirs(WORK, exist_ok=True)
    os.makedirs(RESULTS, exist_ok=True)
    sock = os.path.join(WORK, "tmux.sock")
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "TERM": "xterm-256color",
           "HOME": WORK, "SHELL": "/bin/sh"}
    for k in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "all_proxy"):
        env[k] = "http://127.0.0.1:9"
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    tm = Tmux(tmux_bin, sock, env)
    tm.run("kill-server", check=False)
    tm.run("start-server", ";", "set", "-g", "exit-empty", "off", ";",
           "set", "-g", "default-terminal", os.environ.get("AGENT_TESTS_TERM", "tmux-256color"), ";", "set", "-g", "history-limit", "5000")
    model = modelmod.Model([], max_seconds=1500).start()
    res = Results()
    versions = {}
    print("network: %s; model endpoint %s; tmux %s" % (net, model.url(), tmux_bin))
    try:
        for cname in a.cli.split(","):
            cli = CLIS[cname]()
            if not os.access(cli.binary(), os.X_OK):
                res.add(cname, "-", "installed", "FAIL", "no binary at %s (npm ci in tests/agents)" % cli.binary())
                continue
            cli.prepare()
            versions[cname] = cli.version()
            print("%s: %s" % (cname, versions[cname]))
            for sname, fn in scenarios():
                if a.patterns and not any(pt in "%s/%s" % (cname, sname) for pt in a.patterns):
                    continue
                try:
                    fn(tm, cli, model, res)
                except Exception as e:  # a broken scenario is a failure, the run goes on
                    res.add(cname, sname, "runs", "FAIL", "%s: %s" % (type(e).__name__, e))
    finally:
        model.stop()
        tm.run("kill-server", check=False)
        left = leftovers()
        res.check("all", "-", "no process of the run is left behind", not left,
                  "; ".join("%d %s" % (pid, cmd[:100]) for pid, cmd in left))
    c = res.counts()
    with open(os.path.join(RESULTS, "summary.txt"), "w") as f:
        f.write("network: %s\n" % net)
        for k, v in versions.items():
            f.write("version %s: %s\n" % (k, v))
        for r in res.rows:
            f.write("%s\t%s/%s\t%s\t%s\n" % (r[3], r[0], r[1], r[2], r[4]))
        f.write("%d passed, %d failed, %d xfail\n" % (c["PASS"], c["FAIL"] + c["XPASS"], c["XFAIL"]))
    print("results in %s" % os.path.relpath(RESULTS, REPO))
    if c["XFAIL"]:
        print("%d expected failures (known, with reasons above)" % c["XFAIL"])
    print("%d passed, %d failed" % (c["PASS"], c["FAIL"] + c["XPASS"]))
    return 1 if c["FAIL"] + c["XPASS"] else 0


if __name__ == "__main__":
    sys.exit(main())
