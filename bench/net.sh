#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Frame benchmarks of uvsd in network namespaces of their own (issue 5, parts 1, 3, 4, 5):
#
#   [snd] eth0 10.80.0.2 --- eth0 10.80.0.1 [dir] eth1 10.81.0.1 --- eth0 10.81.0.2 [snk]
#
# snd sends 64-byte UDP frames (bench/gen; UVS_BENCH_FRAME_SIZE, below) to dir's MAC;
# the real server 10.81.0.11 is a static neighbour of dir at snk's MAC, an address snk
# does not own: snk counts the frame on its link (rx_packets) and drops it at tc
# ingress, without an answer.
# The VIP 10.80.0.100 is no address of dir. The contenders run in dir, one at a time,
# each of the first three on every backend of UVS_BENCH_BACKENDS (default "af_packet
# af_xdp"), all of them interleaved in each round:
#   uvsd NAT   uvsd --interface eth0 --interface eth1 --workers 1 [--io af_xdp],
#              VIP:9000 -> RS -m
#   uvsd DR    the same with -g
#   null       bench/nullfwd on the same backend: receive, set MACs, send on eth1
#              (AF_XDP: the steering XDP program with the key of VIP:9000, as uvsd's)
#   kernel     ip_forward=1, frames to the RS's address, no uvsd
# The backend af_xdp_fp is uvsd --io af_xdp --fast-path 65536: the XDP program forwards
# established flows itself (snk's eth0 then gets a pass-all XDP program,
# UVS_BENCH_XDP_PASS, default BUILD_DIR/tests/e2e/xdp_pass.o: a veth takes redirected
# frames only so); it has no null forwarder of its own, and its frames forwarded are
# uvsd's plus the fast path's (fastpath_hits).
# gen is pinned to CPU 0 and the contender to CPU 1 (uvsd to both in the ctl part).
# The frames part runs in each layout of UVS_BENCH_LAYOUTS (default "rx0 rx1", below).
#
# The scrape part: uvsd NAT (af_packet) at full speed, 100 more services of 10 real
# servers configured, with uvsd --metrics scraped every second (curl in dir) against
# no scrape, interleaved; the metrics' HTTP thread shares CPU 1 with the worker.
#
# The cpu part adds a low-rate pass (rx0, UVS_BENCH_LOWRATE frames/s one at a time) and
# drop runs (dir drops every frame at tc ingress): the baseline that leaves, of the
# sender's CPU, the kernel's forwarding cost per frame (cpu_frames.tsv, the report).
#
# Usage: net.sh BUILD_DIR OUT_DIR [frames|lowrate|conns|ctl|cpu|scrape|all] [--quick]
# Writes OUT_DIR/{frames-LAYOUT,conns,ctl,cpu_busy,cpu_frames,cpu_idle,scrape}.tsv and counters.txt
# (uvsd's nonzero counters and nullfwd's, per frame run) and prints a table per part.
set -euo pipefail
build=$1
out=$2
what=${3:-all}
quick=${4:-}
rounds=3
secs=3
conns=1000000
[ "$quick" = --quick ] && { rounds=1; secs=1; conns=50000; }
backends=${UVS_BENCH_BACKENDS:-af_packet af_xdp}
layouts=${UVS_BENCH_LAYOUTS:-rx0 rx1}
uvsd=$build/uvsd
uvsadm=$build/uvsadm
gen=$build/bench/gen
nullfwd=$build/bench/nullfwd
mkdir -p "$out"

if [ "$(id -u)" != 0 ] || ! ip netns add "uvsbn-probe-$$" 2>/dev/null; then
	echo "net.sh: skipped: needs root and network namespaces" >&2
	exit 77
fi
ip netns del "uvsbn-probe-$$"
p="uvsbn$$"
tmp=$(mktemp -d)
pids=()
cleanup() {
	for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
	for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
	for n in snd dir snk; do ip netns del "$p-$n" 2>/dev/null || true; done
	rm -rf "$tmp"
}
trap cleanup EXIT
on() { ip netns exec "$p-$1" "${@:2}"; }

SND_MAC=02:00:00:00:80:02
DIR0_MAC=02:00:00:00:80:01
DIR1_MAC=02:00:00:00:81:01
SNK_MAC=02:00:00:00:81:02
VIP=10.80.0.100
RS=10.81.0.11
PORT=9000

