"""Findings of the adversarial mix: evidence, serial replay, shrinking, summary.

When a round ends in a crash or a hang, collect() saves what is needed to
turn it into a fix, in target/stress-findings/seed-S/round-N-KIND/:
finding.json (what, when, signature), backtrace.txt (gdb on the core dump,
or on the hung server), ops.jsonl and ops.txt (the set-hook and template
commands of the round, then the last operations, in the order they were
sent), server.log (the -v log, with --server-log). minimize_finding()
replays the operations one at a time against a fresh server with control
clients attached and, if that crashes too with the same signature, shrinks
them (delta debugging, bounded by --minimize seconds) into minimal.jsonl,
minimal.txt and repro.sh, a shell script that needs only a tmux binary.
summary() prints the result of the whole run.
"""

import glob
import json
import os
import re
import resource
import shutil
import signal
import subprocess
import threading
import time

from harness import (Closed, Control, Hang, Run, leftover_processes, quote, setup_commands,
                     start)
from workload import TEMPLATES, POOL, define_templates


def allow_core():
    """preexec_fn of the process that starts the server: dump core."""
    resource.setrlimit(resource.RLIMIT_CORE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))


def pid_alive(pid):
    """The process runs (not a zombie, not writing its core dump)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
        with open(f"/proc/{pid}/status") as f:
            dumping = "CoreDumping:\t1" in f.read()
        return state not in ("Z", "X") and not dumping
    except (OSError, IndexError):
        return False


def kill_server(pid):
    """SIGKILL the server this run started (a hung one)."""
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass


def gdb(args, timeout=60):
    try:
        p = subprocess.run(["gdb", "-batch", "-nx", *args], capture_output=True, text=True,
                           timeout=timeout)
    except (OSError, subprocess.TimeoutExpired) as e:
        return f"(gdb failed: {e})"
    return p.stdout + p.stderr


def attach_backtrace(binary, pid):
    return gdb(["-p", str(pid), "-ex", "bt 40", binary], timeout=60)


def frames(bt):
    return [line for line in bt.splitlines() if line.startswith("#")]


def signature(bt):
    """The innermost functions of a backtrace, outside libc's abort path."""
    names = []
    for line in frames(bt):
        parts = line.split()
        # "#3  0x... in func (args) at file:line" or "#0  func (args) at ..."
        if "in" in parts:
            name = parts[parts.index("in") + 1]
        elif len(parts) > 1:
            name = parts[1]
        else:
            continue
        if name in ("??", "raise", "abort", "__pthread_kill_implementation",
                    "__pthread_kill_internal", "__GI_raise", "__GI_abort"):
            continue
        if names and names[-1] == name:
            continue  # an inlined frame
        names.append(name)
        if len(names) == 4:
            break
    return " < ".join(names) if names else None


def core_backtrace(run, wait=10):
    """The backtrace from the core the crashed server left, if any (the
    core is deleted after)."""
    limit = time.monotonic() + wait
    cores = []
    while time.monotonic() < limit:
        cores = glob.glob(os.path.join(run.dir, "core*"))
        if cores:
            size = os.path.getsize(cores[0])
            time.sleep(0.3)
            if os.path.getsize(cores[0]) == size:
                break
        else:
            time.sleep(0.2)
    if not cores:
        return None
    bt = gdb(["-ex", "bt 40", run.tmux, cores[0]], timeout=120)
    for c in cores:
        try:
            os.unlink(c)
        except OSError:
            pass
    return bt


def line_of(argv):
    """A saved command as one readable tmux command line."""
    out = []
    for a in argv:
        if a == ";" or re.fullmatch(r"[A-Za-z0-9_.:/=@+,%$-]+", a):
            out.append(a)
        else:
            out.append("'" + a.replace("'", "'\\''") + "'")
    return " ".join(out)


