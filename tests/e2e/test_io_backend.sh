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
# With "jumbo": the veth pair has MTU 9000 and the test's frames take turns at sizes up
# to 9014 bytes (an IP packet of 9000), around the sizes where AF_XDP needs one chunk
# more (its 4096-byte chunks hold 3712 bytes of a received frame, 3968 of one sent
# with headroom), each echoed whole, byte for byte.
# Usage: test_io_backend.sh IO_ECHO af_packet|af_xdp [jumbo]
set -euo pipefail
echo_prog=$1
backend=$2
size=64 # of the test's frames, Ethernet header included
mtu=()
if [ "${3:-}" = jumbo ]; then
	size=9014
	mtu=(mtu 9000)
fi
case $backend in
af_packet)
	pair=(uvsio 10.98.0 "${mtu[@]}")
	echo_args=()
	;;
af_xdp)
	pair=(uvsxdp 10.98.0 numtxqueues 2 numrxqueues 2 "${mtu[@]}")
	echo_args=(af_xdp 10.98.0.1 7000)
	;;
*)
	echo "usage: $0 IO_ECHO af_packet|af_xdp [jumbo]" >&2
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

# Idle: next to no CPU over a second. Counted in ns from the scheduler's own sum over
# the threads (schedstat), not in clock ticks, which charge a whole tick to whoever
# runs at the tick: two 10-ms ticks were seen once for an idle backend. A backend
# that polled would use most of the second.
cpu_ns() { cat /proc/"$pid"/task/*/schedstat | awk '{ t += $1 } END { printf "%.0f\n", t }'; }
c0=$(cpu_ns)
sleep 1
c1=$(cpu_ns)
used_ms=$(((c1 - c0) / 1000000))
[ "$used_ms" -le 20 ] || fail "idle backend used $used_ms ms of CPU in 1 s"
echo "ok: idle, $used_ms ms of CPU in 1 s"

# The echoing side's kernel answers ping, and ARP (which ping needs): while the
# backend runs (its frame count, checked below, must include neither) and after it.
kernel_answers() { # WHEN
	ip netns exec "$b" ping -c 1 -W 2 10.98.0.1 >/dev/null || fail "ping did not reach the kernel $1"
	ip -n "$b" neigh show 10.98.0.1 | grep -q "$mac_a" || fail "ARP did not reach the kernel $1"
	echo "ok: ping and ARP still reach the kernel $1"
}
kernel_answers "while the backend runs"

PYTHONPATH=$pylib ip netns exec "$b" python3 -B - "$mac_a" "$count" "$backend" "$size" <<'PY'
import socket, struct, sys, time
mac = bytes.fromhex(sys.argv[1].replace(":", ""))
count, backend, largest = int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
src, dst = socket.inet_aton("10.98.0.2"), socket.inet_aton("10.98.0.1")
pattern = bytes(range(256)) * (largest // 256 + 2)
sizes = [64]
if largest > 1514:
    sizes = [64, 1514, 3712, 3713, 3968, 3969, 4082, 4096, 4097, 7424, 7425, 8192, largest]


def size_of(seq):
    return sizes[seq % len(sizes)]


def fill(seq, n):  # n bytes that differ from frame to frame
    return pattern[seq % 256 : seq % 256 + n]


if backend == "af_packet":
    ethertype = 0x88B5

    def frame(i):  # the test's type, numbered
        return mac + me + b"\x88\xb5" + i.to_bytes(4, "big") + fill(i, size_of(i) - 18)

    def other(i):  # not the test's type
        return mac + me + b"\x88\xb6" + bytes(46)

    def seq_of(f):
        return int.from_bytes(f[14:18], "big")

    def echoed(f):
        return f[6:12] == mac and f[12:14] == b"\x88\xb5"
else:
    from inetsum import csum, with_csum
    ethertype = 0x0800

    def seq_of(f):
        return int.from_bytes(f[42:46], "big")

    def udp(dport, seq):
        payload = seq.to_bytes(4, "big") + fill(seq, size_of(seq) - 46)
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
# Room for the echoes and the copies of what this end sends (jumbo frames: 16 KB each).
s.setsockopt(socket.SOL_SOCKET, 33, 8 << 20)  # SO_RCVBUFFORCE, which Python does not name
me = s.getsockname()[4]
sender = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)  # receives nothing
sender.bind(("veth1", 0))
s.settimeout(5)  # generous: the other test suites may load both CPUs
got = bad = 0


def check(f):  # an echo of the test's: counted, and its bytes checked
    global got, bad
    if not echoed(f):
        return
    got += 1
    want = frame(seq_of(f))
    if f[12:] != want[12:] or f[:6] != want[6:12]:
        bad += 1


for i in range(count):
    s.send(frame(i))
    sender.send(other(i))
    if i % 32 == 31:  # bounded in flight: the veth queue is short
        while got < i + 1 - 8:
            check(s.recv(65536))
deadline = time.time() + 5
while got < count and time.time() < deadline:
    try:
        f = s.recv(65536)
    except socket.timeout:
        break
    check(f)
print("echoed %d of %d frames of %d to %d bytes, %d changed" %
      (got, count, min(sizes), max(sizes), bad))
if bad:
    sys.exit(1)
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
