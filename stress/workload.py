"""The default operation mix: what each stress client does.

A Worker is one client (a control-mode client, or one `tmux` process per
command) that runs random operations, weighted by Worker.OPS, until the run
stops: every command that changes agent state, plus new-session,
kill-session, rename-session, kill-pane and the managed-layout commands.
It chooses its targets from the view the checker publishes after each
snapshot and records what the end checks need (messages consumed, set-agent
-u, deliveries it was told about). The names the operations draw from and
the templates the server starts with are here too.
"""

import json
import random
import re
import subprocess
import threading
import time
import traceback

from harness import Closed, Control, Hang, is_json_doc, quote


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


def define_templates(run):
    for args in TEMPLATES.values():
        rc, _, err = run.tmux_run("define-agent-template", *args)
        if rc != 0:
            raise SystemExit(f"stress: define-agent-template {args}: {err.strip()}")
    for name in POOL[:6]:
        run.tmux_run("new-session", "-d", "-s", name, "-G", "claude", "cat")
