#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Writes seed inputs for the fuzzers into OUTDIR/<fuzzer>/ (and creates the empty
corpus directories beside OUTDIR that libFuzzer fills).

Frame seeds start with the harness's control byte, then an Ethernet frame aimed at the
services fuzz_frame.c sets up: requests, replies, IPv6, fwmark, ICMP errors."""
import os
import struct
import sys
import ipaddress

sys.dont_write_bytecode = True  # nothing written next to the sources
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "pylib"))
from inetsum import crc32c, csum, pseudo, with_crc32c, with_csum


def eth(ethertype):
    return bytes.fromhex("020000000002020000000001") + struct.pack("!H", ethertype)


def l4(proto, sport, dport, flags, payload):
    if proto == 6:
        return struct.pack("!HHIIBBHHH", sport, dport, 1, 0, 5 << 4, flags, 65535, 0, 0) + payload
    return struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload


# Where TCP, UDP and ICMPv6 keep their checksum.
CSUM_AT = {6: 16, 17: 6, 58: 2}


def with_l4_csum(src, dst, proto, seg):
    return with_csum(seg, CSUM_AT[proto], csum(pseudo(src, dst, proto, len(seg)) + seg))


def ip4(src, dst, proto, seg, ttl=64):
    s, d = ipaddress.IPv4Address(src).packed, ipaddress.IPv4Address(dst).packed
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(seg), 1, 0x4000, ttl, proto, 0, s, d)
    hdr = with_csum(hdr, 10, csum(hdr))
    if proto in (6, 17):
        seg = with_l4_csum(s, d, proto, seg)
    return hdr + seg


def ip6(src, dst, proto, seg, hlim=64):
    s, d = ipaddress.IPv6Address(src).packed, ipaddress.IPv6Address(dst).packed
    if proto in (6, 17, 58):
        seg = with_l4_csum(s, d, proto, seg)
    return struct.pack("!IHBB16s16s", 6 << 28, len(seg), proto, hlim, s, d) + seg


def tcp4(src, sport, dst, dport, flags, payload=b""):
    return eth(0x0800) + ip4(src, dst, 6, l4(6, sport, dport, flags, payload))


def udp4(src, sport, dst, dport, payload=b"seed"):
    return eth(0x0800) + ip4(src, dst, 17, l4(17, sport, dport, 0, payload))


def tcp6(src, sport, dst, dport, flags):
    return eth(0x86DD) + ip6(src, dst, 6, l4(6, sport, dport, flags, b""))


def icmp4_error(src, dst, typ, code, quoted_ip):
    msg = struct.pack("!BBHI", typ, code, 0, 0) + quoted_ip[:28]
    msg = with_csum(msg, 2, csum(msg))
    return eth(0x0800) + ip4(src, dst, 1, msg)


SYN, ACK, FIN, RST = 2, 16, 1, 4


def sctp(sport, dport, chunk_type):
    """An SCTP packet of one chunk (type, 4 bytes of value) with its CRC32c."""
    chunk = struct.pack("!BBH", chunk_type, 0, 8) + bytes(4)
    return with_crc32c(struct.pack("!HHII", sport, dport, 0, 0) + chunk)


def udp4_seg(src, dst, sport, dport, n):
    """A UDP datagram of n bytes of payload, with its checksum."""
    seg = struct.pack("!HHHH", sport, dport, 8 + n, 0) + bytes(range(n))
    return with_l4_csum(src, dst, 17, seg)


def fragment4(src, dst, ident, off, more, data):
    """An IPv4 fragment of data at byte offset off of its datagram (UDP)."""
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(data), ident, (0x2000 if more else 0) | off // 8, 64,
                      17, 0, ipaddress.IPv4Address(src).packed, ipaddress.IPv4Address(dst).packed)
    return with_csum(hdr, 10, csum(hdr)) + data


def frame_seeds():
    reply = ip4("10.0.0.1", "172.16.0.5", 6, l4(6, 80, 40000, SYN | ACK, b""))
    request = ip4("172.16.0.5", "192.168.0.11", 6, l4(6, 40000, 80, SYN, b""))
    return {
        "syn-nat": b"\x00" + tcp4("172.16.0.5", 40000, "10.0.0.1", 80, SYN),
        "synack-reply": b"\x00" + tcp4("192.168.0.11", 80, "172.16.0.5", 40000, SYN | ACK),
        "ack-nat": b"\x00" + tcp4("172.16.0.5", 40000, "10.0.0.1", 80, ACK, b"GET / HTTP/1.0\r\n\r\n"),
        "fin": b"\x10" + tcp4("172.16.0.5", 40000, "10.0.0.1", 80, FIN | ACK),
        "rst": b"\x00" + tcp4("172.16.0.5", 40000, "10.0.0.1", 80, RST),
        "udp-ops": b"\x00" + udp4("172.16.0.5", 5353, "10.0.0.1", 53),
        "syn-persist-dr": b"\x00" + tcp4("172.16.0.6", 40001, "10.0.0.2", 443, SYN),
        "fwmark": b"\x01" + tcp4("172.16.0.7", 40002, "10.0.0.3", 8080, SYN),
        "ttl1": b"\x00" + eth(0x0800) + ip4("172.16.0.5", "10.0.0.1", 6, l4(6, 40003, 80, SYN, b""), ttl=1),
        "big-df": b"\x04" + tcp4("172.16.0.5", 40004, "10.0.0.1", 80, SYN, b"x" * 1400),
        "syn6": b"\x00" + tcp6("2001:db8:2::5", 40000, "2001:db8::1", 80, SYN),
        "reply6": b"\x00" + tcp6("2001:db8:1::11", 80, "2001:db8:2::5", 40000, SYN | ACK),
        "icmp-in": b"\x00" + icmp4_error("172.16.0.5", "10.0.0.1", 3, 4, reply),
        "icmp-out": b"\x00" + icmp4_error("192.168.0.11", "172.16.0.5", 3, 3, request),
        "arp": b"\x00" + eth(0x0806) + bytes(28),
        "sctp-init": b"\x00" + eth(0x0800) + ip4("172.16.0.5", "10.0.0.1", 132, sctp(5000, 3868, 1)),
        "frag-first": b"\x00" + eth(0x0800) + fragment4("172.16.0.5", "10.0.0.1", 0x777, 0, True,
                                                       udp4_seg("172.16.0.5", "10.0.0.1", 5353, 53, 64)[:48]),
        "frag-last": b"\x00" + eth(0x0800) + fragment4("172.16.0.5", "10.0.0.1", 0x777, 48, False,
                                                      udp4_seg("172.16.0.5", "10.0.0.1", 5353, 53, 64)[48:]),
        "vlan": b"\x00" + eth(0x8100)[:-2] + b"\x00\x07\x08\x00" +
                ip4("172.16.0.5", "10.0.0.1", 6, l4(6, 40005, 80, SYN, b"")),
    }


PCAP_USEC, PCAP_NSEC = 0xA1B2C3D4, 0xA1B23C4D


def capture(records, end="<", magic=PCAP_NSEC, snaplen=65535):
    """A pcap file of (seconds, fraction, frame) or (seconds, fraction, frame, length)
    records; caplen is the bytes given, length the frame's (caplen by default)."""
    out = struct.pack(end + "IHHiIII", magic, 2, 4, 0, 0, snaplen, 1)
    for rec in records:
        sec, frac, frame = rec[:3]
        length = rec[3] if len(rec) > 3 else len(frame)
        out += struct.pack(end + "IIII", sec, frac, len(frame), length) + frame
    return out


