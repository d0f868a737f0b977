"""The end of a stress run: stop everything, then the checks that need it all.

finish() stops the workers and the checker, takes a last full snapshot and
runs the checks that only make sense once nothing moves any more: every
message consumed once, inbox counters against what the clients consumed,
deliveries against notifications, and group members, context versions and
pane states by notification against the final listing.
"""

import collections
import time

from checker import REACH, STEP
from harness import Closed, Hang


def finish(run, checker, workers):
    """Stop, final snapshot and the checks that need everything."""
    run.stop.set()
    limit = time.monotonic() + run.args.timeout + 10
    for w in workers:
        w.join(max(0.1, limit - time.monotonic()))
        if w.is_alive():
            run.violate(f"worker {w.wid} did not stop (hung)")
    checker.join(run.args.timeout + 10)
    if checker.is_alive():
        run.violate("checker did not stop (hung)")
        return
    if checker.failed:
        return
    # Settle timers and exiting panes still run; the checks below allow for
    # that. Drain notifications once so that everything before is in.
    ctl = checker.ctl
    try:
        ctl.sync(run.args.timeout)
        snap = checker.take(run.args.timeout, full=True)
        ctl.sync(run.args.timeout)
    except (Hang, Closed) as e:
        run.violate(f"final snapshot failed: {type(e).__name__}")
        return
    if snap is None:
        return
    checker.check(snap)
    checker.check_versions({}, None)  # confirm pending drops
    final_messages(run, checker, snap)
    final_events(run, checker, snap)


def current_inbox(run, sid):
    """The messages consumed from the inbox `sid` has now: those consumed
    after its last set-agent -u. None when that can't be told (a consume
    ran while that set-agent -u did)."""
    recs = run.consumed.get(sid, [])
    resets = run.unset.get(sid)
    if not resets:
        return recs
    r0, r1 = max(resets, key=lambda r: r[1])
    if any(t0 < r1 and t1 > r0 for _, _, _, t0, t1 in recs):
        return None
    return [rec for rec in recs if rec[3] >= r1]


def final_messages(run, checker, snap):
    # No message consumed twice: texts are unique per send, and a send
    # reaches an inbox at most once.
    consumed_total = 0
    for sid, recs in run.consumed.items():
        consumed_total += len(recs)
        texts = collections.Counter(rec[1] for rec in recs)
        twice = [t for t, n in texts.items() if n > 1]
        if twice:
            run.violate(f"inbox {sid}: consumed more than once: {twice[:5]}")
        current = current_inbox(run, sid)
        seqs = collections.Counter(rec[0] for rec in current or [] if rec[0] is not None)
        twice = [n for n, k in seqs.items() if k > 1]
        if twice:
            run.violate(f"inbox {sid}: numbers consumed more than once: {twice[:5]}")
    for sid in checker.ev_resets | checker.inbox_back:
        if sid not in run.unset:
            run.violate(f"inbox {sid} started again but no set-agent -u removed it")
    for sid, doc in snap["inboxes"].items():
        unread = {m["text"] for m in doc["messages"]}
        both = unread & {rec[1] for rec in run.consumed.get(sid, [])}
        if both:
            run.violate(f"inbox {sid}: consumed and still unread: {sorted(both)[:5]}")
        last = checker.ev_seq.get(sid, 0)
        reset = sid in run.unset
        # After a reset with no message since, the last number announced is
        # the old inbox's.
        if doc["delivered"] != last and not (reset and doc["delivered"] == 0):
            run.violate(f"inbox {sid}: delivered {doc['delivered']}, last "
                        f"%agent-message number {last}")
        current = current_inbox(run, sid)
        if current is None:
            run.final_unknown += 1
            continue
        run.final_inboxes += 1
        run.log(f"final inbox {sid}: delivered {doc['delivered']} consumed {doc['consumed']} "
                f"dropped {doc['dropped']} unread {doc['unread']}; clients consumed "
                f"{len(current)} (of {len(run.consumed.get(sid, []))}); reset {reset}")
        # A consume whose client was killed or closed half way (adversarial
        # mix) may have taken a message that no client could record.
        blind = getattr(run, "killed_consumes", {}).get(sid, 0)
        if not 0 <= doc["consumed"] - len(current) <= blind:
            run.violate(f"inbox {sid}: server consumed {doc['consumed']}, clients "
                        f"consumed {len(current)}"
                        + (" since its last set-agent -u" if reset else "")
                        + (f" ({blind} consumes cut short)" if blind else ""))
    if run.reported_deliveries != checker.ev_messages:
        run.violate(f"senders were told of {run.reported_deliveries} deliveries, "
                    f"{checker.ev_messages} %agent-message lines came")
    run.consumed_total = consumed_total


def final_events(run, checker, snap):
    listed = {g["name"]: [m["session_id"] for m in g["members"]]
              for g in snap["lsag"]["groups"]}
    if listed != checker.ev_members:
        diff = {k: (listed.get(k), checker.ev_members.get(k))
                for k in set(listed) | set(checker.ev_members)
                if listed.get(k) != checker.ev_members.get(k)}
        run.violate(f"members by notification differ from the listing "
                    f"(listed, notified): {str(diff)[:400]}")
    versions = {g["name"]: g["version"] for g in snap["lsag"]["groups"]}
    notified = {k: v for k, v in checker.ev_version.items() if k in versions}
    if {k: versions[k] for k in notified} != notified:
        run.violate(f"context versions by notification {notified} differ from "
                    f"the listing {versions}"[:500])
    for p in snap["lsap"]["panes"]:
        tp = p["pane_id"]
        if tp and tp in checker.ev_pane:
            ev = checker.ev_pane[tp]
            if p["state"] in STEP and ev not in REACH[p["state"]]:
                run.violate(f"{p['id']} ({tp}) is {p['state']} but was announced {ev}")
