#!/usr/bin/env python3
"""Prompt receipts against real agent CLIs, offline (issue 14).

Usage: bench/prompt-receipts.py [--cli claude,codex,fake] [--trials N] [--delay S]

Uses tests/agents' harness (the pinned CLIs in tests/agents/node_modules, the
scripted model of model.py, a loopback-only network namespace when possible;
run nothing else with the CLIs meanwhile).
Per CLI, in one pane:

1. N times, the agent idle: `agent-prompt -T 60` until it exits with the
   receipt submitted. Prints the client's time (median, p99), and from the
   receipt the part after Enter (#{prompt_submit_ms}: Enter to submitted).
   The paste-to-Enter delay (-d, default 1 s here) is part of the first.
2. N times, deferral: a prompt whose turn streams for 2 s; once the
   endpoint has its request and the pane reads `working`, `agent-prompt
   -b` (a receipt not deferred is counted as a failure, not timed); a
   control client reads
   `%agent-state-changed PANE ... idle` and `%agent-prompt ID PANE pasted`:
   the time between the two is the delay deferral adds once the agent is
   idle (target under 200 ms), also as median and p99.
Times are milliseconds measured in this run; nothing is asserted.

`--cli fake` runs tests/shell/fake-agent.py (OSC 7501 states, no model) in
place of a real CLI: the server's own part, without a CLI's timing.
"""
import argparse
import json
import os
import queue
import statistics
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "agents"))
sys.dont_write_bytecode = True
import run as harness  # noqa: E402


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def show(name, xs):
    if not xs:
        print("  %-48s no samples" % name)
        return
    print("  %-48s median %7.1f ms  p99 %7.1f ms  (n=%d, min %.1f, max %.1f)" % (
        name, statistics.median(xs), pct(xs, 99), len(xs), min(xs), max(xs)))


class Control:
    """A control client whose lines are read with their arrival times."""

    def __init__(self, tm, target):
        self.p = subprocess.Popen([tm.binary, "-S", tm.sock, "-f", "/dev/null", "-C", "attach", "-t", target],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=tm.env)
        self.q = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.p.stdout:
            self.q.put((time.monotonic(), line.decode("utf-8", "replace").rstrip("\n")))

    def wait(self, pred, timeout):
        end = time.monotonic() + timeout
        while True:
            left = end - time.monotonic()
            if left <= 0:
                raise harness.Timeout("control line not seen")
            try:
                t, line = self.q.get(timeout=left)
            except queue.Empty:
                continue
            if pred(line, t):
                return t, line

    def close(self):
        self.p.stdin.close()
        self.p.wait(timeout=5)


def state(tm, pane):
    return tm.fmt(pane, "#{agent_state}")


class Fake(harness.Cli):
    """tests/shell/fake-agent.py as the agent: its turns are in its log."""
    name, agent_type = "fake", "fake"
    script = {}

    def binary(self):
        return sys.executable

    def version(self):
        return "fake-agent.py"

    def command(self):
        path = os.path.join(self.root, "script.json")
        with open(path, "w") as f:
            json.dump(self.script, f)
        self.log = os.path.join(self.root, "fake.log")
        open(self.log, "w").close()
        return [sys.executable, os.path.join(harness.REPO, "tests", "shell", "fake-agent.py"), "--script", path,
                "--log", self.log]

    def pane_env(self, model):
        return self.base_env()

    @staticmethod
    def idle(lines):
        return any(l.startswith("❯") for l in lines) and not any("esc to interrupt" in l for l in lines)

    def turns(self, p):
        with open(self.log) as f:
            return sum(1 for l in f if json.loads(l)["event"] == "submit")


def turns(cli, p):
    """How many turns pane p's agent has taken (the endpoint's, or the fake's log)."""
    return cli.turns(p) if isinstance(cli, Fake) else len(harness.turns_since(p))


def wait_turn(cli, p, n, timeout):
    harness.wait_until(lambda: turns(cli, p) >= n, timeout, "turn %d" % n)


