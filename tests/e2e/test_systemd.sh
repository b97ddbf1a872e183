#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# uvsd.service, hardened as installed, run by the real systemd: systemd becomes PID 1 of
# new pid, mount, cgroup, network, uts and ipc namespaces (as a container manager would
# start it) with a unit directory holding only uvsd.service and empty targets, and the
# unit runs the uvsd built here on a veth pair of its own. Checks: Type=notify reaches
# "active" with its status line; uvsadm works through /run/uvsd.sock; the main process
# has exactly the unit's bounding set, no new privileges and a seccomp filter; the tc
# steering program is attached despite the sandbox; the configuration survives
# systemctl restart and a SIGKILL (the state file); a reload and a stop are clean
# (status, exit 0, the socket link and runtime directory gone); AF_XDP and --group work
# under the sandbox.
#
# Skipped (77) without root, without systemd's binary, or where systemd is PID 1 already
# (there, test the unit with systemctl itself). The test's cgroups are made under the
# root of the host's hierarchies and removed at the end.
# Usage: test_systemd.sh UVSD UVSADM UVSD_SERVICE
set -euo pipefail
uvsd=$(realpath "$1")
uvsadm=$(realpath "$2")
unit_in=$(realpath "$3")
systemd=/usr/lib/systemd/systemd
skip() {
	echo "SKIP: $*"
	exit 77
}
[ "$(id -u)" = 0 ] || skip "needs root"
[ -x "$systemd" ] || skip "no $systemd"
[ "$(cat /proc/1/comm)" != systemd ] || skip "systemd is PID 1 here: use systemctl"
command -v unshare >/dev/null && command -v nsenter >/dev/null || skip "no unshare or nsenter"
# The hierarchies systemd uses: cgroup2 alone, or cgroup2 beside a name=systemd v1.
if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then
	layout=unified hierarchies=/sys/fs/cgroup
elif [ -d /sys/fs/cgroup/unified ] && [ -d /sys/fs/cgroup/systemd ]; then
	layout=hybrid hierarchies="/sys/fs/cgroup/unified /sys/fs/cgroup/systemd"
else
	skip "no cgroup2 at /sys/fs/cgroup or /sys/fs/cgroup/unified"
fi

dir=$(mktemp -d /tmp/uvs-systemd.XXXXXX)
chmod 755 "$dir"
cg=uvs-systemd-$$
init= outer=
cleanup() {
	local h
	# Killing the namespace's PID 1 ends everything in it.
	[ -n "$init" ] && kill -KILL "$init" 2>/dev/null || :
	[ -n "$outer" ] && wait "$outer" 2>/dev/null || :
	for h in $hierarchies; do
		[ -d "$h/$cg" ] && find "$h/$cg" -depth -type d -exec rmdir {} + 2>/dev/null || :
	done
	rm -rf "$dir"
}
trap cleanup EXIT
fail() {
	echo "FAIL: $*"
	[ -n "$init" ] && in_ns cat /run/uvsd-test.log 2>/dev/null | sed 's/^/  uvsd: /' || :
	exit 1
}

# ---- the unit directory: the unit as installed, run on this build's uvsd -------------
mkdir "$dir/units" "$dir/units/uvsd.service.d"
for t in sysinit basic shutdown network-online multi-user local-fs sockets; do
	printf '[Unit]\nDescription=%s, empty for the test\n' "$t" >"$dir/units/$t.target"
done
printf '[Unit]\nDescription=uvsd under test\nWants=uvsd.service\n' >"$dir/units/uvstest.target"
sed "s|^ExecStart=[^ ]*/uvsd |ExecStart=$uvsd |" "$unit_in" >"$dir/units/uvsd.service"
grep -q "^ExecStart=$uvsd " "$dir/units/uvsd.service" || fail "no ExecStart to point at $uvsd"
# use_opts OPTS: the unit's UVSD_OPTS (as /etc/default/uvsd would set them); uvsd's
# stderr in a file (there is no journal). In a build with AddressSanitizer, no leak
# check at exit: LeakSanitizer needs ptrace, which the unit's system call filter denies.
use_opts() {
	printf '[Service]\nEnvironment="UVSD_OPTS=%s" ASAN_OPTIONS=detect_leaks=0\nStandardError=append:/run/uvsd-test.log\n' \
		"$1" >"$dir/units/uvsd.service.d/test.conf"
}
use_opts "--interface v0 --rules /run/uvs-test.rules"

# ---- PID 1 of the namespaces: the API file systems, then systemd ----------------------
cat >"$dir/init.sh" <<EOF
#!/bin/bash
set -e
mount --make-rprivate /
mount -t proc proc /proc
if [ $layout = unified ]; then
	mount -t cgroup2 cgroup2 /sys/fs/cgroup
