#!/usr/bin/env python3
"""The store's capture on the event loop (issue 15): how long it takes
after one change, at each size, read from the server log.

Usage: store-capture.py TMUX [SIZES...]   (default sizes: 10 2000)

For each size a server is started with -v (its log in a temporary
directory) and built like bench/store.py's (SIZE agent sessions running
`cat`, in groups of 10, 20 context keys per group). Then, ROUNDS times
each, one command is run alone (one `agent-share`, one `agent-send`, one
`rename-session`) and, once the store's timer has fired, the time of the
capture it caused is read from the log line the server writes
("store capture of N changed agents took X us"). Prints the median and
the largest per command. The log costs the server time too, so these are
for comparing sizes and builds with each other, not with bench/store.py.
"""
import glob
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
from store import build  # noqa: E402

LINE = re.compile(rb"store capture of (\d+) changed agents took (\d+) us")


def captures(logdir):
    out = []
    for f in glob.glob(os.path.join(logdir, "tmux-server-*.log")):
        with open(f, "rb") as fh:
            out += [(int(m.group(1)), int(m.group(2))) for m in LINE.finditer(fh.read())]
    return out


def main():
    tmux = os.path.abspath(sys.argv[1])
    sizes = [int(s) for s in sys.argv[2:]] or [10, 2000]
    rounds = int(os.environ.get("ROUNDS", "7"))
    for size in sizes:
        d = tempfile.mkdtemp()
        env = dict(os.environ, XDG_STATE_HOME=os.path.join(d, "state"), SHELL="/bin/sh")
        sock = os.path.join(d, "sock")
        c = build(tmux, sock, size, env, "/dev/null", flags=["-v"], cwd=d, setup=[])
        mid = size // 2
        cases = [
            ("agent-share", lambda i: [f"agent-share -t s{mid} bench=v{i}"]),
            ("agent-send", lambda i: [f"agent-send -t s{mid} -s bench-home m{i}"]),
            ("rename-session", lambda i: [f"rename-session -t s{mid} r{mid}x{i}",
                                          f"rename-session -t r{mid}x{i} s{mid}"]),
        ]
        print(f"# {size} agent sessions: capture after one command, {rounds} rounds")
        print(f"{'command':<16} {'agents':>6} {'median us':>10} {'max us':>8}")
        for name, cmds in cases:
            got = []
            for i in range(rounds):
                time.sleep(0.5)
                n0 = len(captures(d))
                c.run(cmds(i))
                deadline = time.monotonic() + 5
                while len(captures(d)) == n0 and time.monotonic() < deadline:
                    time.sleep(0.05)
                new = captures(d)[n0:]
                if new:
                    got.append(new[0])
            if not got:
                print(f"{name:<16} {'-':>6} {'no capture':>10}")
                continue
            us = [t for _, t in got]
            print(f"{name:<16} {got[0][0]:>6} {statistics.median(us):>10.0f} {max(us):>8}")
        c.close()
        subprocess.run([tmux, "-S", sock, "kill-server"], env=env)
        print()
        subprocess.run(["rm", "-rf", d])


if __name__ == "__main__":
    main()