for n in snd dir snk; do
	ip netns add "$p-$n"
	ip -n "$p-$n" link set lo up
	on "$n" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
done
ip -n "$p-snd" link add eth0 address $SND_MAC type veth peer name eth0 address $DIR0_MAC netns "$p-dir"
ip -n "$p-dir" link add eth1 address $DIR1_MAC type veth peer name eth0 address $SNK_MAC netns "$p-snk"
ip -n "$p-snd" addr add 10.80.0.2/24 dev eth0
ip -n "$p-dir" addr add 10.80.0.1/24 dev eth0
ip -n "$p-dir" addr add 10.81.0.1/24 dev eth1
ip -n "$p-snk" addr add 10.81.0.2/24 dev eth0
for n in snd dir snk; do
	for d in eth0 eth1; do
		ip -n "$p-$n" link set "$d" up 2>/dev/null || true
	done
done
# No ARP during a run: every neighbour is static.
ip -n "$p-dir" neigh replace $RS lladdr $SNK_MAC dev eth1 nud permanent
ip -n "$p-dir" neigh replace 10.80.0.2 lladdr $SND_MAC dev eth0 nud permanent
on snk sysctl -qw net.ipv4.ip_forward=0
# snk counts each frame (rx_packets, counted by veth as it hands the frame over) and
# drops it at tc ingress, as a wire would take it: no IP processing (a route lookup
# and its failure per frame) on whichever CPU sent the frame, which for uvsd and the
# null forwarder is the contender's and for the kernel's forwarding the sender's.
on snk tc qdisc add dev eth0 clsact
on snk tc filter add dev eth0 ingress protocol ip bpf da bytecode '1,6 0 0 2'
# Where dir's receive processing runs: 1 = in the sender's softirq on CPU 0 (as a NIC's
# interrupt on a core of its own), 2 = on CPU 1 beside the contender (RPS).
rps() { echo "$1" | on dir tee /sys/class/net/eth0/queues/rx-0/rps_cpus >/dev/null; }

sink_rx() { on snk cat /sys/class/net/eth0/statistics/rx_packets; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
tck=$(getconf CLK_TCK)

# gen ARGS...: sends from snd on CPU 0; prints "sent N seconds T fps R". Frames of
# UVS_BENCH_FRAME_SIZE bytes (60 to 1514; default 60, 64 on a wire).
frame_size=${UVS_BENCH_FRAME_SIZE:-60}
send() {
	on snd taskset -c 0 "$gen" --if eth0 --src-mac $SND_MAC --dst-mac $DIR0_MAC --src 10.80.0.2 \
		--size "$frame_size" "$@"
}

uvsd_pid=
uvsd_start() { # BACKEND METHOD(-m|-g) [uvsd args...]
	local io=$1 method=$2
	shift 2
	local sock=$tmp/uvsd.sock io_args=()
	case $io in
	af_xdp) io_args=(--io af_xdp) ;;
	af_xdp_fp)
		io_args=(--io af_xdp --fast-path 65536)
		on snk ip link set dev eth0 xdp obj "${UVS_BENCH_XDP_PASS:-$build/tests/e2e/xdp_pass.o}" \
			sec xdp.frags
		;;
	esac
	rm -f "$sock"
	ip netns exec "$p-dir" taskset -c "${uvsd_cpus:-1}" "$uvsd" --foreground --socket "$sock" --interface eth0 --interface eth1 \
		--workers 1 "${io_args[@]}" "$@" >"$tmp/uvsd.log" 2>&1 &
	uvsd_pid=$!
	pids+=("$uvsd_pid")
	for _ in $(seq 100); do [ -S "$sock" ] && break; sleep 0.05; done
	[ -S "$sock" ] || { cat "$tmp/uvsd.log" >&2; return 1; }
	adm -A -u $VIP:$PORT -s rr
	adm -a -u $VIP:$PORT -r $RS:$PORT "$method"
}
adm() { UVSD_SOCKET=$tmp/uvsd.sock on dir "$uvsadm" "$@"; }
uvsd_stop() {
	kill -TERM "$uvsd_pid"
	wait "$uvsd_pid" || true
	uvsd_pid=
	on snk ip link set dev eth0 xdp off
}
nullfwd_pid=
nullfwd_start() { # BACKEND
	local service=()
	[ "$1" = af_xdp ] && service=(--udp $VIP:$PORT) # what the XDP program steers
	ip netns exec "$p-dir" taskset -c 1 "$nullfwd" --io "$1" "${service[@]}" eth0 eth1 $SNK_MAC 600 \
		>"$tmp/nullfwd.log" 2>&1 &
	nullfwd_pid=$!
	pids+=("$nullfwd_pid")
	for _ in $(seq 100); do grep -qs ready "$tmp/nullfwd.log" && break; sleep 0.05; done
}
nullfwd_stop() {
	kill -TERM "$nullfwd_pid"
	wait "$nullfwd_pid" || true
}

