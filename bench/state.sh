#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# What the state file (uvsd --state) costs the control plane: `uvsadm -R` of N TCP
# services x 10 NAT real servers (11 N lines, as bench/net.sh's ctl part) into a uvsd
# without --interface, ROUNDS times with --state none and with a state file, in turn.
# Prints each round, then the medians: the restore's wall time, and how long after
# uvsadm returned the state file held the whole configuration.
# Usage: bench/state.sh BUILD_DIR [N [ROUNDS]]  (default 10000 services, 7 rounds)
set -euo pipefail
build=$(realpath "$1")
n=${2:-10000}
rounds=${3:-7}
tmp=$(mktemp -d /tmp/uvs-bench-state.XXXXXX)
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
export UVSD_SOCKET=$tmp/sock

awk -v n="$n" 'BEGIN { for (s = 0; s < n; s++) {
	vip = sprintf("10.100.%d.%d:80", int(s / 250), s % 250 + 1)
	printf "-A -t %s -s wlc\n", vip
	for (r = 0; r < 10; r++)
		printf "-a -t %s -r 10.101.%d.%d:80 -m -w 1\n", vip, int((s * 10 + r) / 250) % 256, (s * 10 + r) % 250 + 1
} }' >"$tmp/rules"
last=$(tail -1 "$tmp/rules")

now() { date +%s%N; }
# round STATE: prints "RESTORE_S COMPLETE_S" (COMPLETE_S 0 without a state file).
round() {
	local state=$1 t0 t1 t2
	rm -f "$tmp/state" "$tmp/state.lock"
	"$build/uvsd" --foreground --state "$state" 2>"$tmp/log" &
	pid=$!
	for _ in $(seq 50); do [ -S "$UVSD_SOCKET" ] && break; sleep 0.1; done
	t0=$(now)
	"$build/uvsadm" -R <"$tmp/rules"
	t1=$(now)
	if [ "$state" != none ]; then
		for _ in $(seq 3000); do grep -qF -- "$last" "$state" 2>/dev/null && break; sleep 0.005; done
		grep -qF -- "$last" "$state" || { echo "the state file never held the last line"; exit 1; }
	fi
	t2=$(now)
	kill "$pid"
	wait "$pid" || true
	pid=
	awk -v a="$t0" -v b="$t1" -v c="$t2" -v s="$state" \
		'BEGIN { printf "%.3f %.3f\n", (b - a) / 1e9, s == "none" ? 0 : (c - b) / 1e9 }'
}
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

: >"$tmp/none"
: >"$tmp/file"
for r in $(seq "$rounds"); do
	round none >>"$tmp/none"
	round "$tmp/state" >>"$tmp/file"
	echo "round $r: --state none $(tail -1 "$tmp/none" | cut -d' ' -f1) s;" \
		"state file $(tail -1 "$tmp/file" | cut -d' ' -f1) s, complete $(tail -1 "$tmp/file" | cut -d' ' -f2) s later"
done
lines=$(wc -l <"$tmp/rules")
echo "uvsadm -R of $lines lines, median of $rounds: --state none $(cut -d' ' -f1 "$tmp/none" | median) s;" \
	"with a state file $(cut -d' ' -f1 "$tmp/file" | median) s, the file complete" \
	"$(cut -d' ' -f2 "$tmp/file" | median) s after uvsadm returned ($(stat -c %s "$tmp/state") bytes)"
