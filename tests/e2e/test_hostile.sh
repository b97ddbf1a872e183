#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# uvsd under hostile input in the lab (mode nat, uvsd --interface eth0, an rr HTTP
# service on the VIP), while a loop of good HTTP requests runs from the client:
#  - garbage on the control socket (hostile.py ctl: random bytes, truncated netlink
#    headers, lengths past the end up to 0xffffffff, bad attributes, a 60 KiB
#    message, a burst without reading): uvsd stays up, the configuration is unchanged
#    and uvsadm still works;
#  - uvsadm as nobody (setpriv): refused with ipvsadm's "Can't initialize ipvs:
#    Permission denied", exit 2, by the socket's mode (0660) and, with the mode opened
#    up, by uvsd's peer check; nothing changed;
#  - malformed frames to the VIP (hostile.py frames, 40 of each kind): from the client
#    through the router, those a router forwards (a truncated TCP header, a bad UDP
#    length, a first fragment, a bad TCP checksum); from the router's LAN side, those
#    it would drop itself (bad IPv4 header length, checksum and total length, a bad
#    IPv6 payload length): each named counter of uvsadm -L --counters grows by exactly
#    the number sent — except, with steering (the default), the bad IPv4 header
#    length: the steering filter finds no service's key in it and leaves it to dir's
#    kernel, whose IpInHdrErrors grows by that number instead;
#  - martian sources from the router's LAN side (hostile.py frames, 40 of each): SYNs to
#    the VIP from 0.0.0.0, 127.0.0.1, 255.255.255.255, the VIP itself, dir's address
#    and a real server of the service, datagrams to [VIP6]:53 from ::1 and from an
#    IPv4-mapped address: each counted by its martian_src* name, none scheduled;
#  - meanwhile every good request is answered, and uvsd stays up;
#  - then uvsd again with --no-steer (it receives every frame): every kind counted
#    by uvsd's own name, and traffic forwarded after it (AF_PACKET only: with
#    UVSD_IO=af_xdp the XDP program always steers).
# Usage: test_hostile.sh DECAP_OBJ UVSD UVSADM
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/e2e/common.sh
. "$here/common.sh"

V4=$LAB_VIP4
N=40

lab_up nat
lab_servers_start
e2e_uvsd_start
svc_add tcp "$V4" 80 -m rr
svc_add udp "$V4" 53 -m rr
svc_add udp "$LAB_VIP6" 53 -m rr
saved=$(lab_uvsadm -S -n)

# Good traffic through all of it: 300 requests, one at a time.
lab_curl_count "$(url "$V4")" 300 >"$LAB_TMP/good" &
good=$!

# ---- the control socket -------------------------------------------------------------
out=$(lab_exec dir "$LAB_PYTHON" "$here/hostile.py" ctl --socket "$UVSD_SOCKET" 2>&1) || true
echo "$out"
check "ctl garbage: hostile.py sent it all" grep -q "^sent 3[0-9][0-9] messages" <<<"$out"
check "ctl garbage: uvsd still runs" uvsd_alive
expect "ctl garbage: the configuration is unchanged" "$saved" "$(lab_uvsadm -S -n 2>&1)"

