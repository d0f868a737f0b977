"""The adversarial mix (--mix adversarial): random sequences meant to break the server.

Where the default mix exercises the agent commands, this one also throws the
upstream commands that move, share and destroy windows and panes at the
same small set of names: grouped sessions (new -t), link-window and
unlink-window, break-pane and join-pane, swap-pane, swap-window and
move-window, respawn-pane -k, renames, kill-window, kill-pane and
kill-session, commands joined with `;`, hooks on agent and upstream events
that run kill-*, new-window, agent-share and the like, waits (agent-wait,
wait-for) whose clients are killed half way, prompts, and switch-client from
the control clients that are attached all along. Targets are names
(A0:1.0, lay2:s1) rather than ids, so that a saved sequence means the same
thing against a fresh server.

A run is a series of rounds (a fresh server each, at most --round seconds)
until --duration is used up. The checker of the default mix checks its
invariants in every round; a watchdog checks that the server process lives
and answers within --hang-timeout. A crash or a hang ends the round: the
last --keep-ops operations (and every set-hook and template command before
them) are saved with the backtrace of the core dump or of the hung server
and, with --server-log, the server's -v log (crashes.py). The run stops by
itself after --duration plus, per new crash signature, at most --minimize
seconds of replay that shrinks the sequence.
"""

import re
import subprocess
import time

import crashes
from harness import Closed, Hang, Run
from workload import LAYOUT_NAMES, TEMPLATES, Worker

SESSIONS = [f"A{n}" for n in range(6)]
NAMES = SESSIONS + LAYOUT_NAMES
LABELS = ["m1", "m2", "s1", "s2", "a", "b", "w", "x", "s", "z"]
CHANNELS = ["c0", "c1", "c2"]
HOOK_EVENTS = [
    "agent-group-changed", "agent-context-changed", "agent-pane-state",
    "agent-message", "session-closed", "session-created", "session-renamed",
    "window-linked", "window-unlinked", "window-renamed", "pane-exited",
    "pane-died", "after-kill-pane", "after-new-window", "after-split-window",
    "after-break-pane", "after-join-pane", "after-link-window",
    "after-respawn-pane", "client-session-changed", "session-window-changed",
    "window-pane-changed", "after-select-window",
]
# Commands a hook runs. Those with no target act on the hook's own target
# (the session, window or pane of its event) or, when that is gone or the
# event has none, on tmux's "current" state: the most recently used client
# and its session. In a run that is the checker's control client (it sends a
# snapshot twice a second) and its session h0, so on upstream events such as
# window-linked (whose window may already be freed), session-closed,
# pane-exited or after-kill-pane an untargeted kill-window went on to kill h0,
# the homes and every other session; with no session left, tmux detaches every
# client (detach-on-destroy off switches a client only while another session
# remains): the "checker detached" and "checker told %exit" findings. That is
# upstream behaviour, not a server fault, so untargeted commands are set only
# on the agent events, whose hooks must never fall back to an unrelated
# session (issue 18 item 4): there, reaching h0 is a real finding.
UNTARGETED_HOOK_COMMANDS = [
    "kill-session", "kill-window", "kill-pane", "new-window -d", "split-window -d",
    "break-pane -d", "respawn-pane -k", "agent-share k0=hook",
    "agent-leave-group", "agent-join-group g1",
]
# These name workload sessions (never h0 or a home) or act on no session.
# No agent-send: the checker accounts for every delivery exactly (what the
# senders were told against the %agent-message lines, each text consumed
# once), and a send that a hook runs tells no worker and repeats one text.
TARGETED_HOOK_COMMANDS = [
    "kill-session -t A0", "kill-window -t A1:0", "kill-pane -t A2:0.0",
    "new-window -d -t A2", "new -d -s A3", "new -d -s A4 -t A1",
    "unlink-window -k -t A0:1",
    "link-window -d -s A1:0 -t A0:5", "swap-pane -d -s A0:0.0 -t A2:0.0",
    "agent-share -t A0 k1=hook",
    "agent-pane-remove -t lay0:s1", "agent-pane-recreate -t lay1:m1",
    "kill-agent-layout -t lay2",
    "if-shell -b 'sleep 0.2' 'agent-wait -T 0.5 -t A0 k2'",
    "run-shell -b true", "set -g @hooked '#{hook} #{hook_session}'",
]
HOOK_COMMANDS = UNTARGETED_HOOK_COMMANDS + TARGETED_HOOK_COMMANDS
# Hooks whose command causes their own event again, without end, through
# upstream events alone: a window-linked hook that creates a window (in a
# session group every new window is linked into each member, each link runs
# the hook again, which creates another window: the server spends its time in
# session_group_synchronize1 < spawn_window and never answers), and an
# after-new-window hook that creates a window. Plain tmux 3.5a storms the
# same way (its hooks do not guard against re-triggering through upstream
# notifications), so such a hook is a fault of the configuration, not of the
# server: the workload does not set them.
# The same goes for a window-renamed hook that creates a window: a new
# window's name is checked once, on a later pass of the server loop, against
# its pane's current command; when the queue is busy (a hook storm, 32
# clients), that pass comes after `sh -c cat` has started, the name changes
# from cat to sh, window-renamed runs the hook again, and so on: a chain
# that adds a window per rename without end (a session had 865 windows after
# 40 s, and the watchdog then found the server still busy after 10 s, in
# forkpty < spawn_window < new-window). Plain 3.5a's loop and names.c behave
# the same; tmux has no window limit to hit.
STORMS = {
    ("window-linked", "new-window -d -t A2"), ("window-linked", "new -d -s A4 -t A1"),
    ("window-linked", "new-window -d"), ("window-linked", "break-pane -d"),
    ("after-new-window", "new-window -d -t A2"), ("after-new-window", "new-window -d"),
    ("window-renamed", "new-window -d -t A2"), ("window-renamed", "new-window -d"),
}


