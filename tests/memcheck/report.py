#!/usr/bin/env python3
"""Summarise the memory-checker logs of a shell-suite run.

    report.py asan DIR [--repo REPO]        DIR/TEST/asan.PID files
    report.py valgrind DIR [--repo REPO]    DIR/TEST/vg.PID files

DIR/TEST/clients lists the pids of client processes (tests/memcheck/tmux-wrapper);
any other process with a log was forked from one (a server, or a child of it).

Every finding is attributed by its stack(s):
  agent-tmux  a frame in our Rust code (src/, cmds/), our generated C wrapper
              or a line our vendor/patches wrote (found by comparing the built
              source with the pristine one), other than the process's `main`
              (every stack starts there);
  upstream    otherwise a frame in tmux's C source;
  system      otherwise (libc, libevent, the Rust standard library, ...).
An upstream finding whose stack matches an entry of tests/memcheck/upstream.supp
(reproduced with plain upstream tmux, see README.md) is "upstream, known";
"upstream, via ours" is an entry marked /ours matching a stack that passes
through agent-tmux code (upstream loses memory that our call made it allocate).
Indirect leaks hang off a direct one and are only counted, except in a
process with no direct leak at all: there they are a cycle of blocks that
nothing points to any more, shown as "leak (cycle)".

Prints processes checked, findings by kind and attribution, and each distinct
stack (first frames outside the allocator) with its count and tests. Exit
status 1 if any invalid access was found (whoever's), or a leak or use of
uninitialised memory attributed to agent-tmux; else 0.
"""

import argparse
import collections
import difflib
import os
import re
import sys

# Frames that say where memory came from, not who wanted it.
ALLOC_FUNCS = re.compile(
    r"^(__interceptor_|__asan_|__lsan_|___interceptor_)|"
    r"^(malloc|calloc|realloc|reallocarray|free|strdup|strndup|asprintf|vasprintf|"
    r"xmalloc|xcalloc|xrealloc|xreallocarray|xrecallocarray|xstrdup|xstrndup|"
    r"xasprintf|xvasprintf|xsnprintf|xvsnprintf|"
    r"__rust_alloc|__rust_alloc_zeroed|__rust_realloc|__rdl_alloc|__rdl_realloc|"
    r"alloc::alloc::|alloc::raw_vec::|std::alloc::)"
)
BOTTOM_FUNCS = {"main", "tmux_main", "_start", "__libc_start_main", "__libc_start_call_main"}

INVALID = "invalid access"
UNINIT = "uninitialised"
LEAK = "leak"
OTHER = "other"


class Frame:
    def __init__(self, func, path, line):
        self.func = func or "??"
        self.path = path or ""
        self.line = line


class Finding:
    def __init__(self, kind, category, stacks, test, pid, text):
        self.kind = kind
        self.category = category
        self.stacks = stacks  # first one is where it happened
        self.test = test
        self.pid = pid
        self.text = text  # the heading line


