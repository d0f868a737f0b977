"""The harness of the stress run: the private server and its clients.

Run holds what one run shares (the socket, the environment every process
gets, the counters, the violations, the log); Control is a control-mode
client that sends one command a line and reads its %begin/%end block;
start() brings up the server with its options, hooks and home sessions;
server_alive() and leftover_processes() are the liveness checks of the end.
Nothing here knows which commands the workers choose or what the checker
checks.
"""

import collections
import json
import os
import re
import select
import subprocess
import sys
import tempfile
import threading
import time


class Hang(Exception):
    pass


class Closed(Exception):
    pass


def quote(arg):
    """One argument for a control-mode command line (a lone ; separates
    commands, as it does on a tmux command line)."""
    if arg == ";" or re.fullmatch(r"[A-Za-z0-9_.:/=@+,-]+", arg):
        return arg
    if "'" not in arg and "\n" not in arg:
        return "'" + arg + "'"
    return '"' + re.sub(r'(["\\$~])', r"\\\1", arg).replace("\n", "\\n") + '"'


class Run:
    """Shared state of one stress run."""

    def __init__(self, args):
        self.args = args
        self.tmux = args.tmux
        self.dir = tempfile.mkdtemp(prefix="agent-stress.")
        self.sock = os.path.join(self.dir, "sock")
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": self.dir,
            "TMUX_TMPDIR": self.dir,
            "LANG": "C.UTF-8",
            "TERM": "screen",
            "SHELL": "/bin/sh",
        }
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.violations = []
        self.ops = collections.defaultdict(lambda: [0, 0])  # label: [ok, err]
        self.view = {"sessions": [], "agents": [], "panes": [], "mpanes": [],
                     "layouts": [], "groups": []}
        # Messages consumed: sid -> [(seq or None, text, how, t0, t1)], where
        # t0..t1 is when the command ran (monotonic seconds).
        self.consumed = collections.defaultdict(list)
        # set-agent -u that succeeded (a new inbox if it becomes an agent
        # again): sid -> [(t0, t1)].
        self.unset = collections.defaultdict(list)
        self.reported_deliveries = 0
        self.final_inboxes = 0       # inboxes whose counts were matched at the end
        self.final_unknown = 0       # inboxes reset while consumed from
        self.popens = []
        self.server_pid = None
        self.started = time.monotonic()
        self.logf = open(args.log, "w", buffering=1) if args.log else None
        # Extra flags and a preexec function for the process that starts the
        # server (the adversarial mix uses them for -v and core dumps).
        self.server_flags = []
        self.start_preexec = None
        # Skip the blocks of commands a hook ran on a control client's behalf
        # (flags 0 on %begin): the adversarial mix sets hooks that do that.
        self.own_blocks = False

    def log(self, text):
        if self.logf is not None:
            with self.lock:
                self.logf.write(f"{time.monotonic() - self.started:8.3f} {text}\n")

    def argv(self, *args):
        return [self.tmux, "-S", self.sock, "-f", "/dev/null", *args]

    def violate(self, text):
        with self.lock:
            self.violations.append(f"[{time.monotonic() - self.started:6.2f}s] {text}")
        if self.args.verbose:
            print("VIOLATION:", text, file=sys.stderr, flush=True)

    def count(self, label, ok):
        with self.lock:
            self.ops[label][0 if ok else 1] += 1

    def tmux_run(self, *args, timeout=10, first=False):
        """One tmux process; `first` is the one that starts the server, which
        gets server_flags (such as -v) and start_preexec."""
        argv = self.argv(*args)
        if first and self.server_flags:
            argv[1:1] = self.server_flags
        p = subprocess.run(argv, capture_output=True, text=True, env=self.env,
                           cwd=self.dir, timeout=timeout,
                           preexec_fn=self.start_preexec if first else None)
        return p.returncode, p.stdout, p.stderr


