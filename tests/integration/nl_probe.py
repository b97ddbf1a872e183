#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A generic netlink client written against the kernel, run under uvs-run by
test_preload_lifecycle.sh: checks what the preload library promises of a socket that
became uvsd's. A non-blocking, close-on-exec NETLINK_GENERIC socket asks the controller
for "IPVS"; then the fd keeps O_NONBLOCK and FD_CLOEXEC, poll and epoll see the answer,
recvfrom gives the kernel's address (port 0), every answer is addressed to the
socket's port (nlmsg_pid), getsockname is the netlink address the kernel gave,
SO_PROTOCOL and SO_DOMAIN are netlink's, an empty socket says EAGAIN, and a GET_INFO to
the family id answered gives uvsd's IPVS version. Prints "ok: ..." lines; exits 1 at
the first failure.
"""
import errno
import fcntl
import os
import select
import socket
import struct
import sys

NETLINK_GENERIC = 16
GENL_ID_CTRL = 0x10
CTRL_CMD_GETFAMILY, CTRL_ATTR_FAMILY_ID, CTRL_ATTR_FAMILY_NAME = 3, 1, 2
NLMSG_ERROR = 2
NLM_F_REQUEST, NLM_F_ACK = 1, 4
IPVS_CMD_GET_INFO, IPVS_INFO_ATTR_VERSION = 15, 1
SOL_SOCKET, SO_PROTOCOL, SO_DOMAIN = 1, 38, 39


def check(name, ok):
    if not ok:
        print("FAIL: " + name)
        sys.exit(1)
    print("ok: " + name)


def request(family, cmd, seq, attrs=b""):
    body = struct.pack("=BBH", cmd, 1, 0) + attrs
    return struct.pack("=IHHII", 16 + len(body), family, NLM_F_REQUEST | NLM_F_ACK, seq,
                       0) + body


def attr(typ, payload):
    a = struct.pack("=HH", 4 + len(payload), typ) + payload
    return a + b"\0" * (-len(a) % 4)


def messages(data):
    """(type, flags, seq, pid, payload) of each message of a datagram."""
    out = []
    while len(data) >= 16:
        length, typ, flags, seq, pid = struct.unpack("=IHHII", data[:16])
        out.append((typ, flags, seq, pid, data[16:length]))
        data = data[(length + 3) & ~3:]
    return out


def attrs_of(payload):
    found = {}
    while len(payload) >= 4:
        length, typ = struct.unpack("=HH", payload[:4])
        found[typ & 0x3FFF] = payload[4:length]
        payload = payload[(length + 3) & ~3:]
    return found


def main():
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW | socket.SOCK_NONBLOCK |
                      socket.SOCK_CLOEXEC, NETLINK_GENERIC)
    s.bind((0, 0))
    port = s.getsockname()[0]
    s.send(request(GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1, attr(CTRL_ATTR_FAMILY_NAME, b"IPVS\0")))
    fd = s.fileno()
    check("O_NONBLOCK kept", fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_NONBLOCK)
    check("FD_CLOEXEC kept", fcntl.fcntl(fd, fcntl.F_GETFD) & fcntl.FD_CLOEXEC)
    check("getsockname: the kernel's netlink address", s.getsockname() == (port, 0))
    check("SO_DOMAIN AF_NETLINK", s.getsockopt(SOL_SOCKET, SO_DOMAIN) == socket.AF_NETLINK)
    check("SO_PROTOCOL NETLINK_GENERIC", s.getsockopt(SOL_SOCKET, SO_PROTOCOL) == NETLINK_GENERIC)
    p = select.poll()
    p.register(fd, select.POLLIN)
    check("poll sees the answer", p.poll(5000) == [(fd, select.POLLIN)])
    data, source = s.recvfrom(65536)
    check("recvfrom: from the kernel (port 0)", source == (0, 0))
    reply = messages(data)
    check("the reply alone in its datagram", len(reply) == 1 and reply[0][0] == GENL_ID_CTRL)
    check("addressed to the socket's port", reply[0][3] == port)
    family = struct.unpack("=H", attrs_of(reply[0][4][4:])[CTRL_ATTR_FAMILY_ID][:2])[0]
    check("the IPVS family id", family == 0x5576)
    e = select.epoll()
    e.register(fd, select.EPOLLIN)
    check("epoll sees the ack", e.poll(5) == [(fd, select.EPOLLIN)])
    ack = messages(s.recv(65536))
    check("then the ack", len(ack) == 1 and ack[0][0] == NLMSG_ERROR and ack[0][2] == 1)
    try:
        s.recv(65536)
        check("nothing more: EAGAIN", False)
    except BlockingIOError as err:
        check("nothing more: EAGAIN", err.errno == errno.EAGAIN)
    s.send(request(family, IPVS_CMD_GET_INFO, 2))
    check("poll sees GET_INFO's answer", p.poll(5000) == [(fd, select.POLLIN)])
    info = messages(s.recv(65536))
    version = attrs_of(info[0][4][4:])[IPVS_INFO_ATTR_VERSION]
    check("GET_INFO: IPVS 1.2.1", struct.unpack("=I", version)[0] == 0x010201)
    check("GET_INFO's ack", info[-1][0] == NLMSG_ERROR and info[-1][2] == 2)


if __name__ == "__main__":
    main()
