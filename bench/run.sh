#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Builds the benchmarks with optimisation in build-bench/ and runs them:
#   bench/run.sh [all|sched|engine|steer|callgrind|e2e|net|conns|ctl|scrape|http|ecmp|sync|
#                synflood|restart|soak] [--quick]
# sched: ns per pick for every scheduler; engine: the host's memory latency and misses
# in flight (mem_bench), ns per frame through the engine, and per connection linked
# into the table by one and two threads (table_bench);
# steer: ns per frame of the steering programs and of the fast path's forwarding
# (BPF_PROG_TEST_RUN, root);
# callgrind: instructions per frame of established NAT over 1M flows (also with full
# 1,460-byte segments), and per new NAT connection (valgrind).
# The end-to-end parts, in network namespaces they create (root; bench/net.sh and
# bench/http.sh say how): net: 64-byte frames through uvsd NAT and DR and the null
# forwarder on each backend (UVS_BENCH_BACKENDS, default "af_packet af_xdp") and the
# kernel's forwarding, and uvsd's CPU time busy (at full speed and at 5,000 frames/s,
# per frame beside the kernel's forwarding) and idle; conns: 1M
# concurrent connections (new connections/s, bytes each); ctl: uvsadm -R of 10,000
# services x 10 real servers under traffic; scrape: NAT at full speed with uvsd
# --metrics scraped every second against none; http: wrk through uvsd (both backends),
# HAProxy and nginx; ecmp: wrk through 1, 2 and 3 active-active directors behind a
# BIRD router's ECMP with each director's CPU, and a dead director's withdrawal time
# (bench/ecmp.sh). sync (root): the connection sync between two directors
# (bench/sync.sh: new connections a second and those lost, the full-table hand-over)
# and the takeover gap (bench/sync_gap.sh). synflood: a spoofed SYN flood against each
# defence and the SYN proxy while curl clients run (bench/synflood.sh).
# restart: the data path's pause across a planned restart with 10,000 and 1,000,000
# connections in the table (bench/restart.sh, root); soak: 30 minutes of mixed traffic
# through an AddressSanitizer build of uvsd (build-asan/) while its configuration
# changes every second (bench/soak.sh, root; --quick: 2 minutes).
# e2e runs those four and draws bench/frames.png and bench/http.png; its tables go to
# build-bench/e2e/ and its report to build-bench/e2e/report.txt.
set -eu
cd "$(dirname "$0")/.."
what=${1:-all}
[ $# -gt 0 ] && shift
if [ ! -f build-bench/build.ninja ]; then
	meson setup build-bench --buildtype=release -Db_lto=true
fi
ninja -C build-bench bench/sched_bench bench/mem_bench bench/engine_bench bench/table_bench \
	bench/steer_bench bench/fastpath_bench bench/gen bench/nullfwd bench/conns_gen bench/sync_bench uvsd uvsadm tests/e2e/decap.o
e2e=build-bench/e2e
mkdir -p $e2e
case $what in
all | sched) build-bench/bench/sched_bench "$@" ;;
esac
case $what in
all | engine)
	build-bench/bench/mem_bench
	build-bench/bench/engine_bench "$@"
	if [ "${1:-}" = --quick ]; then
		build-bench/bench/table_bench --conns 300000 --rounds 3
	else
		build-bench/bench/table_bench
	fi
	;;
