#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Steering on one end of a veth pair between two namespaces, "dir" (the director, whose
# link also carries the VIP, as keepalived would add it) and "peer" (client and real
# server). With steer_probe's service VIP:80 (NAT to RS:8080) in place:
#   - a SYN to VIP:80 reaches the probe and the kernel does not answer it (no RST);
#   - a SYN to VIP:22, a ping to the VIP and ARP are the kernel's, and not the probe's;
#   - a SYN from RS:8080 (a NAT reply key) is the probe's, from RS:8081 the kernel's;
#   - dir's own connection to RS:8080 (a health check) still works;
#   - ICMP errors about a packet from VIP:80 or to RS:8080 reach the probe, one about
#     a packet to RS:8081 does not;
#   - IPv6: a SYN to [VIP6]:80 is the probe's, to [VIP6]:22 and ping (and ND) the kernel's;
# when the map is over its size, sync reports ENOSPC and old keys stay;
# after the service is deleted the kernel answers VIP:80 with a RST again, and after
# steering is closed no uvs filter is left on the link. Before all that, a probe killed
# with SIGKILL leaves its filter behind, and the next one replaces it.
# With xdp, the same checks run against the XDP program and the AF_XDP backend.
# Usage: test_steer.sh STEER_PROBE [tc|xdp]
set -euo pipefail
probe=$1
mode=${2:-tc} # or xdp: the XDP program and the AF_XDP backend
pylib=$(cd "$(dirname "$0")/../pylib" && pwd) # the tests' checksum (inetsum.py)
[ "$mode" = xdp ] && export UVS_PROBE_IO=af_xdp
if [ "$(id -u)" != 0 ] || ! ip netns add "uvsst$$-x" 2>/dev/null; then
	echo "skipped: needs root and network namespaces"
	exit 77
