#!/usr/bin/env python3
"""Stress agent-tmux: many concurrent clients, then check the invariants.

Usage: stress.py [--tmux PATH] [--duration SECONDS] [--clients N] [--seed N]
                 [--log FILE] [--keep] [--verbose]   (--help for the rest)

One private server (-S in a temporary directory, -f /dev/null, every pane
runs `cat`). N clients run random mixes of every command that changes agent
state, plus new-session, kill-session, rename-session, kill-pane and the
managed-layout commands, for the given time. Three in four clients are
control-mode clients (one command a line, each answered by a %begin/%end or
%error block); the others start one `tmux` process per command, which is
also how they run `agent-wait`, whose control-mode answer comes outside any
block.

A checker (its own control-mode client, which also reads every %agent-*
notification in order) takes a snapshot twice a second, in one control-mode
line so that it is atomic: list-agent-groups, list-agents, list-agent-layouts
-a, list-agent-panes -a, list-sessions and list-panes -a; then one
agent-inbox -J per agent. It checks, while the clients run and at the end:

  groups     every group has members and exactly one coordinator, its first
             member; every member session exists and is an agent in that
             group with that role; every agent's group exists and lists it;
             the context counts match the entries and entry versions are
             distinct and within the group's version;
  versions   a group's context version never decreases while it lives (a
             group that was dissolved in between may start again); in the
             notifications, each %agent-context-changed of a group is its
             previous version plus one;
  groups, by notification
             joins, leaves and coordinator changes form a consistent member
             list, which at the end equals the listed one;
  layouts    each layout's state and counts agree with its current panes;
             managed panes only move forward in the state machine between
             snapshots (creating -> ready/degraded/failed, ready -> degraded,
             any -> removed; skipped steps allowed); each %agent-pane-state
             is one allowed step; a removed pane's tmux pane no longer
             exists; a forgotten pane never comes back;
  messages   for every inbox, delivered == consumed + dropped + unread and
             the unread messages are the newest sequence numbers; counters
             never go back unless the session stopped being an agent
             (set-agent -u); no message is consumed twice (by any client,
             with agent-inbox -c or agent-wait -m -c) nor both consumed and
             still unread; for every inbox still there at the end, the
             server's consumed count equals what the clients consumed (since
             its last set-agent -u, unless a consume ran at the same time)
             and its delivered count equals the last %agent-message number;
             every delivery a sender was told about was announced once;
  liveness   no command hangs (a control command or a client process that
             takes longer than --timeout is a failure); every -J output is
             one valid JSON document; the server survives with the same pid
             and answers `display -p ok` at the end; no client process is
             left behind.

An error answer (%error, exit status 1) is never a failure by itself: many
commands race with kill-session and friends. Prints a summary (operations
per command, ok and error answers; snapshots and notifications checked;
every violation) and exits 0 when there were no violations, else 1. The
seed chooses the operations; their interleaving is up to the scheduler, so
a run is not exactly repeatable: --log FILE records every command, answer
and notification.
"""

import argparse
import collections
import json
import os
import random
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback

STATES = ("creating", "ready", "degraded", "failed", "removed")
# One step of the managed pane state machine (src/agent/layout/state.rs).
STEP = {
    "creating": {"ready", "degraded", "failed", "removed"},
    "ready": {"degraded", "removed"},
    "degraded": {"removed"},
    "failed": {"removed"},
    "removed": set(),
}


def closure():
    reach = {}
    for s in STATES:
        seen, todo = {s}, [s]
        while todo:
            for n in STEP[todo.pop()]:
                if n not in seen:
                    seen.add(n)
                    todo.append(n)
        reach[s] = seen
    return reach


REACH = closure()


def aggregate(states):
    for s in ("creating", "failed", "degraded", "ready"):
        if s in states:
            return s
    return "removed"


POOL = [f"p{n}" for n in range(12)]          # plain sessions (cat)
LAYOUT_NAMES = [f"lay{n}" for n in range(6)]  # layout sessions
GROUPS = [f"g{n}" for n in range(5)]
KEYS = [f"k{n}" for n in range(8)]
TYPES = ["claude", "codex", "custom", "x-1"]
TEMPLATES = {
    # name: define-agent-template arguments after the name
    "tw": ["-l", "even-horizontal", "tw", "a:1:cat", "b:2"],
    "tq": ["tq", "w:1:true", "x:1:cat"],
    "ts": ["-l", "tiled", "ts", "s:1:sleep 0.7", "z:2:cat"],
}
LAYOUT_TEMPLATES = ["1m+2s", "2m+2s", "tw", "tq", "ts", "nosuch"]
HOME_PREFIX = "h"


class Hang(Exception):
    pass


class Closed(Exception):
    pass


def quote(arg):
    """One argument for a control-mode command line."""
    if re.fullmatch(r"[A-Za-z0-9_.:/=@+,-]+", arg):
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

    def tmux_run(self, *args, timeout=10):
        p = subprocess.run(self.argv(*args), capture_output=True, text=True,
                           env=self.env, cwd=self.dir, timeout=timeout)
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
                        return f[0] == "%end", body
                    body.append(line)
            if line.startswith("%exit"):
                raise Closed()
            self.on_line(line)

    def command(self, line, timeout):
        self.send(line)
        return self.block(time.monotonic() + timeout)

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


