#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# uvsd forwarding by NAT in the lab (mode nat, uvsd --interface eth0 in dir), with
# nginx and the UDP echo on rs1..rs3 and curl from the client:
#  - rr over HTTP on the IPv4 and the IPv6 VIP and over UDP (IPv4, IPv6): an exact
#    third to each real server;
#  - -L -n -c lists one entry per IPv6 request, a third to each destination;
#  - wrr 1,2,3 over 3000 requests: each share within 2 points of its weight's, and
#    --stats agrees: the service's Conns is 3000, each server's Conns its count,
#    packets counted both ways;
#  - persistence (-p 300): every request of the client on one server, which holds the
#    one template (--persistent-conn);
#  - weight 0 drains: new requests avoid the server while a slow download from it
#    (nginx's limit_rate) completes whole;
#  - -d of a server under a loop of requests: every request after the last one it
#    answered goes to the others; at most one request fails (see below);
#  - -S | -C | -R under traffic: the same configuration, traffic answered after it,
#    at most one request lost (see below).
# Usage: test_nat.sh DECAP_OBJ UVSD UVSADM (the arguments of every e2e test)
set -euo pipefail
# shellcheck source=tests/e2e/forward.sh
. "$(cd "$(dirname "$0")" && pwd)/forward.sh"

S4="TCP $V4:80"
S6="TCP [$V6]:80"

forward_start nat -m

# ---- rr: HTTP over IPv4 and IPv6, UDP over IPv4 and IPv6 ----------------------------
forward_thirds rr lab_curl_count 300 150 150 90
# Each request a connection; TIME_WAIT keeps the entries listed for 120 s.
expect "-L -n -c: the 150 IPv6 connections, 50 to each server" "[${LAB_IP6[rs1]}]:80 50
[${LAB_IP6[rs2]}]:80 50
[${LAB_IP6[rs3]}]:80 50" "$(conn_dests "[$V6]:80")"
expect "--stats: UDP $V4:53 Conns" 150 "$(svc_stat "UDP $V4:53" - conns)"

# ---- wrr 1,2,3 over 3000 requests, and the counters ---------------------------------
lab_uvsadm -E -t "$V4:80" -s wrr
for i in 1 2 3; do
	lab_uvsadm -e -t "$V4:80" -r "${LAB_IP4[rs$i]}:80" -m -w "$i"
done
lab_uvsadm -Z
counts=$(lab_curl_count "$(url "$V4")" 3000)
echo "wrr 1,2,3 over 3000 requests: $(echo "$counts" | tr '\n' ' ')"
expect "wrr: every request answered" "" "$(echo "$counts" | grep fail || true)"
for i in 1 2 3; do
	n=$(echo "$counts" | awk -v rs="rs$i" '$1 == rs { print $2 }')
	n=${n:-0}
	# |n/3000 - i/6| <= 0.02, that is |6n - 3000i| <= 360
	d=$((n * 6 - i * 3000))
	check "wrr: rs$i's share ($n of 3000) within 2% of $i/6" [ "${d#-}" -le 360 ]
	expect "--stats: rs$i's Conns is its count" "$n" \
		"$(svc_stat "$S4" "${LAB_IP4[rs$i]}:80" conns)"
	# A request is at least SYN, ACK + request, ACK of the answer and FIN; an answer
	# SYN-ACK, the answer and FIN.
	pin=$(svc_stat "$S4" "${LAB_IP4[rs$i]}:80" inpkts)
	pout=$(svc_stat "$S4" "${LAB_IP4[rs$i]}:80" outpkts)
	check "--stats: rs$i's InPkts ($pin) >= 4 x $n and OutPkts ($pout) >= 3 x $n" \
		[ "${pin:-0}" -ge $((n * 4)) -a "${pout:-0}" -ge $((n * 3)) ]
done
expect "--stats: the service's Conns is the number of requests" 3000 "$(svc_stat "$S4" - conns)"

# ---- persistence --------------------------------------------------------------------
lab_uvsadm -E -t "[$V6]:80" -s rr -p 300
got=$(lab_curl_count "$(url "$V6")" 60)
expect "-p 300: 60 requests of one client on one server" 1 "$(echo "$got" | wc -l)"
check "-p 300: ... and all answered ($got)" [ "$(echo "$got" | awk '{ print $2 }')" = 60 ]
# Counted since -Z: the 60 connections, not the template (as IPVS counts them); the
# template is the one PersistConn of the server it names.
expect "-p 300: --stats: Conns 60" 60 "$(svc_stat "$S6" - conns)"
sticky=$(echo "$got" | awk '{ print $1 }')
persist=$(lab_uvsadm -L -n -t "[$V6]:80" --persistent-conn |
	awk '$1 == "->" && NF == 6 { print $2, $4 }')
want=""
for rs in "${LAB_RS[@]}"; do
	want+="[${LAB_IP6[$rs]}]:80 $([ "$rs" = "$sticky" ] && echo 1 || echo 0)"$'\n'
done
expect "-p 300: --persistent-conn: one template, on $sticky" "${want%$'\n'}" "$persist"

# ---- weight 0 drains ----------------------------------------------------------------
lab_uvsadm -E -t "$V4:80" -s rr
for rs in "${LAB_RS[@]}"; do
	lab_uvsadm -e -t "$V4:80" -r "${LAB_IP4[$rs]}:80" -m -w 1
	# 1 MiB, its first line the server's name
	{ echo "$rs"; head -c 1048576 /dev/zero | tr '\0' x; } >"$LAB_TMP/$rs/files/big"
