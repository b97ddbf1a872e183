#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Active-active directors behind ECMP (issue 19), in the lab of ecmp.sh: rtr runs BIRD
# with dist/bird-router.conf and a layer-4 multipath hash; dir, dir2 and dir3 each
# run uvsd (DR, mh with mh-fallback, sloppy_tcp, --announce-table) and BIRD with
# dist/bird-director.conf; the client has 32 addresses.
#   - Each VIP gets a path per director; a director's VIP whose real servers all have
#     weight 0 is withdrawn and comes back with one.
#   - 200 slow downloads at once spread over the three directors (each one's
#     connections a share); dir2's uvsd is killed (SIGKILL): its paths go within
#     ECMP_KILL_BOUND s and every download ends with the right bytes.
#   - 100 more: dir2 comes back (a director added back) and then dir3's link is cut
#     (BFD takes its paths away within ECMP_BFD_BOUND s): every download completes.
#   - 100 more: rs3 is quiesced (weight 0) on every director: every download ends
#     whole, and new connections from the clients rs1 and rs2 had keep them, those
#     of rs3 move to the others.
#   - 100 downloads from a second VIP scheduled by rr: every director is a sync master
#     and a backup of the others, so each holds every connection; dir3's uvsd is
#     killed and the flows it carried complete through the others.
# The bounds are docs/decisions.md's; the times are printed. About 70 s.
# Usage: test_ecmp.sh DECAP_OBJ UVSD UVSADM
set -euo pipefail
# shellcheck source=tests/e2e/common.sh
. "$(cd "$(dirname "$0")" && pwd)/common.sh"
# shellcheck source=tests/e2e/ecmp.sh
. "$E2E_HERE/ecmp.sh"

if ! command -v bird >/dev/null || ! command -v birdc >/dev/null; then
	echo "SKIP: no BIRD 2 (Debian's bird2)"
	exit 77
fi
ECMP_KILL_BOUND=2 # s: a killed uvsd's routes withdrawn at the router
ECMP_BFD_BOUND=2  # s: a dead link's (BFD: 3 x 100 ms)
DIRS=(dir dir2 dir3)
RATE=40000 # bytes/s per download

ecmp_up dr
lab_servers_start
for rs in "${LAB_RS[@]}"; do
	# The server's name on the first line, then random text: about 400 KB, 10 s.
	{ echo "$rs"; head -c 300000 /dev/urandom | base64 -w 76; } >"$LAB_TMP/$rs/files/big"
done
SIZE=$(stat -c %s "$LAB_TMP/rs1/files/big")
for d in "${DIRS[@]}"; do
	if ! ecmp_director_up "$d"; then
		echo "FAIL: uvsd in $d did not start"
		exit 1
	fi
done

check "rtr's route to $LAB_VIP4 has a next hop per director" ecmp_wait_paths 4 3 20
check "rtr's route to $LAB_VIP6 has a next hop per director" ecmp_wait_paths 6 3 20
expect "dir announces the VIPs in table $ECMP_TABLE" "$LAB_VIP4 $ECMP_VIP_RR $LAB_VIP6" \
	"$(lab_exec dir ip route show table all proto 250 | awk '{ print $1 }' | sort | xargs)"

# Announced only while it can serve: dir3's IPv6 real servers at weight 0, then one back.
for rs in "${LAB_RS[@]}"; do
	lab_uvsadm_at dir3 -e -t "[$LAB_VIP6]:80" -r "[${LAB_IP6[$rs]}]:80" -g -w 0
done
check "dir3 withdraws $LAB_VIP6 when no real server has a weight" ecmp_wait_paths 6 2 5
lab_uvsadm_at dir3 -e -t "[$LAB_VIP6]:80" -r "[${LAB_IP6[rs1]}]:80" -g -w 1
check "and announces it again with one" ecmp_wait_paths 6 3 5
for rs in rs2 rs3; do
	lab_uvsadm_at dir3 -e -t "[$LAB_VIP6]:80" -r "[${LAB_IP6[$rs]}]:80" -g -w 1
done

# Downloads of the file from every client address: N of them, in the background as
# process NAME; wait_connected NAME waits until all have begun.
downloads() { # NAME N [VIP]
	lab_spawn cli "$1" "$LAB_PYTHON" "$E2E_HERE/downloads.py" --vip "${3:-$LAB_VIP4}" \
		--path /files/big --count "$2" --size "$SIZE" --rate "$RATE" \
		--sources "$(ecmp_sources)" --timeout 50
}
wait_connected() { lab_wait 20 grep -q '^connected' "$LAB_TMP/$1.log"; }
# The downloads' end (in this shell: they are its children), then their tally without
# the "connected" line and the failures told.
finish() { # NAME
	wait "$(cat "$LAB_TMP/$1.pid")" 2>/dev/null || true
	rm -f "$LAB_TMP/$1.pid"
	grep '^download' "$LAB_TMP/$1.log" | head -5 | sed "s/^/    $1: /" || true
}
result() { # NAME
	grep -v '^connected' "$LAB_TMP/$1.log" | grep -v '^download' || true
}
complete() { # RESULT N: "rs... K" lines summing to N, no fail, no bad
	! grep -qE '^(fail|bad) ' <<<"$1" && [ "$(awk '{ s += $2 } END { print s + 0 }' <<<"$1")" = "$2" ]
}
established() { # NODE [VIP]: its connections ESTABLISHED for the VIP
	lab_uvsadm_at "$1" -L -n -c |
		awk -v v="${2:-$LAB_VIP4}:80" '$3 == "ESTABLISHED" && $5 == v' | wc -l
}
# Milliseconds until rtr's route to the IPv4 VIP has N next hops (S s at most); -1.
ms_until_paths() { # N S
	local t0 now
	t0=$(date +%s%N)
	while [ "$(ecmp_paths 4)" != "$1" ]; do
		now=$(date +%s%N)
		if [ $(((now - t0) / 1000000)) -gt $(($2 * 1000)) ]; then
			echo -1
			return
		fi
		sleep 0.02
	done
	echo $((($(date +%s%N) - t0) / 1000000))
}

