#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# make demo's script, short: scripts/demo.sh --no-build --duration 2 with the built
# uvsd and uvsadm. Its output must hold uvsadm's --stats table with the wrr service
# and its three real servers, every one with a nonzero Conns; wrk's count of answers
# by each real server, every one nonzero, in the order of the weights 1 < 2 < 3; the
# service's Conns at least the answers' sum. The demo exits 0 and leaves no
# namespace behind.
# Usage: test_demo.sh DECAP_OBJ UVSD UVSADM
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
export LAB_UVSD=$2 LAB_UVSADM=$3
if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP: the demo needs root (network namespaces)"
	exit 77
fi
if ! ip netns add "uvsdemoprobe$$" 2>/dev/null; then
	echo "SKIP: cannot create a network namespace"
	exit 77
fi
ip netns del "uvsdemoprobe$$"

failed=0
check() { # NAME cmd...
	local name=$1
	shift
	if "$@"; then echo "ok: $name"; else echo "FAIL: $name"; failed=$((failed + 1)); fi
}

export LAB_PREFIX=uvsdemo$$
rc=0
out=$(timeout 120 "$here/../../scripts/demo.sh" --no-build --duration 2 --connections 10 2>&1) ||
	rc=$?
echo "$out" | sed 's/^/    /'
check "the demo exits 0 (got $rc)" [ "$rc" -eq 0 ]
check "it prints the --stats table" \
	grep -qx "Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes" <<<"$out"
svc=$(awk '$1 == "TCP" && $2 == "10.0.0.1:80" && NF == 7 { print $3 }' <<<"$out")
check "the service's Conns is counted (${svc:-none})" [ "${svc:-0}" -gt 0 ]
sum=0
prev=0
for i in 1 2 3; do
	conns=$(awk -v d="192.168.0.1$i:80" '$1 == "->" && $2 == d && NF == 7 { print $3 }' <<<"$out")
	check "--stats: rs$i's Conns (${conns:-none}) > 0" [ "${conns:-0}" -gt 0 ]
	n=$(awk -v rs="rs$i" '$1 == rs && NF == 2 { print $2 }' <<<"$out")
	check "wrk: rs$i answered (${n:-none}), more than the server of the lower weight ($prev)" \
		[ "${n:-0}" -gt "$prev" ]
	prev=${n:-0}
	sum=$((sum + ${n:-0}))
done
check "the service's Conns (${svc:-0}) >= the answers ($sum)" [ "${svc:-0}" -ge "$sum" ]
check "no namespace left" [ -z "$(ip netns list | grep "^$LAB_PREFIX-" || true)" ]
echo "demo test: $failed failed"
[ "$failed" -eq 0 ]
