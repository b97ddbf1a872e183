#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Real servers on the director itself (IPVS's Local forwarding), with nginx and the UDP
# echo on dir answering "dir" and the VIPs on dir's lo, as keepalived puts them on a
# link. uvsd on dir's eth0 (UVSD_IO picks the backend):
#  - nat: a service whose one real server is 127.0.0.1 (-m), another ::1: every
#    request from the client is answered by dir; uvsadm -L -n lists them as Local;
#    a service over dir's own address and rs1, rs2 (-m) balances over all three, for
#    TCP and UDP; the engine counts what it gave the host's stack ("local") and the
#    backend what the stack took (io_local), nothing dropped (io_local_dropped,
#    local_not_host);
#  - dr: dir's address beside rs1 and rs2 (-g): the same balance.
# Usage: test_local.sh DECAP_OBJ UVSD UVSADM
set -euo pipefail
# shellcheck source=tests/e2e/common.sh
. "$(cd "$(dirname "$0")" && pwd)/common.sh"

V4=$LAB_VIP4
V6=$LAB_VIP6
D4=${LAB_IP4[dir]}

up() { # MODE
	lab_up "$1"
	lab_servers_start
	lab_server_up dir
	lab_exec dir ip addr add "$V4/32" dev lo
	lab_exec dir ip addr add "$V6/128" dev lo nodad
	e2e_uvsd_start
}

# The forwarding method uvsadm -L -n lists for DEST of SERVICE ("TCP 10.0.0.1:80").
listed() { # SERVICE DEST
	lab_uvsadm -L -n | awk -v s="$1" -v d="$2" '
		/^(TCP|UDP|SCTP|FWM) / { svc = $1 " " $2; next }
		/^  -> / && svc == s && $2 == d { print $3 }'
}

up nat
lab_uvsadm -A -t "$V4:80" -s rr
lab_uvsadm -a -t "$V4:80" -r 127.0.0.1:80 -m
lab_uvsadm -A -t "[$V6]:80" -s rr
lab_uvsadm -a -t "[$V6]:80" -r "[::1]:80" -m
expect "nat: 127.0.0.1 is listed as Local" Local "$(listed "TCP $V4:80" 127.0.0.1:80)"
expect "nat: ::1 is listed as Local" Local "$(listed "TCP [$V6]:80" "[::1]:80")"
expect "nat: real server 127.0.0.1: dir answers every request" "dir 6" "$(curl_count "$(url "$V4")" 6)"
expect "nat: real server ::1: dir answers every request" "dir 6" "$(curl_count "$(url "$V6")" 6)"

# Mixed: the director's own address beside two real servers.
lab_uvsadm -D -t "$V4:80"
svc_add tcp "$V4" 80 -m rr
lab_uvsadm -d -t "$V4:80" -r "${LAB_IP4[rs3]}:80"
lab_uvsadm -a -t "$V4:80" -r "$D4:80" -m
svc_add udp "$V4" 53 -m rr
lab_uvsadm -d -u "$V4:53" -r "${LAB_IP4[rs3]}:53"
lab_uvsadm -a -u "$V4:53" -r "$D4:53" -m
expect "nat: dir's own address is listed as Local" Local "$(listed "TCP $V4:80" "$D4:80")"
expect "nat: rs1 stays Masq" Masq "$(listed "TCP $V4:80" "${LAB_IP4[rs1]}:80")"
expect "nat: TCP over dir, rs1, rs2" "dir 3
rs1 3
rs2 3" "$(curl_count "$(url "$V4")" 9)"
expect "nat: UDP over dir, rs1, rs2" "dir 3
rs1 3
rs2 3" "$(lab_udp_count "$V4" 9)"
local_pkts=$(counter local)
check "nat: packets given to the host's stack (local $local_pkts)" [ "${local_pkts:-0}" -gt 0 ]
expect "nat: the stack took each (io_local)" "$local_pkts" "$(counter io_local)"
expect "nat: none it did not take" 0 "$(counter io_local_dropped)"
expect "nat: none to an address not the host's" 0 "$(counter local_not_host)"
e2e_uvsd_stop
lab_down

up dr
svc_add tcp "$V4" 80 -g rr
lab_uvsadm -d -t "$V4:80" -r "${LAB_IP4[rs3]}:80"
lab_uvsadm -a -t "$V4:80" -r "$D4:80" -g
svc_add tcp "$V6" 80 -g rr
lab_uvsadm -d -t "[$V6]:80" -r "[${LAB_IP6[rs3]}]:80"
lab_uvsadm -a -t "[$V6]:80" -r "[${LAB_IP6[dir]}]:80" -g
expect "dr: dir's own address is listed as Local" Local "$(listed "TCP $V4:80" "$D4:80")"
expect "dr: rs1 stays Route" Route "$(listed "TCP $V4:80" "${LAB_IP4[rs1]}:80")"
expect "dr: TCP/IPv4 over dir, rs1, rs2" "dir 3
rs1 3
rs2 3" "$(curl_count "$(url "$V4")" 9)"
expect "dr: TCP/IPv6 over dir, rs1, rs2" "dir 3
rs1 3
rs2 3" "$(curl_count "$(url "$V6")" 9)"
expect "dr: none the stack did not take" 0 "$(counter io_local_dropped)"
e2e_done
