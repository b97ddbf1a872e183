#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Draws the end-to-end comparisons from OUT_DIR's tables (net.sh, http.sh) into
# PNG_DIR: frames.png (median frames/s per contender) and http.png (median req/s).
# Usage: plot.sh OUT_DIR PNG_DIR
set -euo pipefail
out=$1
png=$2
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR) print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; else print 0 }'; }

if [ -s "$out/frames-rx0.tsv" ]; then
	dat=$out/frames.dat
	: >"$dat"
	# Per backend: uvsd NAT, uvsd DR and the null forwarder on it; then the kernel.
	row() { # BACKEND CONTENDER
		printf '"%s" %s %s\n' "$2$([ "$1" = kernel ] || echo " $1")" \
			"$(awk -v io="$1" -v c="$2" '$1 == io && $3 == c { print $4 / 1e3 }' "$out/frames-rx0.tsv" | median)" \
			"$(awk -v io="$1" -v c="$2" '$1 == io && $3 == c { print $4 / 1e3 }' "$out/frames-rx1.tsv" 2>/dev/null | median)" >>"$dat"
	}
	for io in $(cut -f1 "$out/frames-rx0.tsv" | grep -vx kernel | sort -u); do
		for c in nat dr null; do row "$io" $c; done
	done
	row kernel kernel
	gnuplot <<EOF
set terminal pngcairo size 1100,500 noenhanced
set output "$png/frames.png"
set title "64-byte UDP frames forwarded by the director, per I/O backend (medians; 2 shared vCPUs)"
set ylabel "thousand frames/s"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set yrange [0:*]
set key top left
plot "$dat" using 2:xtic(1) title "director's rx softirq on the sender's CPU", \
     "" using 3 title "director's rx softirq on the contender's CPU (RPS)"
EOF
fi

if [ -s "$out/http.tsv" ]; then
	dat=$out/http.dat
	: >"$dat"
	for c in direct nat dr nat_xdp dr_xdp haproxy nginx; do
		printf '%s %s %s\n' "$c" \
			"$(awk -F'\t' -v c=$c '$2 == c && $3 == "keepalive" { print $4 }' "$out/http.tsv" | median)" \
			"$(awk -F'\t' -v c=$c '$2 == c && $3 == "close" { print $4 }' "$out/http.tsv" | median)" >>"$dat"
	done
	gnuplot <<EOF
set terminal pngcairo size 1100,500 noenhanced
set output "$png/http.png"
set title "HTTP through the director: wrk -t2 -c50 against nginx (medians; 2 shared vCPUs)"
set ylabel "requests/s"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set yrange [0:*]
set key top right
plot "$dat" using 2:xtic(1) title "keep-alive", "" using 3 title "new connection per request"
EOF
fi