def capture_seeds():
    """Capture files for fuzz_capture.c: the frame seeds as flows, both byte orders and
    precisions, and records that once broke uvs-replay (issue 12): a frame longer than
    the engine takes, records cut short or longer than their frame, a 2^32 s gap."""
    frames = [f[1:] for f in frame_seeds().values()]
    syn = tcp4("172.16.0.5", 40000, "10.0.0.1", 80, SYN)
    t0 = 1700000000
    return {
        "flows": capture([(t0, i * 1000000, f) for i, f in enumerate(frames)]),
        "flows-usec-be": capture([(t0 + i, 0, f) for i, f in enumerate(frames)], ">", PCAP_USEC),
        "too-long": capture([(1, 0, bytes(70000)), (2, 0, syn)], magic=PCAP_USEC, snaplen=262144),
        "cut-short": capture([(t0, 0, syn[:40], len(syn)), (t0, 1, syn + b"pad", len(syn)),
                              (t0, 2, syn)]),
        "gap": capture([(0, 0, syn), (0xFFFFFFFF, 999999999, syn)]),
        "header-only": capture([]),
    }


def rules_seeds():
    """Rules texts in ipvsadm -S -n form, each feature once, and some refusals."""
    return {
        "nat": b"-A -t 10.0.0.1:80 -s rr\n-a -t 10.0.0.1:80 -r 192.168.0.11:80 -m -w 1\n",
        "persist": b"-A -t 10.0.0.2:443 -s wlc -p 300 -M 255.255.255.0\n"
        b"-a -t 10.0.0.2:443 -r 192.168.0.13:443 -g -w 3 -x 100 -y 50\n",
        "tun": b"-A -u 10.0.0.1:53 -s sh -b sh-fallback,sh-port -o\n"
        b"-a -u 10.0.0.1:53 -r 192.168.0.12:53 -i -w 1 --tun-type gue --tun-port 6080 --tun-csum\n"
        b"-a -u 10.0.0.1:53 -r 192.168.0.14:53 -i --tun-type gre --tun-nocsum\n",
        "fwmark6": b"-A -f 7 -6 -s mh -b mh-port -p 60 -M 64\n"
        b"-a -f 7 -6 -r [2001:db8:1::11]:0 -g -w 1\n",
        "port0": b"-A -t 10.0.0.3:0 -s lblc -p\n-a -t 10.0.0.3:0 -r 192.168.0.15 -g\n",
        "edit": b"-E -t 10.0.0.1:80 -s sed\n-e -t 10.0.0.1:80 -r 192.168.0.11:80 -m -w 0\n"
        b"-d -t 10.0.0.1:80 -r 192.168.0.11:80\n-D -t 10.0.0.1:80\n",
        "set": b"--set 900 120 300\n# comment\n\nipvsadm -C\n",
        "refused": b"-A -t 10.0.0.9:80 -s rr\n-a -t 10.0.0.9:80 -r 1.2.3.4 -x 1 -y 2\n",
        "dup": b"-A -t 10.0.0.1:80\n",
    }


