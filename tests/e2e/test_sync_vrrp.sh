#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The sync daemons under keepalived's VRRP (the lab with LAB_PAIR=1, mode nat): dir and
# dir2 each run uvsd and Debian's keepalived under uvs-run, with one VRRP instance
# holding the VIP and the real servers' gateway, a virtual_server over rs1..rs3, and
# `lvs_sync_daemon eth0 uvs id 7` in global_defs: keepalived starts a master sync daemon
# in the uvsd of the VRRP master and a backup in the other's.
#  - dir (priority 150) is master, its uvsd runs the master daemon, dir2's the backup;
#  - 50 slow downloads (1.5 MB at 100 KB/s, nginx limit_rate) go through dir, and dir2
#    lists their connections ESTABLISHED;
#  - dir crashes: its keepalived (every process of it) and its uvsd killed with SIGKILL;
#    VRRP gives dir2 the VIP and the gateway, and its keepalived turns dir2's daemon
#    into a master: every download completes with every byte, through dir2, which
#    scheduled no connection of its own.
# Bounded: about 35 s here; the downloads end within 45 s (curl --max-time).
# Usage: test_sync_vrrp.sh DECAP_OBJ UVSD UVSADM UVS_RUN SANITIZE
set -euo pipefail
# shellcheck source=tests/e2e/common.sh
. "$(cd "$(dirname "$0")" && pwd)/common.sh"
# shellcheck source=tests/e2e/keepalived.sh
. "$(cd "$(dirname "$0")" && pwd)/keepalived.sh"
ka_require "${4:?usage: $0 DECAP_OBJ UVSD UVSADM UVS_RUN SANITIZE}" "${5:-none}"

V4=$LAB_VIP4
DOWNLOADS=50
LAB_PAIR=1 lab_up nat
lab_servers_start
for rs in "${LAB_RS[@]}"; do
	# The server's name on the first line, then random text: 1.5 MB, about 15 s at
	# 100 KB/s.
	{ echo "$rs"; head -c 1161216 /dev/urandom | base64 -w 76; } >"$LAB_TMP/$rs/files/big"
done
SIZE=$(stat -c %s "$LAB_TMP/rs1/files/big")
e2e_uvsd_start
lab_uvsd_start_at dir2 --interface "$LAB_DEV" || {
	echo "FAIL: uvsd in dir2 did not start"
	exit 1
}

ka_pair_conf dir 150 "lvs_sync_daemon $LAB_DEV uvs id 7" >"$LAB_TMP/ka-dir.conf"
ka_pair_conf dir2 100 "lvs_sync_daemon $LAB_DEV uvs id 7" >"$LAB_TMP/ka-dir2.conf"

reals() { # NODE: the service's real servers in NODE's uvsd
	lab_uvsadm_at "$1" -L -n | awk '/^  -> [0-9]/ { n++ } END { print n + 0 }'
}
has_reals() { [ "$(reals "$1")" = 3 ]; }
daemon_is() { # NODE STATE: NODE's uvsd runs that sync daemon alone, syncid 7 on eth0
	local d
	d=$(lab_uvsadm_at "$1" -L --daemon)
	[ "$(echo "$d" | wc -l)" = 1 ] && [[ $d == "$2 sync daemon (mcast=$LAB_DEV, syncid=7"[,\)]* ]]
}
established() { # NODE: how many of the downloads' entries its uvsd lists ESTABLISHED
	lab_uvsadm_at "$1" -L -n -c | awk '$3 == "ESTABLISHED" && $4 ~ /:30[0-9][0-9][0-9]$/' | wc -l
}
has_them() { [ "$(established "$1")" -ge "$DOWNLOADS" ]; }

finish() {
	local node
	lab_stop ka-dir
	lab_stop ka-dir2
	for node in dir dir2; do
		echo "keepalived on $node (its log's end):"
		tail -n 8 "$LAB_TMP/ka-$node.log" 2>/dev/null | sed 's/^/    /'
	done
	if [ -f "$LAB_TMP/uvsd-dir2.pid" ]; then
		pid=$(cat "$LAB_TMP/uvsd-dir2.pid")
		rm -f "$LAB_TMP/uvsd-dir2.pid"
		kill -TERM "$pid"
		rc=0
		wait "$pid" || rc=$?
		expect "dir2's uvsd exits 0 on SIGTERM" 0 "$rc"
	fi
	e2e_done
}

