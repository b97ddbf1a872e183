#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The data path's pause across a planned restart (uvsd --conn-file) with a table of N
# connections, in the e2e lab (nat, IPv4): conns_gen writes a table of N established
# connections to VIP:80 over rs1..rs3, which a first uvsd takes at start; a UDP flow
# to VIP:53 (bench/pause_probe.py, a datagram every ms from the client) runs through
# it; uvsd gets SIGTERM and the same command line starts again. Printed per N: the
# longest time the flow had no answer (the pause the client sees), the time from
# SIGTERM to the new uvsd's "forwarding" log line, the old uvsd's write and the new one's read
# as they log them, and the entries restored. ROUNDS rounds per N, each on its own.
# Usage: bench/restart.sh BUILD_DIR [ROUNDS [N...]]  (default 3 rounds of 10000 1000000)
set -euo pipefail
build=$(cd "$1" && pwd)
rounds=${2:-3}
shift $(($# >= 2 ? 2 : 1))
sizes=${*:-10000 1000000}
if [ "$(id -u)" != 0 ]; then
	echo "restart.sh: skipped: needs root" >&2
	exit 77
fi
LAB_BUILD=$build
LAB_PREFIX=uvsbr$$
# shellcheck source=tests/e2e/lab.sh
. "$(dirname "$0")/../tests/e2e/lab.sh"
lab_up nat
lab_servers_start
vip=$LAB_VIP4
state=$LAB_TMP/state
uvsd_args=(--interface "$LAB_DEV" --state "$state" --max-conns 4000000)

# A first uvsd makes the configuration, which the state file keeps for the others.
lab_uvsd_start "${uvsd_args[@]}"
lab_uvsadm -A -t "$vip:80" -s rr
lab_uvsadm -A -u "$vip:53" -s rr
for rs in "${LAB_RS[@]}"; do
	lab_uvsadm -a -t "$vip:80" -r "${LAB_IP4[$rs]}:80" -m
	lab_uvsadm -a -u "$vip:53" -r "${LAB_IP4[$rs]}:53" -m
done

stop_uvsd() {
	local pid
	pid=$(cat "$LAB_TMP/director.pid")
	rm -f "$LAB_TMP/director.pid"
	kill -TERM "$pid"
	wait "$pid" || true
}
ms() { echo $(($(date +%s%N) / 1000000)); }
forwarding() { grep -q 'forwarding on' "$LAB_TMP/director.log"; }
# Starts uvsd and waits until it forwards (its socket comes before the table is read).
start_uvsd() {
	lab_uvsd_start "${uvsd_args[@]}"
	lab_wait 60 forwarding
}

for n in $sizes; do
	for ((r = 1; r <= rounds; r++)); do
		stop_uvsd
		"$build/bench/conns_gen" "$state.conns" "$n" "$vip" "${LAB_IP4[rs1]}" \
			"${LAB_IP4[rs2]}" "${LAB_IP4[rs3]}" >/dev/null
		start_uvsd
		loaded=$(grep -o 'connection table [^ ]*: [0-9]* of [0-9]* connection(s) restored in [0-9]* ms' \
			"$LAB_TMP/director.log" | awk '{ print $4, $10 }' || true)
		lab_exec cli python3 "$(dirname "$0")/pause_probe.py" "$vip" 53 8 1 >"$LAB_TMP/probe" &
		probe=$!
		sleep 3
		t0=$(ms)
		stop_uvsd
		mv "$LAB_TMP/director.log" "$LAB_TMP/director-old.log"
		start_uvsd
		t1=$(ms)
		wait "$probe"
		written=$(grep -o 'connection table: [0-9]* connection(s) written to [^ ]* in [0-9]* ms' \
			"$LAB_TMP/director-old.log" | awk '{ print $3, $(NF - 1) }' || true)
		read_back=$(grep -o 'connection table [^ ]*: [0-9]* of [0-9]* connection(s) restored in [0-9]* ms' \
			"$LAB_TMP/director.log" | awk '{ print $4, $10 }' || true)
		echo "N=$n round $r: $(cat "$LAB_TMP/probe"); SIGTERM to the new uvsd forwarding $((t1 - t0)) ms;" \
			"written (count, ms): $written; restored (count, ms): $read_back;" \
			"first start restored: $loaded"
	done
done
stop_uvsd
