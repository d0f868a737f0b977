#!/usr/bin/env python3
"""Compare one suite's JUnit results with agent-tmux and with plain tmux.

    compare.py SUITE OURS.xml PLAIN.xml

Prints the counts of each run and every test whose outcome differs (with the
first line of its message); exits 1 if any differs, or a run left no results
or passed no test (say, a collection error stopped it).
"""

import sys
import xml.etree.ElementTree as ET
from collections import Counter


def outcomes(path):
    """{test id: (outcome, message)} of a JUnit XML file."""
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError) as e:
        print(f"  {path}: no results ({e})")
        return None
    result = {}
    for case in root.iter("testcase"):
        tid = f"{case.get('classname', '')}::{case.get('name', '')}"
        outcome, message = "passed", ""
        for child in case:
            if child.tag in ("failure", "error"):
                outcome, message = ("failed" if child.tag == "failure" else "error"), child.get("message", "")
                break
            if child.tag == "skipped":
                outcome, message = "skipped", child.get("message", "")
        # A parametrized id can repeat (reruns): the last one is the outcome.
        result[tid] = (outcome, message)
    return result


def summary(res):
    c = Counter(o for o, _ in res.values())
    return ", ".join(f"{c[k]} {k}" for k in ("passed", "failed", "error", "skipped") if c[k]) or "no tests"


def main():
    suite, ours_path, plain_path = sys.argv[1:4]
    ours, plain = outcomes(ours_path), outcomes(plain_path)
    if ours is None or plain is None:
        return 1
    print(f"{suite}: agent-tmux: {summary(ours)}")
    print(f"{suite}: plain 3.5a: {summary(plain)}")
    bad = 0
    for name, res in (("agent-tmux", ours), ("plain 3.5a", plain)):
        if not any(o == "passed" for o, _ in res.values()):
            print(f"{suite}: the run with {name} passed no test: the suite did not run")
            bad = 1
    differ = sorted(t for t in set(ours) | set(plain) if ours.get(t, ("absent", ""))[0] != plain.get(t, ("absent", ""))[0])
    if not differ:
        print(f"{suite}: the same outcome for every test")
        return bad
    print(f"{suite}: {len(differ)} tests differ (agent-tmux / plain):")
    for t in differ:
        o, m = ours.get(t, ("absent", ""))
        p, n = plain.get(t, ("absent", ""))
        print(f"  {t}: {o} / {p}")
        for msg in (m, n):
            if msg:
                print(f"      {msg.splitlines()[0][:200]}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
