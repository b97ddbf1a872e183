#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# uvsd's state file (--state): the configuration (services and real servers in
# uvsd's order, timeouts, sysctls, sync daemons) is the same after uvsd is stopped
# with SIGTERM and started again, and after it is killed with SIGKILL once the change
# is written; --rules with SIGHUP changes only what the rules file declares, across
# restarts too; a corrupt, newer or shared state file stops uvsd at start, saying
# which file and line, in the foreground and as a daemon; --state none keeps nothing;
# systemd's $STATE_DIRECTORY holds the file by default.
# Usage: test_state.sh UVSD UVSADM
set -euo pipefail
# The sync daemons it starts open real sockets: in a network namespace of its own, on
# a link of its own that carries multicast (lo carries no IPv6 multicast).
if [ -z "${UVS_STATE_NETNS:-}" ]; then
	exec unshare --net env UVS_STATE_NETNS=1 bash "$0" "$@"
fi
ip link set lo up
ip link add sync0 type veth peer name sync1
ip link set sync0 up
ip link set sync1 up
ip addr add 192.0.2.1/24 dev sync0
ip addr add 2001:db8::1/64 dev sync0 nodad
uvsd=$(realpath "$1")
uvsadm=$(realpath "$2")
dir=$(mktemp -d /tmp/uvs-state-test.XXXXXX)
export UVSD_SOCKET=$dir/sock
state=$dir/lib/state # the directory is made by uvsd
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT
fail() {
	echo "FAIL: $*"
	[ -f "$dir/log" ] && sed 's/^/uvsd: /' "$dir/log"
	exit 1
}
expect() { # expect NAME WANT GOT
	if [ "$2" != "$3" ]; then
		diff <(printf '%s\n' "$2") <(printf '%s\n' "$3") || true
		fail "$1"
	fi
	echo "ok: $1"
}
start() { # start uvsd-args...: uvsd in the foreground, serving
	"$uvsd" --foreground --state "$state" "$@" 2>"$dir/log" &
	pid=$!
	for _ in $(seq 50); do [ -S "$UVSD_SOCKET" ] && break; sleep 0.1; done
	[ -S "$UVSD_SOCKET" ] || fail "uvsd did not start"
}
stop() { # stop [SIGNAL]
	kill -"${1:-TERM}" "$pid"
	wait "$pid" 2>/dev/null || true
	pid=
	rm -f "$UVSD_SOCKET" # a killed uvsd leaves it
}
# Everything an operator (or keepalived) sees of the configuration.
view() {
	"$uvsadm" -S -n
	"$uvsadm" -L -n --nosort
	"$uvsadm" -L --timeout
	"$uvsadm" --sysctl
	"$uvsadm" -L --daemon
}
written() { # written TEXT [FILE]: waits (up to 5 s) until the state file holds TEXT
	for _ in $(seq 50); do grep -qF -- "$1" "${2:-$state}" 2>/dev/null && return 0; sleep 0.1; done
	fail "the state file never held '$1'"
}

# ---- every kind of setting, across SIGTERM and SIGKILL ----------------------------------
start
"$uvsadm" -R <<'RULES'
-A -t 10.0.0.1:80 -s rr
-a -t 10.0.0.1:80 -r 192.168.0.12:80 -m -w 1
-a -t 10.0.0.1:80 -r 192.168.0.11:80 -m -w 3 -x 100 -y 10
-a -t 10.0.0.1:80 -r 192.168.0.13:80 -m -w 0
-A -u 10.0.0.1:53 -s sh -b sh-fallback,sh-port -o
-a -u 10.0.0.1:53 -r 192.168.0.21:53 -i -w 5 --tun-type gue --tun-port 6080 --tun-csum
-a -u 10.0.0.1:53 -r 192.168.0.22:53 -i -w 5 --tun-type gre --tun-csum
-A -t [2001:db8::1]:443 -s mh -b mh-port -p 3600 -M 64
-a -t [2001:db8::1]:443 -r [2001:db8::10]:8443 -m -w 10
-a -t [2001:db8::1]:443 -r [2001:db8::11]:443 -i -w 2 --tun-type ipip
-A -f 7 -6 -s wlc -p 60 -M 48
-a -f 7 -6 -r [2001:db8::31]:0 -g -w 65535
--set 1 2 3
RULES
"$uvsadm" --sysctl conn_reuse_mode=0 'sync_threshold=10 100' expire_nodest_conn=1 >/dev/null
"$uvsadm" --start-daemon master --mcast-interface sync0 --syncid 7 --mcast-group ff02::1:2
"$uvsadm" --start-daemon backup --mcast-interface sync0
written "--start-daemon backup"
before=$(view)
stop TERM
start
expect "SIGTERM: the same configuration after the restart" "$before" "$(view)"

