#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# IPVS's defences and the connection table's limit under a SYN flood from spoofed
# sources (synflood.py in cli, bounded), lab mode nat, uvsd --max-conns 1000 with
# drop_entry=1, drop_packet=1 and amemthresh=2 (memory is short once fewer than 2
# pages, about 73 entries, are left):
#  - a slow download started before the flood completes whole while the table is
#    full: established connections go on;
#  - the flood fills the table: the rest is refused (conn_limit) and uvsd logs it
#    (reason=conn_limit, at most once every 10 s);
#  - within seconds both automatic modes read 2 and uvsd logs "drop_entry on";
#    drop_entry ends half-open entries (defence_drop_entry), and while memory is
#    short new connections are dropped (defence_drop_packet);
#  - once drop_entry has made room, the modes go back to 1 ("drop_entry off") and
#    requests through the VIP succeed again (with the client's SYN retries, since
#    near the threshold drop_packet may come back on for a second).
# Usage: test_defences.sh DECAP_OBJ UVSD UVSADM
set -euo pipefail
# shellcheck source=tests/e2e/common.sh
. "$(cd "$(dirname "$0")" && pwd)/common.sh"

V4=$LAB_VIP4
FLOOD="$LAB_PYTHON $E2E_HERE/synflood.py"

sysctl_value() { # NAME
	lab_uvsadm --sysctl "$1" | awk '{ print $3 }'
}

# Waits up to 30 s for NAME to read VALUE; prints what it read last.
wait_sysctl() { # NAME VALUE
	local i v
	for ((i = 0; i < 60; i++)); do
		v=$(sysctl_value "$1")
		[ "$v" = "$2" ] && break
		sleep 0.5
	done
	echo "$v"
}

lab_up nat
lab_servers_start
head -c 3000000 /dev/urandom >"$LAB_TMP/big"
for rs in "${LAB_RS[@]}"; do
	cp "$LAB_TMP/big" "$LAB_TMP/$rs/files/big"
done
want_sum=$(sha256sum <"$LAB_TMP/big" | cut -d' ' -f1)
e2e_uvsd_start --max-conns 1000 --conn-tab-bits 8 \
	--sysctl drop_entry=1 --sysctl drop_packet=1 --sysctl amemthresh=2
svc_add tcp "$V4" 80 -m rr
expect "before the flood: 30 requests succeed" "rs1 10
rs2 10
rs3 10" "$(lab_curl_count "$(url "$V4")" 30)"

# 3 MB at 300 KB/s: about 10 s, across the flood and the defences.
lab_exec cli sh -c "curl -sS --max-time 40 --limit-rate 300k $(url "$V4" files/big) |
	sha256sum | cut -d' ' -f1" >"$LAB_TMP/download.sum" 2>"$LAB_TMP/download.err" &
download=$!
sleep 1

lab_exec cli $FLOOD --dst "$V4" --port 80 --count 1500 --seed 7 >"$LAB_TMP/flood1.out"
check "the flood filled the table: new connections refused (conn_limit)" \
	[ "$(counter conn_limit)" -gt 0 ]
expect "drop_entry turned on (reads 2)" 2 "$(wait_sysctl drop_entry 2)"
expect "drop_packet turned on (reads 2)" 2 "$(sysctl_value drop_packet)"
check "uvsd logged the refusals (reason=conn_limit)" \
	grep -q 'reason=conn_limit.*refused=' "$LAB_TMP/director.log"
check "uvsd logged drop_entry on" grep -q 'drop_entry on' "$LAB_TMP/director.log"

# A second wave while memory is short: drop_packet drops new connections.
lab_exec cli $FLOOD --dst "$V4" --port 80 --count 300 --seed 8 >"$LAB_TMP/flood2.out"
check "while memory is short, new connections dropped (defence_drop_packet)" \
	[ "$(counter defence_drop_packet)" -gt 0 ]

expect "drop_entry made room: back to 1" 1 "$(wait_sysctl drop_entry 1)"
check "half-open entries ended (defence_drop_entry)" [ "$(counter defence_drop_entry)" -gt 0 ]
check "uvsd logged drop_entry off" grep -q 'drop_entry off' "$LAB_TMP/director.log"
expect "drop_packet back to 1" 1 "$(wait_sysctl drop_packet 1)"

wait "$download" || true
expect "the download started before the flood completed whole" "$want_sum" \
	"$(cat "$LAB_TMP/download.sum")"
# Near the threshold a new connection may still meet drop_packet: the client's SYN
# retries (1 s, 3 s, ...) get it through.
ok=0
for ((i = 0; i < 10; i++)); do
	lab_exec cli curl -sS --max-time 15 --connect-timeout 12 "$(url "$V4")" 2>/dev/null |
		grep -q '^rs[123]$' && ok=$((ok + 1))
done
expect "after the flood: 10 requests succeed" 10 "$ok"
e2e_done
