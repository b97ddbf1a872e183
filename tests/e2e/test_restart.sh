#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A planned restart keeps the connection table (--conn-file, here the default beside
# --state), in the lab by NAT, or by direct routing with RESTART_MODE=dr: 30 slow HTTP
# downloads (nginx's limit_rate, 15 over IPv4 and 15 over IPv6) run through uvsd; uvsd
# is stopped with SIGTERM (it writes its table) and started again with the same
# options (it reads the table before it forwards): every download completes with the
# right bytes from the real server it started on, the new uvsd scheduled none of them
# anew, and its counters say it restored them. Bounded: about 20 s.
# Usage: test_restart.sh DECAP_OBJ UVSD UVSADM
set -euo pipefail
# shellcheck source=tests/e2e/common.sh
. "$(cd "$(dirname "$0")" && pwd)/common.sh"

MODE=${RESTART_MODE:-nat}
FWD=$([ "$MODE" = nat ] && echo -m || echo -g)
V4=$LAB_VIP4
V6=$LAB_VIP6
N=30

lab_up "$MODE"
lab_servers_start
for rs in "${LAB_RS[@]}"; do
	# The server's name on the first line, then random text: 1.3 MB, 13 s at the
	# server's 100 KiB/s (lab.sh's /slow/; curl's --limit-rate paces by how fast the
	# path delivers, and the XDP fast path made its downloads end in 5 s).
	{ echo "$rs"; head -c 1000000 /dev/urandom | base64 -w 76; } >"$LAB_TMP/$rs/files/big"
done
SIZE=$(stat -c %s "$LAB_TMP/rs1/files/big")

STATE=$LAB_TMP/state
e2e_uvsd_start --state "$STATE"
svc_add tcp "$V4" 80 "$FWD" rr
svc_add tcp "$V6" 80 "$FWD" rr

for ((n = 1; n <= N; n++)); do
	vip=$V4
	[ $((n % 2)) -eq 0 ] && vip=$V6
	lab_spawn cli "dl$n" curl -sS --globoff --max-time 45 \
		--local-port "$((30000 + n * 10))-$((30000 + n * 10 + 9))" \
		-o "$LAB_TMP/dl$n" "$(url "$vip" slow/big)"
done
established() { # how many of the downloads' entries uvsadm lists ESTABLISHED
	lab_uvsadm -L -n -c | awk '$3 == "ESTABLISHED" && $4 ~ /:30[0-9][0-9][0-9]$/' | wc -l
}
all_established() { [ "$(established)" -ge "$N" ]; }
# The downloads' entries by state: "COUNT STATE" lines.
states() { lab_uvsadm -L -n -c | awk '$4 ~ /:30[0-9][0-9][0-9]$/ { print $3 }' | sort | uniq -c; }
# Restarted once every download is under way (on a loaded machine the last may start
# seconds after the first: at most 10 s), as the check below says. If they never are,
# what they were instead says why. The 10 s are the clock's: lab_wait counts tries,
# and under ASan on a loaded machine each listing took long enough for 100 tries to
# outlast the downloads (twice in CI, every download finished before the restart).
deadline=$((SECONDS + 10))
until all_established; do
	if [ "$SECONDS" -ge "$deadline" ]; then
		states | sed 's/^/    not all established yet: /'
		break
	fi
	sleep 0.1
done
echo "    before the restart: $(established) of the downloads' entries ESTABLISHED"
received() {
	for ((n = 1; n <= N; n++)); do stat -c %s "$LAB_TMP/dl$n" 2>/dev/null || echo 0; done |
		awk '{ s += $1 } END { print s + 0 }'
}

# The restart: SIGTERM (exit 0, no sanitizer report), then the same command line.
before=$(received)
going=$(for ((n = 1; n <= N; n++)); do stat -c %s "$LAB_TMP/dl$n" 2>/dev/null || echo 0; done |
	awk -v size="$SIZE" '$1 < size { n++ } END { print n + 0 }')
start=$(date +%s%N)
e2e_uvsd_stop
mv "$LAB_TMP/director.log" "$LAB_TMP/director-old.log"
e2e_uvsd_start --state "$STATE"
echo "    restart: $(($(date +%s%N) / 1000000 - start / 1000000)) ms from SIGTERM to the new uvsd's socket, $before bytes received before"
check "the old uvsd wrote its table" \
	grep -q "connection table: [0-9]* connection(s) written to $STATE.conns" "$LAB_TMP/director-old.log"
check "the new uvsd restored the $N downloads' connections" \
	[ "$(counter restart_conns_restored)" -ge "$N" ]
expect "none was refused, dropped or unbound" "0 0 0" \
	"$(counter restart_conns_refused) $(counter restart_conns_dropped) $(counter restart_conns_no_dest)"
check "the table file was taken and removed" [ ! -e "$STATE.conns" ]
# Their entries, in the state they had (a download that ended meanwhile may have moved
# on to FIN_WAIT or TIME_WAIT: under load the first starts well before the last).
listed=$(states)
sed 's/^/    after the restart: /' <<<"$listed"
expect "uvsd lists the $N downloads' connections again" "$N" \
	"$(awk '{ n += $1 } END { print n + 0 }' <<<"$listed")"
check "none of them made anew (SYN_RECV)" [ -z "$(grep SYN_RECV <<<"$listed" || true)" ]

for ((n = 1; n <= N; n++)); do
	rc=0
	wait "$(cat "$LAB_TMP/dl$n.pid")" || rc=$?
	rm -f "$LAB_TMP/dl$n.pid"
	got=$(stat -c %s "$LAB_TMP/dl$n" 2>/dev/null || echo 0)
	rs=$(head -n 1 "$LAB_TMP/dl$n" 2>/dev/null || true)
	same=no
	[ -n "$rs" ] && [ -f "$LAB_TMP/$rs/files/big" ] && cmp -s "$LAB_TMP/dl$n" "$LAB_TMP/$rs/files/big" && same=yes
	expect "download $n ($rs) completes across the restart, every byte" "0 $SIZE yes" "$rc $got $same"
done
check "most downloads were under way at the restart ($going of $N not complete, $before of $((N * SIZE)) bytes)" \
	[ "$going" -ge $((N * 2 / 3)) ]
# The new uvsd forwarded what the old one had made: it scheduled nothing itself.
expect "the new uvsd scheduled no connection of its own" 0 \
	"$(lab_uvsadm -L -n --stats --exact | awk '/^TCP/ { s += $3 } END { print s + 0 }')"
e2e_done