def hook_commands(event):
    """What a hook on `event` may run (see above)."""
    table = HOOK_COMMANDS if event.startswith("agent-") else TARGETED_HOOK_COMMANDS
    return [c for c in table if (event, c) not in STORMS]


def add_options(ap):
    g = ap.add_argument_group("adversarial mix")
    g.add_argument("--mix", choices=("default", "adversarial"), default="default",
                   help="the operation mix (default: as make stress runs it)")
    g.add_argument("--round", type=float, default=60,
                   help="seconds of one round (one fresh server)")
    g.add_argument("--hang-timeout", type=float, default=10,
                   help="seconds the server may take to answer the watchdog")
    g.add_argument("--keep-ops", type=int, default=300,
                   help="operations saved before a crash or hang")
    g.add_argument("--max-findings", type=int, default=20,
                   help="stop after this many crashes or hangs")
    g.add_argument("--minimize", type=float, default=60,
                   help="seconds of replay to shrink the first crash of each "
                   "signature (0: none)")
    g.add_argument("--server-log", action="store_true",
                   help="start the server with -v and keep its log with each finding")
    g.add_argument("--findings", default=None,
                   help="where findings go (default target/stress-findings)")
    g.add_argument("--replay", metavar="OPS.jsonl",
                   help="replay saved operations serially; exit 1 if the server dies")
    g.add_argument("--timed", action="store_true",
                   help="with --replay: send at the recorded times, without waiting")


def name_of(view):
    return dict(view.get("sessions") or [])


def replayable(argv, view):
    """argv with session ids ($N) replaced by the names they had."""
    names = name_of(view)
    return [names.get(a, a) if re.fullmatch(r"\$\d+", a) else a for a in argv]


