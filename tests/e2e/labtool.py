#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The e2e lab's small network tools (Python's standard library only; run as root,
inside the lab's namespaces, by tests/e2e/lab.sh):

  udp-echo --name NAME --port PORT
      answers every datagram with NAME and a newline, on IPv4 and IPv6, from the
      address the datagram was sent to (a real server with the VIP on lo answers from
      the VIP, as DR and TUN need); a datagram that begins with "echo:" follows the
      newline, echoed whole.
  udp-count --addr ADDR --port PORT --count N [--size BYTES] [--timeout S]
      sends N datagrams, each from a new socket bound to a source port none of the
      others used (so each is a new connection for the director: the kernel's
      random ephemeral ports repeat within a few hundred), and prints one "NAME COUNT"
      line per name that answered, sorted, then "fail K" if K datagrams got no answer.
      With --size, each datagram holds that many bytes ("echo:", then random ones) and
      may not be fragmented (DF), and its echo must come back whole: "bad K" if K did
      not.
  tcp-sink --name NAME --port PORT
      reads each TCP connection (IPv4 and IPv6) to its end and answers with one line,
      "NAME LENGTH SHA256" of what it read.
  tcp-send --addr ADDR --port PORT --bytes N [--count K]
      sends N random bytes on each of K connections, closes its side, and checks the
      sink's line: prints "NAME COUNT" lines sorted, then "fail K" for connections that
      got no line and "bad K" for lines that do not match what was sent.
  http-watch --addr ADDR --port PORT --want NAME --since-file FILE [--timeout S]
      asks for / over HTTP on a new connection every 10 ms (each attempt given 50 ms
      to connect) until FILE holds a time (ns since the epoch: date +%s%N when
      something was done) and then the answer is NAME; prints "NAME after MS ms", MS
      counted from that time, or "timeout after MS ms" (exit 1) S seconds (default
      10) after the time.
  neigh --dev DEV --mac MAC --src4 A --src6 A [--answer ADDR...] [--silent ADDR...]
      asks for each address by ARP (IPv4) or neighbour solicitation (IPv6) and checks
      that the --answer ones are answered and the --silent ones are not.
  probe --client-ns NS ... (see probe_args)
      plays the director: sends to one real server what DR and each tunnel type would
      carry (a TCP SYN and a UDP datagram from the client to the VIP, IPv4 and IPv6
      inner, IPv4 and IPv6 outer), and checks in the client's namespace that the real
      server answered the client from the VIP: a SYN-ACK seen on the client's
      interface, the server's name received by a UDP socket. With --negative, also
      frames that must not be decapsulated, and checks they get no answer.