class Attributor:
    def __init__(self, repo):
        self.repo = os.path.realpath(repo)
        self.ours = [os.path.join(self.repo, d) + os.sep for d in ("src", "cmds")]
        # Upstream's file names: debug info names some of them oddly (the
        # parser's #line directives say plain "cmd-parse.y").
        self.upstream = set()
        vdir = os.path.join(self.repo, "vendor", "upstream")
        for top in os.listdir(vdir) if os.path.isdir(vdir) else []:
            if top.startswith("tmux-"):
                for _, _, files in os.walk(os.path.join(vdir, top)):
                    self.upstream.update(n for n in files if n.endswith((".c", ".h", ".y")))
        self.pristine_root = ""
        for top in sorted(os.listdir(vdir)) if os.path.isdir(vdir) else []:
            if top.startswith("tmux-"):
                self.pristine_root = os.path.join(vdir, top)
        self.changed = {}  # patched file path -> set of lines our patches wrote
        self.known = []  # upstream.supp: (category, [function, ...])

    def load_known(self, path):
        """Read upstream.supp."""
        with open(path) as f:
            for line in f:
                words = line.split("#", 1)[0].split()
                if len(words) >= 2:
                    self.known.append((words[0], words[1:]))

    def matching_entries(self, finding):
        """Indexes of the upstream.supp entries a finding matches, whoever's."""
        out = []
        for n, (cat, funcs) in enumerate(self.known):
            if not category_matches(cat.partition("/")[0], finding):
                continue
            if finding.stacks and stack_matches(finding.stacks[0], funcs):
                out.append(n)
        return out

    def is_known(self, finding, through_ours=False):
        """Does an entry of upstream.supp match? With through_ours, only
        entries marked /ours (the loss is upstream's even when agent-tmux
        code made the call) count."""
        for cat, funcs in self.known:
            cat, _, ours = cat.partition("/")
            if through_ours and ours != "ours":
                continue
            if not category_matches(cat, finding):
                continue
            if finding.stacks and stack_matches(finding.stacks[0], funcs):
                return True
        return False

    def patched_lines(self, path):
        """Lines of a patched upstream file (as built, in OUT_DIR) that our
        vendor/patches added or changed, found by comparing it with the
        pristine copy in vendor/upstream."""
        if path in self.changed:
            return self.changed[path]
        lines = set()
        m = re.search(r"/tmux-\d[^/]*/(.*)$", path)
        pristine = os.path.join(self.pristine_root, m.group(1)) if m and self.pristine_root else ""
        try:
            with open(path, errors="replace") as f:
                built = f.readlines()
            with open(pristine, errors="replace") as f:
                orig = f.readlines()
            sm = difflib.SequenceMatcher(None, orig, built, autojunk=False)
            for op, _, _, j1, j2 in sm.get_opcodes():
                if op in ("replace", "insert"):
                    lines.update(range(j1 + 1, j2 + 1))
        except OSError:
            pass
        self.changed[path] = lines
        return lines

    def owner(self, frame):
        path = frame.path
        if path.endswith("agent-tmux-main.c"):
            return "agent-tmux"
        if any(path.startswith(d) for d in self.ours):
            return "agent-tmux"
        if re.search(r"/tmux-\d[^/]*/", path) and path.endswith((".c", ".h", ".y")):
            # A line our patches wrote is our code.
            if frame.line and int(frame.line) in self.patched_lines(path):
                return "agent-tmux"
            return "upstream"
        if os.path.basename(path) in self.upstream:
            return "upstream"
        if path.startswith("/rustc/") or "/.cargo/registry/" in path:
            return "system"
        if frame.func.startswith(("tmux::", "agent_tmux::", "__wrap_")):
            return "agent-tmux"  # no line info, but our symbols
        return "system"

    def attribute(self, finding):
        """agent-tmux, upstream or system, for the finding as a whole."""
        owners = set()
        for stack in finding.stacks:
            for fr in stack:
                if fr.func in BOTTOM_FUNCS:
                    break
                owners.add(self.owner(fr))
        if "agent-tmux" in owners:
            return "upstream, via ours" if self.is_known(finding, True) else "agent-tmux"
        if "upstream" in owners:
            return "upstream, known" if self.is_known(finding) else "upstream"
        return "system"

    def show(self, frame):
        """A frame for printing: function and a short path."""
        path, note = frame.path, ""
        m = re.search(r"/(tmux-\d[^/]*/.*)$", path)
        if m:
            if frame.line and int(frame.line) in self.patched_lines(path):
                note = "  [our patch]"
            path = m.group(1)
        elif path.startswith(self.repo + os.sep):
            path = path[len(self.repo) + 1:]
        if frame.line:
            path += ":" + frame.line
        return "%s  %s%s" % (short_func(frame.func), path, note)


def category_matches(word, finding):
    """upstream.supp's leak, uninit, invalid or any against a finding."""
    return word == "any" or finding.category.startswith(word)


def stack_matches(stack, funcs, gap=2):
    """Do funcs appear in the stack in this order, each within gap frames of
    the one before (room for static helpers that a build inlined or not)?"""
    names = [plain_name(fr.func) for fr in stack]

    def rest(start, k):
        if k == len(funcs):
            return True
        return any(names[j] == funcs[k] and rest(j + 1, k + 1)
                   for j in range(start, min(len(names), start + gap + 1)))

    return any(names[i] == funcs[0] and rest(i + 1, 1) for i in range(len(names)))


def key_frames(stack, n=4):
    out = []
    skipping = True
    for fr in stack:
        if skipping and ALLOC_FUNCS.search(fr.func):
            continue
        skipping = False
        if fr.func in BOTTOM_FUNCS:
            break
        out.append(fr)
        if len(out) == n:
            break
    return out


def short_func(func):
    # Rust's legacy mangling leaves a ::h<hash> suffix.
    return re.sub(r"::h[0-9a-f]{16}$", "", func)


def plain_name(func):
    # gcc's clones (args_make_commands.part.0) are the same function.
    return re.sub(r"\.(part|constprop|isra|cold)(\.\d+)*$", "", short_func(func))


# --- AddressSanitizer --------------------------------------------------------