fi
ip netns del "uvsst$$-x"
d="uvsst$$-dir"
p="uvsst$$-peer"
tmp=$(mktemp -d /tmp/uvsst.XXXXXX)
pid=
pids=()
cleanup() {
	exec 7>&- 2>/dev/null || true
	for k in "${pids[@]}"; do kill -9 "$k" 2>/dev/null || true; done
	ip netns del "$d" 2>/dev/null || true
	ip netns del "$p" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT
fail() {
	echo "FAIL: $*"
	[ -f "$tmp/out" ] && sed 's/^/probe: /' "$tmp/out"
	exit 1
}
dir_ip=10.96.0.1
peer_ip=10.96.0.2
rs_ip=10.96.0.3
vip=10.96.0.100
dir_ip6=fd00:96::1
peer_ip6=fd00:96::2
vip6=fd00:96::100
ip netns add "$d"
ip netns add "$p"
ip -n "$d" link add eth0 type veth peer name eth0 netns "$p"
ip -n "$d" addr add "$dir_ip/24" dev eth0
ip -n "$d" addr add "$vip/32" dev eth0
ip -n "$p" addr add "$peer_ip/24" dev eth0
ip -n "$p" addr add "$rs_ip/24" dev eth0
ip -n "$d" addr add "$dir_ip6/64" dev eth0 nodad
ip -n "$d" addr add "$vip6/128" dev eth0 nodad
ip -n "$p" addr add "$peer_ip6/64" dev eth0 nodad
for ns in "$d" "$p"; do
	ip -n "$ns" link set lo up
	ip -n "$ns" link set eth0 up
done

# Starts the probe with its commands on fd 7; waits for "ready".
start_probe() {
	rm -f "$tmp/in"
	mkfifo "$tmp/in"
	ip netns exec "$d" "$probe" eth0 "$vip" "$rs_ip" 8080 60 "$vip6" <"$tmp/in" >"$tmp/out" 2>&1 &
	pid=$!
	pids+=("$pid")
	exec 7>"$tmp/in"
	for _ in $(seq 50); do grep -q ready "$tmp/out" && return 0; sleep 0.1; done
	fail "steer_probe did not start"
}
uvs_filter() {
	if [ "$mode" = xdp ]; then
		ip -n "$d" link show dev eth0 | grep -c "prog/xdp" || true
	else
		tc -n "$d" filter show dev eth0 ingress | grep -c uvs_steer_tc || true
	fi
}

# What a TCP connect from the peer gets: "connected", "refused" or "timeout".
try_connect() { # $1 = dst, $2 = port, $3 = source address (optional), $4 = source port
	ip netns exec "$p" python3 - "$@" <<'PY'
import socket, sys
s = socket.socket(socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET)
s.settimeout(1.5)
if len(sys.argv) > 3:
    s.bind((sys.argv[3], int(sys.argv[4])))
try:
    s.connect((sys.argv[1], int(sys.argv[2])))
    print("connected")
except ConnectionRefusedError:
    print("refused")
except socket.timeout:
    print("timeout")
PY
}

# A uvsd killed by SIGKILL leaves its filter; the next start replaces it.
start_probe
[ "$(uvs_filter)" = 1 ] || fail "no uvs filter after open"
kill -9 "$pid"
wait "$pid" 2>/dev/null || true
exec 7>&-
[ "$(uvs_filter)" = 1 ] || fail "the killed probe's filter is not there"
start_probe
[ "$(uvs_filter)" = 1 ] || fail "not exactly one uvs filter after the stale one was replaced"
echo "ok: a stale filter is replaced"

r=$(try_connect "$vip" 80)
[ "$r" = timeout ] || fail "SYN to VIP:80: $r (the kernel answered it)"
sleep 0.3
grep -q "> $vip:80\$" "$tmp/out" || fail "the probe did not receive the SYN to VIP:80"
echo "ok: VIP:80 is uvs's, the kernel sends no RST"

r=$(try_connect "$vip" 22)
[ "$r" = refused ] || fail "SYN to VIP:22: $r, not the kernel's RST"
ip netns exec "$p" ping -c 1 -W 2 "$vip" >/dev/null || fail "ping to the VIP"
ip -n "$p" neigh show "$vip" | grep -q lladdr || fail "ARP did not reach dir's kernel"
sleep 0.3
! grep -q "> $vip:22\$" "$tmp/out" || fail "the probe received the SYN to VIP:22"
! grep -q "rx icmp 8" "$tmp/out" || fail "the probe received the ping"
echo "ok: VIP:22, ping and ARP are the kernel's"

r=$(try_connect "$dir_ip" 5555 "$rs_ip" 8080)
[ "$r" = timeout ] || fail "segment from RS:8080: $r (the kernel answered it)"
r=$(try_connect "$dir_ip" 5555 "$rs_ip" 8081)
[ "$r" = refused ] || fail "segment from RS:8081: $r"
sleep 0.3
grep -q "rx tcp $rs_ip:8080 > " "$tmp/out" || fail "the probe did not receive RS:8080's segment"
! grep -q "rx tcp $rs_ip:8081 > " "$tmp/out" || fail "the probe received RS:8081's segment"
echo "ok: RS:8080's replies are uvs's, RS:8081's the kernel's"

# dir's own connection to the real server: the SYN-ACK from RS:8080 has a socket.
ip netns exec "$p" python3 -c "
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('$rs_ip', 8080)); s.listen(4); s.settimeout(8)
c, _ = s.accept(); c.sendall(b'hc\n'); c.close()
" &
pids+=($!)
sleep 0.5
r=$(ip netns exec "$d" python3 -c "
import socket
s = socket.create_connection(('$rs_ip', 8080), timeout=3)
print(s.recv(16).decode().strip())
" 2>&1) || true
[ "$r" = hc ] || fail "dir's own connection to RS:8080: $r"
echo "ok: dir's own connection to the real server is the kernel's"

# ICMP errors from the peer: unreachable (3) about a reply from VIP:80 to the client,
# time exceeded (11) about a packet to RS:8080 (a NAT real server), both uvs's;
# parameter problem (12) about a packet to RS:8081, the kernel's.
PYTHONPATH=$pylib ip netns exec "$p" python3 -B - "$peer_ip" "$vip" "$rs_ip" "$dir_ip" <<'PY'
import socket, struct, sys
from inetsum import csum, with_csum
peer, vip, rs = (socket.inet_aton(a) for a in sys.argv[1:4])
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
for typ, src, sport, dst, dport in ((3, vip, 80, peer, 40000), (11, peer, 40000, rs, 8080),
                                    (12, peer, 40000, rs, 8081)):
    inner = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 40, 1, 0, 64, 6, 0, src, dst)
    inner += struct.pack("!HHII", sport, dport, 1, 1)
    icmp = struct.pack("!BBHI", typ, 0 if typ != 3 else 3, 0, 0) + inner
    s.sendto(with_csum(icmp, 2, csum(icmp)), (sys.argv[4], 0))