class Worker(threading.Thread):
    """One client running random operations until the run stops."""

    def __init__(self, run, wid, control, home):
        super().__init__(daemon=True, name=f"worker-{wid}")
        self.r = run
        self.wid = wid
        self.rng = random.Random(run.args.seed * 1000 + wid)
        self.control = control
        self.home = home
        self.ctl = None
        self.n = 0
        self.t0 = self.t1 = 0.0

    # --- running one command ---------------------------------------------

    def exec(self, label, argv):
        """Run one command; returns (ok, stdout lines). Raises Hang/Closed."""
        timeout = self.r.args.timeout
        self.r.log(f"{self.wid} > {argv}")
        self.t0 = time.monotonic()
        if self.ctl is not None:
            ok, body = self.ctl.command(" ".join(quote(a) for a in argv), timeout)
        else:
            try:
                p = subprocess.run(self.r.argv(*argv), capture_output=True,
                                   env=self.r.env, cwd=self.r.dir,
                                   timeout=timeout)
            except subprocess.TimeoutExpired:
                raise Hang()
            ok = p.returncode == 0
            if p.returncode < 0:
                self.r.violate(f"client killed by signal {-p.returncode}: {argv}")
            out = p.stdout.decode("utf-8", "replace")
            body = out.split("\n")
            if body and body[-1] == "":
                body.pop()
        self.t1 = time.monotonic()
        self.r.count(label, ok)
        self.r.log(f"{self.wid} < {'ok' if ok else 'error'} {body[:2]}")
        if ok and "-J" in argv and not is_json_doc(body):
            self.r.violate(f"not one JSON document from {' '.join(argv)}: {body[:3]!r}")
        return ok, body

    # --- choosing targets ----------------------------------------------------

    def pick(self, seq):
        return self.rng.choice(seq) if seq else None

    def session(self, kill=False):
        """A session target by id or name; for kill, never a home session."""
        v = self.r.view
        cands = [s for s in v["sessions"]
                 if not (kill and s[1].startswith(HOME_PREFIX))]
        s = self.pick(cands)
        if s is None or self.rng.random() < 0.1:
            return self.pick(POOL + LAYOUT_NAMES)
        return s[0] if self.rng.random() < 0.5 else s[1]

    def grouped(self):
        """Mostly a session in a group (by id or name), else any."""
        v = self.r.view
        if v.get("grouped") and self.rng.random() < 0.8:
            sid = self.pick(v["grouped"])
            if self.rng.random() < 0.5:
                return sid
            name = dict(v["sessions"]).get(sid)
            return name or sid
        return self.session()

    def agent_id(self):
        a = self.pick(self.r.view["agents"])
        return a if a else self.pick([s[0] for s in self.r.view["sessions"]])

    def group(self):
        v = self.r.view["groups"]
        if v and self.rng.random() < 0.5:
            return self.pick(v)
        return self.pick(GROUPS)

    def text(self):
        self.n += 1
        t = f"m{self.wid}.{self.n}"
        r = self.rng.random()
        if r < 0.3:
            t += " with some words"
        elif r < 0.4 and self.ctl is None:
            t += "\twith a tab"
        return t

    # --- the operations ----------------------------------------------------

    def op_new_session(self):
        name = self.pick(POOL)
        argv = ["new-session", "-d", "-P", "-F", "#{session_id}", "-s", name]
        r = self.rng.random()
        if r < 0.4:
            argv += ["-G", self.pick(TYPES)]
        if r > 0.3:
            argv += ["-o", f"goal of {self.wid}"]
        ok, body = self.exec("new-session", argv + ["cat"])
        if ok and body:
            # Targets come from the last snapshot; make the new session (an
            # agent: it has -G or -o) a target now, until the next snapshot.
            self.r.view["sessions"].append((body[0], name))
            self.r.view["agents"].append(body[0])

    def op_kill_session(self):
        self.exec("kill-session", ["kill-session", "-t", self.session(kill=True)])

    def op_rename_session(self):
        self.exec("rename-session", ["rename-session", "-t", self.session(kill=True),
                                     self.pick(POOL + LAYOUT_NAMES)])

    def op_kill_pane(self):
        p = self.pick(self.r.view["panes"])
        if p:
            self.exec("kill-pane", ["kill-pane", "-t", p])

    def op_set_agent(self):
        argv = ["set-agent", "-t", self.session()]
        if self.rng.random() < 0.6:
            argv += ["-G", self.pick(TYPES)]
        if self.rng.random() < 0.6:
            argv += ["-o", f"goal {self.n}"]
        self.exec("set-agent", argv)

    def op_unset_agent(self):
        sid = self.agent_id()
        if sid:
            ok, _ = self.exec("set-agent -u", ["set-agent", "-u", "-t", sid])
            if ok:
                with self.r.lock:
                    self.r.unset[sid].append((self.t0, self.t1))

    def op_join(self):
        g = self.group()
        if self.rng.random() < 0.5:
            self.exec("agent-join-group", ["agent-join-group", "-t", self.session(), g])
        else:
            self.exec("agent-join-group", ["agent-join-group", "-t", self.session(), "-g", g])

    def op_leave(self):
        self.exec("agent-leave-group", ["agent-leave-group", "-t", self.session()])

    def op_share(self):
        k, t = self.pick(KEYS), self.grouped()
        r = self.rng.random()
        if r < 0.4:
            self.exec("agent-share", ["agent-share", "-t", t, f"{k}=v{self.wid}.{self.n} text"])
        elif r < 0.6:
            self.exec("agent-share -k -v", ["agent-share", "-t", t, "-k", k, "-v", f"w{self.n}"])
        elif r < 0.8:
            doc = self.pick(['{"a":[1,2,{"b":null}],"c":"d"}', '[true,false]', '"s"', "42"])
            self.exec("agent-share -j", ["agent-share", "-j", "-t", t, f"{k}={doc}"])
        else:
            self.exec("agent-share -u", ["agent-share", "-t", t, "-u", k])

    def op_send(self):
        if self.rng.random() < 0.6:
            sid = self.agent_id()
            if not sid:
                return
            ok, body = self.exec("agent-send -t", ["agent-send", "-t", sid, self.text()])
        else:
            argv = ["agent-send", "-g", self.group()]
            if self.rng.random() < 0.5:
                argv += ["-s", self.grouped()]
            ok, body = self.exec("agent-send -g", argv + [self.text()])
        if ok:
            m = re.match(r"delivered to (\d+) inbox", body[0] if body else "")
            if not m:
                self.r.violate(f"agent-send said {body!r}")
            else:
                with self.r.lock:
                    self.r.reported_deliveries += int(m.group(1))

    def op_inbox(self):
        sid = self.agent_id()
        if not sid:
            return
        if self.rng.random() < 0.25:
            self.exec("agent-inbox -J", ["agent-inbox", "-J", "-t", sid])
            return
        argv = ["agent-inbox", "-c", "-J", "-t", sid]
        if self.rng.random() < 0.5:
            argv += ["-n", str(self.rng.randint(1, 3))]
        ok, body = self.exec("agent-inbox -c", argv)
        if not ok or not is_json_doc(body):
            return
        doc = json.loads(body[0])
        if doc.get("session_id") != sid:
            self.r.violate(f"agent-inbox -t {sid} answered for {doc.get('session_id')}")
        with self.r.lock:
            for m in doc.get("messages", []):
                self.r.consumed[sid].append((m["seq"], m["text"], "agent-inbox -c",
                                             self.t0, self.t1))

    def op_wait_message(self):
        sid = self.agent_id()
        if not sid:
            return
        if self.rng.random() < 0.25:
            self.exec("agent-wait -m", ["agent-wait", "-m", "-T", "0.2", "-t", sid])
            return
        ok, body = self.exec("agent-wait -m -c",
                             ["agent-wait", "-m", "-c", "-T", "0.3", "-t", sid])
        if ok:
            with self.r.lock:
                self.r.consumed[sid].append((None, "\n".join(body), "agent-wait -m -c",
                                             self.t0, self.t1))

    def op_wait_key(self):
        argv = ["agent-wait", "-T", "0.2", "-t", self.grouped(), self.pick(KEYS)]
        if self.rng.random() < 0.5:
            argv.insert(1, "-c")
        self.exec("agent-wait key", argv)

    def op_new_layout(self):
        argv = ["new-agent-layout", "-d", "-P", "-s", self.pick(LAYOUT_NAMES),
                "-T", self.pick(LAYOUT_TEMPLATES)]
        r = self.rng.random()
        if r < 0.3:
            argv += ["-g", self.group()]
        if self.rng.random() < 0.3:
            argv += ["-k", f"key{self.rng.randint(0, 5)}"]
        if self.rng.random() < 0.05:
            argv += ["-c", "/nonexistent/stress"]
        if self.rng.random() < 0.1:
            argv += ["-e", "manager=true"]
        self.exec("new-agent-layout", argv)

    def mpane(self):
        mp = self.r.view["mpanes"]
        m = self.pick(mp)
        if not m:
            return None
        if self.rng.random() < 0.2 and m[3]:
            return f"{m[2]}:{m[3]}"  # layout:label
        return m[0]

    def op_pane_remove(self):
        m = self.mpane()
        if m:
            self.exec("agent-pane-remove", ["agent-pane-remove", "-t", m])

    def op_pane_recreate(self):
        v = self.r.view.get("recreatable")
        m = self.pick(v) if v and self.rng.random() < 0.8 else self.mpane()
        if not m:
            return
        argv = ["agent-pane-recreate", "-t", m]
        if self.rng.random() < 0.3:
            argv[1:1] = ["-k", f"rk{self.rng.randint(0, 9)}"]
        if self.rng.random() < 0.3:
            argv.append(self.pick(["cat", "true", "sleep 0.5"]))
        self.exec("agent-pane-recreate", argv)

    def op_kill_layout(self):
        lays = self.r.view["layouts"]
        lay = self.pick(lays)
        t = lay[self.rng.randint(0, 1)] if lay else self.pick(LAYOUT_NAMES)
        self.exec("kill-agent-layout", ["kill-agent-layout", "-t", t])

    def op_template(self):
        name = self.pick(sorted(TEMPLATES) + ["1m+2s"])
        if self.rng.random() < 0.3:
            self.exec("define-agent-template -u", ["define-agent-template", "-u", name])
        elif name == "1m+2s":
            self.exec("define-agent-template",
                      ["define-agent-template", "-f", "1m+2s", "m:1:cat", "n:1"])
        else:
            self.exec("define-agent-template", ["define-agent-template", *TEMPLATES[name]])

    def op_prompt(self):
        p = self.pick(self.r.view["all_panes"]) if self.r.view.get("all_panes") else None
        if not p:
            return
        argv = ["agent-prompt", "-f", "-d", "0", "-t", p, f"prompt {self.n}"]
        if self.ctl is not None or self.rng.random() < 0.5:
            argv.insert(1, "-b")
        self.exec("agent-prompt", argv)

    def op_read(self):
        r = self.rng.randint(0, 6)
        if r == 0:
            self.exec("list-agent-groups -J", ["list-agent-groups", "-J"])
        elif r == 1:
            self.exec("list-agents -J", ["list-agents", "-J"])
        elif r == 2:
            self.exec("list-agent-layouts -J", ["list-agent-layouts", "-a", "-J"])
        elif r == 3:
            self.exec("list-agent-panes -J", ["list-agent-panes", "-J"])
        elif r == 4:
            self.exec("agent-peers -J", ["agent-peers", "-J", "-t", self.grouped()])
        elif r == 5:
            self.exec("agent-get -J", ["agent-get", "-J", "-t", self.grouped(), self.pick(KEYS)])
        else:
            self.exec("list-agent-templates -J", ["list-agent-templates", "-J"])

    OPS = [
        ("op_new_session", 6), ("op_kill_session", 1), ("op_rename_session", 2),
        ("op_kill_pane", 1), ("op_set_agent", 4), ("op_unset_agent", 1),
        ("op_join", 8), ("op_leave", 4), ("op_share", 10), ("op_send", 10),
        ("op_inbox", 8), ("op_new_layout", 2), ("op_pane_remove", 2),
        ("op_pane_recreate", 3), ("op_kill_layout", 1), ("op_template", 1),
        ("op_prompt", 2), ("op_read", 4),
    ]
    # Command clients also wait (agent-wait answers outside blocks in
    # control mode, so only they run it).
    PROC_OPS = OPS + [("op_wait_message", 10), ("op_wait_key", 3)]

    def loop(self):
        table = self.OPS if self.control else self.PROC_OPS
        names = [n for n, _ in table]
        weights = [w for _, w in table]
        if self.control:
            flags = "no-output" if self.wid % 2 else "no-output,no-agent-notify"
            self.ctl = Control(self.r, self.home, flags)
            self.ctl.sync(self.r.args.timeout)
        while not self.r.stop.is_set():
            name = self.rng.choices(names, weights)[0]
            getattr(self, name)()
            if self.rng.random() < 0.2:
                time.sleep(self.rng.random() * 0.01)

    def run(self):
        try:
            self.loop()
        except Hang:
            self.r.violate(f"worker {self.wid}: a command hung for more than "
                           f"{self.r.args.timeout} s")
        except Closed:
            self.r.violate(f"worker {self.wid}: control client closed by the server")
        except Exception:
            self.r.violate(f"worker {self.wid}: {traceback.format_exc()}")
        finally:
            if self.ctl is not None:
                if not self.ctl.close():
                    self.r.violate(f"worker {self.wid}: control client did not exit")