# The CPU time of the kernel's softirq threads (ns), where receive processing goes
# when it is more than the context that raised it may do.
ksoftirqd_ns() {
	local pid t=0
	for pid in $(pgrep -x 'ksoftirqd/[0-9]+'); do t=$((t + $(cut -d' ' -f1 "/proc/$pid/schedstat"))); done
	echo $t; }
# A process's CPU time, all its threads (ns, the scheduler's precise sum).
proc_ns() { cat /proc/"$1"/task/*/schedstat | awk '{ t += $1 } END { printf "%.0f\n", t }'; }
# run_frames DST [gen args]: a run of $secs over 10,000 flows, at full speed unless the
# gen args say a rate; prints "fps sent_fps gen_ns ksoftirqd_ns", the last two per
# frame sent: the sender's CPU (with the receive processing that ran in its system
# calls, which in rx0 is dir's, and snk's) and the softirq threads' meanwhile.
run_frames() {
	local before after res k0 k1
	before=$(sink_rx)
	k0=$(ksoftirqd_ns)
	res=$(send --dst "$1" --dport $PORT --flows 10000 --repeat --seconds "$secs" --count 100000000 "${@:2}")
	sleep 0.2 # what is still in flight
	k1=$(ksoftirqd_ns)
	after=$(sink_rx)
	awk -v r="$res" -v n=$((after - before)) -v k=$((k1 - k0)) 'BEGIN { split(r, a, " ");
		printf "%.0f %.0f %.0f %.0f\n", n / a[4], a[6], a[8] / a[2], k / a[2] }'
}

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# One contender's run in the frames part: CONTENDER (nat, dr, null or kernel) BACKEND
# LAYOUT; sets frames_res to "fps sent_fps" and, for uvsd, adds its CPU time to cpu_busy.tsv and
# its counters to counters.txt.
# gen's arguments beyond the frames part's own (a rate: the low-rate part).
gen_args=()
frames_run() {
	local c=$1 io=$2 layout=$3 res t0 t1 n0 n1 fwd uvsd_ns=0
	# Not a subshell: uvsd and nullfwd stay in pids, for cleanup.
	case $c in
	nat | dr)
		on dir sysctl -qw net.ipv4.ip_forward=0
		uvsd_start "$io" "$([ "$c" = nat ] && echo -m || echo -g)"
		t0=$(cpu_ticks "$uvsd_pid")
		n0=$(proc_ns "$uvsd_pid")
		res=$(run_frames $VIP "${gen_args[@]}")
		t1=$(cpu_ticks "$uvsd_pid")
		n1=$(proc_ns "$uvsd_pid")
		adm -L --counters >"$tmp/counters"
		# Sent by uvsd, and by the XDP fast path (af_xdp_fp).
		fwd=$(awk '$1 == "io_tx" || $1 == "fastpath_hits" { n += $2 } END { print n + 0 }' \
			"$tmp/counters")
		uvsd_ns=$(awk -v n=$((n1 - n0)) -v f="$fwd" 'BEGIN { printf "%.0f", f ? n / f : 0 }')
		# CPU seconds per million frames forwarded (uvsd's own count).
		[ ${#gen_args[@]} = 0 ] && awk -v c="$layout-$c" -v t=$((t1 - t0)) -v k="$tck" -v f="$fwd" -v io="$io" \
			'BEGIN { printf "%s\t%s\t%.4f\t%d\n", io, c, t / k / (f / 1e6), f }' \
			>>"$out/cpu_busy.tsv"
		# uvsd's nonzero counters, to find where frames were lost.
		awk -v w="$layout $io $c:" '$2 != 0 { s = s " " $1 "=" $2 } END { print w s }' \
			"$tmp/counters" >>"$out/counters.txt"
		uvsd_stop
		;;
	kernel)
		on dir sysctl -qw net.ipv4.ip_forward=1
		res=$(run_frames $RS "${gen_args[@]}")
		on dir sysctl -qw net.ipv4.ip_forward=0
		;;
	drop)
		# The baseline of the CPU figures: sending, and dir's receive up to its tc
		# ingress, which drops every IPv4 frame.
		on dir tc qdisc add dev eth0 clsact
		on dir tc filter add dev eth0 ingress protocol ip bpf da bytecode '1,6 0 0 2'
		res=$(run_frames $VIP "${gen_args[@]}")
		on dir tc qdisc del dev eth0 clsact
		;;
	null)
		if [ "$io" = af_packet ]; then
			# The kernel's copy of each frame is dropped at tc ingress, after the
			# backend's tap, as uvsd's steering does (cBPF, direct action: UDP ->
			# TC_ACT_SHOT, the rest -> TC_ACT_UNSPEC).
			on dir tc qdisc add dev eth0 clsact
			on dir tc filter add dev eth0 ingress protocol ip bpf da \
				bytecode '4,48 0 0 9,21 0 1 17,6 0 0 2,6 0 0 4294967295'
		fi
		nullfwd_start "$io"
		res=$(run_frames $VIP)
		nullfwd_stop
		echo "$layout $io null: $(tail -1 "$tmp/nullfwd.log")" >>"$out/counters.txt"
		[ "$io" = af_packet ] && on dir tc qdisc del dev eth0 clsact
		;;
	esac
	frames_res=$res
	# SETTING BACKEND WHO uvsd-ns-per-frame-forwarded gen-ns ksoftirqd-ns (per frame sent)
	[ "$c" = null ] || printf '%s\t%s\t%s\t%s\t%s\n' "$layout${gen_args[1]:+@${gen_args[1]}fps}" \
		"$io" "$c" "$uvsd_ns" "$(echo "$res" | awk '{ print $3 "\t" $4 }')" >>"$out/cpu_frames.tsv"
}

part_frames() { # LAYOUT: rx0 or rx1
	local layout=$1 tsv=$out/frames-$1.tsv io r c k contenders=()
	: >"$tsv"
	[ "$layout" = rx1 ] && rps 2 || rps 0
	# Every contender on every backend, and the kernel (no backend) once per round.
	for io in $backends; do
		contenders+=("nat/$io" "dr/$io")
		[ "$io" = af_xdp_fp ] || contenders+=("null/$io")
	done
	contenders+=(kernel/kernel drop/kernel)
	for r in $(seq "$rounds"); do
		# Interleaved: each round runs every contender once, in a rotating order.
		k=$(((r - 1) % ${#contenders[@]}))
		for c in "${contenders[@]:k}" "${contenders[@]:0:k}"; do
			frames_run "${c%/*}" "${c#*/}" "$layout"
			printf '%s\t%s\t%s\t%s\n' "${c#*/}" "$r" "${c%/*}" "${frames_res// /	}" >>"$tsv"
		done
	done
	echo "frames ($layout: dir's receive processing on CPU ${layout#rx}): $((frame_size + 4))-byte UDP, 10,000 flows, $secs s per run, $rounds interleaved round(s) of ${#contenders[@]} contenders, medians; gen on CPU 0, the contender on CPU 1"
	printf '%-10s %-8s %12s %12s %8s\n' backend who "fwd fps" "offered fps" "of null"
	col() { awk -v io="$1" -v c="$2" -v k="$3" '$1 == io && $3 == c { print $k }' "$tsv" | median; }
	local km
	km=$(col kernel kernel 4)
	for io in $backends; do
		local nullm
		nullm=$(col "$io" null 4)
		for c in nat dr null; do
			[ "$io/$c" != af_xdp_fp/null ] || continue
			printf '%-10s %-8s %12.0f %12.0f %7.0f%%\n' "$io" "$c" "$(col "$io" $c 4)" "$(col "$io" $c 5)" \
				"$(awk -v a="$(col "$io" $c 4)" -v b="${nullm:-0}" 'BEGIN { print b ? 100 * a / b : 0 }')"
		done
	done
	printf '%-10s %-8s %12.0f %12.0f\n' - kernel "$km" "$(col kernel kernel 5)"
	for io in $backends; do
		for c in nat dr; do
			awk -v w="$c" -v io="$io" -v a="$(col "$io" $c 4)" -v n="$(col "$io" null 4)" -v k="$km" 'BEGIN {
				if (n == 0) n = a # no null forwarder of its own (af_xdp_fp): 1.00
				printf "target '"$layout"' %s %s >= 0.90 x null: %.2f %s; >= 1.00 x kernel: %.2f %s\n", io, toupper(w),
					a / n, (a / n >= 0.9) ? "met" : "MISSED", a / k, (a / k >= 1) ? "met" : "MISSED" }'
		done
	done
}