PY
sleep 0.3
grep -q "rx icmp 3" "$tmp/out" || fail "the probe did not receive the ICMP error about VIP:80"
grep -q "rx icmp 11" "$tmp/out" || fail "the probe did not receive the ICMP error about RS:8080"
! grep -q "rx icmp 12" "$tmp/out" || fail "the probe received the ICMP error about RS:8081"
echo "ok: ICMP errors about VIP:80 and RS:8080 are uvs's, about RS:8081 the kernel's"

# IPv6: the service's port is uvs's; another port, ping and ND are the kernel's.
r=$(try_connect "$vip6" 80)
[ "$r" = timeout ] || fail "SYN to [VIP6]:80: $r (the kernel answered it)"
r=$(try_connect "$vip6" 22)
[ "$r" = refused ] || fail "SYN to [VIP6]:22: $r, not the kernel's RST"
ip netns exec "$p" ping -6 -c 1 -W 2 "$vip6" >/dev/null || fail "ping to the IPv6 VIP"
sleep 0.3
grep -q "rx tcp6 .* > \[$vip6\]:80\$" "$tmp/out" || fail "the probe did not receive the SYN to [VIP6]:80"
! grep -q "> \[$vip6\]:22\$" "$tmp/out" || fail "the probe received the SYN to [VIP6]:22"
! grep -q "rx other" "$tmp/out" || fail "the probe received a frame that is not uvs's"
echo "ok: IPv6: [VIP6]:80 is uvs's; [VIP6]:22, ping and ND are the kernel's"

# Frames the kernel of dir cannot take (no 8021q module) or that carry extension
# headers, sent whole from the peer's packet socket: a SYN to VIP:80 in VLAN 7 and in
# QinQ (802.1ad 5, 802.1Q 7), one to VIP:22 in VLAN 7; an IPv6 SYN to [VIP6]:80 after
# hop-by-hop, destination options and routing (segments left 0) headers, one to
# [VIP6]:22 after the same. Then later fragments (no ports) of UDP datagrams to the
# VIP, to dir's own address, and to the IPv6 VIP.
dir_mac=$(ip -n "$d" -br link show dev eth0 | awk '{ print $3 }')
PYTHONPATH=$pylib ip netns exec "$p" python3 -B - "$dir_mac" "$peer_ip" "$vip" "$peer_ip6" "$vip6" "$dir_ip" <<'PY'
import socket, struct, sys
from inetsum import csum, pseudo, with_csum
dmac = bytes.fromhex(sys.argv[1].replace(":", ""))
peer, vip, peer6, vip6 = sys.argv[2:6]
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("eth0", 0))
smac = s.getsockname()[4]

def syn(src, dst, dport):
    seg = struct.pack("!HHIIBBHHH", 41000, dport, 1, 0, 5 << 4, 2, 65535, 0, 0)
    return with_csum(seg, 16, csum(pseudo(src, dst, 6, len(seg)) + seg))

def ip4(dport):
    seg = syn(peer, vip, dport)
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(seg), 7, 0x4000, 64, 6, 0,
                    socket.inet_aton(peer), socket.inet_aton(vip))
    return b"\x08\x00" + with_csum(h, 10, csum(h)) + seg

def ip6(dport):
    seg = syn(peer6, vip6, dport)
    ext = bytes([60, 0, 1, 4, 0, 0, 0, 0])          # hop-by-hop: PadN, then dest opts
    ext += bytes([43, 0, 1, 4, 0, 0, 0, 0])         # destination options, then routing
    ext += bytes([6, 2, 4, 0, 0, 0, 0, 0]) + socket.inet_pton(socket.AF_INET6, vip6)  # SRH, 0 left
    h = struct.pack("!IHBB", 6 << 28, len(ext) + len(seg), 0, 64)
    h += socket.inet_pton(socket.AF_INET6, peer6) + socket.inet_pton(socket.AF_INET6, vip6)
    return b"\x86\xdd" + h + ext + seg

