#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Hostile input for uvsd, for tests/e2e/test_hostile.sh (standard library only; root,
inside the lab's namespaces). Every count is bounded and the random data is seeded.

  ctl --socket PATH [--seed N] [--count N]
      garbage on uvsd's control socket (SOCK_SEQPACKET): random bytes of random
      lengths, truncated netlink headers, nlmsg_len larger than the message, up to
      0xffffffff, or smaller than a header, a generic netlink header cut short,
      attributes with lengths past the end or below 4, and a 60 KiB message; each on
      a new connection, then a burst of them on one connection. Prints how many were
      sent and how uvsd took them (an error reply, a close, or nothing within 0.5 s).
  frames --dev DEV --src-mac MAC --dst-mac MAC --src4 A --src6 A --vip4 A --vip6 A
         --kinds KIND... [--count N]
      sends N frames of each KIND on DEV (AF_PACKET) and prints "KIND N" for each.
      Kinds (each a frame a director must drop, with the counter uvsd names it by):
        ip4-bad-csum     a TCP SYN to vip4:80 with a wrong IPv4 header checksum
        ip4-bad-header   an IPv4 header length of 16 bytes (IHL 4)
        ip4-bad-length   an IPv4 total length past the end of the frame
        ip6-bad-length   an IPv6 payload length past the end of the frame
        tcp-truncated    a TCP header of 12 bytes
        udp-bad-length   a UDP length field larger than the datagram
        fragment         the first fragment (MF set) of a UDP datagram to vip4:53
        l4-bad-csum      a TCP SYN to vip4:80 with a wrong TCP checksum
      and martian sources (each a new connection a host's input path would drop):
        src-zero         a TCP SYN to vip4:80 from 0.0.0.0
        src-loopback     ... from 127.0.0.1
        src-broadcast    ... from 255.255.255.255
        src-vip          ... from vip4 itself
        src-director     ... from the director's address (--dir4)
        src-rs           ... from a real server of the service (--rs4)
        src6-loopback    a UDP datagram to [vip6]:53 from ::1
        src6-mapped      ... from ::ffff:SRC4 (IPv4-mapped)
      Frames a router would drop (the bad IPv4 and IPv6 headers, martian sources) are
      meant to be sent from the router's side of the LAN; the rest survive routing."""
import argparse
import os
import random
import select
import socket
import struct
import sys

sys.dont_write_bytecode = True  # nothing written next to the sources
from labtool import ip  # beside this file

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
from inetsum import csum, pseudo

NLMSG_ERROR = 2
# uvsd's fixed generic netlink family id for IPVS (UVS_CTL_FAMILY, include/uvs/ctl.h),
# so that the malformed messages get past the first check.
IPVS_FAMILY = 0x5576


# -- the control socket ---------------------------------------------------------------


def ctl_messages(rng, count):
    """(name, bytes) of every kind of garbage, count random ones first."""
    for i in range(count):
        yield "random", bytes(rng.getrandbits(8) for _ in range(rng.randrange(0, 300)))
    for n in range(1, 16):
        yield "short-header", struct.pack("=IHHII", 16, IPVS_FAMILY, 5, 1, 0)[:n]
    for length in (17, 100, 4096, 65536, 0x7FFFFFFF, 0xFFFFFFF0, 0xFFFFFFFF):
        yield "long-nlmsg_len", struct.pack("=IHHII", length, IPVS_FAMILY, 5, 1, 0)
    for length in (0, 1, 4, 15):
        yield "short-nlmsg_len", struct.pack("=IHHII", length, IPVS_FAMILY, 5, 1, 0) + b"\0" * 4
    for n in range(0, 4):
        body = bytes([1, 1, 0, 0])[:n]
        yield "short-genl", struct.pack("=IHHII", 16 + n, IPVS_FAMILY, 5, 1, 0) + body
    for cmd in range(0, 24):
        for nla_len in (0, 3, 5, 200, 0xFFFF):
            attr = struct.pack("=HH", nla_len, 1) + b"\xff" * 8
            body = bytes([cmd, 1, 0, 0]) + attr
            yield "bad-attr", struct.pack("=IHHII", 16 + len(body), IPVS_FAMILY, 5, 1, 0) + body
    body = bytes([1, 1, 0, 0]) + struct.pack("=HH", 60000, 1) + b"\xaa" * 59996
    yield "huge", struct.pack("=IHHII", 16 + len(body), IPVS_FAMILY, 5, 1, 0) + body


def ctl_outcome(sock):
    if not select.select([sock], [], [], 0.5)[0]:
        return "silent"
    try:
        data = sock.recv(65536)
    except OSError:
        return "closed"
    if not data:
        return "closed"
    if len(data) >= 16 and struct.unpack("=IH", data[:6])[1] == NLMSG_ERROR:
        return "error"
    return "reply"


def ctl(args):
    rng = random.Random(args.seed)
    outcomes = {}
    sent = 0
    messages = list(ctl_messages(rng, args.count))
    for name, data in messages:
        with socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET) as s:
            s.connect(args.socket)
            try:
                s.send(data)
                sent += 1
                outcome = ctl_outcome(s)
            except OSError as e:
                outcome = "refused:" + (os.strerror(e.errno) if e.errno else str(e))
        key = name + " " + outcome
        outcomes[key] = outcomes.get(key, 0) + 1
    # A burst on one connection, without reading: uvsd must neither stall nor grow.
    with socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET) as s:
        s.connect(args.socket)
        s.settimeout(2)
        burst = 0
        try:
            for name, data in messages[: args.count]:
                s.send(data)
                burst += 1
        except OSError:
            pass
    print("sent %d messages on new connections, %d in a burst" % (sent, burst))
    for key in sorted(outcomes):
        print("  %-28s %d" % (key, outcomes[key]))