ASAN_FRAME = re.compile(r"^\s+#(\d+) 0x[0-9a-f]+ (?:in (.*) )?(\S+)$")


def parse_asan_frame(line):
    m = ASAN_FRAME.match(line)
    if not m:
        return None
    func, loc = m.group(2), m.group(3)
    if loc.startswith("("):
        return Frame(func, loc.strip("()").split("+")[0], None)
    parts = loc.split(":")
    if len(parts) >= 2 and parts[1].isdigit():
        return Frame(func, parts[0], parts[1])
    return Frame(func, loc, None)


def asan_category(kind):
    if kind.startswith("leak"):
        return LEAK
    if kind in ("use-of-uninitialized-value",):
        return UNINIT
    return INVALID


def parse_asan(path, test, pid):
    findings = []
    exited = False
    with open(path, errors="replace") as f:
        lines = f.read().splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("AddressSanitizer exit stats") or "ERROR: LeakSanitizer" in line:
            exited = True
        m = re.match(r"^==\d+==ERROR: AddressSanitizer: (\S+)(.*)", line)
        if m:
            kind = m.group(1)
            heading = line.split("ERROR: ", 1)[1]
            stacks, stack = [], None
            i += 1
            while i < len(lines) and not lines[i].startswith("SUMMARY:"):
                fr = parse_asan_frame(lines[i])
                if fr:
                    if lines[i].lstrip().startswith("#0 "):
                        stack = []
                        stacks.append(stack)
                    stack.append(fr)
                i += 1
            findings.append(Finding(kind, asan_category(kind), stacks, test, pid, heading))
            continue
        m = re.match(r"^(Direct|Indirect) leak of (\d+) byte\(s\) in (\d+) object", line)
        if m:
            kind = "leak (%s)" % m.group(1).lower()
            stack = []
            i += 1
            while i < len(lines):
                fr = parse_asan_frame(lines[i])
                if not fr:
                    break
                stack.append(fr)
                i += 1
            findings.append(Finding(kind, LEAK, [stack], test, pid, line))
            continue
        i += 1
    if not any(f.kind == "leak (direct)" for f in findings):
        for f in findings:
            if f.kind == "leak (indirect)":
                f.kind = "leak (cycle)"
    return findings, exited


# --- valgrind ----------------------------------------------------------------

VG_LINE = re.compile(r"^==(\d+)== ?(.*)$")
VG_FRAME = re.compile(r"^\s+(?:at|by) 0x[0-9A-Fa-f]+: (.*) \((.*)\)$")
VG_KINDS = [
    (r"^Invalid read of size", "invalid read", INVALID),
    (r"^Invalid write of size", "invalid write", INVALID),
    (r"^Invalid free\(\)", "invalid free", INVALID),
    (r"^Mismatched free", "mismatched free", INVALID),
    (r"^Source and destination overlap", "overlapping copy", INVALID),
    (r"^Jump to the invalid address", "invalid jump", INVALID),
    # A crash; a fork killed by SIGHUP or SIGTERM before its exec is not.
    (r"^Process terminating with default action of signal \d+ \(SIG(SEGV|BUS|ILL|FPE|ABRT)\)",
     "fatal signal", INVALID),
    (r"^Process terminating with default action of signal", "killed by a signal", OTHER),
    (r"^Syscall param .* points to unaddressable", "unaddressable syscall param", INVALID),
    (r"^Conditional jump or move depends on uninitialised", "uninitialised condition", UNINIT),
    (r"^Use of uninitialised value", "uninitialised value used", UNINIT),
    (r"^Syscall param .* uninitialised byte", "uninitialised syscall param", UNINIT),
    (r"are definitely lost in loss record", "leak (definite)", LEAK),
    (r"are possibly lost in loss record", "leak (possible)", LEAK),
    (r"are indirectly lost in loss record", "leak (indirect)", LEAK),
    (r"^Argument '.*' of function .* has a fishy", "fishy argument", OTHER),
]


def parse_vg_frame(text):
    m = VG_FRAME.match(text)
    if not m:
        return None
    func, loc = m.group(1), m.group(2)
    if loc.startswith("in "):
        return Frame(func, loc[3:], None)
    if ":" in loc:
        p, ln = loc.rsplit(":", 1)
        return Frame(func, p, ln)
    return Frame(func, loc, None)


