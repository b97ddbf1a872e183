#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The full-table hand-over between two directors (LAB_PAIR=1, NAT), for what the
# kernel's sync never sends: flows that stay idle. dir's uvsd (a master, --sync-peer
# dir2) forwards, from the client, 12 HTTP keep-alive connections (one request each),
# 6 UDP flows (one datagram each) and connections to a persistent service (-p) from
# three client addresses; then dir2's uvsd starts (--sync-peer dir), takes the
# services and a backup daemon, and gets dir's whole table over TCP. dir is killed
# (-9) and the VIPs moved to dir2: the next request on every idle connection and the
# next datagram of every flow succeed on the same real server, and each client's new
# connections stay on its real server. Then dir's uvsd starts again, takes its table
# back from dir2 when its master starts, and the VIPs return: every flow goes on once
# more. Bounded: about 40 s.
# Usage: test_sync_handover.sh DECAP_OBJ UVSD UVSADM
# shellcheck disable=SC2317 # the helpers run through lab_wait and check
set -euo pipefail
# shellcheck source=tests/e2e/common.sh
. "$(cd "$(dirname "$0")" && pwd)/common.sh"

export LAB_PAIR=1
V4=$LAB_VIP4
V6=$LAB_VIP6
TCP_FLOWS=12
UDP_FLOWS=6
CLIENTS6=2001:db8:c::2,2001:db8:c::3,2001:db8:c::4
PORT=8849 # the hand-over's, not the default: shows --sync-peer's :PORT

uvsadm2() { lab_uvsadm_at dir2 "$@"; }

# A peer uvsd cannot read stops it at once, saying why.
for bad in nonsense :8848 192.168.0.3:0 "[2001:db8::3" 192.168.0.3:99999; do
	rc=0
	msg=$("$LAB_UVSD" --foreground --sync-peer "$bad" 2>&1) || rc=$?
	expect "uvsd --sync-peer '$bad' is refused (status 2, a message naming it)" "2 yes" \
		"$rc $(case $msg in *"--sync-peer $bad"*) echo yes ;; *) echo "no: $msg" ;; esac)"
done

lab_up nat
lab_vip_to dir
lab_servers_start
for a in 2001:db8:c::3 2001:db8:c::4; do
	lab_exec cli ip -6 addr add "$a/64" dev "$LAB_DEV" nodad
done

e2e_uvsd_start --sync-peer "${LAB_IP4[dir2]}:$PORT"
svc_add tcp "$V4" 80 -m rr
svc_add udp "$V4" 53 -m rr
svc_add tcp "$V6" 80 -m rr -p 300
lab_uvsadm --start-daemon master --mcast-interface "$LAB_DEV" --syncid 5

# The client's flows, made while no backup runs: no message of the group carries them.
lab_spawn cli client "$LAB_PYTHON" "$E2E_HERE/handover_client.py" --dir "$LAB_TMP" \
	--vip4 "$V4" --vip6 "$V6" --tcp "$TCP_FLOWS" --udp "$UDP_FLOWS" --clients6 "$CLIENTS6"
round_done() { [ -f "$LAB_TMP/round.$1" ]; }
check "the client's flows are open (round 0)" lab_wait 20 round_done 0
expect "no flow failed in round 0" 0 "$(grep -c ' fail$' "$LAB_TMP/round.0" || true)"
sed 's/^/    round 0: /' "$LAB_TMP/round.0"
# Each client address on one real server (persistence), and not all on one.
pers_map() { awk '$1 == "pers" { print $2, $3 }' "$1" | sort -u; }
expect "each persistent client stays on one real server" 3 "$(pers_map "$LAB_TMP/round.0" | wc -l)"

# The master sends what round 0 made due within 2 s (and its thread looks every
# second): all of it gone before the backup joins. The idle flows send nothing more.
sleep 3.5
if ! lab_uvsd_start_at dir2 --interface "$LAB_DEV" --sync-peer "${LAB_IP4[dir]}:$PORT"; then
	echo "FAIL: the backup's uvsd did not start"
	exit 1
