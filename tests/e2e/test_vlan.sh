#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 802.1Q-tagged frames through uvsd in the lab (mode nat). This kernel has no 8021q
# module, so no host here can send or take tagged frames itself: scapy sends them
# whole from a packet socket, and tshark captures what uvsd sends. What is checked:
#  - UDP datagrams to the IPv4 and the IPv6 VIP in VLAN 10 (priority 5), sent by rtr to
#    dir as a tagged trunk would carry them, reach rs1..rs3 (rr) by NAT with the tag
#    kept, addressed to the real server, a good UDP checksum (tshark);
#  - a real server's tagged reply (scapy on rs1) goes back to the client's next hop
#    (rtr) tagged, from the VIP;
#  - a QinQ frame (802.1ad 100 around 802.1Q 10) keeps both tags.
# AF_PACKET only: the lab's bridge takes the tag off into the frame's metadata before
# dir's veth, where XDP sees the frame without it (docs/decisions.md, Steering).
# Usage: test_vlan.sh DECAP_OBJ UVSD UVSADM
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/e2e/common.sh
. "$here/common.sh"

PY=/usr/bin/python3 # Debian's, with python3-scapy
if ! "$PY" -c 'import scapy.layers.l2' 2>/dev/null; then
	echo "SKIP: no python3-scapy (scripts/packages.txt, group test)"
	exit 77
fi

lab_up nat
e2e_uvsd_start
svc_add udp "$LAB_VIP4" 53 -m rr
svc_add udp "$LAB_VIP6" 53 -m rr
# What each node receives (its own sends are not captured).
for node in rs1 rs2 rs3 rtr; do
	lab_spawn "$node" "cap-$node" tshark -i "$LAB_DEV" -p -n -q -a duration:60 \
		-w "$LAB_TMP/$node.pcap" -f "ether dst ${LAB_MAC[$node]} and vlan"
done
for node in rs1 rs2 rs3 rtr; do
	check "tshark on $node is capturing" lab_capture_wait "cap-$node"
done

# send NODE SRC_IP DST_IP SPORT DPORT TAGS...: one tagged UDP frame from NODE to dir.
send() {
	local node=$1
	shift
	lab_exec "$node" "$PY" - "$LAB_DEV" "${LAB_MAC[dir]}" "$@" <<'PY'
import sys
from scapy.all import Dot1AD, Dot1Q, Ether, IP, IPv6, UDP, Raw, sendp
dev, dmac, src, dst, sport, dport, *tags = sys.argv[1:]
l3 = (IPv6 if ":" in src else IP)(src=src, dst=dst) / UDP(sport=int(sport), dport=int(dport)) / Raw(b"tagged")
frame = Ether(dst=dmac)
tags = [int(t) for t in tags]
for i, t in enumerate(tags):
    frame /= (Dot1AD if i + 1 < len(tags) else Dot1Q)(prio=t >> 13, vlan=t & 0xfff)
sendp(frame / l3, iface=dev, verbose=False)
PY
}
tci=$((5 << 13 | 10))
for i in 1 2 3; do
	send rtr "${LAB_IP4[cli]}" "$LAB_VIP4" $((20000 + i)) 53 "$tci"
	send rtr "${LAB_IP6[cli]}" "$LAB_VIP6" $((20000 + i)) 53 "$tci"
done
send rtr "${LAB_IP4[cli]}" "$LAB_VIP4" 20009 53 100 10
sleep 0.5
# rs1 answers the first IPv4 datagram that reached it, tagged as it came.
first=$(tshark -n -r "$LAB_TMP/rs1.pcap" -Y "ip && udp" -T fields -e udp.srcport 2>/dev/null | head -n 1 || true)
echo "rs1 answers the datagram from port ${first:-(none)}"
if [ -n "$first" ]; then
	send rs1 "${LAB_IP4[rs1]}" "${LAB_IP4[cli]}" 53 "$first" "$tci"
fi
sleep 1 # what tshark has not read yet when told to stop is lost
for node in rs1 rs2 rs3 rtr; do
	lab_stop "cap-$node"
done
echo "uvsd's counters:"
lab_uvsadm -L --counters | awk '$2 != 0' | sed 's/^/    /'

fields() { # NODE: one line per captured UDP frame: service tag (QinQ), tag, priority,
	# addresses, destination port, checksum status
	tshark -n -r "$LAB_TMP/$1.pcap" -o udp.check_checksum:TRUE -Y udp -T fields \
		-e ieee8021ad.id -e vlan.id -e vlan.priority -e ip.src -e ipv6.src -e ip.dst -e ipv6.dst \
		-e udp.dstport -e udp.checksum.status 2>/dev/null | tr '\t' ' ' | sed 's/  */ /g; s/^ //'
}
for rs in "${LAB_RS[@]}"; do
	got=$(fields "$rs" | grep -v "^100 " | sort || true)
	echo "$rs received: $(echo "$got" | tr '\n' ';')"
	expect "$rs: one IPv4 and one IPv6 datagram, VLAN 10 priority 5, to itself, checksum good" \
		"10 5 ${LAB_IP4[cli]} ${LAB_IP4[$rs]} 53 1
10 5 ${LAB_IP6[cli]} ${LAB_IP6[$rs]} 53 1" "$got"
done
qinq=$(for rs in "${LAB_RS[@]}"; do fields "$rs"; done | grep "^100 " || true)
check "QinQ: both tags kept, service 100, 802.1Q 10 ($qinq)" grep -q "^100 10 0 ${LAB_IP4[cli]} " <<<"$qinq"
back=$(fields rtr)
expect "the reply goes back tagged, from the VIP, to the client" \
	"10 5 $LAB_VIP4 ${LAB_IP4[cli]} $first 1" "$back"
e2e_done
