#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Debian's keepalived, unchanged, drives uvsd through uvs-run, in the lab (mode nat):
#  - a virtual_server over rs1..rs3 (HTTP_GET on rs1 and rs3, TCP_CHECK on rs2,
#    delay_loop 1) and a VRRP instance holding the VIP on dir: the service appears in
#    uvsadm -L -n, the VIP on dir's eth0, and the client's requests are balanced;
#  - ipvsadm under uvs-run lists the traffic as uvsadm does (-c, --stats, --rate);
#  - nginx stopped on rs2 (TCP_CHECK), then on rs1 (HTTP_GET): keepalived removes the
#    server within its check period, after which no request fails; started again, it
#    comes back;
#  - uvsd killed under keepalived: keepalived's next change fails with "No such
#    device", uvs-run's reason is logged, and keepalived does not spin (its CPU time
#    over 3 s); uvsd started again: keepalived's next change reaches it (and is
#    refused: a new uvsd starts empty without --state).
# Usage: test_keepalived.sh DECAP_OBJ UVSD UVSADM UVS_RUN SANITIZE
set -euo pipefail
# shellcheck source=tests/e2e/common.sh
. "$(cd "$(dirname "$0")" && pwd)/common.sh"
UVS_RUN=$(realpath "${4:?usage: $0 DECAP_OBJ UVSD UVSADM UVS_RUN SANITIZE}")
if [ "${5:-none}" != none ]; then
	echo "SKIP: a $5 build's preload library needs its sanitizer runtime loaded first"
	exit 77
fi
for tool in keepalived ipvsadm; do
	command -v "$tool" >/dev/null || {
		echo "SKIP: no $tool (apt-get install $tool)"
		exit 77
	}
done

V4=$LAB_VIP4
SVC="TCP  $V4:80 rr"

lab_up nat
lab_servers_start
e2e_uvsd_start

checker() { # RS TYPE: a real_server block
	local check
	if [ "$2" = http ]; then
		check="HTTP_GET {
			url {
				path /
				status_code 200
			}"
	else
		check="TCP_CHECK {"
	fi
	cat <<EOF
	real_server ${LAB_IP4[$1]} 80 {
		weight 1
		$check
			connect_timeout 1
			retry 1
			delay_before_retry 1
		}
	}
EOF
}

cat >"$LAB_TMP/keepalived.conf" <<EOF
global_defs {
	router_id uvslab
	vrrp_garp_master_delay 1
}
vrrp_instance uvs {
	state MASTER
	interface $LAB_DEV
	virtual_router_id 51
	priority 150
	advert_int 1
	virtual_ipaddress {
		$V4/32 dev $LAB_DEV
	}
}
virtual_server $V4 80 {
	delay_loop 1
	lb_algo rr
	lb_kind NAT
	protocol TCP
$(checker rs1 http)
$(checker rs2 tcp)
$(checker rs3 http)
}
EOF
# In the foreground, logging to its console (this log); pid files of its own.
lab_spawn dir keepalived "$UVS_RUN" keepalived --dont-fork --log-console --log-detail \
	--no-syslog -f "$LAB_TMP/keepalived.conf" -p "$LAB_TMP/ka.pid" -c "$LAB_TMP/ka-check.pid" \
	-r "$LAB_TMP/ka-vrrp.pid"
KLOG=$LAB_TMP/keepalived.log

# The real servers uvsd has, as "ADDR:PORT WEIGHT" lines.
dests() {
	lab_uvsadm -L -n | awk '/^  -> [0-9]/ { print $2, $4 }'
}
all3="${LAB_IP4[rs1]}:80 1
${LAB_IP4[rs2]}:80 1
${LAB_IP4[rs3]}:80 1"
dests_are() { [ "$(dests)" = "$1" ]; }
without() { # RS: all3 without it
	grep -v "^${LAB_IP4[$1]}:" <<<"$all3"
}

lab_wait 20 dests_are "$all3" || true
expect "keepalived's virtual_server in uvsadm -L -n" "$SVC
$all3" "$(lab_uvsadm -L -n | awk '/^TCP / { print $1 "  " $2, $3 } /^  -> [0-9]/ { print $2, $4 }')"
has_vip() { lab_exec dir ip -4 addr show dev "$LAB_DEV" | grep -q " $V4/32 "; }
check "keepalived's VRRP put the VIP on dir's $LAB_DEV" lab_wait 10 has_vip
expect "300 requests balanced by rr" "rs1 100
rs2 100
rs3 100" "$(lab_curl_count "$(url "$V4")" 300)"

