#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# One packet I/O backend (io_echo) on one end of a veth pair between two namespaces,
# against the kernel:
#   af_packet: the AF_PACKET backend with its socket filter for the test's Ethernet
#     type 0x88b5; frames of another type (0x88b6) are the kernel's, never echoed.
#   af_xdp: the AF_XDP backend with the steering XDP program for one UDP service
#     10.98.0.1:7000, two queues each way; frames to another port of the same address
#     (7001) are the kernel's, never echoed; the XDP program is on the link while the
#     backend runs and gone at its exit.
# For both: idle, the backend uses no CPU; ping and ARP from the other end reach the
# echoing side's kernel while the backend runs and after it exits; the test's frames
# sent from the other end are all received and come back echoed (at least 99% under
# load; every one sent or counted as refused by the kernel), and the backend receives
# no other frame.
# Usage: test_io_backend.sh IO_ECHO af_packet|af_xdp
set -euo pipefail
echo_prog=$1
backend=$2
case $backend in
af_packet)
	pair=(uvsio 10.98.0)
	echo_args=()
	;;
af_xdp)
	pair=(uvsxdp 10.98.0 numtxqueues 2 numrxqueues 2)
	echo_args=(af_xdp 10.98.0.1 7000)
	;;
*)
	echo "usage: $0 IO_ECHO af_packet|af_xdp" >&2
	exit 2
	;;
esac
# shellcheck source=tests/e2e/pair.sh
. "$(dirname "$0")/pair.sh" "${pair[@]}"
pylib=$(cd "$(dirname "$0")/../pylib" && pwd) # the tests' checksum (inetsum.py)
count=2000

xdp_on_link() { ip -n "$a" link show veth0 | grep -q "prog/xdp"; }

ip netns exec "$a" "$echo_prog" veth0 "$count" 20 "${echo_args[@]}" >"$dir/out" 2>&1 &
pid=$!
for _ in $(seq 50); do grep -q ready "$dir/out" 2>/dev/null && break; sleep 0.1; done
grep -q ready "$dir/out" || fail "io_echo did not start: $(cat "$dir/out")"
echo "ok: $(head -1 "$dir/out")"
if [ "$backend" = af_xdp ]; then
	xdp_on_link || fail "no XDP program on veth0"
fi

# Idle: no CPU over a second (utime + stime in clock ticks).
cpu() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
c0=$(cpu)
sleep 1
c1=$(cpu)
[ $((c1 - c0)) -le 1 ] || fail "idle backend used $((c1 - c0)) ticks in 1 s"
echo "ok: idle, $((c1 - c0)) ticks in 1 s"

# The echoing side's kernel answers ping, and ARP (which ping needs): while the
# backend runs (its frame count, checked below, must include neither) and after it.
kernel_answers() { # WHEN
	ip netns exec "$b" ping -c 1 -W 2 10.98.0.1 >/dev/null || fail "ping did not reach the kernel $1"
	ip -n "$b" neigh show 10.98.0.1 | grep -q "$mac_a" || fail "ARP did not reach the kernel $1"
	echo "ok: ping and ARP still reach the kernel $1"
}
kernel_answers "while the backend runs"

PYTHONPATH=$pylib ip netns exec "$b" python3 -B - "$mac_a" "$count" "$backend" <<'PY'
import socket, struct, sys, time
mac = bytes.fromhex(sys.argv[1].replace(":", ""))
count, backend = int(sys.argv[2]), sys.argv[3]
src, dst = socket.inet_aton("10.98.0.2"), socket.inet_aton("10.98.0.1")

if backend == "af_packet":
    ethertype = 0x88B5

    def frame(i):  # the test's type, numbered
        return mac + me + b"\x88\xb5" + i.to_bytes(4, "big") + bytes(42)

    def other(i):  # not the test's type
        return mac + me + b"\x88\xb6" + bytes(46)

    def echoed(f):
        return f[6:12] == mac and f[12:14] == b"\x88\xb5"
else:
    from inetsum import csum, with_csum
    ethertype = 0x0800

    def udp(dport, seq):
        payload = seq.to_bytes(4, "big") + bytes(14)
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + 8 + len(payload), seq & 0xffff, 0, 64,
                         17, 0, src, dst)
        # Source ports vary, so flows spread over both queues; checksum 0: none (IPv4).
        u = struct.pack("!HHHH", 20000 + seq % 64, dport, 8 + len(payload), 0)
        return mac + me + b"\x08\x00" + with_csum(ip, 10, csum(ip)) + u + payload

    def frame(i):
        return udp(7000, i)

    def other(i):  # the same address, another port: the kernel's
        return udp(7001, i)

    def echoed(f):
        return f[6:12] == mac and f[12:14] == b"\x08\x00" and f[36:38] == b"\x1b\x58"

s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ethertype))
s.bind(("veth1", 0))
me = s.getsockname()[4]
sender = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)  # receives nothing
sender.bind(("veth1", 0))
s.settimeout(5)  # generous: the other test suites may load both CPUs
got = 0
for i in range(count):
    s.send(frame(i))
    sender.send(other(i))
    if i % 32 == 31:  # bounded in flight: the veth queue is short
        while got < i + 1 - 8:
            if echoed(s.recv(2048)):
                got += 1
deadline = time.time() + 5
while got < count and time.time() < deadline:
    try:
        f = s.recv(2048)
    except socket.timeout:
        break
    if echoed(f):
        got += 1
print("echoed %d of %d" % (got, count))
# With both CPUs loaded by other suites, a send the kernel refuses (counted by the
# backend as dropped, checked below) or a full receive buffer here can lose a few.
sys.exit(0 if got >= count * 0.99 else 1)
PY
wait "$pid" || fail "io_echo: $(cat "$dir/out")"
pid=
cat "$dir/out"
grep -q "rx $count tx" "$dir/out" || fail "the backend saw other frames: $(cat "$dir/out")"
if [ "$backend" = af_xdp ]; then
	xdp_on_link && fail "the XDP program stayed on veth0"
	echo "ok: the XDP program is gone"
fi
kernel_answers "after the backend exits"
echo "all $backend checks passed"
