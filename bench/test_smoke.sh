#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A smoke run of the frame benchmark (not a benchmark): bench/net.sh frames --quick in
# one layout (rx0), 1 s per contender, must forward frames through each of uvsd NAT,
# uvsd DR and the null forwarder on both backends (AF_PACKET and AF_XDP), and the
# kernel. Usage: test_smoke.sh BUILD_DIR
set -euo pipefail
build=$1
if [ "$(id -u)" != 0 ] || [ "$(nproc)" -lt 2 ]; then
	echo "skipped: needs root and 2 CPUs"
	exit 77
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
rc=0
UVS_BENCH_BACKENDS="af_packet af_xdp" UVS_BENCH_LAYOUTS=rx0 \
	bash "$(dirname "$0")/net.sh" "$build" "$out" frames --quick || rc=$?
[ "$rc" = 77 ] && exit 77
[ "$rc" = 0 ] || { echo "FAIL: net.sh exited $rc"; exit 1; }
failed=0
for who in nat/af_packet dr/af_packet null/af_packet nat/af_xdp dr/af_xdp null/af_xdp kernel/kernel; do
	fps=$(awk -v c="${who%/*}" -v io="${who#*/}" '$1 == io && $3 == c { print $4 }' "$out/frames-rx0.tsv")
	if [ "${fps:-0}" -gt 1000 ]; then
		echo "ok: $who forwarded $fps frames/s"
	else
		echo "FAIL: $who forwarded ${fps:-no} frames/s"
		failed=1
	fi
done
exit $failed
