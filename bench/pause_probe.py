#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""One UDP flow through the director, a datagram every INTERVAL ms for SECONDS s, from
one source port (one connection in uvsd's table): prints the longest time between two
answers (the data path's pause), the datagrams sent and answered, and the answering
server's names seen (a flow that stays on its real server across a restart names one).
Usage: pause_probe.py ADDR PORT SECONDS [INTERVAL_MS]"""
import select
import socket
import sys
import time


def main():
    addr, port, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    interval = float(sys.argv[4]) / 1000 if len(sys.argv) > 4 else 0.001
    family = socket.AF_INET6 if ":" in addr else socket.AF_INET
    s = socket.socket(family, socket.SOCK_DGRAM)
    s.connect((addr, port))
    s.setblocking(False)
    start = time.monotonic()
    end = start + seconds
    next_send = start
    sent = answered = 0
    last = None
    gap = 0.0
    gap_at = 0.0
    names = set()
    while True:
        now = time.monotonic()
        if now >= end:
            break
        if now >= next_send:
            try:
                s.send(b"probe")
                sent += 1
            except OSError:
                pass
            next_send += interval
        r, _, _ = select.select([s], [], [], max(0.0, min(next_send, end) - time.monotonic()))
        while r:
            try:
                data = s.recv(2048)
            except (BlockingIOError, ConnectionRefusedError):
                break
            t = time.monotonic()
            answered += 1
            names.add(data.split(b"\n")[0].decode(errors="replace"))
            if last is not None and t - last > gap:
                gap, gap_at = t - last, last - start
            last = t
    print(f"longest pause {gap * 1000:.1f} ms (from {gap_at:.2f} s), sent {sent}, "
          f"answered {answered}, servers {' '.join(sorted(names))}")


if __name__ == "__main__":
    main()
