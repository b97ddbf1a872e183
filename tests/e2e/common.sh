# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
#
# tests/e2e/common.sh — what uvsd's end-to-end tests (test_nat.sh and test_dr.sh
# through forward.sh, test_tun.sh, test_hostile.sh, test_fwmark.sh) share. Source it
# from a test started as
#   test_X.sh DECAP_OBJ UVSD UVSADM
# It skips (exit 77) without root or network namespaces, sources lab.sh with those
# programs, and gives:
#   expect NAME WANT GOT        one check: "ok: NAME" or "FAIL: NAME" with a diff
#   check NAME cmd...           one check that cmd succeeds
#                               (a failed check also prints uvsd's counters that are
#                               not 0, while it runs: what it dropped, and why)
#   e2e_done                    stops uvsd (exit 0 on SIGTERM, no sanitizer report
#                               in its log: two more checks), prints the count of
#                               failures; exits 1 if any
#   e2e_uvsd_start [args...]    uvsd --interface eth0 args in dir; fails the test if
#                               it does not start (its log printed). With UVSD_IO set
#                               in the environment (af_xdp), uvsd gets --io UVSD_IO,
#                               and a check that its XDP program is on the link; with
#                               UVSD_FAST_PATH (entries) too, --fast-path, the lab's
#                               peer of dir's link gets LAB_XDP_PASS_OBJ (a veth takes
#                               its peer's XDP_TX frames only so); with
#                               UVSD_FAST_PATH_HITS=1, e2e_done checks that the fast
#                               path forwarded frames
#   uvsd_alive                  uvsd (the lab's "director" process) still runs
#   svc_add PROTO VIP PORT FWD SCHED [uvsadm -A options...]
#                               a service over rs1..rs3 (FWD: -m, -g or -i), weight 1
#   stats_table                 uvsadm -L -n --stats --exact as lines
#                               "SERVICE DEST Conns InPkts OutPkts InBytes OutBytes",
#                               SERVICE as "TCP 10.0.0.1:80", DEST "-" for the
#                               service's own line
#   svc_stat SERVICE DEST FIELD     one number of that table (FIELD: conns inpkts outpkts
#                               inbytes outbytes); empty if the row is missing
#   conn_dests SERVICE          -L -n -c: "ADDR:PORT COUNT" per destination of the
#                               connection entries of SERVICE ("10.0.0.1:80",
#                               "[2001:db8:f::1]:80"), sorted
#   counter NAME                one of uvsadm -L --counters
#   curl_seq URL N [RATE]       N requests from cli in order, each on a new connection
#                               from source ports of its own (at most RATE a second:
#                               curl --rate); one line each: the body, or "fail"
#   curl_count URL N            as lab_curl_count, but each request from source ports
#                               of its own (4 for each, unused before in the test): in
#                               DR and TUN the director sees no reply and keeps a closed
#                               connection in FIN_WAIT, so a request that reused its
#                               port would go to the same server, as in IPVS
#                               (conn_reuse_mode 1), and the kernel reuses ports when
#                               the server closes first
#   lines_at_least FILE N       FILE has N lines or more (for lab_wait)
#   url ADDR [PATH]             http://ADDR/PATH with IPv6 in brackets
#   rs_addr RS 4|6              a real server's address
set -euo pipefail
E2E_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export LAB_DECAP_OBJ=${1:?usage: $0 DECAP_OBJ UVSD UVSADM}
export LAB_UVSD=${2:?usage: $0 DECAP_OBJ UVSD UVSADM}
export LAB_UVSADM=${3:?usage: $0 DECAP_OBJ UVSD UVSADM}

if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP: the lab needs root (network namespaces)"
	exit 77
fi
if ! ip netns add "uvse2eprobe$$" 2>/dev/null; then
	echo "SKIP: cannot create a network namespace"
	exit 77
fi
ip netns del "uvse2eprobe$$"

# shellcheck source=tests/e2e/lab.sh
. "$E2E_HERE/lab.sh"

E2E_FAILED=0
E2E_START=$SECONDS

expect() { # NAME WANT GOT
	if [ "$2" = "$3" ]; then
		echo "ok: $1"
	else
		echo "FAIL: $1"
		diff <(printf '%s\n' "$2") <(printf '%s\n' "$3") | sed 's/^/    /' || true
		_e2e_failed
	fi
}

check() { # NAME cmd...
	local name=$1
	shift
	if "$@"; then
		echo "ok: $name"
	else
		echo "FAIL: $name"
		_e2e_failed
	fi
}

