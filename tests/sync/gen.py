#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Writes messages.txt: IPVS sync messages as the kernel's ip_vs_sync.c lays them out,
built here from its struct layouts (Python's struct module, no uvs code), and what
the kernel's backup reads of each (ip_vs_process_message(), ip_vs_proc_sync_conn(),
ip_vs_process_message_v0()): the records, the records it skips and where it stops.
tests/unit/test_sync_msg.c holds uvs's reader to it, and re-encodes what it read with
uvs's writer, which must give the same bytes.

The file, one case after another:

  case NAME
  syncid N              the backup's sync ID (0: every message)
  msg HEX               the message
  open ok|short|bad_size|syncid
  record KEY=VALUE...   each outcome of reading the next record, in order:
  skip REASON           a record the kernel skips,
  stop REASON           or where it stops reading the message
  reencode              uvs's writer must give the message's bytes from its records
  end

Usage: gen.py OUT | gen.py --check FILE (FILE must be what gen.py writes)."""
import ipaddress
import struct
import sys

sys.dont_write_bytecode = True

TCP, UDP, SCTP, IP = 6, 17, 132, 0
# Connection flags (include/uapi/linux/ip_vs.h).
F_MASQ, F_TUNNEL, F_DROUTE = 0, 2, 3
F_SYNC, F_HASHED, F_NOOUTPUT, F_INACTIVE = 0x20, 0x40, 0x80, 0x100
F_OUT_SEQ, F_IN_SEQ, F_NO_CPORT, F_TEMPLATE = 0x200, 0x400, 0x800, 0x1000
# TCP states.
S_NONE, S_ES, S_FW, S_CW = 0, 1, 4, 7
# Options of a version 1 record.
OPT_SEQ, OPT_PE_DATA, OPT_PE_NAME, OPT_F_PARAM = 1, 2, 3, 0x40


def addr(text):
    return ipaddress.ip_address(text)


class Conn:
    """One connection as both versions carry it; seq is ((init, delta, prev), (...))."""

    def __init__(self, caddr, cport, vaddr, vport, daddr, dport, proto=TCP, flags=0,
                 state=S_ES, fwmark=0, timeout=900, seq=None, pe_data=b"", pe_name=b""):
        self.caddr, self.vaddr, self.daddr = addr(caddr), addr(vaddr), addr(daddr)
        self.cport, self.vport, self.dport = cport, vport, dport
        self.proto, self.flags, self.state = proto, flags, state
        self.fwmark, self.timeout, self.seq = fwmark, timeout, seq
        self.pe_data, self.pe_name = pe_data, pe_name

    @property
    def v6(self):
        return self.caddr.version == 6

    def v1(self, options=None, size=None, version=0, rtype=None):
        """struct ip_vs_sync_v4 or _v6, then its options; size/version/rtype force
        those fields (malformed records)."""
        opts = b""
        if self.seq:
            opts += struct.pack("!BB", OPT_SEQ, 24) + seq_bytes(self.seq)
        if self.pe_data:
            opts += struct.pack("!BB", OPT_PE_DATA, len(self.pe_data)) + self.pe_data
            if self.pe_name:
                opts += struct.pack("!BB", OPT_PE_NAME, len(self.pe_name)) + self.pe_name
        if options is not None:
            opts = options
        fixed = 72 if self.v6 else 36
        length = fixed + len(opts) if size is None else size
        rtype = (1 if self.v6 else 0) if rtype is None else rtype
        head = struct.pack("!BBHIHHHHII", rtype, self.proto, version << 12 | length, self.flags,
                           self.state, self.cport, self.vport, self.dport, self.fwmark,
                           self.timeout)
        return head + self.caddr.packed + self.vaddr.packed + self.daddr.packed + opts

    def v0(self):
        """struct ip_vs_sync_conn_v0, then struct ip_vs_sync_conn_options if seq."""
        rec = struct.pack("!BBHHH4s4s4sHH", 0, self.proto, self.cport, self.vport, self.dport,
                          self.caddr.packed, self.vaddr.packed, self.daddr.packed, self.flags,
                          self.state)
        return rec + (seq_bytes(self.seq) if self.flags & (F_IN_SEQ | F_OUT_SEQ) else b"")

    def expect(self, version):
        """The record line: what the kernel reads of it (version 0: 16-bit flags,
        no fwmark or timeout)."""
        af = 6 if self.v6 else 4
        seq = "-"
        has_seq = self.seq is not None and (version == 1 or self.flags & (F_IN_SEQ | F_OUT_SEQ))
        if has_seq:
            seq = ",".join(str(v) for half in self.seq for v in half)
        return ("record af=%d proto=%d flags=0x%x state=%d cport=%d vport=%d dport=%d "
                "fwmark=%d timeout=%d caddr=%s vaddr=%s daddr=%s seq=%s pe_data=%s "
                "pe_name=%s" % (
                    af, self.proto, self.flags & (0xffff if version == 0 else 0xffffffff),
                    self.state, self.cport, self.vport, self.dport,
                    self.fwmark if version else 0, self.timeout if version else 0,
                    self.caddr, self.vaddr, self.daddr, seq,
                    self.pe_data.hex() if version and self.pe_data else "-",
                    self.pe_name.decode() if version and self.pe_name else "-"))


def seq_bytes(seq):
    return b"".join(struct.pack("!III", *half) for half in seq)


def pad4(b):
    return b + b"\0" * (-len(b) % 4)


def v1_msg(records, syncid=1, nr_conns=None, reserved=0, version=1, spare=0, size=None):
    """struct ip_vs_sync_mesg, then the records, each but the last padded to 4 bytes."""
    body = b""
    for i, r in enumerate(records):
        body += r if i == len(records) - 1 else pad4(r)
    n = len(records) if nr_conns is None else nr_conns
    total = 8 + len(body) if size is None else size
    return struct.pack("!BBHBbH", reserved, syncid, total, n, version, spare) + body


def v0_msg(records, syncid=1, nr_conns=None, size=None):
    """struct ip_vs_sync_mesg_v0, then the records."""
    body = b"".join(records)
    n = len(records) if nr_conns is None else nr_conns
    total = 4 + len(body) if size is None else size
    return struct.pack("!BBH", n, syncid, total) + body


CASES = []


def case(name, msg, outcomes, syncid=0, open_="ok", reencode=False):
    CASES.append((name, syncid, msg, open_, outcomes, reencode))


NAT = Conn("172.16.0.5", 40000, "10.0.0.1", 80, "192.168.0.11", 8080)
UDP1 = Conn("172.16.0.6", 5353, "10.0.0.1", 53, "192.168.0.12", 53, proto=UDP, state=0,
            timeout=300, flags=F_MASQ)
SIX = Conn("2001:db8:c::2", 43000, "2001:db8:f::1", 443, "2001:db8:1::11", 443,
           flags=F_DROUTE | F_NOOUTPUT | F_INACTIVE, state=S_FW, timeout=120)
# A fwmark service's template: protocol IPPROTO_IP, the mark in vaddr.
FWM_TPL = Conn("172.16.0.0", 0, "0.0.0.7", 0, "192.168.0.13", 0, proto=IP,
               flags=F_TEMPLATE | F_DROUTE, state=S_NONE, fwmark=7, timeout=360)
SEQ = Conn("172.16.0.7", 40100, "10.0.0.1", 21, "192.168.0.11", 21,
           flags=F_MASQ | F_IN_SEQ | F_OUT_SEQ, seq=((1000, 12, 0), (5000, -3 & 0xffffffff, 4)))
PE = Conn("172.16.0.8", 5060, "10.0.0.1", 5060, "192.168.0.11", 5060, proto=UDP, state=0,
          flags=F_TEMPLATE, timeout=900, pe_data=b"call-id-42", pe_name=b"sip")
TPL6 = Conn("2001:db8:c::", 0, "2001:db8:f::1", 80, "2001:db8:1::12", 80,
            flags=F_TEMPLATE | F_MASQ, state=0, timeout=300)

# ---- what the kernel reads ----------------------------------------------------------------
case("v1_one_nat", v1_msg([NAT.v1()]), [NAT.expect(1)], reencode=True)
case("v1_udp_ipv6_fwmark_template", v1_msg([UDP1.v1(), SIX.v1(), FWM_TPL.v1(), TPL6.v1()]),
     [UDP1.expect(1), SIX.expect(1), FWM_TPL.expect(1), TPL6.expect(1)], reencode=True)
# 36 + 26 = 62 bytes: the next record starts 2 bytes of padding later.
case("v1_seq_data_padded", v1_msg([SEQ.v1(), NAT.v1()]), [SEQ.expect(1), NAT.expect(1)],
     reencode=True)
case("v1_pe_data_and_name", v1_msg([PE.v1(), UDP1.v1()]), [PE.expect(1), UDP1.expect(1)],
     reencode=True)
# An optional option the kernel does not know is passed over.
case("v1_optional_unknown_option",
     v1_msg([NAT.v1(options=struct.pack("!BB", OPT_F_PARAM | 9, 3) + b"abc"), UDP1.v1()]),
     [NAT.expect(1), UDP1.expect(1)])
# A mandatory one skips its record only.
case("v1_mandatory_unknown_option",
     v1_msg([NAT.v1(options=struct.pack("!BB", 9, 2) + b"xy"), UDP1.v1()]),
     ["skip unknown_option", UDP1.expect(1)])
# Type 3: bit 0 says IPv6; the kernel looks at no other bit.
case("v1_type_with_other_bits", v1_msg([SIX.v1(rtype=3)]), [SIX.expect(1)])
case("v1_syncid_matches", v1_msg([NAT.v1()], syncid=5), [NAT.expect(1)], syncid=5)
case("v1_syncid_other", v1_msg([NAT.v1()], syncid=5), [], syncid=3, open_="syncid")
case("v1_syncid_any", v1_msg([NAT.v1()], syncid=9), [NAT.expect(1)], syncid=0)
case("v1_no_records", v1_msg([]), [])
case("v0_two", v0_msg([NAT.v0(), UDP1.v0()]), [NAT.expect(0), UDP1.expect(0)], reencode=True)
case("v0_seq_options", v0_msg([SEQ.v0(), NAT.v0()]), [SEQ.expect(0), NAT.expect(0)],
     reencode=True)
# A version 1 header with spare bits set is read as version 0: its first byte (the
# count) is 0, so no record.
case("v1_spare_set_is_v0", v1_msg([NAT.v1()], spare=1), [])

# ---- what the kernel drops ----------------------------------------------------------------
case("short", b"\x00\x01\x00", [], open_="short")
case("size_differs", v1_msg([NAT.v1()], size=100), [], open_="bad_size")
case("more_records_announced", v1_msg([NAT.v1()], nr_conns=3),
     [NAT.expect(1), "stop truncated"])
case("record_past_the_end", v1_msg([NAT.v1(size=200)], size=8 + 36),
     ["stop overrun"])
case("record_version", v1_msg([NAT.v1(version=1), UDP1.v1()]), ["stop bad_version"])
case("record_type", v1_msg([NAT.v1(rtype=2), UDP1.v1()]), ["stop bad_type"])
# An IPv6 record that says it is 36 bytes long.
case("record_shorter_than_fixed", v1_msg([SIX.v1(size=36)]), ["stop bad_length"])
case("option_zero_length", v1_msg([NAT.v1(options=b"\x01\x00")]), ["stop bad_option"])
case("option_past_record", v1_msg([NAT.v1(options=b"\x02\x09abc")]), ["stop bad_option"])
case("option_header_cut", v1_msg([NAT.v1(options=b"\x02")]), ["stop bad_option"])
case("seq_wrong_length",
     v1_msg([NAT.v1(options=struct.pack("!BB", OPT_SEQ, 20) + b"\0" * 20)]), ["stop bad_seq"])
case("seq_twice", v1_msg([NAT.v1(options=2 * (struct.pack("!BB", OPT_SEQ, 24) + b"\0" * 24))]),
     ["stop bad_seq"])
case("pe_data_twice", v1_msg([NAT.v1(options=2 * (struct.pack("!BB", OPT_PE_DATA, 2) + b"ab"))]),
     ["stop bad_pe_data"])
case("pe_name_too_long",
     v1_msg([NAT.v1(options=struct.pack("!BB", OPT_PE_NAME, 17) + b"n" * 17)]),
     ["stop bad_pe_name"])
# The records before a bad one stand.
case("good_then_bad", v1_msg([UDP1.v1(), NAT.v1(rtype=4)]), [UDP1.expect(1), "stop bad_type"])
case("v0_record_cut", v0_msg([NAT.v0()[:20]]), ["stop truncated"])
case("v0_seq_cut", v0_msg([SEQ.v0()[:30]]), ["stop truncated"])


def render():
    out = []
    for name, syncid, msg, open_, outcomes, reencode in CASES:
        out += ["case " + name, "syncid %d" % syncid, "msg " + msg.hex(), "open " + open_]
        out += outcomes
        if reencode:
            out.append("reencode")
        out.append("end")
    return "\n".join(out) + "\n"


def main():
    text = render()
    if len(sys.argv) == 3 and sys.argv[1] == "--check":
        with open(sys.argv[2]) as f:
            if f.read() != text:
                sys.exit("%s is not what gen.py writes: run tests/sync/gen.py %s" %
                         (sys.argv[2], sys.argv[2]))
        return
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    with open(sys.argv[1], "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()
