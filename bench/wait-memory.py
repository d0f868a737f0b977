#!/usr/bin/env python3
"""Server memory of waits (issue 18 item 8): what completed waits and killed
waiting clients leave behind.

Usage: bench/wait-memory.py TMUX [timers N] [killed N] [prompt N] [waitfor N]

  timers N   N agent-wait -c -T 1e9 waits that complete (woken by a share),
             100 at a time from 100 control clients: a timer that is not
             cancelled keeps its memory until its timeout (31 years).
  killed N   N clients killed (SIGKILL) while in agent-wait, 50 at a time.
  prompt N   N clients killed while agent-prompt -d 60 waits for its Enter.
  waitfor N  N clients killed in upstream's wait-for, then the channel is
             signalled (their items are continued; a lost client's queue
             is never run again, so without a fix they stay).

Each experiment runs on a fresh server, does a warm-up of the same size
first (so malloc's heap has grown to its working size), then reports the
server's VmRSS before and after the measured run, and the growth per
operation. Default: timers 60000 killed 2000 prompt 1000 waitfor 2000.
"""
import os
import signal
import subprocess
import sys
import tempfile
import time


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise SystemExit("no VmRSS")


class Server:
    def __init__(self, tmux):
        self.tmux = tmux
        self.dir = tempfile.mkdtemp(prefix="wait-memory-")
        self.sock = os.path.join(self.dir, "sock")
        self.env = dict(os.environ, SHELL="/bin/sh")
        self.env.pop("TMUX", None)
        self.t("new-session", "-d", "-s", "home", "cat")
        self.t("set", "-g", "exit-empty", "off")
        self.t("new-session", "-d", "-s", "b", "cat")
        self.t("agent-join-group", "-t", "home", "g")
        self.t("agent-join-group", "-t", "b", "g")
        self.pid = int(self.t("display", "-p", "#{pid}"))

    def argv(self, *args):
        return [self.tmux, "-S", self.sock, "-f", "/dev/null", *args]

    def t(self, *args):
        return subprocess.run(self.argv(*args), env=self.env, check=True,
                              capture_output=True, text=True).stdout.strip()

    def waiters(self):
        return int(self.t("display", "-p", "#{agent_waiters}"))

    def until(self, cond, what, timeout=60):
        end = time.time() + timeout
        while not cond():
            if time.time() > end:
                raise SystemExit(f"timed out waiting for {what}")
            time.sleep(0.005)

    def ctl(self):
        return subprocess.Popen(self.argv("-C", "attach", "-t", "home"), env=self.env,
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def close(self):
        subprocess.run(self.argv("kill-server"), env=self.env, capture_output=True)


def timers(s, n):
    width = 100
    clients = [s.ctl() for _ in range(width)]
    for c in clients:
        c.stdin.write(b"display -p ready\n")
        c.stdin.flush()
        while c.stdout.readline().strip() != b"ready":
            pass
    for r in range(max(1, n // width)):
        for c in clients:
            c.stdin.write(b"agent-wait -c -T 1000000000 -t home k\n")
            c.stdin.flush()
        s.until(lambda: s.waiters() == width, "waiters")
        value = f"v{r}".encode()
        s.t("agent-share", "-t", "b", f"k=v{r}")
        for c in clients:
            while c.stdout.readline().strip() != value:
                pass
    for c in clients:
        c.stdin.close()
        c.wait()
    return max(1, n // width) * width


def killed(s, n, argv, count):
    batch = 50
    for _ in range(max(1, n // batch)):
        procs = [subprocess.Popen(s.argv(*argv), env=s.env, stdin=subprocess.DEVNULL,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                 for _ in range(batch)]
        if count is None:
            settled()
        else:
            s.until(lambda: count() >= batch, "clients waiting")
        for p in procs:
            p.send_signal(signal.SIGKILL)
        for p in procs:
            p.wait()
        if count is None:
            settled()
        else:
            s.until(lambda: count() == 0, "clients gone")
    return max(1, n // batch) * batch


def settled(_s=None):
    """No format counts unattached clients: give them time to connect (or
    to be noticed gone). Good enough for a benchmark, never for a test."""
    time.sleep(0.3)
    return True


def experiment(tmux, name, n):
    s = Server(tmux)
    try:
        if name == "timers":
            run = lambda: timers(s, n)
        elif name == "killed":
            run = lambda: killed(s, n, ["agent-wait", "-t", "home", "never"], s.waiters)
        elif name == "prompt":
            s.t("set-agent", "-t", "home")
            # agent-prompt waits while its Enter is pending: one pane queues
            # every prompt, so each client waits (the pane's queue is cleared
            # between batches by respawning it).
            def run():
                done = 0
                for _ in range(max(1, n // 50)):
                    done += killed(s, 50, ["agent-prompt", "-f", "-d", "60", "-t", "home:", "x"], None)
                    s.t("respawn-pane", "-k", "-t", "home:", "cat")
                return done
        elif name == "waitfor":
            def run():
                done = 0
                for _ in range(max(1, n // 50)):
                    done += killed_waitfor(s)
                return done
        else:
            raise SystemExit(f"unknown experiment {name}")
        run()  # warm-up
        before = rss_kb(s.pid)
        ops = run()
        after = rss_kb(s.pid)
        print(f"{name:8} {ops:6} ops  VmRSS {before / 1024:7.1f} -> {after / 1024:7.1f} MB"
              f"  ({(after - before) * 1024 / ops:7.1f} bytes/op)", flush=True)
    finally:
        s.close()


def killed_waitfor(s):
    batch = 50
    procs = [subprocess.Popen(s.argv("wait-for", "chan"), env=s.env, stdin=subprocess.DEVNULL,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
             for _ in range(batch)]
    settled()
    for p in procs:
        p.send_signal(signal.SIGKILL)
    for p in procs:
        p.wait()
    settled()
    s.t("wait-for", "-S", "chan")
    return batch


def main():
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    tmux = sys.argv[1]
    rest = sys.argv[2:] or ["timers", "60000", "killed", "2000", "prompt", "1000", "waitfor", "2000"]
    for name, n in zip(rest[::2], rest[1::2]):
        experiment(tmux, name, int(n))


if __name__ == "__main__":
    main()