# A change keepalived would make, written, then SIGKILL.
"$uvsadm" -e -t 10.0.0.1:80 -r 192.168.0.13:80 -m -w 9
"$uvsadm" -a -t 10.0.0.1:80 -r 192.168.0.14:80 -m
"$uvsadm" --stop-daemon backup
written "-a -t 10.0.0.1:80 -r 192.168.0.14:80 -m -w 1"
before=$(view)
stop KILL
start
expect "SIGKILL: the same configuration after the restart" "$before" "$(view)"
grep -q "restored 4 service(s)" "$dir/log" || fail "no restore logged"
echo "ok: the restore is logged"

# ---- --sysctl on the command line goes on top of the state ------------------------------
stop
start --sysctl conn_reuse_mode=2
expect "--sysctl wins over the state" "net.ipv4.vs.conn_reuse_mode = 2
net.ipv4.vs.expire_nodest_conn = 1" "$("$uvsadm" --sysctl conn_reuse_mode expire_nodest_conn)"
"$uvsadm" -C
stop

# ---- --rules and SIGHUP: only what the file declares -------------------------------------
cat >"$dir/rules" <<'RULES'
-A -t 10.1.0.1:80 -s rr
-a -t 10.1.0.1:80 -r 192.168.1.11:80 -m
-A -t 10.1.0.2:80 -s rr
-a -t 10.1.0.2:80 -r 192.168.1.21:80 -m
RULES
start --rules "$dir/rules"
# Added at run time, as keepalived would: a service, and a real server of a service
# the file declares.
"$uvsadm" -A -t 10.1.0.9:80 -s wlc
"$uvsadm" -a -t 10.1.0.9:80 -r 192.168.1.91:80 -m
"$uvsadm" -a -t 10.1.0.1:80 -r 192.168.1.12:80 -m -w 4
# The file: 10.1.0.2 removed, 10.1.0.1 edited, 10.1.0.3 added.
cat >"$dir/rules" <<'RULES'
-A -t 10.1.0.1:80 -s wrr
-a -t 10.1.0.1:80 -r 192.168.1.11:80 -m -w 2
-A -t 10.1.0.3:80 -s rr
RULES
n=$(grep -c "applied" "$dir/log" || true)
kill -HUP "$pid"
for _ in $(seq 50); do [ "$(grep -c "applied" "$dir/log" || true)" -gt "$n" ] && break; sleep 0.1; done
want="-A -t 10.1.0.1:80 -s wrr
-a -t 10.1.0.1:80 -r 192.168.1.11:80 -m -w 2
-a -t 10.1.0.1:80 -r 192.168.1.12:80 -m -w 4
-A -t 10.1.0.3:80 -s rr
-A -t 10.1.0.9:80 -s wlc
-a -t 10.1.0.9:80 -r 192.168.1.91:80 -m -w 1"
expect "SIGHUP: the file's changes applied, the run-time ones kept" "$want" "$("$uvsadm" -S -n)"
# The file wins for what it declares; the restart keeps the run-time service.
"$uvsadm" -e -t 10.1.0.1:80 -r 192.168.1.11:80 -m -w 7
written "-a -t 10.1.0.1:80 -r 192.168.1.11:80 -m -w 7"
stop KILL
start --rules "$dir/rules"
expect "restart with --rules: the file's values, the run-time service kept" "$want" \
	"$("$uvsadm" -S -n)"
# An empty file removes what it declared, and says so.
: >"$dir/rules"
kill -HUP "$pid"
for _ in $(seq 50); do grep -q "holds no rules" "$dir/log" && break; sleep 0.1; done
grep -q "level=warning msg=\"rules $dir/rules holds no rules: the 2 service(s) it declared before removed" \
	"$dir/log" || fail "no warning for the empty rules file"
