#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Firewall-mark services on a forwarding uvsd in the lab (mode nat, uvsd --interface
# eth0). The limit: uvsd reads frames off AF_PACKET, where the marks iptables or
# nftables give packets do not exist (they are set later, in the kernel's own path),
# so a fwmark service never matches a frame of this uvsd; with steering (the default)
# such frames do not even reach uvsd's rings (docs/decisions.md). What is checked:
#  - -A -f 1 (IPv4) and -A -f 2 -6 (persistent, masq and route destinations) are
#    accepted, listed by -L -n and --stats, and saved by -S -n exactly as ipvsadm
#    1.31 prints them; -S | -C | -R gives them back unchanged;
#  - the limit itself: with only the fwmark service, HTTP to the VIP is not forwarded
#    (the frames are left to dir's kernel, which drops them);
#    a TCP service beside it is forwarded as usual (rr, a third each), and the
#    fwmark service's counters stay 0.
# Usage: test_fwmark.sh DECAP_OBJ UVSD UVSADM
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/e2e/common.sh
. "$here/common.sh"

V4=$LAB_VIP4

lab_up nat
lab_servers_start
e2e_uvsd_start

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

# The limit: no frame carries a mark here.
expect "only a fwmark service: HTTP to $V4 is not forwarded" "fail 2" \
	"$(lab_curl_count "$(url "$V4")" 2)"
svc_add tcp "$V4" 80 -m rr
expect "a TCP service beside it: forwarded, a third each" "rs1 10
rs2 10
rs3 10" "$(lab_curl_count "$(url "$V4")" 30)"
expect "the fwmark service counted nothing" "FWM  1 0 0 0" \
	"$(lab_uvsadm -L -n --stats --exact | awk '$1 == "FWM" && $2 == 1 { print $1 "  " $2, $3, $4, $5 }')"

check "uvsd still runs" uvsd_alive
e2e_done
