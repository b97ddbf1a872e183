#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The e2e lab's self-test, without uvsd forwarding anything: in each mode (nat, dr,
# tun) it builds the lab, starts the real servers, reaches each one by its own address
# from the client over IPv4 and IPv6 (HTTP and the UDP echo), checks the routes to the
# VIPs and, for dr and tun, that the real servers do not answer ARP or ND for the VIPs
# and answer what a director sends them: the frame itself (dr) or every tunnel type
# over IPv4 and IPv6 (tun, through the decap program), plus frames decap must leave
# alone. It starts uvsd's control plane in the director's namespace through the lab's
# hook, then tears the lab down and checks that no namespace, process or file is left.
# The pair (LAB_PAIR=1, nat): dir2, the VIPs routed on-link, the real servers' gateway
# the floating address, through whichever director holds it.
# Skips (77) only without root or network namespaces.
# Usage: test_lab.sh DECAP_OBJ [UVSD UVSADM]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
export LAB_DECAP_OBJ=$1
uvsd=${2:-}
uvsadm=${3:-}

skip() {
	echo "SKIP: $*"
	exit 77
}
[ "$(id -u)" -eq 0 ] || skip "the lab needs root (network namespaces)"
probe_ns=uvslabcheck$$
ip netns add "$probe_ns" 2>/dev/null || skip "cannot create a network namespace"
ip netns del "$probe_ns"

# shellcheck source=tests/e2e/lab.sh
. "$here/lab.sh"

failed=0
expect() { # NAME WANT GOT
	if [ "$2" = "$3" ]; then
		echo "ok: $1"
	else
		echo "FAIL: $1: want '$2', got '$3'"
		failed=$((failed + 1))
	fi
}
labtool() { # NODE args...: labtool.py in a node; its lines printed, failures counted
	local node=$1 out rc=0
	shift
	out=$(lab_exec "$node" "$LAB_PYTHON" "$LAB_HERE/labtool.py" "$@" 2>&1) || rc=$?
	printf '%s\n' "$out"
	[ "$rc" -eq 0 ] || failed=$((failed + 1))
}

direct_checks() { # each real server by its own address, from the client
	local rs
	for rs in "${LAB_RS[@]}"; do
		expect "$LAB_MODE: http to $rs over IPv4" "$rs" \
			"$(lab_curl "http://${LAB_IP4[$rs]}/" 2>&1 || true)"
		expect "$LAB_MODE: http to $rs over IPv6" "$rs" \
			"$(lab_curl "http://[${LAB_IP6[$rs]}]/" 2>&1 || true)"
		expect "$LAB_MODE: udp echo of $rs over IPv4" "$rs 3" \
			"$(lab_udp_count "${LAB_IP4[$rs]}" 3)"
		expect "$LAB_MODE: udp echo of $rs over IPv6" "$rs 3" \
			"$(lab_udp_count "${LAB_IP6[$rs]}" 3)"
	done
	expect "$LAB_MODE: lab_curl_count, 40 new connections to rs2" "rs2 40" \
		"$(lab_curl_count "http://[${LAB_IP6[rs2]}]/" 40)"
}

vip_route_checks() { # the router sends the VIPs to the director
	expect "$LAB_MODE: rtr routes $LAB_VIP4 to dir" "via ${LAB_IP4[dir]}" \
		"$(lab_exec rtr ip -o route get "$LAB_VIP4" | grep -o "via ${LAB_IP4[dir]}" || true)"
	expect "$LAB_MODE: rtr routes $LAB_VIP6 to dir" "via ${LAB_IP6[dir]}" \
		"$(lab_exec rtr ip -o -6 route get "$LAB_VIP6" | grep -o "via ${LAB_IP6[dir]}" || true)"
}

# The director's side of a DR or TUN lab, played by labtool from dir: ARP and ND, then
# each real server given what a director would send it.
director_probes() { # KIND...
	local rs extra=()
	[ "$LAB_MODE" != tun ] || extra=(--negative)
	labtool dir neigh --dev "$LAB_DEV" --mac "${LAB_MAC[dir]}" --src4 "${LAB_IP4[dir]}" \
		--src6 "${LAB_IP6[dir]}" \
		--answer "${LAB_IP4[rs1]}" "${LAB_IP6[rs1]}" "${LAB_IP4[rs3]}" "${LAB_IP6[rs3]}" \
		--silent "$LAB_VIP4" "$LAB_VIP6"
	for rs in "${LAB_RS[@]}"; do
		labtool dir probe --dev "$LAB_DEV" --dir-mac "${LAB_MAC[dir]}" \
			--dir "${LAB_IP4[dir]}" "${LAB_IP6[dir]}" --name "$rs" \
			--rs-mac "${LAB_MAC[$rs]}" --rs "${LAB_IP4[$rs]}" "${LAB_IP6[$rs]}" \
			--client-ns "$(lab_ns cli)" --client-dev "$LAB_DEV" \
			--client "${LAB_IP4[cli]}" "${LAB_IP6[cli]}" --vip "$LAB_VIP4" "$LAB_VIP6" \
			--tcp-port "$LAB_TCP_PORT" --udp-port "$LAB_UDP_PORT" \
			--gue-port "$LAB_GUE_PORT" --kinds "$@" "${extra[@]}"
	done
}

