#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Firewall-mark services on a forwarding uvsd in the lab (mode nat, uvsd --interface
# eth0 --marks FILE). uvsd reads frames before netfilter, so no iptables mark reaches
# it; it applies the mangle table's MARK rules itself, from --marks (iptables-save
# lines; docs/decisions.md, "Firewall marks"). What is checked:
#  - -A -f 1 (IPv4) and -A -f 2 -6 (persistent, masq and route destinations) are
#    accepted, listed by -L -n and saved by -S -n exactly as ipvsadm 1.31 prints
#    them; -S | -C | -R gives them back unchanged;
#  - HTTP to the IPv4 VIP, marked 1 by a rule of the file: rr over the three servers
#    of fwmark 1, a third each, counted by --stats under FWM 1; HTTP to the IPv6 VIP,
#    marked 2: every request on the one server of fwmark 2 (persistent);
#  - UDP to the VIP, which no rule marks, is not forwarded (no service matches it);
#    after a rule marking it 3 is added to the file and uvsd gets SIGHUP, it is
#    forwarded by fwmark 3's rr, a third each.
# Usage: test_fwmark.sh DECAP_OBJ UVSD UVSADM
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/e2e/common.sh
. "$here/common.sh"

V4=$LAB_VIP4

lab_up nat
lab_servers_start
marks=$LAB_TMP/marks
cat >"$marks" <<EOF
*mangle
:PREROUTING ACCEPT [0:0]
-A PREROUTING -d $V4/32 -p tcp -m tcp --dport 80 -j MARK --set-xmark 0x1/0xffffffff
-A PREROUTING -d $LAB_VIP6/128 -p tcp -m tcp --dport 80 -j MARK --set-xmark 0x2/0xffffffff
COMMIT
EOF
e2e_uvsd_start --marks "$marks"

lab_uvsadm -A -f 1 -s rr
for rs in "${LAB_RS[@]}"; do
	lab_uvsadm -a -f 1 -r "${LAB_IP4[$rs]}:80" -m
done
lab_uvsadm -A -f 2 -6 -s wlc -p 300
lab_uvsadm -a -f 2 -6 -r "[${LAB_IP6[rs1]}]:80" -m -w 2
lab_uvsadm -a -f 2 -6 -r "[${LAB_IP6[rs2]}]" -g -w 3

want_save="-A -f 1 -s rr
-a -f 1 -r ${LAB_IP4[rs1]}:80 -m -w 1
-a -f 1 -r ${LAB_IP4[rs2]}:80 -m -w 1
-a -f 1 -r ${LAB_IP4[rs3]}:80 -m -w 1
-A -f 2 -6 -s wlc -p 300
-a -f 2 -6 -r [${LAB_IP6[rs1]}]:80 -m -w 2
-a -f 2 -6 -r [${LAB_IP6[rs2]}]:0 -g -w 3"
expect "-S -n saves the fwmark services" "$want_save" "$(lab_uvsadm -S -n)"
expect "-L -n lists them" "IP Virtual Server version 1.2.1 (size=1048576)
Prot LocalAddress:Port Scheduler Flags
  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn
FWM  1 rr
  -> ${LAB_IP4[rs1]}:80              Masq    1      0          0         
  -> ${LAB_IP4[rs2]}:80              Masq    1      0          0         
  -> ${LAB_IP4[rs3]}:80              Masq    1      0          0         
FWM  2 IPv6 wlc persistent 300
  -> [${LAB_IP6[rs1]}]:80          Masq    2      0          0         
  -> [${LAB_IP6[rs2]}]:0           Route   3      0          0         " "$(lab_uvsadm -L -n)"
lab_uvsadm -C
lab_uvsadm -R <<<"$want_save"
expect "-S | -C | -R gives them back" "$want_save" "$(lab_uvsadm -S -n)"

# Traffic, marked by the file's rules.
lab_uvsadm -Z
expect "fwmark 1: 30 HTTP requests to $V4, rr, a third each" "rs1 10
rs2 10
rs3 10" "$(curl_count "$(url "$V4")" 30)"
expect "fwmark 1: --stats: Conns 30" "FWM  1 30" \
	"$(lab_uvsadm -L -n --stats --exact | awk '$1 == "FWM" && $2 == 1 { print $1 "  " $2, $3 }')"
# fwmark 2's route destination cannot answer in a NAT lab (no VIP on its lo).
lab_uvsadm -d -f 2 -6 -r "[${LAB_IP6[rs2]}]"
expect "fwmark 2: 20 HTTP requests to $LAB_VIP6, all on its one server" "rs1 20" \
	"$(curl_count "$(url "$LAB_VIP6")" 20)"

# UDP: no rule marks it, then one does.
lab_uvsadm -A -f 3 -s rr
for rs in "${LAB_RS[@]}"; do
	lab_uvsadm -a -f 3 -r "${LAB_IP4[$rs]}:53" -m
done
expect "UDP to $V4:53, marked by no rule: not forwarded" "fail 2" "$(lab_udp_count "$V4" 2)"
sed -i "/^COMMIT/i -A PREROUTING -d $V4/32 -p udp -m udp --dport 53 -j MARK --set-xmark 0x3/0xffffffff" \
	"$marks"
kill -HUP "$(cat "$LAB_TMP/director.pid")"
sleep 1
expect "after SIGHUP with a rule marking it 3: UDP forwarded by fwmark 3, a third each" \
	"rs1 10
rs2 10
rs3 10" "$(lab_udp_count "$V4" 30)"

check "uvsd still runs" uvsd_alive
e2e_done
