#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Fail-safe steering: once uvsd is gone or hung, its steering programs leave the VIP's
# frames to the kernel within --steer-timeout. The lab in nat mode, the VIP on dir's lo
# and nginx on dir answering "dir" (as a director whose kernel serves the VIP when
# uvsd does not); uvsd (UVSD_IO picks the backend) with --steer-timeout 500 and two
# workers balances VIP:80 over rs1..rs3:
#  - idle for three timeouts, uvsd still takes the VIP's frames (idle workers beat);
#  - SIGSTOP (hung): the kernel answers ("dir") within the timeout and some (the time
#    measured from the signal is printed); every request while it is stopped is
#    answered by dir; SIGCONT: uvsd takes them again;
#  - SIGKILL: the same, its program still on the link; the next uvsd takes over;
#  - --steer-timeout 0: a killed uvsd's program keeps taking the VIP's frames (no
#    answer 4 timeouts of the other uvsds later), until the next uvsd;
#  - uvsd in a time namespace whose monotonic clock is a day ahead (the programs read
#    the kernel's own): uvsd takes the frames, and after SIGKILL the kernel does.
# Usage: test_failsafe.sh DECAP_OBJ UVSD UVSADM
set -euo pipefail
# shellcheck source=tests/e2e/common.sh
. "$(cd "$(dirname "$0")" && pwd)/common.sh"

V4=$LAB_VIP4
TIMEOUT_MS=500
# How long the kernel may take to answer, with ASan and other suites on both CPUs: a
# liveness bound for the check, not the measurement (printed as "after N ms").
WATCH_S=10

all_rs="rs1 2
rs2 2
rs3 2"

lab_up nat
lab_servers_start
lab_server_up dir
lab_exec dir ip addr add "$V4/32" dev lo

uvsd_pid() { cat "$LAB_TMP/director.pid"; }

# Starts uvsd with the arguments and the service over rs1..rs3.
start() {
	e2e_uvsd_start --workers 2 "$@"
	svc_add tcp "$V4" 80 -m rr
}

# Runs cmd (the signal to uvsd) while the client asks the VIP every 20 ms or so: the
# kernel (nginx on dir) must answer within WATCH_S; how long after cmd it first did is
# printed ("measured: ...").
kernel_answers_after() { # NAME cmd...
	local name=$1 got
	shift
	rm -f "$LAB_TMP/since"
	lab_exec cli "$LAB_PYTHON" "$LAB_HERE/labtool.py" http-watch --addr "$V4" \
		--want dir --since-file "$LAB_TMP/since" --timeout "$WATCH_S" >"$LAB_TMP/watch" &
	local watcher=$!
	sleep 0.5 # the watcher asks already (uvsd answers it)
	date +%s%N >"$LAB_TMP/since.new"
	mv "$LAB_TMP/since.new" "$LAB_TMP/since" # whole, as the watcher reads it
	"$@"
	wait "$watcher" || true
	got=$(cat "$LAB_TMP/watch")
	echo "measured: $name: $got (--steer-timeout $TIMEOUT_MS)"
	case $got in
	"dir after "*) echo "ok: $name: the kernel answers the VIP" ;;
	*)
		echo "FAIL: $name: the kernel does not answer the VIP ($got)"
		E2E_FAILED=$((E2E_FAILED + 1))
		;;
	esac
}

# Waits for uvs to answer the VIP again (a real server, not dir).
uvs_answers() { [[ $(lab_curl "$(url "$V4")") == rs* ]]; }

program_on_link() {
	if [ "${UVSD_IO:-}" = af_xdp ]; then
		lab_exec dir ip link show "$LAB_DEV" | grep -q xdp
	else
		lab_exec dir tc filter show dev "$LAB_DEV" ingress | grep -q uvs_steer_tc
	fi
}

# ---- hung: SIGSTOP, then SIGCONT ------------------------------------------------------
start --steer-timeout "$TIMEOUT_MS"
expect "uvsd balances the VIP" "$all_rs" "$(curl_count "$(url "$V4")" 6)"
sleep $((3 * TIMEOUT_MS / 1000)).$((3 * TIMEOUT_MS % 1000))
expect "idle for three timeouts: still uvsd's" "$all_rs" "$(curl_count "$(url "$V4")" 6)"

