#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Debian's ipvsadm, unchanged, under uvs-run gives exactly what uvsadm gives. Two uvsd
# (control plane only) are driven with the same commands, one by uvsadm and one by
# `uvs-run ipvsadm`: every command's output, messages and exit status, and after each
# step every listing (-L -n, --stats, --rate, --exact, --thresholds, --persistent-conn,
# -c, --timeout, --daemon, -S -n, the /proc files through the library), are compared
# byte for byte. Covers -A -E -D -C -a -e -d -Z -R --set --start-daemon --stop-daemon,
# and the refusals of each.
# Usage: test_preload_ipvsadm.sh UVSD UVSADM UVS_RUN SANITIZE (b_sanitize: a sanitizer
# build's library cannot be preloaded into ipvsadm, which is not one)
set -euo pipefail
uvsd=$(realpath "$1")
uvsadm=$(realpath "$2")
uvs_run=$(realpath "$3")
if [ "$4" != none ]; then
	echo "SKIP: a $4 build's preload library needs its sanitizer runtime loaded first"
	exit 77
fi
ipvsadm=$(command -v ipvsadm || true)
if [ -z "$ipvsadm" ]; then
	echo "SKIP: no ipvsadm (apt-get install ipvsadm)"
	exit 77
fi
dir=$(mktemp -d /tmp/uvs-preload.XXXXXX)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
	rm -rf "$dir"
}
trap cleanup EXIT
failed=0
fail() {
	echo "FAIL: $*"
	failed=$((failed + 1))
}

start_uvsd() { # SOCKET
	"$uvsd" --foreground --socket "$1" 2>"$1.log" &
	pids+=($!)
	for _ in $(seq 50); do [ -S "$1" ] && return 0; sleep 0.1; done
	echo "FAIL: uvsd did not start: $(cat "$1.log")"
	exit 1
}
A=$dir/a.sock # uvsadm's
B=$dir/b.sock # ipvsadm's
start_uvsd "$A"
start_uvsd "$B"

# Runs one command line both ways (stdin from $STDIN if set); stdout, stderr and the
# status must be the same, once uvsadm's output has been through the sed script $DEPART
# (a documented departure) if set.
both() {
	local oa ob ea eb ra=0 rb=0 input=${STDIN:-/dev/null}
	oa=$(UVSD_SOCKET=$A "$uvsadm" "$@" <"$input" 2>"$dir/ea") || ra=$?
	ob=$(UVSD_SOCKET=$B "$uvs_run" "$ipvsadm" "$@" <"$input" 2>"$dir/eb") || rb=$?
	ea=$(cat "$dir/ea")
	eb=$(cat "$dir/eb")
	if [ -n "${DEPART:-}" ]; then
		[ "$(sed -e "$DEPART" <<<"$oa$ea")" != "$oa$ea" ] ||
			fail "ipvsadm $*: uvsadm no longer departs ($DEPART)"
		oa=$(sed -e "$DEPART" <<<"$oa")
		ea=$(sed -e "$DEPART" <<<"$ea")
	fi
	if [ "$oa" != "$ob" ] || [ "$ea" != "$eb" ] || [ "$ra" != "$rb" ]; then
		fail "ipvsadm $*"
		diff <(printf '%s\n' "$oa" "stderr: $ea" "status $ra") \
			<(printf '%s\n' "$ob" "stderr: $eb" "status $rb") | sed 's/^/    /' || true
		return 0
	fi
	echo "ok: ipvsadm $* (status $ra)"
}

# uvsadm's -S keeps thresholds, which ipvsadm's drops.
SAVES_THRESHOLDS='s/ -x [0-9]*//; s/ -y [0-9]*//'
# For an errno ipvsadm has no text of its own for, uvsadm prints uvsd's message.
SAYS_WHY='s/^a service has a real server of another address family.*/Invalid operation.  Possibly wrong module version, address not unicast, .../'

# Every listing, both ways.
listings() {
	local args
	for args in "-L -n" "-L -n --stats" "-L -n --rate" "-L -n --stats --exact" \
		"-L -n --thresholds" "-L -n --persistent-conn" "-L -n -c" "-L --timeout" \
		"-L --daemon" "-L -n -t 10.0.0.1:80" "-L -n --exact --rate -f 7"; do
		# shellcheck disable=SC2086 # the words of the options
		both $args
	done
	if UVSD_SOCKET=$A "$uvsadm" -S -n | grep -q -- ' -[xy] '; then
		DEPART=$SAVES_THRESHOLDS both -S -n
	else
		both -S -n
	fi
}

