#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# uvsd's sync daemons driven by uvsadm, in a network namespace of their own (a veth
# pair sync0/sync1): the kernel's refusals (no link, a daemon already running, none to
# stop), the kernel's sync_maxlen (1500 for a master, the link's MTU for a backup,
# held in range), master and backup at once; a backup makes the connections that
# kernel-format messages sent to the group on its link carry, and only those of its
# sync ID, counting what it refuses.
# Usage: test_sync_daemon.sh UVSD UVSADM SEND_PY
set -euo pipefail
if [ -z "${UVS_SYNC_NETNS:-}" ]; then
	exec unshare --net env UVS_SYNC_NETNS=1 bash "$0" "$@"
fi
uvsd=$(realpath "$1")
uvsadm=$(realpath "$2")
send=$(realpath "$3")
dir=$(mktemp -d /tmp/uvs-sync-test.XXXXXX)
export UVSD_SOCKET=$dir/sock
pid=
peer=
cleanup() {
	local rc=$?
	[ -z "$pid" ] || { kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true; }
	[ -z "$peer" ] || { kill "$peer" 2>/dev/null; wait "$peer" 2>/dev/null || true; }
	rm -rf "$dir"
	exit "$rc"
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
# until SECONDS cmd...: retries cmd every 0.1 s
until_ok() {
	local n=$(($1 * 10))
	shift
	until "$@" >/dev/null 2>&1; do
		n=$((n - 1))
		[ "$n" -gt 0 ] || return 1
		sleep 0.1
	done
}
counter() { "$uvsadm" -L --counters | awk -v n="$1" '$1 == n { print $2 }'; }
is_counter() { [ "$(counter "$1")" = "$2" ]; }

# The other end of the link, where the kernel-format master sends from: a namespace
# of its own (a source address of uvsd's own namespace would be dropped as martian).
unshare --net sleep 600 &
peer=$!
in_peer() { nsenter -t "$peer" -n "$@"; }
peer_apart() { [ "$(readlink "/proc/$peer/ns/net")" != "$(readlink /proc/self/ns/net)" ]; }
until_ok 5 peer_apart || fail "no namespace for the peer"
ip link set lo up
ip link add sync0 mtu 9000 type veth peer name sync1 mtu 9000
ip link set sync1 netns "$peer"
ip link set sync0 up
ip addr add 192.0.2.1/24 dev sync0
ip addr add 2001:db8::1/64 dev sync0 nodad
in_peer ip link set sync1 up
in_peer ip addr add 192.0.2.2/24 dev sync1

"$uvsd" --foreground --state none 2>"$dir/log" &
pid=$!
until_ok 5 test -S "$UVSD_SOCKET" || fail "uvsd did not start"

# ---- the kernel's refusals and defaults ---------------------------------------------------
out=$("$uvsadm" --start-daemon master --mcast-interface nosuch0 2>&1) && fail "no link accepted"
expect "a link that does not exist" "no link nosuch0 (--mcast-interface)" "$out"
expect "nothing recorded" "" "$("$uvsadm" -L --daemon)"
"$uvsadm" --start-daemon master --mcast-interface sync0 --syncid 3
out=$("$uvsadm" --start-daemon master --mcast-interface sync0 2>&1) && fail "two masters"
expect "a second master" "Daemon has already run" "$out"
# A backup at once, as the kernel allows; its maxlen from the link's MTU of 9000.
"$uvsadm" --start-daemon backup --mcast-interface sync0 --syncid 5
expect "master and backup, the kernel's sizes" \
	"master sync daemon (mcast=sync0, syncid=3, maxlen=1472, group=224.0.0.81, port=8848, ttl=1)
backup sync daemon (mcast=sync0, syncid=5, maxlen=8972, group=224.0.0.81, port=8848, ttl=1)" \
	"$("$uvsadm" -L --daemon)"
grep -q "sync thread started: state = BACKUP, mcast_ifn = sync0, syncid = 5" "$dir/log" ||
	fail "the start is not logged"
"$uvsadm" --stop-daemon master
out=$("$uvsadm" --stop-daemon master 2>&1) && fail "stopped twice"
expect "no master to stop" "No daemon is running" "$out"
"$uvsadm" --start-daemon master --mcast-interface sync0 --sync-maxlen 100 --mcast-group ff02::51
expect "a master's maxlen held as given, an IPv6 group" \
	"master sync daemon (mcast=sync0, syncid=0, maxlen=100, group=ff02::51, port=8848, ttl=1)" \
	"$("$uvsadm" -L --daemon | head -1)"
"$uvsadm" --stop-daemon master

# ---- a backup reads kernel-format messages ------------------------------------------------
"$uvsadm" -A -t 10.0.0.1:80 -s rr
"$uvsadm" -a -t 10.0.0.1:80 -r 192.168.0.11:80 -m
"$uvsadm" -A -u 10.0.0.1:53 -s rr
"$uvsadm" -a -u 10.0.0.1:53 -r 192.168.0.12:53 -m
in_peer python3 "$send" sync1 224.0.0.81 8848 5 nat
until_ok 5 sh -c "'$uvsadm' -L -n -c | grep -q ESTABLISHED" || fail "no connection synced"
expect "the synced connection, its state and timeout" \
	"TCP 15:00  ESTABLISHED 172.16.0.5:40000   10.0.0.1:80        192.168.0.11:80" \
	"$("$uvsadm" -L -n -c | grep 40000 | sed 's/ 1[45]:[0-9][0-9] / 15:00 /')"
expect "counted on its real server" "1" \
	"$("$uvsadm" -L -n -t 10.0.0.1:80 | awk '$2 == "192.168.0.11:80" { print $5 }')"
in_peer python3 "$send" sync1 224.0.0.81 8848 5 many
until_ok 5 sh -c "[ \"\$('$uvsadm' -L -n -c | grep -c UDP)\" = 300 ]" ||
	fail "not every UDP connection: $("$uvsadm" -L -n -c | grep -c UDP)"
echo "ok: 300 connections in 8 messages"
expect "sync_rx_new" 301 "$(counter sync_rx_new)"
expect "sync_rx_msgs" 9 "$(counter sync_rx_msgs)"
in_peer python3 "$send" sync1 224.0.0.81 8848 6 nat
in_peer python3 "$send" sync1 224.0.0.81 8848 5 bad
until_ok 5 is_counter sync_rx_bad_size 1 || fail "the bad message not counted"
expect "another sync ID: not read" 1 "$(counter sync_rx_syncid)"
expect "nothing else made" 301 "$(counter sync_rx_new)"

# ---- stopping leaves what it made, to expire ----------------------------------------------
"$uvsadm" --stop-daemon backup
expect "the connections stay" 301 "$("$uvsadm" -L -n -c | tail -n +3 | wc -l)"
kill -TERM "$pid"
wait "$pid" || fail "uvsd exited $?"
pid=
echo "all sync daemon checks passed"
