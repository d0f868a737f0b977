"""The checker: invariants verified while the stress clients run.

A Checker is its own control-mode client. It reads every %agent-*
notification in order (group membership, context versions, message
numbers, pane states) and takes an atomic snapshot every --period seconds,
then checks groups, versions, layouts and inboxes against it and against
the previous snapshot (see stress.py's docstring for the list). After each
snapshot it publishes the view the workers pick their targets from.
"""

import collections
import json
import threading
import time
import traceback

from harness import Closed, Hang, is_json_doc
from workload import HOME_PREFIX


STATES = ("creating", "ready", "degraded", "failed", "removed")
# One step of the managed pane state machine (src/agent/layout/state.rs).
STEP = {
    "creating": {"ready", "degraded", "failed", "removed"},
    "ready": {"degraded", "removed"},
    "degraded": {"removed"},
    "failed": {"removed"},
    "removed": set(),
}


def closure():
    reach = {}
    for s in STATES:
        seen, todo = {s}, [s]
        while todo:
            for n in STEP[todo.pop()]:
                if n not in seen:
                    seen.add(n)
                    todo.append(n)
        reach[s] = seen
    return reach


REACH = closure()


def aggregate(states):
    for s in ("creating", "failed", "degraded", "ready"):
        if s in states:
            return s
    return "removed"


