#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The IPVS sysctls through the preload library (/proc/sys/net/ipv4/vs/, src/preload/
# procsys.c), with Debian's procps sysctl, the shells, coreutils and python:
#  - sysctl -a walks into net.ipv4.vs, in its place in net.ipv4, listing exactly what
#    uvsadm --sysctl lists; the kernel's other keys are untouched;
#  - sysctl NAME, -n, -w, -p: read and set uvsd's values; a bad value, one out of
#    range and one uvs cannot honour fail as a kernel's write does (EINVAL: sysctl's
#    "Invalid argument", status 1) with uvsd's reason from uvs-run, and change nothing;
#    a name uvs refuses is a missing file, with uvsd's reason; an unknown one is only
#    missing;
#  - cat, a shell's redirection (bash's builtin echo, dash's, /bin/echo and cat after
#    exec), tee and python: reading, writing, errors, the kernel's rule that a write
#    past offset 0 changes nothing, and O_RDWR;
#  - ls, stat, test: the directory and its files as the kernel's look;
#  - a peer uvsd refuses, and no uvsd: a clear reason, nothing applied.
# Usage: test_preload_sysctl.sh UVSD UVSADM UVS_RUN SANITIZE
set -euo pipefail
uvsd=$(realpath "$1")
uvsadm=$(realpath "$2")
uvs_run=$(realpath "$3")
if [ "$4" != none ]; then
	echo "SKIP: a $4 build's preload library needs its sanitizer runtime loaded first"
	exit 77
fi
for tool in sysctl python3 dash setpriv; do
	command -v "$tool" >/dev/null || {
		echo "SKIP: no $tool"
		exit 77
	}
done
dir=$(mktemp -d /tmp/uvs-preload-sysctl.XXXXXX)
chmod 755 "$dir"
export UVSD_SOCKET=$dir/sock
upid=
cleanup() {
	[ -z "$upid" ] || kill -KILL "$upid" 2>/dev/null || true
	wait 2>/dev/null || true
	rm -rf "$dir"
}
trap cleanup EXIT
failed=0
ok() { echo "ok: $*"; }
fail() {
	echo "FAIL: $*"
	failed=$((failed + 1))
}
expect() { # NAME WANT GOT
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		fail "$1"
		diff <(printf '%s\n' "$2") <(printf '%s\n' "$3") | sed 's/^/    /' || true
	fi
}
run() { # cmd...: stdout in $dir/out, stderr in $dir/err, status in $rc
	rc=0
	timeout 20 "$@" >"$dir/out" 2>"$dir/err" || rc=$?
}
# One command under uvs-run: its status, then its stdout, then its stderr.
said() { # cmd...
	run "$uvs_run" "$@"
	printf '%s\n' "$rc"
	cat "$dir/out" "$dir/err"
}
value() { # NAME: uvsd's value, as uvsadm shows it
	"$uvsadm" --sysctl "$1" | sed 's/^[^=]* = //'
}
V=/proc/sys/net/ipv4/vs

"$uvsd" --foreground 2>>"$dir/uvsd.log" &
upid=$!
for _ in $(seq 50); do [ -S "$UVSD_SOCKET" ] && break; sleep 0.1; done
[ -S "$UVSD_SOCKET" ] || {
	echo "FAIL: uvsd did not start: $(cat "$dir/uvsd.log")"
	exit 1
}

# ---- sysctl -a ----------------------------------------------------------------------------
run "$uvs_run" sysctl -a
expect "sysctl -a: exit 0" 0 "$rc"
expect "sysctl -a: net.ipv4.vs.* as uvsadm --sysctl lists them" "$("$uvsadm" --sysctl)" \
	"$(grep '^net\.ipv4\.vs\.' "$dir/out")"
# The kernel lists a directory in name order: vs among net.ipv4's entries in its place.
grep '^net\.ipv4\.' "$dir/out" | cut -d. -f3 | cut -d' ' -f1 | uniq >"$dir/order"
expect "sysctl -a: net.ipv4.vs in its place in net.ipv4's order" "$(LC_ALL=C sort -u "$dir/order")" \
	"$(cat "$dir/order")"
expect "sysctl -a: the kernel's other keys as without uvs-run" \
	"$(sysctl -a -N 2>/dev/null | grep -v '^net\.ipv4\.vs\.')" \
	"$("$uvs_run" sysctl -a -N 2>/dev/null | grep -v '^net\.ipv4\.vs\.')"
expect "sysctl net.ipv4.vs (the directory): every one" "$("$uvsadm" --sysctl)" \
	"$("$uvs_run" sysctl net.ipv4.vs)"

