#!/bin/bash
# Before/after engine figures on a host whose speed drifts: runs two engine_bench
# binaries alternately (repetition, method, workers, binary), so that both see the
# same drift, and prints one line per run:
#   REP OLD|NEW METHOD WORKERS new_ns est1_ns est_many_ns copy_ns
# Take medians per (binary, method, workers); "copy ns" shows the host's drift.
# Usage: bench/engine_ab.sh OLD_ENGINE_BENCH NEW_ENGINE_BENCH [REPS]
set -euo pipefail
old=$1 new=$2 reps=${3:-3}
for rep in $(seq 1 "$reps"); do
	for method in nat dr; do
		for workers in 1 2; do
			for which in old new; do
				bin=$old
				[ "$which" = new ] && bin=$new
				printf '%s %s %s %s ' "$rep" "$which" "$method" "$workers"
				"$bin" --method "$method" --flows 1000000 --rounds 3 --workers "$workers" |
					awk '/^(NAT|DR) / { print $3, $5, $7, $9 }'
			done
		done
	done
done
