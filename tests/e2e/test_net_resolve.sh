#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# uvs_net_resolve against the kernel's tables in two network namespaces joined by a
# veth pair: a neighbour on the link (resolved by the kernel's ARP / ND on demand), a
# destination behind a gateway, a route with its own MTU, and no route at all.
# Usage: test_net_resolve.sh NET_PROBE
set -euo pipefail
probe=$1
. "$(dirname "$0")/pair.sh" uvsnet 10.99.0
ip -n "$a" addr add 2001:db8:99::1/64 dev veth0 nodad
ip -n "$b" addr add 2001:db8:99::2/64 dev veth1 nodad
ip -n "$a" link set lo up
ip -n "$b" link set lo up
ip -n "$a" route add 198.51.100.0/24 via 10.99.0.2
ip -n "$a" route add 203.0.113.0/24 via 10.99.0.2 mtu 1400
ip -n "$a" route add 2001:db8:f00::/48 via 2001:db8:99::2
idx=$(ip -n "$a" -o link show veth0 | cut -d: -f1)

check() { # check ADDR WANT
	local got
	got=$(ip netns exec "$a" "$probe" "$1") || fail "$1: $got"
	[ "$got" = "$2" ] || fail "$1: got '$got', want '$2'"
	echo "ok: $1 -> $got"
}
# Nothing resolved yet: the first lookups start ARP / ND and wait for it.
[ -z "$(ip -n "$a" neigh show 10.99.0.2)" ] || fail "a neighbour entry before the test"
check 10.99.0.2 "$idx 1500 10.99.0.1 $mac_a $mac_b"
check 198.51.100.7 "$idx 1500 10.99.0.1 $mac_a $mac_b"
check 203.0.113.9 "$idx 1400 10.99.0.1 $mac_a $mac_b"
check 2001:db8:99::2 "$idx 1500 2001:db8:99::1 $mac_a $mac_b"
check 2001:db8:f00::5 "$idx 1500 2001:db8:99::1 $mac_a $mac_b"
ip -n "$a" neigh show 10.99.0.2 | grep -q "$mac_b" || fail "the kernel did not learn the neighbour"
# No route; and a neighbour that never answers stays unresolved.
got=$(ip netns exec "$a" "$probe" 192.0.2.1) && fail "192.0.2.1 resolved: $got"
[ "$got" = EHOSTUNREACH ] || fail "192.0.2.1: $got"
echo "ok: no route -> $got"
got=$(ip netns exec "$a" "$probe" 10.99.0.77 3) && fail "10.99.0.77 resolved: $got"
[ "$got" = EAGAIN ] || fail "10.99.0.77: $got"
echo "ok: silent neighbour -> $got"
echo "all resolver checks passed"
