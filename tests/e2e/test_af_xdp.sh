#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The AF_XDP backend on one end of a veth pair (two queues each way) between two
# namespaces, with the steering XDP program for one UDP service 10.98.0.1:7000: frames
# to it sent from the other end are all received and come back echoed (at least 99%
# under load; every one sent or counted as refused); frames to another port of the
# same address are left to the kernel (never echoed); ping and ARP still reach the
# kernel; idle, the backend uses no CPU; at exit the XDP program is gone.
# Usage: test_af_xdp.sh IO_ECHO
set -euo pipefail
echo_prog=$1
. "$(dirname "$0")/pair.sh" uvsxdp 10.98.0 numtxqueues 2 numrxqueues 2
count=2000

ip netns exec "$a" "$echo_prog" veth0 "$count" 20 af_xdp 10.98.0.1 7000 >"$dir/out" 2>&1 &
pid=$!
for _ in $(seq 50); do grep -q ready "$dir/out" 2>/dev/null && break; sleep 0.1; done
grep -q ready "$dir/out" || fail "io_echo did not start: $(cat "$dir/out")"
echo "ok: $(head -1 "$dir/out")"
ip -n "$a" link show veth0 | grep -q "prog/xdp" || fail "no XDP program on veth0"

# Idle: no CPU over a second (utime + stime in clock ticks).
cpu() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
c0=$(cpu)
sleep 1
c1=$(cpu)
[ $((c1 - c0)) -le 1 ] || fail "idle backend used $((c1 - c0)) ticks in 1 s"
echo "ok: idle, $((c1 - c0)) ticks in 1 s"

ip netns exec "$b" python3 - "$mac_a" "$count" <<'PY'
import socket, struct, sys, time
mac = bytes.fromhex(sys.argv[1].replace(":", ""))
count = int(sys.argv[2])

def csum(b):
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff

def udp(me, dport, seq):
    payload = seq.to_bytes(4, "big") + bytes(14)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + 8 + len(payload), seq & 0xffff, 0, 64,
                     17, 0, socket.inet_aton("10.98.0.2"), socket.inet_aton("10.98.0.1"))
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    # Source ports vary, so flows spread over both queues; checksum 0: none (IPv4).
    u = struct.pack("!HHHH", 20000 + seq % 64, dport, 8 + len(payload), 0)
    return mac + me + b"\x08\x00" + ip + u + payload

s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0800))
s.bind(("veth1", 0))
me = s.getsockname()[4]
s.settimeout(5)  # generous: the other test suites may load both CPUs
got = 0
def echoed(f):
    return f[6:12] == mac and f[12:14] == b"\x08\x00" and f[36:38] == b"\x1b\x58"
for i in range(count):
    s.send(udp(me, 7000, i))
    s.send(udp(me, 7001, i))  # the same address, another port: the kernel's
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
sys.exit(0 if got >= count * 0.99 else 1)
PY
wait "$pid" || fail "io_echo: $(cat "$dir/out")"
pid=
cat "$dir/out"
grep -q "rx $count tx" "$dir/out" || fail "the backend saw other frames: $(cat "$dir/out")"
ip -n "$a" link show veth0 | grep -q "prog/xdp" && fail "the XDP program stayed on veth0"
echo "ok: the XDP program is gone"
ip netns exec "$b" ping -c 1 -W 2 10.98.0.1 >/dev/null || fail "ping did not reach the kernel"
ip -n "$b" neigh show 10.98.0.1 | grep -q "$mac_a" || fail "ARP did not reach the kernel"
echo "ok: ping and ARP still reach the kernel"
echo "all AF_XDP checks passed"
