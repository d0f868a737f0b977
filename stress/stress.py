#!/usr/bin/env python3
"""Stress agent-tmux: many concurrent clients, then check the invariants.

Usage: stress.py [--tmux PATH] [--duration SECONDS] [--clients N] [--seed N]
                 [--log FILE] [--keep] [--verbose]   (--help for the rest)

One private server (-S in a temporary directory, -f /dev/null, every pane
runs `cat`). N clients run random mixes of every command that changes agent
state, plus new-session, kill-session, rename-session, kill-pane and the
managed-layout commands, for the given time. Three in four clients are
control-mode clients (one command a line, each answered by a %begin/%end or
%error block); the others start one `tmux` process per command, which is
also how they run `agent-wait`, whose control-mode answer comes outside any
block.

A checker (its own control-mode client, which also reads every %agent-*
notification in order) takes a snapshot twice a second, in one control-mode
line so that it is atomic: list-agent-groups, list-agents, list-agent-layouts
-a, list-agent-panes -a, list-sessions and list-panes -a; then one
agent-inbox -J per agent. It checks, while the clients run and at the end:

  groups     every group has members and exactly one coordinator, its first
             member; every member session exists and is an agent in that
             group with that role; every agent's group exists and lists it;
             the context counts match the entries and entry versions are
             distinct and within the group's version;
  versions   a group's context version never decreases while it lives (a
             group that was dissolved in between may start again); in the
             notifications, each %agent-context-changed of a group is its
             previous version plus one;
  groups, by notification
             joins, leaves and coordinator changes form a consistent member
             list, which at the end equals the listed one;
  layouts    each layout's state and counts agree with its current panes;
             managed panes only move forward in the state machine between
             snapshots (creating -> ready/degraded/failed, ready -> degraded,
             any -> removed; skipped steps allowed); each %agent-pane-state
             is one allowed step; a removed pane's tmux pane no longer
             exists; a forgotten pane never comes back;
  messages   for every inbox, delivered == consumed + dropped + unread and
             the unread messages are the newest sequence numbers; counters
             never go back unless the session stopped being an agent
             (set-agent -u); no message is consumed twice (by any client,
             with agent-inbox -c or agent-wait -m -c) nor both consumed and
             still unread; for every inbox still there at the end, the
             server's consumed count equals what the clients consumed (since
             its last set-agent -u, unless a consume ran at the same time)
             and its delivered count equals the last %agent-message number;
             every delivery a sender was told about was announced once;
  liveness   no command hangs (a control command or a client process that
             takes longer than --timeout is a failure); every -J output is
             one valid JSON document; the server survives with the same pid
             and answers `display -p ok` at the end; no client process is
             left behind.

An error answer (%error, exit status 1) is never a failure by itself: many
commands race with kill-session and friends. Prints a summary (operations
per command, ok and error answers; snapshots and notifications checked;
every violation) and exits 0 when there were no violations, else 1. The
seed chooses the operations; their interleaving is up to the scheduler, so
a run is not exactly repeatable: --log FILE records every command, answer
and notification.

--mix adversarial runs another operation mix (adversarial.py), meant to
crash or hang the server, in rounds of a fresh server each (rounds.py), and
saves what it finds (crashes.py); `make stress-adversarial` runs it.

The modules: harness.py (server, clients), workload.py (the default mix),
checker.py (invariants while it runs), endcheck.py (the checks at the end),
report.py (the summaries), adversarial.py, rounds.py and crashes.py (the
other mix).
"""

import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import time

import adversarial
import rounds
from checker import Checker
from endcheck import finish
from harness import Closed, Control, Hang, Run, leftover_processes, server_alive, start
from report import report
from workload import Worker, define_templates