def describe(rec):
    how = {"ctl": "control", "proc": "command", "killed": "killed"}.get(rec["via"], rec["via"])
    extra = f" (killed after {rec['kill_after']} s)" if rec["via"] == "killed" else ""
    ok = {True: " -> ok", False: " -> error"}.get(rec.get("ok"), "")
    return f"{rec['t']:8.3f} w{rec['wid']:<2} {how:<7} {line_of(rec['argv'])}{extra}{ok}"


def write_ops(path, ops):
    with open(path + ".jsonl", "w") as f:
        for rec in ops:
            f.write(json.dumps(rec) + "\n")
    with open(path + ".txt", "w") as f:
        for rec in ops:
            f.write(describe(rec) + "\n")


def collect(run, out):
    """Called before a round's directory goes: save a finding's evidence."""
    f = run.finding
    if f is None:
        return
    d = os.path.join(out, f"round-{run.number}-{f['kind']}")
    os.makedirs(d, exist_ok=True)
    f["dir"] = d
    if f["kind"] == "crash":
        bt = core_backtrace(run)
        if bt is None:
            f["backtrace"] = "(no core dump: the server exited, or dumping is off)"
            f["signature"] = "server gone without a core dump"
        else:
            f["backtrace"] = bt
            f["signature"] = signature(bt) or "no symbols in the backtrace"
    elif f["kind"] == "detached":
        f["signature"] = "checker detached"
    else:
        f["signature"] = signature(f.get("backtrace", "")) or "hang"
    for log in glob.glob(os.path.join(run.dir, "tmux-server-*.log")):
        size = os.path.getsize(log)
        with open(log, "rb") as src, open(os.path.join(d, "server.log"), "wb") as dst:
            if size > 20 << 20:
                src.seek(size - (20 << 20))
            shutil.copyfileobj(src, dst)
    with open(os.path.join(d, "backtrace.txt"), "w") as fh:
        fh.write(f.get("backtrace", ""))
    write_ops(os.path.join(d, "ops"), f["state"] + f["ops"])
    with open(os.path.join(d, "finding.json"), "w") as fh:
        json.dump({k: f[k] for k in ("kind", "detail", "t", "signature")}
                  | {"round": run.number, "seed": run.args.seed}, fh, indent=1)


# --- serial replay -----------------------------------------------------------------


def drain(p):
    fd = p.stdout.fileno()
    try:
        while os.read(fd, 1 << 16):
            pass
    except OSError:
        pass


def attach(run, session):
    c = Control(run, session, "no-output")
    c.sync(5)
    return c