def marks_seeds():
    """Mark rules (uvsd --marks): iptables-save's form, the command-line form, refusals."""
    return {
        "save": b"*mangle\n:PREROUTING ACCEPT [0:0]\n"
        b"-A PREROUTING -d 10.0.0.1/32 -p tcp -m multiport --dports 80,443,8000:8010 "
        b"-m comment --comment \"web\" -j MARK --set-xmark 0x1/0xffffffff\nCOMMIT\n",
        "cmdline": b"-t mangle -A PREROUTING -d 2001:db8:f::1 -p udp --dport 53 -j MARK --set-mark 2\n"
        b"-A PREROUTING -d 192.168.0.0/255.255.0.0 -j MARK --set-mark 0x10/0xf0\n",
        "refused": b"-A INPUT -d 10.0.0.1 -j MARK --set-mark 1\n",
    }


# The control protocol (include/uvs/ctl.h): netlink header, generic netlink header,
# attributes padded to 4 bytes.
UVS_FAMILY = 0x5576
GENL_ID_CTRL = 0x10
NLM_F_REQUEST, NLM_F_ACK, NLM_F_DUMP = 0x1, 0x4, 0x300


def nla(typ, payload):
    a = struct.pack("=HH", 4 + len(payload), typ) + payload
    return a + b"\0" * (-len(a) % 4)


def genl(cmd, attrs=b"", flags=NLM_F_REQUEST | NLM_F_ACK, seq=1, family=UVS_FAMILY):
    body = struct.pack("=BBH", cmd, 1, 0) + attrs
    return struct.pack("=IHHII", 16 + len(body), family, flags, seq, 0) + body


def svc_key(addr="10.0.0.1", port=80, proto=6):
    return (nla(1, struct.pack("=H", 2)) + nla(2, struct.pack("=H", proto))
            + nla(3, ipaddress.ip_address(addr).packed + b"\0" * 12)
            + nla(4, struct.pack("!H", port)))