Every wait is bounded; probe and neigh print one "ok"/"FAIL" line a check and exit 1
if any failed."""
import argparse
import collections
import ctypes
import hashlib
import ipaddress
import os
import random
import select
import socket
import struct
import sys
import threading
import time

sys.dont_write_bytecode = True  # nothing written next to the sources
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
from inetsum import csum, pseudo, with_csum

ETH_P_ALL = 0x0003
ETH_P_IP = 0x0800
ETH_P_ARP = 0x0806
ETH_P_IPV6 = 0x86DD
ETH_P_TEB = 0x6558  # transparent Ethernet bridging: a GRE type decap must leave alone
PACKET_OUTGOING = 4
IP_PKTINFO = 8  # <linux/in.h>; Python's socket module does not name it
IP_MTU_DISCOVER, IPV6_MTU_DISCOVER, IP_PMTUDISC_DO = 10, 23, 2  # <linux/in.h>, in6.h
ECHO = b"echo:"  # a datagram udp-echo sends back whole, after the name
CLONE_NEWNET = 0x40000000
SYN, RST, ACK = 0x02, 0x04, 0x10
GRE_CSUM = 0x8000


# -- addresses ----------------------------------------------------------------------------


def ip(a):
    return ipaddress.ip_address(a)


def mac(s):
    return bytes.fromhex(s.replace(":", ""))


# -- packets ------------------------------------------------------------------------------


def ip_packet(src, dst, proto, payload, hop=64, frag=0x4000):
    """An IPv4 (DF set, or frag's flags and offset) or IPv6 header for payload, then
    payload."""
    if src.version == 6:
        hdr = struct.pack("!IHBB", 6 << 28, len(payload), proto, hop)
        return hdr + src.packed + dst.packed + payload
    hdr = struct.pack(
        "!BBHHHBBH4s4s",
        0x45,
        0,
        20 + len(payload),
        random.getrandbits(16),
        frag,
        hop,
        proto,
        0,
        src.packed,
        dst.packed,
    )
    return with_csum(hdr, 10, csum(hdr)) + payload


def tcp_segment(src, dst, sport, dport, flags, seq, ack=0):
    seg = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 64240, 0, 0)
    return with_csum(seg, 16, csum(pseudo(src, dst, 6, len(seg)) + seg))


def udp_datagram(src, dst, sport, dport, payload, checksum=True):
    seg = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    if not checksum:
        return seg
    return with_csum(seg, 6, csum(pseudo(src, dst, 17, len(seg)) + seg) or 0xFFFF)


def ip_proto_of(version):
    return 4 if version == 4 else 41


def encapsulate(kind, src, dst, inner, inner_version, gue_port):
    """inner (an IP packet) as the director's tunnel of that kind sends it from src to
    dst: ipip, gue, gue-csum, gre, gre-csum. Two kinds a decapsulator must leave alone:
    gre-teb, GRE of another type, and ipip-mf, the first fragment of an ipip packet."""
    if kind == "ipip":
        return ip_packet(src, dst, ip_proto_of(inner_version), inner)
    if kind == "ipip-mf":
        return ip_packet(src, dst, ip_proto_of(inner_version), inner, frag=0x2000)
    if kind.startswith("gue"):
        gue = bytes([0, ip_proto_of(inner_version), 0, 0])
        # UDP over IPv6 always has a checksum (RFC 8200), as uvsd sends it.
        checked = kind == "gue-csum" or src.version == 6
        sport = random.randrange(49152, 65536)
        udp = udp_datagram(src, dst, sport, gue_port, gue + inner, checked)
        return ip_packet(src, dst, 17, udp)
    if kind.startswith("gre"):
        ptype = ETH_P_TEB if kind == "gre-teb" else ETH_P_IP if inner_version == 4 else ETH_P_IPV6
        if kind == "gre-csum":
            gre = struct.pack("!HHHH", GRE_CSUM, ptype, 0, 0) + inner
            gre = with_csum(gre, 4, csum(gre))
        else:
            gre = struct.pack("!HH", 0, ptype) + inner
        return ip_packet(src, dst, 47, gre)
    raise ValueError(kind)


def ethernet(dst, src, packet):
    etype = ETH_P_IPV6 if packet[0] >> 4 == 6 else ETH_P_IP
    return dst + src + struct.pack("!H", etype) + packet


def parse_ip(frame):
    """(src, dst, proto, l4 bytes) of an IPv4 or IPv6 frame without extension
    headers, or None."""
    etype = struct.unpack("!H", frame[12:14])[0]
    p = frame[14:]
    if etype == ETH_P_IP and len(p) >= 20:
        ihl = (p[0] & 0xF) * 4
        return ip(p[12:16]), ip(p[16:20]), p[9], p[ihl:]
    if etype == ETH_P_IPV6 and len(p) >= 40:
        return ip(p[8:24]), ip(p[24:40]), p[6], p[40:]
    return None


# -- namespaces and sockets ---------------------------------------------------------------

libc = ctypes.CDLL(None, use_errno=True)


def enter_netns(name):
    fd = os.open("/run/netns/" + name, os.O_RDONLY)
    try:
        if libc.setns(fd, CLONE_NEWNET) != 0:
            err = ctypes.get_errno()
            raise OSError(err, "setns %s: %s" % (name, os.strerror(err)))
    finally:
        os.close(fd)


def packet_socket(dev):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.bind((dev, ETH_P_ALL))
    s.setblocking(False)
    return s


def frames_until(sock, deadline):
    """Incoming frames on sock until deadline (time.monotonic())."""
    while True:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([sock], [], [], left)[0]:
            return
        frame, addr = sock.recvfrom(65535)
        if addr[2] != PACKET_OUTGOING:
            yield frame


def drain(sock):
    for _ in frames_until(sock, time.monotonic()):
        pass


# -- udp-echo and udp-count ---------------------------------------------------------------


def udp_echo(args):
    name = (args.name + "\n").encode()
    s4 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s4.setsockopt(socket.SOL_IP, IP_PKTINFO, 1)
    s4.bind(("0.0.0.0", args.port))
    s6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    s6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_RECVPKTINFO, 1)
    s6.bind(("::", args.port))
    space = socket.CMSG_SPACE(64)
    while True:
        for s in select.select([s4, s6], [], [])[0]:
            data, anc, _, peer = s.recvmsg(65536, space)
            reply = name + data if data.startswith(ECHO) else name
            out = []
            for level, kind, data in anc:
                if level == socket.SOL_IP and kind == IP_PKTINFO:
                    # in_pktinfo: ifindex, spec_dst, addr; the reply's source is addr
                    out = [(level, kind, struct.pack("=i4s4s", 0, data[8:12], bytes(4)))]
                elif level == socket.IPPROTO_IPV6 and kind == socket.IPV6_PKTINFO:
                    out = [(level, kind, struct.pack("=16si", data[:16], 0))]
            s.sendmsg([reply], out, 0, peer)


def udp_count(args):
    family = socket.AF_INET6 if ":" in args.addr else socket.AF_INET
    names = collections.Counter()
    failed = bad = 0
    deadline = time.monotonic() + args.deadline
    # Source ports in turn from a random start in 20000..59999, skipping busy ones.
    sport = random.randrange(20000, 60000 - args.count)
    for _ in range(args.count):
        if time.monotonic() > deadline:
            failed += 1
            continue
        with socket.socket(family, socket.SOCK_DGRAM) as s:
            s.settimeout(args.timeout)
            for _ in range(1000):
                sport = 20000 if sport >= 60000 else sport + 1
                try:
                    s.bind(("::" if family == socket.AF_INET6 else "0.0.0.0", sport))
                    break
                except OSError:
                    continue
            s.connect((args.addr, args.port))
            payload = b"?"
            if args.size > 1:
                payload = ECHO + os.urandom(max(args.size - len(ECHO), 0))
                level = socket.IPPROTO_IPV6 if family == socket.AF_INET6 else socket.IPPROTO_IP
                opt = IPV6_MTU_DISCOVER if family == socket.AF_INET6 else IP_MTU_DISCOVER
                s.setsockopt(level, opt, IP_PMTUDISC_DO)
            try:
                s.send(payload)
                name, _, echo = s.recv(65536).partition(b"\n")
                names[name.decode(errors="replace").strip()] += 1
                bad += args.size > 1 and echo != payload
            except OSError:
                failed += 1
    for name in sorted(names):
        print(name, names[name])
    if failed:
        print("fail", failed)
    if bad:
        print("bad", bad)


# -- tcp-sink and tcp-send ---------------------------------------------------------------


def tcp_sink_one(conn, name):
    with conn:
        conn.settimeout(30)
        h, n = hashlib.sha256(), 0
        try:
            while True:
                data = conn.recv(1 << 16)
                if not data:
                    break
                h.update(data)
                n += len(data)
            conn.sendall(("%s %d %s\n" % (name, n, h.hexdigest())).encode())
        except OSError:
            pass


def tcp_sink(args):
    socks = []
    for family, addr in ((socket.AF_INET, "0.0.0.0"), (socket.AF_INET6, "::")):
        s = socket.socket(family, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6:
            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        s.bind((addr, args.port))
        s.listen(64)
        socks.append(s)
    while True:
        for s in select.select(socks, [], [])[0]:
            conn, _ = s.accept()
            threading.Thread(target=tcp_sink_one, args=(conn, args.name), daemon=True).start()


def tcp_send(args):
    names = collections.Counter()
    failed = bad = 0
    for _ in range(args.count):
        data = os.urandom(args.bytes)
        want = "%d %s" % (len(data), hashlib.sha256(data).hexdigest())
        try:
            with socket.create_connection((args.addr, args.port), timeout=args.timeout) as s:
                s.sendall(data)
                s.shutdown(socket.SHUT_WR)
                line = b""
                while not line.endswith(b"\n"):
                    more = s.recv(4096)
                    if not more:
                        break
                    line += more
            name, _, got = line.decode(errors="replace").strip().partition(" ")
            if not name:
                print("tcp-send: no answer from the sink", file=sys.stderr)
                failed += 1
                continue
            names[name] += 1
            bad += got != want
        except OSError as e:
            print("tcp-send: %s" % e, file=sys.stderr)
            failed += 1
    for name in sorted(names):
        print(name, names[name])
    if failed:
        print("fail", failed)
    if bad:
        print("bad", bad)


def http_answer(addr, port):
    """The body of GET / on a new connection, stripped, or None."""
    try:
        with socket.create_connection((addr, port), timeout=0.05) as s:
            s.settimeout(1.0)
            s.sendall(b"GET / HTTP/1.0\r\nHost: uvs\r\n\r\n")
            data = b""
            while True:
                more = s.recv(4096)
                if not more:
                    break
                data += more
    except OSError:
        return None
    return data.partition(b"\r\n\r\n")[2].decode(errors="replace").strip()


def http_watch(args):
    since = None
    while since is None or time.time_ns() < since + int(args.timeout * 1e9):
        if since is None:
            try:
                with open(args.since_file) as f:
                    since = int(f.read().strip() or "x")
            except (OSError, ValueError):
                pass
        # An answer before the time (from uvsd: any name) says nothing.
        if http_answer(args.addr, args.port) == args.want and since is not None:
            print("%s after %d ms" % (args.want, (time.time_ns() - since) // 1000000))
            return 0
        time.sleep(0.01)
    print("timeout after %d ms" % ((time.time_ns() - since) // 1000000))
    return 1


# -- neigh ----------------------------------------------------------------------------------


class Checks:
    def __init__(self):
        self.failed = 0

    def report(self, good, what):
        print(("ok   " if good else "FAIL ") + what, flush=True)
        self.failed += not good


def arp_request(src_mac, src, target):
    arp = struct.pack("!HHBBH6s4s6s4s", 1, ETH_P_IP, 6, 4, 1, src_mac, src.packed, bytes(6),
                      target.packed)
    return b"\xff" * 6 + src_mac + struct.pack("!H", ETH_P_ARP) + arp


def neighbour_solicitation(src_mac, src, target):
    snm = ip(b"\xff\x02" + bytes(9) + b"\x01\xff" + target.packed[13:])
    icmp = struct.pack("!BBHI", 135, 0, 0, 0) + target.packed + struct.pack("!BB6s", 1, 1, src_mac)
    icmp = with_csum(icmp, 2, csum(pseudo(src, snm, 58, len(icmp)) + icmp))
    return ethernet(b"\x33\x33" + snm.packed[12:], src_mac, ip_packet(src, snm, 58, icmp, 255))


def is_answer(frame, target):
    etype = struct.unpack("!H", frame[12:14])[0]
    if target.version == 4:
        return etype == ETH_P_ARP and frame[20:22] == b"\0\2" and frame[28:32] == target.packed
    got = parse_ip(frame)  # a neighbour advertisement (136) for target
    if got is None or got[2] != 58:
        return False
    return got[3][:1] == b"\x88" and got[3][8:24] == target.packed


def neigh(args):
    sock = packet_socket(args.dev)
    src_mac = mac(args.mac)
    checks = Checks()
    for want, targets in ((True, args.answer), (False, args.silent)):
        for t in map(ip, targets):
            drain(sock)
            if t.version == 4:
                sock.send(arp_request(src_mac, ip(args.src4), t))
            else:
                sock.send(neighbour_solicitation(src_mac, ip(args.src6), t))
            deadline = time.monotonic() + (1.0 if want else 0.5)
            got = any(is_answer(f, t) for f in frames_until(sock, deadline))
            what = "ARP" if t.version == 4 else "ND"
            checks.report(got == want, "%s for %s %s" % (what, t, "answered" if got else
                                                          "not answered"))
    return 1 if checks.failed else 0


# -- probe ------------------------------------------------------------------------------------


class Prober:
    def __init__(self, args):
        self.a = args
        self.send = packet_socket(args.dev)  # in the director's namespace
        self.src_mac, self.rs_mac = mac(args.dir_mac), mac(args.rs_mac)
        self.dir = {ip(x).version: ip(x) for x in args.dir}
        self.rs = {ip(x).version: ip(x) for x in args.rs}
        self.client = {ip(x).version: ip(x) for x in args.client}
        self.vip = {ip(x).version: ip(x) for x in args.vip}
        enter_netns(args.client_ns)
        self.listen = packet_socket(args.client_dev)
        self.checks = Checks()

    def frame(self, kind, outer, inner_packet, inner_version, gue_port=None):
        if kind == "dr":
            packet = inner_packet
        else:
            packet = encapsulate(kind, self.dir[outer], self.rs[outer], inner_packet, inner_version,
                                 gue_port or self.a.gue_port)
        return ethernet(self.rs_mac, self.src_mac, packet)

    def udp(self, kind, outer, inner, gue_port=None):
        """The server's answer to a datagram from the client to the VIP, or None."""
        c, v = self.client[inner], self.vip[inner]
        family = socket.AF_INET6 if inner == 6 else socket.AF_INET
        with socket.socket(family, socket.SOCK_DGRAM) as s:  # in the client's namespace
            s.bind((str(c), 0))
            sport = s.getsockname()[1]
            packet = ip_packet(c, v, 17, udp_datagram(c, v, sport, self.a.udp_port, b"probe"))
            self.send.send(self.frame(kind, outer, packet, inner, gue_port))
            ready = select.select([s], [], [], self.a.timeout)[0]
            if not ready:
                return None
            data, peer = s.recvfrom(2048)
            if ip(peer[0].split("%")[0]) != v:
                return "from " + peer[0]
            return data.decode(errors="replace").strip()

    def tcp(self, kind, outer, inner):
        """Whether the server answered a SYN from the client to the VIP with a SYN-ACK
        from the VIP; then resets the half-open connection the same way."""
        c, v = self.client[inner], self.vip[inner]
        sport, seq = random.randrange(20000, 40000), random.getrandbits(32)
        drain(self.listen)
        syn = ip_packet(c, v, 6, tcp_segment(c, v, sport, self.a.tcp_port, SYN, seq))
        self.send.send(self.frame(kind, outer, syn, inner))
        for f in frames_until(self.listen, time.monotonic() + self.a.timeout):
            got = parse_ip(f)
            if got is None or got[:3] != (v, c, 6) or len(got[3]) < 20:
                continue
            fport, tport, _, ack, _, flags = struct.unpack("!HHIIBB", got[3][:14])
            if (fport, tport) == (self.a.tcp_port, sport) and flags & (SYN | ACK) == SYN | ACK:
                rst = ip_packet(c, v, 6, tcp_segment(c, v, sport, self.a.tcp_port, RST, ack))
                self.send.send(self.frame(kind, outer, rst, inner))
                return ack == (seq + 1) & 0xFFFFFFFF
        return False

    def run(self):
        name = self.a.name
        for kind in self.a.kinds:
            for outer in (4, 6):
                for inner in (4, 6):
                    if kind == "dr" and inner != outer:
                        continue
                    if kind == "dr":
                        label = "dr IPv%d" % inner
                    else:
                        label = "%s %din%d" % (kind, inner, outer)
                    self.checks.report(self.tcp(kind, outer, inner),
                                       "%s %s tcp: SYN-ACK from the VIP" % (name, label))
                    got = self.udp(kind, outer, inner)
                    self.checks.report(got == name, "%s %s udp: answer %r" % (name, label, got))
        if self.a.negative:
            self.negatives()
        return 1 if self.checks.failed else 0

    def negatives(self):
        """Frames the decap program must pass untouched: no answer may come back."""
        name, t = self.a.name, self.a.timeout
        self.a.timeout = 0.5
        for label, kind, outer, port in (
            ("gue to another port", "gue", 4, self.a.gue_port + 1),
            ("gre of type 0x6558", "gre-teb", 4, None),
            ("gre of type 0x6558 over IPv6", "gre-teb", 6, None),
            ("ipip, first fragment", "ipip-mf", 4, None),
        ):
            got = self.udp(kind, outer, 4, gue_port=port)
            self.checks.report(got is None, "%s %s: not decapsulated (answer %r)" % (name, label,
                                                                                     got))
        self.a.timeout = t


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("udp-echo")
    p.add_argument("--name", required=True)
    p.add_argument("--port", type=int, required=True)
    p = sub.add_parser("udp-count")
    p.add_argument("--addr", required=True)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--count", type=int, default=1)
    p.add_argument("--size", type=int, default=1, help="bytes of each datagram")
    p.add_argument("--timeout", type=float, default=1.0)
    p.add_argument("--deadline", type=float, default=60.0, help="seconds for all of them")
    p = sub.add_parser("tcp-sink")
    p.add_argument("--name", required=True)
    p.add_argument("--port", type=int, required=True)
    p = sub.add_parser("tcp-send")
    p.add_argument("--addr", required=True)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--bytes", type=int, required=True)
    p.add_argument("--count", type=int, default=1)
    p.add_argument("--timeout", type=float, default=20.0)
    p = sub.add_parser("http-watch")
    p.add_argument("--addr", required=True)
    p.add_argument("--port", type=int, default=80)
    p.add_argument("--want", required=True)
    p.add_argument("--since-file", required=True, help="where the time will be")
    p.add_argument("--timeout", type=float, default=10.0)
    p = sub.add_parser("neigh")
    p.add_argument("--dev", required=True)
    p.add_argument("--mac", required=True)
    p.add_argument("--src4", required=True)
    p.add_argument("--src6", required=True)
    p.add_argument("--answer", nargs="*", default=[])
    p.add_argument("--silent", nargs="*", default=[])
    p = sub.add_parser("probe")
    p.add_argument("--dev", required=True, help="the director's LAN interface")
    p.add_argument("--dir-mac", required=True)
    p.add_argument("--dir", nargs=2, required=True, help="the director's IPv4 and IPv6")
    p.add_argument("--name", required=True, help="the real server's name, as udp-echo says")
    p.add_argument("--rs-mac", required=True)
    p.add_argument("--rs", nargs=2, required=True, help="the real server's IPv4 and IPv6")
    p.add_argument("--client-ns", required=True)
    p.add_argument("--client-dev", required=True)
    p.add_argument("--client", nargs=2, required=True, help="the client's IPv4 and IPv6")
    p.add_argument("--vip", nargs=2, required=True)
    p.add_argument("--tcp-port", type=int, required=True)
    p.add_argument("--udp-port", type=int, required=True)
    p.add_argument("--gue-port", type=int, required=True)
    p.add_argument("--kinds", nargs="+", required=True,
                   choices=["dr", "ipip", "gue", "gue-csum", "gre", "gre-csum"])
    p.add_argument("--negative", action="store_true")
    p.add_argument("--timeout", type=float, default=2.0)
    args = ap.parse_args()
    if args.cmd == "udp-echo":
        udp_echo(args)
    elif args.cmd == "udp-count":
        udp_count(args)
    elif args.cmd == "tcp-sink":
        tcp_sink(args)
    elif args.cmd == "tcp-send":
        tcp_send(args)
    elif args.cmd == "http-watch":
        return http_watch(args)
    elif args.cmd == "neigh":
        return neigh(args)
    else:
        return Prober(args).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
