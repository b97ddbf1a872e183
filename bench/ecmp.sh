#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Active-active directors behind ECMP (issue 19), in the lab of tests/e2e/ecmp.sh: rtr
# runs BIRD and spreads flows over the directors that announce the VIP (layer-4 hash);
# dir, dir2 and dir3 each run uvsd (one worker, AF_PACKET, DR, mh with mh-port so one
# client's connections spread over rs1..rs3) and BIRD.
#   requests  wrk -t2 -c50 from cli to the VIP through 1, 2 and 3 directors (the others
#             drained: their real servers at weight 0, so they withdraw the VIP), in
#             keep-alive and close (a new connection per request) modes; each
#             director's uvsd CPU time over the run (/proc/PID/stat utime + stime).
#   withdraw  the time from a director's death to the router's route losing its path:
#             dir3's uvsd killed (SIGKILL), then dir3's link cut (BFD), KILLS times each.
# Everything shares this machine's CPUs (wrk, nginx, three uvsds, four BIRDs, the
# kernel's forwarding in rtr): the totals show the lab's limit, the CPU per request
# what a director costs.
#
# Usage: ecmp.sh BUILD_DIR OUT_DIR [--quick]; writes OUT_DIR/ecmp.tsv and
# OUT_DIR/ecmp-withdraw.tsv.
set -euo pipefail
build=$(cd "$1" && pwd)
out=$2
quick=${3:-}
rounds=3
secs=5
kills=5
[ "$quick" = --quick ] && { rounds=1; secs=2; kills=2; }
mkdir -p "$out"
if [ "$(id -u)" != 0 ]; then
	echo "ecmp.sh: skipped: needs root" >&2
	exit 77
fi
if ! command -v bird >/dev/null; then
	echo "ecmp.sh: skipped: no BIRD 2 (Debian's bird2)" >&2
	exit 77
fi
out=$(cd "$out" && pwd)
LAB_BUILD=$build
LAB_PREFIX=uvsbe$$
. "$(dirname "$0")/../tests/e2e/lab.sh"
. "$(dirname "$0")/../tests/e2e/ecmp.sh"
DIRS=(dir dir2 dir3)

ecmp_up dr
lab_servers_start
ecmp_rules | sed 's/-s mh -b mh-fallback/-s mh -b mh-port/' >"$ECMP_RULES"
lab_exec cli sysctl -qw net.ipv4.ip_local_port_range="1024 65000" net.ipv4.tcp_tw_reuse=1
for rs in "${LAB_RS[@]}"; do
	lab_exec "$rs" sysctl -qw net.core.somaxconn=4096 net.ipv4.tcp_max_syn_backlog=4096
done
for d in "${DIRS[@]}"; do
	ecmp_director_up "$d" >/dev/null
done
ecmp_wait_paths 4 3 30 || {
	echo "ecmp.sh: the router did not get a path per director" >&2
	exit 1
}

