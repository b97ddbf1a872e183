# SPDX-License-Identifier: GPL-2.0-or-later
"""The Internet checksum (RFC 1071) and the pseudo-header TCP, UDP and ICMPv6 add to
it, for every Python part of the tests: the packet fixtures, the e2e lab's tools and
shell tests, the fuzzers' seeds. Written from the RFCs, never from uvs's C code, so
that what the tests build is an independent account.

Its users put this directory on Python's path: a script with
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))
(or the path to tests/pylib from where it lives), a shell test's heredoc with
PYTHONPATH=tests/pylib in its environment."""
import ipaddress
import struct


def csum(data):
    """The checksum field's value for data: the ones' complement of the ones'
    complement sum of its 16-bit words, an odd last byte padded with a zero."""
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def _packed(a):
    if isinstance(a, (bytes, bytearray)):
        return bytes(a)
    return ipaddress.ip_address(a).packed


def pseudo(src, dst, proto, length):
    """The pseudo-header for a segment of `length` bytes of protocol `proto` from src to
    dst (ipaddress objects, text, or packed bytes; both of one family): RFC 768/793's
    for IPv4, RFC 8200's for IPv6."""
    s, d = _packed(src), _packed(dst)
    if len(s) == 16:
        return s + d + struct.pack("!IxxxB", length, proto)
    return s + d + struct.pack("!xBH", proto, length)


def with_csum(data, at, value):
    """data with the 16-bit checksum field at byte `at` set to value."""
    return data[:at] + struct.pack("!H", value) + data[at + 2 :]


def crc32c(data):
    """SCTP's checksum (RFC 9260 appendix A): the CRC32c of data, bit by bit from the
    reflected Castagnoli polynomial 0x82F63B78, initial and final value inverted."""
    r = 0xFFFFFFFF
    for b in data:
        r ^= b
        for _ in range(8):
            r = (r >> 1) ^ 0x82F63B78 if r & 1 else r >> 1
    return r ^ 0xFFFFFFFF


def with_crc32c(sctp):
    """The SCTP packet sctp with its checksum field (bytes 8..11) set: the CRC32c of the
    packet with the field zero, least significant byte first."""
    zeroed = sctp[:8] + b"\0\0\0\0" + sctp[12:]
    return zeroed[:8] + struct.pack("<I", crc32c(zeroed)) + zeroed[12:]
