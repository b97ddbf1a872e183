#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# uvsd restarted under a running keepalived (Debian's, under uvs-run), in the lab (mode
# nat), uvsd keeping its configuration in a state file (--state):
#  - keepalived's virtual_server (rr over rs1..rs3, TCP_CHECK, delay_loop 1) in uvsd,
#    the client's requests balanced;
#  - uvsd stopped with SIGTERM and started again, then separately killed with SIGKILL
#    and started again: the service and its real servers are back as keepalived made
#    them, requests flow again, and keepalived's next change applies: nginx stopped on
#    a real server, keepalived's DEL_DEST succeeds (no error in its log) and the
#    server is gone from uvsadm -L -n; nginx started again, its ADD_DEST brings it back.
# Usage: test_keepalived_restart.sh DECAP_OBJ UVSD UVSADM UVS_RUN SANITIZE
set -euo pipefail
# shellcheck source=tests/e2e/common.sh
. "$(cd "$(dirname "$0")" && pwd)/common.sh"
# shellcheck source=tests/e2e/keepalived.sh
. "$(cd "$(dirname "$0")" && pwd)/keepalived.sh"
ka_require "${4:?usage: $0 DECAP_OBJ UVSD UVSADM UVS_RUN SANITIZE}" "${5:-none}"

V4=$LAB_VIP4
lab_up nat
lab_servers_start
STATE=$LAB_TMP/state
e2e_uvsd_start --state "$STATE"

{
	cat <<EOF
global_defs {
	router_id uvslab
}
virtual_server $V4 80 {
	delay_loop 1
	lb_algo rr
	lb_kind NAT
	protocol TCP
EOF
	for rs in "${LAB_RS[@]}"; do
		printf '\treal_server %s 80 {\n\t\tweight 1\n' "${LAB_IP4[$rs]}"
		printf '\t\tTCP_CHECK {\n\t\t\tconnect_timeout 1\n\t\t}\n\t}\n'
	done
	echo "}"
} >"$LAB_TMP/keepalived.conf"
# In the foreground, logging to its console (this log); pid files of its own.
lab_spawn dir keepalived "$UVS_RUN" keepalived --dont-fork --log-console --log-detail \
	--no-syslog -f "$LAB_TMP/keepalived.conf" -p "$LAB_TMP/ka.pid" -c "$LAB_TMP/ka-check.pid" \
	-r "$LAB_TMP/ka-vrrp.pid"
KLOG=$LAB_TMP/keepalived.log

# uvsd's service and real servers: "SERVICE" then "ADDR:PORT WEIGHT" lines.
table() {
	lab_uvsadm -L -n | awk '/^TCP / { print $1 "  " $2, $3 } /^  -> [0-9]/ { print $2, $4 }'
}
table_is() { [ "$(table)" = "$1" ]; }
table_of() { # RS...: the table with these real servers
	local rs
	echo "TCP  $V4:80 rr"
	for rs in "$@"; do
		echo "${LAB_IP4[$rs]}:80 1"
	done
}
all3=$(table_of "${LAB_RS[@]}")
state_names() { # RS...: the state file names these real servers, and no other
	local rs
	[ "$(grep -c -- ' -r ' "$STATE" 2>/dev/null)" = "$#" ] || return 1
	for rs in "$@"; do
		grep -q -- " -r ${LAB_IP4[$rs]}:80 " "$STATE" || return 1
	done
}
balanced() { # WHAT RS...: 30 requests to each of them, none failed
	local rs want=
	for rs in "${@:2}"; do want+="$rs 30"$'\n'; done
	expect "$1: $((30 * ($# - 1))) requests, rr over ${*:2}" "${want%$'\n'}" \
		"$(lab_curl_count "$(url "$V4")" $((30 * ($# - 1))))"
}
errors() { # keepalived's error lines so far
	grep -c "error" "$KLOG" || true
}
nginx_start() { # RS
	lab_spawn "$1" "nginx-$1" nginx -c "$LAB_TMP/$1/nginx.conf" -e "$LAB_TMP/$1/error.log" \
		-g 'daemon off;'
}

check "keepalived configured uvsd" lab_wait 20 table_is "$all3"
[ "$E2E_FAILED" -eq 0 ] || e2e_done
balanced "before" rs1 rs2 rs3

restart() { # SIGNAL RS: uvsd stopped with SIGNAL and started again; then rs's nginx
	local sig=$1 rs=$2 pid rc=0 errs r rest=()
	for r in "${LAB_RS[@]}"; do
		[ "$r" = "$rs" ] || rest+=("$r")
	done
	if [ "$sig" = KILL ]; then
		# A kill loses the changes uvsd has not written yet (it writes within 1 s of
		# one, docs/decisions.md "The state file"): the last ADD_DEST must be in first.
		check "SIGKILL: the state file holds the table first" \
			lab_wait 5 state_names "${LAB_RS[@]}"
	fi
	pid=$(cat "$LAB_TMP/director.pid")
	rm -f "$LAB_TMP/director.pid"
	kill -"$sig" "$pid"
	wait "$pid" || rc=$?
	if [ "$sig" = TERM ]; then
		expect "SIGTERM: uvsd exits 0" 0 "$rc"
	fi
	# A killed uvsd leaves its socket: the new one's is there once it serves.
	rm -f "$LAB_TMP/uvsd.sock"
	e2e_uvsd_start --state "$STATE"
	check "SIG$sig: the service and its real servers are back" table_is "$all3"
	# Without them, requests to nowhere would take minutes.
	[ "$E2E_FAILED" -eq 0 ] || e2e_done
	balanced "SIG$sig: requests flow again" rs1 rs2 rs3
	errs=$(errors)
	lab_stop "nginx-$rs"
	check "SIG$sig: nginx stopped on $rs: keepalived's DEL_DEST applies" \
		lab_wait 15 table_is "$(table_of "${rest[@]}")"
	expect "SIG$sig: ... with no error in keepalived's log" "$errs" "$(errors)"
	balanced "SIG$sig: without $rs" "${rest[@]}"
	nginx_start "$rs"
	check "SIG$sig: nginx back on $rs: keepalived's ADD_DEST applies" \
		lab_wait 15 table_is "$all3"
}
restart TERM rs1
[ "$E2E_FAILED" -eq 0 ] || e2e_done
restart KILL rs2

lab_stop keepalived
echo "keepalived's log (its end):"
tail -n 12 "$KLOG" | sed 's/^/    /'
e2e_done
