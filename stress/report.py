"""The summaries a stress run prints: operations, checks, violations, server.

report() is the default mix's, summary_adversarial() the adversarial
mix's (rounds, findings with their backtraces and operation sequences).
The format is read by people and by nothing else, but keep it stable: the
results quoted in issues and notes are in it.
"""

import re

from crashes import describe, frames, line_of


def report(run, checker, workers, elapsed, alive, ms):
    a = run.args
    nctl = sum(1 for w in workers if w.control)
    print(f"stress: {elapsed:.1f} s, {len(workers)} clients ({nctl} control-mode, "
          f"{len(workers) - nctl} command), seed {a.seed}")
    total_ok = sum(v[0] for v in run.ops.values())
    total_err = sum(v[1] for v in run.ops.values())
    print(f"operations: {total_ok + total_err} ({total_ok} ok, {total_err} error answers)")
    print(f"  {'command':<28} {'ok':>7} {'error':>7}")
    for label in sorted(run.ops):
        ok, err = run.ops[label]
        print(f"  {label:<28} {ok:>7} {err:>7}")
    ev = checker.events
    print(f"snapshots checked: {checker.snapshots}; inbox checks: {checker.inbox_checks}; "
          f"notifications: {sum(ev.values())} "
          f"({', '.join(f'{k[7:]} {v}' for k, v in sorted(ev.items()))})")
    print(f"messages: {run.reported_deliveries} deliveries, "
          f"{getattr(run, 'consumed_total', 0)} consumed by clients, "
          f"{run.final_inboxes} inboxes matched at the end "
          f"({run.final_unknown} not: consumed from while set-agent -u ran)")
    print(f"violations: {len(run.violations)}")
    for v in run.violations[:50]:
        print(f"  {v}")
    if len(run.violations) > 50:
        print(f"  ... and {len(run.violations) - 50} more")
    print(f"server: {'alive' if alive else 'NOT alive'}"
          + (f" (pid {run.server_pid}, display -p in {ms:.0f} ms)" if alive else ""))


def summary_adversarial(a, rounds, out):
    elapsed = sum(r.result[2] for r in rounds)
    workers = rounds[0].result[1] if rounds else []
    nctl = sum(1 for w in workers if w.control)
    print(f"stress (adversarial): {elapsed:.1f} s in {len(rounds)} rounds, {a.clients} clients "
          f"({nctl} control-mode, {a.clients - nctl} command), seed {a.seed}")
    ops = {}
    for r in rounds:
        for label, (ok, err) in r.ops.items():
            o = ops.setdefault(label, [0, 0])
            o[0] += ok
            o[1] += err
    total_ok = sum(v[0] for v in ops.values())
    total_err = sum(v[1] for v in ops.values())
    print(f"operations: {total_ok + total_err} ({total_ok} ok, {total_err} error answers)")
    print(f"  {'command':<28} {'ok':>7} {'error':>7}")
    for label in sorted(ops):
        print(f"  {label:<28} {ops[label][0]:>7} {ops[label][1]:>7}")
    snaps = sum(r.result[0].snapshots for r in rounds if r.result[0] is not None)
    notes = sum(sum(r.result[0].events.values()) for r in rounds if r.result[0] is not None)
    print(f"snapshots checked: {snaps}; notifications: {notes}")
    found = [r for r in rounds if r.finding]
    kinds = {}
    for r in found:
        kinds[r.finding["kind"]] = kinds.get(r.finding["kind"], 0) + 1
    print(f"findings: {len(found)}"
          + (f" ({', '.join(f'{k} {v}' for k, v in sorted(kinds.items()))})" if found else ""))
    for r in found:
        f = r.finding
        print(f"  round {r.number} (seed {r.seed}): {f['kind']} at {f['t']} s: {f['detail']}")
        print(f"    signature: {f.get('signature')}")
        for line in frames(f.get("backtrace", ""))[:8]:
            print(f"      {line[:150]}")
        print("    last operations sent:")
        for rec in f["ops"][-8:]:
            print(f"      {describe(rec)}")
        rp = f.get("replay")
        if rp is None:
            pass
        elif not rp["crashed"]:
            print(f"    replay of {len(f['state']) + len(f['ops'])} operations (serial, "
                  f"then timed): the server survived every time")
        else:
            how = "timed replay" if rp["timed"] else "serial replay"
            if rp.get("serial") and rp["timed"]:
                how += " (its result also crashes serially)"
            print(f"    {how}: crashed ({rp['signature']}"
                  + ("" if rp.get("same_signature", True) else ", another signature")
                  + f"); shrunk to {len(f.get('minimal', []))} operations in "
                  f"{rp['trials']} trials" + ("" if rp.get("complete") else " (budget spent)"))
            for rec in f.get("minimal", [])[:30]:
                print(f"      {line_of(rec['argv'])}"
                      + (f"   [killed after {rec['kill_after']} s]"
                         if rec["via"] == "killed" else ""))
        print(f"    evidence: {f.get('dir')}")
    violations = [(r.number, v) for r in rounds for v in r.violations]
    later = sum(r.after_finding for r in rounds)
    print(f"violations: {len(violations)}"
          + (f" (and {later} more after a server was gone, not counted)" if later else ""))
    # The same violation in every snapshot is one line, with its count.
    seen = {}
    for n, v in violations:
        text = re.sub(r"^\[ *[0-9.]+s\] ", "", v)
        seen.setdefault((n, text), [v, 0])[1] += 1
    for (n, _), (v, k) in list(seen.items())[:60]:
        print(f"  [round {n}] {v}" + (f"   (x{k})" if k > 1 else ""))
    if len(seen) > 60:
        print(f"  ... and {len(seen) - 60} more kinds")
    print(f"findings saved under {out}" if found else "server: survived every round")
    return 1 if found or violations else 0
