#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# uvsd as a service: what it tells systemd through $NOTIFY_SOCKET (READY=1 only once
# it serves, RELOADING=1 and READY=1 around SIGHUP, STATUS=, STOPPING=1 at SIGTERM)
# without systemd (a Python listener plays its part); --log-level; the audit lines of
# changes through the control socket, with uvsadm's uid and pid.
# Usage: test_service.sh UVSD UVSADM SD_LISTEN_PY
set -euo pipefail
uvsd=$(realpath "$1")
uvsadm=$(realpath "$2")
listen=$(realpath "$3")
dir=$(mktemp -d /tmp/uvs-service.XXXXXX)
export UVSD_SOCKET=$dir/sock
pid= lpid=
cleanup() {
	local p
	for p in $pid $lpid; do
		kill "$p" 2>/dev/null && wait "$p" 2>/dev/null || :
	done
	rm -rf "$dir"
}
trap cleanup EXIT
fail() {
	echo "FAIL: $*"
	exit 1
}
# wait_for FILE PATTERN [SECONDS]: until a line of FILE matches the extended regex.
wait_for() {
	local i
	for ((i = 0; i < ${3:-5} * 20; i++)); do
		grep -Eq -- "$2" "$1" && return 0
		sleep 0.05
	done
	fail "no line matching '$2' in $1 after ${3:-5} s: $(cat "$1")"
}

# ---- sd_notify ------------------------------------------------------------------------
"$listen" "$dir/notify" >"$dir/notes" &
lpid=$!
for ((i = 0; i < 100; i++)); do [ -S "$dir/notify" ] && break; sleep 0.05; done
[ -S "$dir/notify" ] || fail "the listener did not bind $dir/notify"

printf -- '-A -t 10.0.0.1:80 -s rr\n-a -t 10.0.0.1:80 -r 192.168.0.11:80 -m -w 1\n' >"$dir/rules"
NOTIFY_SOCKET=$dir/notify "$uvsd" --foreground --rules "$dir/rules" 2>"$dir/log" &
pid=$!
wait_for "$dir/notes" '^READY=1'
# At READY=1 the socket answers with the rules file's configuration in place.
got=$("$uvsadm" -S -n)
[ "$got" = "$(cat "$dir/rules")" ] || fail "at READY=1 uvsadm -S -n says '$got'"
echo "ok: READY=1 once uvsd serves its rules"
grep -q '^READY=1|STATUS=services: 1, real servers: 1, control plane only' "$dir/notes" ||
	fail "READY=1 without the status: $(cat "$dir/notes")"
echo "ok: STATUS= with services and real servers"
[ "$(grep -c READY=1 "$dir/notes")" = 1 ] || fail "READY=1 more than once: $(cat "$dir/notes")"

# A change through the socket shows in the status within the 2 s timer.
"$uvsadm" -a -t 10.0.0.1:80 -r 192.168.0.12:80 -m
wait_for "$dir/notes" '^STATUS=services: 1, real servers: 2,'
echo "ok: the status follows changes"

# SIGHUP: RELOADING=1 (with the time), then READY=1 with the reloaded configuration.
printf -- '-A -t 10.0.0.2:80 -s rr\n' >"$dir/rules"
kill -HUP "$pid"
wait_for "$dir/notes" '^READY=1\|STATUS=services: 1, real servers: 0,'
grep -Eq '^RELOADING=1\|MONOTONIC_USEC=[0-9]+$' "$dir/notes" ||
	fail "no RELOADING=1 before the reload's READY=1: $(cat "$dir/notes")"
[ "$(grep -n RELOADING "$dir/notes" | cut -d: -f1)" -lt "$(grep -n READY "$dir/notes" | tail -1 | cut -d: -f1)" ] ||
	fail "RELOADING=1 after READY=1: $(cat "$dir/notes")"
echo "ok: RELOADING=1 ... READY=1 around SIGHUP"

kill -TERM "$pid"
wait "$pid" || fail "uvsd exited $? after SIGTERM"
pid=
wait_for "$dir/notes" '^STOPPING=1$'
echo "ok: STOPPING=1 at SIGTERM"

# Without $NOTIFY_SOCKET uvsd serves as ever (sd_notify does nothing).
env -u NOTIFY_SOCKET "$uvsd" --foreground 2>"$dir/log" &
pid=$!
for ((i = 0; i < 100; i++)); do "$uvsadm" -L -n >/dev/null 2>&1 && break; sleep 0.05; done
"$uvsadm" -L -n >/dev/null || fail "uvsd without NOTIFY_SOCKET does not serve: $(cat "$dir/log")"
kill "$pid"
wait "$pid" || fail "uvsd without NOTIFY_SOCKET exited $?"
pid=
grep -q "cannot tell systemd" "$dir/log" && fail "uvsd complains without systemd: $(cat "$dir/log")"
echo "ok: without NOTIFY_SOCKET uvsd runs and says nothing of systemd"

