#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# DNS answers larger than the MTU through a UDP NAT service (mode nat): dnsmasq on
# rs1..rs3 holds a TXT record of 16 strings of 200 bytes (about 3.3 KB), and dig
# +bufsize=4096 on the client asks the VIP for it over UDP only. The real servers'
# kernels send each answer in fragments; uvsd takes them by the real servers'
# addresses, reassembles each answer, rewrites it to come from the VIP and cuts it
# again for the next hop; the client's kernel reassembles. What is checked, on the IPv4
# and the IPv6 VIP, with rr over the three servers:
#  - every answer is whole (16 strings, each of its server's) and not truncated;
#  - each server answered once per family;
#  - uvsd counted the fragments it held and the datagrams it cut again, and dropped
#    none for memory, overlap or timeout.
# Usage: test_frag_dns.sh DECAP_OBJ UVSD UVSADM
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/e2e/common.sh
. "$here/common.sh"

if ! command -v dnsmasq >/dev/null || ! command -v dig >/dev/null; then
	echo "SKIP: needs dnsmasq and dig (scripts/packages.txt, group test)"
	exit 77
fi

lab_up nat
for rs in "${LAB_RS[@]}"; do
	strings=()
	for i in $(seq -w 1 16); do
		strings+=("$rs-$i-$(printf 'x%.0s' $(seq 190))")
	done
	txt=$(IFS=,; echo "${strings[*]}")
	lab_spawn "$rs" "dnsmasq-$rs" dnsmasq --keep-in-foreground --conf-file=/dev/null \
		--user=root --pid-file= --no-resolv --no-hosts --bind-interfaces \
		--listen-address="${LAB_IP4[$rs]}" --listen-address="${LAB_IP6[$rs]}" --port=53 \
		--edns-packet-max=4096 --txt-record="big.uvs.test,$txt"
done
e2e_uvsd_start
svc_add udp "$LAB_VIP4" 53 -m rr
svc_add udp "$LAB_VIP6" 53 -m rr
for rs in "${LAB_RS[@]}"; do
	lab_wait 5 lab_exec "$rs" dig +short +time=1 +tries=1 @"${LAB_IP4[$rs]}" big.uvs.test TXT ||
		echo "FAIL: dnsmasq on $rs does not answer"
done

for vip in "$LAB_VIP4" "$LAB_VIP6"; do
	seen=""
	src=${LAB_IP4[cli]}
	[ "$vip" = "$LAB_VIP6" ] && src=${LAB_IP6[cli]}
	for q in 1 2 3; do
		# A source port of each query's own, so that each is a connection of its own:
		# with the kernel's choice two may share one (about 1 pair in 28,000), and so
		# the connection and its real server.
		out=$(lab_exec cli dig -b "$src#$((20000 + q))" +bufsize=4096 +notcp +ignore +time=2 \
			+tries=2 @"$vip" big.uvs.test TXT 2>&1 || true)
		strings=$(echo "$out" | awk '$4 == "TXT"' | tr -s ' \t' '\n' | grep -c '^"rs[0-9]-[0-9]*-x' || true)
		rs=$(echo "$out" | awk '$4 == "TXT" { print $5 }' | head -n 1 | cut -c2-4)
		flags=$(echo "$out" | awk -F'flags: ' '/flags:/ { split($2, a, ";"); print a[1]; exit }')
		expect "$vip, query $q: the whole answer (16 strings) from one real server" "16" "$strings"
		check "$vip, query $q: not truncated (flags: $flags)" [ -n "$flags" ] && ! grep -qw tc <<<"$flags"
		size=$(echo "$out" | awk '/MSG SIZE/ { print $NF }')
		check "$vip, query $q: larger than the MTU ($size bytes)" [ "${size:-0}" -gt 1500 ]
		seen+="$rs "
	done
	expect "$vip: rr gave each real server one query" "rs1 rs2 rs3" "$(tr ' ' '\n' <<<"$seen" | sort | xargs)"
done
held=$(counter frag_held)
check "fragments held for reassembly ($held)" [ "${held:-0}" -ge 12 ]
cut=$(counter fragmented)
check "answers cut again for the client's path ($cut)" [ "${cut:-0}" -ge 6 ]
for c in frag_no_memory frag_overlap frag_timeout frag_bad; do
	expect "no fragment dropped as $c" 0 "$(counter "$c")"
done
e2e_done
