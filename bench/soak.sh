#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Soak: uvsd (an AddressSanitizer + UBSan build) in the e2e lab (nat) for SECONDS under
# mixed traffic while its configuration changes every second, then checks:
#   - it never died, exits 0 on SIGTERM, and its log holds no sanitizer report (leaks
#     included, reported at exit);
#   - its RSS and open file descriptors are flat after the warm-up (the first quarter,
#     at least 70 s: the SYN noise's entries fill the table for a SYN_RECV timeout):
#     the largest RSS of the rest at most 10 % (and 16 MB) above the warm-up's last
#     sample, file descriptors within 2 of it;
#   - its counters are consistent: every real server's ActiveConn + InActConn equals
#     the connection entries uvsadm -L -c lists for it. At the end, once the traffic
#     has stopped, exactly: the count between a listing just before and one just after
#     (expiries go on). Every 10 s under traffic, where the noise makes and expires
#     100 entries a second while the two listings and the count (three requests) are
#     taken, within 5 % + 5 of those listings: a count that drifts away from the
#     entries (a connection counted twice, or never released) still shows.
# Traffic from the client, each a loop until the end: HTTP keep-alive (one curl, 20
# requests a second on one connection) to 10.0.0.1:80, a connection per request to
# [2001:db8:f::1]:80, UDP to 10.0.0.1:53; from the router's side of the LAN: SYN noise
# from random spoofed sources (100 a second) and malformed frames (hostile.py, every
# kind, every 5 s). Configuration, one change a second in turn: a real server deleted,
# added back, weights edited, uvsadm -R of every service as edits, SIGHUP (the rules
# file that declares the UDP service, its weights changed), and every 30 s uvsadm -R
# of a saved configuration after -C (everything removed and added again).
# Writes one line per sample to REPORT (time s, RSS kB, fds, connections, consistent).
# Usage: bench/soak.sh UVSD UVSADM SECONDS [REPORT]   (root; exits 77 without it)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
[ $# -ge 3 ] || {
	echo "usage: $0 UVSD UVSADM SECONDS [REPORT]" >&2
	exit 2
}
if [ "$(id -u)" != 0 ]; then
	echo "SKIP: soak.sh needs root (network namespaces)"
	exit 77
fi
export LAB_UVSD LAB_UVSADM
LAB_UVSD=$(realpath "$1")
LAB_UVSADM=$(realpath "$2")
secs=$3
report=${4:-/dev/null}
LAB_PREFIX=uvssk$$
# shellcheck source=tests/e2e/lab.sh
. "$here/../tests/e2e/lab.sh"
# A small quarantine: freed memory stops adding to the RSS early in the run.
export ASAN_OPTIONS=detect_leaks=1:quarantine_size_mb=16:malloc_context_size=8
export UBSAN_OPTIONS=print_stacktrace=1
V4=$LAB_VIP4
V6=$LAB_VIP6
failed=0
fail() {
	echo "FAIL: $*"
	failed=$((failed + 1))
}

lab_up nat
lab_servers_start
rules=$LAB_TMP/rules
write_rules() { # WEIGHT: the UDP service of the rules file
	{
		echo "-A -u $V4:53 -s rr"
		for rs in "${LAB_RS[@]}"; do echo "-a -u $V4:53 -r ${LAB_IP4[$rs]}:53 -m -w $1"; done
	} >"$rules"
}
write_rules 1
lab_uvsd_start --interface "$LAB_DEV" --state "$LAB_TMP/state" --rules "$rules" \
	--max-conns 200000 || exit 1
pid=$(cat "$LAB_TMP/director.pid")
lab_uvsadm -A -t "$V4:80" -s wlc
lab_uvsadm -A -t "[$V6]:80" -s rr
for rs in "${LAB_RS[@]}"; do
	lab_uvsadm -a -t "$V4:80" -r "${LAB_IP4[$rs]}:80" -m
	lab_uvsadm -a -t "[$V6]:80" -r "[${LAB_IP6[$rs]}]:80" -m
done

