#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The IPVS sysctls between uvsd and uvsadm: --sysctl and --sysctl-file at start (and
# their refusals, naming the option or the file and line), uvsadm --sysctl listing,
# showing and setting them, and a listing saved as a file that a restarted uvsd
# takes back whole.
# Usage: test_sysctl.sh UVSD UVSADM
set -euo pipefail
uvsd=$(realpath "$1")
uvsadm=$(realpath "$2")
dir=$(mktemp -d /tmp/uvs-sysctl-test.XXXXXX)
export UVSD_SOCKET=$dir/sock
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT
fail() {
	echo "FAIL: $*"
	exit 1
}
expect() { # expect NAME WANT GOT
	if [ "$2" != "$3" ]; then
		diff <(printf '%s\n' "$2") <(printf '%s\n' "$3") || true
		fail "$1"
	fi
	echo "ok: $1"
}
expect_rc() { # expect_rc WANT_RC MESSAGE cmd...: exits WANT_RC saying exactly MESSAGE
	local want=$1 said=$2 out rc=0
	shift 2
	out=$("$@" 2>&1) || rc=$?
	[ "$rc" = "$want" ] || fail "'$*' exited $rc, want $want ($out)"
	expect "$* -> $rc" "$said" "$out"
}
start() { # start uvsd-args...: uvsd in the foreground, serving
	"$uvsd" --foreground "$@" 2>"$dir/log" &
	pid=$!
	for _ in $(seq 50); do [ -S "$UVSD_SOCKET" ] && break; sleep 0.1; done
	[ -S "$UVSD_SOCKET" ] || fail "uvsd did not start: $(cat "$dir/log")"
}
stop() {
	kill "$pid"
	wait "$pid" || true
	pid=
}

# ---- refusals at start: status 2, the reason, nothing served --------------------------
bad() { # bad MESSAGE uvsd-args...
	local said=$1
	shift
	expect_rc 2 "$said" timeout -k 1 5 "$uvsd" --foreground --socket "$dir/bad.sock" "$@"
	[ ! -e "$dir/bad.sock" ] || fail "uvsd started anyway"
}
bad "uvsd: --sysctl: net.ipv4.vs.conntrack: uvs has no netfilter conntrack to keep entries in" \
	--sysctl conntrack=1
bad "uvsd: --sysctl: net.ipv4.vs.sync_retries: 4 is out of its range 0..3" \
	--sysctl net.ipv4.vs.sync_retries=4
bad "uvsd: --sysctl: 'sloppy_tcp' is not NAME=VALUE" --sysctl sloppy_tcp
# Checked in order: the second setting sees the period the first one set.
bad "uvsd: --sysctl: net.ipv4.vs.sync_threshold: threshold 20 must be below the period 10 (or the period 0)" \
	--sysctl "sync_threshold=1 10" --sysctl sync_threshold=20
printf '# IPVS\nnet.ipv4.vs.sloppy_tcp = 1\nnet.ipv4.ip_forward = 1\n' >"$dir/other.conf"
bad "uvsd: $dir/other.conf:3: net.ipv4.ip_forward is not an IPVS sysctl (net.ipv4.vs.*)" \
	--sysctl-file "$dir/other.conf"
printf 'net.ipv4.vs.cache_bypass = 1\n' >"$dir/bypass.conf"
bad "uvsd: $dir/bypass.conf:1: net.ipv4.vs.cache_bypass: 0 only: uvs cannot forward to a packet's own destination yet" \
	--sysctl-file "$dir/bypass.conf"
printf '\nnet.ipv4.vs.sloppy_tcp\n' >"$dir/syntax.conf"
bad "uvsd: $dir/syntax.conf:2: not NAME = VALUE" --sysctl-file "$dir/syntax.conf"
bad "uvsd: --sysctl-file $dir/none.conf: No such file or directory" \
	--sysctl-file "$dir/none.conf"

# ---- set at start, in order; listed and changed by uvsadm -----------------------------
cat >"$dir/sysctl.conf" <<'CONF'
# what a director keeps in /etc/sysctl.d
; both comment styles
net.ipv4.vs.conn_reuse_mode = 2
net/ipv4/vs/sync_threshold=5 60
net.ipv4.vs.expire_nodest_conn = 0
-net.ipv4.vs.conntrack = 1
-net.ipv4.vs.cache_bypass = 1
-net.ipv4.ip_forward = 1
CONF
start --sysctl expire_nodest_conn=1 --sysctl-file "$dir/sysctl.conf" \
	--sysctl "net.ipv4.vs.lblc_expiration = 3600"
expect "set at start, the last setting winning" \
	"net.ipv4.vs.cache_bypass = 0
net.ipv4.vs.conn_reuse_mode = 2
net.ipv4.vs.expire_nodest_conn = 0
net.ipv4.vs.lblc_expiration = 3600
net.ipv4.vs.sync_threshold = 5	60" \
	"$("$uvsadm" --sysctl | grep -E 'conn_reuse|nodest|lblc_|cache_bypass|sync_threshold')"
expect "every name uvsd has, none it refuses" "26 0" \
	"$("$uvsadm" --sysctl | wc -l) $("$uvsadm" --sysctl | grep -c -E 'vs\.(conntrack|snat_reroute|est_cpulist|est_nice|debug_level|ignore_tunneled) ' || true)"
expect "one, by either name" "net.ipv4.vs.amemthresh = 1024
net.ipv4.vs.amemthresh = 1024" "$("$uvsadm" --sysctl amemthresh net.ipv4.vs.amemthresh)"
expect "set while running, printed as sysctl -w" "net.ipv4.vs.sloppy_tcp = 1
net.ipv4.vs.sync_threshold = 7 70" "$("$uvsadm" --sysctl sloppy_tcp=1 'sync_threshold=7 70')"
expect_rc 255 "net.ipv4.vs.est_nice: uvs has no estimation kernel threads: uvsd's control thread estimates the rates" \
	"$uvsadm" --sysctl est_nice=5
expect_rc 255 "net.ipv4.vs.pmtu_disc: non-zero only: an oversized DF packet gets frag-needed, also inside a tunnel" \
	"$uvsadm" --sysctl pmtu_disc=0

# ---- the listing as a file: a restarted uvsd takes it back whole -----------------------
"$uvsadm" --sysctl >"$dir/saved.conf"
before=$(cat "$dir/saved.conf")
stop
start --sysctl-file "$dir/saved.conf"
expect "the saved listing restored" "$before" "$("$uvsadm" --sysctl)"
stop
start
[ "$("$uvsadm" --sysctl)" != "$before" ] || fail "a plain start kept the settings"
echo "ok: a plain start has the defaults"
stop