def svc_conf(sched=b"wlc", flags=0, timeout=0, port=80):
    return (svc_key(port=port) + nla(6, sched + b"\0") + nla(7, struct.pack("=II", flags, 0xFFFFFFFF))
            + nla(8, struct.pack("=I", timeout)) + nla(9, struct.pack("=I", 0xFFFFFFFF)))


def dest(addr="192.168.0.11", port=80, full=True, weight=1, fwd=0):
    d = (nla(11, struct.pack("=H", 2)) + nla(1, ipaddress.ip_address(addr).packed + b"\0" * 12)
         + nla(2, struct.pack("!H", port)))
    if full:
        d += (nla(3, struct.pack("=I", fwd)) + nla(4, struct.pack("=I", weight))
              + nla(13, b"\1") + nla(14, struct.pack("!H", 6080)) + nla(15, struct.pack("=H", 1))
              + nla(5, struct.pack("=I", 0)) + nla(6, struct.pack("=I", 0)))
    return d


def ctl_seeds():
    SVC, DEST, DAEMON, SYSCTL = 1, 2, 3, 9
    daemon = nla(1, struct.pack("=I", 1)) + nla(2, b"eth0\0") + nla(3, struct.pack("=I", 5))
    return {
        "new_service": genl(1, nla(SVC, svc_conf(port=8080))),
        "set_service": genl(2, nla(SVC, svc_conf(b"rr", 1, 300))),
        "del_service": genl(3, nla(SVC, svc_key())),
        "get_service": genl(4, nla(SVC, svc_key())),
        "dump_services": genl(4, flags=NLM_F_REQUEST | NLM_F_DUMP),
        "new_dest": genl(5, nla(SVC, svc_key()) + nla(DEST, dest("192.168.0.12", fwd=2))),
        "set_dest": genl(6, nla(SVC, svc_key()) + nla(DEST, dest(weight=7))),
        "del_dest": genl(7, nla(SVC, svc_key()) + nla(DEST, dest(full=False))),
        "dump_dests": genl(8, nla(SVC, svc_key()), flags=NLM_F_REQUEST | NLM_F_DUMP),
        "new_daemon": genl(9, nla(DAEMON, daemon)),
        "del_daemon": genl(10, nla(DAEMON, nla(1, struct.pack("=I", 1)))),
        "dump_daemons": genl(11, flags=NLM_F_REQUEST | NLM_F_DUMP),
        "set_config": genl(12, nla(4, struct.pack("=I", 1000)) + nla(6, struct.pack("=I", 30))),
        "get_config": genl(13),
        "get_info": genl(15),
        "zero": genl(16, nla(SVC, svc_key())),
        "flush": genl(17),
        "dump_conns": genl(18, flags=NLM_F_REQUEST | NLM_F_DUMP),
        "dump_counters": genl(19, flags=NLM_F_REQUEST | NLM_F_DUMP),
        "get_sysctl": genl(20, nla(SYSCTL, nla(1, b"net.ipv4.vs.conn_reuse_mode\0"))),
        "dump_sysctls": genl(20, flags=NLM_F_REQUEST | NLM_F_DUMP),
        "set_sysctl": genl(21, nla(SYSCTL, nla(1, b"sync_threshold\0") + nla(2, b"3\t50\n\0"))),
        "set_sysctl_refused": genl(21, nla(SYSCTL, nla(1, b"conntrack\0") + nla(2, b"1\0"))),
        # The generic netlink controller: GETFAMILY (3) by name and by id, and a dump.
        "ctrl_getfamily": genl(3, nla(2, b"IPVS\0"), family=GENL_ID_CTRL),
        "ctrl_getfamily_id": genl(3, nla(1, struct.pack("=H", UVS_FAMILY)), family=GENL_ID_CTRL),
        "ctrl_dump": genl(3, flags=NLM_F_REQUEST | NLM_F_DUMP, family=GENL_ID_CTRL),
    }


