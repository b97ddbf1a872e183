#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# uvsd --announce-table alone, in a namespace of its own with one veth link (no BIRD:
# the routes themselves are checked; test_ecmp.sh checks BIRD on top):
#   - a route per VIP that can serve, IPv4 and IPv6, in the table, with protocol 250 (or
#     --announce-proto's), over link uvsvip<TABLE>; none for a service without a real
#     server, one of weight 0, or a fwmark service; one for an address of two services
#     while either can serve;
#   - a second uvsd asking for the same table exits 1, saying why, and takes nothing;
#     --announce-table without --interface is refused;
#   - the worker stopped alone (ptrace, freeze_thread.py), as a wedged worker: the VIPs
#     withdrawn within --steer-timeout + 3 s, back once it turns again;
#   - SIGTERM: every route and the link gone; SIGKILL: the same, by the kernel.
# About 15 s. Usage: test_announce.sh UVSD UVSADM
set -euo pipefail
UVSD=${1:?usage: $0 UVSD UVSADM}
UVSADM=${2:?usage: $0 UVSD UVSADM}
HERE=$(cd "$(dirname "$0")" && pwd)
if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP: needs root (network namespaces)"
	exit 77
fi
NS=uvsann$$
TMP=$(mktemp -d)
ip netns add "$NS" || {
	echo "SKIP: cannot create a network namespace"
	exit 77
}
PID=
cleanup() {
	[ -z "$PID" ] || kill -KILL "$PID" 2>/dev/null || true
	ip netns pids "$NS" 2>/dev/null | xargs -r kill -KILL 2>/dev/null || true
	ip netns del "$NS" 2>/dev/null || true
	rm -rf "$TMP"
}
trap cleanup EXIT
FAILED=0
expect() { # NAME WANT GOT
	if [ "$2" = "$3" ]; then
		echo "ok: $1"
	else
		echo "FAIL: $1"
		diff <(printf '%s\n' "$2") <(printf '%s\n' "$3") | sed 's/^/    /' || true
		FAILED=$((FAILED + 1))
	fi
}
check() { # NAME cmd...
	local name=$1
	shift
	if "$@"; then echo "ok: $name"; else
		echo "FAIL: $name"
		FAILED=$((FAILED + 1))
	fi
}
wait_for() { # SECONDS cmd...: until cmd succeeds
	local tries=$(($1 * 10))
	shift
	until "$@" >/dev/null 2>&1; do
		tries=$((tries - 1))
		[ "$tries" -gt 0 ] || return 1
		sleep 0.1
	done
}
in_ns() { ip netns exec "$NS" "$@"; }
adm() { UVSD_SOCKET=$TMP/uvsd.sock "$UVSADM" "$@"; }
# The announced routes: "DEST PROTO" lines, sorted, both families.
routes() {
	{
		ip -n "$NS" -4 route show table 100 dev uvsvip100 2>/dev/null
		ip -n "$NS" -6 route show table 100 dev uvsvip100 2>/dev/null
	} | awk '{ for (i = 2; i < NF; i++) if ($i == "proto") p = $(i + 1); print $1, p }' | sort
}
routes_are() { [ "$(routes)" = "$1" ]; }

ip -n "$NS" link set lo up
ip -n "$NS" link add eth0 type veth peer name eth1
ip -n "$NS" link set eth0 up
ip -n "$NS" link set eth1 up
ip -n "$NS" addr add 192.168.0.2/24 dev eth0
ip -n "$NS" link add eth2 type veth peer name eth3
ip -n "$NS" link set eth2 up
ip -n "$NS" link set eth3 up
# Not through in_ns: $! must be uvsd's own PID (ip netns exec becomes uvsd).
ip netns exec "$NS" "$UVSD" --foreground --state none --socket "$TMP/uvsd.sock" --interface eth0 \
	--workers 1 --steer-timeout 500 --announce-table 100 --announce-proto 251 \
	>"$TMP/uvsd.log" 2>&1 &
PID=$!
wait_for 10 test -S "$TMP/uvsd.sock" || {
	echo "FAIL: uvsd did not start"
	cat "$TMP/uvsd.log"
	exit 1
}
check "uvsd made the link uvsvip100" wait_for 5 ip -n "$NS" link show uvsvip100