done
size=$(stat -c %s "$LAB_TMP/rs1/files/big")
# About 10 s at the server's 100 KiB/s (lab.sh's /slow/): the checks below run while it
# lasts. Paced by the server, not by curl (--limit-rate), whose pace depends on how
# fast the path delivers (with the XDP fast path the same download took 5 s at 80k,
# not 12).
lab_spawn cli download curl -sS --globoff --no-buffer --max-time 30 \
	-o "$LAB_TMP/download" "$(url "$V4" slow/big)"
download=$(cat "$LAB_TMP/download.pid")
lab_wait 5 grep -q . "$LAB_TMP/download" || true
drained=$(head -n 1 "$LAB_TMP/download" 2>/dev/null || true)
case $drained in
rs[123])
	lab_uvsadm -e -t "$V4:80" -r "${LAB_IP4[$drained]}:80" -m -w 0
	got=$(lab_curl_count "$(url "$V4")" 60)
	partial=$(stat -c %s "$LAB_TMP/download")
	expect "weight 0: 60 new requests avoid $drained" "" "$(echo "$got" | grep -E "^($drained|fail) " || true)"
	expect "weight 0: ... and go to the two others" 2 "$(echo "$got" | wc -l)"
	check "weight 0: the download from $drained was still going then ($partial of $size bytes)" \
		[ "$partial" -lt "$size" ]
	rc=0
	wait "$download" || rc=$?
	rm -f "$LAB_TMP/download.pid"
	expect "weight 0: the download from $drained completes whole" "0 $size $drained" \
		"$rc $(stat -c %s "$LAB_TMP/download") $(head -n 1 "$LAB_TMP/download")"
	expect "weight 0: curl said nothing" "" "$(cat "$LAB_TMP/download.log")"
	lab_uvsadm -e -t "$V4:80" -r "${LAB_IP4[$drained]}:80" -m -w 1
	;;
*)
	expect "weight 0: the slow download started" "rs1, rs2 or rs3" "$drained ($(cat "$LAB_TMP/download.log"))"
	;;
esac
lab_stop download

# ---- deleting a real server under load ----------------------------------------------
# IPVS semantics (expire_nodest_conn = 0, uvsd's default as the kernel's): packets of a
# connection whose destination is deleted are dropped silently. The loop sends one
# request at a time, so at most one is in flight to rs3 when it goes (rs3's next turn
# of rr after its last answer): that one may
# fail (curl gives up after 6 s). Every other request is answered, and none by rs3
# after the last answer rs3 gave. 200 requests a second: rs3 goes about 0.5 s in.
seq_file=$LAB_TMP/seq-delete
curl_seq "$(url "$V4")" 600 200 >"$seq_file" &
loop=$!
lab_wait 20 lines_at_least "$seq_file" 100 || true
lab_uvsadm -d -t "$V4:80" -r "${LAB_IP4[rs3]}:80"
wait "$loop" || true
seq=$(cat "$seq_file")
last=$(echo "$seq" | grep -n '^rs3$' | tail -n 1 | cut -d: -f1)
after=$(echo "$seq" | tail -n +$((${last:-0} + 1)))
echo "delete under load: $(echo "$seq" | wc -l) requests, rs3's last answer at #${last:-none}"
expect "-d under load: 600 requests made" 600 "$(echo "$seq" | wc -l)"
check "-d under load: rs3 answered before its deletion, not at the end (last #${last:-none})" \
	[ "${last:-0}" -ge 50 ] && [ "${last:-600}" -le 550 ]
expect "-d under load: after rs3's last answer, only rs1 and rs2 answer" "" \
	"$(echo "$after" | grep -vE '^(rs1|rs2|fail)$' || true)"
check "-d under load: at most one request lost (the one in flight to rs3)" \
	[ "$(echo "$seq" | grep -c '^fail$')" -le 1 ]
# The one in flight is rs3's next turn of rr: within the three requests after its last
# answer (its SYN may be scheduled to rs3 just before the -d and its data dropped).
check "-d under load: ... and only at rs3's next turn after its last answer" \
	[ -z "$(echo "$after" | tail -n +4 | grep '^fail$')" ]

# ---- -S | -C | -R under traffic -----------------------------------------------------
# Between -C and -R a SYN to the VIP meets no service and is left to dir's kernel,
# which drops it: curl's SYN is sent again 1 s later and finds the service back. A
# request in flight at -C loses its connection (its destination is deleted, as
# above): at most one request lost, the loop being sequential.
seq_file=$LAB_TMP/seq-restore
curl_seq "$(url "$V4")" 300 100 >"$seq_file" &
loop=$!
lab_wait 20 lines_at_least "$seq_file" 100 || true
saved=$(lab_uvsadm -S -n)
lab_uvsadm -C
lab_uvsadm -R <<<"$saved"
at=$(wc -l <"$seq_file")
wait "$loop" || true
seq=$(cat "$seq_file")
expect "-S | -C; -R: the configuration is the same" "$saved" "$(lab_uvsadm -S -n)"
expect "-S | -C; -R under traffic: 300 requests made" 300 "$(echo "$seq" | wc -l)"
check "-S | -C; -R under traffic: at most one request lost" \
	[ "$(echo "$seq" | grep -c '^fail$')" -le 1 ]
check "-S | -C; -R under traffic: answered after the restore (at #$at)" \
	[ "$(echo "$seq" | tail -n +$((at + 2)) | grep -c '^rs[12]$')" -ge 50 ]
expect "after the restore: rr over rs1 and rs2" "rs1 30
rs2 30" "$(lab_curl_count "$(url "$V4")" 60)"

forward_done