class Checker(threading.Thread):
    """Reads every notification and checks snapshots while the run goes on."""

    SNAPSHOT = " ; ".join([
        "list-agent-groups -J", "list-agents -J", "list-agent-layouts -a -J",
        "list-agent-panes -a -J", "list-sessions -F '#{session_id} #{session_name}'",
        "list-panes -a -F '#{pane_id} #{session_id} #{session_name}'",
    ])

    def __init__(self, run):
        super().__init__(daemon=True, name="checker")
        self.r = run
        self.ctl = None
        self.snapshots = 0
        self.inbox_checks = 0
        self.events = collections.Counter()
        # From notifications.
        self.ev_members = {}          # group -> [sid] in join order
        self.ev_group_of = {}         # sid -> group
        self.ev_version = {}          # group -> last context version
        self.ev_dissolved = collections.Counter()
        self.ev_seq = {}              # sid -> last message seq
        self.ev_resets = set()        # sids whose numbers started again
        self.ev_messages = 0
        self.ev_pane = {}             # %N -> state
        # From snapshots.
        self.prev_groups = {}         # name -> (created, version, dissolved count)
        self.pending = []             # version drops to confirm later
        self.prev_mstate = {}         # Mn -> state
        self.prev_mlayout = {}        # Mn -> Ln
        self.forgotten = set()
        self.inbox_prev = {}          # sid -> (delivered, consumed, dropped)
        self.inbox_back = set()       # sids whose counters went back
        self.failed = False
        self.done = threading.Event()

    def V(self, text):
        self.r.violate(text)

    # --- notifications -------------------------------------------------------

    def on_line(self, line):
        f = line.split(" ")
        kind = f[0]
        if not kind.startswith("%agent-"):
            return
        self.r.log(f"event {line}")
        self.events[kind] += 1
        try:
            if kind == "%agent-group-changed":
                self.ev_group(f[1], f[2], f[3])
            elif kind == "%agent-context-changed":
                self.ev_context(f[1], f[2], int(f[3]))
            elif kind == "%agent-message":
                self.ev_message(f[1], int(f[3]))
            elif kind == "%agent-pane-state":
                self.ev_pane_state(f[3], f[4])
        except (IndexError, ValueError):
            self.V(f"malformed notification: {line!r}")

    def ev_group(self, sid, group, what):
        members = self.ev_members.get(group)
        if what == "joined":
            old = self.ev_group_of.get(sid)
            if old is not None:
                self.V(f"{sid} joined {group} while still in {old} (no left first)")
                return
            if members is None:
                members = self.ev_members[group] = []
                self.ev_version[group] = 0
            members.append(sid)
            self.ev_group_of[sid] = group
        elif what == "left":
            if not members or sid not in members:
                self.V(f"{sid} left {group}, which it was not in")
                return
            members.remove(sid)
            del self.ev_group_of[sid]
            if not members:
                del self.ev_members[group]
                del self.ev_version[group]
                self.ev_dissolved[group] += 1
        elif what == "coordinator":
            if not members or sid not in members:
                self.V(f"{sid} became coordinator of {group}, which it is not in")
            elif members[0] != sid:
                self.V(f"{sid} became coordinator of {group} but {members[0]} "
                       f"joined first")
        else:
            self.V(f"unknown group event {what!r}")

    def ev_context(self, group, key, version):
        last = self.ev_version.get(group)
        if last is None:
            self.V(f"context of {group} changed ({key} v{version}) with no members")
            return
        if version != last + 1:
            self.V(f"context of {group}: version {version} after {last} ({key})")
        self.ev_version[group] = version

    def ev_message(self, sid, seq):
        self.ev_messages += 1
        last = self.ev_seq.get(sid, 0)
        if seq == 1 and last > 0:
            self.ev_resets.add(sid)
        elif seq != last + 1:
            self.V(f"message numbers of {sid}: {seq} after {last}")
        self.ev_seq[sid] = seq

    def ev_pane_state(self, pane, state):
        if state not in STEP:
            self.V(f"unknown pane state {state!r} for {pane}")
            return
        if pane == "%":
            return
        prev = self.ev_pane.get(pane, "creating")
        if state not in STEP[prev]:
            self.V(f"%agent-pane-state {pane}: {prev} -> {state} is not allowed")
        self.ev_pane[pane] = state

    # --- snapshots -----------------------------------------------------------

    def take(self, timeout, full=False):
        """One atomic snapshot, then the inboxes of its agents."""
        ctl = self.ctl
        self.ctl.n += 1
        mark = f"snapshot-end-{ctl.n}"
        ctl.send(self.SNAPSHOT)
        ctl.send(f"display-message -p {mark}")
        deadline = time.monotonic() + timeout
        blocks = []
        names = ["lsag", "lsa", "lsal", "lsap", "ls", "lsp"]
        dissolved = None
        while True:
            ok, body = ctl.block(deadline)
            if body == [mark]:
                break
            blocks.append((ok, body))
            if dissolved is None:
                # The blocks of one line come together (nothing runs between
                # its commands): what was announced so far is all that
                # happened before the snapshot, give or take the last few
                # changes, whose lines may still be on their way.
                dissolved = collections.Counter(self.ev_dissolved)
        if len(blocks) != len(names) or not all(ok for ok, _ in blocks):
            self.V(f"snapshot commands failed: {blocks!r}"[:500])
            return None
        snap = {}
        for name, (ok, body) in zip(names[:4], blocks):
            if not is_json_doc(body):
                self.V(f"{name} -J is not one JSON document: {body[:2]!r}"[:300])
                return None
            snap[name] = json.loads(body[0])
        snap["sessions"] = [tuple(line.split(" ", 1)) for line in blocks[4][1]]
        snap["tpanes"] = [tuple(line.split(" ", 2)) for line in blocks[5][1]]
        # Inboxes: one line each, so that one gone does not stop the others.
        sids = [a["session_id"] for a in snap["lsa"]["agents"]]
        for sid in sids:
            ctl.send(f"agent-inbox -J -t '{sid}'" + ("" if full else " -n 1"))
        inboxes = {}
        for sid in sids:
            ok, body = ctl.block(deadline)
            if ok:
                if not is_json_doc(body):
                    self.V(f"agent-inbox -J -t {sid} is not JSON: {body[:2]!r}"[:300])
                    continue
                inboxes[sid] = json.loads(body[0])
        snap["inboxes"] = inboxes
        snap["full"] = full
        snap["dissolved"] = dissolved
        return snap

    def check(self, snap):
        self.snapshots += 1
        sessions = {s[0]: s[1] for s in snap["sessions"]}
        tpanes = {p[0] for p in snap["tpanes"]}
        groups = snap["lsag"]["groups"]
        agents = {a["session_id"]: a for a in snap["lsa"]["agents"]}
        by_name = {}
        member_of = {}
        for g in groups:
            name = g["name"]
            by_name[name] = g
            ms = g["members"]
            if not ms:
                self.V(f"group {name} has no members")
                continue
            coords = [m for m in ms if m["role"] == "Coordinator"]
            if len(coords) != 1:
                self.V(f"group {name} has {len(coords)} coordinators: {ms}")
            if ms[0]["role"] != "Coordinator":
                self.V(f"group {name}: first member {ms[0]['session_id']} is not coordinator")
            if g["coordinator_id"] != ms[0]["session_id"]:
                self.V(f"group {name}: coordinator_id {g['coordinator_id']} is not "
                       f"its first member {ms[0]['session_id']}")
            if g["coordinator_id"] not in {m["session_id"] for m in ms}:
                self.V(f"group {name}: coordinator {g['coordinator_id']} is not a member")
            for m in ms:
                sid = m["session_id"]
                if sid in member_of:
                    self.V(f"{sid} is a member of {member_of[sid]} and {name}")
                member_of[sid] = name
                if sid not in sessions:
                    self.V(f"group {name}: member {sid} does not exist")
                a = agents.get(sid)
                if a is None:
                    self.V(f"group {name}: member {sid} is not an agent")
                elif a["group"] != name or a["role"] != m["role"]:
                    self.V(f"group {name}: member {sid} is listed by list-agents in "
                           f"{a['group']} as {a['role']}")
                elif a["peers"] != len(ms) - 1:
                    self.V(f"{sid}: peers {a['peers']}, group {name} has {len(ms)} members")
            ctx = g["context"]
            if g["context_keys"] != len(ctx):
                self.V(f"group {name}: context_keys {g['context_keys']} but {len(ctx)} entries")
            versions = [e["version"] for e in ctx.values()]
            if len(set(versions)) != len(versions):
                self.V(f"group {name}: entries share a version: {versions}")
            if versions and max(versions) > g["version"]:
                self.V(f"group {name}: entry version {max(versions)} > {g['version']}")
            size = 0
            for k, e in ctx.items():
                v = e["value"]
                if e["json"]:
                    v = json.dumps(v, separators=(",", ":"), ensure_ascii=False)
                size += len(k.encode()) + len(v.encode())
            if size != g["context_bytes"]:
                self.V(f"group {name}: context_bytes {g['context_bytes']}, entries make {size}")
        for sid, a in agents.items():
            if sid not in sessions:
                self.V(f"agent {sid} has no session")
            if a["group"] is None:
                if a["role"] is not None:
                    self.V(f"agent {sid} has role {a['role']} but no group")
            elif member_of.get(sid) != a["group"]:
                self.V(f"agent {sid} says group {a['group']}, which does not list it")
        self.check_versions(by_name, snap["dissolved"])
        self.check_layouts(snap, tpanes)
        self.check_inboxes(snap)
        self.publish(snap, agents)

    def check_versions(self, by_name, dissolved):
        # Confirm drops seen last time: a dissolution must have been
        # announced since the snapshot before the drop.
        for name, count, what in self.pending:
            if self.ev_dissolved[name] == count:
                self.V(what)
        self.pending = []
        now = {}
        self.r.log("snapshot groups " + " ".join(
            f"{n}:{g['created']}:{g['version']}:{dissolved[n]}" for n, g in by_name.items()))
        for name, g in by_name.items():
            cur = (g["created"], g["version"], dissolved[name])
            prev = self.prev_groups.get(name)
            if prev is not None and g["version"] < prev[1]:
                self.pending.append((name, prev[2],
                                     f"group {name}: context version went from {prev[1]} "
                                     f"to {g['version']} with no dissolution between"))
            now[name] = cur
        self.prev_groups = now

    def check_layouts(self, snap, tpanes):
        layouts = {lay["id"]: lay for lay in snap["lsal"]["layouts"]}
        panes = snap["lsap"]["panes"]
        by_id = {p["id"]: p for p in panes}
        of_layout = collections.defaultdict(list)
        for p in panes:
            of_layout[p["layout"]].append(p)
            if p["layout"] not in layouts:
                self.V(f"{p['id']} is in {p['layout']}, which is not listed")
        for lid, lay in layouts.items():
            cur = [p for p in of_layout[lid] if p["successor"] is None]
            counts = collections.Counter(p["state"] for p in cur)
            want = {s: counts.get(s, 0) for s in STATES}
            if lay["counts"] != want:
                self.V(f"{lid}: counts {lay['counts']} but current panes make {want}")
            if lay["state"] != aggregate({p["state"] for p in cur}):
                self.V(f"{lid}: state {lay['state']} but current panes are "
                       f"{sorted(p['state'] for p in cur)}")
            labels = [p["label"] for p in cur]
            if len(set(labels)) != len(labels):
                self.V(f"{lid}: current panes share labels: {labels}")
        for p in panes:
            mid, st = p["id"], p["state"]
            if st not in STEP:
                self.V(f"{mid}: unknown state {st}")
                continue
            if st == "removed" and p["pane_id"] in tpanes:
                self.V(f"{mid} is removed but its tmux pane {p['pane_id']} exists")
            stage = p["failed_stage"]
            if st == "degraded" and stage not in ("launch_command", "process_exit"):
                self.V(f"{mid}: degraded with stage {stage}")
            if st == "failed" and stage != "pane_create":
                self.V(f"{mid}: failed with stage {stage}")
            if st in ("creating", "ready") and stage is not None:
                self.V(f"{mid}: {st} with stage {stage}")
            s = p["successor"]
            if s is not None and s in by_id:
                q = by_id[s]
                if (q["predecessor"] != mid or q["depth"] != p["depth"] + 1
                        or q["label"] != p["label"] or q["layout"] != p["layout"]):
                    self.V(f"{mid} -> {s}: chain links disagree")
            if mid in self.forgotten:
                self.V(f"{mid} was forgotten and is listed again")
            prev = self.prev_mstate.get(mid)
            if prev is not None and st not in REACH[prev]:
                self.V(f"{mid}: {prev} -> {st} is not allowed")
        for mid, lid in self.prev_mlayout.items():
            if mid not in by_id:
                if lid in layouts:
                    self.V(f"{mid} disappeared but its layout {lid} is still listed")
                self.forgotten.add(mid)
        self.prev_mstate = {p["id"]: p["state"] for p in panes if p["state"] in STEP}
        self.prev_mlayout = {p["id"]: p["layout"] for p in panes}

    def check_inboxes(self, snap):
        for sid, doc in snap["inboxes"].items():
            self.inbox_checks += 1
            d, c, dr, u = doc["delivered"], doc["consumed"], doc["dropped"], doc["unread"]
            if d != c + dr + u:
                self.V(f"inbox {sid}: delivered {d} != consumed {c} + dropped {dr} + unread {u}")
            seqs = [m["seq"] for m in doc["messages"]]
            want = list(range(d - u + 1, d + 1))
            if not snap["full"]:
                want = want[:1]
            if seqs != want:
                self.V(f"inbox {sid}: unread numbers {seqs[:10]}, expected {want[:10]}")
            prev = self.inbox_prev.get(sid)
            if prev and (d < prev[0] or c < prev[1] or dr < prev[2]):
                self.inbox_back.add(sid)
            self.inbox_prev[sid] = (d, c, dr)

    def publish(self, snap, agents):
        """What the workers choose their targets from."""
        home = {s[0] for s in snap["sessions"] if s[1].startswith(HOME_PREFIX)}
        live = {lay["id"] for lay in snap["lsal"]["layouts"] if lay["state"] != "removed"}
        self.r.view = {
            "sessions": snap["sessions"],
            "agents": list(agents),
            "grouped": [sid for sid, a in agents.items() if a["group"] is not None],
            "groups": [g["name"] for g in snap["lsag"]["groups"]],
            "layouts": [(lay["id"], lay["session_id"]) for lay in snap["lsal"]["layouts"]
                        if lay["state"] != "removed"],
            "mpanes": [(p["id"], p["state"], p["layout"], p["label"])
                       for p in snap["lsap"]["panes"]],
            "recreatable": [p["id"] for p in snap["lsap"]["panes"]
                            if p["successor"] is None
                            and p["state"] in ("degraded", "failed", "removed")
                            and p["layout"] in live],
            "panes": [p[0] for p in snap["tpanes"] if p[1] not in home],
            "all_panes": [p[0] for p in snap["tpanes"]],
        }

    # --- the thread ------------------------------------------------------------

    def run(self):
        timeout = self.r.args.timeout
        period = self.r.args.period
        try:
            while not self.r.stop.is_set():
                snap = self.take(timeout)
                if snap is not None:
                    self.check(snap)
                deadline = time.monotonic() + period
                while time.monotonic() < deadline and not self.r.stop.is_set():
                    try:
                        line = self.ctl.readline(min(deadline, time.monotonic() + 0.1))
                        self.ctl.on_line(line)
                    except Hang:
                        pass
        except Hang:
            self.V(f"checker: a snapshot took more than {timeout} s")
            self.failed = True
        except Closed:
            self.V("checker: control client closed (server gone?)")
            self.failed = True
        except Exception:
            self.V(f"checker: {traceback.format_exc()}")
            self.failed = True
        self.done.set()