adm -A -t 10.0.0.1:80 -s mh
adm -A -t 10.0.0.2:80 -s rr
adm -a -t 10.0.0.2:80 -r 192.168.0.11:80 -g -w 0
adm -A -f 7 -s rr
adm -a -f 7 -r 192.168.0.11:80 -g
adm -A -t [2001:db8:f::1]:80 -s sh
adm -a -t [2001:db8:f::1]:80 -r [2001:db8:1::11]:80 -g
check "only the IPv6 VIP, with a real server of weight 1, is announced" \
	wait_for 5 routes_are "2001:db8:f::1 251"
adm -a -t 10.0.0.1:80 -r 192.168.0.11:80 -g
adm -A -t 10.0.0.1:443 -s rr
adm -a -t 10.0.0.1:443 -r 192.168.0.11:443 -g
check "10.0.0.1 too once it has one" wait_for 5 routes_are "10.0.0.1 251
2001:db8:f::1 251"
adm -e -t 10.0.0.1:80 -r 192.168.0.11:80 -g -w 0
sleep 0.3
expect "10.0.0.1 stays while its port 443 can serve" "10.0.0.1 251
2001:db8:f::1 251" "$(routes)"
adm -D -t 10.0.0.1:443
check "and goes when neither can" wait_for 5 routes_are "2001:db8:f::1 251"
adm -e -t 10.0.0.1:80 -r 192.168.0.11:80 -g -w 2
check "a weight above 0 brings it back" wait_for 5 routes_are "10.0.0.1 251
2001:db8:f::1 251"

# A second uvsd for the same table (on a link of its own), and one without a link.
rc=0
in_ns timeout 10 "$UVSD" --foreground --state none --socket "$TMP/uvsd2.sock" \
	--interface eth2 --announce-table 100 >"$TMP/uvsd2.log" 2>&1 || rc=$?
expect "a second uvsd for table 100 exits 1" 1 "$rc"
check "saying the link is held by another uvsd" \
	grep -q "link uvsvip100 is held by another process" "$TMP/uvsd2.log"
rc=0
in_ns timeout 10 "$UVSD" --foreground --state none --socket "$TMP/uvsd2.sock" \
	--announce-table 101 >"$TMP/uvsd2.log" 2>&1 || rc=$?
expect "--announce-table without --interface: exit 2" 2 "$rc"
check "saying why" grep -q "needs --interface" "$TMP/uvsd2.log"
expect "the first one's routes stay" "10.0.0.1 251
2001:db8:f::1 251" "$(routes)"

# The worker stopped alone, as a wedged one.
worker=$(grep -l '^uvsd-worker0$' /proc/"$PID"/task/*/comm | head -1 | cut -d/ -f5)
check "uvsd's worker thread is named uvsd-worker0" test -n "$worker"
python3 "$HERE/freeze_thread.py" "$worker" 4 >"$TMP/freeze.log" 2>&1 &
fpid=$!
wait_for 5 grep -q frozen "$TMP/freeze.log" || cat "$TMP/freeze.log"
check "a wedged worker: the VIPs withdrawn within the timeout and 3 s" \
	wait_for 4 routes_are ""
wait "$fpid"
check "it turns again: announced again" wait_for 5 routes_are "10.0.0.1 251
2001:db8:f::1 251"
check "the log says why" grep -q "withdrawn: uvsd's workers have stopped forwarding" \
	"$TMP/uvsd.log"

# Stopped, then killed.
kill -TERM "$PID"
rc=0
wait "$PID" || rc=$?
PID=
expect "uvsd exits 0 on SIGTERM" 0 "$rc"
expect "SIGTERM: no route left" "" "$(routes)"
check "and no link" bash -c "! ip -n $NS link show uvsvip100 2>/dev/null"
check "the log says it" grep -q "withdrawn: uvsd stops" "$TMP/uvsd.log"
rm -f "$TMP/uvsd.sock"
ip netns exec "$NS" "$UVSD" --foreground --state none --socket "$TMP/uvsd.sock" \
	--interface eth0 --announce-table 100 >"$TMP/uvsd3.log" 2>&1 &
PID=$!
wait_for 10 test -S "$TMP/uvsd.sock"
adm -A -t 10.0.0.1:80 -s mh
adm -a -t 10.0.0.1:80 -r 192.168.0.11:80 -g
check "a new uvsd announces" wait_for 5 routes_are "10.0.0.1 250"
kill -KILL "$PID"
wait "$PID" 2>/dev/null || true
PID=
check "SIGKILL: the kernel takes the route and the link away" \
	wait_for 2 bash -c "! ip -n $NS link show uvsvip100 2>/dev/null"
expect "no route left" "" "$(routes)"

echo "$(basename "$0"): $FAILED failed"
[ "$FAILED" -eq 0 ]
