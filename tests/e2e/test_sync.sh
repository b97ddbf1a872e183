#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The sync daemon between two directors in the lab (LAB_PAIR=1), by NAT, or by
# direct routing with SYNC_MODE=dr: uvsd in dir runs a master, uvsd in dir2 a backup
# (both with --interface eth0 and the same services). Slow HTTP downloads (curl
# --limit-rate) from the client over IPv4 and IPv6 go through dir; their connections
# appear in dir2's uvsadm -L -n -c as ESTABLISHED; then dir's uvsd is killed (-9) and
# the VIPs moved to dir2 by hand (the router's routes, and in NAT the real servers'
# default routes): every download completes through dir2 with the right bytes, and
# dir2 made no connection of its own for them. Bounded: about 30 s.
# Usage: test_sync.sh DECAP_OBJ UVSD UVSADM
set -euo pipefail
# shellcheck source=tests/e2e/common.sh
. "$(cd "$(dirname "$0")" && pwd)/common.sh"

MODE=${SYNC_MODE:-nat}
FWD=$([ "$MODE" = nat ] && echo -m || echo -g)
V4=$LAB_VIP4
V6=$LAB_VIP6
export LAB_PAIR=1

uvsadm2() { lab_uvsadm_at dir2 "$@"; }

lab_up "$MODE"
lab_vip_to dir # by hand: no VRRP here
lab_servers_start
for rs in "${LAB_RS[@]}"; do
	# The server's name on the first line, then random text: 1.5 MB each, about 15 s at
	# 100 KiB/s.
	{ echo "$rs"; head -c 1161216 /dev/urandom | base64 -w 76; } >"$LAB_TMP/$rs/files/big"
done
SIZE=$(stat -c %s "$LAB_TMP/rs1/files/big")

# The master, with the services; the same services on the backup.
e2e_uvsd_start
svc_add tcp "$V4" 80 "$FWD" rr
svc_add tcp "$V6" 80 "$FWD" rr
lab_uvsadm --start-daemon master --mcast-interface "$LAB_DEV" --syncid 7
if ! lab_uvsd_start_at dir2 --interface "$LAB_DEV"; then
	echo "FAIL: the backup's uvsd did not start"
	exit 1
fi
lab_uvsadm -S -n | uvsadm2 -R
uvsadm2 --start-daemon backup --mcast-interface "$LAB_DEV" --syncid 7
expect "the backup's services are the master's" "$(lab_uvsadm -S -n)" "$(uvsadm2 -S -n)"

# Three downloads over each VIP, from ports of their own.
n=0
for vip in "$V4" "$V6"; do
	for i in 1 2 3; do
		n=$((n + 1))
		lab_spawn cli "dl$n" curl -sS --globoff --max-time 40 --limit-rate 100k \
			--local-port "$((30000 + n * 10))-$((30000 + n * 10 + 9))" \
			-o "$LAB_TMP/dl$n" "$(url "$vip" files/big)"
	done
done
established() { # UVSADM: how many of the downloads' entries it lists ESTABLISHED
	"$1" -L -n -c | awk '$3 == "ESTABLISHED" && $4 ~ /:30[0-9][0-9][0-9]$/' | wc -l
}
master_has_them() { [ "$(established lab_uvsadm)" -ge 6 ]; }
backup_has_them() { [ "$(established uvsadm2)" -ge 6 ]; }
check "the master has the 6 downloads' connections ESTABLISHED" lab_wait 5 master_has_them
# A partial message goes out within 2 s, and the check of the master's thread is 1 s.
check "the backup lists them ESTABLISHED, synced" lab_wait 8 backup_has_them
{ lab_uvsadm -L -n -c | grep ':30[0-9][0-9][0-9] ' || true; } | sed 's/^/    master: /'
{ uvsadm2 -L -n -c | grep ':30[0-9][0-9][0-9] ' || true; } | sed 's/^/    backup: /'
before=$(for f in "$LAB_TMP"/dl?; do stat -c %s "$f" 2>/dev/null || echo 0; done |
	awk '{ s += $1 } END { print s + 0 }')
echo "    $before bytes received before the takeover"

# The master dies; the VIPs move to the backup.
kill -KILL "$(cat "$LAB_TMP/director.pid")"
rm -f "$LAB_TMP/director.pid"
lab_vip_to dir2

for n in 1 2 3 4 5 6; do
	rc=0
	wait "$(cat "$LAB_TMP/dl$n.pid")" || rc=$?
	rm -f "$LAB_TMP/dl$n.pid"
	got=$(stat -c %s "$LAB_TMP/dl$n" 2>/dev/null || echo 0)
	rs=$(head -n 1 "$LAB_TMP/dl$n" 2>/dev/null || true)
	same=no
	[ -n "$rs" ] && [ -f "$LAB_TMP/$rs/files/big" ] && cmp -s "$LAB_TMP/dl$n" "$LAB_TMP/$rs/files/big" && same=yes
	expect "download $n ($rs) completes through the backup, every byte" "0 $SIZE yes" "$rc $got $same"
done
check "there was more to send after the takeover ($before of $((6 * SIZE)) bytes before)" \
	[ "$before" -lt $((6 * SIZE)) ]
# Nothing scheduled anew on the backup: it forwarded what the master had made.
expect "the backup scheduled no connection of its own" 0 \
	"$(uvsadm2 -L -n --stats --exact | awk '/^TCP/ { s += $3 } END { print s + 0 }')"
check "the backup counted the synced entries" [ "$(uvsadm2 -L --counters | awk '$1 == "sync_rx_new" { print $2 }')" -ge 6 ]
check "the backup's uvsd still runs" kill -0 "$(cat "$LAB_TMP/uvsd-dir2.pid")"
echo "$(basename "$0") ($MODE): $((SECONDS - E2E_START)) s, $E2E_FAILED failed"
[ "$E2E_FAILED" -eq 0 ]