expect "an empty rules file removes only what it declared" "-A -t 10.1.0.9:80 -s wlc
-a -t 10.1.0.9:80 -r 192.168.1.91:80 -m -w 1" "$("$uvsadm" -S -n)"

# ---- one uvsd per state file ------------------------------------------------------------
out=$(UVSD_SOCKET=$dir/other.sock timeout -k 1 5 "$uvsd" --foreground --state "$state" 2>&1) &&
	fail "a second uvsd took the state file"
expect "a second uvsd on the same state file" \
	"level=error msg=\"state file $state: in use by another uvsd (PID $pid): each uvsd needs a state file of its own\"" \
	"$out"
stop

# ---- a state file that cannot be used stops uvsd, naming it -----------------------------
refused() { # refused WANT [uvsd-args...]: uvsd exits 1 saying WANT, in both modes
	local want=$1 out rc
	shift
	for mode in --foreground ""; do
		rc=0
		out=$(timeout -k 1 5 "$uvsd" $mode --state "$state" "$@" 2>&1) || rc=$?
		[ "$rc" = 1 ] || fail "uvsd ${mode:-as a daemon} exited $rc with a bad state file ($out)"
		expect "refused ${mode:-as a daemon}: $want" "$want" "$(printf '%s\n' "$out" | grep -v 'stopping\|starting' || true)"
		[ ! -e "$UVSD_SOCKET" ] || fail "uvsd served anyway"
	done
}
hint="uvsd does not start without the configuration it kept: correct the file, or move it aside to start with an empty configuration"
good=$(cat "$state")
printf '%s\n' "$good" | sed 's/^-a -t 10.1.0.9:80 .*/-a -t 10.1.0.9:80 -r 192.168.1.91:80 -m -w 70000/' >"$state"
refused "level=error msg=\"state file $state: line 7: illegal weight specified: '70000' (0..65535); $hint\""
printf '%s\n' "$good" | sed 's/^-A -t 10.1.0.9:80 /-A -t 10.1.0.8:80 /' >"$state"
refused "level=error msg=\"state file $state: line 7: Service not defined; $hint\""
printf '%s\n' "$good" | sed 's/^uvsd-state 1$/uvsd-state 2/' >"$state"
refused "level=error msg=\"state file $state: line 4: state version 2, written by a newer uvsd: this one reads version 1 and older; $hint\""
head -c 100 /dev/urandom >"$state"
out=$(timeout -k 1 5 "$uvsd" --foreground --state "$state" 2>&1) && fail "random bytes accepted"
case $out in "level=error msg=\"state file $state: "*"$hint\"") echo "ok: random bytes refused" ;; *) fail "random bytes: $out" ;; esac
printf '%s\n' "$good" >"$state"
start
expect "the good file again" "-A -t 10.1.0.9:80 -s wlc
-a -t 10.1.0.9:80 -r 192.168.1.91:80 -m -w 1" "$("$uvsadm" -S -n)"
stop

# ---- --state none keeps nothing ----------------------------------------------------------
rm -rf "${dir:?}/lib"
"$uvsd" --foreground --state none 2>"$dir/log" &
pid=$!
for _ in $(seq 50); do [ -S "$UVSD_SOCKET" ] && break; sleep 0.1; done
"$uvsadm" -A -t 10.2.0.1:80
stop
[ ! -e "$dir/lib" ] || fail "--state none wrote a state"
grep -q "no state file: the configuration is not kept across a restart" "$dir/log" ||
	fail "--state none not logged"
echo "ok: --state none keeps nothing"

# ---- systemd's state directory (StateDirectory=) is the default ---------------------------
mkdir "$dir/sd"
STATE_DIRECTORY=$dir/sd:$dir/other "$uvsd" --foreground 2>"$dir/log" &
pid=$!
for _ in $(seq 50); do [ -S "$UVSD_SOCKET" ] && break; sleep 0.1; done
"$uvsadm" -A -t 10.3.0.1:80
written "-A -t 10.3.0.1:80 -s wlc" "$dir/sd/state"
stop
echo "ok: \$STATE_DIRECTORY/state by default"
echo "all state checks passed"