else
	mount -t tmpfs tmpfs /sys/fs/cgroup
	mkdir /sys/fs/cgroup/systemd /sys/fs/cgroup/unified
	mount -t cgroup2 cgroup2 /sys/fs/cgroup/unified
	mount -t cgroup -o none,name=systemd cgroup /sys/fs/cgroup/systemd
fi
mount -t tmpfs tmpfs /run
mount --bind "$dir/units" /usr/lib/systemd/system
mount -t tmpfs tmpfs /etc/systemd/system
# What the unit writes (StateDirectory, PrivateTmp's directories) stays in here.
mount -t tmpfs tmpfs /var/lib
mount -t tmpfs tmpfs /var/tmp
mount -t tmpfs tmpfs /tmp
printf -- '-A -t 10.0.0.1:80 -s rr\n-a -t 10.0.0.1:80 -r 192.168.7.2:80 -m\n' >/run/uvs-test.rules
ip link set lo up
ip link add v0 type veth peer name v1
ip link set v0 up
ip link set v1 up
ip addr add 192.168.7.1/24 dev v0
exec env container=uvs-test $systemd --system --unit=uvstest.target \\
	--default-standard-output=inherit --default-standard-error=inherit --show-status=no
EOF
chmod +x "$dir/init.sh"
# The outer shell moves itself into cgroups of its own, whose namespace systemd gets.
cat >"$dir/outer.sh" <<EOF
#!/bin/bash
set -e
for h in $hierarchies; do
	mkdir "\$h/$cg"
	echo \$\$ >"\$h/$cg/cgroup.procs"
done
exec unshare --cgroup --pid --fork --mount --net --uts --ipc "$dir/init.sh"
EOF
chmod +x "$dir/outer.sh"
"$dir/outer.sh" >"$dir/outer.log" 2>&1 &
outer=$!
for ((i = 0; i < 100; i++)); do
	init=$(pgrep -P "$outer" -x systemd || :)
	[ -n "$init" ] && break
	sleep 0.05
done
[ -n "$init" ] || fail "systemd did not start: $(cat "$dir/outer.log")"
in_ns() { nsenter -t "$init" -m -p -n -u "$@"; }
for ((i = 0; i < 100; i++)); do
	in_ns systemctl show -p Version >/dev/null 2>&1 && break
	sleep 0.1
done
echo "ok: systemd $(in_ns systemctl show -p Version --value) runs as PID 1 of the test's namespaces"

# show PROPERTY: the unit's property's value.
show() { in_ns systemctl show -p "$1" --value uvsd; }
# wait_active: until the unit is active (Type=notify: uvsd said READY=1), 10 s at most.
wait_active() {
	local i
	for ((i = 0; i < 100; i++)); do
		[ "$(show ActiveState)" = active ] && return 0
		sleep 0.1
	done
	fail "uvsd.service is $(show ActiveState)/$(show SubState), result $(show Result)"
}

# ---- started by systemd ---------------------------------------------------------------
wait_active
[ "$(show Type)" = notify ] || fail "Type=$(show Type)"
status=$(show StatusText)
case $status in "services: 1, real servers: 1, links: 1, workers: "*) ;; *) fail "status '$status'" ;; esac
echo "ok: Type=notify, active, status '$status'"
got=$(in_ns "$uvsadm" -S -n)
[ "$got" = "$(printf -- '-A -t 10.0.0.1:80 -s rr\n-a -t 10.0.0.1:80 -r 192.168.7.2:80 -m -w 1')" ] ||
	fail "uvsadm -S -n through /run/uvsd.sock: $got"
[ "$(in_ns readlink /run/uvsd.sock)" = uvsd/uvsd.sock ] || fail "/run/uvsd.sock is no link to uvsd/uvsd.sock"
echo "ok: uvsadm reaches uvsd through /run/uvsd.sock"

# The sandbox, as the kernel sees the main process.
main=$(show MainPID)
bounding=$(in_ns awk '/^CapBnd:/ { print $2 }' "/proc/$main/status")
# CAP_CHOWN 0, CAP_NET_ADMIN 12, CAP_NET_RAW 13, CAP_BPF 39 (linux/capability.h)
want=$(((1 << 0) | (1 << 12) | (1 << 13) | (1 << 39)))
[ "$((16#$bounding))" = "$want" ] || fail "bounding set $bounding, want $(printf %016x "$want")"
in_ns grep -q '^NoNewPrivs:[[:space:]]*1' "/proc/$main/status" || fail "no NoNewPrivs"
in_ns grep -q '^Seccomp:[[:space:]]*2' "/proc/$main/status" || fail "no seccomp filter"
echo "ok: bounding set CAP_CHOWN CAP_NET_ADMIN CAP_NET_RAW CAP_BPF, NoNewPrivs, seccomp"
in_ns tc filter show dev v0 ingress | grep -q uvs_steer_tc || fail "no steering program on v0"
echo "ok: the steering program is attached under the sandbox"
# uvsd's own mount namespace: /run read-only, /var/lib/uvsd writable, /tmp private.
in_ns nsenter -t "$main" -m touch /run/uvs-written 2>/dev/null && fail "/run is writable to uvsd"
in_ns nsenter -t "$main" -m touch /var/lib/uvsd/written || fail "/var/lib/uvsd is read-only to uvsd"
in_ns touch /tmp/uvs-outside
in_ns nsenter -t "$main" -m test ! -e /tmp/uvs-outside || fail "uvsd sees the host's /tmp"
echo "ok: in uvsd's view /run is read-only, /var/lib/uvsd writable, /tmp its own"

