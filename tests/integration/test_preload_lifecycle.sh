#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The preload library (uvs-run) around uvsd's life, with Debian's ipvsadm and iproute2:
#  - no uvsd: ipvsadm fails at once with uvs-run's reason and "No such device", and
#    never reaches the kernel's own IPVS;
#  - uvsd dying while a request waits for it: the request fails the same way, no hang;
#  - one long-lived client (ipvsadm -R fed line by line) across uvsd's restart
#    (SIGTERM), its idle timeout, and a SIGKILL: the next request reaches the new uvsd
#    silently; while uvsd is gone requests fail with a reason told once; then "connected
#    to uvsd again";
#  - a peer uvsd refuses (not root) hears uvsd's reason;
#  - the kernel's generic netlink (genl ctrl) stays the kernel's, with or without uvsd,
#    and `genl ctrl get name IPVS` is answered by uvsd;
#  - a non-blocking socket that became uvsd's keeps its flags and works with poll and
#    epoll, with the kernel's addresses (nl_probe.py);
#  - /proc/net/ip_vs* read through cat and python: uvsd's table in the kernel's format;
#    other /proc files and writing are the kernel's.
# Usage: test_preload_lifecycle.sh UVSD UVSADM UVS_RUN SANITIZE
set -euo pipefail
uvsd=$(realpath "$1")
uvsadm=$(realpath "$2")
uvs_run=$(realpath "$3")
if [ "$4" != none ]; then
	echo "SKIP: a $4 build's preload library needs its sanitizer runtime loaded first"
	exit 77
fi
for tool in ipvsadm genl python3; do
	command -v "$tool" >/dev/null || {
		echo "SKIP: no $tool"
		exit 77
	}
