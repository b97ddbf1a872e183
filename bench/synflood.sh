#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A SYN flood from spoofed random sources against a NAT service while real clients
# make requests, in the e2e lab (tests/e2e/lab.sh, nat, rr over rs1..rs3), once per
# defence: none, each IPVS defence always on (mode 3), each in its automatic mode 1
# (amemthresh a tenth of the table), and the SYN proxy (uvsd --syn-proxy). For each,
# uvsd starts afresh with --max-conns MAX; the flood (tests/e2e/synflood.py in cli,
# RATE SYNs a second, the same in every run, for SECS seconds) fills the table in
# 2.5 s; from its third second the clients meet it: REQ curl requests, one connection
# each, 10 every 0.5 s, each allowed 3 s to connect (one SYN retry) and 5 s in all.
# Prints per defence: the share of requests that succeeded, the flood's rate, the
# table's entries at the end, uvsd's peak RSS and its CPU (user+system seconds over
# the flood), the half-open connections the real servers hold at the end (ss,
# SYN-RECV on port 80, all three), and the counters the defences add to. Each run in
# a fresh lab.
# Usage: bench/synflood.sh BUILD_DIR [--quick]   (root)
set -euo pipefail
build=$(realpath "$1")
quick=${2:-}
max=20000 rate=8000 secs=15 req=200
[ "$quick" = --quick ] && { secs=8 req=60; }
if [ "$(id -u)" != 0 ]; then
	echo "synflood.sh: skipped: needs root" >&2
	exit 77
fi
LAB_BUILD=$build
LAB_PREFIX=uvsbs$$
. "$(dirname "$0")/../tests/e2e/lab.sh"
here=$(cd "$(dirname "$0")/.." && pwd)
vip=$LAB_VIP4
auto=$((max * 128 / 4096 / 10)) # a tenth of the table's pages (128 bytes an entry)

# The sysctls of each run, by name.
declare -A conf=(
	[none]=""
	[drop_entry=3]="drop_entry=3"
	[drop_packet=3]="drop_packet=3"
	[secure_tcp=3]="secure_tcp=3"
	[drop_entry=1]="drop_entry=1 amemthresh=$auto"
	[drop_packet=1]="drop_packet=1 amemthresh=$auto"
	[secure_tcp=1]="secure_tcp=1 amemthresh=$auto"
	[syn-proxy]="--syn-proxy"
)
order=(none drop_entry=3 drop_packet=3 secure_tcp=3 drop_entry=1 drop_packet=1 secure_tcp=1 syn-proxy)

counter() { lab_uvsadm -L --counters | awk -v n="$1" '$1 == n { print $2 }'; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
half_open() {
	local rs n=0
	for rs in "${LAB_RS[@]}"; do
		n=$((n + $(lab_exec "$rs" ss -Htn state syn-recv '( sport = :80 )' | wc -l)))
	done
	echo "$n"
}

# One request a line: "ok" or "fail". In batches of 10 parallel transfers by one curl
# each (a process per request would measure the machine's process start-up, not the
# director), a batch every 0.5 s.
clients() {
	local b i
	for ((b = 0; b < req / 10; b++)); do
		for ((i = 0; i < 10; i++)); do
			printf 'url = "http://%s/"\noutput = "/dev/null"\n' "$vip"
		done >"$LAB_TMP/batch$b"
		{ lab_exec cli curl -s --parallel --parallel-immediate --parallel-max 10 --max-time 5 --connect-timeout 3 \
			-H 'Connection: close' -w '%{http_code}\n' -K "$LAB_TMP/batch$b" 2>/dev/null || true; } |
			awk '{ print $1 == "200" ? "ok" : "fail" }' &
		sleep 0.5
	done
	wait
}

printf '%-14s %6s %9s %8s %8s %6s %9s %s\n' defence "ok %" "flood pps" entries "RSS MiB" "CPU s" \
	"RS half" "conn_limit defence_drop_packet defence_drop_entry synproxy_cookie"
# Each defence in a lab of its own: a flood leaves the real servers' kernels with
# half-open connections for minutes, which the next run would meet.
for name in "${order[@]}"; do
	lab_up nat
	lab_servers_start
	args=(--max-conns "$max")
	for s in ${conf[$name]}; do
		case $s in
		--*) args+=("$s") ;;
		*) args+=(--sysctl "$s") ;;
		esac
	done
	lab_uvsd_start --interface "$LAB_DEV" "${args[@]}"
	pid=$(cat "$LAB_TMP/director.pid")
	lab_uvsadm -A -t "$vip:80" -s rr
	for rs in "${LAB_RS[@]}"; do
		lab_uvsadm -a -t "$vip:80" -r "${LAB_IP4[$rs]}:80" -m
	done
	sleep 0.5
	cpu0=$(cpu_ticks "$pid")
	peak=$(rss_kib "$pid")
	lab_exec cli "$LAB_PYTHON" "$here/tests/e2e/synflood.py" --dst "$vip" --count $((rate * secs)) \
		--rate "$rate" --seed 11 >"$LAB_TMP/flood.out" &
	fpid=$!
	sleep 3 # the flood fills the table first, then the clients meet it
	clients >"$LAB_TMP/clients.out" &
	cpid=$!
	while kill -0 "$fpid" 2>/dev/null || kill -0 "$cpid" 2>/dev/null; do
		r=$(rss_kib "$pid")
		[ "$r" -gt "$peak" ] && peak=$r
		sleep 0.2
	done
	wait "$fpid" "$cpid" || true
	cpu=$(($(cpu_ticks "$pid") - cpu0))
	ok=$(grep -c '^ok$' "$LAB_TMP/clients.out" || true)
	pps=$(awk '{ printf "%.0f", $2 / $4 }' "$LAB_TMP/flood.out")
	printf '%-14s %6.1f %9s %8s %8.1f %6.2f %9s %s %s %s %s\n' "$name" \
		"$(awk "BEGIN { print 100 * $ok / $req }")" "$pps" "$(lab_uvsadm -L -n -c | tail -n +3 | wc -l)" \
		"$(awk "BEGIN { print $peak / 1024 }")" "$(awk "BEGIN { print $cpu / $(getconf CLK_TCK) }")" \
		"$(half_open)" "$(counter conn_limit)" "$(counter defence_drop_packet)" \
		"$(counter defence_drop_entry)" "$(counter synproxy_cookie)"
	lab_down
done