# ---- sysctl NAME, -n, -w, -p ----------------------------------------------------------------
expect "sysctl net.ipv4.vs.conn_reuse_mode" "0
net.ipv4.vs.conn_reuse_mode = 1" "$(said sysctl net.ipv4.vs.conn_reuse_mode)"
expect "sysctl -n net.ipv4.vs/sync_threshold (slashes)" "0
3	50" "$(said sysctl -n net/ipv4/vs/sync_threshold)"
expect "sysctl -w net.ipv4.vs.expire_nodest_conn=1" "0
net.ipv4.vs.expire_nodest_conn = 1" "$(said sysctl -w net.ipv4.vs.expire_nodest_conn=1)"
expect "... uvsd has it" 1 "$(value expire_nodest_conn)"
expect "sysctl -w of a bad value: the kernel's EINVAL, uvsd's reason" "1
uvs-run: net.ipv4.vs.expire_nodest_conn: 'abc' is not an integer
sysctl: setting key \"net.ipv4.vs.expire_nodest_conn\": Invalid argument" \
	"$(said sysctl -w net.ipv4.vs.expire_nodest_conn=abc)"
expect "... nothing changed" 1 "$(value expire_nodest_conn)"
expect "sysctl -w out of the range" "1
uvs-run: net.ipv4.vs.sync_retries: 4 is out of its range 0..3
sysctl: setting key \"net.ipv4.vs.sync_retries\": Invalid argument" \
	"$(said sysctl -w net.ipv4.vs.sync_retries=4)"
expect "sysctl -w of a value uvs cannot honour" "1
uvs-run: net.ipv4.vs.cache_bypass: 0 only: uvs cannot forward to a packet's own destination yet
sysctl: setting key \"net.ipv4.vs.cache_bypass\": Invalid argument" \
	"$(said sysctl -w net.ipv4.vs.cache_bypass=1)"
expect "sysctl -w of a name uvs refuses: missing, with uvsd's reason" "1
uvs-run: net.ipv4.vs.conntrack: uvs has no netfilter conntrack to keep entries in
sysctl: cannot stat $V/conntrack: No such file or directory" \
	"$(said sysctl -w net.ipv4.vs.conntrack=1)"
expect "sysctl of a name no kernel has: missing, as the kernel's" "1
sysctl: cannot stat $V/nosuch: No such file or directory" "$(said sysctl net.ipv4.vs.nosuch)"
expect "sysctl -w sync_threshold, two numbers" "0
net.ipv4.vs.sync_threshold = 5 60" "$(said sysctl -w 'net.ipv4.vs.sync_threshold=5 60')"
expect "... uvsd has them" "5	60" "$(value sync_threshold)"
printf 'net.ipv4.vs.sloppy_tcp = 1\nnet.ipv4.vs.lblc_expiration = 600\n' >"$dir/conf"
expect "sysctl -p FILE" "0
net.ipv4.vs.sloppy_tcp = 1
net.ipv4.vs.lblc_expiration = 600" "$(said sysctl -p "$dir/conf")"
expect "... uvsd has them" "1 600" "$(value sloppy_tcp) $(value lblc_expiration)"
expect "the kernel's own keys stay the kernel's" "0
$(sysctl net.ipv4.ip_forward)" "$(said sysctl net.ipv4.ip_forward)"

# ---- cat, shells, coreutils, python ------------------------------------------------------
expect "cat $V/sloppy_tcp" "0
1" "$(said cat $V/sloppy_tcp)"
expect "bash: echo 2 >FILE (stdio's write, applied when bash puts its stdout back)" "0
2" "$(said bash -c "echo 2 >$V/conn_reuse_mode && cat $V/conn_reuse_mode")"
# bash never learns: its write went to the memory file past the hooks.
expect "bash: echo x >FILE: uvsd's reason, nothing changed" "0
uvs-run: net.ipv4.vs.conn_reuse_mode: 'x' is not an integer" \
	"$(said bash -c "echo x >$V/conn_reuse_mode")"