uvsd_hook_check() { # uvsd's control plane in dir, through lab_uvsd_start
	local pid
	LAB_UVSD=$uvsd
	LAB_UVSADM=$uvsadm
	lab_uvsd_start --conn-tab-bits 12
	pid=$(cat "$LAB_TMP/director.pid")
	expect "$LAB_MODE: uvsd runs in dir's namespace" "$pid" \
		"$(ip netns pids "$(lab_ns dir)" | grep -x "$pid" || true)"
	lab_uvsadm -A -t "$LAB_VIP4:$LAB_TCP_PORT" -s rr
	lab_uvsadm -a -t "$LAB_VIP4:$LAB_TCP_PORT" -r "${LAB_IP4[rs1]}:$LAB_TCP_PORT" -m
	expect "$LAB_MODE: uvsadm reaches that uvsd" \
		"-A -t $LAB_VIP4:$LAB_TCP_PORT -s rr
-a -t $LAB_VIP4:$LAB_TCP_PORT -r ${LAB_IP4[rs1]}:$LAB_TCP_PORT -m -w 1" "$(lab_uvsadm -S -n)"
}

down_and_check() { # lab_down leaves no namespace, process or file
	local pids=() node tmp=$LAB_TMP pid alive=0
	for node in "${LAB_NODES[@]}"; do
		# shellcheck disable=SC2207 # one pid a line
		pids+=($(ip netns pids "$(lab_ns "$node")"))
	done
	lab_down
	for pid in "${pids[@]}"; do
		! kill -0 "$pid" 2>/dev/null || alive=$((alive + 1))
	done
	expect "down: no process left of ${#pids[@]}" 0 "$alive"
	expect "down: no namespace left" "" "$(ip netns list | grep "^$LAB_PREFIX-" || true)"
	expect "down: no temporary directory left" "" "$([ ! -e "$tmp" ] || echo "$tmp")"
}

start=$SECONDS

lab_up nat
lab_servers_start
vip_route_checks
# The real servers' replies go through dir, whose kernel does not forward unless told.
expect "nat: without forwarding in dir, rs1 gets no reply through" "fail 1" \
	"$(lab_curl_count "http://${LAB_IP4[rs1]}/" 1)"
lab_director_forward 1
direct_checks
if [ -x "$uvsd" ] && [ -x "$uvsadm" ]; then
	uvsd_hook_check
fi
down_and_check

# The pair (LAB_PAIR=1): dir2 on the LAN, the VIPs routed on-link, the real servers'
# gateway the floating address, which reaches them once a director holds it.
LAB_PAIR=1 lab_up nat
lab_servers_start
expect "pair: dir2 in the lab, reaching rtr" 0 \
	"$(lab_exec dir2 ping -c 1 -W 2 "${LAB_IP4[rtr]}" >/dev/null 2>&1; echo $?)"
expect "pair: rtr routes $LAB_VIP4 on-link" "$LAB_VIP4 dev $LAB_DEV" \
	"$(lab_exec rtr ip -o route get "$LAB_VIP4" | grep -o "^$LAB_VIP4 dev $LAB_DEV" || true)"
expect "pair: rtr routes $LAB_VIP6 on-link" "$LAB_VIP6 from :: dev $LAB_DEV" \
	"$(lab_exec rtr ip -o -6 route get "$LAB_VIP6" | grep -o "^$LAB_VIP6 from :: dev $LAB_DEV" ||
		true)"
expect "pair: rs1's gateway is the floating address" "default via $LAB_FLOAT4 dev $LAB_DEV" \
	"$(lab_exec rs1 ip -4 route show default | sed 's/ *$//')"
expect "pair: no director holds it, rs1 gets no reply through" "fail 1" \
	"$(lab_curl_count "http://${LAB_IP4[rs1]}/" 1)"
lab_exec dir2 ip addr add "$LAB_FLOAT4/$LAB_LEN4" dev "$LAB_DEV"
lab_director_forward 1
expect "pair: dir2 holding it and forwarding, rs1 answers through dir2" "rs1 3" \
	"$(lab_curl_count "http://${LAB_IP4[rs1]}/" 3)"
down_and_check

lab_up dr
lab_servers_start
vip_route_checks
direct_checks
director_probes dr
down_and_check

lab_up tun
lab_servers_start
direct_checks
director_probes dr ipip gue gue-csum gre gre-csum
down_and_check

echo "lab self-test: $((SECONDS - start)) s, $failed failed"
[ "$failed" -eq 0 ]