esac
case $what in
all | steer) build-bench/bench/steer_bench && build-bench/bench/fastpath_bench ;;
esac
case $what in
all | callgrind)
	flows=1000000
	[ "${1:-}" = --quick ] && flows=100000
	# As is, with a sync daemon's master (every client packet through the kernel's
	# rules for sending its connection), with frames whose checksum the backend
	# vouches for (AF_PACKET's from a local sender or checked by the kernel), and with
	# full 1,460-byte segments (the checksum check reads them whole).
	for opt in "" --sync --csum-known --payload=1460; do
		out=build-bench/callgrind$opt.out
		frames=$(valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file=$out \
			build-bench/bench/engine_bench --callgrind --flows $flows $opt 2>/dev/null |
			awk '/callgrind:/ { print $2 }')
		# Instructions inside uvs_engine_process (inclusive), per frame measured.
		ir=$(callgrind_annotate --inclusive=yes $out 2>/dev/null |
			awk '/uvs_engine_process/ { gsub(",", "", $1); print $1; exit }')
		case $opt in
		--sync) what_on=" (sync master on)" ;;
		--csum-known) what_on=" (checksums known)" ;;
		--payload=*) what_on=" (${opt#--payload=}-byte segments)" ;;
		*) what_on= ;;
		esac
		echo "callgrind$what_on: NAT established, $flows flows: $ir instructions in uvs_engine_process over $frames frames: $(awk "BEGIN { printf \"%.0f\", $ir / $frames }") per frame"
	done
	# New connections: each flow's SYN, which makes its connection.
	out=build-bench/callgrind-new.out
	conns=$(valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file=$out \
		build-bench/bench/engine_bench --callgrind-new --flows $flows 2>/dev/null |
		awk '/callgrind:/ { print $2 }')
	ir=$(callgrind_annotate --inclusive=yes $out 2>/dev/null |
		awk '/uvs_engine_process/ { gsub(",", "", $1); print $1; exit }')
	echo "callgrind: NAT new connections, $flows flows: $ir instructions in uvs_engine_process over $conns SYNs: $(awk "BEGIN { printf \"%.0f\", $ir / $conns }") per connection"
	;;
esac
case $what in
all | e2e | net) bench/net.sh build-bench $e2e cpu "$@" | tee $e2e/report-net.txt ;;
esac
case $what in
all | e2e | conns) bench/net.sh build-bench $e2e conns "$@" | tee $e2e/report-conns.txt ;;
esac
case $what in
all | e2e | ctl) bench/net.sh build-bench $e2e ctl "$@" | tee $e2e/report-ctl.txt ;;
esac
case $what in
all | e2e | scrape) bench/net.sh build-bench $e2e scrape "$@" | tee $e2e/report-scrape.txt ;;
esac
case $what in
all | e2e | http) bench/http.sh build-bench $e2e "$@" | tee $e2e/report-http.txt ;;
esac
case $what in
all | e2e | restart)
	rounds=3
	[ "${1:-}" = --quick ] && rounds=1
	bench/restart.sh build-bench $rounds | tee $e2e/report-restart.txt
	;;
esac
case $what in
all | soak)
	secs=1800
	[ "${1:-}" = --quick ] && secs=120
	[ -f build-asan/build.ninja ] ||
		meson setup build-asan -Db_sanitize=address,undefined -Db_lundef=false >/dev/null
	ninja -C build-asan uvsd uvsadm >/dev/null
	bench/soak.sh build-asan/uvsd build-asan/uvsadm $secs $e2e/soak-samples.txt |
		tee $e2e/report-soak.txt
	;;
esac
case $what in
all | e2e | ecmp) bench/ecmp.sh build-bench $e2e "$@" | tee $e2e/report-ecmp.txt ;;
esac
case $what in
all | sync)
	if [ "${1:-}" = --quick ]; then
		bench/sync.sh build-bench 100000 100000
		SYNC_SOCK_SIZE=4194304 bench/sync.sh build-bench 100000 100000
		bench/sync_gap.sh build-bench 1
	else
		bench/sync.sh build-bench 500000 100000 200000 0
		SYNC_SOCK_SIZE=4194304 bench/sync.sh build-bench 500000 100000 200000 0
		bench/sync_gap.sh build-bench 5
	fi | tee $e2e/report-sync.txt
	;;
esac
case $what in
all | e2e | synflood) bench/synflood.sh build-bench "$@" | tee $e2e/report-synflood.txt ;;
esac
case $what in
all | e2e | net | http)
	bench/plot.sh $e2e bench
	{
		date -u
		uname -r
		nproc
		uptime
		cat $e2e/report-*.txt
	} >$e2e/report.txt
	;;
esac