# The low-rate part: rx0, gen at UVS_BENCH_LOWRATE frames/s (default 5,000) one frame
# at a time (--burst 1), so that a worker that sleeps between frames wakes for each:
# the CPU per frame where wake-ups dominate (the null forwarder is not run). Over
# UVS_BENCH_LOWRATE_FLOWS flows (default 100, 50 frames/s each at the default rate: a
# few hundred busy connections); with 10,000 each flow's frames would come 2 s apart,
# and the fast path takes a flow back to uvsd after a second (its route's age).
lowrate=${UVS_BENCH_LOWRATE:-5000}
lowrate_flows=${UVS_BENCH_LOWRATE_FLOWS:-100}
part_lowrate() {
	local io r c k contenders=()
	rps 0
	gen_args=(--rate "$lowrate" --burst 1 --flows "$lowrate_flows")
	for io in $backends; do contenders+=("nat/$io" "dr/$io"); done
	contenders+=(kernel/kernel drop/kernel)
	for r in $(seq "$rounds"); do
		k=$(((r - 1) % ${#contenders[@]}))
		for c in "${contenders[@]:k}" "${contenders[@]:0:k}"; do
			frames_run "${c%/*}" "${c#*/}" rx0
		done
	done
	gen_args=()
}

# CPU per frame from cpu_frames.tsv, side by side with the kernel's forwarding.
cpu_frames_report() {
	local f=$out/cpu_frames.tsv setting io c base kern u side
	[ -s "$f" ] || return 0
	echo "CPU per frame, us (= CPU seconds per million frames), medians of the rounds."
	echo "  uvsd: its threads, per frame forwarded. kernel side: the sender's thread (with the"
	echo "  receive processing that ran in its system calls) and the softirq threads, per frame"
	echo "  sent, less the same in the drop runs (sending, and dir's receive up to a tc drop)."
	echo "  kernel fwd: the kernel side of the kernel's own forwarding: its cost per frame."
	printf '%-14s %-10s %-4s %9s %12s %9s %11s %8s %8s\n' setting backend who "uvsd" \
		"kernel side" total "kernel fwd" "uvsd/k" "total/k"
	sidecol() { awk -F'\t' -v s="$1" -v io="$2" -v c="$3" '$1 == s && $2 == io && $3 == c { print $5 + $6 }' "$f" | median; }
	for setting in $(cut -f1 "$f" | sort -u); do
		base=$(sidecol "$setting" kernel drop)
		kern=$(awk -v a="$(sidecol "$setting" kernel kernel)" -v b="$base" 'BEGIN { print a - b }')
		for io in $backends; do
			for c in nat dr; do
				u=$(awk -F'\t' -v s="$setting" -v io="$io" -v c=$c '$1 == s && $2 == io && $3 == c { print $4 }' "$f" | median)
				[ -n "$u" ] || continue
				side=$(awk -v a="$(sidecol "$setting" "$io" $c)" -v b="$base" 'BEGIN { print a - b }')
				awk -v s="$setting" -v io="$io" -v c=$c -v u="$u" -v d="$side" -v k="$kern" 'BEGIN {
					printf "%-14s %-10s %-4s %9.3f %12.3f %9.3f %11.3f %8.2f %8.2f\n", s, io, c,
						u / 1e3, d / 1e3, (u + d) / 1e3, k / 1e3, u / k, (u + d) / k }'
			done
		done
	done
}

part_conns() {
	local io rss0 rss1 res n t
	: >"$out/conns.tsv"
	for io in $backends; do
		on dir sysctl -qw net.ipv4.ip_forward=0
		uvsd_start "$io" -m
		sleep 0.5
		rss0=$(rss_kib "$uvsd_pid")
		# Every flow once: $conns new connections, 50,000 source ports per source address.
		t=$(date +%s.%N)
		res=$(send --dst $VIP --dport $PORT --flows "$conns" --sports 50000 --count "$conns" --seconds 60)
		conn_count() { adm -L -n | awk '/-> '$RS'/ { print $5 + $6 }'; }
		sleep 0.5
		n=$(conn_count)
		# Frames the rings dropped left flows without a connection: more passes of
		# every flow, slower, fill them in (the others are established by then).
		local total=$n passes=0
		while [ "$passes" -lt 4 ] && [ "$total" -lt $((conns * 999 / 1000)) ]; do
			send --dst $VIP --dport $PORT --flows "$conns" --sports 50000 --count "$conns" --seconds 60 \
				--rate 150000 >/dev/null
			sleep 0.5
			total=$(conn_count)
			passes=$((passes + 1))
		done
		rss1=$(rss_kib "$uvsd_pid")
		printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$io" "$conns" "$n" "$rss0" "$rss1" "$res" "$total" "$passes" >>"$out/conns.tsv"
		uvsd_stop
	done
	echo "conns: $conns UDP flows to one NAT service, each one frame at full speed"
	awk -F'\t' '{ split($6, a, " ");
		printf "%s: first pass at full speed: %d of %d connections made (%.1f%%; the rest dropped in the receive ring) in %.2f s: %.0f new connections/s\n",
			$1, $3, $2, 100 * $3 / $2, a[4], $3 / a[4]
		printf "%s: after %d more pass(es) at 150,000 frames/s: %d concurrent connections; RSS %d -> %d KiB: %.0f bytes per connection\n",
			$1, $8, $7, $4, $5, ($5 - $4) * 1024 / ($7 ? $7 : 1) }' "$out/conns.tsv"
}

# The control plane: SERVICES TCP services of 10 real servers each, as ipvsadm -S writes.
rules_file() {
	awk -v n="$1" 'BEGIN { for (s = 0; s < n; s++) {
		vip = sprintf("10.100.%d.%d:80", int(s / 250), s % 250 + 1)
		printf "-A -t %s -s wlc\n", vip
		for (r = 0; r < 10; r++)
			printf "-a -t %s -r 10.101.%d.%d:80 -m -w 1\n", vip, int((s * 10 + r) / 250) % 256, (s * 10 + r) % 250 + 1
	} }'
}