# ---- 200 downloads; dir2's uvsd killed ----
downloads dl1 200
check "200 downloads begin" wait_connected dl1
# A director's own share: the connections it scheduled (those synced to it are not
# counted there).
scheduled() { # NODE
	lab_uvsadm_at "$1" -L -n --stats --exact | awk -v v="$LAB_VIP4:80" '$1 == "TCP" && $2 == v { print $3 }'
}
shares=""
for d in "${DIRS[@]}"; do
	n=$(scheduled "$d")
	shares+="$d=$n "
	check "$d carries a share of the downloads ($n)" test "$n" -gt 0
done
echo "    connections per director: $shares"
kill -KILL "$(ecmp_uvsd_pid dir2)"
ms=$(ms_until_paths 2 "$ECMP_KILL_BOUND")
echo "    dir2's uvsd killed: its path gone from rtr after $ms ms"
check "dir2's path withdrawn within $ECMP_KILL_BOUND s of SIGKILL" test "$ms" -ge 0
check "and its IPv6 one" ecmp_wait_paths 6 2 "$ECMP_KILL_BOUND"
finish dl1
r=$(result dl1)
echo "$r" | sed 's/^/    dl1: /'
check "every one of the 200 downloads completes with $SIZE bytes" complete "$r" 200

# ---- 100 downloads; dir2 back, then dir3's link cut ----
downloads dl2 100
check "100 downloads begin" wait_connected dl2
if ! ecmp_director_up dir2; then
	echo "FAIL: uvsd in dir2 did not start again"
	exit 1
fi
check "dir2 back: three paths again" ecmp_wait_paths 4 3 10
sleep 1 # flows rehashed to dir2 go on there
n=$(established dir2)
echo "    dir2 back: $n downloads begun elsewhere go on through it"
check "dir2 took over downloads it never saw begin (sloppy_tcp, mh)" test "$n" -gt 0
ip -n "$(lab_ns lan)" link set dir3 down
ms=$(ms_until_paths 2 "$ECMP_BFD_BOUND")
echo "    dir3's link cut: its path gone from rtr after $ms ms (BFD)"
check "dir3's path withdrawn within $ECMP_BFD_BOUND s of its link's loss" test "$ms" -ge 0
finish dl2
r=$(result dl2)
echo "$r" | sed 's/^/    dl2: /'
check "every one of the 100 downloads completes with $SIZE bytes" complete "$r" 100
ip -n "$(lab_ns lan)" link set dir3 up
check "dir3's link back: three paths again" ecmp_wait_paths 4 3 20

# ---- rs3 quiesced on every director ----
who() { # each client address: the real server a new connection from it gets
	local a
	for a in "${ECMP_CLIENTS4[@]}"; do
		printf '%s %s\n' "$a" "$(lab_exec cli curl -sS --max-time 3 --interface "$a" \
			"http://$LAB_VIP4/" 2>/dev/null || echo fail)"
	done
}
before=$(who)
downloads dl3 100
check "100 downloads begin" wait_connected dl3
for d in "${DIRS[@]}"; do
	lab_uvsadm_at "$d" -e -t "$LAB_VIP4:80" -r "${LAB_IP4[rs3]}:80" -g -w 0
done
after=$(who)
moved=$(join <(echo "$before") <(echo "$after") | awk '$2 != $3 { print $2 }' | sort | uniq -c |
	awk '{ print $2, $1 }' | xargs)
echo "    clients whose new connections changed server: ${moved:-none}"
expect "only rs3's clients move" "" "$(join <(echo "$before") <(echo "$after") |
	awk '$2 != "rs3" && $2 != $3 || $3 == "rs3" || $3 == "fail"')"
check "rs3 had clients to move" grep -q ' rs3$' <<<"$before"
finish dl3
r=$(result dl3)
echo "$r" | sed 's/^/    dl3: /'
check "every one of the 100 downloads completes with $SIZE bytes (rs3's go on to it)" \
	complete "$r" 100

# ---- rr, whose choices only the sync daemon shares: dir3's uvsd killed ----
downloads dl4 100 "$ECMP_VIP_RR"
check "100 downloads from $ECMP_VIP_RR (rr) begin" wait_connected dl4
all_synced() { # every director lists every download's connection: its own or synced
	local d
	for d in "${DIRS[@]}"; do
		[ "$(established "$d" "$ECMP_VIP_RR")" -ge 100 ] || return 1
	done
}
check "every director holds the 100 connections, its own or synced" lab_wait 6 all_synced
for d in "${DIRS[@]}"; do
	echo "    $d lists $(established "$d" "$ECMP_VIP_RR") of them"
done
kill -KILL "$(ecmp_uvsd_pid dir3)"
ms=$(ms_until_paths 2 "$ECMP_KILL_BOUND")
echo "    dir3's uvsd killed: its path gone from rtr after $ms ms"
check "dir3's path withdrawn within $ECMP_KILL_BOUND s of SIGKILL" test "$ms" -ge 0
finish dl4
r=$(result dl4)
echo "$r" | sed 's/^/    dl4: /'
check "every one of the 100 rr downloads completes with $SIZE bytes" complete "$r" 100

for d in "${DIRS[@]}"; do
	echo "    $d: $(lab_uvsadm_at "$d" -L --counters 2>/dev/null | awk '$1 == "no_conn" || $1 == "tx"' | xargs)"
done
e2e_done