done
dir=$(mktemp -d /tmp/uvs-preload-life.XXXXXX)
chmod 755 "$dir"
export UVSD_SOCKET=$dir/sock
upid=
rpid=
cleanup() {
	[ -z "$rpid" ] || kill "$rpid" 2>/dev/null || true
	[ -z "$upid" ] || { kill -CONT "$upid" 2>/dev/null; kill -KILL "$upid" 2>/dev/null; } || true
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
has() { # NAME FILE TEXT: FILE holds TEXT
	if grep -qF -- "$3" "$2"; then ok "$1"; else
		fail "$1: no \"$3\" in:"
		sed 's/^/    /' "$2"
	fi
}
wait_for() { # SECONDS cmd...
	local tries=$(($1 * 10))
	shift
	until "$@" >/dev/null 2>&1; do
		tries=$((tries - 1))
		[ "$tries" -gt 0 ] || return 1
		sleep 0.1
	done
}
start_uvsd() { # [uvsd options...]
	# A killed uvsd leaves its socket file: the new one is there once it is made again.
	rm -f "$UVSD_SOCKET"
	# Not holding the FIFO ipvsadm -R reads (fd 3), which must end when the test closes it.
	"$uvsd" --foreground "$@" 2>>"$dir/uvsd.log" 3>&- &
	upid=$!
	wait_for 5 test -S "$UVSD_SOCKET" || {
		echo "FAIL: uvsd did not start: $(cat "$dir/uvsd.log")"
		exit 1
	}
}
stop_uvsd() { # SIGNAL
	kill -"$1" "$upid"
	wait "$upid" 2>/dev/null || true
	upid=
}
run() { # cmd...: stdout+stderr in $dir/out, status in $rc
	rc=0
	timeout 20 "$@" >"$dir/out" 2>&1 || rc=$?
}

# ---- uvs-run's own command line ------------------------------------------------------------
run "$uvs_run"
expect "no command: status 125" 125 "$rc"
has "no command: said" "$dir/out" "uvs-run: no command given"
run "$uvs_run" --bogus true
expect "unknown option: status 125" 125 "$rc"
has "unknown option: said" "$dir/out" "uvs-run: --bogus: unknown option"
run "$uvs_run" /nonexistent/program
expect "no such program: status 127" 127 "$rc"
has "no such program: said" "$dir/out" "uvs-run: cannot run /nonexistent/program: No such file or directory"
run "$uvs_run" /etc/passwd
expect "not a program: status 126" 126 "$rc"
run "$uvs_run" --socket /x/y.sock sh -c 'echo "$UVSD_SOCKET"; exit 3'
expect "--socket PATH sets UVSD_SOCKET; the command's status" "/x/y.sock 3" "$(cat "$dir/out") $rc"
run env LD_PRELOAD=libc.so.6 "$uvs_run" sh -c 'echo "$LD_PRELOAD"'
expect "LD_PRELOAD: the library first, the rest kept" \
	"$(dirname "$uvs_run")/libuvs-preload.so:libc.so.6" "$(cat "$dir/out")"

# ---- no uvsd ----------------------------------------------------------------------------
run "$uvs_run" ipvsadm -L -n
expect "no uvsd: ipvsadm exits 2" 2 "$rc"
has "no uvsd: uvs-run says why" "$dir/out" \
	"uvs-run: cannot reach uvsd at $UVSD_SOCKET: No such file or directory; IPVS requests fail with \"No such device\" until it is back"
has "no uvsd: ipvsadm reports the error" "$dir/out" "Can't initialize ipvs: No such device"
# The kernel's generic netlink is untouched.
run "$uvs_run" genl ctrl list
expect "no uvsd: genl ctrl list as without uvs-run" "$(genl ctrl list 2>&1)" "$(cat "$dir/out")"

# ---- uvsd dies while a request waits --------------------------------------------------
start_uvsd
kill -STOP "$upid"
timeout 20 "$uvs_run" ipvsadm -L -n >"$dir/out" 2>&1 &
rpid=$!
sleep 0.5
kill -0 "$rpid" 2>/dev/null && ok "ipvsadm waits for a stopped uvsd" || fail "ipvsadm did not wait"
stop_uvsd KILL
rc=0
wait "$rpid" || rc=$?
rpid=
expect "uvsd killed mid-request: ipvsadm exits 2 (no hang)" 2 "$rc"
has "uvsd killed mid-request: uvs-run says so" "$dir/out" "uvs-run: uvsd at $UVSD_SOCKET closed the connection"
has "uvsd killed mid-request: ipvsadm reports the error" "$dir/out" "Can't initialize ipvs: No such device"

# ---- one client across restarts, an idle timeout and a kill ------------------------------
start_uvsd --client-timeout 1
mkfifo "$dir/in"
"$uvs_run" ipvsadm -R <"$dir/in" >"$dir/r.out" 2>"$dir/r.err" &
rpid=$!
exec 3>"$dir/in"
listed() { "$uvsadm" -S -n | grep -qF -- "$1"; }
line() { # RULE: fed to ipvsadm -R, then uvsd has it
	echo "$1" >&3
	wait_for 5 listed "$1"
}
line "-A -t 10.0.0.1:80 -s rr" && ok "ipvsadm -R: first line applied" || fail "first line"
stop_uvsd TERM
start_uvsd --client-timeout 1
line "-A -t 10.0.0.2:80 -s rr" && ok "after uvsd's restart the next line applies" ||
	fail "line after restart"
sleep 2.5 # uvsd closes the idle client
line "-A -t 10.0.0.3:80 -s rr" && ok "after uvsd closed the idle client the next line applies" ||
	fail "line after the idle timeout"
expect "restart and idle timeout: nothing said" "" "$(cat "$dir/r.err")"
stop_uvsd KILL
echo "-A -t 10.0.0.4:80 -s rr" >&3
wait_for 5 grep -q "No such device" "$dir/r.err" && ok "uvsd killed: the next line fails" ||
	fail "no error for a line while uvsd is gone"
has "uvsd killed: uvs-run says why" "$dir/r.err" \
	"uvs-run: cannot reach uvsd at $UVSD_SOCKET: Connection refused; IPVS requests fail with \"No such device\" until it is back"
echo "-A -t 10.0.0.5:80 -s rr" >&3
sleep 0.5
expect "the reason is told once" 1 "$(grep -c 'uvs-run: cannot reach' "$dir/r.err")"
start_uvsd
# ipvsadm writes a request before it resolves the family, so the first one after a
# failed resolution carries the failure as its type, and uvsd refuses it (ipvsadm's
# own doing: the same after the kernel's module comes back); the next one is right.
echo "-A -t 10.0.0.6:80 -s rr" >&3
wait_for 5 grep -q "connected to uvsd" "$dir/r.err" || true
line "-A -t 10.0.0.7:80 -s rr" && ok "uvsd back: the next line applies" || fail "line after uvsd came back"
has "uvsd back: uvs-run says so" "$dir/r.err" "uvs-run: connected to uvsd at $UVSD_SOCKET again"
exec 3>&-
rc=0
wait "$rpid" || rc=$?
rpid=
expect "ipvsadm -R ends with its last line's status" 0 "$rc"

# ---- a peer uvsd refuses ----------------------------------------------------------------
chmod 666 "$UVSD_SOCKET"
run setpriv --reuid=65534 --regid=65534 --clear-groups "$uvs_run" ipvsadm -L -n
expect "not root: ipvsadm exits 2" 2 "$rc"
has "not root: uvsd's reason" "$dir/out" \
	"uvs-run: uvsd at $UVSD_SOCKET: Permission denied: uid 65534 is neither root nor in uvsd's group"
has "not root: ipvsadm's message" "$dir/out" "Can't initialize ipvs: Permission denied (you must be root)"

# ---- the kernel's generic netlink, and IPVS from uvsd -------------------------------------
run "$uvs_run" genl ctrl list
expect "genl ctrl list: the kernel's, as without uvs-run" "$(genl ctrl list 2>&1)" "$(cat "$dir/out")"
run "$uvs_run" genl ctrl get name nlctrl
expect "genl ctrl get name nlctrl: the kernel's" "$(genl ctrl get name nlctrl 2>&1)" "$(cat "$dir/out")"
run "$uvs_run" genl ctrl get name IPVS
expect "genl ctrl get name IPVS: exit 0" 0 "$rc"
has "genl ctrl get name IPVS: uvsd's family" "$dir/out" "Name: IPVS"
has "genl ctrl get name IPVS: its id" "$dir/out" "ID: 0x5576  Version: 0x1  header size: 0  max attribs: 9"

# ---- a socket that became uvsd's, as a kernel client sees it (nl_probe.py) ---------------
run "$uvs_run" python3 "$(dirname "$0")/nl_probe.py"
if [ "$rc" = 0 ]; then
	ok "nl_probe.py: flags kept, poll and epoll, the kernel's addresses ($(grep -c '^ok:' "$dir/out") checks)"
else
	fail "nl_probe.py:"
	sed 's/^/    /' "$dir/out"
fi

# ---- /proc/net/ip_vs* --------------------------------------------------------------------
"$uvsadm" -C
"$uvsadm" -A -t 10.0.0.1:80 -s wrr -p 60
"$uvsadm" -a -t 10.0.0.1:80 -r 192.168.0.11:80 -m -w 3
"$uvsadm" -A -u [2001:db8::1]:53 -s rr
"$uvsadm" -a -u [2001:db8::1]:53 -r [2001:db8::11]:53 -m
"$uvsadm" -A -f 7 -s sh -o
want="IP Virtual Server version 1.2.1 (size=1048576)
Prot LocalAddress:Port Scheduler Flags
  -> RemoteAddress:Port Forward Weight ActiveConn InActConn
TCP  0A000001:0050 wrr persistent 15000 FFFFFFFF
  -> C0A8000B:0050      Masq    3      0          0         
UDP  [2001:0db8:0000:0000:0000:0000:0000:0001]:0035 rr 
  -> [2001:0db8:0000:0000:0000:0000:0000:0011]:0035      Masq    1      0          0         
FWM  00000007 sh ops "
run "$uvs_run" cat /proc/net/ip_vs
expect "cat /proc/net/ip_vs: uvsd's table in the kernel's format" "$want" "$(cat "$dir/out")"
run "$uvs_run" python3 -c 'import sys; sys.stdout.write(open("/proc/net/ip_vs").read())'
expect "python3 reads /proc/net/ip_vs" "$want" "$(cat "$dir/out")"
run "$uvs_run" cat /proc/self/net/ip_vs_conn
expect "/proc/self/net/ip_vs_conn: the title, no connections" \
	"Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData" \
	"$(cat "$dir/out")"
run "$uvs_run" cat /proc/net/ip_vs_stats
has "/proc/net/ip_vs_stats" "$dir/out" " Conns/s   Pkts/s   Pkts/s          Bytes/s          Bytes/s"
run "$uvs_run" cat /proc/net/dev
expect "/proc/net/dev stays the kernel's" "$(cat /proc/net/dev | head -2)" "$(head -2 "$dir/out")"
run "$uvs_run" sh -c 'echo x >/proc/net/ip_vs'
expect "writing /proc/net/ip_vs is the kernel's to refuse" "$(sh -c 'echo x >/proc/net/ip_vs' 2>&1 | sed 's/^sh: [0-9]*: //')" \
	"$(sed 's/^sh: [0-9]*: //' "$dir/out")"
stop_uvsd TERM
run "$uvs_run" cat /proc/net/ip_vs
expect "no uvsd: cat /proc/net/ip_vs fails" 1 "$rc"
has "no uvsd: /proc/net/ip_vs says why" "$dir/out" \
	"uvs-run: /proc/net/ip_vs: cannot reach uvsd at $UVSD_SOCKET: No such file or directory"

echo "test_preload_lifecycle: $failed failed"
[ "$failed" -eq 0 ]
