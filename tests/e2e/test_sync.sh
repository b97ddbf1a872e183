#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The sync daemon between two directors in the lab (LAB_PAIR=1), by NAT, or by
# direct routing with SYNC_MODE=dr: uvsd in dir runs a master, uvsd in dir2 a backup
# (both with --interface eth0 and the same services). 50 slow HTTP downloads (1.5 MB
# each, paced at 100 KB/s by the real servers' nginx limit_rate) from the client, 25
# over IPv4 and 25 over IPv6, go through dir; their connections appear in dir2's
# uvsadm -L -n -c as ESTABLISHED; then dir's uvsd is killed (-9) and the VIPs moved to
# dir2 by hand (the router's routes, and in NAT the real servers' default routes):
# every download completes through dir2 with the right bytes, dir2 carried the rest
# (NAT: the replies' bytes; DR: the clients' ACKs), and it made no connection of its
# own for them. Bounded: about 20 s here, 45 s (curl --max-time) at most.
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

# DOWNLOADS downloads (half over each VIP) from ports of their own, paced by the real
# servers' nginx (limit_rate, /slow/): what has not reached the client is still to be
# sent, through whichever director holds the VIP.
DOWNLOADS=50
mkdir "$LAB_TMP/dl"
for n in $(seq 1 "$DOWNLOADS"); do
	vip=$V4
	[ "$n" -le $((DOWNLOADS / 2)) ] || vip=$V6
	lab_spawn cli "dl$n" curl -sS --globoff --max-time 45 \
		--local-port "$((30000 + n * 10))-$((30000 + n * 10 + 9))" \
		-o "$LAB_TMP/dl/$n" "$(url "$vip" slow/big)"
done
established() { # UVSADM: how many of the downloads' entries it lists ESTABLISHED
	"$1" -L -n -c | awk '$3 == "ESTABLISHED" && $4 ~ /:30[0-9][0-9][0-9]$/' | wc -l
}
master_has_them() { [ "$(established lab_uvsadm)" -ge "$DOWNLOADS" ]; }
backup_has_them() { [ "$(established uvsadm2)" -ge "$DOWNLOADS" ]; }
check "the master has the $DOWNLOADS downloads' connections ESTABLISHED" lab_wait 10 master_has_them
# A partial message goes out within 2 s, and the check of the master's thread is 1 s.
check "the backup lists them ESTABLISHED, synced" lab_wait 8 backup_has_them
states() { # UVSADM: how many of the downloads' entries it lists in each state
	"$1" -L -n -c | awk '$4 ~ /:30[0-9][0-9][0-9]$/ { n[$3]++ } END { for (s in n) printf " %s %d", s, n[s] }'
}
echo "    states: master$(states lab_uvsadm), backup$(states uvsadm2)"
received() { # the bytes the downloads have written so far
	find "$LAB_TMP/dl" -type f -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }'
}
backup_out() { # the bytes the backup sent the client for the services (NAT: the replies)
	uvsadm2 -L -n --stats --exact | awk '/^(TCP|UDP)/ { s += $7 } END { print s + 0 }'
}
backup_in() { # the packets the backup forwarded from the client
	uvsadm2 -L -n --stats --exact | awk '/^(TCP|UDP)/ { s += $4 } END { print s + 0 }'
}
check "the backup forwarded nothing before the takeover" [ "$(backup_in)" -eq 0 ]

# The master dies; the VIPs move to the backup.
kill -KILL "$(cat "$LAB_TMP/director.pid")"
rm -f "$LAB_TMP/director.pid"
# Nothing crosses dir now: what the clients have is what came through the master.
before=$(received)
lab_vip_to dir2
echo "    $before bytes received before the takeover"

# Each download: its exit code, length and the server's file it must equal.
bad4="" bad6=""
for n in $(seq 1 "$DOWNLOADS"); do
	rc=0
	wait "$(cat "$LAB_TMP/dl$n.pid")" || rc=$?
	rm -f "$LAB_TMP/dl$n.pid"
	got=$(stat -c %s "$LAB_TMP/dl/$n" 2>/dev/null || echo 0)
	rs=$(head -n 1 "$LAB_TMP/dl/$n" 2>/dev/null || true)
	same=no
	[ -n "$rs" ] && [ -f "$LAB_TMP/$rs/files/big" ] && cmp -s "$LAB_TMP/dl/$n" "$LAB_TMP/$rs/files/big" && same=yes
	[ "$rc $got $same" = "0 $SIZE yes" ] && continue
	line="download $n ($rs): curl exit $rc, $got of $SIZE bytes, same as the file: $same"
	if [ "$n" -le $((DOWNLOADS / 2)) ]; then
		bad4+="$line"$'\n'
	else
		bad6+="$line"$'\n'
	fi
done
expect "the $((DOWNLOADS / 2)) IPv4 downloads complete through the backup, every byte" "" "${bad4%$'\n'}"
expect "the $((DOWNLOADS - DOWNLOADS / 2)) IPv6 downloads complete through the backup, every byte" "" "${bad6%$'\n'}"
total=$((DOWNLOADS * SIZE))
check "there was more to send after the takeover ($before of $total bytes before)" \
	[ "$before" -lt "$total" ]
# Paced by the servers, what the clients had not received was still to cross a director
# (nine tenths of it at least: a client may not have read all it had been sent).
if [ "$MODE" = nat ]; then
	out=$(backup_out)
	check "the backup sent the clients the rest: $out bytes, at least $(((total - before) * 9 / 10))" \
		[ "$out" -ge $(((total - before) * 9 / 10)) ]
else
	# DR: the clients' ACKs only, at least one a window (64 KB) of what was left.
	in=$(backup_in)
	check "the backup forwarded the clients' ACKs: $in packets, at least $(((total - before) / 65536))" \
		[ "$in" -ge $(((total - before) / 65536)) ]
fi
# Nothing scheduled anew on the backup: it forwarded what the master had made.
expect "the backup scheduled no connection of its own" 0 \
	"$(uvsadm2 -L -n --stats --exact | awk '/^TCP/ { s += $3 } END { print s + 0 }')"
rx_new=$(uvsadm2 -L --counters | awk '$1 == "sync_rx_new" { print $2 }')
check "the backup counted the synced entries: sync_rx_new $rx_new" [ "${rx_new:-0}" -ge "$DOWNLOADS" ]
check "the backup's uvsd still runs" kill -0 "$(cat "$LAB_TMP/uvsd-dir2.pid")"
echo "$(basename "$0") ($MODE): $((SECONDS - E2E_START)) s, $E2E_FAILED failed"
[ "$E2E_FAILED" -eq 0 ]