def options(argv=None):
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tmux", default=os.path.join(here, "..", "target", "release", "tmux"))
    ap.add_argument("--duration", type=float, default=60)
    ap.add_argument("--clients", type=int, default=32)
    ap.add_argument("--command-clients", type=int, default=None,
                    help="how many clients run one process per command (default 1/4)")
    ap.add_argument("--homes", type=int, default=4, help="sessions control clients attach to")
    ap.add_argument("--period", type=float, default=0.5, help="seconds between snapshots")
    ap.add_argument("--timeout", type=float, default=20,
                    help="seconds after which a command counts as hung")
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    ap.add_argument("--verbose", action="store_true")
    ap.add_argument("--log", help="write every command and its answer to this file")
    ap.add_argument("--restarts", type=float, default=None, metavar="SECONDS",
                    help="persistent store: kill -9 and restore the server about every "
                    "SECONDS while clients write (stress/restarts.py)")
    adversarial.add_options(ap)
    a = ap.parse_args(argv)
    a.tmux = os.path.abspath(a.tmux)
    return a


def run_once(run, make_worker, watch=None, after=None):
    """One server, its checker and clients for run.args.duration seconds.
    make_worker(run, wid, control, home) makes a client; watch(run), if
    given, is started with the clients and returns a thread-like object
    with stop(); after(run) runs before the temporary directory goes.
    Returns (checker, workers, elapsed, alive, ms), also left in run.result
    when an exception ends the run early."""
    a = run.args
    rng = random.Random(a.seed)
    workers = []
    checker = None
    watcher = None
    alive, ms = False, 0
    t0 = time.monotonic()
    try:
        start(run)
        checker = Checker(run)
        checker.ctl = Control(run, "h0", "no-output", checker.on_line)
        checker.ctl.sync(a.timeout)
        define_templates(run)
        snap = checker.take(a.timeout)
        if snap is not None:
            checker.check(snap)
        for wid in range(a.clients):
            control = wid >= a.command_clients
            home = f"h{rng.randint(1, a.homes)}"
            workers.append(make_worker(run, wid, control, home))
        run.workers = workers
        checker.start()
        for w in workers:
            w.start()
        if watch is not None:
            watcher = watch(run)
        end = time.monotonic() + a.duration
        while time.monotonic() < end and not checker.done.is_set() and not run.stop.is_set():
            time.sleep(0.1)
        finish(run, checker, workers)
        if watcher is not None:
            watcher.stop()
        alive, ms = server_alive(run)
    except (Hang, Closed) as e:
        run.violate(f"set-up: {type(e).__name__}")
    finally:
        run.stop.set()
        if watcher is not None:
            watcher.stop()
        elapsed = time.monotonic() - t0
        if checker is not None and checker.ctl is not None:
            if not checker.ctl.close():
                run.violate("checker control client did not exit")
        for p in run.popens:
            if p.poll() is None:
                run.violate(f"client process {p.pid} still running at the end")
                p.kill()
                p.wait()
        try:
            run.tmux_run("kill-server", timeout=10)
        except subprocess.TimeoutExpired:
            run.violate("kill-server hung")
        limit = time.monotonic() + 5
        while leftover_processes(run) and time.monotonic() < limit:
            time.sleep(0.1)
        for pid, cmd in leftover_processes(run):
            run.violate(f"process left behind: {pid} {cmd}")
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        run.result = (checker, workers, elapsed, alive, ms)
        if after is not None:
            after(run)
    return run.result


def main():
    a = options()
    if not os.access(a.tmux, os.X_OK):
        print(f"stress: no tmux binary at {a.tmux} (build it first)", file=sys.stderr)
        return 2
    if a.seed is None:
        a.seed = random.randrange(1 << 30)
    if a.command_clients is None:
        a.command_clients = max(1, a.clients // 4)
    if a.restarts is not None:
        import restarts
        return restarts.main(a)
    if a.mix == "adversarial":
        return rounds.main(a, run_once)
    if a.replay:
        print("stress: --replay goes with --mix adversarial", file=sys.stderr)
        return 2
    run = Run(a)
    run.result = (None, [], 0.0, False, 0)
    try:
        run_once(run, Worker)
    finally:
        checker, workers, elapsed, alive, ms = run.result
        if checker is not None:
            report(run, checker, workers, elapsed, alive, ms)
        if a.keep:
            print(f"kept {run.dir}")
        else:
            shutil.rmtree(run.dir, ignore_errors=True)
    return 1 if run.violations or not alive else 0


if __name__ == "__main__":
    sys.exit(main())
