#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The connection sync between two directors: two network namespaces joined by a veth
# (MTU 1500), sync_bench's master in one and its backup in the other (bench/
# sync_bench.c). For each rate, N new connections made on the master's engine at that
# rate (0: as fast as one thread makes them) and counted on the backup: how many it
# made, how many were lost. Then the full-table hand-over of the master's last table to
# a third director (sync_bench fetch) in the backup's namespace, timed.
# Usage: bench/sync.sh BUILD [N [RATE...]]   (root; default N 500000, rates 100000 0)
set -euo pipefail
build=${1:?usage: $0 BUILD [N [RATE...]]}
n=${2:-500000}
shift $(($# < 2 ? $# : 2))
rates=("$@")
[ ${#rates[@]} -gt 0 ] || rates=(100000 0)
bin=$build/bench/sync_bench
a=uvssyncA$$
b=uvssyncB$$
cleanup() {
	if [ -n "${master_pid:-}" ]; then
		kill "$master_pid" 2>/dev/null || true
	fi
	ip netns del "$a" 2>/dev/null || true
	ip netns del "$b" 2>/dev/null || true
}
trap cleanup EXIT
ip netns add "$a"
ip netns add "$b"
ip link add syncA netns "$a" type veth peer name syncB netns "$b"
ip -n "$a" addr add 192.168.77.1/24 dev syncA
ip -n "$b" addr add 192.168.77.2/24 dev syncB
for ns in "$a" "$b"; do
	ip -n "$ns" link set lo up
done
ip -n "$a" link set syncA up
ip -n "$b" link set syncB up
echo "sync: $n new connections, two namespaces over a veth; $(nproc) CPUs"
for rate in "${rates[@]}"; do
	out=$(mktemp)
	ip netns exec "$b" "$bin" backup syncB "$n" >"$out" 2>&1 &
	backup_pid=$!
	until grep -q ready "$out"; do sleep 0.1; done
	ip netns exec "$a" "$bin" master syncA 192.168.77.2 "$n" "$rate" &
	master_pid=$!
	wait "$backup_pid" || true
	grep -v ready "$out"
	# The master's table, whole, to a third director beside the backup.
	sleep 4.5
	ip netns exec "$b" "$bin" fetch 192.168.77.1 "$n" || true
	wait "$master_pid" || true
	master_pid=
	rm -f "$out"
done
