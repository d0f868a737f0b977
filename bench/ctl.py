#!/usr/bin/env python3
"""Drive one tmux control-mode client and time commands (server-side cost).

Usage: ctl.py TMUX SOCKET SIZE [REPEAT]

Builds SIZE agent sessions (each running `cat`) in groups of 10, each group
with 20 context keys, then times REPEAT runs of every agent command through a
single control-mode client, and of `display-message -p x` in the same run.
Prints one table row per command: microseconds per command and the ratio to
display-message. Everything goes through one client, so process start-up is
not measured: the figures are what the server spends (plus the pipe).
"""
import subprocess
import sys
import time

GUARD = (b"%end ", b"%error ")


class Ctl:
    def __init__(self, tmux, sock):
        self.p = subprocess.Popen(
            [tmux, "-S", sock, "-f", "/dev/null", "-C", "attach", "-t", "bench-home"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.errors = 0

    def run(self, cmds, chunk=250):
        """Send commands in chunks; wait for each chunk's %end/%error."""
        for i in range(0, len(cmds), chunk):
            part = cmds[i:i + chunk]
            self.p.stdin.write(("\n".join(part) + "\n").encode())
            self.p.stdin.flush()
            done = 0
            while done < len(part):
                line = self.p.stdout.readline()
                if not line:
                    raise SystemExit("control client exited")
                if line.startswith(GUARD) and line.count(b" ") >= 3:
                    done += 1
                    if line.startswith(b"%error"):
                        self.errors += 1

    def timed(self, cmds):
        start = time.perf_counter()
        self.run(cmds)
        return (time.perf_counter() - start) / len(cmds) * 1e6

    def close(self):
        self.p.stdin.close()
        self.p.stdout.read()
        self.p.wait()


def main():
    tmux, sock, size = sys.argv[1], sys.argv[2], int(sys.argv[3])
    repeat = int(sys.argv[4]) if len(sys.argv) > 4 else 2000
    subprocess.run([tmux, "-S", sock, "-f", "/dev/null", "new-session", "-d",
                    "-s", "bench-home", "cat"], check=True)
    c = Ctl(tmux, sock)
    groups = max(1, size // 10)
    setup = []
    for n in range(size):
        g = n % groups
        setup.append(f"new-session -d -s s{n} -G bench -o goal{n} cat")
        setup.append(f"agent-join-group -t s{n} g{g}")
    for g in range(groups):
        for k in range(20):
            setup.append(f"agent-share -t s{g} key{k}=value-{g}-{k}")
    # Room for every message the asend case sends, so nothing is dropped and
    # the consuming case always finds one.
    setup.append("set-option -g @agent-inbox-limit 100000")
    t0 = time.perf_counter()
    c.run(setup)
    build = time.perf_counter() - t0
    c.errors = 0

    mid = f"s{size // 2}"
    plain = "bench-home"
    cases = [
        ("display-message -p x", [f"display-message -p -t {mid} x"] * repeat),
        ("show-agent", [f"show-agent -t {mid}"] * repeat),
        ("ajoin/aleave", [f"agent-join-group -t {plain} gx" if i % 2 == 0 else
                          f"agent-leave-group -t {plain}" for i in range(repeat)]),
        ("ashare", [f"agent-share -t {mid} bench{i % 50}=v{i}" for i in range(repeat)]),
        ("agent-get", [f"agent-get -t {mid} key3"] * repeat),
        ("apeers", [f"agent-peers -t {mid}"] * repeat),
        ("asend", [f"agent-send -t {mid} -s {plain} message-{i}" for i in range(repeat)]),
        ("agent-inbox -n 1", [f"agent-inbox -n 1 -t {mid}"] * repeat),
        ("agent-inbox -c -n 1", [f"agent-inbox -c -n 1 -t {mid}"] * repeat),
        ("lsag", ["list-agent-groups"] * max(20, repeat // 100)),
        ("list-agents", ["list-agents"] * max(20, repeat // 100)),
        ("lsap", ["list-agent-panes"] * repeat),
        ("list-sessions (upstream)", ["list-sessions"] * max(20, repeat // 100)),
    ]
    results = []
    for name, cmds in cases:
        results.append((name, c.timed(cmds), len(cmds)))
    base = results[0][1]
    print(f"# {size} agent sessions in {groups} groups of 10 (20 keys each); "
          f"set-up {build:.1f}s; errors {c.errors}")
    print(f"{'command':<22} {'runs':>6} {'us/cmd':>9} {'ratio':>7}")
    for name, us, runs in results:
        print(f"{name:<22} {runs:>6} {us:>9.1f} {us / base:>7.2f}")
    c.close()


if __name__ == "__main__":
    main()
