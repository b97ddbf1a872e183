#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The client of test_sync_handover.sh: flows that stay open, idle, across rounds.

Round 0 opens them: TCP keep-alive connections to VIP4:80 (one request each), UDP
sockets to VIP4:53 (one datagram each), and new connections to the persistent
service VIP6:80 from each of several client addresses, in reverse order. Each later
round, started when the file DIR/go.N appears, sends one more request on every TCP
connection and one more datagram on every UDP socket, and opens new connections to
the persistent service from the client addresses in another order (B, C, A). A round's answers go to
DIR/round.N, one line per flow: "tcp I NAME", "udp I NAME", "pers ADDR NAME", NAME
being the real server that answered or "fail". Each wait is bounded (5 s an answer,
60 s a round's go).
"""
import argparse
import os
import socket
import sys
import time

TIMEOUT = 5.0


def http_request(sock, host):
    sock.sendall(b"GET / HTTP/1.1\r\nHost: " + host.encode() + b"\r\n\r\n")
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            raise OSError("closed")
        data += chunk
    head, body = data.split(b"\r\n\r\n", 1)
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    while len(body) < length:
        chunk = sock.recv(4096)
        if not chunk:
            raise OSError("closed")
        body += chunk
    return body[:length].decode().strip()


def tcp_open(vip):
    s = socket.create_connection((vip, 80), timeout=TIMEOUT)
    s.settimeout(TIMEOUT)
    return s


def persistent(vip6, src):
    try:
        s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        s.settimeout(TIMEOUT)
        s.bind((src, 0))
        s.connect((vip6, 80))
        name = http_request(s, "[" + vip6 + "]")
        s.close()
        return name
    except OSError:
        return "fail"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--vip4", required=True)
    ap.add_argument("--vip6", required=True)
    ap.add_argument("--tcp", type=int, default=12)
    ap.add_argument("--udp", type=int, default=6)
    ap.add_argument("--clients6", default="")
    ap.add_argument("--rounds", type=int, default=3)
    a = ap.parse_args()
    clients6 = [c for c in a.clients6.split(",") if c]
    tcps, udps = [], []
    for _ in range(a.tcp):
        try:
            tcps.append(tcp_open(a.vip4))
        except OSError:
            tcps.append(None)
    for _ in range(a.udp):
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        u.settimeout(TIMEOUT)
        u.connect((a.vip4, 53))
        udps.append(u)
    for rnd in range(a.rounds):
        if rnd > 0:
            deadline = time.time() + 60
            while not os.path.exists(os.path.join(a.dir, "go.%d" % rnd)):
                if time.time() > deadline:
                    return 1
                time.sleep(0.05)
        lines = []
        for i, s in enumerate(tcps):
            try:
                name = http_request(s, a.vip4) if s else "fail"
            except OSError:
                name = "fail"
                tcps[i] = None
            lines.append("tcp %d %s" % (i, name))
        for i, u in enumerate(udps):
            try:
                u.send(b"ping %d %d" % (i, rnd))
                name = u.recv(2048).decode().split()[0]
            except (OSError, IndexError):
                name = "fail"
            lines.append("udp %d %s" % (i, name))
        # Another order each time, so that a director without the templates would
        # not give each address the server it had by chance (rr in either order).
        order = clients6[1:] + clients6[:1] if rnd > 0 else list(reversed(clients6))
        for src in order:
            lines.append("pers %s %s" % (src, persistent(a.vip6, src)))
        path = os.path.join(a.dir, "round.%d" % rnd)
        with open(path + ".tmp", "w") as f:
            f.write("\n".join(sorted(lines)) + "\n")
        os.rename(path + ".tmp", path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