def replay(a, ops, settle=1.0, timed=False):
    """Run ops against a fresh server with a control client on every home
    session: one at a time, each waiting for its answer, or (timed) at the
    times they were first sent, each from a client of its own worker,
    without waiting. Returns {"crashed", "hang", "at", "signature"}: at is
    the index of the last operation sent before the server was gone."""
    run = Run(a)
    run.start_preexec = allow_core
    run.own_blocks = True
    res = {"crashed": False, "hang": False, "at": None, "signature": None}
    ctls = []
    procs = []
    try:
        start(run)
        define_templates(run)
        for n in range(a.homes + 1):
            c = Control(run, f"h{n}", "no-output")
            threading.Thread(target=drain, args=(c.p,), daemon=True).start()
            ctls.append(c)
        ctl = attach(run, "h1")
        ctls.append(ctl)
        pid = run.server_pid
        by_worker = {}

        def gone(wait):
            limit = time.monotonic() + wait
            while pid_alive(pid):
                if time.monotonic() >= limit:
                    return False
                time.sleep(0.02)
            return True

        def worker_ctl(wid):
            c = by_worker.get(wid)
            if c is None or c.p.poll() is not None:
                c = Control(run, f"h{1 + wid % a.homes}", "no-output")
                threading.Thread(target=drain, args=(c.p,), daemon=True).start()
                ctls.append(c)
                by_worker[wid] = c
            return c

        t_start = time.monotonic()
        t_first = ops[0]["t"] if ops else 0
        for i, rec in enumerate(ops):
            argv, suspect = rec["argv"], False
            if timed:
                time.sleep(max(0.0, t_start + rec["t"] - t_first - time.monotonic()))
            if rec["via"] == "ctl" and timed:
                try:
                    worker_ctl(rec["wid"]).send(" ".join(quote(x) for x in argv))
                except Closed:
                    suspect = True
            elif rec["via"] == "ctl":
                try:
                    ctl.command(" ".join(quote(x) for x in argv), 5)
                except Hang:
                    if pid_alive(pid):
                        res.update(hang=True, at=i)
                        break
                    suspect = True
                except Closed:
                    suspect = True
                    if not gone(5):
                        ctl.close()
                        run.tmux_run("new-session", "-d", "-s", "h1", "cat")
                        ctl = attach(run, "h1")
                        ctls.append(ctl)
            elif rec["via"] == "killed":
                p = subprocess.Popen(run.argv(*argv), stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, env=run.env, cwd=run.dir)
                procs.append(p)
                if timed:
                    threading.Timer(rec.get("kill_after", 0), p.kill).start()
                else:
                    time.sleep(rec.get("kill_after", 0))
                    p.kill()
                    p.wait()
            elif timed:
                procs.append(subprocess.Popen(run.argv(*argv), stdout=subprocess.DEVNULL,
                                              stderr=subprocess.DEVNULL, env=run.env,
                                              cwd=run.dir))
            else:
                try:
                    p = subprocess.run(run.argv(*argv), capture_output=True, text=True,
                                       env=run.env, cwd=run.dir, timeout=5)
                    suspect = "server exited" in p.stderr or "lost server" in p.stderr
                except subprocess.TimeoutExpired:
                    pass
            if gone(5 if suspect else 0):
                res.update(crashed=True, at=i)
                break
        else:
            limit = time.monotonic() + settle
            while time.monotonic() < limit and pid_alive(pid):
                time.sleep(0.05)
            if gone(0.5):
                res.update(crashed=True, at=len(ops) - 1)
        if res["crashed"]:
            bt = core_backtrace(run)
            res["signature"] = signature(bt) if bt else None
        elif res["hang"]:
            res["signature"] = signature(attach_backtrace(run.tmux, pid)) or "hang"
            kill_server(pid)
    except (Hang, Closed, SystemExit) as e:
        res["error"] = f"replay set-up failed: {e!r}"
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
            p.wait()
        for c in ctls:
            if c.p.poll() is None:
                c.p.kill()
            c.p.wait()
        try:
            run.tmux_run("kill-server", timeout=5)
        except subprocess.TimeoutExpired:
            kill_server(run.server_pid or 0)
        for p, _ in leftover_processes(run):
            try:
                os.kill(p, signal.SIGKILL)
            except OSError:
                pass
        shutil.rmtree(run.dir, ignore_errors=True)
    return res