expect "... still 2" 2 "$(value conn_reuse_mode)"
expect "dash: echo 0 >FILE (write(2): applied at once)" "0
0" "$(said dash -c "echo 0 >$V/conn_reuse_mode && cat $V/conn_reuse_mode")"
expect "dash: echo bad >FILE fails the write" "1
uvs-run: net.ipv4.vs.conn_reuse_mode: 'bad' is not an integer
dash: 1: echo: echo: I/O error" "$(said dash -c "echo bad >$V/conn_reuse_mode")"
expect "/bin/echo 1 >FILE (after exec, applied at its exit)" "0
1" "$(said bash -c "/bin/echo 1 >$V/conn_reuse_mode; cat $V/conn_reuse_mode")"
expect "echo 2 | cat >FILE (after exec, write(2))" "0
2" "$(said bash -c "echo 2 | cat >$V/conn_reuse_mode; cat $V/conn_reuse_mode")"
expect "echo x | cat >FILE: cat's write fails" "1
uvs-run: net.ipv4.vs.conn_reuse_mode: 'x' is not an integer
cat: write error: Invalid argument" "$(said bash -c "echo x | cat >$V/conn_reuse_mode")"
expect "tee (stdio, fopen)" "0
3" "$(said bash -c "echo 3 | tee $V/conn_reuse_mode >/dev/null; cat $V/conn_reuse_mode")"
expect "tee of a bad value" "1
uvs-run: net.ipv4.vs.conn_reuse_mode: '-' is not an integer
tee: $V/conn_reuse_mode: Invalid argument" \
	"$(said bash -c "echo - | tee $V/conn_reuse_mode >/dev/null")"
run "$uvs_run" python3 -c '
import os, sys
p = sys.argv[1] + "/sloppy_sctp"
with open(p, "w") as f:
    f.write("1\n")
print(open(p).read().strip())
fd = os.open(p, os.O_RDWR)
print(os.read(fd, 10))
print(os.write(fd, b"0\n"), open(p).read().strip())  # past offset 0: ignored
os.lseek(fd, 0, os.SEEK_SET)
print(os.write(fd, b"0\n"), open(p).read().strip())
try:
    os.write(os.open(p, os.O_WRONLY), b"2 3\n")
except OSError as e:
    print(e.errno == 22)
try:
    os.read(os.open(p, os.O_WRONLY), 1)
except OSError as e:
    print(e.errno == 9)
' "$V"
expect "python: write, read, a write past offset 0, O_RDWR, errors" "0
1
b'1\n'
2 1
2 0
True
True
uvs-run: net.ipv4.vs.sloppy_sctp: '2 3': more than one value" "$rc
$(cat "$dir/out" "$dir/err")"

# ---- ls, stat, test -----------------------------------------------------------------------
expect "ls $V: uvsd's names" "$("$uvsadm" --sysctl | sed 's/^net\.ipv4\.vs\.//; s/ = .*//')" \
	"$("$uvs_run" ls $V)"
expect "ls /proc/sys/net/ipv4 has vs" "vs" "$("$uvs_run" ls /proc/sys/net/ipv4 | grep -x vs)"
expect "stat: a directory 555, a file 644, both empty" "directory 555 0
regular empty file 644 0" "$("$uvs_run" stat -c '%F %a %s' $V $V/sloppy_tcp)"
expect "ls -l: no error" "0
-rw-r--r-- 1 root root 0" "$(said ls -l $V/sloppy_tcp | cut -d' ' -f1-5)"
expect "test -d, -w; test -e of a name uvs refuses" "0
yes yes no
uvs-run: net.ipv4.vs.conntrack: uvs has no netfilter conntrack to keep entries in" \
	"$(said bash -c "[ -d $V ] && echo -n 'yes '; [ -w $V/sloppy_tcp ] && echo -n 'yes '
	[ -e $V/conntrack ] || echo no")"

# ---- refused, and no uvsd ------------------------------------------------------------------
# uvsd answers only root and its group, reading too (the kernel's files are 0644).
chmod 666 "$UVSD_SOCKET"
expect "not root: uvsd's reason" "1
uvs-run: $V/conn_reuse_mode: uvsd at $UVSD_SOCKET: Permission denied: uid 65534 is neither root nor in uvsd's group
sysctl: cannot stat $V/conn_reuse_mode: Operation not permitted" \
	"$(said setpriv --reuid=65534 --regid=65534 --clear-groups \
		sysctl -w net.ipv4.vs.conn_reuse_mode=1)"
expect "... nothing changed" 3 "$(value conn_reuse_mode)"
kill -TERM "$upid"
wait "$upid" || true
upid=
expect "no uvsd: sysctl fails, uvs-run says why" "1
uvs-run: $V/conn_reuse_mode: cannot reach uvsd at $UVSD_SOCKET: No such file or directory
sysctl: cannot stat $V/conn_reuse_mode: No such file or directory" \
	"$(said sysctl net.ipv4.vs.conn_reuse_mode)"
expect "no uvsd: sysctl -a fails on the directory" "uvs-run: $V/: cannot reach uvsd at $UVSD_SOCKET: No such file or directory
sysctl: unable to open directory \"$V/\"" \
	"$("$uvs_run" sysctl -a 2>&1 >/dev/null | grep -F "$V")"

echo "test_preload_sysctl: $failed failed"
[ "$failed" -eq 0 ]