fi
lab_uvsadm -S -n | uvsadm2 -R
uvsadm2 --start-daemon backup --mcast-interface "$LAB_DEV" --syncid 5
fetched() { [ "$(lab_uvsadm_at dir2 -L --counters | awk '$1 == "sync_handover_fetched" { print $2 }')" -ge 1 ]; }
check "the backup fetched the master's table" lab_wait 10 fetched
conns_of() { # UVSADM PROTO VIP:PORT STATE: entries listed
	"$1" -L -n -c | awk -v p="$2" -v v="$3" -v s="$4" '$1 == p && $3 == s && $5 == v' | wc -l
}
expect "the backup lists the idle keep-alive connections ESTABLISHED" "$TCP_FLOWS" \
	"$(conns_of uvsadm2 TCP "$V4:80" ESTABLISHED)"
expect "the backup lists the UDP flows" "$UDP_FLOWS" "$(conns_of uvsadm2 UDP "$V4:53" UDP)"
expect "the backup lists the three persistence templates" 3 \
	"$(uvsadm2 -L -n -c | awk -v v="[$V6]:80" '$1 == "TCP" && $3 == "NONE" && $5 == v' | wc -l)"
expect "the master served one table" 1 "$(counter sync_handover_served)"
check "the hand-over brought the backup every idle flow and template" [ \
	"$(uvsadm2 -L --counters | awk '$1 == "sync_handover_received" { print $2 }')" -ge \
	$((TCP_FLOWS + UDP_FLOWS + 3)) ]

# The master dies; the VIPs move to the backup.
pid=$(cat "$LAB_TMP/director.pid")
kill -KILL "$pid"
wait "$pid" 2>/dev/null || true
rm -f "$LAB_TMP/director.pid" "$UVSD_SOCKET"
lab_vip_to dir2
touch "$LAB_TMP/go.1"
check "round 1 ends (through the backup)" lab_wait 70 round_done 1
sed 's/^/    round 1: /' "$LAB_TMP/round.1"
expect "every idle flow goes on through the backup, on its real server" \
	"$(grep -v '^pers' "$LAB_TMP/round.0")" "$(grep -v '^pers' "$LAB_TMP/round.1")"
expect "each persistent client's new connections stay on its real server" \
	"$(pers_map "$LAB_TMP/round.0")" "$(pers_map "$LAB_TMP/round.1")"
scheduled() { # UVSADM SERVICE: connections it scheduled
	"$1" -L -n --stats --exact | awk -v s="$2" '$1 " " $2 == s { print $3 }'
}
expect "the backup scheduled none of the TCP and UDP flows itself" "0 0" \
	"$(scheduled uvsadm2 "TCP $V4:80") $(scheduled uvsadm2 "UDP $V4:53")"

# The master comes back: its table from the backup when its daemon starts, then the VIPs.
e2e_uvsd_start --sync-peer "${LAB_IP4[dir2]}:$PORT"
uvsadm2 -S -n | lab_uvsadm -R
lab_uvsadm --start-daemon master --mcast-interface "$LAB_DEV" --syncid 5
back() { [ "$(counter sync_handover_fetched)" -ge 1 ]; }
check "the restarted master fetched the backup's table" lab_wait 10 back
expect "the restarted master lists the keep-alive connections again" "$TCP_FLOWS" \
	"$(conns_of lab_uvsadm TCP "$V4:80" ESTABLISHED)"
expect "and the UDP flows" "$UDP_FLOWS" "$(conns_of lab_uvsadm UDP "$V4:53" UDP)"
lab_vip_to dir
touch "$LAB_TMP/go.2"
check "round 2 ends (through the restarted master)" lab_wait 70 round_done 2
expect "every flow goes on after the VIPs returned, on its real server" \
	"$(grep -v '^pers' "$LAB_TMP/round.0")" "$(grep -v '^pers' "$LAB_TMP/round.2")"
expect "each persistent client still on its real server" \
	"$(pers_map "$LAB_TMP/round.0")" "$(pers_map "$LAB_TMP/round.2")"
expect "the restarted master scheduled none of the TCP and UDP flows itself" "0 0" \
	"$(scheduled lab_uvsadm "TCP $V4:80") $(scheduled lab_uvsadm "UDP $V4:53")"
for c in bad_type bad_header bad_length short failed; do
	expect "no hand-over error: sync_handover_$c" 0 "$(counter "sync_handover_$c")"
done
check "the backup's uvsd still runs" kill -0 "$(cat "$LAB_TMP/uvsd-dir2.pid")"
e2e_done
