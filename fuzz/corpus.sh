#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The fuzzers' seed corpora, fuzz/corpus/<harness>/, which `meson test --suite fuzz`
# (make test) starts each harness from.
#
#   fuzz/corpus.sh make BUILD_FUZZ [SECONDS]
#       Writes fuzz/seeds.py's hand-made seeds, runs each harness SECONDS (default
#       60) from them, and keeps the smallest set of those inputs and the seeds that
#       covers as much (libFuzzer's -merge=1) as fuzz/corpus/<harness>/, replacing it.
#   fuzz/corpus.sh run BUILD_FUZZ [SECONDS]
#       A longer run: each harness SECONDS (default 600) from fuzz/corpus/<harness>/,
#       its new inputs in BUILD_FUZZ/long-<harness>/ (the corpus is left as it is);
#       prints per harness the edges covered of those instrumented, features, runs
#       and executions a second (bench/RESULTS.md, "Fuzzing").
# BUILD_FUZZ: a build with -Dfuzz=true (CC=clang meson setup BUILD_FUZZ -Dfuzz=true
# -Db_sanitize=address,undefined -Db_lundef=false).
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:?usage: $0 make|run BUILD_FUZZ [SECONDS]}
build=${2:?usage: $0 make|run BUILD_FUZZ [SECONDS]}
# UVS_FUZZ_HARNESSES: a few of them only (words).
read -ra harnesses <<<"${UVS_FUZZ_HARNESSES:-frame rules ctl marks capture sync handover conns}"
export ASAN_OPTIONS=detect_leaks=1
ninja -C "$build" "${harnesses[@]/#/fuzz/fuzz_}" >/dev/null
case $what in
make)
	secs=${3:-60}
	tmp=$(mktemp -d /tmp/uvs-corpus.XXXXXX)
	trap 'rm -rf "$tmp"' EXIT
	python3 fuzz/seeds.py "$tmp/seeds"
	for h in "${harnesses[@]}"; do
		mkdir -p "$tmp/run-$h" "$tmp/merged-$h"
		"$build/fuzz/fuzz_$h" -max_total_time="$secs" -error_exitcode=1 \
			-artifact_prefix="$tmp/crash-$h-" "$tmp/run-$h" "$tmp/seeds/$h" 2>"$tmp/log-$h" || {
			tail -20 "$tmp/log-$h"
			exit 1
		}
		"$build/fuzz/fuzz_$h" -merge=1 "$tmp/merged-$h" "$tmp/seeds/$h" "$tmp/run-$h" \
			2>>"$tmp/log-$h"
		rm -rf "fuzz/corpus/$h"
		mkdir -p "fuzz/corpus/$h"
		cp "$tmp/merged-$h"/* "fuzz/corpus/$h/"
		find "fuzz/corpus/$h" -type f -printf '%s\n' |
			awk -v h="$h" '{ s += $1 } END { printf "%s: %d inputs, %d bytes\n", h, NR, s }'
	done
	;;
run)
	secs=${3:-600}
	for h in "${harnesses[@]}"; do
		mkdir -p "$build/long-$h"
		log=$build/long-$h.log
		"$build/fuzz/fuzz_$h" -max_total_time="$secs" -error_exitcode=1 -print_final_stats=1 \
			-artifact_prefix="$build/long-crash-$h-" "$build/long-$h" "fuzz/corpus/$h" \
			2>"$log" || echo "$h: FAILED (see $log)"
		awk -v h="$h" '
			/INFO: Loaded [0-9]+ modules/ { e = $5; gsub(/[^0-9]/, "", e); edges = e + 0 }
			/^#[0-9]+.*cov: / { for (i = 1; i <= NF; i++) { if ($i == "cov:") cov = $(i + 1)
				if ($i == "ft:") ft = $(i + 1); if ($i == "exec/s:") eps = $(i + 1) } }
			/stat::number_of_executed_units:/ { runs = $2 }
			END { printf "%s: %d of %d edges (%.1f%%), %d features, %d runs, %d exec/s\n",
				h, cov, edges, edges ? 100 * cov / edges : 0, ft, runs, eps }' "$log"
	done
	;;
*)
	echo "usage: $0 make|run BUILD_FUZZ [SECONDS]" >&2
	exit 2
	;;
esac
