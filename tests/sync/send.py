#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Sends kernel-format sync messages (gen.py's layouts) to a group, as a kernel master
would, for the tests that hold a running uvsd's backup to them.

Usage: send.py IFNAME GROUP PORT SYNCID WHAT
WHAT: nat   an established TCP connection 172.16.0.5:40000 -> 10.0.0.1:80 -> 192.168.0.11:80
            by NAT, and its end two records later (FIN_WAIT)
      many  300 UDP connections 172.16.1.x:5000+x -> 10.0.0.1:53 -> 192.168.0.12:53
      bad   a message whose size is not its length"""
import os
import socket
import struct
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen import F_MASQ, S_ES, UDP, Conn, v1_msg  # noqa: E402


def main():
    ifname, group, port, syncid, what = sys.argv[1:6]
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF,
                 struct.pack("4s4si", b"\0" * 4, b"\0" * 4, socket.if_nametoindex(ifname)))
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, 0)
    dest = (group, int(port))
    sid = int(syncid)
    if what == "nat":
        c = Conn("172.16.0.5", 40000, "10.0.0.1", 80, "192.168.0.11", 80, flags=F_MASQ,
                 state=S_ES, timeout=900)
        s.sendto(v1_msg([c.v1()], syncid=sid), dest)
    elif what == "many":
        conns = [Conn("172.16.1.%d" % (i % 250 + 1), 5000 + i, "10.0.0.1", 53, "192.168.0.12",
                      53, proto=UDP, state=0, timeout=300) for i in range(300)]
        for k in range(0, 300, 40):  # 8 + 40 * 36 bytes: within 1472
            s.sendto(v1_msg([c.v1() for c in conns[k:k + 40]], syncid=sid), dest)
    elif what == "bad":
        c = Conn("172.16.0.9", 1, "10.0.0.1", 80, "192.168.0.11", 80)
        s.sendto(v1_msg([c.v1()], syncid=sid, size=99), dest)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
