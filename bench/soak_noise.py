#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""SYN noise for bench/soak.sh (standard library only; root, in the lab's router):
TCP SYNs to VIP:PORT from random spoofed sources in 198.18.0.0/15 and random ports,
RATE a second for SECONDS s, sent as Ethernet frames on DEV to DST_MAC (the
director's), so no route or reverse-path filter stands in the way. The real servers'
SYN-ACKs go to addresses nobody has and are dropped downstream: each SYN leaves a
SYN_RECV entry in uvsd's table until it expires, as a flood's do.
Usage: soak_noise.py DEV SRC_MAC DST_MAC VIP PORT RATE SECONDS"""
import ipaddress
import os
import random
import signal
import socket
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "e2e"))
from labtool import ETH_P_IP, SYN, ip_packet, mac, tcp_segment  # noqa: E402


def main():
    dev, smac, dmac, vip, port = sys.argv[1], mac(sys.argv[2]), mac(sys.argv[3]), sys.argv[4], int(sys.argv[5])
    rate, seconds = float(sys.argv[6]), float(sys.argv[7])
    dst = ipaddress.ip_address(vip)
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((dev, 0))
    head = dmac + smac + ETH_P_IP.to_bytes(2, "big")
    base = int(ipaddress.ip_address("198.18.0.0"))
    start = time.monotonic()
    sent = 0
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        loop(s, head, base, dst, port, rate, seconds, start)
    finally:
        print(f"sent {SENT[0]} SYNs", flush=True)


SENT = [0]


def loop(s, head, base, dst, port, rate, seconds, start):
    sent = 0
    while True:
        now = time.monotonic()
        if now - start >= seconds:
            break
        due = int((now - start) * rate)
        while sent < due:
            src = ipaddress.ip_address(base + random.getrandbits(17))
            seg = tcp_segment(src, dst, random.randrange(1024, 65536), port, SYN, random.getrandbits(32))
            try:
                s.send(head + ip_packet(src, dst, 6, seg))
            except OSError:
                pass
            sent += 1
            SENT[0] = sent
        time.sleep(0.01)


if __name__ == "__main__":
    main()