def minimize_finding(a, f, out):
    """Replay the finding's operations serially; if that crashes with the
    same signature, shrink them within a.minimize seconds."""
    deadline = time.monotonic() + a.minimize
    ops = f["state"] + f["ops"]
    timed = False
    first = replay(a, ops)
    trials = 1
    for _ in range(3):
        if first["crashed"] or time.monotonic() >= deadline:
            break
        # Serially the server survived: many crashes need a command of
        # another client between a command and its deferred notification.
        timed = True
        first = replay(a, ops, timed=True)
        trials += 1
    f["replay"] = {"crashed": first["crashed"], "signature": first["signature"],
                   "trials": trials, "timed": timed}
    if not first["crashed"]:
        return
    want = f.get("signature")
    same = want is None or first["signature"] == want
    f["replay"]["same_signature"] = same
    sig = first["signature"]
    ops = ops[:first["at"] + 1]

    def test(cand):
        r = replay(a, cand, timed=timed)
        f["replay"]["trials"] += 1
        return r if r["crashed"] and (sig is None or r["signature"] == sig) else None

    n = 2
    while len(ops) >= 2 and time.monotonic() < deadline:
        size = -(-len(ops) // n)
        reduced = False
        for i in range(0, len(ops), size):
            if time.monotonic() >= deadline:
                break
            cand = ops[:i] + ops[i + size:]
            r = test(cand) if cand else None
            if r:
                ops = cand[:r["at"] + 1]
                n = max(n - 1, 2)
                reduced = True
                break
        if not reduced:
            if n >= len(ops):
                break
            n = min(n * 2, len(ops))
    f["minimal"] = ops
    f["replay"]["complete"] = time.monotonic() < deadline
    d = f["dir"]
    write_ops(os.path.join(d, "minimal"), ops)
    if not timed or replay(a, ops)["crashed"]:
        f["replay"]["serial"] = True
        write_repro(a, os.path.join(d, "repro.sh"), ops, sig)


def shq(x):
    return "'" + x.replace("'", "'\\''") + "'"


def write_repro(a, path, ops, sig):
    """A shell script that needs only a tmux binary ($TMUX_BIN)."""
    lines = [
        "#!/bin/sh",
        "# Found by stress.py --mix adversarial; shrunk by serial replay.",
        f"# Crash signature: {sig}",
        "# Usage: TMUX_BIN=path/to/tmux sh repro.sh   (exit 1: the server died)",
        "# Exact replay: stress.py --mix adversarial --tmux BIN --replay minimal.jsonl",
        'T=${TMUX_BIN:-tmux}; D=$(mktemp -d); S=$D/sock; cd "$D" || exit 2',
        't() { "$T" -S "$S" -f /dev/null "$@"; }',
        "t new-session -d -s h0 -x 80 -y 24 cat",
    ]
    for cmd in setup_commands(a.homes):
        lines.append("t " + " ".join(shq(x) for x in cmd))
    for args in TEMPLATES.values():
        lines.append("t define-agent-template " + " ".join(shq(x) for x in args))
    for name in POOL[:6]:
        lines.append(f"t new-session -d -s {name} -G claude cat")
    lines.append("PID=$(t display -p '#{pid}')")
    lines.append("# control clients attached all along, as in the run")
    for n in range(a.homes + 1):
        lines.append(f"sleep 600 | t -C attach -t h{n} -f no-output >/dev/null 2>&1 &")
    lines.append("sleep 0.5")
    for rec in ops:
        cmd = "t " + " ".join(shq(x) for x in rec["argv"])
        if rec["via"] == "killed":
            lines.append(f"{cmd} >/dev/null 2>&1 & sleep {rec.get('kill_after', 0)}; "
                         "kill $! 2>/dev/null")
        else:
            lines.append(f"{cmd} >/dev/null 2>&1")
    lines += [
        "sleep 1",
        'if kill -0 "$PID" 2>/dev/null; then echo "server survived"; t kill-server; rc=0;',
        'else echo "server died"; rc=1; fi',
        'pkill -P $$ sleep 2>/dev/null; rm -rf "$D"; exit $rc',
    ]
    with open(path, "w") as fh:
        fh.write("\n".join(lines) + "\n")
    os.chmod(path, 0o755)


def replay_main(a, ops):
    r = replay(a, ops, timed=a.timed)
    if r.get("error"):
        print(f"stress: {r['error']}")
        return 2
    if r["crashed"] or r["hang"]:
        kind = "crashed" if r["crashed"] else "hung"
        print(f"replay: server {kind} after operation {r['at'] + 1} of {len(ops)}: "
              f"{line_of(ops[r['at']]['argv'])}")
        print(f"signature: {r['signature']}")
        return 1
    print(f"replay: {len(ops)} operations, the server survived")
    return 0
