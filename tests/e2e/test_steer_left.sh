#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Steering programs a killed uvsd leaves behind, in a namespace of its own with three
# veth pairs (a, b, c; uvsd steers the "0" ends):
#   - uvsd on a0 and b0 is killed with SIGKILL: its tc filters stay on both;
#   - a uvsd started on a0 only replaces a0's filter and removes b0's (saying so),
#     and leaves c0's alone, which a live uvsd steers;
#   - an af_xdp uvsd killed on a0 and b0 leaves its XDP programs there: the next
#     af_packet uvsd on a0 removes both (a0's as it takes the link);
#   - without CAP_SYS_ADMIN (as uvsd.service runs it), a uvsd still tells a killed
#     uvsd's tc filters (on its link and on another) from others, and replaces or
#     removes them.
# Usage: test_steer_left.sh UVSD
set -euo pipefail
uvsd=$(realpath "$1")
ns="uvssl$$"
if [ "$(id -u)" != 0 ] || ! ip netns add "$ns" 2>/dev/null; then
	echo "skipped: needs root and network namespaces"
	exit 77
fi
tmp=$(mktemp -d /tmp/uvssl.XXXXXX)
pids=()
cleanup() {
	for k in "${pids[@]}"; do kill -9 "$k" 2>/dev/null || true; done
	ip netns del "$ns" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT
fail() {
	echo "FAIL: $*"
	for f in "$tmp"/*.log; do sed "s|^|$(basename "$f"): |" "$f"; done
	exit 1
}
for l in a b c; do
	ip -n "$ns" link add "${l}0" type veth peer name "${l}1"
	ip -n "$ns" link set "${l}0" up
	ip -n "$ns" link set "${l}1" up
done
ip -n "$ns" link set lo up

# start NAME uvsd-args...: a uvsd in the namespace, on socket NAME; its PID in $pid.
start() {
	local name=$1
	shift
	ip netns exec "$ns" "$uvsd" --foreground --socket "$tmp/$name.sock" --state none \
		--workers 1 "$@" 2>"$tmp/$name.log" &
	pid=$!
	pids+=("$pid")
	for _ in $(seq 100); do
		grep -q "control socket .* ready" "$tmp/$name.log" && return 0
		kill -0 "$pid" 2>/dev/null || fail "uvsd $name exited"
		sleep 0.1
	done
	fail "uvsd $name did not start"
}
tc_filters() { ip netns exec "$ns" tc filter show dev "$1" ingress | grep -c uvs_steer_tc || true; }
xdp_progs() { ip -n "$ns" link show dev "$1" | grep -c "prog/xdp" || true; }
expect() { # NAME WANT GOT
	[ "$2" = "$3" ] || fail "$1: $3, want $2"
	echo "ok: $1"
}

start killed --interface a0 --interface b0
killed=$pid
start live --interface c0
live=$pid
expect "filters of the first uvsd" "1 1 1" "$(tc_filters a0) $(tc_filters b0) $(tc_filters c0)"
kill -9 "$killed"
wait "$killed" 2>/dev/null || true
expect "the killed uvsd's filters stay" "1 1" "$(tc_filters a0) $(tc_filters b0)"

start next --interface a0
next=$pid
expect "a0 replaced, b0 removed, c0 (live) kept" "1 0 1" \
	"$(tc_filters a0) $(tc_filters b0) $(tc_filters c0)"
grep -q "b0: removed the steering tc filter a dead uvsd left" "$tmp/next.log" ||
	fail "the removal is not logged"
! grep -q "c0: removed" "$tmp/next.log" || fail "the live uvsd's filter was removed"
echo "ok: the removal is logged, and only b0's"
kill "$live"
wait "$live" || fail "the live uvsd did not stop cleanly"
expect "the live uvsd detached at its stop" 0 "$(tc_filters c0)"
kill "$next"
wait "$next" || fail "uvsd next did not stop cleanly"

# ---- XDP programs of killed af_xdp uvsds ------------------------------------------------
start xdp --io af_xdp --interface a0 --interface b0
kill -9 "$pid"
wait "$pid" 2>/dev/null || true
expect "the killed af_xdp uvsd's XDP programs stay" "1 1" "$(xdp_progs a0) $(xdp_progs b0)"
start last --interface a0
expect "an af_packet uvsd on a0: no XDP program left, its filter on a0" "0 0 1" \
	"$(xdp_progs a0) $(xdp_progs b0) $(tc_filters a0)"
grep -q "b0: removed the steering XDP program a dead uvsd left" "$tmp/last.log" ||
	fail "the XDP removal is not logged"
kill "$pid"
wait "$pid" || fail "uvsd last did not stop cleanly"

# ---- without CAP_SYS_ADMIN --------------------------------------------------------------
start killed2 --interface a0 --interface b0
kill -9 "$pid"
wait "$pid" 2>/dev/null || true
expect "the killed uvsd's filters stay" "1 1" "$(tc_filters a0) $(tc_filters b0)"
uvsd_real=$uvsd
uvsd=$tmp/uvsd-no-sys-admin
printf '#!/bin/sh\nexec setpriv --bounding-set=-sys_admin --inh-caps=-sys_admin -- %s "$@"\n' \
	"$uvsd_real" >"$uvsd"
chmod +x "$uvsd"
start capless --interface a0
capeff=$(awk '/^CapEff:/ { print $2 }' "/proc/$pid/status")
[ $((16#$capeff >> 21 & 1)) = 0 ] || fail "uvsd capless has CAP_SYS_ADMIN ($capeff)"
expect "without CAP_SYS_ADMIN: a0 replaced, b0 removed" "1 0" "$(tc_filters a0) $(tc_filters b0)"
kill "$pid"
wait "$pid" || fail "uvsd capless did not stop cleanly"
echo "all checks of programs dead uvsds left passed"
