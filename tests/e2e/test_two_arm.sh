#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A two-armed NAT director: uvsd on two links of its namespace, the clients' side
# (eth0) and the real servers' side (eth1), in namespaces of its own (not the lab):
#   [cli] 10.70.0.2 --- eth0 10.70.0.1 [dir] eth1 10.71.0.1 --- br --- [rs1] .11 [rs2] .12
# The VIP 10.70.0.100 is an address of dir's eth0 (as keepalived would put it there)
# and the kernel forwards between the arms: without steering it would answer the VIP's
# port itself. Checks: requests to the VIP are spread over both real servers and
# answered from the VIP; each frame leaves by the other arm (io counters); a port of
# the VIP that is no service is the kernel's (refused); the director's own traffic to a
# real server is untouched (ping, HTTP); a link going down leaves uvsd idle and
# forwarding resumes when it is back; uvsd stops on SIGTERM, after which the kernel
# answers the VIP's port again (refused), proof that the steering filter is gone.
# Usage: test_two_arm.sh UVSD UVSADM
set -euo pipefail
uvsd=$1
uvsadm=$2
if [ "$(id -u)" != 0 ] || ! ip netns add "uvs2arm-probe-$$" 2>/dev/null; then
	echo "skipped: needs root and network namespaces"
	exit 77
fi
ip netns del "uvs2arm-probe-$$"
p="uvs2arm$$"
tmp=$(mktemp -d)
pids=()
cleanup() {
	for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
	for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
	for n in cli dir rs1 rs2 sw; do ip netns del "$p-$n" 2>/dev/null || true; done
	rm -rf "$tmp"
}
trap cleanup EXIT
failed=0
expect() { # NAME WANT GOT
	if [ "$2" = "$3" ]; then
		echo "ok: $1"
	else
		echo "FAIL: $1: want '$2', got '$3'"
		failed=$((failed + 1))
	fi
}
on() { ip netns exec "$p-$1" "${@:2}"; }

for n in cli dir rs1 rs2 sw; do
	ip netns add "$p-$n"
	ip -n "$p-$n" link set lo up
done
ip -n "$p-cli" link add eth0 type veth peer name eth0 netns "$p-dir"
ip -n "$p-sw" link add br0 type bridge
ip -n "$p-sw" link set br0 up
ip -n "$p-dir" link add eth1 type veth peer name port0 netns "$p-sw"
for i in 1 2; do
	ip -n "$p-rs$i" link add eth0 type veth peer name "port$i" netns "$p-sw"
done
for i in 0 1 2; do
	ip -n "$p-sw" link set "port$i" master br0 up
done
# Frames on a wire are at most one MTU: senders cut their own segments, as a NIC would.
ip -n "$p-cli" link set eth0 gso_max_segs 1 up
ip -n "$p-cli" addr add 10.70.0.2/24 dev eth0
ip -n "$p-cli" route add default via 10.70.0.1
ip -n "$p-dir" addr add 10.70.0.1/24 dev eth0
ip -n "$p-dir" addr add 10.70.0.100/32 dev eth0
ip -n "$p-dir" addr add 10.71.0.1/24 dev eth1
ip -n "$p-dir" link set eth0 up
ip -n "$p-dir" link set eth1 up
on dir sysctl -qw net.ipv4.ip_forward=1
for i in 1 2; do
	ip -n "$p-rs$i" addr add "10.71.0.1$i/24" dev eth0
	ip -n "$p-rs$i" link set eth0 gso_max_segs 1 up
	ip -n "$p-rs$i" route add default via 10.71.0.1
	mkdir -p "$tmp/rs$i"
	echo "rs$i" >"$tmp/rs$i/index.html"
	ip netns exec "$p-rs$i" python3 -m http.server --bind "10.71.0.1$i" --directory "$tmp/rs$i" 80 \
		>"$tmp/http$i.log" 2>&1 &
	pids+=($!)
done
for i in 1 2; do
	for _ in $(seq 50); do
		on dir curl -s -m 1 "http://10.71.0.1$i/" >/dev/null 2>&1 && break
		sleep 0.1
	done
done