def frag4(dst, off):
    """A later fragment (no ports) of a UDP datagram to dst."""
    data = bytes(64)
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(data), 0x99, 0x2000 | off // 8, 64, 17, 0,
                    socket.inet_aton(peer), socket.inet_aton(dst))
    return b"\x08\x00" + with_csum(h, 10, csum(h)) + data

def frag6(off):
    fh = struct.pack("!BBHI", 17, 0, off | 1, 0x4242)
    h = struct.pack("!IHBB", 6 << 28, len(fh) + 64, 44, 64)
    h += socket.inet_pton(socket.AF_INET6, peer6) + socket.inet_pton(socket.AF_INET6, vip6)
    return b"\x86\xdd" + h + fh + bytes(64)

q7 = struct.pack("!HH", 0x8100, 7)
for frame in (q7 + ip4(80), struct.pack("!HH", 0x88A8, 5) + q7 + ip4(80), q7 + ip4(22), ip6(80), ip6(22),
              frag4(vip, 512), frag4(sys.argv[6], 520), frag6(512)):
    s.send(dmac + smac + frame)
PY
sleep 0.3
grep -q "^rx vlan7 tcp $peer_ip:41000 > $vip:80\$" "$tmp/out" || fail "the probe did not receive the tagged SYN to VIP:80"
grep -q "^rx vlan5 tcp $peer_ip:41000 > $vip:80\$" "$tmp/out" || fail "the probe did not receive the QinQ SYN to VIP:80"
! grep -q "^rx vlan7 tcp .* > $vip:22\$" "$tmp/out" || fail "the probe received the tagged SYN to VIP:22"
grep -q "^rx tcp6 \[$peer_ip6\]:41000 > \[$vip6\]:80\$" "$tmp/out" ||
	fail "the probe did not receive the SYN to [VIP6]:80 after extension headers"
! grep -q "> \[$vip6\]:22\$" "$tmp/out" || fail "the probe received the SYN to [VIP6]:22 with extension headers"
echo "ok: tagged frames (802.1Q, QinQ) and IPv6 extension headers are steered by their service"
grep -q "^rx frag $peer_ip > $vip 512\$" "$tmp/out" || fail "the probe did not receive the fragment to the VIP"
! grep -q "^rx frag $peer_ip > $dir_ip " "$tmp/out" || fail "the probe received a fragment to dir's own address"
grep -q "^rx frag $peer_ip6 > $vip6 512\$" "$tmp/out" || fail "the probe did not receive the IPv6 fragment to the VIP"
echo "ok: fragments after the first are steered by the VIP's address, others left to the kernel"

# Over the map's size: the old keys stay (VIP:80 is still steered), plus what fits.
wait_line() { # $1 = a line start, $2 = seconds
	for _ in $(seq $(($2 * 10))); do grep -q "^$1" "$tmp/out" && return 0; sleep 0.1; done
	fail "no line '$1' from the probe"
}
echo "fill 65536" >&7
wait_line "filled keys" 60
grep -q "^filled keys 65536 ret -28\$" "$tmp/out" || fail "filling the map: $(grep filled "$tmp/out")"
r=$(try_connect "$vip" 80)
[ "$r" = timeout ] || fail "SYN to VIP:80 with a full map: $r"
echo unfill >&7
wait_line "unfilled keys" 60
grep -q "^unfilled keys 6 ret 0\$" "$tmp/out" || fail "emptying: $(grep unfilled "$tmp/out")"
echo "ok: a full map keeps its old keys and reports ENOSPC; emptied, it holds 6 again"

echo del >&7
for _ in $(seq 30); do grep -q "deleted keys 2 ret 0" "$tmp/out" && break; sleep 0.1; done
grep -q "deleted keys 2 ret 0" "$tmp/out" || fail "sync after deleting the service"
r=$(try_connect "$vip" 80)
[ "$r" = refused ] || fail "SYN to VIP:80 after the service was deleted: $r"
echo "ok: without the service the kernel answers VIP:80 again"

echo close >&7
for _ in $(seq 30); do grep -q closed "$tmp/out" && break; sleep 0.1; done
grep -q closed "$tmp/out" || fail "close"
[ "$(uvs_filter)" = 0 ] || fail "a uvs filter is left after close"
echo quit >&7
exec 7>&-
wait "$pid" || fail "steer_probe exited with an error"
echo "ok: no uvs filter after close"
echo "all steering checks passed"