weights() { # NODE W: every real server of the IPv4 VIP at weight W
	local rs
	for rs in "${LAB_RS[@]}"; do
		lab_uvsadm_at "$1" -e -t "$LAB_VIP4:80" -r "${LAB_IP4[$rs]}:80" -g -w "$2"
	done
}
use() { # N: the first N directors announce the VIP, the others drained
	local i
	for i in 0 1 2; do
		weights "${DIRS[$i]}" $((i < $1 ? 1 : 0))
	done
	ecmp_wait_paths 4 "$1" 10
}
cpu_ticks() { # NODE: its uvsd's utime + stime, in clock ticks
	awk '{ print $14 + $15 }' "/proc/$(ecmp_uvsd_pid "$1")/stat"
}
rps_of() { awk '/Requests\/sec:/ { print $2 } /Socket errors:/ { gsub(",", ""); e = $4 + $6 + $8 + $10 }
	END { if (e) print "errors", e > "/dev/stderr" }'; }

hz=$(getconf CLK_TCK)
tsv=$out/ecmp.tsv
: >"$tsv"
for r in $(seq "$rounds"); do
	for n in 1 2 3; do
		use "$n" || { echo "ecmp.sh: no $n paths" >&2; exit 1; }
		for mode in keepalive close; do
			hdr=()
			[ $mode = close ] && hdr=(-H "Connection: close")
			lab_exec cli timeout 10 wrk -t2 -c50 -d1s "${hdr[@]}" "http://$LAB_VIP4/" >/dev/null 2>&1 || true
			declare -A t0=()
			for d in "${DIRS[@]}"; do t0[$d]=$(cpu_ticks "$d"); done
			rps=$(lab_exec cli timeout $((secs + 10)) wrk -t2 -c50 -d"${secs}s" "${hdr[@]}" \
				"http://$LAB_VIP4/" | rps_of)
			line="$r	$n	$mode	$rps"
			for d in "${DIRS[@]}"; do
				# CPU seconds of this director's uvsd per second of the run.
				line+="	$(awk -v a="${t0[$d]}" -v b="$(cpu_ticks "$d")" -v hz="$hz" -v s="$secs" \
					'BEGIN { printf "%.3f", (b - a) / hz / s }')"
			done
			printf '%s\n' "$line" >>"$tsv"
		done
	done
done
use 3

# The death of a director: its uvsd killed, then its link cut.
ms_until_paths() { # N S: ms until rtr's route has N next hops, -1 after S s
	local t0 now
	t0=$(date +%s%N)
	while [ "$(ecmp_paths 4)" != "$1" ]; do
		now=$(date +%s%N)
		[ $(((now - t0) / 1000000)) -le $(($2 * 1000)) ] || { echo -1; return; }
		sleep 0.01
	done
	echo $((($(date +%s%N) - t0) / 1000000))
}
wtsv=$out/ecmp-withdraw.tsv
: >"$wtsv"
for k in $(seq "$kills"); do
	kill -KILL "$(ecmp_uvsd_pid dir3)"
	printf 'sigkill\t%s\n' "$(ms_until_paths 2 10)" >>"$wtsv"
	ecmp_director_up dir3 >/dev/null
	ecmp_wait_paths 4 3 20
	ip -n "$(lab_ns lan)" link set dir3 down
	printf 'link\t%s\n' "$(ms_until_paths 2 10)" >>"$wtsv"
	ip -n "$(lab_ns lan)" link set dir3 up
	ecmp_wait_paths 4 3 30
done

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
col() { awk -F'\t' -v n="$1" -v m="$2" -v k="$3" '$2 == n && $3 == m { print $k }' "$tsv" | median; }
echo "ecmp: wrk -t2 -c50 -d${secs}s from cli to the VIP through N directors (ECMP, BIRD), $rounds round(s), medians"
printf '%-10s %3s %9s %9s %9s %9s %10s %14s\n' mode N "req/s" "dir cpu" "dir2 cpu" "dir3 cpu" "cpu total" "us cpu / req"
for mode in keepalive close; do
	for n in 1 2 3; do
		rps=$(col "$n" $mode 4)
		c1=$(col "$n" $mode 5)
		c2=$(col "$n" $mode 6)
		c3=$(col "$n" $mode 7)
		printf '%-10s %3s %9.0f %9.3f %9.3f %9.3f %10.3f %14.2f\n' $mode "$n" "$rps" "$c1" "$c2" "$c3" \
			"$(awk -v a="$c1" -v b="$c2" -v c="$c3" 'BEGIN { print a + b + c }')" \
			"$(awk -v a="$c1" -v b="$c2" -v c="$c3" -v r="$rps" 'BEGIN { print (a + b + c) * 1e6 / r }')"
	done
done
for what in sigkill link; do
	awk -F'\t' -v w="$what" '$1 == w { print $2 }' "$wtsv" | sort -g | awk -v w="$what" '
		{ v[NR] = $1 } END { printf "withdrawal after %s: median %d ms, max %d ms over %d (ms: %s)\n", w,
			(NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2, v[NR], NR, all }
		{ all = all (NR > 1 ? " " : "") $1 }'
done
