"""Runs a command on a pseudo-terminal, as a terminal emulator would, for the demo's tests.

Usage: python3 pty-host.py <columns> <rows> <command> [args...]

The command becomes a session leader whose controlling terminal is the PTY, so its process
group is the terminal's foreground group: a Ctrl-C (0x03) written to our stdin reaches the
line discipline and becomes SIGINT for that whole group, cluster workers included, exactly
as when a person presses Ctrl-C. Bytes on our stdin go to the terminal; everything the
command writes to it (stdout and stderr, escape sequences included) comes out on our stdout.
Exits with the command's exit code (128 + n when killed by signal n). SIGTERM to us, or our
stdin closing (the test process is gone), kills the command's process group, so a test that
gives up or dies leaves nothing running.
"""

import errno
import fcntl
import os
import select
import signal
import struct
import subprocess
import sys
import termios

columns, rows = int(sys.argv[1]), int(sys.argv[2])
command = sys.argv[3:]

master, slave = os.openpty()
fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))


def take_terminal():
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


child = subprocess.Popen(
    command,
    stdin=slave,
    stdout=slave,
    stderr=slave,
    start_new_session=True,
    preexec_fn=take_terminal,
)
os.close(slave)


def stop(_signum, _frame):
    try:
        os.killpg(child.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    sys.exit(137)


signal.signal(signal.SIGTERM, stop)

inputs = [master, sys.stdin.fileno()]  # stdin stays open as long as the test runs
while True:
    readable, _, _ = select.select(inputs, [], [])
    if sys.stdin.fileno() in readable:
        data = os.read(sys.stdin.fileno(), 4096)
        if data:
            os.write(master, data)
        else:
            stop(None, None)  # our stdin closed: the test that ran us is gone; leave nothing behind
    if master in readable:
        try:
            data = os.read(master, 65536)
        except OSError as error:  # EIO: every process holding the terminal has closed it
            if error.errno != errno.EIO:
                raise
            data = b""
        if not data:
            break
        os.write(sys.stdout.fileno(), data)

code = child.wait()
sys.exit(code if code >= 0 else 128 - code)
