#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Builds the benchmarks with optimisation in build-bench/ and runs them:
#   bench/run.sh [all|sched|engine|callgrind] [--quick]
# sched: ns per pick for every scheduler; engine: ns per frame through the engine;
# callgrind: instructions per frame of established NAT over 1M flows (valgrind).
set -eu
cd "$(dirname "$0")/.."
what=${1:-all}
[ $# -gt 0 ] && shift
if [ ! -f build-bench/build.ninja ]; then
	meson setup build-bench --buildtype=release -Db_lto=true
fi
ninja -C build-bench bench/sched_bench bench/engine_bench
case $what in
all | sched) build-bench/bench/sched_bench "$@" ;;
esac
case $what in
all | engine) build-bench/bench/engine_bench "$@" ;;
esac
case $what in
all | callgrind)
	flows=1000000
	[ "${1:-}" = --quick ] && flows=100000
	out=build-bench/callgrind.out
	frames=$(valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file=$out \
		build-bench/bench/engine_bench --callgrind --flows $flows 2>/dev/null |
		awk '/callgrind:/ { print $2 }')
	# Instructions inside uvs_engine_process (inclusive), per frame measured.
	ir=$(callgrind_annotate --inclusive=yes $out 2>/dev/null |
		awk '/uvs_engine_process/ { gsub(",", "", $1); print $1; exit }')
	echo "callgrind: NAT established, $flows flows: $ir instructions in uvs_engine_process over $frames frames: $(awk "BEGIN { printf \"%.0f\", $ir / $frames }") per frame"
	;;
esac
