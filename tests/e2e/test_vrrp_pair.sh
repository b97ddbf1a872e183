#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Two directors, each with its own uvsd and Debian's keepalived under uvs-run, as an
# LVS pair (the lab with LAB_PAIR=1, mode nat): one VRRP instance holds the VIP and the
# real servers' gateway (the floating LAN address) on the master's eth0; rtr routes the
# VIP on-link, so the VIP's holder gets the client's requests. Each keepalived's
# virtual_server (rr over rs1..rs3, TCP_CHECK) configures its own uvsd.
#  - dir (priority 150) is master: the VIP and the gateway on dir only, rr over the
#    three, every request counted by dir's uvsd and none by dir2's;
#  - dir's keepalived stopped: the VIP and the gateway move to dir2, dir's keepalived
#    takes its service out of dir's uvsd as it goes, and dir2 serves every new request;
#  - dir's keepalived started again: it takes the VIP back (preemption) and serves.
# Established connections are not kept across the move (no connection sync yet).
# Usage: test_vrrp_pair.sh DECAP_OBJ UVSD UVSADM UVS_RUN SANITIZE
set -euo pipefail
# shellcheck source=tests/e2e/common.sh
. "$(cd "$(dirname "$0")" && pwd)/common.sh"
# shellcheck source=tests/e2e/keepalived.sh
. "$(cd "$(dirname "$0")" && pwd)/keepalived.sh"
ka_require "${4:?usage: $0 DECAP_OBJ UVSD UVSADM UVS_RUN SANITIZE}" "${5:-none}"

V4=$LAB_VIP4
SVC="TCP  $V4:80"
LAB_PAIR=1 lab_up nat
lab_servers_start
e2e_uvsd_start
lab_uvsd_start_at dir2 --interface "$LAB_DEV" || {
	echo "FAIL: uvsd in dir2 did not start"
	exit 1
}

ka_pair_conf dir 150 >"$LAB_TMP/ka-dir.conf"
ka_pair_conf dir2 100 >"$LAB_TMP/ka-dir2.conf"

# NODE's uvsd: its service and real servers, "SERVICE" then "ADDR:PORT WEIGHT" lines.
table() { # NODE
	lab_uvsadm_at "$1" -L -n | awk '/^TCP / { print $1 "  " $2 } /^  -> [0-9]/ { print $2, $4 }'
}
all3="$SVC
${LAB_IP4[rs1]}:80 1
${LAB_IP4[rs2]}:80 1
${LAB_IP4[rs3]}:80 1"
table_is() { [ "$(table "$1")" = "$2" ]; }
holds_none() { # NODE
	! ka_holds "$1" "$V4" && ! ka_holds "$1" "$LAB_FLOAT4"
}
conns() { # NODE: the service's Conns in NODE's uvsd (0 without the service)
	lab_uvsadm_at "$1" -L -n --stats --exact |
		awk -v s="$V4:80" '$1 == "TCP" && $2 == s { print $3; found = 1 }
			END { if (!found) print 0 }'
}
answers() { # one request gets its answer within 1 s
	[ -n "$(lab_exec cli curl -s --max-time 1 "$(url "$V4")")" ]
}
within() { # SECONDS cmd...: cmd succeeds within SECONDS (each try bounded by cmd)
	local end=$((SECONDS + $1))
	shift
	until "$@" >/dev/null 2>&1; do
		[ "$SECONDS" -lt "$end" ] || return 1
		sleep 0.1
	done
}
serves() { # NODE WHAT: 90 requests balanced, all counted by NODE's uvsd
	local before after
	before=$(conns "$1")
	expect "$2: 90 requests, rr over the three" "rs1 30
rs2 30
rs3 30" "$(lab_curl_count "$(url "$V4")" 90)"
	after=$(conns "$1")
	check "$2: $1's uvsd counted them ($before, then $after)" [ $((after - before)) -ge 90 ]
}

# The end of each keepalived's log, then the end of the test (with uvsd's log when a
# check failed). Also when the pair did not come up: 90 requests to nowhere would
# take minutes.
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
check "dir's keepalived configured dir's uvsd" lab_wait 20 table_is dir "$all3"
check "dir2's keepalived configured dir2's uvsd" lab_wait 20 table_is dir2 "$all3"
check "dir is master: the VIP and the gateway on dir" lab_wait 15 ka_holds_pair dir
check "dir2 is backup: neither on dir2" holds_none dir2
[ "$E2E_FAILED" -eq 0 ] || finish
check "the VIP answers" within 10 answers
serves dir "dir master"
expect "dir master: dir2's uvsd saw none" 0 "$(conns dir2)"

# ---- the master's keepalived stops ---------------------------------------------------------
lab_stop ka-dir
check "dir's keepalived stopped: the VIP and the gateway on dir2" lab_wait 15 ka_holds_pair dir2
check "... and gone from dir" holds_none dir
check "dir's keepalived took its service out of dir's uvsd as it stopped" \
	lab_wait 10 table_is dir ""
# rtr and the real servers learn the new holder from dir2's gratuitous ARP.
check "the VIP answers again" within 10 answers
[ "$E2E_FAILED" -eq 0 ] || finish
serves dir2 "dir2 master"

# ---- and starts again: it takes the VIP back -----------------------------------------------
ka_start dir
check "dir's keepalived back: the VIP and the gateway on dir again" lab_wait 20 ka_holds_pair dir
check "... and gone from dir2" lab_wait 10 holds_none dir2
check "... its service in dir's uvsd again" lab_wait 20 table_is dir "$all3"
check "the VIP answers again" within 10 answers
[ "$E2E_FAILED" -eq 0 ] || finish
serves dir "dir master again"
finish
