#!/usr/bin/env python3
"""Agent state benchmarks (issue 13), ratios measured in one run.

1. Throughput: MB of output through `cat` in a pane, end to end (the pane's
   program finishes writing only once the server has read nearly all of
   it), in three setups run interleaved: plain upstream tmux 3.5a, our
   binary with a plain pane (no agent), and our binary with an agent pane
   (-G claude: the claude profile's screen rules run, the raw output is
   scanned for OSC 7501/9/777 and bells). The data mixes text, SGR colours
   and cursor moves like an agent CLI's, with an OSC title now and then.
   Printed: seconds per setup (median of TRIALS) and the ratios.
2. Detection latency: a control client attached to the server; a small
   program in a -G claude pane flips between Claude's idle screen and its
   permission dialog when told to (through a fifo), noting the time just
   before it writes each screen; the latency is from that write to the
   control client reading the matching %agent-state-changed line.
   Printed: p50/p90/p99/max over FLIPS flips.

usage: agent-state.py OURS PLAIN DIR [MB] [TRIALS] [FLIPS]"""
import os
import statistics
import subprocess
import sys
import time

ours, plain, d = sys.argv[1], sys.argv[2], sys.argv[3]
mb = int(sys.argv[4]) if len(sys.argv) > 4 else 80
trials = int(sys.argv[5]) if len(sys.argv) > 5 else 3
flips = int(sys.argv[6]) if len(sys.argv) > 6 else 200


def tm(binary, sock, *args, check=True):
    return subprocess.run([binary, "-S", sock, "-f", "/dev/null", *args],
                          check=check, capture_output=True, text=True).stdout


def make_data(path, size):
    line = ("\x1b[1;32m●\x1b[0m Reading \x1b[4msrc/server/agent_state.rs\x1b[24m: "
            "fn deliver(id: PaneId, change: &Change) { notify::control(...) }\r\n")
    block = []
    for i in range(200):
        block.append(line)
        if i % 50 == 0:
            block.append("\x1b]0;✳ Claude Code\x07\x1b[2K\x1b[1G✶ Thinking… (3s · esc to interrupt)\r\n")
    chunk = "".join(block).encode()
    with open(path, "wb") as f:
        n = 0
        while n < size:
            f.write(chunk)
            n += len(chunk)


def run_cat(binary, sock, data, agent):
    tm(binary, sock, "kill-server", check=False)
    tm(binary, sock, "start-server", ";", "set", "-g", "exit-empty", "off")
    cmd = "cat %s; %s -S %s wait-for -S done" % (data, binary, sock)
    args = ["new-session", "-d", "-x", "160", "-y", "50"]
    if agent:
        args += ["-G", "claude"]
    t0 = time.monotonic()
    tm(binary, sock, *args, cmd)
    tm(binary, sock, "wait-for", "done")
    dt = time.monotonic() - t0
    tm(binary, sock, "kill-server", check=False)
    return dt


def throughput():
    data = os.path.join(d, "data")
    make_data(data, mb * 1024 * 1024)
    setups = [("plain 3.5a", plain, False), ("ours, plain pane", ours, False),
              ("ours, agent pane", ours, True)]
    times = {name: [] for name, _, _ in setups}
    for _ in range(trials):
        for name, binary, agent in setups:
            times[name].append(run_cat(binary, os.path.join(d, "t.sock"), data, agent))
    med = {k: statistics.median(v) for k, v in times.items()}
    print("throughput: %d MB through cat in a 160x50 pane, median of %d (s):" % (mb, trials))
    for name, _, _ in setups:
        print("  %-18s %6.2f s  %6.1f MB/s   (%s)" % (
            name, med[name], mb / med[name], " ".join("%.2f" % x for x in times[name])))
    print("  ratio agent pane / plain 3.5a:   %.3f" % (med["ours, agent pane"] / med["plain 3.5a"]))
    print("  ratio agent pane / ours plain:   %.3f" % (med["ours, agent pane"] / med["ours, plain pane"]))
    os.unlink(data)


FLIPPER = r'''
import os, sys, time
fifo, log = sys.argv[1], sys.argv[2]
rule = "─" * 80
idle = "\x1b[H\x1b[2J" + "\r\n".join(["", rule, "❯ ", rule, "  ? for shortcuts"])
perm = "\x1b[H\x1b[2J" + "\r\n".join([rule, " Do you want to create notes.txt?", " ❯ 1. Yes", "   2. No", "", " Esc to cancel · Tab to amend"])
os.write(1, b"\x1b[?1049h\x1b[?2004h")
os.write(1, idle.encode())
lf = open(log, "a", buffering=1)
with open(fifo) as f:
    for line in f:
        which = line.strip()
        s = perm if which == "perm" else idle
        lf.write("%s %.6f\n" % (which, time.time()))
        os.write(1, s.encode())
'''


def latency():
    sock = os.path.join(d, "l.sock")
    fifo = os.path.join(d, "flip.in")
    log = os.path.join(d, "flip.log")
    prog = os.path.join(d, "flipper.py")
    with open(prog, "w") as f:
        f.write(FLIPPER)
    os.mkfifo(fifo)
    tm(ours, sock, "kill-server", check=False)
    tm(ours, sock, "start-server", ";", "set", "-g", "exit-empty", "off")
    tm(ours, sock, "new-session", "-d", "-s", "watch")
    tm(ours, sock, "new-session", "-d", "-s", "a", "-G", "claude", "-x", "100", "-y", "30",
       "%s %s %s %s" % (sys.executable, prog, fifo, log))
    pane = tm(ours, sock, "display", "-p", "-t", "=a:", "#{pane_id}").strip()
    ctl = subprocess.Popen([ours, "-S", sock, "-f", "/dev/null", "-C", "attach", "-t", "watch"],
                           stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
    w = open(fifo, "w", buffering=1)

    def wait_state(want):
        while True:
            line = ctl.stdout.readline()
            if not line:
                raise SystemExit("control client ended")
            f = line.split()
            if f[:2] == ["%agent-state-changed", pane] and f[3] == want:
                return time.time()

    wait_state("idle")
    lat = []
    for i in range(flips):
        which, state = ("perm", "waiting") if i % 2 == 0 else ("idle", "idle")
        w.write(which + "\n")
        got = wait_state(state)
        with open(log) as lf:
            sent = float(lf.read().split("\n")[-2].split()[1])
        lat.append((got - sent) * 1000)
        time.sleep(0.05)
    w.close()
    ctl.stdin.close()
    ctl.terminate()
    tm(ours, sock, "kill-server", check=False)
    lat.sort()
    q = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))]
    print("detection latency (screen write -> control client %%agent-state-changed), %d flips:" % flips)
    print("  p50 %.1f ms  p90 %.1f ms  p99 %.1f ms  max %.1f ms  (debounce %s ms)" % (
        q(0.5), q(0.9), q(0.99), lat[-1], "30"))


throughput()
latency()