# Counts a failure and shows uvsd's counters that are not 0 (a drop names its cause):
# a failure seen once in many runs can be understood from its log alone.
_e2e_failed() {
	E2E_FAILED=$((E2E_FAILED + 1))
	uvsd_alive || return 0
	echo "    uvsd's counters that are not 0:"
	lab_uvsadm -L --counters 2>&1 | awk '$2 != "0" { print "      " $0 }' || true
}

# Stops uvsd with SIGTERM (KILL after 10 s): it must exit 0, and its log must hold no
# sanitizer report (the ASan/UBSan build runs these tests too).
e2e_uvsd_stop() {
	local pid rc=0 tries=100
	[ -f "$LAB_TMP/director.pid" ] || return 0
	pid=$(cat "$LAB_TMP/director.pid")
	rm -f "$LAB_TMP/director.pid"
	kill -TERM "$pid" 2>/dev/null || true
	while kill -0 "$pid" 2>/dev/null && [ "$tries" -gt 0 ]; do
		sleep 0.1
		tries=$((tries - 1))
	done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" || rc=$?
	expect "uvsd exits 0 on SIGTERM" 0 "$rc"
	expect "uvsd's log holds no sanitizer report" "" \
		"$(grep -E 'ERROR: (Address|Leak|Thread)Sanitizer|runtime error:' "$LAB_TMP/director.log" || true)"
}

e2e_done() {
	local alive=0 hits
	if [ -n "$LAB_TMP" ]; then
		if [ -n "${UVSD_FAST_PATH_HITS:-}" ] && uvsd_alive; then
			hits=$(counter fastpath_hits)
			check "the XDP fast path forwarded frames (${hits:-0})" [ "${hits:-0}" -gt 0 ]
		fi
		uvsd_alive && alive=1
		e2e_uvsd_stop
		if [ "$alive" = 0 ] || [ "$E2E_FAILED" -gt 0 ]; then
			echo "uvsd's log (its end):"
			tail -n 40 "$LAB_TMP/director.log" 2>/dev/null | sed 's/^/    /' || true
		fi
	fi
	echo "$(basename "$0"): $((SECONDS - E2E_START)) s, $E2E_FAILED failed"
	[ "$E2E_FAILED" -eq 0 ] || exit 1
	exit 0
}

e2e_uvsd_start() {
	if [ -n "${UVSD_IO:-}" ]; then
		set -- --io "$UVSD_IO" "$@"
	fi
	if [ -n "${UVSD_FAST_PATH:-}" ]; then
		set -- --fast-path "$UVSD_FAST_PATH" "$@"
		ip -n "$(lab_ns lan)" link show dir | grep -q prog/xdp ||
			ip -n "$(lab_ns lan)" link set dev dir xdp obj "${LAB_XDP_PASS_OBJ:?}" \
				sec xdp.frags
	fi
	if ! lab_uvsd_start --interface "$LAB_DEV" "$@"; then
		echo "FAIL: uvsd --interface $LAB_DEV${*:+ $*} did not start"
		exit 1
	fi
	# A uvsd that cannot use the interface may exit just after making its socket.
	sleep 0.2
	if ! uvsd_alive; then
		echo "FAIL: uvsd --interface $LAB_DEV${*:+ $*} exited:"
		sed 's/^/    /' "$LAB_TMP/director.log"
		exit 1
	fi
	# The backend asked for is the one in use: AF_XDP attaches its XDP program.
	if [ "${UVSD_IO:-}" = af_xdp ]; then
		check "uvsd --io af_xdp: an XDP program on dir's $LAB_DEV" \
			lab_exec dir sh -c "ip link show $LAB_DEV | grep -q xdp"
	fi
}

uvsd_alive() {
	[ -f "$LAB_TMP/director.pid" ] && kill -0 "$(cat "$LAB_TMP/director.pid")" 2>/dev/null
}

rs_addr() { # RS 4|6
	if [ "$2" = 6 ]; then
		printf '%s\n' "${LAB_IP6[$1]}"
	else
		printf '%s\n' "${LAB_IP4[$1]}"
	fi
}

_bracket() { # ADDR: IPv6 in brackets
	case $1 in
	*:*) printf '[%s]\n' "$1" ;;
	*) printf '%s\n' "$1" ;;
	esac
}

url() { # ADDR [PATH]
	printf 'http://%s/%s\n' "$(_bracket "$1")" "${2:-}"
}

svc_add() { # PROTO VIP PORT FWD SCHED [options...]
	local proto=$1 vip=$2 port=$3 fwd=$4 sched=$5 rs fam=4 svc
	shift 5
	case $vip in *:*) fam=6 ;; esac
	svc="$(_bracket "$vip"):$port"
	lab_uvsadm -A "-${proto:0:1}" "$svc" -s "$sched" "$@"
	for rs in "${LAB_RS[@]}"; do
		lab_uvsadm -a "-${proto:0:1}" "$svc" -r "$(_bracket "$(rs_addr "$rs" "$fam")"):$port" "$fwd"
	done
}