kernel_answers_after "SIGSTOP" kill -STOP "$(uvsd_pid)"
expect "stopped: every request answered by the kernel" "dir 6" "$(curl_count "$(url "$V4")" 6)"
kill -CONT "$(uvsd_pid)"
check "SIGCONT: uvsd takes the VIP's frames again" lab_wait 10 uvs_answers
# At once: the first worker to beat after SIGCONT may publish a deadline from the
# other's stamp before SIGSTOP, a few ms ahead; the kernel answered these six when the
# other's fresh stamp waited a period to be published. If the count is wrong, what uvsd
# saw meanwhile is printed (nothing moved: the programs passed the frames).
before=$(lab_uvsadm -L --counters)
got=$(curl_count "$(url "$V4")" 6)
if [ "$got" != "$all_rs" ]; then
	echo "resumed: answered by $(echo "$got" | tr '\n' ' '); uvsd's counters that moved:"
	diff <(echo "$before") <(lab_uvsadm -L --counters) | sed -n 's/^> /      /p' || true
	echo "    its connections:"
	lab_uvsadm -L -n -c | sed 's/^/      /'
fi
expect "resumed: uvsd balances the VIP" "$all_rs" "$got"

# ---- dead: SIGKILL ----------------------------------------------------------------------
pid=$(uvsd_pid)
kernel_answers_after "SIGKILL" kill -KILL "$pid"
wait "$pid" 2>/dev/null || true
rm -f "$LAB_TMP/director.pid" "$UVSD_SOCKET"
check "killed: its steering program is still on the link" program_on_link
expect "killed: every request answered by the kernel" "dir 6" "$(curl_count "$(url "$V4")" 6)"
start --steer-timeout "$TIMEOUT_MS"
expect "the next uvsd takes the VIP's frames" "$all_rs" "$(curl_count "$(url "$V4")" 6)"

# ---- --steer-timeout 0: no fail-safe ----------------------------------------------------
pid=$(uvsd_pid)
kill -KILL "$pid"
wait "$pid" 2>/dev/null || true
rm -f "$LAB_TMP/director.pid" "$UVSD_SOCKET"
start --steer-timeout 0
check "--steer-timeout 0 is logged" grep -q "no fail-safe (--steer-timeout 0)" \
	"$LAB_TMP/director.log"
expect "--steer-timeout 0: uvsd balances the VIP" "$all_rs" "$(curl_count "$(url "$V4")" 6)"
pid=$(uvsd_pid)
kill -KILL "$pid"
wait "$pid" 2>/dev/null || true
rm -f "$LAB_TMP/director.pid" "$UVSD_SOCKET"
sleep $((4 * TIMEOUT_MS / 1000))
expect "--steer-timeout 0, killed: the VIP's frames still taken (no answer)" "" \
	"$(lab_curl "$(url "$V4")" 2>/dev/null || true)"

# ---- a time namespace whose monotonic clock is a day ahead ------------------------------
io=()
[ -z "${UVSD_IO:-}" ] || io=(--io "$UVSD_IO")
lab_director_start unshare --time --monotonic 86400 --fork "$LAB_UVSD" --foreground \
	--interface "$LAB_DEV" "${io[@]}" --workers 2 --steer-timeout "$TIMEOUT_MS"
lab_wait 10 _lab_uvsd_up
svc_add tcp "$V4" 80 -m rr
expect "in a time namespace a day ahead: uvsd balances the VIP" "$all_rs" \
	"$(curl_count "$(url "$V4")" 6)"
kernel_answers_after "SIGKILL in a time namespace" kill -KILL "$(pgrep -P "$(uvsd_pid)")"
wait "$(uvsd_pid)" 2>/dev/null || true
rm -f "$LAB_TMP/director.pid" "$UVSD_SOCKET"

# A last uvsd, stopped cleanly by e2e_done.
start --steer-timeout "$TIMEOUT_MS"
expect "the last uvsd balances the VIP" "$all_rs" "$(curl_count "$(url "$V4")" 6)"
e2e_done
