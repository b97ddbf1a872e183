#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A smoke run of the frame benchmark (not a benchmark): bench/net.sh frames --quick,
# 1 s per contender, must forward frames through each of uvsd NAT, uvsd DR, the
# kernel and the null forwarder. Usage: test_smoke.sh BUILD_DIR
set -euo pipefail
build=$1
if [ "$(id -u)" != 0 ] || [ "$(nproc)" -lt 2 ]; then
	echo "skipped: needs root and 2 CPUs"
	exit 77
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
rc=0
bash "$(dirname "$0")/net.sh" "$build" "$out" frames --quick || rc=$?
[ "$rc" = 77 ] && exit 77
[ "$rc" = 0 ] || { echo "FAIL: net.sh exited $rc"; exit 1; }
failed=0
for c in nat dr kernel null; do
	fps=$(awk -v c=$c '$3 == c { print $4 }' "$out/frames-rx0.tsv")
	if [ "${fps:-0}" -gt 1000 ]; then
		echo "ok: $c forwarded $fps frames/s"
	else
		echo "FAIL: $c forwarded ${fps:-no} frames/s"
		failed=1
	fi
done
exit $failed