# ---- --log-level ----------------------------------------------------------------------
# run_level LEVEL: starts and stops uvsd at that level; its log in $dir/log.
run_level() {
	"$uvsd" --foreground ${1:+--log-level "$1"} 2>"$dir/log" &
	pid=$!
	for ((i = 0; i < 100; i++)); do "$uvsadm" -L -n >/dev/null 2>&1 && break; sleep 0.05; done
	kill "$pid"
	wait "$pid" || fail "uvsd --log-level $1 exited $?"
	pid=
}
run_level debug
grep -q '^level=debug msg="engine: ' "$dir/log" || fail "no debug line at debug: $(cat "$dir/log")"
grep -q '^level=info msg="control socket .* ready"$' "$dir/log" || fail "no info line at debug"
echo "ok: --log-level debug logs debug lines"
run_level ""
grep -q 'debug' "$dir/log" && fail "a debug line at the default level: $(cat "$dir/log")"
grep -q '^level=info msg="control socket .* ready"$' "$dir/log" || fail "no info line by default"
echo "ok: the default level (info) leaves debug lines out"
run_level warning
[ ! -s "$dir/log" ] || fail "lines below warning at --log-level warning: $(cat "$dir/log")"
echo "ok: --log-level warning leaves info lines out"
out=$("$uvsd" --foreground --log-level verbose 2>&1) && fail "--log-level verbose accepted"
[ "$out" = "uvsd: --log-level takes err, warning, notice, info or debug, not 'verbose'" ] ||
	fail "--log-level verbose: $out"
echo "ok: an unknown level is refused"

# ---- the audit ------------------------------------------------------------------------
"$uvsd" --foreground 2>"$dir/log" &
pid=$!
for ((i = 0; i < 100; i++)); do "$uvsadm" -L -n >/dev/null 2>&1 && break; sleep 0.05; done
# audited WANT_RC LINE_PART uvsadm-args...: runs uvsadm, expects its status and the
# audit line 'level=notice msg=audit uid=U pid=ITS_PID comm=uvsadm LINE_PART' in uvsd's
# log (key=value, the default format).
audited() {
	local want=$1 part=$2 rc=0 upid
	shift 2
	"$uvsadm" "$@" 2>/dev/null &
	upid=$!
	wait "$upid" || rc=$?
	[ "$rc" = "$want" ] || fail "uvsadm $* exited $rc, want $want"
	wait_for "$dir/log" "^level=notice msg=audit uid=$(id -u) pid=$upid comm=uvsadm $part\$"
	echo "ok: audit: uvsadm $*"
}
audited 0 'change="-A -t 10\.0\.0\.1:80 -s wlc" result=ok' -A -t 10.0.0.1:80
audited 0 'change="-a -t 10\.0\.0\.1:80 -r 192\.168\.0\.11:80 -m -w 1" result=ok' \
	-a -t 10.0.0.1:80 -r 192.168.0.11:80 -m
audited 255 'change="-d -t 10\.0\.0\.1:80 -r 192\.168\.0\.99:80" result=refused error="No such destination"' \
	-d -t 10.0.0.1:80 -r 192.168.0.99:80
audited 0 'change="--set 900 0 0" result=ok' --set 900 0 0
# A listing is no change.
"$uvsadm" -L -n >/dev/null
[ "$(grep -c 'msg=audit ' "$dir/log")" = 4 ] || fail "audit lines for reads: $(cat "$dir/log")"
echo "ok: no audit line for a listing"
# A restore beyond the audit's limit: 1000 lines one by one, then a count.
awk 'BEGIN { for (i = 0; i < 1500; i++) printf "-A -u 10.1.%d.%d:53\n", i / 250, i % 250 + 1 }' |
	"$uvsadm" -R &
upid=$!
wait "$upid" || fail "uvsadm -R of 1500 services exited $?"
wait_for "$dir/log" "^level=notice msg=\"audit: changes not logged one by one \\(the audit's limit\\)\" uid=$(id -u) pid=$upid comm=uvsadm not_logged=[0-9]+ ok=[0-9]+ refused=0\$"
one_by_one=$(grep -c "msg=audit uid=$(id -u) pid=$upid comm=uvsadm change=\"-A -u" "$dir/log")
more=$(sed -n "s/.*pid=$upid comm=uvsadm not_logged=\\([0-9]*\\) .*/\\1/p" "$dir/log")
[ "$one_by_one" -ge 1000 ] && [ $((one_by_one + more)) = 1500 ] ||
	fail "uvsadm -R of 1500: $one_by_one lines and $more counted"
echo "ok: a restore of 1500 is $one_by_one audit lines and one count of $more"
kill "$pid"
wait "$pid" || fail "uvsd exited $?"
pid=
# At --log-level warning there is no audit line.
"$uvsd" --foreground --log-level warning 2>"$dir/log" &
pid=$!
for ((i = 0; i < 100; i++)); do "$uvsadm" -L -n >/dev/null 2>&1 && break; sleep 0.05; done
"$uvsadm" -A -t 10.0.0.1:80
kill "$pid"
wait "$pid" || fail "uvsd exited $?"
pid=
[ ! -s "$dir/log" ] || fail "a line at --log-level warning: $(cat "$dir/log")"
echo "ok: no audit line at --log-level warning"

# ---- --log-format text: the lines for people at a terminal ------------------------------
"$uvsd" --foreground --log-format text 2>"$dir/log" &
pid=$!
for ((i = 0; i < 100; i++)); do "$uvsadm" -L -n >/dev/null 2>&1 && break; sleep 0.05; done
"$uvsadm" -A -t 10.0.0.2:80 &
upid=$!
wait "$upid" || fail "uvsadm -A exited $?"
wait_for "$dir/log" "^uvsd: notice: audit: uid=$(id -u) pid=$upid \\(uvsadm\\): -A -t 10\\.0\\.0\\.2:80 -s wlc: ok\$"
grep -q '^uvsd: info: control socket .* ready$' "$dir/log" || fail "no text info line: $(cat "$dir/log")"
kill "$pid"
wait "$pid" || fail "uvsd exited $?"
pid=
echo "ok: --log-format text writes 'uvsd: level: message' lines"
out=$("$uvsd" --foreground --log-format json 2>&1) && fail "--log-format json accepted"
[ "$out" = "uvsd: --log-format takes kv or text, not 'json'" ] || fail "--log-format json: $out"
echo "ok: an unknown log format is refused"
