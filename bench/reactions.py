#!/usr/bin/env python3
"""Reactions: what waiting costs and how fast waiters and watchers hear.

Usage: reactions.py TMUX SOCKET [TRIALS]

1. 200 `agent-wait` clients wait for a key for 10 s: server CPU time used
   meanwhile (from /proc/PID/stat), then all are woken by one share.
2. TRIALS times: one `agent-wait` process waits; a share is sent through an
   open control-mode client; time until the waiting process has exited.
3. TRIALS times: a share through control client A; time until control client
   B reads %agent-context-changed.
Prints medians and 99th percentiles in milliseconds.
"""
import os
import statistics
import subprocess
import sys
import time


def tmux(t, s, *args):
    return subprocess.run([t, "-S", s, "-f", "/dev/null", *args],
                          capture_output=True, text=True).stdout.strip()


class Control:
    def __init__(self, t, s, session):
        self.p = subprocess.Popen([t, "-S", s, "-f", "/dev/null", "-C", "attach", "-t", session],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def send(self, cmd):
        self.p.stdin.write((cmd + "\n").encode())
        self.p.stdin.flush()

    def wait_for(self, prefix):
        while True:
            line = self.p.stdout.readline()
            if not line:
                raise SystemExit("control client exited")
            if line.startswith(prefix):
                return line

    def close(self):
        self.p.stdin.close()
        self.p.stdout.read()
        self.p.wait()


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p / 100))]


def main():
    t, s = sys.argv[1], sys.argv[2]
    trials = int(sys.argv[3]) if len(sys.argv) > 3 else 1000
    tmux(t, s, "new-session", "-d", "-s", "a", "cat")
    tmux(t, s, "new-session", "-d", "-s", "b", "cat")
    tmux(t, s, "agent-join-group", "-t", "a", "team")
    tmux(t, s, "agent-join-group", "-t", "b", "team")
    pid = int(tmux(t, s, "display", "-p", "#{pid}"))

    waiters = [subprocess.Popen([t, "-S", s, "-f", "/dev/null", "agent-wait", "-t", "b", "result"],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
               for _ in range(200)]
    while tmux(t, s, "display", "-p", "#{agent_waiters}") != "200":
        time.sleep(0.05)
    before = cpu_seconds(pid)
    time.sleep(10)
    used = cpu_seconds(pid) - before
    start = time.perf_counter()
    tmux(t, s, "agent-share", "-t", "a", "result=done")
    outs = [w.communicate()[0].strip() for w in waiters]
    all_woke = time.perf_counter() - start
    ok = sum(1 for o in outs if o == b"done")
    print(f"200 waiters for 10 s: server CPU {used:.3f} s; all {ok}/200 woke in {all_woke * 1000:.0f} ms")

    ctl_a = Control(t, s, "a")
    ctl_b = Control(t, s, "b")
    ctl_a.send("display -p ready")
    ctl_a.wait_for(b"ready")
    wake = []
    for i in range(trials):
        w = subprocess.Popen([t, "-S", s, "-f", "/dev/null", "agent-wait", "-c", "-t", "b", "k"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        while tmux(t, s, "display", "-p", "#{agent_waiters}") != "1":
            time.sleep(0.002)
        t0 = time.perf_counter()
        ctl_a.send(f"agent-share -t a k={i}")
        w.wait()
        wake.append((time.perf_counter() - t0) * 1000)
    note = []
    for i in range(trials):
        t0 = time.perf_counter()
        ctl_a.send(f"agent-share -t a n={i}")
        ctl_b.wait_for(b"%agent-context-changed team n ")
        note.append((time.perf_counter() - t0) * 1000)
    ctl_a.close()
    ctl_b.close()
    for name, v in (("share -> agent-wait process exited", wake),
                    ("share -> %agent-context-changed read", note)):
        print(f"{name:<40} median {statistics.median(v):.3f} ms  p99 {pct(v, 99):.3f} ms  ({len(v)} trials)")


if __name__ == "__main__":
    main()