def parse_valgrind(path, test):
    """Findings, parent pid, whether the process got to its exit summary."""
    findings, parent, finished, pid = [], None, False, None
    blocks, block = [], []
    with open(path, errors="replace") as f:
        for raw in f:
            m = VG_LINE.match(raw.rstrip("\n"))
            if not m:
                continue
            pid = int(m.group(1))
            text = m.group(2)
            if text.startswith("Parent PID:"):
                parent = int(text.split(":")[1])
            if text.startswith("ERROR SUMMARY:"):
                finished = True
            # A block ends at an empty line; a line that is not indented
            # (an error's heading, a warning) starts a new one.
            if text.strip() == "" or not text[:1].isspace():
                if block:
                    blocks.append(block)
                block = []
            if text.strip():
                block.append(text)
    if block:
        blocks.append(block)
    for b in blocks:
        head = b[0]
        for pattern, kind, category in VG_KINDS:
            if re.search(pattern, head):
                stacks, stack = [], None
                for text in b[1:]:
                    fr = parse_vg_frame(text)
                    if fr:
                        if stack is None:
                            stack = []
                            stacks.append(stack)
                        stack.append(fr)
                    else:
                        stack = None
                findings.append(Finding(kind, category, stacks, test, pid, head))
                break
    return findings, parent, finished


# --- the report ----------------------------------------------------------------


def read_clients(d):
    pids = set()
    try:
        with open(os.path.join(d, "clients")) as f:
            for line in f:
                line = line.strip()
                if line.isdigit():
                    pids.add(int(line))
    except OSError:
        pass
    return pids


def scan(opts):
    """Findings and process counts from every TEST directory under opts.dir."""
    findings = []
    procs = collections.Counter()
    incomplete = []
    for test in sorted(os.listdir(opts.dir)):
        tdir = os.path.join(opts.dir, test)
        if not os.path.isdir(tdir):
            continue
        clients = read_clients(tdir)
        procs["invocations"] += len(clients)
        logs = [n for n in os.listdir(tdir) if re.match(r"^(asan|vg)\.\d+$", n)]
        if opts.tool == "asan":
            for name in logs:
                pid = int(name.split(".")[1])
                fs, exited = parse_asan(os.path.join(tdir, name), test, pid)
                findings += fs
                procs["clients" if pid in clients else "servers or other forks"] += 1
                if any(f.category == INVALID for f in fs):
                    procs["stopped"] += 1
                elif exited:
                    procs["exited"] += 1
            continue
        info, found = {}, {}
        for name in logs:
            pid = int(name.split(".")[1])
            fs, parent, finished = parse_valgrind(os.path.join(tdir, name), test)
            info[pid] = (parent, finished)
            found[pid] = fs
        for pid, (parent, finished) in info.items():
            if pid in clients:
                role = "clients"
            elif parent in clients:
                role = "daemon forks"
            elif parent in info and info[parent][0] in clients:
                role = "servers"
                if finished:
                    procs["servers finished"] += 1
                else:
                    incomplete.append("%s: server %d" % (test, pid))
            elif not finished:
                role = "server children (exec'd)"
            else:
                role = "other forks"
            procs[role] += 1
            for f in found[pid]:
                # A fork that exits without exec (daemon()'s parent half, a
                # pane's child whose exec failed, or that was killed first:
                # a pane closed at once) holds a copy of its parent's heap:
                # its "leaks" are not, and neither is a SIGHUP.
                if role in ("daemon forks", "other forks") and (
                        f.category == LEAK or f.kind == "killed by a signal"):
                    procs["fork findings ignored"] += 1
                else:
                    findings.append(f)
    return findings, procs, incomplete


