"""The rounds of the adversarial mix: a watchdog per server, then the findings.

main() runs rounds of a fresh server each (stress.py's run_once with the
workers of adversarial.py) until --duration is used up or --max-findings is
reached; a Watchdog ends a round when the server process goes, stops
answering, or leaves a client's command unanswered (a stall). After a round
the evidence is collected and the first crash of each signature is shrunk
(crashes.py); report.summary_adversarial() prints the result.
"""

import json
import os
import random
import shutil
import subprocess
import threading
import time

import crashes
from adversarial import AdversarialRun, AdversarialWorker
from harness import Run
from report import summary_adversarial


class Watchdog(threading.Thread):
    """Ends the round when the server process goes or stops answering."""

    def __init__(self, run):
        super().__init__(daemon=True, name="watchdog")
        self.r = run
        self.halt = threading.Event()
        self.start()

    def stalled(self):
        """A worker's command unanswered for --hang-timeout seconds."""
        now = time.monotonic()
        for w in self.r.workers:
            f = w.inflight
            if f is not None and now - f[0] > self.r.args.hang_timeout:
                return w, f[1]
        return None

    def run(self):
        pid = self.r.server_pid
        last = 0.0
        while not self.halt.is_set():
            if not crashes.pid_alive(pid):
                self.r.found("crash", f"server pid {pid} is gone")
                return
            s = self.stalled() if not self.r.stop.is_set() else None
            if s is not None:
                w, rec = s
                stack = crashes.attach_backtrace(self.r.tmux, pid)
                if self.r.found("stall", f"worker {w.wid} ({'control' if w.control else 'command'}"
                                f" client): {crashes.line_of(rec['argv'])} unanswered for "
                                f"{self.r.args.hang_timeout} s while the server answers "
                                f"display -p", upto=rec):
                    self.r.finding["backtrace"] = stack
                crashes.kill_server(pid)
                return
            if time.monotonic() - last >= 1.0 and not self.r.stop.is_set():
                last = time.monotonic()
                try:
                    self.r.tmux_run("display-message", "-p", "ok",
                                    timeout=self.r.args.hang_timeout)
                except subprocess.TimeoutExpired:
                    if crashes.pid_alive(pid):
                        stack = crashes.attach_backtrace(self.r.tmux, pid)
                        if self.r.found("hang", f"server pid {pid} did not answer "
                                        f"display -p within {self.r.args.hang_timeout} s"):
                            self.r.finding["backtrace"] = stack
                        crashes.kill_server(pid)
                    continue
            self.halt.wait(0.1)

    def stop(self):
        if not self.halt.is_set() and not crashes.pid_alive(self.r.server_pid):
            self.r.found("crash", f"server pid {self.r.server_pid} is gone")
        self.halt.set()
        if self is not threading.current_thread():
            self.join(5)


def main(a, run_once):
    """The rounds, the evidence of each finding, the summary."""
    here = os.path.dirname(os.path.abspath(__file__))
    out = a.findings or os.path.join(here, "..", "target", "stress-findings")
    if a.replay:
        with open(a.replay) as f:
            ops = [json.loads(line) for line in f if line.strip()]
        return crashes.replay_main(a, ops)
    out = os.path.abspath(os.path.join(out, f"seed-{a.seed}"))
    os.makedirs(out, exist_ok=True)
    t_end = time.monotonic() + a.duration
    rng = random.Random(a.seed)
    rounds = []
    shrunk = set()
    seed0 = a.seed
    while time.monotonic() < t_end - 2 and len([r for r in rounds if r.finding]) < a.max_findings:
        n = len(rounds) + 1
        a.seed = rng.randrange(1 << 30)
        saved = a.duration
        a.duration = min(a.round, t_end - time.monotonic())
        log = a.log
        if log:
            a.log = f"{log}.round{n}"     # one file per round (each is a new server)
        try:
            run = AdversarialRun(a, n)
        finally:
            a.log = log
        run.result = (None, [], 0.0, False, 0)
        try:
            run_once(run, AdversarialWorker, watch=Watchdog,
                     after=lambda r: crashes.collect(r, out))
        finally:
            a.duration = saved
            if a.keep:
                print(f"kept {run.dir}")
            else:
                shutil.rmtree(run.dir, ignore_errors=True)
        run.seed = a.seed
        checker = run.result[0]
        if run.finding and run.finding["kind"] != "detached":
            # What the checker saw of the crash is the crash, not a violation.
            kept = [v for v in run.violations if "checker: control client closed" not in v]
            run.after_finding += len(run.violations) - len(kept)
            run.violations = kept
        elif checker is not None and checker.ctl is not None and checker.ctl.exit_line:
            Run.violate(run, f"checker's control client was told {checker.ctl.exit_line!r}")
        rounds.append(run)
        f = run.finding
        print(f"round {n} (seed {run.seed}): {run.result[2]:.1f} s, "
              f"{sum(sum(v) for v in run.ops.values())} operations, "
              f"{len(run.violations)} violations"
              + (f", {f['kind'].upper()} at {f['t']} s: {f.get('signature', '?')}" if f else ""),
              flush=True)
        # Shrink the first finding of each signature only: the time goes to
        # new ones.
        if (f and f["kind"] == "crash" and a.minimize > 0
                and f.get("signature") not in shrunk):
            shrunk.add(f.get("signature"))
            t0 = time.monotonic()
            crashes.minimize_finding(a, f, out)
            t_end += time.monotonic() - t0  # --duration is stress time
    a.seed = seed0
    return summary_adversarial(a, rounds, out)