def start(run):
    """The server, its options, home sessions and templates."""
    rc, out, err = run.tmux_run("new-session", "-d", "-s", "h0", "-x", "80", "-y", "24", "cat")
    if rc != 0:
        raise SystemExit(f"stress: cannot start the server: {err.strip()}")
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
    for n in range(1, run.args.homes + 1):
        setup.append(["new-session", "-d", "-s", f"h{n}", "-x", "80", "-y", "24", "cat"])
    argv = []
    for cmd in setup:
        argv += cmd + [";"]
    rc, out, err = run.tmux_run(*argv[:-1])
    if rc != 0:
        raise SystemExit(f"stress: set-up failed: {err.strip()}")
    rc, out, _ = run.tmux_run("display-message", "-p", "#{pid}")
    run.server_pid = int(out.strip())


def define_templates(run):
    for args in TEMPLATES.values():
        rc, _, err = run.tmux_run("define-agent-template", *args)
        if rc != 0:
            raise SystemExit(f"stress: define-agent-template {args}: {err.strip()}")
    for name in POOL[:6]:
        run.tmux_run("new-session", "-d", "-s", name, "-G", "claude", "cat")


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


def finish(run, checker, workers):
    """Stop, final snapshot and the checks that need everything."""
    run.stop.set()
    limit = time.monotonic() + run.args.timeout + 10
    for w in workers:
        w.join(max(0.1, limit - time.monotonic()))
        if w.is_alive():
            run.violate(f"worker {w.wid} did not stop (hung)")
    checker.join(run.args.timeout + 10)
    if checker.is_alive():
        run.violate("checker did not stop (hung)")
        return
    if checker.failed:
        return
    # Settle timers and exiting panes still run; the checks below allow for
    # that. Drain notifications once so that everything before is in.
    ctl = checker.ctl
    try:
        ctl.sync(run.args.timeout)
        snap = checker.take(run.args.timeout, full=True)
        ctl.sync(run.args.timeout)
    except (Hang, Closed) as e:
        run.violate(f"final snapshot failed: {type(e).__name__}")
        return
    if snap is None:
        return
    checker.check(snap)
    checker.check_versions({}, None)  # confirm pending drops
    final_messages(run, checker, snap)
    final_events(run, checker, snap)


