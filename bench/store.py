#!/usr/bin/env python3
"""Persistent store costs (issue 15), measured in one run.

Usage: store.py TMUX [SIZES...]   (default sizes: 10 2000)

For each size, two servers are built alike (SIZE agent sessions running
`cat`, in groups of 10, 20 context keys per group): one with the store on
(the default), one with `@agent-store off`. Through one control-mode
client each, it times `display-message -p x`, `agent-share` and
`agent-send`, ROUNDS rounds (default 7) of REPEAT runs each (default
2000), and prints the median microseconds per command and the ratio to
display-message in the same server, two ways: the client's wall time (the
figure the other benches give), and the server's CPU time, its event loop
plus its store thread. Before and after each case it waits until the
store thread has written everything it was given, so each case is charged
for its own writes, however late the thread does them. Then the server with the store is
killed (kill-server), and it prints the store's size on disk and how long
`agent-restore` takes in a new server (wall time of the client, from a
server start), next to a new server making as many plain sessions with
`source-file` (the baseline: most of a restore is making sessions), and
for both the longest a `display-message -p x` client sent meanwhile had to
wait (a restore made in chunks keeps serving other clients).
"""
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(__file__))
from ctl import Ctl  # noqa: E402


def build(tmux, sock, size, env, conf, flags=(), cwd=None, setup=None):
    """A server with SIZE agent sessions running cat, in groups of 10, 20
    context keys per group; `flags` go before -S (-v: a server log in
    `cwd`), `setup` are the first commands (default: a big inbox limit)."""
    subprocess.run([tmux, *flags, "-S", sock, "-f", conf, "new-session", "-d", "-s",
                    "bench-home", "cat"], check=True, env=env, cwd=cwd)
    c = Ctl(tmux, sock)
    groups = max(1, size // 10)
    setup = ["set-option -g @agent-inbox-limit 100000"] if setup is None else list(setup)
    for n in range(size):
        setup.append(f"new-session -d -s s{n} -G bench -o goal{n} cat")
        setup.append(f"agent-join-group -t s{n} g{n % groups}")
    for g in range(groups):
        for k in range(20):
            setup.append(f"agent-share -t s{g} key{k}=value-{g}-{k}")
    c.run(setup)
    return c


def cpu_ns(pid):
    """CPU time so far of the server's event loop and of its store thread
    (nanoseconds, from /proc/PID/task/*/schedstat)."""
    out = {"loop": 0, "store": 0}
    for t in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{t}/comm") as f:
            name = f.read().strip()
        with open(f"/proc/{pid}/task/{t}/schedstat") as f:
            ns = int(f.read().split()[0])
        out["store" if name == "agent-store" else "loop"] += ns
    return out


def settled(pid):
    """Wait until the store thread has written what it was given (its CPU
    time stops growing for longer than a capture's interval), so that no
    case is charged for the one before it; returns the CPU times then."""
    last = cpu_ns(pid)
    while True:
        time.sleep(0.25)
        now = cpu_ns(pid)
        if now["store"] == last["store"]:
            return now
        last = now


def costs(c, pid, size, repeat, rounds):
    """Per command, the median over `rounds` of: the client's wall time,
    and the server's CPU time (event loop plus store thread, including the
    store's writes after the case ended)."""
    mid = f"s{size // 2}"
    names = ("display-message -p x", "agent-share", "agent-send")
    walls = {n: [] for n in names}
    cpus = {n: [] for n in names}
    for r in range(rounds):
        base = r * repeat
        cases = {
            names[0]: [f"display-message -p -t {mid} x"] * repeat,
            names[1]: [f"agent-share -t {mid} bench{i % 50}=v{i}"
                       for i in range(base, base + repeat)],
            names[2]: [f"agent-send -t {mid} -s bench-home m{i}"
                       for i in range(base, base + repeat)],
        }
        for name, cmds in cases.items():
            a = settled(pid)
            walls[name].append(c.timed(cmds))
            b = settled(pid)
            cpus[name].append((b["loop"] - a["loop"] + b["store"] - a["store"])
                              / len(cmds) / 1000)
    return ({n: statistics.median(v) for n, v in walls.items()},
            {n: statistics.median(v) for n, v in cpus.items()})


def wall(cmd, env, probe=None):
    """Wall time of cmd; with probe (a socket), also the longest time a
    `display-message -p x` client sent meanwhile took: how long the server
    kept other clients waiting."""
    longest = [0.0]
    done = threading.Event()

    def poke():
        while not done.is_set():
            t = time.perf_counter()
            subprocess.run([cmd[0], "-S", probe, "display-message", "-p", "x"], env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            longest[0] = max(longest[0], time.perf_counter() - t)

    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL)
    th = None
    if probe:
        # Before the server is up a probe fails at once, which adds nothing.
        th = threading.Thread(target=poke)
        th.start()
    if p.wait() != 0:
        raise SystemExit(f"{' '.join(cmd)} failed")
    elapsed = time.perf_counter() - t0
    done.set()
    if th:
        th.join()
    return (elapsed, longest[0]) if probe else elapsed


def main():
    tmux = sys.argv[1]
    sizes = [int(s) for s in sys.argv[2:]] or [10, 2000]
    repeat = int(os.environ.get("REPEAT", "2000"))
    rounds = int(os.environ.get("ROUNDS", "7"))
    for size in sizes:
        d = tempfile.mkdtemp()
        env = dict(os.environ, XDG_STATE_HOME=os.path.join(d, "state"), SHELL="/bin/sh")
        off = os.path.join(d, "off.conf")
        with open(off, "w") as f:
            f.write("set -g @agent-store off\n")
        rows = {}
        for label, conf, sock in (("on", "/dev/null", "on"), ("off", off, "off")):
            s = os.path.join(d, sock)
            c = build(tmux, s, size, env, conf)
            pid = subprocess.run([tmux, "-S", s, "display-message", "-p", "#{pid}"], env=env,
                                 capture_output=True, text=True).stdout.strip()
            rows[label] = costs(c, pid, size, repeat, rounds)
            c.close()
        print(f"# {size} agent sessions; {repeat} runs per command, median of {rounds} rounds; "
              f"us/cmd and ratio to display-message -p x in the same server")
        for i, what in enumerate(("client wall time", "server CPU (event loop + store thread)")):
            on, off_ = rows["on"][i], rows["off"][i]
            print(f"{what:<40} {'store on':>9} {'ratio':>6} {'store off':>10} {'ratio':>6}")
            for name in on:
                print(f"  {name:<38} {on[name]:>9.1f} "
                      f"{on[name] / on['display-message -p x']:>6.2f}"
                      f" {off_[name]:>10.1f} {off_[name] / off_['display-message -p x']:>6.2f}")
        subprocess.run([tmux, "-S", os.path.join(d, "off"), "kill-server"], env=env)
        son = os.path.join(d, "on")
        pid = subprocess.run([tmux, "-S", son, "display-message", "-p", "#{pid}"],
                             env=env, capture_output=True, text=True).stdout.strip()
        subprocess.run([tmux, "-S", son, "kill-server"], env=env)
        while pid and os.path.exists(f"/proc/{pid}"):
            time.sleep(0.01)
        sdir = os.path.join(d, "state", "agent-tmux")
        size_b = sum(os.path.getsize(os.path.join(sdir, f)) for f in os.listdir(sdir))
        t, t_wait = wall([tmux, "-S", son, "-f", "/dev/null", "agent-restore"], env, son)
        n = subprocess.run([tmux, "-S", son, "list-agents", "-F", "x"], env=env,
                           capture_output=True, text=True).stdout.count("x")
        subprocess.run([tmux, "-S", son, "kill-server"], env=env)
        # Baseline: a new server making as many plain sessions from a file.
        base_sock = os.path.join(d, "base")
        src = os.path.join(d, "plain.conf")
        with open(src, "w") as f:
            f.write("".join(f"new-session -d -s p{i}\n" for i in range(max(n, 1))))
        b, b_wait = wall([tmux, "-S", base_sock, "-f", "/dev/null", "start-server", ";",
                          "source-file", src], env, base_sock)
        subprocess.run([tmux, "-S", base_sock, "kill-server"], env=env)
        print(f"store size after kill-server: {size_b / 1024:.0f} KiB "
              f"({size_b / max(size, 1):.0f} bytes per agent session)")
        print(f"agent-restore in a new server: {t * 1000:.0f} ms for {n} agent sessions "
              f"(a new server making {max(n, 1)} plain sessions with source-file: {b * 1000:.0f} ms)")
        print(f"longest wait of another client meanwhile: {t_wait * 1000:.0f} ms during "
              f"agent-restore, {b_wait * 1000:.0f} ms during source-file")
        print()
        subprocess.run(["rm", "-rf", d])


if __name__ == "__main__":
    main()