# -- frames -----------------------------------------------------------------------------


def ip4(src, dst, proto, payload, ident, frag=0x4000, ihl=5, total=None, bad_csum=False):
    hdr = struct.pack(
        "!BBHHHBBH4s4s",
        0x40 | ihl,
        0,
        total if total is not None else 20 + len(payload),
        ident,
        frag,
        64,
        proto,
        0,
        socket.inet_pton(socket.AF_INET, src),
        socket.inet_pton(socket.AF_INET, dst),
    )
    c = csum(hdr[: max(ihl, 5) * 4] if ihl >= 5 else hdr)
    if bad_csum:
        c ^= 0x5A5A
    return hdr[:10] + struct.pack("!H", c) + hdr[12:] + payload


def ip6(src, dst, proto, payload, plen=None):
    hdr = struct.pack("!IHBB", 6 << 28, plen if plen is not None else len(payload), proto, 64)
    return (
        hdr + socket.inet_pton(socket.AF_INET6, src) + socket.inet_pton(socket.AF_INET6, dst) + payload
    )


def tcp_syn(src, dst, sport, seq, bad_csum=False):
    seg = struct.pack("!HHIIBBHHH", sport, 80, seq, 0, 5 << 4, 0x02, 64240, 0, 0)
    c = csum(pseudo(ip(src), ip(dst), 6, len(seg)) + seg)
    if bad_csum:
        c ^= 0x5A5A
    return seg[:16] + struct.pack("!H", c) + seg[18:]


def frame_of(kind, a, rng):
    """One IP packet of that kind."""
    ident = rng.getrandbits(16)
    sport = rng.randrange(20000, 30000)
    syn = tcp_syn(a.src4, a.vip4, sport, rng.getrandbits(32))
    if kind == "ip4-bad-csum":
        return ip4(a.src4, a.vip4, 6, syn, ident, bad_csum=True)
    if kind == "ip4-bad-header":
        return ip4(a.src4, a.vip4, 6, syn, ident, ihl=4)
    if kind == "ip4-bad-length":
        return ip4(a.src4, a.vip4, 6, syn, ident, total=20 + len(syn) + 400)
    if kind == "ip6-bad-length":
        udp = struct.pack("!HHHH", sport, 53, 9, 0) + b"?"
        return ip6(a.src6, a.vip6, 17, udp, plen=len(udp) + 400)
    if kind == "tcp-truncated":
        return ip4(a.src4, a.vip4, 6, syn[:12], ident)
    if kind == "udp-bad-length":
        udp = struct.pack("!HHHH", sport, 53, 200, 0) + b"?"
        return ip4(a.src4, a.vip4, 17, udp, ident)
    if kind == "fragment":
        udp = struct.pack("!HHHH", sport, 53, 8 + 64, 0) + b"f" * 56
        return ip4(a.src4, a.vip4, 17, udp, ident, frag=0x2000)
    if kind == "l4-bad-csum":
        return ip4(a.src4, a.vip4, 6, tcp_syn(a.src4, a.vip4, sport, 1, bad_csum=True), ident)
    martian4 = {"src-zero": "0.0.0.0", "src-loopback": "127.0.0.1",
                "src-broadcast": "255.255.255.255", "src-vip": a.vip4, "src-director": a.dir4,
                "src-rs": a.rs4}
    if kind in martian4:
        src = martian4[kind]
        if src is None:
            raise ValueError("%s needs --dir4 and --rs4" % kind)
        return ip4(src, a.vip4, 6, tcp_syn(src, a.vip4, sport, rng.getrandbits(32)), ident)
    martian6 = {"src6-loopback": "::1", "src6-mapped": "::ffff:" + a.src4}
    if kind in martian6:
        src = martian6[kind]
        udp = struct.pack("!HHHH", sport, 53, 9, 0) + b"?"
        c = csum(pseudo(ip(src), ip(a.vip6), 17, len(udp)) + udp)
        return ip6(src, a.vip6, 17, udp[:6] + struct.pack("!H", c) + udp[8:])
    raise ValueError(kind)


def frames(args):
    rng = random.Random(args.seed)
    dst = bytes.fromhex(args.dst_mac.replace(":", ""))
    src = bytes.fromhex(args.src_mac.replace(":", ""))
    with socket.socket(socket.AF_PACKET, socket.SOCK_RAW) as s:
        s.bind((args.dev, 0))
        for kind in args.kinds:
            for _ in range(args.count):
                pkt = frame_of(kind, args, rng)
                etype = 0x86DD if pkt[0] >> 4 == 6 else 0x0800
                s.send(dst + src + struct.pack("!H", etype) + pkt)
            print(kind, args.count)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("ctl")
    c.add_argument("--socket", required=True)
    c.add_argument("--seed", type=int, default=1)
    c.add_argument("--count", type=int, default=200)
    f = sub.add_parser("frames")
    for name in ("dev", "src-mac", "dst-mac", "src4", "src6", "vip4", "vip6"):
        f.add_argument("--" + name, required=True)
    f.add_argument("--dir4", help="the director's address (src-director)")
    f.add_argument("--rs4", help="a real server's address (src-rs)")
    f.add_argument("--kinds", nargs="+", required=True)
    f.add_argument("--count", type=int, default=50)
    f.add_argument("--seed", type=int, default=1)
    args = p.parse_args()
    if args.cmd == "ctl":
        ctl(args)
    else:
        frames(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
