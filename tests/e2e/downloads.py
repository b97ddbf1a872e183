#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Many slow HTTP downloads at once, from one process, for the ECMP lab
(tests/e2e/test_ecmp.sh; Python's standard library only; run in the client's namespace):

  downloads.py --vip ADDR --path PATH --count N --size BYTES --rate BYTES_PER_S
               --sources A,B,... [--port 80] [--timeout S]

opens N connections to ADDR, each from the next source address in turn and a port the
kernel picks (so flows differ in their addresses and ports, as ECMP's layer-4 hash
wants), sends "GET PATH" on each and reads the answer at RATE bytes a second at most,
with a small receive buffer so that the server sends no faster (the flow lasts
BYTES / RATE seconds and keeps sending ACKs through the directors all along).
Prints "connected N" once every download has its first bytes (or failed), then at the
end one "NAME COUNT" line per real server (the body's first line), sorted, and "fail
K" for downloads that ended early or never began, "bad K" for bodies of another
length than BYTES. Each failure is told on stderr. Every wait is bounded: TIMEOUT
seconds (default 60) for all of it."""
import argparse
import asyncio
import collections
import socket
import sys
import time

RCVBUF = 16384  # the sender can be no more than this ahead of our reading


async def download(i, args, loop, started, result):
    src = args.sources[i % len(args.sources)]
    family = socket.AF_INET6 if ":" in args.vip else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RCVBUF)
    sock.setblocking(False)
    head, body, begun = b"", 0, False
    try:
        sock.bind((src, 0))
        await asyncio.wait_for(loop.sock_connect(sock, (args.vip, args.port)), 5)
        request = "GET %s HTTP/1.0\r\nHost: %s\r\n\r\n" % (args.path, args.vip)
        await loop.sock_sendall(sock, request.encode())
        t0 = time.monotonic()
        while True:
            data = await asyncio.wait_for(loop.sock_recv(sock, 8192), 20)
            if not data:
                break
            if b"\r\n\r\n" not in head:
                head += data
                if b"\r\n\r\n" in head:
                    head, _, rest = head.partition(b"\r\n\r\n")
                    head += b"\r\n\r\n"
                    body, first = len(rest), rest
                    name = first.split(b"\n", 1)[0].decode(errors="replace")
                    result["name"] = name
            else:
                body += len(data)
            if not begun and "name" in result:
                begun = True
                started.append(i)
            ahead = body / args.rate - (time.monotonic() - t0)
            if ahead > 0:
                await asyncio.sleep(ahead)
    except (OSError, asyncio.TimeoutError) as e:
        result["error"] = "%s: %s" % (type(e).__name__, e)
    finally:
        sock.close()
        if not begun:
            started.append(i)
    result["body"] = body


async def run(args):
    loop = asyncio.get_running_loop()
    started, results = [], [dict() for _ in range(args.count)]
    tasks = [asyncio.ensure_future(download(i, args, loop, started, results[i]))
             for i in range(args.count)]
    told = False
    deadline = time.monotonic() + args.timeout
    while not all(t.done() for t in tasks) and time.monotonic() < deadline:
        if not told and len(started) == args.count:
            print("connected", args.count, flush=True)
            told = True
        await asyncio.sleep(0.05)
    for t in tasks:
        t.cancel()
    names, failed, bad = collections.Counter(), 0, 0
    for i, r in enumerate(results):
        if "name" not in r or "error" in r:
            failed += 1
            print("download %d (%s): %s after %d bytes" % (i, r.get("name", "?"),
                  r.get("error", "timed out"), r.get("body", 0)), file=sys.stderr)
            continue
        names[r["name"]] += 1
        if r["body"] != args.size:
            bad += 1
            print("download %d (%s): %d bytes, not %d" % (i, r["name"], r["body"], args.size),
                  file=sys.stderr)
    if not told:
        print("connected", args.count, flush=True)
    for name in sorted(names):
        print(name, names[name])
    if failed:
        print("fail", failed)
    if bad:
        print("bad", bad)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--vip", required=True)
    ap.add_argument("--port", type=int, default=80)
    ap.add_argument("--path", required=True)
    ap.add_argument("--count", type=int, required=True)
    ap.add_argument("--size", type=int, required=True)
    ap.add_argument("--rate", type=float, required=True)
    ap.add_argument("--sources", type=lambda s: s.split(","), required=True)
    ap.add_argument("--timeout", type=float, default=60.0)
    asyncio.run(run(ap.parse_args()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
