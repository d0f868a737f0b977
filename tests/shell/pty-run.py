#!/usr/bin/env python3
"""pty-run.py: run a command on a new pseudo-terminal, for the shell tests.

    pty-run.py [--rows 24] [--cols 80] [--input FIFO] [--output FILE]
               [--status FILE] -- COMMAND [ARGS...]

Everything the command writes to its terminal is appended to --output;
bytes written to the --input fifo are typed into the terminal. When the
command exits, its exit status (or 128+signal) is written to --status and
is also this script's exit status. Needs no terminal of its own.
"""
import argparse
import errno
import fcntl
import os
import pty
import select
import struct
import sys
import termios


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--rows", type=int, default=24)
    p.add_argument("--cols", type=int, default=80)
    p.add_argument("--input")
    p.add_argument("--output", default=os.devnull)
    p.add_argument("--status")
    p.add_argument("command", nargs=argparse.REMAINDER)
    a = p.parse_args()
    cmd = a.command[1:] if a.command[:1] == ["--"] else a.command
    if not cmd:
        p.error("no command")

    pid, master = pty.fork()
    if pid == 0:
        try:
            os.execvp(cmd[0], cmd)
        except OSError as e:
            sys.stderr.write("pty-run: %s: %s\n" % (cmd[0], e))
        os._exit(127)

    fcntl.ioctl(master, termios.TIOCSWINSZ,
                struct.pack("HHHH", a.rows, a.cols, 0, 0))
    # O_RDWR: the fifo never reports end-of-file while we hold it open.
    fifo = os.open(a.input, os.O_RDWR | os.O_NONBLOCK) if a.input else None
    out = open(a.output, "ab", buffering=0)

    fds = [master] + ([fifo] if fifo is not None else [])
    while True:
        try:
            ready, _, _ = select.select(fds, [], [])
        except InterruptedError:
            continue
        if master in ready:
            try:
                data = os.read(master, 65536)
            except OSError as e:
                if e.errno != errno.EIO:
                    raise
                data = b""
            if not data:  # slave closed: the command has exited
                break
            out.write(data)
        if fifo is not None and fifo in ready:
            try:
                data = os.read(fifo, 65536)
            except BlockingIOError:
                data = b""
            if data:
                os.write(master, data)

    _, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    code = 128 - code if code < 0 else code
    if a.status:
        with open(a.status + ".tmp", "w") as f:
            f.write("%d\n" % code)
        os.rename(a.status + ".tmp", a.status)
    return code


if __name__ == "__main__":
    sys.exit(main())