class AdversarialRun(Run):
    """One round: a Run that also keeps the recent operations and stops at
    the first finding."""

    def __init__(self, args, number):
        super().__init__(args)
        self.number = number
        self.recent = []        # every operation of the round, in the order sent
        self.state_ops = []     # set-hook, define-agent-template: in order
        self.finding = None
        self.after_finding = 0  # violations once the server was gone
        self.killed_consumes = {}  # sid: agent-wait -m -c killed half way
        if args.server_log:
            self.server_flags = ["-v"]
        self.start_preexec = crashes.allow_core
        self.own_blocks = True

    def violate(self, text):
        if self.finding is None and self.server_pid and not crashes.pid_alive(self.server_pid):
            self.found("crash", f"server pid {self.server_pid} is gone")
        if self.finding is not None:
            with self.lock:
                self.after_finding += 1
            return
        super().violate(text)
        if text.startswith("checker: control client closed"):
            # The server lives but dropped the checker's control client
            # (its session is h0, which no operation targets): keep the
            # operations that led there.
            self.found("detached", "the checker's control client was dropped while "
                       "the server runs")

    def record(self, wid, via, argv, **extra):
        rec = {"t": round(time.monotonic() - self.started, 3), "wid": wid, "via": via,
               "argv": replayable(argv, self.view), **extra}
        with self.lock:
            self.recent.append(rec)
            if argv[0] in ("set-hook", "define-agent-template"):
                self.state_ops.append(rec)
        return rec

    def found(self, kind, detail, upto=None):
        """The first crash, hang or stall of the round ends it. The
        operations kept are the last --keep-ops sent (up to and shortly
        after `upto`, the stalled one, if given)."""
        with self.lock:
            if self.finding is not None:
                return False
            ops = self.recent
            if upto is not None:
                end = next((i for i, r in enumerate(ops) if r is upto), len(ops) - 1)
                ops = ops[:end + 1]
            ops = ops[-self.args.keep_ops:]
            ids = {id(r) for r in ops}
            first = ops[0]["t"] if ops else 0
            self.finding = {"kind": kind, "detail": detail,
                            "t": round(time.monotonic() - self.started, 2),
                            "ops": ops,
                            "state": [r for r in self.state_ops
                                      if id(r) not in ids and r["t"] <= first]}
        self.stop.set()
        return True