# ctl_run SERVICES ROUNDS LIMIT: uvsadm -R of the rules while 50,000 frames/s flow to
# the benchmark's service for LIMIT + 2 s; the restore is stopped after LIMIT s.
ctl_run() {
	local nsvc=$1 rounds=$2 limit=$3 io r rules=$tmp/rules res before after t lines got ucpu
	local want base keys s0 s1
	rules_file "$nsvc" >"$rules"
	[ "$nsvc" = 0 ] && echo >"$rules"
	lines=$(wc -l <"$rules")
	# The steering keys the rules add: one per VIP and one per distinct NAT real server
	# (the rules reuse real-server addresses: 64,000 of them for 100,000 lines).
	want=$(awk '$1 == "-A" { k[$3] = 1 } $1 == "-a" && / -m/ { k["r" $5] = 1 } END { print length(k) }' "$rules")
	for io in $backends; do
		for r in $(seq "$rounds"); do
			on dir sysctl -qw net.ipv4.ip_forward=0
			# Both CPUs: the restore's control thread and the worker on cores of their own
			# as far as 2 CPUs allow (gen needs little at 50,000 frames/s).
			uvsd_cpus=0,1 uvsd_start "$io" -m
			local u0
			u0=$(cpu_ticks "$uvsd_pid")
			before=$(sink_rx)
			send --dst $VIP --dport $PORT --flows 1000 --repeat --rate 50000 --seconds $((limit + 2)) \
				--count $((50000 * (limit + 2))) >"$tmp/steady" &
			local gpid=$!
			sleep 1
			base=$(adm -L --counters | awk '$1 == "steer_keys" { print $2 }')
			# Wall time of the whole restore, as a user would time it.
			[ "$nsvc" = 0 ] && : >"$rules" # the baseline: the same stream, no restore
			t=$(TIMEFORMAT=%R; { time UVSD_SOCKET=$tmp/uvsd.sock timeout "$limit" \
				ip netns exec "$p-dir" "$uvsadm" -R <"$rules" >/dev/null 2>"$tmp/restore.err"; } 2>&1) || true
			# How long after that steering holds every key (polled every 10 ms, up to 10 s).
			s0=$(date +%s%N)
			for _ in $(seq 1000); do
				keys=$(adm -L --counters | awk '$1 == "steer_keys" { print $2 }')
				[ "$keys" -ge $((base + want)) ] && break
				sleep 0.01
			done
			s1=$(date +%s%N)
			wait $gpid
			sleep 0.3
			after=$(sink_rx)
			ucpu=$(awk -v t=$(($(cpu_ticks "$uvsd_pid") - u0)) -v k="$tck" 'BEGIN { print t / k }')
			got=$(adm -L -n | grep -c '^[TU][CD]P')
			res=$(cat "$tmp/steady")
			# The steering map's keys (a service and each NAT destination's replies).
			echo "$io N=$nsvc round $r: steer_keys $keys of $((base + want))" \
				"$(awk -v n=$((s1 - s0)) 'BEGIN { printf "%.3f", n / 1e9 }') s after the restore returned;" \
				"uvsd's last log line: $(tail -1 "$tmp/uvsd.log")" >>"$out/ctl-steer.txt"
			awk -v r="$res" -v n=$((after - before)) -v pre="$io	$r	$lines	$t	$got	$ucpu" \
				'BEGIN { split(r, a, " "); printf "%s\t%d\t%d\n", pre, a[2] - n, a[2] }' >>"$out/ctl.tsv"
			uvsd_stop
		done
	done
}