start=$SECONDS
end=$((start + secs))
# ---- traffic: each a loop in the background until the end ----
for ((i = 0; i < 20; i++)); do printf 'url = "http://%s/"\n' "$V4"; done >"$LAB_TMP/keepalive.cfg"
keepalive() {
	while [ "$SECONDS" -lt "$end" ]; do
		lab_exec cli curl -s --rate 20/s --max-time 5 -o /dev/null -w '%{http_code}\n' \
			-K "$LAB_TMP/keepalive.cfg" || true
	done >"$LAB_TMP/keepalive.out" 2>&1
}
per_request() {
	while [ "$SECONDS" -lt "$end" ]; do
		lab_exec cli curl -s --max-time 2 -H 'Connection: close' -o /dev/null \
			-w '%{http_code}\n' "http://[$V6]/" || true
		sleep 0.05
	done >"$LAB_TMP/close.out" 2>&1
}
udp() {
	while [ "$SECONDS" -lt "$end" ]; do
		lab_udp_count "$V4" 20 || true
		sleep 0.5
	done >"$LAB_TMP/udp.out" 2>&1
}
malformed() {
	while [ "$SECONDS" -lt "$end" ]; do
		lab_exec rtr "$LAB_PYTHON" "$LAB_HERE/hostile.py" frames --dev "$LAB_DEV" \
			--src-mac "${LAB_MAC[rtr]}" --dst-mac "${LAB_MAC[dir]}" \
			--src4 "${LAB_IP4[cli]}" --src6 "${LAB_IP6[cli]}" --vip4 "$V4" --vip6 "$V6" \
			--dir4 "${LAB_IP4[dir]}" --rs4 "${LAB_IP4[rs1]}" --count 5 --kinds \
			ip4-bad-csum ip4-bad-header ip4-bad-length ip6-bad-length tcp-truncated \
			udp-bad-length fragment l4-bad-csum src-zero src-loopback src-broadcast \
			src-vip src-director src-rs src6-loopback src6-mapped || true
		sleep 5
	done >"$LAB_TMP/malformed.out" 2>&1
}
keepalive &
loops=("$!")
per_request &
loops+=("$!")
udp &
loops+=("$!")
malformed &
loops+=("$!")
lab_spawn rtr noise "$LAB_PYTHON" "$here/soak_noise.py" "$LAB_DEV" "${LAB_MAC[rtr]}" \
	"${LAB_MAC[dir]}" "$V4" 80 100 "$secs"

# ---- the checks' samples ----
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status" 2>/dev/null || echo 0; }
fds() { find "/proc/$pid/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l; }
# Each real server's ActiveConn + InActConn against the entries listed for it, the
# listing taken just before and just after the counts (two requests, while traffic may
# add and expire entries): the count must lie between the two listings' numbers.
# Prints the real servers outside ("SERVICE DEST counted listed-before listed-after"),
# nothing when every one is inside, with a slack of PCT % + EXTRA either way.
differences() { # PCT EXTRA
	lab_uvsadm -L -n -c >"$LAB_TMP/listed1"
	lab_uvsadm -L -n >"$LAB_TMP/counted"
	lab_uvsadm -L -n -c >"$LAB_TMP/listed2"
	awk -v pct="$1" -v extra="$2" 'FNR == 1 { file++ }
		file != 2 && ($1 == "TCP" || $1 == "UDP" || $1 == "SCTP") { listed[file, $1 " " $5 " " $6]++ }
		file == 2 && /^(TCP|UDP|SCTP) / { svc = $1 " " $2 }
		file == 2 && /^  -> / && $2 != "RemoteAddress:Port" { counted[svc " " $2] = $5 + $6 }
		END { for (k in counted) {
			a = listed[1, k] + 0; b = listed[3, k] + 0
			lo = a < b ? a : b; hi = a < b ? b : a
			slack = int(hi * pct / 100) + extra; lo -= slack; hi += slack
			if (counted[k] < lo || counted[k] > hi) print k, counted[k], a, b } }' \
		"$LAB_TMP/listed1" "$LAB_TMP/counted" "$LAB_TMP/listed2"
}
consistent() { # TRIES PCT EXTRA: 0 if a try found no difference (the last try's are printed)
	local try diff
	for ((try = 0; try < $1; try++)); do
		diff=$(differences "$2" "$3" 2>&1) || true
		[ -z "$diff" ] && return 0
		sleep 0.2
	done
	echo "$diff" | head -5 | sed 's/^/    counted vs listed: /'
	return 1
}
: >"$report"
samples=()
next_sample=$start
tick=0
alive=1
while [ "$SECONDS" -lt "$end" ]; do
	if ! kill -0 "$pid" 2>/dev/null; then
		alive=0
		break
	fi
	# ---- one configuration change ----
	w=$((RANDOM % 5 + 1))
	case $((tick % 6)) in
	0) lab_uvsadm -d -t "$V4:80" -r "${LAB_IP4[rs3]}:80" || true ;;
	1) lab_uvsadm -a -t "$V4:80" -r "${LAB_IP4[rs3]}:80" -m -w "$w" || true ;;
	2) lab_uvsadm -e -t "$V4:80" -r "${LAB_IP4[rs1]}:80" -m -w "$w" || true
	   lab_uvsadm -e -t "[$V6]:80" -r "[${LAB_IP6[rs2]}]:80" -m -w "$w" || true ;;
	3) lab_uvsadm -S -n | sed 's/^-A /-E /; s/^-a /-e /' | lab_uvsadm -R || true ;;
	4) write_rules "$w"
	   kill -HUP "$pid" ;;
	5) if [ $((tick % 30)) -eq 29 ]; then
		   { echo -C; lab_uvsadm -S -n; } >"$LAB_TMP/saved"
		   lab_uvsadm -R <"$LAB_TMP/saved" || true
	   else
		   lab_uvsadm -E -t "$V4:80" -s "$([ $((tick % 12)) -lt 6 ] && echo wlc || echo lc)" || true
	   fi ;;
	esac
	tick=$((tick + 1))
	if [ "$SECONDS" -ge "$next_sample" ]; then
		ok=1
		consistent 3 5 5 || ok=0
		line="$((SECONDS - start)) $(rss_kb) $(fds) $(lab_uvsadm -L -n -c | wc -l) $ok"
		echo "$line" >>"$report"
		samples+=("$line")
		echo "    t=${line%% *} s: rss $(cut -d' ' -f2 <<<"$line") kB, fds $(cut -d' ' -f3 <<<"$line"), entries $(cut -d' ' -f4 <<<"$line"), consistent $ok"
		next_sample=$((next_sample + 10))
	fi
	sleep 1