# ---- ipvsadm lists what uvsadm lists -------------------------------------------------
same_listing() { # ipvsadm's and uvsadm's options: equal, tried 5 times (the expiry
	# column counts down each second, the rates move every 2 s)
	local a b
	for _ in 1 2 3 4 5; do
		a=$(lab_uvsadm "$@")
		b=$(UVSD_SOCKET=$LAB_TMP/uvsd.sock "$UVS_RUN" ipvsadm "$@")
		[ "$a" = "$b" ] && break
		sleep 0.3
	done
	expect "ipvsadm $* as uvsadm $*" "$a" "$b"
}
same_listing -L -n -c
same_listing -L -n --stats --exact
same_listing -L -n --rate
check "ipvsadm -L -n -c lists the 300 connections" \
	[ "$(UVSD_SOCKET=$LAB_TMP/uvsd.sock "$UVS_RUN" ipvsadm -L -n -c | grep -c "$V4:80")" -ge 300 ]

# ---- health checks remove and restore real servers -------------------------------------
nginx_start() { # RS
	lab_spawn "$1" "nginx-$1" nginx -c "$LAB_TMP/$1/nginx.conf" -e "$LAB_TMP/$1/error.log" \
		-g 'daemon off;'
}
outage() { # RS KIND
	local rs=$1 counts
	lab_stop "nginx-$rs"
	check "$2 on $rs: removed once nginx stops" lab_wait 15 dests_are "$(without "$rs")"
	counts=$(lab_curl_count "$(url "$V4")" 150)
	expect "$2 on $rs: 150 requests, none failed, none to $rs" \
		"$(for r in "${LAB_RS[@]}"; do [ "$r" = "$rs" ] || echo "$r 75"; done)" "$counts"
	nginx_start "$rs"
	check "$2 on $rs: back once nginx answers" lab_wait 15 dests_are "$all3"
}
outage rs2 TCP_CHECK
outage rs1 HTTP_GET
expect "all three serve again" "rs1 100
rs2 100
rs3 100" "$(lab_curl_count "$(url "$V4")" 300)"

# ---- uvsd killed under keepalived ------------------------------------------------------
cpu_ticks() { # utime + stime of keepalived's processes, in clock ticks
	local f pid total=0
	for f in ka ka-check ka-vrrp; do
		pid=$(cat "$LAB_TMP/$f.pid" 2>/dev/null) || continue
		[ -r "/proc/$pid/stat" ] || continue
		total=$((total + $(awk '{ print $14 + $15 }' "/proc/$pid/stat")))
	done
	echo "$total"
}
director_pid=$(cat "$LAB_TMP/director.pid")
kill -KILL "$director_pid"
wait "$director_pid" 2>/dev/null || true
rm -f "$LAB_TMP/director.pid"
lab_stop nginx-rs3
check "uvsd gone: keepalived's change fails with No such device" \
	lab_wait 15 grep -q "error: No such device" "$KLOG"
check "uvsd gone: uvs-run's reason in keepalived's log" \
	grep -q "uvs-run: cannot reach uvsd at $LAB_TMP/uvsd.sock: Connection refused" "$KLOG"
before=$(cpu_ticks)
sleep 3
used=$(($(cpu_ticks) - before))
echo "keepalived's CPU time over 3 s without uvsd: $used ticks of $(getconf CLK_TCK)/s"
check "uvsd gone: keepalived does not spin (under 30% of a CPU)" \
	[ "$used" -lt $(($(getconf CLK_TCK) * 3 * 30 / 100)) ]
check "keepalived still runs" kill -0 "$(cat "$LAB_TMP/ka.pid")"

# keepalived keeps rs3 (its removal failed), so the next change is rs1's removal. The
# new uvsd starts empty (keeping the configuration across restarts is uvsd's --state),
# so it refuses that, with its own answer.
rm -f "$LAB_TMP/uvsd.sock"
e2e_uvsd_start
lab_stop nginx-rs1
check "uvsd back: keepalived connects again at its next change" \
	lab_wait 15 grep -q "uvs-run: connected to uvsd at $LAB_TMP/uvsd.sock again" "$KLOG"
check "uvsd back: the change is uvsd's to answer" lab_wait 5 grep -q \
	"IPVS cmd IP_VS_SO_SET_DELDEST(1160) error: No such destination(2) ($V4:tcp:80 -> ${LAB_IP4[rs1]}:80)" \
	"$KLOG"

lab_stop keepalived
echo "keepalived's log (its end):"
tail -n 15 "$KLOG" | sed 's/^/    /'
e2e_done