ka_start dir
ka_start dir2
check "dir's keepalived configured dir's uvsd" lab_wait 20 has_reals dir
check "dir2's keepalived configured dir2's uvsd" lab_wait 20 has_reals dir2
check "dir is master: the VIP and the gateway on dir" lab_wait 15 ka_holds_pair dir
check "dir's keepalived started a master sync daemon in dir's uvsd" lab_wait 10 daemon_is dir master
check "dir2's keepalived started a backup sync daemon in dir2's uvsd" lab_wait 10 daemon_is dir2 backup
[ "$E2E_FAILED" -eq 0 ] || finish

mkdir "$LAB_TMP/dl"
for n in $(seq 1 "$DOWNLOADS"); do
	lab_spawn cli "dl$n" curl -sS --max-time 45 \
		--local-port "$((30000 + n * 10))-$((30000 + n * 10 + 9))" \
		-o "$LAB_TMP/dl/$n" "$(url "$V4" slow/big)"
done
check "dir's uvsd has the $DOWNLOADS downloads' connections ESTABLISHED" lab_wait 10 has_them dir
check "dir2's uvsd lists them ESTABLISHED, synced" lab_wait 8 has_them dir2

# dir crashes: keepalived's processes stopped, then killed, so that none of them
# outlives the others to take the VIP away or tell the peer; uvsd killed too.
ka=$(cat "$LAB_TMP/ka-dir.pid")
kids=$(pgrep -P "$ka" | tr '\n' ' ')
# shellcheck disable=SC2086 # the children's pids, one word each
kill -STOP "$ka" $kids
# shellcheck disable=SC2086
kill -KILL $kids "$ka"
rm -f "$LAB_TMP/ka-dir.pid"
kill -KILL "$(cat "$LAB_TMP/director.pid")"
rm -f "$LAB_TMP/director.pid"
before=$(find "$LAB_TMP/dl" -type f -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }')
echo "    $before bytes received before the crash"
check "VRRP gives dir2 the VIP and the gateway" lab_wait 15 ka_holds_pair dir2
check "dir2's keepalived turned dir2's sync daemon into a master" lab_wait 10 daemon_is dir2 master

bad=""
for n in $(seq 1 "$DOWNLOADS"); do
	rc=0
	wait "$(cat "$LAB_TMP/dl$n.pid")" || rc=$?
	rm -f "$LAB_TMP/dl$n.pid"
	got=$(stat -c %s "$LAB_TMP/dl/$n" 2>/dev/null || echo 0)
	rs=$(head -n 1 "$LAB_TMP/dl/$n" 2>/dev/null || true)
	same=no
	[ -n "$rs" ] && [ -f "$LAB_TMP/$rs/files/big" ] && cmp -s "$LAB_TMP/dl/$n" "$LAB_TMP/$rs/files/big" && same=yes
	[ "$rc $got $same" = "0 $SIZE yes" ] ||
		bad+="download $n ($rs): curl exit $rc, $got of $SIZE bytes, same as the file: $same"$'\n'
done
expect "the $DOWNLOADS downloads complete through dir2, every byte" "" "${bad%$'\n'}"
check "there was more to send after the crash ($before of $((DOWNLOADS * SIZE)) bytes before)" \
	[ "$before" -lt $((DOWNLOADS * SIZE)) ]
stats=$(lab_uvsadm_at dir2 -L -n --stats --exact | awk -v s="$V4:80" '$1 == "TCP" && $2 == s')
expect "dir2 scheduled no connection of its own" 0 "$(echo "$stats" | awk '{ print $3 + 0 }')"
out=$(echo "$stats" | awk '{ print $7 + 0 }')
check "dir2 sent the clients the rest: $out bytes, at least $(((DOWNLOADS * SIZE - before) * 9 / 10))" \
	[ "$out" -ge $(((DOWNLOADS * SIZE - before) * 9 / 10)) ]
rx_new=$(lab_uvsadm_at dir2 -L --counters | awk '$1 == "sync_rx_new" { print $2 }')
check "dir2 counted the synced entries: sync_rx_new $rx_new" [ "${rx_new:-0}" -ge "$DOWNLOADS" ]
finish
