#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Builds uvs twice (normal, and AddressSanitizer + UndefinedBehaviorSanitizer), runs
# every test suite in both, checks the code's format, and ends with one line
# "N passed, N failed" counting individual test cases.
set -uo pipefail
cd "$(dirname "$0")/.."
passed=0
failed=0

count() { # $1 = build dir: adds its test cases from meson's JSON log
	local out
	out=$(python3 scripts/count-tests.py "$1/meson-logs/testlog.json") || out="0 1"
	passed=$((passed + ${out% *}))
	failed=$((failed + ${out#* }))
}

run_build() { # $1 = dir, $2 = meson test arguments, rest = meson setup options
	local dir=$1 test_args=$2
	shift 2
	echo "== build $dir ($*)"
	if [ ! -d "$dir" ]; then
		meson setup "$dir" "$@" >/dev/null || { failed=$((failed + 1)); return; }
	fi
	if ! ninja -C "$dir" >"$dir/ninja-output.log" 2>&1; then
		cat "$dir/ninja-output.log"
		echo "build $dir failed"
		failed=$((failed + 1))
		return
	fi
	# shellcheck disable=SC2086
	meson test -C "$dir" --print-errorlogs --num-processes 2 $test_args
	count "$dir"
}

run_build build ""
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	run_build build-asan "" -Db_sanitize=address,undefined -Db_lundef=false
# The threaded suites under ThreadSanitizer (tsan.supp explains each suppression).
TSAN_OPTIONS="halt_on_error=1:suppressions=$PWD/tests/unit/tsan.supp" \
	run_build build-tsan "--suite threads" -Db_sanitize=thread -Db_lundef=false
# Each libFuzzer harness for a bounded time, with ASan and UBSan.
CC=clang ASAN_OPTIONS=detect_leaks=1 \
	run_build build-fuzz "--suite fuzz" -Dfuzz=true -Db_sanitize=address,undefined -Db_lundef=false

# The whole tree cross-built for arm64, its unit suite run under qemu-user: nothing
# x86-only gets in (scripts/cross-arm64.sh installs the cross compiler first).
echo "== build build-arm64 (cross, unit suite under qemu-user)"
if scripts/cross-arm64.sh --test build-arm64 >build-arm64.log 2>&1; then
	count build-arm64
else
	tail -40 build-arm64.log
	echo "arm64 cross build or its tests failed (build-arm64.log)"
	failed=$((failed + 1))
fi

echo "== format (clang-format)"
if clang-format --dry-run -Werror $(git ls-files '*.c' '*.h') 2>/dev/null; then
	passed=$((passed + 1))
else
	clang-format --dry-run $(git ls-files '*.c' '*.h') 2>&1 | head -20
	echo "format: run 'make format'"
	failed=$((failed + 1))
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
