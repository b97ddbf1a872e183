#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# HTTP through the director (issue 5, part 2), in the e2e lab (tests/e2e/lab.sh, dr
# mode): wrk on cli, through rtr, against nginx on rs1, one contender at a time:
#   direct   wrk to rs1's own address (no balancer; rs1 answers via rtr)
#   nat      uvsd --interface eth0 in dir, VIP:80 -> rs1:80 -m (rs1's default route
#            switched to dir for these runs, as NAT needs)
#   dr       the same with -g (rs1 has the VIP on lo and answers via rtr)
#   nat_xdp  nat with uvsd --io af_xdp (the steering XDP program on dir's eth0)
#   dr_xdp   dr with uvsd --io af_xdp
#   nat_fp   nat_xdp with the XDP fast path (--fast-path 65536: established flows
#            forwarded by the XDP program; the lab's peer of dir's eth0 gets a pass-all
#            XDP program, BUILD_DIR/tests/e2e/xdp_pass.o, to take the frames sent back)
#   dr_fp    dr_xdp with the fast path
#   haproxy  HAProxy in TCP mode in dir, VIP:81 -> rs1:80
#   nginx    nginx's stream proxy in dir, VIP:82 -> rs1:80
#   kern-nat dir's own IP forwarding on NAT's path: wrk to rs1's address, rtr and rs1
#            routing each other's traffic through dir (no balancer: the cost of the hop
#            through dir when the kernel forwards it in softirq)
#   kern-dr  the same on DR's path: only the client's direction through dir
# Every balancer has the one real server rs1, so each ratio to direct is the cost of
# the extra hop alone. Threads: each its default for this 2-CPU machine (uvsd one
# worker per CPU, HAProxy one thread per CPU, nginx worker_processes auto); rs1's
# nginx has 1 worker. Two modes: keep-alive, and "Connection: close" (a new TCP
# connection per request). wrk -t2 -c50 (UVS_BENCH_CONNS) for $secs s per run, rounds
# interleaved.
#
# Usage: http.sh BUILD_DIR OUT_DIR [--quick]; writes OUT_DIR/http.tsv, and uvsd's
# nonzero counters after each of its runs to OUT_DIR/http-counters.txt.
# UVS_BENCH_CONTENDERS (words) runs only those, UVS_BENCH_MODES (keepalive, close) only
# those modes, UVS_BENCH_ROUNDS=N N rounds, UVS_BENCH_CONNS=N N connections at a time
# (default 50: throughput; 1: each request's latency, one after another);
# UVS_BENCH_UVSD_NICE=N runs every uvsd thread at nice N (what an operator's `Nice=`
# in uvsd.service would do); UVS_BENCH_UVSD_ARGS (words) are more options for uvsd.
# Each run also records the machine's busy CPU time per request and uvsd's, in
# microseconds (busy_ticks, uvsd_ticks). UVS_BENCH_PERF=1 also samples the whole
# machine (perf record -e cpu-clock -a -g, 999 Hz) over each timed run, into
# OUT_DIR/perf-ROUND-WHO-MODE.data, and writes where its CPU went per request
# (bench/perf_where.py) to OUT_DIR/http-where.txt.
set -euo pipefail
build=$(cd "$1" && pwd)
out=$2
quick=${3:-}
rounds=${UVS_BENCH_ROUNDS:-3}
secs=5
conns=${UVS_BENCH_CONNS:-50}
threads=$((conns < 2 ? conns : 2))
read -ra modes <<<"${UVS_BENCH_MODES:-keepalive close}"
[ "$quick" = --quick ] && { rounds=1; secs=1; }
mkdir -p "$out"
if [ "$(id -u)" != 0 ]; then
	echo "http.sh: skipped: needs root" >&2
	exit 77
fi
LAB_BUILD=$build
LAB_PREFIX=uvsbh$$
. "$(dirname "$0")/../tests/e2e/lab.sh"
lab_up dr
lab_servers_start
rs=${LAB_IP4[rs1]}
vip=$LAB_VIP4
# The proxies listen on the VIP: an address of dir (on lo, so ARP is not involved).
lab_exec dir ip addr add "$vip/32" dev lo
# Many short connections from one client: every local port, and TIME_WAIT reuse.
lab_exec cli sysctl -qw net.ipv4.ip_local_port_range="1024 65000" net.ipv4.tcp_tw_reuse=1
lab_exec rs1 sysctl -qw net.core.somaxconn=4096 net.ipv4.tcp_max_syn_backlog=4096

cat >"$LAB_TMP/haproxy.cfg" <<EOF
global
	maxconn 8000
	pidfile $LAB_TMP/haproxy.pid
defaults
	mode tcp
	timeout connect 5s
	timeout client 30s
	timeout server 30s
listen bench
	bind $vip:81
	server rs1 $rs:80
