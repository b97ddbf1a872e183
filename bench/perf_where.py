#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Where the CPU of an HTTP run went, per request.

Usage: perf_where.py PERF_DATA REQUESTS

PERF_DATA is a `perf record -e cpu-clock -a -g` of the whole machine over one wrk run
(bench/http.sh records one per run with UVS_BENCH_PERF=1); REQUESTS is how many
requests wrk completed in it. Each sample is put in the first category whose rule its
call chain matches (the rules are in the order below: a copy inside a send counts as
the copy, not as the send), and the CPU time of each category is printed in
microseconds per request, busy categories first, then idle.

The categories name the work the kernel does on uvs's path and not on its own
forwarding: the AF_XDP copies, the XDP programs, a veth's copy of a frame for XDP,
and the receive processing of the frames uvsd sends, which the kernel runs inside
uvsd's send (on veth) where its own forwarding runs it in the receive softirq.
"""
import re
import subprocess
import sys

# A BPF program's symbol: bpf_prog_<tag>_<name>.
BPF_PROG = re.compile(r"bpf_prog_[0-9a-f]{16}_")

# (category, test of (comm, user-space leaf?, set of kernel function names)).
RULES = [
    ("idle", lambda c, user, fns: c == "swapper" and not fns & {
        "net_rx_action", "__napi_poll", "handle_softirqs"}),
    ("veth: copy of a frame for XDP (skb_pp_cow_data)",
     lambda c, user, fns: "skb_pp_cow_data" in fns),
    ("AF_XDP receive: copy into uvsd's ring",
     lambda c, user, fns: bool(fns & {"xsk_generic_rcv", "__xsk_rcv", "xsk_rcv"})),
    ("XDP programs (steering, fast path) and their redirect",
     lambda c, user, fns: any(BPF_PROG.match(f) for f in fns) or bool(
         fns & {"xdp_do_redirect", "do_xdp_generic"})),
    ("the receivers' processing run inside uvsd's sends",
     lambda c, user, fns: c.startswith("uvsd") and "__dev_direct_xmit" in fns and bool(
         fns & {"__netif_receive_skb_one_core", "__netif_receive_skb_core",
                "process_backlog", "veth_poll", "net_rx_action"})),
    ("AF_XDP send: socket buffer, copy, transmit",
     lambda c, user, fns: "__xsk_generic_xmit" in fns),
    ("uvsd: user space (engine, I/O loop)", lambda c, user, fns: c.startswith("uvsd") and user),
    ("uvsd: other system calls", lambda c, user, fns: c.startswith("uvsd")),
    ("kernel forwarding (ip_forward)", lambda c, user, fns: "ip_forward" in fns),
    ("wrk: user space", lambda c, user, fns: c == "wrk" and user),
    ("wrk: kernel (its TCP, and softirqs run in its time)", lambda c, user, fns: c == "wrk"),
    ("nginx: user space", lambda c, user, fns: c == "nginx" and user),
    ("nginx: kernel (its TCP, and softirqs run in its time)",
     lambda c, user, fns: c == "nginx"),
]


def samples(path):
    """Yields (comm, period_ns, user_leaf, kernel function names) per sample."""
    out = subprocess.run(["perf", "script", "-i", path, "-F", "comm,period,ip,sym,dso"],
                         capture_output=True, text=True, check=True).stdout
    head, chain = None, []
    for line in out.splitlines() + [""]:
        if line.startswith("\t"):
            parts = line.split(None, 2)
            # Kernel text (and BPF programs' JIT code) is in the top half of the
            # address space.
            kernel = int(parts[0], 16) >= 0xffff800000000000
            chain.append((parts[1] if len(parts) > 1 else "?", kernel))
            continue
        if head is not None:
            comm, period = head
            user = bool(chain) and not chain[0][1]
            fns = {name for name, kernel in chain if kernel}
            yield comm, period, user, fns
        head, chain = None, []
        fields = line.rsplit(None, 1)
        if len(fields) == 2 and fields[1].isdigit():
            head = (fields[0].strip(), int(fields[1]))


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: perf_where.py PERF_DATA REQUESTS")
    requests = float(sys.argv[2])
    if requests <= 0:
        sys.exit("perf_where.py: no requests")
    ns = {}
    for comm, period, user, fns in samples(sys.argv[1]):
        name = next((n for n, rule in RULES if rule(comm, user, fns)), "other: " + comm)
        ns[name] = ns.get(name, 0) + period
    busy = sum(v for k, v in ns.items() if k != "idle")
    print(f"{'busy, all of it':56s} {busy / 1000 / requests:8.1f} us/request")
    others = sum(v for k, v in ns.items() if k.startswith("other: "))
    for name, _ in RULES[1:]:
        if name in ns:
            print(f"  {name:54s} {ns[name] / 1000 / requests:8.1f}")
    print(f"  {'other processes':54s} {others / 1000 / requests:8.1f}")
    print(f"{'idle':56s} {ns.get('idle', 0) / 1000 / requests:8.1f}")


if __name__ == "__main__":
    main()