class AdversarialWorker(Worker):
    """A client of the adversarial mix: the agent operations of Worker with
    name targets, plus the upstream ones that move and destroy things."""

    # --- names ---------------------------------------------------------------

    def name(self):
        return self.pick(NAMES)

    def session(self, kill=False):
        return self.name()

    def grouped(self):
        return self.name()

    def window(self):
        return f"{self.name()}:{self.rng.randint(0, 3)}"

    def pane(self):
        return f"{self.window()}.{self.rng.randint(0, 2)}"

    def mpane(self):
        return f"{self.pick(LAYOUT_NAMES)}:{self.pick(LABELS)}"

    # --- running -------------------------------------------------------------

    inflight = None

    def blind_consume(self, sid):
        """A consume from inbox `sid` whose answer no client will see."""
        with self.r.lock:
            self.r.killed_consumes[sid] = self.r.killed_consumes.get(sid, 0) + 1

    def exec(self, label, argv):
        rec = self.r.record(self.wid, "ctl" if self.ctl is not None else "proc", argv)
        self.inflight = (time.monotonic(), rec)
        try:
            ok, body = super().exec(label, argv)
        except Closed:
            # The control client was closed (its session killed by a hook or
            # another worker) with this command in flight: a consume it made
            # may have been answered into the closed connection.
            if "-c" in argv and argv[0] in ("agent-inbox", "agent-wait") and "-t" in argv:
                self.blind_consume(argv[argv.index("-t") + 1])
                self.r.log(f"{self.wid} closed during {argv}")
            raise
        self.inflight = None
        rec["ok"] = ok
        return ok, body

    def run(self):
        tries = 0
        try:
            while not self.r.stop.is_set():
                try:
                    self.loop()
                except Closed:
                    # Its session went (a hook, a kill with no session to
                    # switch to): come back unless the server is gone.
                    if self.r.stop.is_set() or not crashes.pid_alive(self.r.server_pid):
                        break
                    tries += 1
                    self.r.count("(control client reattached)", tries < 50)
                    if tries >= 50:
                        self.r.violate(f"worker {self.wid}: detached 50 times")
                        break
                    if self.ctl is not None:
                        self.ctl.close()
                        self.ctl = None
                    try:
                        self.r.tmux_run("new-session", "-d", "-s", self.home, "-x", "80",
                                        "-y", "24", "cat", timeout=self.r.args.timeout)
                    except subprocess.TimeoutExpired:
                        pass
        except Hang:
            self.r.violate(f"worker {self.wid}: a command hung for more than "
                           f"{self.r.args.timeout} s")
        except Exception:
            import traceback
            self.r.violate(f"worker {self.wid}: {traceback.format_exc()}")
        finally:
            if self.ctl is not None:
                if not self.ctl.close():
                    self.r.violate(f"worker {self.wid}: control client did not exit")

    # --- the agent operations, with name targets ---------------------------------

    def op_new_session(self):
        argv = ["new-session", "-d", "-s", self.pick(SESSIONS)]
        r = self.rng.random()
        if r < 0.3:
            argv += ["-t", self.name()]          # a grouped session
        elif r < 0.6:
            argv += ["-G", self.pick(["claude", "codex"])]
        if self.rng.random() < 0.3:
            argv += ["-o", f"goal of {self.wid}"]
        self.exec("new-session", argv)

    def op_kill_session(self):
        self.exec("kill-session", ["kill-session", "-t", self.name()])

    def op_rename_session(self):
        self.exec("rename-session", ["rename-session", "-t", self.name(), self.name()])

    def op_kill_pane(self):
        self.exec("kill-pane", ["kill-pane", "-t", self.pane()])

    def op_pane_recreate(self):
        argv = ["agent-pane-recreate", "-t", self.mpane()]
        if self.rng.random() < 0.3:
            argv.append(self.pick(["cat", "true", "sleep 0.5"]))
        self.exec("agent-pane-recreate", argv)

    def op_kill_layout(self):
        self.exec("kill-agent-layout", ["kill-agent-layout", "-t", self.pick(LAYOUT_NAMES)])

    def op_prompt(self):
        argv = ["agent-prompt", "-f", "-d", "0", "-t", self.pane(), f"prompt {self.n}"]
        if self.ctl is not None or self.rng.random() < 0.5:
            argv.insert(1, "-b")
        self.exec("agent-prompt", argv)

    def op_template(self):
        name = self.pick(sorted(TEMPLATES))
        if self.rng.random() < 0.3:
            self.exec("define-agent-template -u", ["define-agent-template", "-u", name])
        else:
            self.exec("define-agent-template", ["define-agent-template", *TEMPLATES[name]])

    # --- upstream operations ---------------------------------------------------

    def op_new_window(self):
        argv = ["new-window", "-d", "-t", self.pick([self.name(), self.window()])]
        if self.rng.random() < 0.3:
            argv.append(self.pick(["true", "sleep 0.3"]))
        self.exec("new-window", argv)

    def op_split(self):
        argv = ["split-window", "-d", "-t", self.pick([self.window(), self.pane()])]
        if self.rng.random() < 0.5:
            argv.insert(1, "-h")
        self.exec("split-window", argv)

    def op_kill_window(self):
        self.exec("kill-window", ["kill-window", "-t", self.window()])

    def op_link(self):
        argv = ["link-window", "-d", "-s", self.window(),
                "-t", f"{self.name()}:{self.rng.randint(0, 6)}"]
        if self.rng.random() < 0.3:
            argv.insert(1, "-k")
        self.exec("link-window", argv)

    def op_unlink(self):
        argv = ["unlink-window", "-t", self.window()]
        if self.rng.random() < 0.5:
            argv.insert(1, "-k")
        self.exec("unlink-window", argv)

    def op_break(self):
        argv = ["break-pane", "-d", "-s", self.pane()]
        if self.rng.random() < 0.6:
            argv += ["-t", self.name() + ":"]
        self.exec("break-pane", argv)

    def op_join_pane(self):
        argv = ["join-pane", "-d", "-s", self.pane(), "-t", self.window()]
        if self.rng.random() < 0.5:
            argv.insert(1, "-h")
        self.exec("join-pane", argv)

    def op_swap_pane(self):
        self.exec("swap-pane", ["swap-pane", "-d", "-s", self.pane(), "-t", self.pane()])

    def op_move_window(self):
        argv = ["move-window", "-d", "-s", self.window(),
                "-t", f"{self.name()}:{self.rng.randint(0, 6)}"]
        if self.rng.random() < 0.3:
            argv.insert(1, "-k")
        self.exec("move-window", argv)

    def op_swap_window(self):
        self.exec("swap-window", ["swap-window", "-d", "-s", self.window(), "-t", self.window()])

    def op_respawn(self):
        if self.rng.random() < 0.7:
            argv = ["respawn-pane", "-k", "-t", self.pane()]
        else:
            argv = ["respawn-window", "-k", "-t", self.window()]
        if self.rng.random() < 0.4:
            argv.append(self.pick(["cat", "true", "sleep 0.2"]))
        self.exec("respawn -k", argv)

    def op_rename_window(self):
        self.exec("rename-window", ["rename-window", "-t", self.window(), self.pick(LABELS)])

    def op_select(self):
        if self.rng.random() < 0.5:
            self.exec("select-window", ["select-window", "-t", self.window()])
        else:
            self.exec("select-pane", ["select-pane", "-t", self.pane()])

    def op_switch(self):
        if self.ctl is not None:
            self.exec("switch-client", ["switch-client", "-t", self.name()])

    def op_hook(self):
        event = self.pick(HOOK_EVENTS)
        r = self.rng.random()
        if r < 0.2:
            self.exec("set-hook -u", ["set-hook", "-gu", event])
        else:
            flag = "-ga" if r < 0.4 else "-g"
            self.exec("set-hook", ["set-hook", flag, event, self.pick(hook_commands(event))])

    COMPOUND = ["op_new_window", "op_kill_window", "op_kill_session", "op_link",
                "op_kill_pane", "op_break", "op_join_pane", "op_unlink", "op_new_session"]

    def op_compound(self):
        """Two or three operations on one command line, as in
        `kill-window -t X:0 ; kill-session -t X`."""
        parts = []
        real = self.exec
        self.exec = lambda label, argv: parts.append(argv) or (True, [])
        try:
            for _ in range(self.rng.randint(2, 3)):
                getattr(self, self.pick(self.COMPOUND))()
        finally:
            self.exec = real
        argv = []
        for p in parts:
            argv += p + [";"]
        self.exec("(compound)", argv[:-1])

    def op_killed_wait(self):
        """A waiting or prompting client killed half way."""
        r = self.rng.randint(0, 3)
        if r == 0:
            argv = ["agent-wait", "-t", self.name(), self.pick(["k0", "k1", "never"])]
        elif r == 1:
            # By id, so that the inbox it may take from is known exactly (a
            # name may belong to another session by the time the server runs
            # the command). Killed, it may have consumed a message that no
            # client then records: the end check allows one such consume per
            # kill.
            sids = sorted(name_of(self.r.view))
            if not sids:
                return
            sid = self.pick(sids)
            argv = ["agent-wait", "-m", "-c", "-t", sid]
            self.blind_consume(sid)
        elif r == 2:
            argv = ["wait-for", self.pick(CHANNELS)]
        else:
            argv = ["agent-prompt", "-f", "-t", self.pane(), f"killed {self.n}"]
        delay = round(self.rng.random() * 0.3, 3)
        self.r.record(self.wid, "killed", argv, kill_after=delay)
        p = subprocess.Popen(self.r.argv(*argv), stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, env=self.r.env, cwd=self.r.dir)
        time.sleep(delay)
        p.kill()
        p.wait()
        self.r.count("(killed wait)", True)

    def op_signal(self):
        self.exec("wait-for -S", ["wait-for", "-S", self.pick(CHANNELS)])

    OPS = [
        # the agent operations of the default mix
        ("op_new_session", 5), ("op_kill_session", 2), ("op_rename_session", 1),
        ("op_kill_pane", 2), ("op_set_agent", 3), ("op_unset_agent", 1),
        ("op_join", 4), ("op_leave", 2), ("op_share", 4), ("op_send", 4),
        ("op_inbox", 3), ("op_new_layout", 3), ("op_pane_remove", 2),
        ("op_pane_recreate", 2), ("op_kill_layout", 1), ("op_template", 1),
        ("op_prompt", 2), ("op_read", 2),
        # the upstream ones
        ("op_new_window", 4), ("op_split", 3), ("op_kill_window", 3),
        ("op_link", 4), ("op_unlink", 2), ("op_break", 3), ("op_join_pane", 3),
        ("op_swap_pane", 2), ("op_move_window", 2), ("op_swap_window", 1),
        ("op_respawn", 3), ("op_rename_window", 1), ("op_select", 1),
        ("op_switch", 2), ("op_hook", 3), ("op_compound", 3),
        ("op_killed_wait", 1), ("op_signal", 1),
    ]
    PROC_OPS = OPS + [("op_wait_message", 4), ("op_wait_key", 3)]