def sync_seeds():
    """Every message of tests/sync/messages.txt (kernel-format, from gen.py), after a
    control byte: no clock step, sync ID 0 (every message taken)."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "sync",
                        "messages.txt")
    seeds, name = {}, None
    with open(path) as f:
        for line in f:
            if line.startswith("case "):
                name = line.split()[1]
            elif line.startswith("msg "):
                seeds[name] = b"\0" + bytes.fromhex(line.split()[1] if len(line.split()) > 1 else "")
    return seeds


def conns_record(family=4, proto=6, state=3, flags=0, fwmark=0, timeout=900, left=600000,
                 caddr="172.16.0.5", vaddr="10.0.0.1", daddr="192.168.0.11",
                 cport=40000, vport=80, dport=80):
    """One record of the connection table file (src/daemon/conns_file.h)."""
    def addr(a):
        return ipaddress.ip_address(a).packed.ljust(16, b"\0")
    return (addr(caddr) + addr(vaddr) + addr(daddr) + struct.pack("!HHH", cport, vport, dport)
            + struct.pack("<BBHHIIQ", family, proto, state, flags, fwmark, timeout, left))


def conns_file(records, version=1, written=1765000000 * 10**9):
    body = b"".join(records)
    head = b"UVSCONNS" + struct.pack("<IIQQII", version, 76, len(records), written,
                                     crc32c(body), 0)
    return head + struct.pack("<II", crc32c(head), 0) + body


def conns_seeds():
    """Connection tables after the harness's control byte (1: the harness sets the
    checksums, so a mutated record still reaches the record checks)."""
    v6 = dict(family=6, caddr="2001:db8:c::2", vaddr="2001:db8:f::1", daddr="2001:db8:1::11")
    good = {
        "empty": [],
        "tcp4": [conns_record()],
        "udp6": [conns_record(proto=17, state=0, timeout=300, left=1000, **v6)],
        "sctp4": [conns_record(proto=132, state=4, timeout=900)],
        "template": [conns_record(flags=0x1000 | 0x0100, cport=0, caddr="172.16.0.0",
                                  timeout=300, left=350000)],
        "fwmark-template": [conns_record(proto=0, flags=0x1000, fwmark=7, cport=0,
                                         vaddr="0.0.0.7", timeout=60, left=30000)],
        "dr-inactive": [conns_record(flags=0x0003 | 0x0100 | 0x0080, state=5)],
        "several": [conns_record(cport=40000 + i, state=i % 11) for i in range(6)],
    }
    seeds = {}
    for name, records in good.items():
        seeds["conns-" + name] = b"\0" + conns_file(records)
        seeds["conns-" + name + "-resealed"] = b"\1" + conns_file(records)
    seeds["conns-version2"] = b"\1" + conns_file([conns_record()], version=2)
    seeds["conns-bad-state"] = b"\1" + conns_file([conns_record(state=99)])
    seeds["conns-cut"] = b"\0" + conns_file([conns_record()])[:-5]
    seeds["conns-foreign"] = b"\0uvsd-state 1\n[services]\n"
    return seeds


def handover_seeds():
    """What a peer sends on the hand-over's connection: each message of sync_seeds() in
    a MESSAGE frame, then END; after a control byte for 64-byte pieces."""
    seeds = {}
    for name, seed in sync_seeds().items():
        msg = seed[1:]
        if len(msg) < 4:
            continue
        frame = struct.pack(">B3xI", 2, len(msg)) + msg
        seeds[name] = b"\x3f" + frame + struct.pack(">B3xIQ", 3, 8, 1)
    seeds["request_back"] = b"\0" + struct.pack(">B3xI", 1, 8) + b"UVSH" + struct.pack(">I", 1)
    return seeds


def main():
    out = sys.argv[1]
    for name, seeds in {
        "frame": frame_seeds(),
        "rules": rules_seeds(),
        "ctl": ctl_seeds(),
        "marks": marks_seeds(),
        "capture": capture_seeds(),
        "sync": sync_seeds(),
        "conns": conns_seeds(),
        "handover": handover_seeds(),
    }.items():
        d = os.path.join(out, name)
        os.makedirs(d, exist_ok=True)
        os.makedirs(os.path.join(os.path.dirname(out), "corpus-" + name), exist_ok=True)
        for seed, data in seeds.items():
            with open(os.path.join(d, seed), "wb") as f:
                f.write(data)


main()
