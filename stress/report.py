"""The summary a stress run prints: operations, checks, violations, server.

The format is read by people and by nothing else, but keep it stable: the
results quoted in issues and notes are in it.
"""


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
