#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Unsegmented (GSO/TSO) frames from local senders: the lab with LAB_GSO=1, so that the
# client's TCP (forwarded whole by rtr) and the real servers' TCP hand dir frames of
# up to 64 KB, as veth peers and containers do. uvsd on dir's eth0, rr over rs1..rs3:
#  - nat and dr: TCP uploads of 4 MB over IPv4 and IPv6 reach the sinks whole (length
#    and SHA-256); in nat also downloads of 4 MB through dir, checked by SHA-256;
#  - no frame dropped as too big (io_rx_too_big) or as a GSO frame uvs cannot cut
#    (io_rx_gso_bad); with AF_PACKET the GSO frames were seen and cut (io_rx_gso > 0).
#    With AF_XDP (UVSD_IO=af_xdp) the kernel turns GSO off on the veth peer when XDP
#    is attached, so the peers send wire-sized frames and there is nothing to cut.
# Usage: test_gso.sh DECAP_OBJ UVSD UVSADM
set -euo pipefail
export LAB_GSO=1
# shellcheck source=tests/e2e/common.sh
. "$(cd "$(dirname "$0")" && pwd)/common.sh"

V4=$LAB_VIP4
V6=$LAB_VIP6

thirds() { # N: "rs1 N/3" lines
	printf 'rs1 %d\nrs2 %d\nrs3 %d\n' $(($1 / 3)) $(($1 / 3)) $(($1 / 3))
}

part() { # MODE FWD
	local mode=$1 fwd=$2 rs sum
	lab_up "$mode"
	lab_servers_start
	for rs in "${LAB_RS[@]}"; do
		lab_sink_up "$rs"
	done
	e2e_uvsd_start
	svc_add tcp "$V4" "$LAB_SINK_PORT" "$fwd" rr
	svc_add tcp "$V6" "$LAB_SINK_PORT" "$fwd" rr
	expect "$mode: TCP/IPv4 uploads of 4 MB, every byte there" "$(thirds 3)" \
		"$(lab_tcp_send "$V4" 4000000 3)"
	expect "$mode: TCP/IPv6 uploads of 4 MB, every byte there" "$(thirds 3)" \
		"$(lab_tcp_send "$V6" 4000000 3)"
	if [ "$mode" = nat ]; then
		svc_add tcp "$V4" 80 -m rr
		head -c 4000000 /dev/urandom >"$LAB_TMP/big"
		for rs in "${LAB_RS[@]}"; do
			cp "$LAB_TMP/big" "$LAB_TMP/$rs/files/big"
		done
		sum=$(sha256sum <"$LAB_TMP/big" | cut -d' ' -f1)
		for _ in 1 2 3; do
			expect "nat: a 4 MB download through dir arrives whole" "$sum" \
				"$(lab_exec cli sh -c "curl -sS --max-time 20 $(url "$V4" files/big) |
					sha256sum" | cut -d' ' -f1)"
		done
	fi
	expect "$mode: no frame too big for uvsd (io_rx_too_big)" 0 "$(counter io_rx_too_big)"
	expect "$mode: no GSO frame uvsd could not cut (io_rx_gso_bad)" 0 "$(counter io_rx_gso_bad)"
	echo "$mode: io_rx_gso $(counter io_rx_gso), io_rx $(counter io_rx)"
	if [ "${UVSD_IO:-af_packet}" = af_packet ]; then
		check "$mode: GSO frames reached uvsd and were cut (io_rx_gso > 0)" \
			[ "$(counter io_rx_gso)" -gt 0 ]
	fi
	e2e_uvsd_stop
	lab_down
}

part nat -m
part dr -g
e2e_done