class Control:
    """A control-mode client: one command a line, answered by a block."""

    def __init__(self, run, session, flags, on_line=None):
        self.run = run
        self.p = subprocess.Popen(
            run.argv("-C", "attach-session", "-t", session, "-f", flags),
            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, env=run.env, cwd=run.dir)
        run.popens.append(self.p)
        self.fd = self.p.stdout.fileno()
        self.buf = b""
        self.on_line = on_line or (lambda line: None)
        self.n = 0
        self.exit_line = None

    def readline(self, deadline):
        while True:
            i = self.buf.find(b"\n")
            if i >= 0:
                line, self.buf = self.buf[:i], self.buf[i + 1:]
                return line.decode("utf-8", "replace")
            left = deadline - time.monotonic()
            if left <= 0:
                raise Hang()
            r, _, _ = select.select([self.fd], [], [], min(left, 1.0))
            if r:
                chunk = os.read(self.fd, 1 << 16)
                if not chunk:
                    raise Closed()
                self.buf += chunk

    def send(self, line):
        try:
            self.p.stdin.write(line.encode() + b"\n")
            self.p.stdin.flush()
        except (BrokenPipeError, OSError):
            raise Closed()

    def block(self, deadline):
        """The next block: (ok, body lines); lines outside go to on_line."""
        while True:
            line = self.readline(deadline)
            if line.startswith("%begin "):
                number = line.split(" ")[2:3]
                body = []
                while True:
                    line = self.readline(deadline)
                    f = line.split(" ")
                    if f[0] in ("%end", "%error") and len(f) == 4 and f[2:3] == number:
                        if self.run.own_blocks and f[3] == "0":
                            break  # a hook's command, not one this client sent
                        return f[0] == "%end", body
                    body.append(line)
                continue
            if line.startswith("%exit"):
                self.exit_line = line
                raise Closed()
            self.on_line(line)

    def command(self, line, timeout):
        self.send(line)
        deadline = time.monotonic() + timeout
        if not self.run.own_blocks:
            return self.block(deadline)
        # Commands joined by a lone ; answer one block each, up to the first
        # error (tmux skips the rest of the line).
        ok, body = True, []
        for _ in range(line.split(" ").count(";") + 1):
            ok, b = self.block(deadline)
            body += b
            if not ok:
                break
        return ok, body

    def sync(self, timeout):
        """Skip everything up to the answer of a marker command."""
        self.n += 1
        mark = f"sync-{self.n}"
        self.send(f"display-message -p {mark}")
        deadline = time.monotonic() + timeout
        while True:
            _, body = self.block(deadline)
            if body == [mark]:
                return

    def close(self):
        try:
            self.p.stdin.close()
        except OSError:
            pass
        try:
            self.p.wait(timeout=5)
            return True
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()
            return False


def is_json_doc(lines):
    if len(lines) != 1:
        return False
    try:
        json.loads(lines[0])
        return True
    except ValueError:
        return False


def setup_commands(homes):
    """What start() runs once the server is up: options, hooks, home sessions."""
    setup = [
        ["set", "-g", "exit-empty", "off"],
        ["set", "-g", "detach-on-destroy", "off"],
        ["set", "-g", "default-command", "cat"],
        ["set", "-g", "@agent-settle-time", "0.3"],
        ["set", "-g", "@agent-layout-limit", "8"],
        ["set", "-g", "@agent-inbox-limit", "6"],
        ["set", "-g", "@agent-idle-threshold", "0.5"],
        ["set-hook", "-g", "agent-context-changed",
         "set -g @stress-context '#{hook_agent_group} #{hook_agent_version}'"],
        ["set-hook", "-g", "agent-group-changed",
         "set -g @stress-group '#{hook_session} #{hook_agent_event}'"],
        ["set-hook", "-g", "agent-pane-state",
         "set -g @stress-pane '#{hook_agent_pane_id} #{hook_agent_pane_state}'"],
        ["set-hook", "-g", "agent-message", "set -g @stress-message '#{hook_agent_seq}'"],
    ]
    for n in range(1, homes + 1):
        setup.append(["new-session", "-d", "-s", f"h{n}", "-x", "80", "-y", "24", "cat"])
    return setup


def start(run):
    """The server, its options, home sessions and templates."""
    rc, out, err = run.tmux_run("new-session", "-d", "-s", "h0", "-x", "80", "-y", "24", "cat",
                                first=True)
    if rc != 0:
        raise SystemExit(f"stress: cannot start the server: {err.strip()}")
    setup = setup_commands(run.args.homes)
    argv = []
    for cmd in setup:
        argv += cmd + [";"]
    rc, out, err = run.tmux_run(*argv[:-1])
    if rc != 0:
        raise SystemExit(f"stress: set-up failed: {err.strip()}")
    rc, out, _ = run.tmux_run("display-message", "-p", "#{pid}")
    run.server_pid = int(out.strip())


def leftover_processes(run):
    """Processes naming our socket (clients, the server) or working in our
    directory (pane programs)."""
    found = []
    for p in os.listdir("/proc"):
        if not p.isdigit() or int(p) == os.getpid():
            continue
        try:
            with open(f"/proc/{p}/cmdline", "rb") as f:
                cmd = f.read().split(b"\0")
            cwd = os.readlink(f"/proc/{p}/cwd")
        except OSError:
            continue
        if run.sock.encode() in cmd or cwd == run.dir or cwd.startswith(run.dir + "/"):
            found.append((int(p), b" ".join(cmd).decode("utf-8", "replace").strip()))
    return found


def server_alive(run):
    t0 = time.monotonic()
    try:
        rc, out, err = run.tmux_run("display-message", "-p", "ok #{pid}", timeout=5)
    except subprocess.TimeoutExpired:
        run.violate("server did not answer display -p within 5 s")
        return False, 0
    ms = (time.monotonic() - t0) * 1000
    if rc != 0 or out.strip() != f"ok {run.server_pid}":
        run.violate(f"server is not the one started (pid {run.server_pid}): "
                    f"rc {rc} {out.strip()!r} {err.strip()!r}")
        return False, ms
    return True, ms