part_ctl() {
	: >"$out/ctl.tsv"
	: >"$out/ctl-steer.txt"
	if [ "$quick" = --quick ]; then
		ctl_run 0 1 3
		ctl_run 100 1 3
	else
		ctl_run 0 1 10
		ctl_run 1000 "$rounds" 10
		ctl_run 10000 1 60
	fi
	echo "ctl: uvsadm -R (N TCP services x 10 real servers: 11 N lines) while 50,000 frames/s flow to another service"
	awk -F'\t' '{ printf "%s round %s: %d lines: %s s to apply%s, %d services after (1 + N), uvsd CPU %.2f s, %d of %d frames lost\n",
		$1, $2, $3, $4, ($5 <= $3 / 11) ? " (stopped at the time limit)" : "", $5, $6, $7, $8 }' "$out/ctl.tsv"
	cat "$out/ctl-steer.txt"
	awk -F'\t' '$3 >= 100000 { printf "target uvsadm -R of %d lines under 1 s: %s s %s\n", $3, $4, ($4 < 1 && $5 > $3 / 11) ? "met" : "MISSED" }' "$out/ctl.tsv"
	awk -F'\t' '{ l += $7 } END { printf "target no lost frame: %d lost in all %s\n", l, l ? "MISSED" : "met" }' "$out/ctl.tsv"
}

