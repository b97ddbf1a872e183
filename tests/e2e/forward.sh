# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
#
# tests/e2e/forward.sh — the skeleton of uvsd's forwarding tests by NAT and by direct
# routing (test_nat.sh, test_dr.sh). Source it, at the top level, from a test started
# as test_X.sh DECAP_OBJ UVSD UVSADM; it sources common.sh, sets V4 and V6 (the lab's
# VIPs) and gives:
#   forward_start MODE FWD   the lab in MODE (nat or dr) with its servers, uvsd in dir,
#                            and four rr services over rs1..rs3 forwarded by FWD (-m or
#                            -g): TCP V4:80, TCP [V6]:80, UDP V4:53, UDP [V6]:53
#   forward_thirds NAME FETCH4 N4 N6 NU4 NU6
#                            rr over the four: N4 HTTP requests to V4 made by FETCH4
#                            (lab_curl_count, or curl_count where the director sees no
#                            reply), N6 to V6 (curl_count), NU4 and NU6 UDP datagrams
#                            to V4:53 and [V6]:53; each count a multiple of 3, and
#                            exactly a third of each to each real server
#   forward_done             checks that uvsd still runs, then e2e_done
# shellcheck source=tests/e2e/common.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/common.sh"

V4=$LAB_VIP4
V6=$LAB_VIP6

forward_start() { # MODE FWD
	lab_up "$1"
	lab_servers_start
	e2e_uvsd_start
	svc_add tcp "$V4" 80 "$2" rr
	svc_add tcp "$V6" 80 "$2" rr
	svc_add udp "$V4" 53 "$2" rr
	svc_add udp "$V6" 53 "$2" rr
}

# "rs1 N/3", "rs2 N/3", "rs3 N/3": what N requests by rr give.
thirds() { # N
	local rs out=""
	for rs in "${LAB_RS[@]}"; do out+="$rs $(($1 / 3))"$'\n'; done
	printf '%s' "${out%$'\n'}"
}

forward_thirds() { # NAME FETCH4 N4 N6 NU4 NU6
	local name=$1 fetch4=$2
	expect "$name: $3 HTTP requests to $V4, a third to each" "$(thirds "$3")" \
		"$("$fetch4" "$(url "$V4")" "$3")"
	# Ports of their own (curl_count): a client port the kernel reused would replace its
	# old entry in -c's list, or, with DR, meet its old connection.
	expect "$name: $4 HTTP requests to $V6, a third to each" "$(thirds "$4")" \
		"$(curl_count "$(url "$V6")" "$4")"
	expect "$name: $5 UDP datagrams to $V4:53, a third to each" "$(thirds "$5")" \
		"$(lab_udp_count "$V4" "$5")"
	expect "$name: $6 UDP datagrams to [$V6]:53, a third to each" "$(thirds "$6")" \
		"$(lab_udp_count "$V6" "$6")"
}

forward_done() {
	check "uvsd still runs" uvsd_alive
	e2e_done
}