export UVSD_SOCKET=$tmp/uvsd.sock
ip netns exec "$p-dir" "$uvsd" --foreground --socket "$UVSD_SOCKET" --interface eth0 --interface eth1 \
	--workers 2 >"$tmp/uvsd.log" 2>&1 &
uvsd_pid=$!
pids+=("$uvsd_pid")
for _ in $(seq 50); do [ -S "$UVSD_SOCKET" ] && break; sleep 0.1; done
[ -S "$UVSD_SOCKET" ] || { cat "$tmp/uvsd.log"; exit 1; }
on dir "$uvsadm" -A -t 10.70.0.100:80 -s rr
on dir "$uvsadm" -a -t 10.70.0.100:80 -r 10.71.0.11:80 -m
on dir "$uvsadm" -a -t 10.70.0.100:80 -r 10.71.0.12:80 -m

answers=$(for _ in $(seq 20); do on cli curl -s -m 3 http://10.70.0.100/ || echo fail; done |
	sort | uniq -c | awk '{print $2, $1}' | tr '\n' ' ')
expect "20 requests over both real servers" "rs1 10 rs2 10 " "$answers"
counter() { on dir "$uvsadm" -L --counters | awk -v n="$1" '$1 == n {print $2}'; }
rx=$(counter io_rx)
tx=$(counter io_tx)
expect "every frame received was sent on" "$rx" "$tx"
[ "${rx:-0}" -ge 100 ] && echo "ok: $rx frames through both arms" ||
	{ echo "FAIL: only ${rx:-0} frames"; failed=$((failed + 1)); }
on cli curl -s -m 3 http://10.70.0.100:81/ >/dev/null 2>&1 && got=$? || got=$?
expect "a port of the VIP that is no service is refused by the kernel (curl exit 7)" 7 "$got"
on dir ping -c 1 -W 2 10.71.0.11 >/dev/null && got=ok || got=fail
expect "the director's own ping to a real server" ok "$got"
expect "the director's own HTTP request to a real server" rs1 \
	"$(on dir curl -s -m 3 http://10.71.0.11/ || echo fail)"
# A link going down must not make the workers spin (its sockets report an error
# until it is read), and forwarding resumes when it comes back.
ticks() { awk '{print $14 + $15}' "/proc/$uvsd_pid/stat"; }
ip -n "$p-dir" link set eth1 down
sleep 0.2
t0=$(ticks)
sleep 1
t1=$(ticks)
[ $((t1 - t0)) -le 10 ] && echo "ok: uvsd idle with a link down ($((t1 - t0)) ticks in 1 s)" ||
	{ echo "FAIL: uvsd used $((t1 - t0)) ticks in 1 s with a link down"; failed=$((failed + 1)); }
[ "$(counter io_link_errors)" -ge 1 ] && echo "ok: the link error counted" ||
	{ echo "FAIL: io_link_errors is $(counter io_link_errors)"; failed=$((failed + 1)); }
ip -n "$p-dir" link set eth1 up
for _ in $(seq 50); do on cli curl -s -m 1 http://10.70.0.100/ >/dev/null 2>&1 && break; sleep 0.1; done
answers=$(for _ in $(seq 4); do on cli curl -s -m 3 http://10.70.0.100/ || echo fail; done |
	sort | uniq -c | awk '{print $2, $1}' | tr '\n' ' ')
expect "forwarding again once the link is back" "rs1 2 rs2 2 " "$answers"
kill -TERM "$uvsd_pid"
wait "$uvsd_pid" && got=$? || got=$?
expect "uvsd exits 0 on SIGTERM" 0 "$got"
for dev in eth0 eth1; do
	expect "no uvs filter left on $dev" "" "$(tc -n "$p-dir" filter show dev $dev ingress)"
done
on cli curl -s -m 3 http://10.70.0.100/ >/dev/null 2>&1 && got=$? || got=$?
expect "without uvsd the kernel answers the VIP's port (refused)" 7 "$got"
if [ "$failed" -ne 0 ]; then
	echo "uvsd's log:"
	cat "$tmp/uvsd.log"
	echo "$failed check(s) failed"
	exit 1
fi
echo "all two-arm checks passed"
