#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Cross-builds the whole tree for arm64 (aarch64) with Debian's cross compiler and the
# arm64 development packages, so that nothing x86-only creeps in. Installs what it
# needs (groups build, test and cross-arm64 of scripts/packages.txt, after adding the
# arm64 architecture to dpkg), writes a meson cross file, builds, and with --test runs
# the unit suite under qemu-user.
#   scripts/cross-arm64.sh [--test] [BUILD_DIR]     (BUILD_DIR: build-arm64)
set -euo pipefail
cd "$(dirname "$0")/.."
run_tests=false
if [ "${1:-}" = --test ]; then
	run_tests=true
	shift
fi
build=${1:-build-arm64}
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"

# Another apt or dpkg may hold the locks (someone installing packages): try again.
retry() {
	local i
	for i in 1 2 3 4 5 6; do
		"$@" && return 0
		echo "cross-arm64.sh: '$*' failed (try $i of 6), waiting for apt's locks" >&2
		sleep 20
	done
	return 1
}

if ! dpkg --print-foreign-architectures | grep -qx arm64; then
	$sudo dpkg --add-architecture arm64
	retry $sudo apt-get update -qq
fi
retry scripts/deps.sh build test cross-arm64

# The compiler, binutils and pkg-config of the aarch64 triplet; arm64 programs (the
# tests) run through qemu-user. The BPF programs are built by the host's clang, with
# the arm64 kernel headers (meson.build asks the cross compiler for its multiarch
# directory, /usr/include/aarch64-linux-gnu, from linux-libc-dev:arm64).
mkdir -p "$build"
cross="$build/aarch64-linux-gnu.ini"
cat >"$cross" <<END
[binaries]
c = 'aarch64-linux-gnu-gcc'
ar = 'aarch64-linux-gnu-gcc-ar'
strip = 'aarch64-linux-gnu-strip'
pkgconfig = 'aarch64-linux-gnu-pkg-config'
exe_wrapper = 'qemu-aarch64-static'

[host_machine]
system = 'linux'
cpu_family = 'aarch64'
cpu = 'aarch64'
endian = 'little'
END
if [ ! -f "$build/build.ninja" ]; then
	meson setup --cross-file "$cross" "$build"
fi
ninja -C "$build"
file "$build/uvsd"
if $run_tests; then
	# qemu-user hands IP_ADD_MEMBERSHIP's struct ip_mreqn to the kernel with a wrong
	# interface index (ENODEV; seen with qemu 7.2's -strace), so the tests that join
	# multicast groups (suite multicast) run on the host's build only.
	skip=(--no-suite multicast)
	if [ ! -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]; then
		echo "cross-arm64.sh: the kernel has no binfmt_misc entry for arm64 programs:" \
			"leaving out the tests that start uvsadm themselves (suite spawns)" >&2
		skip+=(--no-suite spawns)
	fi
	meson test -C "$build" --suite unit "${skip[@]}" --print-errorlogs --num-processes 2
fi
