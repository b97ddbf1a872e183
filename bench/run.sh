#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Builds the benchmarks with optimisation in build-bench/ and runs the scheduler
# benchmark. Arguments go to sched_bench (--quick, --sched NAME).
set -eu
cd "$(dirname "$0")/.."
if [ ! -f build-bench/build.ninja ]; then
	meson setup build-bench --buildtype=release
fi
ninja -C build-bench bench/sched_bench
exec build-bench/bench/sched_bench "$@"