# ---- a user who is neither root nor in uvsd's group ---------------------------------
nobody() { # uvsadm args... as nobody: "EXIT\nOUTPUT"
	local rc=0 o
	o=$(UVSD_SOCKET=$UVSD_SOCKET setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$LAB_UVSADM" "$@" 2>&1) || rc=$?
	printf '%s\n%s\n' "$rc" "$o"
}
# The lab's directory is root's alone (0700): let nobody reach the socket inside.
chmod 0711 "$LAB_TMP"
out=$(nobody -L -n)
echo "$out" | sed 's/^/    /'
expect "nobody: uvsadm -L -n exits 2" 2 "$(head -n 1 <<<"$out")"
check "nobody: ... saying Can't initialize ipvs: Permission denied" \
	grep -q "^Can't initialize ipvs: Permission denied" <<<"$out"
chmod 0666 "$UVSD_SOCKET"
out=$(nobody -A -t 10.9.9.9:80 -s rr)
echo "$out" | sed 's/^/    /'
expect "nobody, socket mode 0666: uvsadm -A exits 2" 2 "$(head -n 1 <<<"$out")"
check "nobody, socket mode 0666: ... refused by uvsd's peer check" \
	grep -q "^Can't initialize ipvs: Permission denied: uid 65534 is neither root nor in uvsd's group" \
	<<<"$out"
chmod 0660 "$UVSD_SOCKET"
chmod 0700 "$LAB_TMP"
expect "nobody: the configuration is unchanged" "$saved" "$(lab_uvsadm -S -n 2>&1)"

# ---- malformed frames -----------------------------------------------------------------
routed=(tcp-truncated udp-bad-length fragment l4-bad-csum)
unrouted=(ip4-bad-csum ip4-bad-header ip4-bad-length ip6-bad-length)
# Martian sources: a router drops them too. Counters of the same name add up.
martians=(src-zero src-loopback src-broadcast src-vip src-director src-rs src6-loopback
	src6-mapped)
declare -A counter_of=([tcp-truncated]=pkt_tcp_truncated [udp-bad-length]=pkt_udp_bad_length
	[fragment]=frag_held [l4-bad-csum]=l4_bad_csum [ip4-bad-csum]=pkt_ip4_bad_csum
	[ip4-bad-header]=pkt_ip4_bad_header [ip4-bad-length]=pkt_ip4_bad_length
	[ip6-bad-length]=pkt_ip6_bad_length [src-zero]=martian_src [src-loopback]=martian_src
	[src-broadcast]=martian_src [src-vip]=martian_src_vip [src-director]=martian_src_local
	[src-rs]=martian_src_rs [src6-loopback]=martian_src [src6-mapped]=martian_src)
declare -A sent_as=() # counter name: how many kinds count there
for kind in "${martians[@]}"; do
	sent_as[${counter_of[$kind]}]=$((${sent_as[${counter_of[$kind]}]:-0} + 1))
done
ip_in_hdr_errors() { # dir's kernel's count of IPv4 packets with bad headers
	lab_exec dir cat /proc/net/snmp | awk '$1 == "Ip:" { if (!n) { for (i = 2; i <= NF; i++)
		if ($i == "InHdrErrors") n = i } else print $n }'
}
frames() { # NODE DEV SRC_MAC DST_MAC KIND...
	local node=$1 dev=$2 smac=$3 dmac=$4
	shift 4
	lab_exec "$node" "$LAB_PYTHON" "$here/hostile.py" frames --dev "$dev" --src-mac "$smac" \
		--dst-mac "$dmac" --src4 "${LAB_IP4[cli]}" --src6 "${LAB_IP6[cli]}" --vip4 "$V4" \
		--vip6 "$LAB_VIP6" --dir4 "${LAB_IP4[dir]}" --rs4 "${LAB_IP4[rs1]}" --count "$N" \
		--kinds "$@"
}
# Sends N frames of each kind; each must be counted by its name: by uvsd, or, for the
# kinds named in $2 (those the steering filter cannot tell are a service's), by dir's
# kernel, which drops them (uvsd then never sees them).
malformed() { # WHAT "KINDS LEFT TO THE KERNEL"
	local what=$1 kind now hdr0 hdr1
	local -A before=()
	for kind in "${routed[@]}" "${unrouted[@]}"; do
		before[$kind]=$(counter "${counter_of[$kind]}")
	done
	hdr0=$(ip_in_hdr_errors)
	frames cli "$LAB_DEV" "${LAB_MAC[cli]}" "$LAB_GW_MAC" "${routed[@]}" || true
	frames rtr "$LAB_DEV" "${LAB_MAC[rtr]}" "${LAB_MAC[dir]}" "${unrouted[@]}" || true
	sleep 0.5 # the last frames through the router and uvsd's rings
	hdr1=$(ip_in_hdr_errors)
	lab_uvsadm -L --counters | awk '$2 != 0' | sed 's/^/    /'
	martian "$what"
	for kind in "${routed[@]}" "${unrouted[@]}"; do
		now=$(counter "${counter_of[$kind]}")
		case " $2 " in
		*" $kind "*)
			expect "$what: $N $kind: none reach uvsd" 0 $((${now:-0} - ${before[$kind]:-0}))
			expect "$what: $N $kind: dir's kernel drops them (IpInHdrErrors)" "$N" \
				$((hdr1 - hdr0))
			;;
		*)
			expect "$what: $N $kind counted as ${counter_of[$kind]}" "$N" \
				$((${now:-0} - ${before[$kind]:-0}))
			;;
		esac
	done
}
# N frames of each martian kind from the router's LAN side: each counter grows by N
# for each kind it counts, and no connection is made.
martian() { # WHAT
	local what=$1 name
	local -A before=()
	for name in "${!sent_as[@]}"; do
		before[$name]=$(counter "$name")
	done
	frames rtr "$LAB_DEV" "${LAB_MAC[rtr]}" "${LAB_MAC[dir]}" "${martians[@]}" || true
	sleep 0.5
	for name in "${!sent_as[@]}"; do
		expect "$what: martian sources counted as $name" $((N * ${sent_as[$name]})) \
			$(($(counter "$name") - ${before[$name]:-0}))
	done
	# -L -n -c: "pro expire state source virtual destination"; the good clients only.
	expect "$what: martian sources make no connection" "" \
		"$(lab_uvsadm -L -n -c | awk 'NR > 2 { print $4 }' |
			grep -Ev "^(${LAB_IP4[cli]}|\[${LAB_IP6[cli]}\]):" || true)"
}
# IHL 4 puts the "ports" inside the addresses: no service's key, the kernel's frame.
malformed steered ip4-bad-header

# ---- the good traffic went on ---------------------------------------------------------
wait "$good" || true
# Not a third each for sure: a SYN with a bad TCP checksum may be scheduled before it
# is dropped, as in IPVS, where NAT checks the checksum when it rewrites.
got=$(cat "$LAB_TMP/good")
echo "good traffic: $(echo "$got" | tr '\n' ' ')"
expect "good traffic: all 300 requests answered" "300" \
	"$(echo "$got" | awk '$1 ~ /^rs[123]$/ { n += $2 } END { print n + 0 }')"
expect "good traffic: ... none failed" "" "$(echo "$got" | grep fail || true)"
expect "after it all: rr over UDP" "rs1 10
rs2 10
rs3 10" "$(lab_udp_count "$V4" 30)"
check "uvsd still runs" uvsd_alive

# ---- once more without steering: uvsd sees every frame --------------------------------
# (AF_XDP has no such mode: its XDP program is its steering.)
if [ "${UVSD_IO:-af_packet}" = af_packet ]; then
	e2e_uvsd_stop
	e2e_uvsd_start --no-steer
	lab_uvsadm -R <<<"$saved"
	malformed "--no-steer" ""
	expect "--no-steer, after it all: rr over HTTP" "rs1 10
rs2 10
rs3 10" "$(lab_curl_count "$(url "$V4")" 30)"
	check "uvsd still runs" uvsd_alive
fi
e2e_done