EOF
mkdir -p "$LAB_TMP/ngx"
cat >"$LAB_TMP/ngx/nginx.conf" <<EOF
load_module /usr/lib/nginx/modules/ngx_stream_module.so;
user root;
worker_processes auto;
pid $LAB_TMP/ngx/nginx.pid;
error_log $LAB_TMP/ngx/error.log;
events { worker_connections 8192; }
stream {
	server {
		listen $vip:82 backlog=4096;
		proxy_pass $rs:80;
	}
}
EOF

# start/stop CONTENDER; url CONTENDER
listening() { [ -n "$(lab_exec dir ss -Hltn "sport = :$1")" ]; }
start() {
	case $1 in
	nat | dr | nat_xdp | dr_xdp | nat_fp | dr_fp)
		local io=()
		[ "${1#*_}" = xdp ] && io=(--io af_xdp)
		if [ "${1#*_}" = fp ]; then
			io=(--io af_xdp --fast-path 65536)
			lab_exec lan ip link set dev dir xdp obj "$build/tests/e2e/xdp_pass.o" sec xdp.frags
		fi
		[ "${1%_*}" = nat ] && lab_exec rs1 ip route replace default via "${LAB_IP4[dir]}"
		rm -f "$LAB_TMP/uvsd.sock"
		read -ra extra <<<"${UVS_BENCH_UVSD_ARGS:-}"
		lab_uvsd_start --interface eth0 "${io[@]}" "${extra[@]}"
		if [ -n "${UVS_BENCH_UVSD_NICE:-}" ]; then
			for t in "/proc/$(cat "$LAB_TMP/director.pid")"/task/*; do
				renice -n "$UVS_BENCH_UVSD_NICE" -p "${t##*/}" >/dev/null
			done
		fi
		lab_uvsadm -A -t "$vip:80" -s rr
		lab_uvsadm -a -t "$vip:80" -r "$rs:80" "$([ "${1%_*}" = nat ] && echo -m || echo -g)"
		;;
	kern-nat | kern-dr)
		lab_director_forward 1
		lab_exec rtr ip route replace "$rs/32" via "${LAB_IP4[dir]}"
		[ "$1" = kern-dr ] || lab_exec rs1 ip route replace default via "${LAB_IP4[dir]}"
		;;
	haproxy)
		lab_spawn dir haproxy haproxy -db -f "$LAB_TMP/haproxy.cfg"
		lab_wait 10 listening 81
		;;
	nginx)
		lab_spawn dir nginx-stream nginx -c "$LAB_TMP/ngx/nginx.conf" -g "daemon off;"
		lab_wait 10 listening 82
		;;
	esac
}
stop() {
	case $1 in
	nat | dr | nat_xdp | dr_xdp | nat_fp | dr_fp)
		lab_stop director
		lab_exec lan ip link set dev dir xdp off
		lab_exec rs1 ip route replace default via "${LAB_IP4[rtr]}"
		;;
	kern-nat | kern-dr)
		lab_director_forward 0
		lab_exec rtr ip route del "$rs/32"
		lab_exec rs1 ip route replace default via "${LAB_IP4[rtr]}"
		;;
	haproxy) lab_stop haproxy ;;
	nginx) lab_stop nginx-stream ;;
	esac
}
url() {
	case $1 in
	direct | kern-nat | kern-dr) echo "http://$rs/" ;;
	nat | dr | nat_xdp | dr_xdp | nat_fp | dr_fp) echo "http://$vip/" ;;
	haproxy) echo "http://$vip:81/" ;;
	nginx) echo "http://$vip:82/" ;;
	esac
}
# wrk's report -> "req/s p50_ms p99_ms errors"
parse() {
	awk 'function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0;
			if (v ~ /m$/) return v * 60000; return v * 1000 }
		/Requests\/sec:/ { rps = $2 }
		$1 == "50%" { p50 = ms($2) }
		$1 == "99%" { p99 = ms($2) }
		/Socket errors:/ { gsub(",", ""); err = $4 + $6 + $8 + $10 }
		/Non-2xx/ { err += $NF }
		END { printf "%s %.3f %.3f %d\n", rps, p50, p99, err }'
}

# The machine's CPU time not idle so far, in clock ticks (every CPU, every namespace);
# uvsd's own (its threads', with the kernel's work done in their system calls: the
# sends' receive processing on the veth peers too), 0 without a uvsd.
busy_ticks() { awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8 }' /proc/stat; }
uvsd_ticks() {
	local pid stat=
	pid=$(cat "$LAB_TMP/director.pid" 2>/dev/null) || pid=
	[ -n "$pid" ] && { stat=$(cat "/proc/$pid/stat" 2>/dev/null) || stat=; }
	# After the command's parentheses: state is field 1, utime and stime 12 and 13.
	awk -v s="${stat##*) }" 'BEGIN { split(s, f, " "); print f[12] + f[13] }'
}
# TICKS RATE -> microseconds of CPU per request over the run
per_request() {
	awk -v b="$1" -v r="$2" -v hz="$(getconf CLK_TCK)" -v s="$secs" \
		'BEGIN { printf "%.1f", (r > 0) ? b / hz * 1e6 / (r * s) : 0 }'
}