done
wait "${loops[@]}" # the traffic loops end at $end
lab_stop noise

if [ "$alive" = 0 ] || ! kill -0 "$pid" 2>/dev/null; then
	alive=0
	fail "uvsd died at $((SECONDS - start)) s (its log below)"
fi
if [ "$alive" = 1 ]; then
	# Quiet now: the listings must agree at once (a try or two for an expiry between).
	consistent 10 0 0 || fail "counters and listed connections differ after the traffic"
	bad=$(printf '%s\n' "${samples[@]}" | awk '$5 == 0' | wc -l)
	[ "$bad" -eq 0 ] || fail "$bad of ${#samples[@]} samples inconsistent under traffic"
	# The table fills for a SYN_RECV timeout (60 s) before the noise's entries expire
	# as fast as they come.
	warm=$((secs / 4 > 70 ? secs / 4 : 70))
	verdict=$(printf '%s\n' "${samples[@]}" | awk -v warm="$warm" '
		$1 < warm { rss0 = $2; fd0 = $3; next }
		{ if ($2 > rss) rss = $2; if ($3 > fdmax || fdmax == "") fdmax = $3
		  if (fdmin == "" || $3 < fdmin) fdmin = $3; n++ }
		END {
			if (!n || !rss0) { print "no samples after the warm-up"; exit }
			limit = rss0 * 1.10; if (limit < rss0 + 16384) limit = rss0 + 16384
			if (rss > limit) printf "RSS grew from %d to %d kB after the warm-up\n", rss0, rss
			if (fdmax - fd0 > 2 || fd0 - fdmin > 2) printf "fds moved from %d to %d..%d\n", fd0, fdmin, fdmax
		}')
	[ -z "$verdict" ] || fail "$verdict"
fi
# SIGTERM: exit 0, and no sanitizer report (leaks are reported at exit).
rm -f "$LAB_TMP/director.pid"
kill -TERM "$pid" 2>/dev/null || true
rc=0
wait "$pid" 2>/dev/null || rc=$?
[ "$rc" = 0 ] || fail "uvsd exited $rc on SIGTERM"
if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$LAB_TMP/director.log"; then
	fail "sanitizer report in uvsd's log"
fi
grep -q 'signal 15: stopping' "$LAB_TMP/director.log" || fail "uvsd did not stop on SIGTERM"
ok_ka=$(grep -c '^200$' "$LAB_TMP/keepalive.out" || true)
ok_close=$(grep -c '^200$' "$LAB_TMP/close.out" || true)
echo "traffic: $ok_ka keep-alive and $ok_close per-connection requests answered," \
	"$(awk '/^rs/ { n += $2 } END { print n + 0 }' "$LAB_TMP/udp.out") UDP answers," \
	"$(tail -1 "$LAB_TMP/noise.log" 2>/dev/null), $tick configuration changes"
if [ "$failed" -gt 0 ]; then
	echo "uvsd's log (its end):"
	tail -n 40 "$LAB_TMP/director.log" | sed 's/^/    /'
fi
echo "soak.sh: $secs s, $failed failed"
[ "$failed" -eq 0 ]