def current_inbox(run, sid):
    """The messages consumed from the inbox `sid` has now: those consumed
    after its last set-agent -u. None when that can't be told (a consume
    ran while that set-agent -u did)."""
    recs = run.consumed.get(sid, [])
    resets = run.unset.get(sid)
    if not resets:
        return recs
    r0, r1 = max(resets, key=lambda r: r[1])
    if any(t0 < r1 and t1 > r0 for _, _, _, t0, t1 in recs):
        return None
    return [rec for rec in recs if rec[3] >= r1]


def final_messages(run, checker, snap):
    # No message consumed twice: texts are unique per send, and a send
    # reaches an inbox at most once.
    consumed_total = 0
    for sid, recs in run.consumed.items():
        consumed_total += len(recs)
        texts = collections.Counter(rec[1] for rec in recs)
        twice = [t for t, n in texts.items() if n > 1]
        if twice:
            run.violate(f"inbox {sid}: consumed more than once: {twice[:5]}")
        current = current_inbox(run, sid)
        seqs = collections.Counter(rec[0] for rec in current or [] if rec[0] is not None)
        twice = [n for n, k in seqs.items() if k > 1]
        if twice:
            run.violate(f"inbox {sid}: numbers consumed more than once: {twice[:5]}")
    for sid in checker.ev_resets | checker.inbox_back:
        if sid not in run.unset:
            run.violate(f"inbox {sid} started again but no set-agent -u removed it")
    for sid, doc in snap["inboxes"].items():
        unread = {m["text"] for m in doc["messages"]}
        both = unread & {rec[1] for rec in run.consumed.get(sid, [])}
        if both:
            run.violate(f"inbox {sid}: consumed and still unread: {sorted(both)[:5]}")
        last = checker.ev_seq.get(sid, 0)
        reset = sid in run.unset
        # After a reset with no message since, the last number announced is
        # the old inbox's.
        if doc["delivered"] != last and not (reset and doc["delivered"] == 0):
            run.violate(f"inbox {sid}: delivered {doc['delivered']}, last "
                        f"%agent-message number {last}")
        current = current_inbox(run, sid)
        if current is None:
            run.final_unknown += 1
            continue
        run.final_inboxes += 1
        run.log(f"final inbox {sid}: delivered {doc['delivered']} consumed {doc['consumed']} "
                f"dropped {doc['dropped']} unread {doc['unread']}; clients consumed "
                f"{len(current)} (of {len(run.consumed.get(sid, []))}); reset {reset}")
        if doc["consumed"] != len(current):
            run.violate(f"inbox {sid}: server consumed {doc['consumed']}, clients "
                        f"consumed {len(current)}"
                        + (" since its last set-agent -u" if reset else ""))
    if run.reported_deliveries != checker.ev_messages:
        run.violate(f"senders were told of {run.reported_deliveries} deliveries, "
                    f"{checker.ev_messages} %agent-message lines came")
    run.consumed_total = consumed_total


