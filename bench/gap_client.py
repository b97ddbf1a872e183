#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The takeover gap's client (bench/sync_gap.sh): streams through a VIP that record
when their data arrives, and report the longest time each saw none.

TCP: GET PATH from VIP:80, read at most 4 KiB every 2 ms (about 2 MB/s, whatever the
director). UDP: a datagram to VIP:53 every 2 ms, its answers timed. Runs SECONDS; the
director is killed and the VIP moved meanwhile. Prints "tcp gap_ms bytes why@end"
(why: time, eof, or the error that ended it) and "udp gap_ms answered sent".
"""
import socket
import sys
import threading
import time


def tcp_stream(vip, path, seconds, out):
    s = socket.create_connection((vip, 80), timeout=30)
    s.sendall(("GET %s HTTP/1.1\r\nHost: %s\r\n\r\n" % (path, vip)).encode())
    start = time.monotonic()
    end = start + seconds
    last = start
    gap, total, why = 0.0, 0, "time"
    while time.monotonic() < end:
        try:
            data = s.recv(4096)
        except OSError as e:
            why = type(e).__name__
            break
        now = time.monotonic()
        if not data:
            why = "eof"
            break
        gap = max(gap, now - last)
        last = now
        total += len(data)
        time.sleep(0.002)
    out["tcp"] = "tcp %.0f %d %s@%.1fs" % (gap * 1000, total, why, time.monotonic() - start)


def udp_stream(vip, seconds, out):
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.connect((vip, 53))
    u.setblocking(False)
    end = time.monotonic() + seconds
    last = time.monotonic()
    gap, answered, sent = 0.0, 0, 0
    while time.monotonic() < end:
        u.send(b"gap %d" % sent)
        sent += 1
        time.sleep(0.002)
        while True:
            try:
                u.recv(2048)
            except BlockingIOError:
                break
            now = time.monotonic()
            gap = max(gap, now - last)
            last = now
            answered += 1
    out["udp"] = "udp %.0f %d %d" % (gap * 1000, answered, sent)


def main():
    vip, path, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
    out = {}
    threads = [threading.Thread(target=tcp_stream, args=(vip, path, seconds, out)),
               threading.Thread(target=udp_stream, args=(vip, seconds, out))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(out.get("tcp", "tcp fail"))
    print(out.get("udp", "udp fail"))


if __name__ == "__main__":
    main()
