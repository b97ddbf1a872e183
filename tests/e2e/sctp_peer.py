#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""SCTP endpoints for the lab, on raw IP sockets (this kernel has no SCTP): packets
are built and their CRC32c computed by scapy, an SCTP implementation independent of
uvs; each received packet's CRC32c is checked the same way.

  sctp_peer.py server NAME          answers associations on the host: INIT with INIT
                                    ACK (a cookie), COOKIE ECHO with COOKIE ACK, DATA
                                    with SACK and DATA "NAME:" + the data, SHUTDOWN
                                    with SHUTDOWN ACK; runs until killed
  sctp_peer.py open ADDR PORT STATE  INIT, COOKIE ECHO, then DATA "hello" from source
                                    port 5000; prints the answer's data; keeps the
                                    association's tags in STATE
  sctp_peer.py close ADDR PORT STATE SHUTDOWN, then SHUTDOWN COMPLETE on the server's
                                    SHUTDOWN ACK

A raw socket for protocol 132 also keeps the kernel from answering SCTP with ICMP
protocol unreachable. Every wait is bounded (2 s a packet, 3 tries)."""
import json
import select
import socket
import sys

from scapy.layers.sctp import (SCTP, SCTPChunkCookieAck, SCTPChunkCookieEcho, SCTPChunkData,
                               SCTPChunkInit, SCTPChunkInitAck, SCTPChunkParamStateCookie,
                               SCTPChunkSACK, SCTPChunkShutdown, SCTPChunkShutdownAck,
                               SCTPChunkShutdownComplete)

PROTO = 132
CPORT = 5000


def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def sock(fam):
    return socket.socket(fam, socket.SOCK_RAW, PROTO)


def receive(s, timeout=2.0):
    """The next SCTP packet with a good CRC32c (scapy's) and its source, or None."""
    while select.select([s], [], [], timeout)[0]:
        data, src = s.recvfrom(65535)
        if s.family == socket.AF_INET:
            data = data[(data[0] & 15) * 4:]  # IPv4 raw sockets pass the header
        pkt = SCTP(data)
        check = pkt.copy()
        check.chksum = None  # scapy computes it afresh when it builds the packet
        if bytes(check)[8:12] != data[8:12]:
            print("bad CRC32c from %s" % src[0], file=sys.stderr, flush=True)
            continue
        return pkt, src[0]
    return None


def send(s, addr, pkt):
    s.sendto(bytes(pkt), (addr, 0))


def server(name):
    socks = [sock(socket.AF_INET), sock(socket.AF_INET6)]
    tags = {}
    while True:
        for s in select.select(socks, [], [], 1.0)[0]:
            got = receive(s, 0)
            if not got:
                continue
            pkt, src = got
            key = (src, pkt.sport)
            reply = SCTP(sport=pkt.dport, dport=pkt.sport)
            if pkt.haslayer(SCTPChunkInit):
                init = pkt[SCTPChunkInit]
                tags[key] = init.init_tag
                reply.tag = init.init_tag
                reply /= SCTPChunkInitAck(init_tag=0x5EC0DE, a_rwnd=65536, n_out_streams=1,
                                          n_in_streams=1, init_tsn=500,
                                          params=[SCTPChunkParamStateCookie(cookie=b"uvs-cookie")])
            elif key not in tags:
                continue
            else:
                reply.tag = tags[key]
                if pkt.haslayer(SCTPChunkCookieEcho):
                    reply /= SCTPChunkCookieAck()
                elif pkt.haslayer(SCTPChunkData):
                    d = pkt[SCTPChunkData]
                    reply /= SCTPChunkSACK(cumul_tsn_ack=d.tsn, a_rwnd=65536)
                    reply /= SCTPChunkData(tsn=500, stream_id=0, stream_seq=0, beginning=1, ending=1,
                                           data=name.encode() + b":" + bytes(d.data))
                elif pkt.haslayer(SCTPChunkShutdown):
                    reply /= SCTPChunkShutdownAck()
                elif pkt.haslayer(SCTPChunkShutdownComplete):
                    tags.pop(key)
                    continue
                else:
                    continue
            send(s, src, reply)


def exchange(s, addr, pkt, want):
    """Sends pkt until a packet with chunk class want comes back from addr."""
    for _ in range(3):
        send(s, addr, pkt)
        got = receive(s)
        while got and not got[0].haslayer(want):
            got = receive(s)
        if got:
            if got[1] != addr or got[0].sport != pkt.dport or got[0].dport != CPORT:
                sys.exit("answer from %s port %d, not %s port %d" % (got[1], got[0].sport, addr, pkt.dport))
            return got[0]
    sys.exit("no %s from %s" % (want.__name__, addr))


def open_assoc(addr, port, state):
    s = sock(family(addr))
    mytag = 0xC11E47
    init = SCTP(sport=CPORT, dport=port, tag=0) / SCTPChunkInit(init_tag=mytag, a_rwnd=65536, n_out_streams=1,
                                                                 n_in_streams=1, init_tsn=100)
    ack = exchange(s, addr, init, SCTPChunkInitAck)
    peer = ack[SCTPChunkInitAck].init_tag
    cookie = ack[SCTPChunkParamStateCookie].cookie
    exchange(s, addr, SCTP(sport=CPORT, dport=port, tag=peer) / SCTPChunkCookieEcho(cookie=cookie),
             SCTPChunkCookieAck)
    data = SCTP(sport=CPORT, dport=port, tag=peer) / SCTPChunkData(tsn=100, stream_id=0, stream_seq=0,
                                                                   beginning=1, ending=1, data=b"hello")
    answer = exchange(s, addr, data, SCTPChunkData)
    print(bytes(answer[SCTPChunkData].data).decode(), flush=True)
    with open(state, "w") as f:
        json.dump({"peer": peer}, f)


def close_assoc(addr, port, state):
    s = sock(family(addr))
    with open(state) as f:
        peer = json.load(f)["peer"]
    exchange(s, addr, SCTP(sport=CPORT, dport=port, tag=peer) / SCTPChunkShutdown(cumul_tsn_ack=500),
             SCTPChunkShutdownAck)
    send(s, addr, SCTP(sport=CPORT, dport=port, tag=peer) / SCTPChunkShutdownComplete())
    print("closed", flush=True)


def main(argv):
    if argv[1:2] == ["server"] and len(argv) == 3:
        server(argv[2])
    elif argv[1:2] == ["open"] and len(argv) == 5:
        open_assoc(argv[2], int(argv[3]), argv[4])
    elif argv[1:2] == ["close"] and len(argv) == 5:
        close_assoc(argv[2], int(argv[3]), argv[4])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