stats_table() {
	lab_uvsadm -L -n --stats --exact | awk '
		/^(TCP|UDP|SCTP|FWM) / { svc = $1 " " $2; print svc, "-", $3, $4, $5, $6, $7; next }
		/^  -> / && svc != "" && $2 != "RemoteAddress:Port" { print svc, $2, $3, $4, $5, $6, $7 }'
}

svc_stat() { # SERVICE DEST FIELD
	local col
	case $3 in
	conns) col=4 ;;
	inpkts) col=5 ;;
	outpkts) col=6 ;;
	inbytes) col=7 ;;
	outbytes) col=8 ;;
	*) return 2 ;;
	esac
	stats_table | awk -v s="$1" -v d="$2" -v c="$col" '$1 " " $2 == s && $3 == d { print $c }'
}

conn_dests() { # SERVICE: "ADDR:PORT" of the virtual column
	lab_uvsadm -L -n -c | awk -v v="$1" 'NR > 2 && $5 == v { print $6 }' | sort | uniq -c |
		awk '{ print $2, $1 }'
}

counter() { # NAME
	lab_uvsadm -L --counters | awk -v n="$1" '$1 == n { print $2 }'
}

# The first of 4 x N client ports no earlier request of this test used: a reused port
# may meet its old connection in uvs (one a new SYN does not replace: only TIME_WAIT
# and CLOSE are replaced, and in DR and TUN the director never sees the server's FIN),
# which would send the request to the old connection's server. Ports 10000..32767,
# below the kernel's ephemeral range, handed out in order for the whole test (5,600
# requests before they come round again). Four each: curl takes the next if one is busy.
_client_ports() { # N
	local next=10000
	[ -f "$LAB_TMP/next-client-port" ] && next=$(cat "$LAB_TMP/next-client-port")
	[ $((next + 4 * $1)) -le 32767 ] || next=10000
	echo $((next + 4 * $1)) >"$LAB_TMP/next-client-port"
	echo "$next"
}

curl_seq() { # URL N [RATE]
	local cfg=$LAB_TMP/curlseq.$BASHPID.$RANDOM i line body= port
	port=$(_client_ports "$2")
	# Each request from source ports of its own (as curl_count): a port the kernel
	# reused would meet its old connection in uvs, which is not always one a new SYN
	# replaces (only TIME_WAIT and CLOSE are), e.g. the one that was in flight to a
	# deleted server, left ESTABLISHED when its RST was dropped as IPVS drops it. 6 s
	# per request: with sanitizers and other suites on both CPUs, 3 s was seen to be
	# too short once.
	for ((i = 0; i < $2; i++)); do
		[ "$i" -eq 0 ] || echo next
		printf 'url = "%s"\nsilent\ngloboff\nmax-time = 6\nconnect-timeout = 6\n' "$1"
		printf 'no-buffer\nheader = "Connection: close"\nwrite-out = "%%{http_code}\\n"\n'
		printf 'local-port = %d-%d\n' $((port + 4 * i)) $((port + 4 * i + 3))
	done >"$cfg"
	[ -z "${3:-}" ] || printf 'rate = "%s/s"\n' "$3" >>"$cfg"
	# Each transfer prints its body, then its status code on a line of its own: "000"
	# when it got nothing (curl goes on with the next one). Read by bash, which writes
	# each line as it comes (awk would wait for a block of input).
	{ timeout 120 ip netns exec "$(lab_ns cli)" curl -K "$cfg" ||
		true; } | while IFS= read -r line; do
		if [[ $line =~ ^[0-9][0-9][0-9]$ ]]; then
			if [ "$line" = 200 ] && [ -n "$body" ]; then echo "$body"; else echo fail; fi
			body=
		else
			body=$line
		fi
	done
	rm -f "$cfg"
}

lines_at_least() { # FILE N
	[ -f "$1" ] && [ "$(wc -l <"$1")" -ge "$2" ]
}

curl_count() { # URL N
	local cfg=$LAB_TMP/curlcount.$BASHPID.$RANDOM i port
	port=$(_client_ports "$2")
	for ((i = 0; i < $2; i++)); do
		[ "$i" -eq 0 ] || echo next
		printf 'url = "%s"\nsilent\ngloboff\nmax-time = 5\nconnect-timeout = 2\n' "$1"
		printf 'header = "Connection: close"\nlocal-port = %d-%d\n' \
			$((port + 4 * i)) $((port + 4 * i + 3))
	done >"$cfg"
	{ timeout 60 ip netns exec "$(lab_ns cli)" curl -K "$cfg" || true; } | _lab_tally "$2"
	rm -f "$cfg"
}