# A file the library makes has the kernel's format and uvsd's numbers: checked against
# uvsadm's view of the same uvsd by the fields it shares, and byte for byte against
# uvsadm --proc.
proc_files() {
	local f text
	for f in ip_vs ip_vs_conn ip_vs_stats ip_vs_stats_percpu; do
		text=$(UVSD_SOCKET=$B "$uvs_run" cat "/proc/net/$f") || fail "cat /proc/net/$f"
		[ -n "$text" ] || fail "/proc/net/$f is empty"
		# uvsadm --proc writes the same file with the same code (adm/procnet.c).
		expect_same "uvsadm --proc $f" "$text" "$(UVSD_SOCKET=$B "$uvsadm" --proc "$f")"
	done
	# /proc/net/ip_vs: one line per service and per real server, as -L -n.
	expect_same "/proc/net/ip_vs lines" \
		"$(UVSD_SOCKET=$B "$uvsadm" -L -n | tail -n +4 | wc -l)" \
		"$(UVSD_SOCKET=$B "$uvs_run" cat /proc/net/ip_vs | tail -n +4 | wc -l)"
}

expect_same() { # NAME WANT GOT
	if [ "$2" != "$3" ]; then
		fail "$1"
		diff <(printf '%s\n' "$2") <(printf '%s\n' "$3") | sed 's/^/    /' || true
	else
		echo "ok: $1"
	fi
}

# ---- an empty table ------------------------------------------------------------------
listings

# ---- services and real servers, every kind -------------------------------------------
both -A -t 10.0.0.1:80 -s wrr -p 60
both -a -t 10.0.0.1:80 -r 192.168.0.11:80 -m -w 3
both -a -t 10.0.0.1:80 -r 192.168.0.12:80 -m -w 2 -x 100 -y 50
both -a -t 10.0.0.1:80 -r 192.168.0.13 -g -w 0
both -A -u 10.0.0.1:53 -s sh -b sh-port -o
both -a -u 10.0.0.1:53 -r 192.168.0.21:53 -m
both -A -t [2001:db8::1]:443 -s mh -b mh-fallback,mh-port -p 120 -M 64
both -a -t [2001:db8::1]:443 -r [2001:db8:1::11]:443 -m -w 5
both -a -t [2001:db8::1]:443 -r 192.168.0.31 -i --tun-type gue --tun-port 6080 --tun-nocsum
both -A -f 7 -s lc
both -a -f 7 -r 192.168.0.41 -g -w 4
both -A -t 10.0.0.2:8080 -s rr -p
both -a -t 10.0.0.2:8080 -r 192.168.0.51:80 -i --tun-type gre --tun-csum
both -a -t 10.0.0.2:8080 -r 192.168.0.52:80 -i --tun-type ipip
listings
proc_files

# ---- edits ---------------------------------------------------------------------------
both -E -t 10.0.0.1:80 -s rr
both -E -u 10.0.0.1:53 -s dh
both -e -t 10.0.0.1:80 -r 192.168.0.12:80 -m -w 7 -x 0 -y 0
both -e -f 7 -r 192.168.0.41 -g -w 0
both --set 100 20 30
# Synchronisation cannot carry the IPv6 service's IPv4 real server (the kernel's rule).
DEPART=$SAYS_WHY both --start-daemon master --mcast-interface lo --syncid 7
both -d -t [2001:db8::1]:443 -r 192.168.0.31
both --start-daemon master --mcast-interface lo --syncid 7
both --start-daemon backup --mcast-interface lo --mcast-group 224.0.0.99 --mcast-port 9000
listings

# ---- refusals: the same message and status --------------------------------------------
both -A -t 10.0.0.1:80 -s rr
both -A -t 10.0.0.9:80 -s nosuch
both -E -t 10.0.0.9:80 -s rr
both -D -t 10.0.0.9:80
both -a -t 10.0.0.9:80 -r 192.168.0.11:80
both -a -t 10.0.0.1:80 -r 192.168.0.11:80 -m
both -e -t 10.0.0.1:80 -r 192.168.0.99:80 -m
both -d -t 10.0.0.1:80 -r 192.168.0.99:80
both -Z -t 10.0.0.9:80
both -L -n -t 10.0.0.9:80
both --start-daemon master --mcast-interface lo
both --stop-daemon master
both --stop-daemon master

# ---- deletes, zero, clear and restore --------------------------------------------------
both -d -t 10.0.0.2:8080 -r 192.168.0.52:8080
both -D -u 10.0.0.1:53
both -Z -t 10.0.0.1:80
both -Z
listings
UVSD_SOCKET=$A "$uvsadm" -S -n >"$dir/saved"
both -C
listings
STDIN=$dir/saved both -R
listings
printf -- '-A -t 10.0.0.7:80 -s rr\n-A -t 10.0.0.7:80 -s rr\n-a -t 10.0.0.7:80 -r 192.168.0.9:80\n' \
	>"$dir/dup"
STDIN=$dir/dup both -R
listings
proc_files

echo "test_preload_ipvsadm: $failed failed"
[ "$failed" -eq 0 ]
