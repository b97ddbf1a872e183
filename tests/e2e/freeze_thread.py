#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""freeze_thread.py TID SECONDS: stops one thread of a process, alone, for SECONDS
(ptrace's PTRACE_SEIZE and PTRACE_INTERRUPT stop the thread without a group stop, so
the process's other threads run on), then lets it go. Prints "frozen" once it is
stopped. As a wedged worker is, for tests/e2e/test_announce.sh. Root only."""
import ctypes
import os
import sys
import time

PTRACE_DETACH, PTRACE_SEIZE, PTRACE_INTERRUPT = 17, 0x4206, 0x4207
WALL = 0x40000000  # __WALL: wait for a thread that is not a child process


def main():
    tid, seconds = int(sys.argv[1]), float(sys.argv[2])
    libc = ctypes.CDLL(None, use_errno=True)
    libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]
    for request in (PTRACE_SEIZE, PTRACE_INTERRUPT):
        if libc.ptrace(request, tid, None, None) != 0:
            sys.exit("freeze_thread: ptrace: %s" % os.strerror(ctypes.get_errno()))
    os.waitpid(tid, WALL)  # stopped now
    print("frozen", flush=True)
    time.sleep(seconds)
    libc.ptrace(PTRACE_DETACH, tid, None, None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
