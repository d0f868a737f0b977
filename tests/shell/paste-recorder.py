#!/usr/bin/env python3
"""A stand-in for an agent's TUI, for the agent-prompt tests: puts its
terminal in raw mode, turns bracketed paste on (unless --no-bracket), and
appends every chunk of input it receives to a log as one JSON line
{"t": seconds since start, "hex": bytes}, until it is killed. It prints
"ready" once its terminal is set up."""
import json, os, sys, termios, time, tty

log = sys.argv[1]
bracket = "--no-bracket" not in sys.argv
fd = sys.stdin.fileno()
tty.setraw(fd)
if bracket:
    os.write(1, b"\x1b[?2004h")
os.write(1, b"ready\r\n")
start = time.monotonic()
with open(log, "a", buffering=1) as f:
    while True:
        data = os.read(fd, 65536)
        if not data:
            break
        f.write(json.dumps({"t": round(time.monotonic() - start, 4), "hex": data.hex()}) + "\n")
