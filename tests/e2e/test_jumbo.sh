#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Jumbo frames: the lab with MTU 9000 on every link (LAB_MTU), uvsd on dir's eth0,
# rr services over rs1..rs3 (UVSD_IO picks the backend, as in the other tests):
#  - nat and dr: UDP datagrams of 8500 bytes that may not be fragmented (DF), IPv4 and
#    IPv6, each echoed whole (8504 bytes back); TCP uploads of 1 MB (the sink checks
#    length and SHA-256); in nat also downloads of 2 MB through dir (the replies'
#    9000-byte frames), checked by SHA-256; no frame counted as io_rx_too_big;
#  - tun (ipip): a datagram whose packet is 9000 bytes cannot take the tunnel's 20
#    (IPv6: 40) more: dir answers frag-needed / packet-too-big with the MTU the route to
#    the real server leaves, 8980 (8960), which the client's kernel takes (ip route
#    get shows it); the next datagrams, 9000 bytes once tunnelled, reach the real
#    servers and come back;
#  - nat on a lab of MTU 1500 whose links are raised to 9000 while uvsd runs: uvsd
#    opens its packet backend again for the larger frames (and logs it), then the
#    8500-byte datagrams are echoed whole.
# Usage: test_jumbo.sh DECAP_OBJ UVSD UVSADM
set -euo pipefail
export LAB_MTU=9000
# shellcheck source=tests/e2e/common.sh
. "$(cd "$(dirname "$0")" && pwd)/common.sh"

V4=$LAB_VIP4
V6=$LAB_VIP6

up() { # MODE
	lab_up "$1"
	lab_servers_start
	e2e_uvsd_start
	expect "$1: dir's $LAB_DEV has MTU 9000" 9000 "$(lab_exec dir cat "/sys/class/net/$LAB_DEV/mtu")"
}

down() {
	e2e_uvsd_stop
	lab_down
}

thirds() { # N: "rs1 N/3" lines
	printf 'rs1 %d\nrs2 %d\nrs3 %d\n' $(($1 / 3)) $(($1 / 3)) $(($1 / 3))
}

bulk() { # MODE FWD
	local mode=$1 fwd=$2 rs sum
	up "$mode"
	for rs in "${LAB_RS[@]}"; do
		lab_sink_up "$rs"
	done
	svc_add udp "$V4" 53 "$fwd" rr
	svc_add udp "$V6" 53 "$fwd" rr
	svc_add tcp "$V4" "$LAB_SINK_PORT" "$fwd" rr
	svc_add tcp "$V6" "$LAB_SINK_PORT" "$fwd" rr
	expect "$mode: UDP/IPv4, 8500-byte datagrams (DF) echoed whole" "$(thirds 12)" \
		"$(lab_udp_count "$V4" 12 53 8500)"
	expect "$mode: UDP/IPv6, 8500-byte datagrams echoed whole" "$(thirds 12)" \
		"$(lab_udp_count "$V6" 12 53 8500)"
	expect "$mode: TCP/IPv4 uploads of 1 MB, every byte there" "$(thirds 6)" \
		"$(lab_tcp_send "$V4" 1000000 6)"
	expect "$mode: TCP/IPv6 uploads of 1 MB, every byte there" "$(thirds 3)" \
		"$(lab_tcp_send "$V6" 1000000 3)"
	if [ "$mode" = nat ]; then
		svc_add tcp "$V4" 80 -m rr
		head -c 2000000 /dev/urandom >"$LAB_TMP/big"
		for rs in "${LAB_RS[@]}"; do
			cp "$LAB_TMP/big" "$LAB_TMP/$rs/files/big"
		done
		sum=$(sha256sum <"$LAB_TMP/big" | cut -d' ' -f1)
		for _ in 1 2 3; do
			expect "nat: a 2 MB download through dir arrives whole" "$sum" \
				"$(lab_exec cli sh -c "curl -sS --max-time 20 $(url "$V4" files/big) |
					sha256sum" | cut -d' ' -f1)"
		done
	fi
	expect "$mode: no frame too big for uvsd (io_rx_too_big)" 0 "$(counter io_rx_too_big)"
	expect "$mode: no frame answered as too big" 0 "$(counter too_big)"
	down
}

# The packet a tunnel cannot carry, and the MTU the client learns from dir's answer.
tunnel_pmtu() { # VIP MTU_LEFT IP_HEADER
	local vip=$1 left=$2 iph=$3
	expect "tun: a $((9000 - iph - 8))-byte datagram ($vip) is too big once tunnelled" "fail 1" \
		"$(lab_udp_count "$vip" 1 53 $((9000 - iph - 8)))"
	check "tun: the client learnt MTU $left for $vip from dir" \
		lab_exec cli sh -c "ip route get $vip | grep -q 'mtu $left'"
	expect "tun: $((left - iph - 8))-byte datagrams ($vip) fit the tunnel and come back" \
		"$(thirds 3)" "$(lab_udp_count "$vip" 3 53 $((left - iph - 8)))"
}

bulk nat -m
bulk dr -g

up tun
svc_add udp "$V4" 53 -i rr
svc_add udp "$V6" 53 -i rr
# uvsd drops a frame whose next hop the kernel has not resolved yet, and asks the kernel
# to resolve it (docs/decisions.md, next hops): each probe below is one datagram, so
# dir's neighbours, the real servers in this mode, are resolved first.
for rs in "${LAB_RS[@]}"; do
	check "tun: dir reaches $rs over IPv4" lab_wait 5 lab_exec dir ping -c 1 -W 1 "${LAB_IP4[$rs]}"
	check "tun: dir reaches $rs over IPv6" lab_wait 5 lab_exec dir ping -6 -c 1 -W 1 "${LAB_IP6[$rs]}"
done
tunnel_pmtu "$V4" 8980 20
tunnel_pmtu "$V6" 8960 40
expect "tun: two answered as too big (frag-needed, packet-too-big)" 2 "$(counter too_big)"
expect "tun: no frame too big for uvsd (io_rx_too_big)" 0 "$(counter io_rx_too_big)"
down

LAB_MTU=1500
LAB_LAN_MTU=1500
lab_up nat
lab_servers_start
e2e_uvsd_start
svc_add udp "$V4" 53 -m rr
expect "MTU 1500: small datagrams go through" "$(thirds 3)" "$(lab_udp_count "$V4" 3 53 1000)"
lab_set_mtu 9000
check "MTU raised to 9000: uvsd opens its backend again" \
	lab_wait 10 grep -q "MTU is 9000 now, more than the 1500" "$LAB_TMP/director.log"
check "MTU raised to 9000: the backend is open again" \
	lab_wait 10 grep -q "opened again for frames of MTU 9000" "$LAB_TMP/director.log"
expect "MTU raised to 9000: 8500-byte datagrams echoed whole" "$(thirds 6)" \
	"$(lab_udp_count "$V4" 6 53 8500)"
e2e_done