class Checker(threading.Thread):
    """Reads every notification and checks snapshots while the run goes on."""

    SNAPSHOT = " ; ".join([
        "list-agent-groups -J", "list-agents -J", "list-agent-layouts -a -J",
        "list-agent-panes -a -J", "list-sessions -F '#{session_id} #{session_name}'",
        "list-panes -a -F '#{pane_id} #{session_id} #{session_name}'",
    ])

    def __init__(self, run):
        super().__init__(daemon=True, name="checker")
        self.r = run
        self.ctl = None
        self.snapshots = 0
        self.inbox_checks = 0
        self.events = collections.Counter()
        # From notifications.
        self.ev_members = {}          # group -> [sid] in join order
        self.ev_group_of = {}         # sid -> group
        self.ev_version = {}          # group -> last context version
        self.ev_dissolved = collections.Counter()
        self.ev_seq = {}              # sid -> last message seq
        self.ev_resets = set()        # sids whose numbers started again
        self.ev_messages = 0
        self.ev_pane = {}             # %N -> state
        # From snapshots.
        self.prev_groups = {}         # name -> (created, version, dissolved count)
        self.pending = []             # version drops to confirm later
        self.prev_mstate = {}         # Mn -> state
        self.prev_mlayout = {}        # Mn -> Ln
        self.forgotten = set()
        self.inbox_prev = {}          # sid -> (delivered, consumed, dropped)
        self.inbox_back = set()       # sids whose counters went back
        self.failed = False
        self.done = threading.Event()

    def V(self, text):
        self.r.violate(text)

    # --- notifications -------------------------------------------------------

    def on_line(self, line):
        f = line.split(" ")
        kind = f[0]
        if kind == "%exit":
            self.ctl.exit_line = line  # read between snapshots
        if not kind.startswith("%agent-"):
            return
        self.r.log(f"event {line}")
        self.events[kind] += 1
        try:
            if kind == "%agent-group-changed":
                self.ev_group(f[1], f[2], f[3])
            elif kind == "%agent-context-changed":
                self.ev_context(f[1], f[2], int(f[3]))
            elif kind == "%agent-message":
                self.ev_message(f[1], int(f[3]))
            elif kind == "%agent-pane-state":
                self.ev_pane_state(f[3], f[4])
        except (IndexError, ValueError):
            self.V(f"malformed notification: {line!r}")

    def ev_group(self, sid, group, what):
        members = self.ev_members.get(group)
        if what == "joined":
            old = self.ev_group_of.get(sid)
            if old is not None:
                self.V(f"{sid} joined {group} while still in {old} (no left first)")
                return
            if members is None:
                members = self.ev_members[group] = []
                self.ev_version[group] = 0
            members.append(sid)
            self.ev_group_of[sid] = group
        elif what == "left":
            if not members or sid not in members:
                self.V(f"{sid} left {group}, which it was not in")
                return
            members.remove(sid)
            del self.ev_group_of[sid]
            if not members:
                del self.ev_members[group]
                del self.ev_version[group]
                self.ev_dissolved[group] += 1
        elif what == "coordinator":
            if not members or sid not in members:
                self.V(f"{sid} became coordinator of {group}, which it is not in")
            elif members[0] != sid:
                self.V(f"{sid} became coordinator of {group} but {members[0]} "
                       f"joined first")
        else:
            self.V(f"unknown group event {what!r}")

    def ev_context(self, group, key, version):
        last = self.ev_version.get(group)
        if last is None:
            self.V(f"context of {group} changed ({key} v{version}) with no members")
            return
        if version != last + 1:
            self.V(f"context of {group}: version {version} after {last} ({key})")
        self.ev_version[group] = version

    def ev_message(self, sid, seq):
        self.ev_messages += 1
        last = self.ev_seq.get(sid, 0)
        if seq == 1 and last > 0:
            self.ev_resets.add(sid)
        elif seq != last + 1:
            self.V(f"message numbers of {sid}: {seq} after {last}")
        self.ev_seq[sid] = seq

    def ev_pane_state(self, pane, state):
        if state not in STEP:
            self.V(f"unknown pane state {state!r} for {pane}")
            return
        if pane == "%":
            return
        prev = self.ev_pane.get(pane, "creating")
        if state not in STEP[prev]:
            self.V(f"%agent-pane-state {pane}: {prev} -> {state} is not allowed")
        self.ev_pane[pane] = state

    # --- snapshots -----------------------------------------------------------

    def take(self, timeout, full=False):
        """One atomic snapshot, then the inboxes of its agents."""
        ctl = self.ctl
        self.ctl.n += 1
        mark = f"snapshot-end-{ctl.n}"
        ctl.send(self.SNAPSHOT)
        ctl.send(f"display-message -p {mark}")
        deadline = time.monotonic() + timeout
        blocks = []
        names = ["lsag", "lsa", "lsal", "lsap", "ls", "lsp"]
        dissolved = None
        while True:
            ok, body = ctl.block(deadline)
            if body == [mark]:
                break
            blocks.append((ok, body))
            if dissolved is None:
                # The blocks of one line come together (nothing runs between
                # its commands): what was announced so far is all that
                # happened before the snapshot, give or take the last few
                # changes, whose lines may still be on their way.
                dissolved = collections.Counter(self.ev_dissolved)
        if len(blocks) != len(names) or not all(ok for ok, _ in blocks):
            self.V(f"snapshot commands failed: {blocks!r}"[:500])
            return None
        snap = {}
        for name, (ok, body) in zip(names[:4], blocks):
            if not is_json_doc(body):
                self.V(f"{name} -J is not one JSON document: {body[:2]!r}"[:300])
                return None
            snap[name] = json.loads(body[0])
        snap["sessions"] = [tuple(line.split(" ", 1)) for line in blocks[4][1]]
        snap["tpanes"] = [tuple(line.split(" ", 2)) for line in blocks[5][1]]
        # Inboxes: one line each, so that one gone does not stop the others.
        sids = [a["session_id"] for a in snap["lsa"]["agents"]]
        for sid in sids:
            ctl.send(f"agent-inbox -J -t '{sid}'" + ("" if full else " -n 1"))
        inboxes = {}
        for sid in sids:
            ok, body = ctl.block(deadline)
            if ok:
                if not is_json_doc(body):
                    self.V(f"agent-inbox -J -t {sid} is not JSON: {body[:2]!r}"[:300])
                    continue
                inboxes[sid] = json.loads(body[0])
        snap["inboxes"] = inboxes
        snap["full"] = full
        snap["dissolved"] = dissolved
        return snap

    def check(self, snap):
        self.snapshots += 1
        sessions = {s[0]: s[1] for s in snap["sessions"]}
        tpanes = {p[0] for p in snap["tpanes"]}
        groups = snap["lsag"]["groups"]
        agents = {a["session_id"]: a for a in snap["lsa"]["agents"]}
        by_name = {}
        member_of = {}
        for g in groups:
            name = g["name"]
            by_name[name] = g
            ms = g["members"]
            if not ms:
                self.V(f"group {name} has no members")
                continue
            coords = [m for m in ms if m["role"] == "Coordinator"]
            if len(coords) != 1:
                self.V(f"group {name} has {len(coords)} coordinators: {ms}")
            if ms[0]["role"] != "Coordinator":
                self.V(f"group {name}: first member {ms[0]['session_id']} is not coordinator")
            if g["coordinator_id"] != ms[0]["session_id"]:
                self.V(f"group {name}: coordinator_id {g['coordinator_id']} is not "
                       f"its first member {ms[0]['session_id']}")
            if g["coordinator_id"] not in {m["session_id"] for m in ms}:
                self.V(f"group {name}: coordinator {g['coordinator_id']} is not a member")
            for m in ms:
                sid = m["session_id"]
                if sid in member_of:
                    self.V(f"{sid} is a member of {member_of[sid]} and {name}")
                member_of[sid] = name
                if sid not in sessions:
                    self.V(f"group {name}: member {sid} does not exist")
                a = agents.get(sid)
                if a is None:
                    self.V(f"group {name}: member {sid} is not an agent")
                elif a["group"] != name or a["role"] != m["role"]:
                    self.V(f"group {name}: member {sid} is listed by list-agents in "
                           f"{a['group']} as {a['role']}")
                elif a["peers"] != len(ms) - 1:
                    self.V(f"{sid}: peers {a['peers']}, group {name} has {len(ms)} members")
            ctx = g["context"]
            if g["context_keys"] != len(ctx):
                self.V(f"group {name}: context_keys {g['context_keys']} but {len(ctx)} entries")
            versions = [e["version"] for e in ctx.values()]
            if len(set(versions)) != len(versions):
                self.V(f"group {name}: entries share a version: {versions}")
            if versions and max(versions) > g["version"]:
                self.V(f"group {name}: entry version {max(versions)} > {g['version']}")
            size = 0
            for k, e in ctx.items():
                v = e["value"]
                if e["json"]:
                    v = json.dumps(v, separators=(",", ":"), ensure_ascii=False)
                size += len(k.encode()) + len(v.encode())
            if size != g["context_bytes"]:
                self.V(f"group {name}: context_bytes {g['context_bytes']}, entries make {size}")
        for sid, a in agents.items():
            if sid not in sessions:
                self.V(f"agent {sid} has no session")
            if a["group"] is None:
                if a["role"] is not None:
                    self.V(f"agent {sid} has role {a['role']} but no group")
            elif member_of.get(sid) != a["group"]:
                self.V(f"agent {sid} says group {a['group']}, which does not list it")
        self.check_versions(by_name, snap["dissolved"])
        self.check_layouts(snap, tpanes)
        self.check_inboxes(snap)
        self.publish(snap, agents)

    def check_versions(self, by_name, dissolved):
        # Confirm drops seen last time: a dissolution must have been
        # announced since the snapshot before the drop.
        for name, count, what in self.pending:
            if self.ev_dissolved[name] == count:
                self.V(what)
        self.pending = []
        now = {}
        self.r.log("snapshot groups " + " ".join(
            f"{n}:{g['created']}:{g['version']}:{dissolved[n]}" for n, g in by_name.items()))
        for name, g in by_name.items():
            cur = (g["created"], g["version"], dissolved[name])
            prev = self.prev_groups.get(name)
            if prev is not None and g["version"] < prev[1]:
                self.pending.append((name, prev[2],
                                     f"group {name}: context version went from {prev[1]} "
                                     f"to {g['version']} with no dissolution between"))
            now[name] = cur
        self.prev_groups = now

    def check_layouts(self, snap, tpanes):
        layouts = {lay["id"]: lay for lay in snap["lsal"]["layouts"]}
        panes = snap["lsap"]["panes"]
        by_id = {p["id"]: p for p in panes}
        of_layout = collections.defaultdict(list)
        for p in panes:
            of_layout[p["layout"]].append(p)
            if p["layout"] not in layouts:
                self.V(f"{p['id']} is in {p['layout']}, which is not listed")
        for lid, lay in layouts.items():
            cur = [p for p in of_layout[lid] if p["successor"] is None]
            counts = collections.Counter(p["state"] for p in cur)
            want = {s: counts.get(s, 0) for s in STATES}
            if lay["counts"] != want:
                self.V(f"{lid}: counts {lay['counts']} but current panes make {want}")
            if lay["state"] != aggregate({p["state"] for p in cur}):
                self.V(f"{lid}: state {lay['state']} but current panes are "
                       f"{sorted(p['state'] for p in cur)}")
            labels = [p["label"] for p in cur]
            if len(set(labels)) != len(labels):
                self.V(f"{lid}: current panes share labels: {labels}")
        for p in panes:
            mid, st = p["id"], p["state"]
            if st not in STEP:
                self.V(f"{mid}: unknown state {st}")
                continue
            # A released pane (moved out of its layout's window, or left in a
            # window only other sessions keep) runs on as a plain pane.
            if st == "removed" and p["pane_id"] in tpanes and not p.get("released"):
                self.V(f"{mid} is removed but its tmux pane {p['pane_id']} exists")
            if p.get("released") and st != "removed":
                self.V(f"{mid} is released but {st}")
            stage = p["failed_stage"]
            if st == "degraded" and stage not in ("launch_command", "process_exit"):
                self.V(f"{mid}: degraded with stage {stage}")
            if st == "failed" and stage != "pane_create":
                self.V(f"{mid}: failed with stage {stage}")
            if st in ("creating", "ready") and stage is not None:
                self.V(f"{mid}: {st} with stage {stage}")
            s = p["successor"]
            if s is not None and s in by_id:
                q = by_id[s]
                if (q["predecessor"] != mid or q["depth"] != p["depth"] + 1
                        or q["label"] != p["label"] or q["layout"] != p["layout"]):
                    self.V(f"{mid} -> {s}: chain links disagree")
            if mid in self.forgotten:
                self.V(f"{mid} was forgotten and is listed again")
            prev = self.prev_mstate.get(mid)
            if prev is not None and st not in REACH[prev]:
                self.V(f"{mid}: {prev} -> {st} is not allowed")
        for mid, lid in self.prev_mlayout.items():
            if mid not in by_id:
                if lid in layouts:
                    self.V(f"{mid} disappeared but its layout {lid} is still listed")
                self.forgotten.add(mid)
        self.prev_mstate = {p["id"]: p["state"] for p in panes if p["state"] in STEP}
        self.prev_mlayout = {p["id"]: p["layout"] for p in panes}

    def check_inboxes(self, snap):
        for sid, doc in snap["inboxes"].items():
            self.inbox_checks += 1
            d, c, dr, u = doc["delivered"], doc["consumed"], doc["dropped"], doc["unread"]
            if d != c + dr + u:
                self.V(f"inbox {sid}: delivered {d} != consumed {c} + dropped {dr} + unread {u}")
            seqs = [m["seq"] for m in doc["messages"]]
            want = list(range(d - u + 1, d + 1))
            if not snap["full"]:
                want = want[:1]
            if seqs != want:
                self.V(f"inbox {sid}: unread numbers {seqs[:10]}, expected {want[:10]}")
            prev = self.inbox_prev.get(sid)
            if prev and (d < prev[0] or c < prev[1] or dr < prev[2]):
                self.inbox_back.add(sid)
            self.inbox_prev[sid] = (d, c, dr)

    def publish(self, snap, agents):
        """What the workers choose their targets from."""
        home = {s[0] for s in snap["sessions"] if s[1].startswith(HOME_PREFIX)}
        live = {lay["id"] for lay in snap["lsal"]["layouts"] if lay["state"] != "removed"}
        self.r.view = {
            "sessions": snap["sessions"],
            "agents": list(agents),
            "grouped": [sid for sid, a in agents.items() if a["group"] is not None],
            "groups": [g["name"] for g in snap["lsag"]["groups"]],
            "layouts": [(lay["id"], lay["session_id"]) for lay in snap["lsal"]["layouts"]
                        if lay["state"] != "removed"],
            "mpanes": [(p["id"], p["state"], p["layout"], p["label"])
                       for p in snap["lsap"]["panes"]],
            "recreatable": [p["id"] for p in snap["lsap"]["panes"]
                            if p["successor"] is None
                            and p["state"] in ("degraded", "failed", "removed")
                            and p["layout"] in live],
            "panes": [p[0] for p in snap["tpanes"] if p[1] not in home],
            "all_panes": [p[0] for p in snap["tpanes"]],
        }

    # --- the thread ------------------------------------------------------------

    def run(self):
        timeout = self.r.args.timeout
        period = self.r.args.period
        try:
            while not self.r.stop.is_set():
                snap = self.take(timeout)
                if snap is not None:
                    self.check(snap)
                deadline = time.monotonic() + period
                while time.monotonic() < deadline and not self.r.stop.is_set():
                    try:
                        line = self.ctl.readline(min(deadline, time.monotonic() + 0.1))
                        self.ctl.on_line(line)
                    except Hang:
                        pass
        except Hang:
            self.V(f"checker: a snapshot took more than {timeout} s")
            self.failed = True
        except Closed:
            # Say how: the %exit line tmux printed (with its reason, if
            # any) and the client process's status (negative: a signal).
            try:
                rc = self.ctl.p.wait(timeout=1)
            except Exception:
                rc = None
            self.V(f"checker: control client closed (server gone?): "
                   f"exit line {self.ctl.exit_line!r}, client status {rc}")
            self.failed = True
        except Exception:
            self.V(f"checker: {traceback.format_exc()}")
            self.failed = True
        self.done.set()
