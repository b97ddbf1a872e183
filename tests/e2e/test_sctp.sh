#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# SCTP through uvsd in the lab (mode nat). This kernel has no SCTP, so the endpoints
# are scapy's (sctp_peer.py, on raw IP sockets): a server on rs1 and rs2, a client on
# cli. What is checked, for --sctp-service on the IPv4 and the IPv6 VIP by NAT:
#  - an association opens (INIT, INIT ACK, COOKIE ECHO, COOKIE ACK) and carries data
#    both ways through the VIP, every CRC32c good at both ends (scapy checks it: uvs
#    recomputes it after rewriting the ports);
#  - -L -n -c lists it as ipvsadm does: "SCTP", state ESTABLISHED; ActiveConn 1;
#  - after SHUTDOWN, SHUTDOWN ACK, SHUTDOWN COMPLETE: state CLOSED, InActConn 1.
# Usage: test_sctp.sh DECAP_OBJ UVSD UVSADM
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/e2e/common.sh
. "$here/common.sh"

PY=/usr/bin/python3 # Debian's, with python3-scapy
if ! "$PY" -c 'import scapy.layers.sctp' 2>/dev/null; then
	echo "SKIP: no python3-scapy (scripts/packages.txt, group test)"
	exit 77
fi
PEER=$here/sctp_peer.py

lab_up nat
for rs in rs1 rs2; do
	lab_spawn "$rs" "sctp-$rs" "$PY" "$PEER" server "$rs"
done
e2e_uvsd_start
lab_uvsadm -A --sctp-service "$LAB_VIP4:3868" -s rr
lab_uvsadm -a --sctp-service "$LAB_VIP4:3868" -r "${LAB_IP4[rs1]}:3869" -m
lab_uvsadm -A --sctp-service "[$LAB_VIP6]:3868" -s rr
lab_uvsadm -a --sctp-service "[$LAB_VIP6]:3868" -r "[${LAB_IP6[rs2]}]:3868" -m
sleep 1 # the scapy servers import for a moment

# One association on each VIP: opened, data, listed, closed, listed.
for vip in "$LAB_VIP4" "$LAB_VIP6"; do
	case $vip in
	*:*) rs=rs2 svc="[$vip]:3868" dst="[${LAB_IP6[rs2]}]:3868" src="[${LAB_IP6[cli]}]:5000" ;;
	*) rs=rs1 svc="$vip:3868" dst="${LAB_IP4[rs1]}:3869" src="${LAB_IP4[cli]}:5000" ;;
	esac
	state=$LAB_TMP/assoc-$rs
	got=$(lab_exec cli "$PY" "$PEER" open "$vip" 3868 "$state" 2>&1 || true)
	expect "SCTP $svc: the association opens and $rs echoes the data" "$rs:hello" "$got"
	entry=$(lab_uvsadm -L -n -c | awk -v v="$svc" '$1 == "SCTP" && $5 == v { print $3, $4, $6 }')
	expect "-L -n -c: SCTP $svc ESTABLISHED" "ESTABLISHED $src $dst" "$entry"
	counts=$(lab_uvsadm -L -n | awk -v d="$dst" '$1 == "->" && $2 == d { print $5, $6 }')
	expect "-L -n: ActiveConn 1, InActConn 0 on $dst" "1 0" "$counts"
	got=$(lab_exec cli "$PY" "$PEER" close "$vip" 3868 "$state" 2>&1 || true)
	expect "SCTP $svc: SHUTDOWN, SHUTDOWN ACK, SHUTDOWN COMPLETE" closed "$got"
	entry=$(lab_uvsadm -L -n -c | awk -v v="$svc" '$1 == "SCTP" && $5 == v { print $3 }')
	expect "-L -n -c: SCTP $svc CLOSED" CLOSED "$entry"
	counts=$(lab_uvsadm -L -n | awk -v d="$dst" '$1 == "->" && $2 == d { print $5, $6 }')
	expect "-L -n: ActiveConn 0, InActConn 1 on $dst" "0 1" "$counts"
done
expect "no SCTP packet dropped for its checksum" 0 "$(counter l4_bad_csum)"
e2e_done
