"""Stress the persistent store (issue 15): the server is killed with
SIGKILL and restarted (`agent-restore`) every few seconds while clients
share and send; `stress.py --restarts SECONDS` runs it.

Clients (one `tmux` process per command, so each acknowledgement is the
exit status of its own command) write context keys whose values carry a
counter that only grows per key, and send messages. For every
acknowledged write the time of its acknowledgement is kept. A watcher
reads the groups' versions and the inboxes' delivered counts as they run.
After each kill and restore it checks:

  durability  every key has at least the value of the newest write
              acknowledged more than the bound (@agent-store-interval,
              default 200 ms) before the kill, and no value never written;
  versions    no group's context version and no inbox's delivered count is
              below one seen before the kill (they never go backwards);
  liveness    the restarted server answers and restores the agents.

Prints a summary and returns 0 when nothing was violated, else 1.
"""
import json
import os
import random
import shutil
import subprocess
import tempfile
import threading
import time

BOUND = float(os.environ.get("STRESS_STORE_BOUND", "0.2"))


class Restarts:
    def __init__(self, a):
        self.a = a
        self.dir = tempfile.mkdtemp(prefix="stress-restarts.")
        self.sock = os.path.join(self.dir, "sock")
        self.env = dict(os.environ, XDG_STATE_HOME=os.path.join(self.dir, "state"),
                        HOME=self.dir, SHELL="/bin/sh")
        self.lock = threading.Lock()
        # key -> list of (ack time, counter) for acknowledged writes
        self.acked = {}
        # key -> highest counter ever attempted
        self.tried = {}
        self.max_version = {}
        self.max_delivered = {}
        self.violations = []
        self.stop = threading.Event()
        self.ops = 0
        self.kills = 0
        self.checked_keys = 0
        # The largest loss window seen: how long before a kill the oldest
        # acknowledged write that did not come back was acknowledged.
        self.max_loss = 0.0

    def t(self, *args, timeout=20):
        try:
            p = subprocess.run([self.a.tmux, "-S", self.sock, "-f", "/dev/null", *args],
                               env=self.env, capture_output=True, text=True, timeout=timeout)
            return p.returncode, p.stdout
        except subprocess.TimeoutExpired:
            return 124, ""

    def violation(self, text):
        with self.lock:
            self.violations.append(text)
        if self.a.verbose:
            print("VIOLATION:", text)

    def setup(self):
        self.t("new-session", "-d", "-s", "home", "cat")
        for s in ("a", "b", "c"):
            self.t("new-session", "-d", "-s", s, "-G", "stress", "cat")
            self.t("agent-join-group", "-t", s, "team")

    def writer(self, wid):
        rng = random.Random(self.a.seed * 100 + wid)
        n = 0
        while not self.stop.is_set():
            n += 1
            if rng.random() < 0.8:
                key = f"w{wid}k{rng.randrange(8)}"
                with self.lock:
                    self.tried[key] = n
                rc, _ = self.t("agent-share", "-q", "-t", rng.choice("abc"), f"{key}={n}")
                if rc == 0:
                    with self.lock:
                        self.acked.setdefault(key, []).append((time.monotonic(), n))
            else:
                self.t("agent-send", "-q", "-t", rng.choice("abc"), f"m{wid}-{n}")
            with self.lock:
                self.ops += 1

    def observe(self):
        """Versions and delivered counts now; None if the server is down."""
        rc, out = self.t("list-agent-groups", "-J", timeout=5)
        if rc != 0:
            return None
        try:
            groups = {g["name"]: g["version"] for g in json.loads(out)["groups"]}
        except (ValueError, KeyError):
            return None
        inboxes = {}
        for s in "abc":
            rc, out = self.t("agent-inbox", "-J", "-t", f"={s}", timeout=5)
            if rc == 0:
                try:
                    inboxes[s] = json.loads(out)["delivered"]
                except (ValueError, KeyError):
                    pass
        return groups, inboxes

    def watcher(self):
        while not self.stop.is_set():
            seen = self.observe()
            if seen:
                with self.lock:
                    for g, v in seen[0].items():
                        self.max_version[g] = max(self.max_version.get(g, 0), v)
                    for s, d in seen[1].items():
                        self.max_delivered[s] = max(self.max_delivered.get(s, 0), d)
            time.sleep(0.1)

    def tried_now(self, key):
        with self.lock:
            return self.tried.get(key, 0)

    def pid(self):
        rc, out = self.t("display-message", "-p", "#{pid}", timeout=5)
        return int(out.strip()) if rc == 0 and out.strip().isdigit() else None

    def kill_and_restore(self):
        pid = self.pid()
        if pid is None:
            self.violation("server not answering before a kill")
            return
        with self.lock:
            before_v = dict(self.max_version)
            before_d = dict(self.max_delivered)
        kill_time = time.monotonic()
        os.kill(pid, 9)
        self.kills += 1
        while os.path.exists(f"/proc/{pid}"):
            time.sleep(0.005)
        with self.lock:
            need = {}
            acked = {k: list(v) for k, v in self.acked.items()}
            for key, acks in self.acked.items():
                old = [n for (t, n) in acks if t < kill_time - BOUND]
                if old:
                    need[key] = max(old)
        rc, out = self.t("agent-restore")
        if rc != 0:
            self.violation(f"agent-restore failed after kill {self.kills}: {out}")
            return
        for key, n in need.items():
            rc, out = self.t("agent-get", "-t", "a", key, timeout=5)
            got = out.strip()
            self.checked_keys += 1
            if rc != 0 or not got.isdigit():
                self.violation(f"kill {self.kills}: key {key} lost (needed {n})")
            elif int(got) < n:
                self.violation(f"kill {self.kills}: key {key} is {got}, older than {n} "
                               f"acknowledged > {BOUND * 1000:.0f} ms before the kill")
            elif int(got) > self.tried_now(key):
                self.violation(f"kill {self.kills}: key {key} is {got}, never written")
            if got.isdigit():
                lost = [t for (t, c) in acked.get(key, []) if c > int(got) and t < kill_time]
                if lost:
                    self.max_loss = max(self.max_loss, kill_time - min(lost))
        seen = self.observe()
        if seen is None:
            self.violation(f"kill {self.kills}: restored server does not answer")
            return
        for g, v in before_v.items():
            if g in seen[0] and seen[0][g] < v:
                self.violation(f"kill {self.kills}: group {g} version {seen[0][g]} < {v} seen before")
        for s, d in before_d.items():
            if s in seen[1] and seen[1][s] < d:
                self.violation(f"kill {self.kills}: inbox {s} delivered {seen[1][s]} < {d} seen before")
        with self.lock:
            # A new life: what was seen before it is what it must not go under.
            for g, v in seen[0].items():
                self.max_version[g] = max(self.max_version.get(g, 0), v)
            for s, d in seen[1].items():
                self.max_delivered[s] = max(self.max_delivered.get(s, 0), d)

    def run(self):
        self.setup()
        threads = [threading.Thread(target=self.writer, args=(i,), daemon=True)
                   for i in range(self.a.clients)]
        threads.append(threading.Thread(target=self.watcher, daemon=True))
        for th in threads:
            th.start()
        end = time.monotonic() + self.a.duration
        rng = random.Random(self.a.seed)
        while time.monotonic() < end:
            time.sleep(self.a.restarts * (0.5 + rng.random()))
            self.kill_and_restore()
        self.stop.set()
        for th in threads:
            th.join(timeout=30)
        self.t("kill-server")


def main(a):
    r = Restarts(a)
    try:
        r.run()
    finally:
        print(f"restarts: {r.kills} kills with SIGKILL, {r.ops} operations, "
              f"{r.checked_keys} key checks against the {BOUND * 1000:.0f} ms bound, "
              f"{len(r.violations)} violations (seed {a.seed}); largest loss window "
              f"{r.max_loss * 1000:.0f} ms (acknowledged writes not restored, before the kill)")
        for v in r.violations[:50]:
            print("  " + v)
        shutil.rmtree(r.dir, ignore_errors=True)
    return 1 if r.violations else 0
