# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
#
# tests/e2e/pair.sh — two network namespaces joined by a veth pair, for the tests of one
# part against the kernel (test_io_backend.sh, test_net_resolve.sh).
# Source it, after `set -euo pipefail`, as
#   . pair.sh NAME NET [veth options...]
# NAME names the namespaces ("NAME-a-PID", "NAME-b-PID"), NET is the first three
# octets of the /24 between them; the options go to both ends (numtxqueues 2 ...).
# It skips (exit 77) without root or network namespaces, and gives:
#   $a, $b        the namespaces: veth0 in a (NET.1), veth1 in b (NET.2), both up
#   $mac_a $mac_b their MACs
#   $dir          a temporary directory
#   pid=PID       a process the test started, killed at exit
#   fail MSG      prints "FAIL: MSG" and exits 1
# At exit the process, the namespaces and the directory are removed.

pair_name=$1
pair_net=$2
shift 2
if [ "$(id -u)" != 0 ] || ! ip netns add "$pair_name-probe-$$" 2>/dev/null; then
	echo "skipped: needs root and network namespaces"
	exit 77
fi
ip netns del "$pair_name-probe-$$"
a="$pair_name-a-$$"
b="$pair_name-b-$$"
dir=$(mktemp -d "/tmp/$pair_name.XXXXXX")
pid=
pair_cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null
	ip netns del "$a" 2>/dev/null || true
	ip netns del "$b" 2>/dev/null || true
	rm -rf "$dir"
}
trap pair_cleanup EXIT
fail() {
	echo "FAIL: $*"
	exit 1
}
ip netns add "$a"
ip netns add "$b"
ip -n "$a" link add veth0 "$@" type veth peer name veth1 "$@" netns "$b"
ip -n "$a" addr add "$pair_net.1/24" dev veth0
ip -n "$b" addr add "$pair_net.2/24" dev veth1
ip -n "$a" link set veth0 up
ip -n "$b" link set veth1 up
mac_a=$(ip -n "$a" -br link show veth0 | awk '{print $3}')
mac_b=$(ip -n "$b" -br link show veth1 | awk '{print $3}')
