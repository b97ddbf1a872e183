#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# uvsd forwarding by tunnelling in the lab (mode tun: the VIPs on the real servers' lo,
# the decap tc program on their eth0), uvsd --interface eth0 in dir, -i destinations,
# HTTP on the IPv4 VIP (IPv4 outer) and the IPv6 VIP (IPv6 outer), for each tunnel:
# ipip (the default), gue to port 6080, gue with --tun-csum, gre, gre with --tun-csum:
#  - -S -n saves the destinations with those options;
#  - rr: a third of the requests to each real server, over IPv4 and IPv6;
#  - tshark on rs1's eth0 sees the frames dir sends it (unicast, not dir's kernel's
#    neighbour discovery or multicast listener reports): every one from dir's address,
#    in the expected outer encapsulation (ip.proto 4 / ipv6.nxt 41; UDP to 6080, with
#    a checksum or, over IPv4, without — over IPv6 uvsd always sends one, see
#    docs/decisions.md; GRE with or without its checksum bit);
#  - --stats: OutPkts 0 (the replies do not come back through dir).
# Usage: test_tun.sh DECAP_OBJ UVSD UVSADM
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/e2e/common.sh
. "$here/common.sh"

V4=$LAB_VIP4
V6=$LAB_VIP6
D4=${LAB_IP4[dir]}
D6=${LAB_IP6[dir]}

lab_up tun
lab_servers_start
e2e_uvsd_start

svc_add tcp "$V4" 80 -i rr
svc_add tcp "$V6" 80 -i rr

set_tunnel() { # uvsadm options of the tunnel for every destination
	local rs
	for rs in "${LAB_RS[@]}"; do
		lab_uvsadm -e -t "$V4:80" -r "${LAB_IP4[$rs]}:80" -i -w 1 "$@"
		lab_uvsadm -e -t "[$V6]:80" -r "[${LAB_IP6[$rs]}]:80" -i -w 1 "$@"
	done
}

# A tunnel kind: its name, uvsadm options, how -S -n saves them, and the display
# filters every frame dir sends rs1 must match, over IPv4 and over IPv6.
run_kind() { # NAME "OPTIONS" "SAVED" FILTER4 FILTER6
	local name=$1 filter4=$4 filter6=$5 pcap=$LAB_TMP/rs1-$1.pcap all4 all6 ok4 ok6
	local -a opts
	read -r -a opts <<<"$2"
	set_tunnel "${opts[@]}"
	expect "$name: -S -n saves the tunnel options" \
		"-a -t $V4:80 -r ${LAB_IP4[rs1]}:80 -i -w 1 $3" \
		"$(lab_uvsadm -S -n | grep -F -- "-r ${LAB_IP4[rs1]}:80" || true)"

	lab_spawn rs1 "capture-$name" tshark -i "$LAB_DEV" -p -n -q -a duration:60 -w "$pcap" \
		-f "ether src ${LAB_MAC[dir]} and ether dst ${LAB_MAC[rs1]} and (ip or (ip6 and not icmp6))"
	check "$name: tshark on rs1 is capturing" lab_capture_wait "capture-$name"
	expect "$name: 60 HTTP requests to $V4, a third to each" "rs1 20
rs2 20
rs3 20" "$(curl_count "$(url "$V4")" 60)"
	expect "$name: 60 HTTP requests to $V6, a third to each" "rs1 20
rs2 20
rs3 20" "$(curl_count "$(url "$V6")" 60)"
	sleep 1 # what tshark has not read yet when told to stop is lost
	lab_stop "capture-$name"

	all4=$(tshark -n -r "$pcap" -Y 'eth.type == 0x0800' 2>/dev/null | wc -l)
	ok4=$(tshark -n -r "$pcap" -Y "eth.type == 0x0800 && ip.src#1 == $D4 && ip.dst#1 == ${LAB_IP4[rs1]} && $filter4" 2>/dev/null | wc -l)
	all6=$(tshark -n -r "$pcap" -Y 'eth.type == 0x86dd' 2>/dev/null | wc -l)
	ok6=$(tshark -n -r "$pcap" -Y "eth.type == 0x86dd && ipv6.src#1 == $D6 && ipv6.dst#1 == ${LAB_IP6[rs1]} && $filter6" 2>/dev/null | wc -l)
	echo "$name: rs1 got $all4 IPv4 frames from dir, $ok4 as expected; $all6 IPv6, $ok6 as expected"
	check "$name: rs1 got 20 connections' frames over IPv4 outer ($all4 >= 80: SYN, request, FIN, ACK)" [ "$all4" -ge 80 ]
	expect "$name: each in the expected encapsulation ($filter4)" "$all4" "$ok4"
	check "$name: rs1 got 20 connections' frames over IPv6 outer ($all6 >= 80)" [ "$all6" -ge 80 ]
	expect "$name: each in the expected encapsulation ($filter6)" "$all6" "$ok6"
}

lab_uvsadm -Z
run_kind ipip "" "--tun-type ipip" "ip.proto#1 == 4" "ipv6.nxt#1 == 41"
run_kind gue "--tun-type gue --tun-port $LAB_GUE_PORT" \
	"--tun-type gue --tun-port $LAB_GUE_PORT --tun-nocsum" \
	"ip.proto#1 == 17 && udp.dstport == $LAB_GUE_PORT && udp.checksum == 0" \
	"ipv6.nxt#1 == 17 && udp.dstport == $LAB_GUE_PORT && udp.checksum != 0"
run_kind gue-csum "--tun-type gue --tun-port $LAB_GUE_PORT --tun-csum" \
	"--tun-type gue --tun-port $LAB_GUE_PORT --tun-csum" \
	"ip.proto#1 == 17 && udp.dstport == $LAB_GUE_PORT && udp.checksum != 0" \
	"ipv6.nxt#1 == 17 && udp.dstport == $LAB_GUE_PORT && udp.checksum != 0"
run_kind gre "--tun-type gre" "--tun-type gre --tun-nocsum" "ip.proto#1 == 47 && gre.flags.checksum == 0" \
	"ipv6.nxt#1 == 47 && gre.flags.checksum == 0"
run_kind gre-csum "--tun-type gre --tun-csum" "--tun-type gre --tun-csum" \
	"ip.proto#1 == 47 && gre.flags.checksum == 1" \
	"ipv6.nxt#1 == 47 && gre.flags.checksum == 1"

stats_table | sed 's/^/    /'
expect "--stats: TCP $V4:80: Conns 300, OutPkts 0" "300 0" \
	"$(svc_stat "TCP $V4:80" - conns) $(svc_stat "TCP $V4:80" - outpkts)"
expect "--stats: TCP [$V6]:80: Conns 300, OutPkts 0" "300 0" \
	"$(svc_stat "TCP [$V6]:80" - conns) $(svc_stat "TCP [$V6]:80" - outpkts)"

check "uvsd still runs" uvsd_alive
e2e_done