tsv=$out/http.tsv
: >"$tsv"
: >"$out/http-counters.txt"
[ -z "${UVS_BENCH_PERF:-}" ] || : >"$out/http-where.txt"
read -ra contenders <<<"${UVS_BENCH_CONTENDERS:-direct nat dr nat_xdp dr_xdp nat_fp dr_fp haproxy nginx kern-nat kern-dr}"
for r in $(seq "$rounds"); do
	k=$(((r - 1) % ${#contenders[@]}))
	order=("${contenders[@]:k}" "${contenders[@]:0:k}")
	for c in "${order[@]}"; do
		start "$c"
		# Both modes while the contender is up; the first second of each is not taken.
		for mode in "${modes[@]}"; do
			hdr=()
			[ $mode = close ] && hdr=(-H "Connection: close")
			lab_exec cli timeout 10 wrk -t$threads -c$conns -d1s "${hdr[@]}" "$(url "$c")" \
				>/dev/null 2>&1 || true
			busy0=$(busy_ticks)
			own0=$(uvsd_ticks)
			perf_pid=
			if [ -n "${UVS_BENCH_PERF:-}" ]; then
				perf record -q -e cpu-clock -F 999 -a -g -o "$out/perf-$r-$c-$mode.data" \
					-- sleep "$secs" >/dev/null 2>&1 &
				perf_pid=$!
			fi
			res=$(lab_exec cli timeout $((secs + 10)) wrk -t$threads -c$conns -d"${secs}s" \
				--latency "${hdr[@]}" "$(url "$c")" | parse)
			busy=$(($(busy_ticks) - busy0))
			own=$(($(uvsd_ticks) - own0))
			if [ -n "$perf_pid" ]; then
				wait "$perf_pid" || true
				{
					echo "round $r $c $mode (${res%% *} requests/s):"
					"$(dirname "$0")/perf_where.py" "$out/perf-$r-$c-$mode.data" \
						"$(awk -v r="${res%% *}" -v s="$secs" 'BEGIN { print r * s }')"
				} >>"$out/http-where.txt" 2>&1 || true
			fi
			res="$res $(per_request "$busy" "${res%% *}") $(per_request "$own" "${res%% *}")"
			printf '%s\t%s\t%s\t%s\n' "$r" "$c" "$mode" "${res// /	}" >>"$tsv"
		done
		# uvsd's nonzero counters after both modes: where frames were lost, if they were.
		case $c in nat | dr | nat_xdp | dr_xdp | nat_fp | dr_fp)
			lab_uvsadm -L --counters | awk -v w="round $r $c:" '$2 != 0 { s = s " " $1 "=" $2 }
				END { print w s }' >>"$out/http-counters.txt" ;;
		esac
		stop "$c"
	done
done

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
col() { awk -F'\t' -v c="$1" -v m="$2" -v k="$3" '$2 == c && $3 == m { print $k }' "$tsv" | median; }
echo "http: wrk -t$threads -c$conns -d${secs}s --latency from cli, nginx on rs1 behind each contender; $rounds interleaved round(s), medians"
printf '%-10s %-8s %10s %9s %9s %7s %9s %11s %11s\n' mode who "req/s" "p50 ms" "p99 ms" errors \
	"x direct" "cpu us/req" "uvsd us/req"
for mode in "${modes[@]}"; do
	d=$(col direct $mode 4)
	for c in "${contenders[@]}"; do
		printf '%-10s %-8s %10.0f %9.3f %9.3f %7d %9.2f %11.1f %11.1f\n' $mode "$c" \
			"$(col "$c" $mode 4)" "$(col "$c" $mode 5)" "$(col "$c" $mode 6)" \
			"$(col "$c" $mode 7)" \
			"$(awk -v a="$(col "$c" $mode 4)" -v b="$d" 'BEGIN { print b ? a / b : 0 }')" \
			"$(col "$c" $mode 8)" "$(col "$c" $mode 9)"
	done
done
target() { # MODE WHO AGAINST MIN (when both ran)
	case " ${modes[*]} " in *" $1 "*) ;; *) return ;; esac
	case " ${contenders[*]} " in *" $2 "*) ;; *) return ;; esac
	case " ${contenders[*]} " in *" $3 "*) ;; *) return ;; esac
	awk -v a="$(col "$2" "$1" 4)" -v b="$(col "$3" "$1" 4)" -v m="$4" -v t="$*" \
		'BEGIN { printf "target %s: %.2f %s\n", t, a / b, (a / b >= m) ? "met" : "MISSED" }'
}
for nat in nat nat_xdp nat_fp; do
	target keepalive $nat direct 0.9
	target keepalive $nat haproxy 1.3
	target keepalive $nat kern-nat 1.0
	target close $nat direct 0.85
	target close $nat haproxy 1.5
	target close $nat kern-nat 1.0
done
for dr in dr dr_xdp dr_fp; do
	target keepalive $dr direct 0.95
	target close $dr direct 0.95
done
