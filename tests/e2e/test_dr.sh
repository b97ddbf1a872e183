#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# uvsd forwarding by direct routing in the lab (mode dr: the VIPs on the real servers'
# lo, their default routes via rtr), uvsd --interface eth0 in dir, -g destinations:
#  - rr over HTTP on the IPv4 and IPv6 VIPs and over UDP (IPv4, IPv6): a third each;
#  - the replies go from the real servers straight to the router: --stats counts
#    the requests' packets in (InPkts > 0) and none out (OutPkts 0), for each service
#    and each real server, and Conns is the number of requests;
#  - the same seen on the wire: tshark on rtr's LAN side captures the IP frames sent
#    to rtr's MAC during the requests: each real server sent some (its replies), dir
#    none.
# Usage: test_dr.sh DECAP_OBJ UVSD UVSADM
set -euo pipefail
# shellcheck source=tests/e2e/forward.sh
. "$(cd "$(dirname "$0")" && pwd)/forward.sh"

forward_start dr -g

# The IP frames sent to rtr (not ND), captured on its LAN side while the requests run.
lab_spawn rtr capture tshark -i "$LAB_DEV" -p -n -q -a duration:90 -w "$LAB_TMP/rtr.pcap" \
	-f "ether dst ${LAB_MAC[rtr]} and (ip or ip6) and not icmp6"
check "tshark on rtr is capturing" lab_capture_wait capture

forward_thirds dr curl_count 150 90 90 60

sleep 1 # what tshark has not read yet when told to stop is lost
lab_stop capture
senders=$(tshark -n -r "$LAB_TMP/rtr.pcap" -T fields -e eth.src 2>/dev/null | sort | uniq -c)
echo "frames to rtr by sender: $(echo "$senders" | tr -s ' \n' ' ')"
for rs in "${LAB_RS[@]}"; do
	n=$(echo "$senders" | awk -v m="${LAB_MAC[$rs]}" '$2 == m { print $1 }')
	check "dr: $rs's replies went straight to rtr (${n:-0} frames)" [ "${n:-0}" -gt 0 ]
done
expect "dr: dir sent rtr no IP frame" "" "$(echo "$senders" | grep -F "${LAB_MAC[dir]}" || true)"

stats_table | sed 's/^/    /'
for svc in "TCP $V4:80 150 4" "TCP [$V6]:80 90 6" "UDP $V4:53 90 4" "UDP [$V6]:53 60 6"; do
	read -r proto vip n fam <<<"$svc"
	expect "--stats: $proto $vip: Conns $n, OutPkts 0" "$n 0" \
		"$(svc_stat "$proto $vip" - conns) $(svc_stat "$proto $vip" - outpkts)"
	pin=$(svc_stat "$proto $vip" - inpkts)
	check "--stats: $proto $vip: InPkts ($pin) >= Conns" [ "${pin:-0}" -ge "$n" ]
	port=${vip##*:}
	for rs in "${LAB_RS[@]}"; do
		d="$(rs_addr "$rs" "$fam")"
		[ "$fam" = 4 ] || d="[$d]"
		expect "--stats: $proto $vip -> $rs: Conns $((n / 3)), OutPkts 0" "$((n / 3)) 0" \
			"$(svc_stat "$proto $vip" "$d:$port" conns) $(svc_stat "$proto $vip" "$d:$port" outpkts)"
		pin=$(svc_stat "$proto $vip" "$d:$port" inpkts)
		check "--stats: $proto $vip -> $rs: InPkts ($pin) > 0" [ "${pin:-0}" -gt 0 ]
	done
done

forward_done
