#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The takeover gap: the longest time a stream through a director pair saw no data when
# the master's uvsd is killed (-9) and the VIP moved by hand to the backup (the lab's
# pair, tests/e2e/lab.sh with LAB_PAIR=1, NAT). A TCP download read at about 2 MB/s and
# a UDP stream of a datagram every 2 ms (bench/gap_client.py), started after the backup
# took the table by the hand-over (uvsd --sync-peer); the master is killed 6 s in: a
# connection is first sent when its first entry has waited 2 s (IPVS_SYNC_FLUSH_TIME,
# the master looks every second), so one younger than about 3 s is lost at a takeover,
# as with the kernel.
# What it measures is uvs's part: a real pair also waits for VRRP to notice (keepalived:
# 3 adverts and the skew, about 3.6 s at advert_int 1) before the VIP moves.
# Usage: bench/sync_gap.sh BUILD [ROUNDS]   (root)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
LAB_BUILD=$(cd "${1:?usage: $0 BUILD [ROUNDS]}" && pwd)
export LAB_BUILD
rounds=${2:-3}
export LAB_PAIR=1
# shellcheck source=tests/e2e/lab.sh
. "$here/../tests/e2e/lab.sh"
for r in $(seq "$rounds"); do
	lab_up nat >/dev/null
	lab_vip_to dir
	lab_servers_start
	for rs in "${LAB_RS[@]}"; do
		head -c 50000000 /dev/zero >"$LAB_TMP/$rs/files/big"
	done
	lab_uvsd_start --interface "$LAB_DEV" --sync-peer "${LAB_IP4[dir2]}"
	for p in "-t $LAB_VIP4:80" "-u $LAB_VIP4:53"; do
		# shellcheck disable=SC2086
		lab_uvsadm -A $p -s rr
		for rs in "${LAB_RS[@]}"; do
			# shellcheck disable=SC2086
			lab_uvsadm -a $p -r "${LAB_IP4[$rs]}" -m
		done
	done
	lab_uvsadm --start-daemon master --mcast-interface "$LAB_DEV"
	lab_uvsd_start_at dir2 --interface "$LAB_DEV" --sync-peer "${LAB_IP4[dir]}"
	lab_uvsadm -S -n | lab_uvsadm_at dir2 -R
	lab_uvsadm_at dir2 --start-daemon backup --mcast-interface "$LAB_DEV"
	sleep 1
	lab_spawn cli gap "$LAB_PYTHON" "$here/gap_client.py" "$LAB_VIP4" /files/big 12
	sleep 6
	kill -KILL "$(cat "$LAB_TMP/director.pid")"
	lab_vip_to dir2
	while kill -0 "$(cat "$LAB_TMP/gap.pid")" 2>/dev/null; do sleep 0.2; done
	echo "round $r: $(tr '\n' ' ' <"$LAB_TMP/gap.log")(gap ms; bytes, how and when it ended / answered, sent)"
	lab_down
done