# Reload: the rules file again, the status after it.
in_ns sh -c "printf -- '-A -t 10.0.0.1:80 -s rr\n-a -t 10.0.0.1:80 -r 192.168.7.2:80 -m\n-a -t 10.0.0.1:80 -r 192.168.7.3:80 -m\n' >/run/uvs-test.rules"
in_ns systemctl reload uvsd
for ((i = 0; i < 50; i++)); do
	case $(show StatusText) in "services: 1, real servers: 2,"*) break ;; esac
	sleep 0.1
done
case $(show StatusText) in "services: 1, real servers: 2,"*) ;; *) fail "after reload: $(show StatusText)" ;; esac
wait_active
echo "ok: systemctl reload: $(show StatusText)"

# The configuration survives a restart and a SIGKILL (systemd restarts the unit), in
# the state directory: a service added at run time, the timeouts; the killed uvsd's
# tc filter is replaced by the next one, which has no CAP_SYS_ADMIN to read programs.
in_ns "$uvsadm" -A -t 10.0.0.2:80 -s wlc
in_ns "$uvsadm" -a -t 10.0.0.2:80 -r 192.168.7.4:80 -m -w 3
in_ns "$uvsadm" --set 100 20 30
kept=$(in_ns "$uvsadm" -S -n; in_ns "$uvsadm" -L --timeout)
for ((i = 0; i < 50; i++)); do
	in_ns grep -q -- "--set 100 20 30" /var/lib/uvsd/state 2>/dev/null && break
	sleep 0.1
done
in_ns grep -q -- "--set 100 20 30" /var/lib/uvsd/state || fail "no state in /var/lib/uvsd/state"
in_ns systemctl restart uvsd
wait_active
[ "$(in_ns "$uvsadm" -S -n; in_ns "$uvsadm" -L --timeout)" = "$kept" ] ||
	fail "after systemctl restart: $(in_ns "$uvsadm" -S -n)"
echo "ok: systemctl restart keeps the configuration"
main=$(show MainPID)
in_ns systemctl kill -s KILL uvsd
for ((i = 0; i < 100; i++)); do
	[ "$(show MainPID)" != "$main" ] && [ "$(show MainPID)" != 0 ] && break
	sleep 0.1
done
wait_active
[ "$(show MainPID)" != "$main" ] || fail "uvsd was not restarted after SIGKILL"
[ "$(in_ns "$uvsadm" -S -n; in_ns "$uvsadm" -L --timeout)" = "$kept" ] ||
	fail "after SIGKILL: $(in_ns "$uvsadm" -S -n)"
[ "$(in_ns tc filter show dev v0 ingress | grep -c uvs_steer_tc)" = 1 ] ||
	fail "not one steering filter on v0 after the restart"
echo "ok: killed (SIGKILL) and restarted by systemd: the configuration back, its filter replaced"

# Stop: clean exit, steering, socket link and runtime directory gone.
in_ns systemctl stop uvsd
[ "$(show Result)" = success ] && [ "$(show ExecMainStatus)" = 0 ] ||
	fail "stop: result $(show Result), status $(show ExecMainStatus)"
in_ns test ! -e /run/uvsd.sock -a ! -L /run/uvsd.sock || fail "/run/uvsd.sock left after stop"
in_ns test ! -e /run/uvsd || fail "/run/uvsd left after stop"
in_ns tc filter show dev v0 ingress | grep -q uvs_steer_tc && fail "steering left on v0"
echo "ok: systemctl stop: exit 0, nothing left"

# AF_XDP under the sandbox (a small ring: a PID 1 without CAP_SYS_RESOURCE cannot raise
# the locked memory limit), and --group (chown of the socket).
use_opts "--interface v0 --io af_xdp --workers 1 --ring-mib 1 --group nogroup"
in_ns systemctl daemon-reload
in_ns systemctl start uvsd
wait_active
[ "$(in_ns stat -c %G /run/uvsd/uvsd.sock)" = nogroup ] || fail "the socket's group is not nogroup"
in_ns "$uvsadm" -L -n >/dev/null || fail "uvsadm against the AF_XDP uvsd"
in_ns systemctl stop uvsd
[ "$(show Result)" = success ] || fail "AF_XDP stop: $(show Result)"
echo "ok: --io af_xdp and --group under the sandbox"