def bench_cli(tm, cli, model, trials, delay):
    print("%s: %s" % (cli.name, cli.version()))
    steps = [{"text": "Received.", "seconds": 0} for _ in range(trials)]
    # Every later turn streams for 2 s (a CLI's side requests may take a step).
    steps += [{"text": "Working on it. " * 20, "seconds": 2} for _ in range(4 * trials)]
    if isinstance(cli, Fake):
        cli.script = {"osc_state": True, "turns": [{"work": 0} for _ in range(trials)] +
                      [{"work": 2} for _ in range(4 * trials)]}
    p = harness.new_pane(tm, cli, "bench-receipts", model, steps)
    try:
        p.wait_screen(cli.idle, 60, "the idle composer")
        harness.wait_until(lambda: state(tm, p.pane) == "idle", 30, "agent_state idle")
        client, after_enter, failed = [], [], []
        for i in range(trials):
            harness.wait_until(lambda: state(tm, p.pane) == "idle", 30, "idle before trial")
            t0 = time.monotonic()
            r = tm.run("agent-prompt", "-T", "60", "-d", str(delay), "-t", p.pane, "bench prompt %d" % i,
                       check=False, timeout=90)
            t1 = time.monotonic()
            row = tm.out("list-agent-prompts", "-a", "-t", p.pane, "-F",
                         "#{prompt_state} #{prompt_submit_ms}").strip().splitlines()[-1].split()
            if r.returncode != 0 or row[0] != "submitted":
                failed.append(r.stderr.strip() or row[0])
                continue
            client.append((t1 - t0) * 1000)
            after_enter.append(float(row[1]))
            wait_turn(cli, p, i + 1, 30)
        show("agent-prompt -> submitted (client, -d %g)" % delay, client)
        show("Enter -> submitted (#{prompt_submit_ms})", after_enter)
        if failed:
            print("  failed: %d: %s" % (len(failed), failed[:3]))
        ctl = Control(tm, p.target)
        lag, dfailed = [], []
        for i in range(trials):
            harness.wait_until(lambda: state(tm, p.pane) == "idle", 30, "idle before deferral trial")
            n = turns(cli, p)
            tm.run("agent-prompt", "-T", "60", "-d", str(delay), "-t", p.pane, "long turn %d" % i, timeout=90)
            # Submitted may be seen (the input box empty) before the CLI
            # reads working: wait for its turn to start and for working,
            # else the next prompt would not be deferred at all.
            try:
                wait_turn(cli, p, n + 1, 30)
                harness.wait_until(lambda: state(tm, p.pane) == "working", 10, "working")
            except harness.Timeout as e:
                dfailed.append("the long turn did not read working: %s (%s)" % (e, state(tm, p.pane)))
                continue
            while not ctl.q.empty():  # only what follows this prompt counts
                ctl.q.get_nowait()
            rid = tm.out("agent-prompt", "-b", "-d", str(delay), "-t", p.pane, "deferred %d" % i).strip()
            # The last change to idle before the paste is the one it waited for.
            seen = {"idle": None}

            def watch(line, t):
                w = line.split()
                if line.startswith("%%agent-state-changed %s " % p.pane) and len(w) > 3 and w[3] == "idle":
                    seen["idle"] = t
                return line.startswith("%%agent-prompt %s %s pasted" % (rid, p.pane))
            try:
                t_paste, _ = ctl.wait(watch, 30)
                deferred = tm.out("list-agent-prompts", "-a", "-f", "#{==:#{prompt_id},%s}" % rid, "-F",
                                  "#{prompt_deferred}").strip()
                if deferred != "1":
                    dfailed.append("%s was not deferred: pasted at once" % rid)
                elif seen["idle"] is None:
                    dfailed.append("pasted without an idle change seen")
                else:
                    lag.append((t_paste - seen["idle"]) * 1000)
            except harness.Timeout as e:
                dfailed.append(str(e))
            r = tm.run("agent-wait", "-p", rid, "-T", "60", check=False, timeout=90)
            if r.returncode != 0:
                dfailed.append(r.stderr.strip())
        ctl.close()
        show("deferral: agent idle -> deferred prompt pasted", lag)
        if dfailed:
            print("  deferral failures: %d: %s" % (len(dfailed), dfailed[:3]))
    finally:
        p.finish()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", default="claude,codex", help="claude, codex, fake")
    ap.add_argument("--trials", type=int, default=20)
    ap.add_argument("--delay", type=float, default=1.0)
    a = ap.parse_args()
    net = harness.in_private_net() or "host network"
    tmux_bin = os.path.abspath(os.environ.get("TMUX_BIN", os.path.join(harness.REPO, "target", "release", "tmux")))
    os.makedirs(harness.WORK, exist_ok=True)
    os.makedirs(harness.RESULTS, exist_ok=True)
    sock = os.path.join(harness.WORK, "bench.sock")
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "TERM": "xterm-256color",
           "HOME": harness.WORK, "SHELL": "/bin/sh", "NO_PROXY": "127.0.0.1,localhost"}
    tm = harness.Tmux(tmux_bin, sock, env)
    tm.run("kill-server", check=False)
    tm.run("start-server", ";", "set", "-g", "exit-empty", "off", ";", "set", "-g", "default-terminal",
           "tmux-256color")
    model = harness.modelmod.Model([], max_seconds=1500).start()
    print("network: %s; tmux %s; %d trials" % (net, tmux_bin, a.trials))
    try:
        for name in a.cli.split(","):
            cli = Fake() if name == "fake" else harness.CLIS[name]()
            cli.prepare()
            try:
                bench_cli(tm, cli, model, a.trials, a.delay)
            except Exception as e:  # report and go on with the next CLI
                print("  %s: %s: %s" % (name, type(e).__name__, e))
    finally:
        model.stop()
        tm.run("kill-server", check=False)


if __name__ == "__main__":
    main()