# The CPU ticks of uvsd's HTTP thread (libmicrohttpd names it MHD-single).
http_ticks() {
	local t
	for t in /proc/"$1"/task/*; do
		[ "$(cat "$t/comm")" = MHD-single ] && awk '{ print $14 + $15 }' "$t/stat" && return
	done
	echo 0
}

part_scrape() {
	local r mode res scraper k h0 modes=(none scrape)
	: >"$out/scrape.tsv"
	rules_file 100 >"$tmp/rules100"
	for r in $(seq $((rounds * 2))); do
		k=$((r % 2))
		for mode in "${modes[@]:k}" "${modes[@]:0:k}"; do
			on dir sysctl -qw net.ipv4.ip_forward=0
			uvsd_start af_packet -m --metrics 127.0.0.1:9911
			adm -R <"$tmp/rules100"
			: >"$tmp/scrapes"
			scraper=
			h0=$(http_ticks "$uvsd_pid")
			if [ "$mode" = scrape ]; then
				(while :; do
					on dir curl -sf -o /dev/null -w '%{size_download}\n' \
						http://127.0.0.1:9911/metrics >>"$tmp/scrapes" || true
					sleep 1
				done) &
				scraper=$!
			fi
			res=$(run_frames $VIP)
			[ -z "$scraper" ] || { kill "$scraper"; wait "$scraper" 2>/dev/null || true; }
			# mode round fwd offered gen-ns ksoftirqd-ns (run_frames) scrapes bytes-each
			# http-thread-cpu-s
			printf '%s\t%s\t%s\t%s\n' "$mode" "$r" "${res// /	}" \
				"$(awk -v t=$(($(http_ticks "$uvsd_pid") - h0)) -v k="$tck" \
					'{ n++; b = $1 } END { printf "%d\t%d\t%.3f", n, b, t / k }' "$tmp/scrapes")" \
				>>"$out/scrape.tsv"
			uvsd_stop
		done
	done
	col() { awk -v m="$1" -v k="$2" '$1 == m { print $k }' "$out/scrape.tsv" | median; }
	share() { awk -v m="$1" '$1 == m { print $3 / $4 }' "$out/scrape.tsv" | median; }
	echo "scrape: uvsd NAT af_packet, 64-byte UDP at full speed, 101 services (1,001 real servers), $secs s per run, $((rounds * 2)) interleaved round(s), medians"
	printf '%-8s %12s %12s %10s %8s %12s %14s\n' scrape "fwd fps" "offered fps" "fwd share" scrapes \
		"bytes each" "HTTP thread s"
	for mode in none scrape; do
		printf '%-8s %12.0f %12.0f %9.1f%% %8.0f %12.0f %14.3f\n' "$mode" "$(col "$mode" 3)" \
			"$(col "$mode" 4)" "$(awk -v s="$(share "$mode")" 'BEGIN { print 100 * s }')" \
			"$(col "$mode" 7)" "$(col "$mode" 8)" "$(col "$mode" 9)"
	done
	awk -v a="$(share scrape)" -v b="$(share none)" 'BEGIN {
		printf "scrape every second: forwards %.1f%% of what it forwards without (target >= 99%%: %s)\n",
			100 * a / b, (a / b >= 0.99) ? "met" : "MISSED" }'
}

part_cpu_idle() {
	local io t0 t1
	: >"$out/cpu_idle.tsv"
	for io in $backends; do
		uvsd_start "$io" -m
		sleep 1
		t0=$(cpu_ticks "$uvsd_pid")
		sleep 5
		t1=$(cpu_ticks "$uvsd_pid")
		printf '%s\t%s\n' "$io" "$(awk -v t=$((t1 - t0)) -v k="$tck" 'BEGIN { print t / k }')" >>"$out/cpu_idle.tsv"
		uvsd_stop
	done
	cpu_frames_report
	echo "cpu: uvsd's CPU time (utime + stime, /proc/PID/stat)"
	[ -s "$out/cpu_busy.tsv" ] && for io in $backends; do
		for c in rx0-nat rx0-dr rx1-nat rx1-dr; do
			awk -F'\t' -v io="$io" -v c=$c '$1 == io && $2 == c { print $3 }' "$out/cpu_busy.tsv" | median |
				awk -v io="$io" -v c=$c '{ printf "%s %s: %.3f CPU seconds per million frames forwarded (median of the frame runs)\n", io, c, $1 }'
		done
	done
	awk -F'\t' '{ printf "%s idle 5 s with a service configured: %.2f CPU seconds: target none %s\n", $1, $2, $2 == 0 ? "met" : "MISSED" }' \
		"$out/cpu_idle.tsv"
}

: >"$out/cpu_busy.tsv"
: >"$out/cpu_frames.tsv"
: >"$out/counters.txt"
case $what in all | frames | cpu) for l in $layouts; do part_frames "$l"; done ;; esac
case $what in all | cpu | lowrate) part_lowrate ;; esac
case $what in lowrate) cpu_frames_report ;; esac
rps 0
case $what in all | cpu) part_cpu_idle ;; esac
case $what in all | conns) part_conns ;; esac
case $what in all | ctl) part_ctl ;; esac
case $what in all | scrape) part_scrape ;; esac