def final_events(run, checker, snap):
    listed = {g["name"]: [m["session_id"] for m in g["members"]]
              for g in snap["lsag"]["groups"]}
    if listed != checker.ev_members:
        diff = {k: (listed.get(k), checker.ev_members.get(k))
                for k in set(listed) | set(checker.ev_members)
                if listed.get(k) != checker.ev_members.get(k)}
        run.violate(f"members by notification differ from the listing "
                    f"(listed, notified): {str(diff)[:400]}")
    versions = {g["name"]: g["version"] for g in snap["lsag"]["groups"]}
    notified = {k: v for k, v in checker.ev_version.items() if k in versions}
    if {k: versions[k] for k in notified} != notified:
        run.violate(f"context versions by notification {notified} differ from "
                    f"the listing {versions}"[:500])
    for p in snap["lsap"]["panes"]:
        tp = p["pane_id"]
        if tp and tp in checker.ev_pane:
            ev = checker.ev_pane[tp]
            if p["state"] in STEP and ev not in REACH[p["state"]]:
                run.violate(f"{p['id']} ({tp}) is {p['state']} but was announced {ev}")


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


def report(run, checker, workers, elapsed, alive, ms):
    a = run.args
    nctl = sum(1 for w in workers if w.control)
    print(f"stress: {elapsed:.1f} s, {len(workers)} clients ({nctl} control-mode, "
          f"{len(workers) - nctl} command), seed {a.seed}")
    total_ok = sum(v[0] for v in run.ops.values())
    total_err = sum(v[1] for v in run.ops.values())
    print(f"operations: {total_ok + total_err} ({total_ok} ok, {total_err} error answers)")
    print(f"  {'command':<28} {'ok':>7} {'error':>7}")
    for label in sorted(run.ops):
        ok, err = run.ops[label]
        print(f"  {label:<28} {ok:>7} {err:>7}")
    ev = checker.events
    print(f"snapshots checked: {checker.snapshots}; inbox checks: {checker.inbox_checks}; "
          f"notifications: {sum(ev.values())} "
          f"({', '.join(f'{k[7:]} {v}' for k, v in sorted(ev.items()))})")
    print(f"messages: {run.reported_deliveries} deliveries, "
          f"{getattr(run, 'consumed_total', 0)} consumed by clients, "
          f"{run.final_inboxes} inboxes matched at the end "
          f"({run.final_unknown} not: consumed from while set-agent -u ran)")
    print(f"violations: {len(run.violations)}")
    for v in run.violations[:50]:
        print(f"  {v}")
    if len(run.violations) > 50:
        print(f"  ... and {len(run.violations) - 50} more")
    print(f"server: {'alive' if alive else 'NOT alive'}"
          + (f" (pid {run.server_pid}, display -p in {ms:.0f} ms)" if alive else ""))


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tmux", default=os.path.join(here, "..", "target", "release", "tmux"))
    ap.add_argument("--duration", type=float, default=60)
    ap.add_argument("--clients", type=int, default=32)
    ap.add_argument("--command-clients", type=int, default=None,
                    help="how many clients run one process per command (default 1/4)")
    ap.add_argument("--homes", type=int, default=4, help="sessions control clients attach to")
    ap.add_argument("--period", type=float, default=0.5, help="seconds between snapshots")
    ap.add_argument("--timeout", type=float, default=20,
                    help="seconds after which a command counts as hung")
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    ap.add_argument("--verbose", action="store_true")
    ap.add_argument("--log", help="write every command and its answer to this file")
    a = ap.parse_args()
    a.tmux = os.path.abspath(a.tmux)
    if not os.access(a.tmux, os.X_OK):
        print(f"stress: no tmux binary at {a.tmux} (build it first)", file=sys.stderr)
        return 2
    if a.seed is None:
        a.seed = random.randrange(1 << 30)
    if a.command_clients is None:
        a.command_clients = max(1, a.clients // 4)
    run = Run(a)
    rng = random.Random(a.seed)
    workers = []
    checker = None
    alive, ms = False, 0
    t0 = time.monotonic()
    try:
        start(run)
        checker = Checker(run)
        checker.ctl = Control(run, "h0", "no-output", checker.on_line)
        checker.ctl.sync(a.timeout)
        define_templates(run)
        snap = checker.take(a.timeout)
        if snap is not None:
            checker.check(snap)
        for wid in range(a.clients):
            control = wid >= a.command_clients
            home = f"h{rng.randint(1, a.homes)}"
            workers.append(Worker(run, wid, control, home))
        checker.start()
        for w in workers:
            w.start()
        end = time.monotonic() + a.duration
        while time.monotonic() < end and not checker.done.is_set():
            time.sleep(0.1)
        finish(run, checker, workers)
        alive, ms = server_alive(run)
    except (Hang, Closed) as e:
        run.violate(f"set-up: {type(e).__name__}")
    finally:
        run.stop.set()
        elapsed = time.monotonic() - t0
        if checker is not None and checker.ctl is not None:
            if not checker.ctl.close():
                run.violate("checker control client did not exit")
        for p in run.popens:
            if p.poll() is None:
                run.violate(f"client process {p.pid} still running at the end")
                p.kill()
                p.wait()
        try:
            run.tmux_run("kill-server", timeout=10)
        except subprocess.TimeoutExpired:
            run.violate("kill-server hung")
        limit = time.monotonic() + 5
        while leftover_processes(run) and time.monotonic() < limit:
            time.sleep(0.1)
        for pid, cmd in leftover_processes(run):
            run.violate(f"process left behind: {pid} {cmd}")
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        if checker is not None:
            report(run, checker, workers, elapsed, alive, ms)
        if a.keep:
            print(f"kept {run.dir}")
        else:
            shutil.rmtree(run.dir, ignore_errors=True)
    return 1 if run.violations or not alive else 0


if __name__ == "__main__":
    sys.exit(main())