def check_known(attr, findings):
    hits = collections.Counter()
    for f in findings:
        for n in attr.matching_entries(f):
            hits[n] += 1
    missing = 0
    for n, (cat, funcs) in enumerate(attr.known):
        print("%-12s %-70s %s" % (cat, " ".join(funcs),
                                  "reproduced (%d)" % hits[n] if hits[n] else "NOT reproduced"))
        missing += not hits[n]
    return 1 if missing else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("tool", choices=["asan", "valgrind"])
    ap.add_argument("dir")
    ap.add_argument("--repo", default=os.path.join(os.path.dirname(__file__), "..", ".."))
    ap.add_argument("--stacks", type=int, default=25, help="distinct stacks to print")
    ap.add_argument("--check-known", action="store_true",
                    help="say which upstream.supp entries the logs reproduce")
    ap.add_argument("--known", default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                    "upstream.supp"))
    opts = ap.parse_args()
    attr = Attributor(opts.repo)
    attr.load_known(opts.known)
    findings, procs, incomplete = scan(opts)
    if opts.check_known:
        return check_known(attr, findings)

    if opts.tool == "asan":
        print("== AddressSanitizer summary (%s)" % opts.dir)
        n = procs["clients"] + procs["servers or other forks"]
        print("processes: %d with a log (%d clients, %d servers or other forks); "
              "%d ran the exit leak check, %d stopped at an error" % (
                  n, procs["clients"], procs["servers or other forks"],
                  procs["exited"], procs["stopped"]))
        print("client invocations: %d (a client without a log was killed before it exited)"
              % procs["invocations"])
    else:
        print("== valgrind memcheck summary (%s)" % opts.dir)
        roles = ["clients", "daemon forks", "servers", "server children (exec'd)", "other forks"]
        print("processes under valgrind: %d (%s)" % (
            sum(procs[r] for r in roles), ", ".join("%d %s" % (procs[r], r) for r in roles)))
        print("servers that reached their exit summary: %d of %d" % (
            procs["servers finished"], procs["servers"]))
        if procs["fork findings ignored"]:
            print("leaks and SIGHUP/SIGTERM deaths ignored in forks that ended before "
                  "their exec (a copy of the server's heap): %d" % procs["fork findings ignored"])
        print("client invocations: %d (%d under valgrind: no server yet; the rest natively)" % (
            procs["invocations"], procs["clients"]))
        for line in incomplete[:10]:
            print("  log ends early (killed?): " + line)

    owner = {id(f): attr.attribute(f) for f in findings}
    # A cycle is one structure: known if one of its blocks is, and none of
    # them involves agent-tmux.
    cycles = collections.defaultdict(list)
    for f in findings:
        if f.kind == "leak (cycle)":
            cycles[(f.test, f.pid)].append(f)
    for fs in cycles.values():
        whos = {owner[id(f)] for f in fs}
        for label in ("upstream, known", "upstream, via ours"):
            if label in whos and "agent-tmux" not in whos:
                for f in fs:
                    if owner[id(f)] in ("upstream", "system"):
                        owner[id(f)] = label

    by = collections.Counter()
    groups = {}
    for f in findings:
        who = owner[id(f)]
        by[(f.category, f.kind, who)] += 1
        sig = (f.category, f.kind, who,
               tuple(short_func(fr.func) for fr in key_frames(f.stacks[0] if f.stacks else [])))
        g = groups.setdefault(sig, {"n": 0, "tests": collections.Counter(), "f": f})
        g["n"] += 1
        g["tests"][f.test] += 1

    print("findings: %d in %d distinct stacks" % (len(findings), len(groups)))
    if by:
        print("  %-15s %-28s %-16s %s" % ("category", "kind", "attribution", "count"))
        for (cat, kind, who), n in sorted(by.items()):
            print("  %-15s %-28s %-16s %d" % (cat, kind, who, n))
    # Indirect leaks hang off a direct one: their stacks only add noise.
    shown = [kv for kv in groups.items() if kv[0][1] != "leak (indirect)"]
    rank = {"agent-tmux": 0, "upstream": 1, "system": 2, "upstream, via ours": 3,
            "upstream, known": 4}
    shown.sort(key=lambda kv: (kv[0][0] != INVALID, rank.get(kv[0][2], 2), -kv[1]["n"]))
    for sig, g in shown[:opts.stacks]:
        cat, kind, who, _ = sig
        f = g["f"]
        tests = ", ".join(t for t, _ in g["tests"].most_common(4))
        if len(g["tests"]) > 4:
            tests += ", ..."
        print()
        print("[%s] %s: x%d in %s" % (who, kind, g["n"], tests))
        print("  " + f.text)
        for fr in key_frames(f.stacks[0] if f.stacks else [], 8):
            print("    " + attr.show(fr))
        if f.category == INVALID:
            for extra in f.stacks[1:3]:
                print("    --")
                for fr in key_frames(extra, 5):
                    print("    " + attr.show(fr))
    if len(shown) > opts.stacks:
        print("\n(%d more distinct stacks not shown: --stacks N)" % (len(shown) - opts.stacks))

    failing = []
    for (cat, kind, who), n in sorted(by.items()):
        if cat == INVALID:
            failing.append("%d %s (%s)" % (n, kind, who))
        elif who == "agent-tmux" and cat in (LEAK, UNINIT):
            failing.append("%d %s attributed to agent-tmux" % (n, kind))
    print()
    if failing:
        print("RESULT: FAIL: " + "; ".join(failing))
        return 1
    print("RESULT: OK: no invalid accesses; no leaks or uninitialised reads attributed to agent-tmux")
    return 0


if __name__ == "__main__":
    sys.exit(main())
