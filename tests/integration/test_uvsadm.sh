#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# uvsd (control plane) and uvsadm end to end over a temporary control socket:
# configuration commands, listings in ipvsadm's formats, refusals and exit codes,
# -S | -C | -R round trip, a bad reload that changes nothing, SIGHUP, SIGTERM;
# uvsd's options out of range, start-up errors with and without --foreground, a FIFO
# as the rules file, the control socket's client limit and idle timeout.
# Usage: test_uvsadm.sh UVSD UVSADM
set -euo pipefail
uvsd=$(realpath "$1")
uvsadm=$(realpath "$2")
dir=$(mktemp -d /tmp/uvsadm-test.XXXXXX)
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
expect_rc() { # expect_rc WANT_RC MESSAGE_PART cmd...
	local want=$1 part=$2 out rc=0
	shift 2
	out=$("$@" 2>&1) || rc=$?
	[ "$rc" = "$want" ] || fail "'$*' exited $rc, want $want ($out)"
	case $out in *"$part"*) ;; *) fail "'$*' said '$out', want '$part'" ;; esac
	echo "ok: $* -> $rc"
}

# Connects to the socket $1 and prints the pid of the process listening there.
peer_pid() {
	python3 -c 'import socket, struct, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect(sys.argv[1])
print(struct.unpack("3i", s.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12))[0])' "$1"
}

# ---- uvsd's options: every number in its range, no empty path ------------------------
bad_option() { # bad_option MESSAGE uvsd-args...: exits 2 saying MESSAGE, does not start
	local want=$1
	shift
	expect_rc 2 "$want" timeout -k 1 5 "$uvsd" --foreground --socket "$dir/opt.sock" "$@"
}
bad_option "uvsd: --max-conns: 4294967297 is not in 1..2147483648" --max-conns 4294967297
bad_option "uvsd: --max-conns: '-1' is not a number in 1..2147483648" --max-conns -1
bad_option "uvsd: --workers: 4294967297 is not in 1..64" --workers 4294967297
bad_option "uvsd: --workers: '+2' is not a number in 1..64" --workers +2
bad_option "uvsd: --conn-tab-bits: 25 is not in 8..24" --conn-tab-bits 25
bad_option "uvsd: --ring-mib: 1025 is not in 1..1024" --ring-mib 1025
bad_option "uvsd: --max-clients: 0 is not in 1..1024" --max-clients 0
bad_option "uvsd: --client-timeout: 86401 is not in 0..86400" --client-timeout 86401
bad_option "uvsd: --steer-timeout: 60001 is not in 0..60000" --steer-timeout 60001
bad_option "uvsd: --steer-timeout: 99 is not 0 or in 100..60000" --steer-timeout 99
bad_option "uvsd: --steer-timeout is for the steering programs: not with --no-steer" \
	--no-steer --steer-timeout 500
bad_option "uvsd: --socket: the path is empty" --socket ""
bad_option "uvsd: --rules: the path is empty" --rules ""

# ---- start-up errors reach the caller -------------------------------------------------
printf -- '-A -t 10.0.0.1:80\n-A -t 10.0.0.1:80 -s rr\n' >"$dir/bad.rules"
printf -- '-A -t 10.0.0.2:80 -s rr\n' >"$dir/good.rules"
# Without --foreground the parent waits for the daemon: its error and status, not 0.
expect_rc 1 "level=error msg=\"rules $dir/bad.rules: line 2: Service already exists" \
	timeout -k 1 5 "$uvsd" --socket "$dir/d.sock" --rules "$dir/bad.rules"
[ ! -e "$dir/d.sock" ] || fail "the failed daemon left its socket"
mkfifo "$dir/fifo"
expect_rc 1 "level=error msg=\"rules $dir/fifo: a FIFO, not a regular file" \
	timeout -k 1 5 "$uvsd" --foreground --socket "$dir/d.sock" --rules "$dir/fifo"
expect_rc 1 "level=error msg=\"rules $dir/fifo: a FIFO, not a regular file" \
	timeout -k 1 5 "$uvsd" --socket "$dir/d.sock" --rules "$dir/fifo"
# Exit 0 once serving (a relative path is the caller's, though the daemon works in /).
(cd "$dir" && timeout -k 1 5 "$uvsd" --socket "$dir/d.sock" --rules good.rules) ||
	fail "uvsd as a daemon exited $?"
expect "the daemon serves as soon as uvsd returns" "-A -t 10.0.0.2:80 -s rr" \
	"$(UVSD_SOCKET=$dir/d.sock "$uvsadm" -S -n)"
daemon_pid=$(peer_pid "$dir/d.sock")
kill -TERM "$daemon_pid"
for _ in $(seq 50); do [ -e "$dir/d.sock" ] || break; sleep 0.1; done
[ ! -e "$dir/d.sock" ] || fail "the daemon did not stop"
echo "ok: uvsd as a daemon"

cat >"$dir/rules" <<'RULES'
-A -t 10.0.0.1:80 -s wrr -p 60
-a -t 10.0.0.1:80 -r 192.168.0.11:80 -m -w 3
-a -t 10.0.0.1:80 -r 192.168.0.12:80 -m -w 2
RULES
"$uvsd" --foreground --rules "$dir/rules" 2>"$dir/log" &
pid=$!
for _ in $(seq 50); do [ -S "$UVSD_SOCKET" ] && break; sleep 0.1; done
[ -S "$UVSD_SOCKET" ] || fail "uvsd did not start: $(cat "$dir/log")"

expect "list" "IP Virtual Server version 1.2.1 (size=1048576)
Prot LocalAddress:Port Scheduler Flags
  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn
TCP  10.0.0.1:80 wrr persistent 60
  -> 192.168.0.11:80              Masq    3      0          0         
  -> 192.168.0.12:80              Masq    2      0          0         " "$("$uvsadm" -L -n)"

"$uvsadm" -A -f 7 -s rr
"$uvsadm" -a -f 7 -r 192.168.0.31 -g -w 0
"$uvsadm" -A -u [2001:db8::1]:53 -s sh -b sh-port -o
"$uvsadm" -a -u [2001:db8::1]:53 -r [2001:db8:1::21]:53 -m -x 10 -y 5
"$uvsadm" -e -t 10.0.0.1:80 -r 192.168.0.12:80 -m -w 7
expect "save" "-A -t 10.0.0.1:80 -s wrr -p 60
-a -t 10.0.0.1:80 -r 192.168.0.11:80 -m -w 3
-a -t 10.0.0.1:80 -r 192.168.0.12:80 -m -w 7
-A -u [2001:db8::1]:53 -s sh -o -b sh-port
-a -u [2001:db8::1]:53 -r [2001:db8:1::21]:53 -m -w 1 -x 10 -y 5
-A -f 7 -s rr
-a -f 7 -r 192.168.0.31:0 -g -w 0" "$("$uvsadm" -S -n)"
expect "one service, thresholds" "Prot LocalAddress:Port            Uthreshold Lthreshold ActiveConn InActConn 
  -> RemoteAddress:Port
UDP  [2001:db8::1]:53 sh (sh-port) ops
  -> [2001:db8:1::21]:53          10         5          0          0         " \
	"$("$uvsadm" -L -n -u [2001:db8::1]:53 --thresholds)"

# ipvsadm's exit codes: a refused command 255, an option error 2, popt's errors 255,
# a failed listing 1.
expect_rc 255 "Service already exists" "$uvsadm" -A -t 10.0.0.1:80 -s rr
expect_rc 255 "No such destination" "$uvsadm" -d -t 10.0.0.1:80 -r 192.168.0.99:80
expect_rc 2 "weight" "$uvsadm" -a -t 10.0.0.1:80 -r 192.168.0.13 -w 70000
expect_rc 255 "missing argument" "$uvsadm" -A -t 10.0.0.1:80 -s
expect_rc 1 "No such service" "$uvsadm" -L -n -t 10.0.0.9:80

"$uvsadm" --set 100 20 30
expect "timeouts" "Timeout (tcp tcpfin udp): 100 20 30" "$("$uvsadm" -L --timeout)"

saved=$("$uvsadm" -S -n)
"$uvsadm" -C
expect "cleared" "" "$("$uvsadm" -S -n)"
printf '%s\n' "$saved" | "$uvsadm" -R
expect "save | clear | restore" "$saved" "$("$uvsadm" -S -n)"
# -R goes on after a refused line, as ipvsadm's does; its status is the last line's.
expect_rc 255 "Service already exists" sh -c "printf -- '-A -t 10.0.0.5:80\n-A -t 10.0.0.5:80\n' | '$uvsadm' -R"
"$uvsadm" -D -t 10.0.0.5:80

# A reload of a bad file changes nothing; a good one applies what the file declares.
printf -- '-A -t 10.0.0.1:80 -s rr\n-a -t 10.0.0.1:80 -r 1.2.3.4 -w 99999\n' >"$dir/rules"
before=$("$uvsadm" -S -n)
kill -HUP "$pid"
sleep 0.5
expect "bad reload" "$before" "$("$uvsadm" -S -n)"
grep -q "configuration unchanged" "$dir/log" || fail "no log of the refused reload"
# A FIFO in its place is refused at once: uvsd still answers, unchanged.
rm "$dir/rules"
mkfifo "$dir/rules"
kill -HUP "$pid"
expect "a FIFO on reload" "$before" "$(UVSADM_TIMEOUT=5 timeout -k 1 10 "$uvsadm" -S -n 2>&1)"
grep -q "rules $dir/rules: a FIFO, not a regular file; configuration unchanged" "$dir/log" ||
	fail "no log of the refused FIFO"
rm "$dir/rules"
printf -- '-A -t 10.0.0.1:80 -s rr\n-a -t 10.0.0.1:80 -r 192.168.0.11:80 -m -w 1\n' >"$dir/rules"
kill -HUP "$pid"
sleep 0.5
# What the file declared changes (.12 it no longer declares goes); the services added
# with uvsadm stay.
expect "reload" "-A -t 10.0.0.1:80 -s rr
-a -t 10.0.0.1:80 -r 192.168.0.11:80 -m -w 1
-A -u [2001:db8::1]:53 -s sh -o -b sh-port
-a -u [2001:db8::1]:53 -r [2001:db8:1::21]:53 -m -w 1 -x 10 -y 5
-A -f 7 -s rr
-a -f 7 -r 192.168.0.31:0 -g -w 0" "$("$uvsadm" -S -n)"

kill -TERM "$pid"
wait "$pid" || fail "uvsd exited with $?"
pid=
[ ! -e "$UVSD_SOCKET" ] || fail "the socket was left behind"
expect_rc 2 "Are you sure that uvsd is running" "$uvsadm" -L -n

# ---- control socket slots: a limit that says so, idle clients closed -------------------
"$uvsd" --foreground --max-clients 2 --client-timeout 3 2>"$dir/log" &
pid=$!
for _ in $(seq 50); do [ -S "$UVSD_SOCKET" ] && break; sleep 0.1; done
[ -S "$UVSD_SOCKET" ] || fail "uvsd did not start: $(cat "$dir/log")"
# Two clients that connect and send nothing; each prints what uvsd tells it at the end.
python3 -c 'import socket, struct, sys
socks = []
for _ in range(2):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.connect(sys.argv[1])
    s.settimeout(30)
    socks.append(s)
print("connected", flush=True)
for s in socks:
    m = s.recv(65536)
    error = struct.unpack_from("i", m, 16)[0]
    # After nlmsghdr and nlmsgerr (error and the capped request header): attributes.
    off, text = 36, ""
    while off + 4 <= len(m):
        alen, atype = struct.unpack_from("HH", m, off)
        if atype == 1:
            text = m[off + 4:off + alen].rstrip(b"\0").decode()
        off += (alen + 3) & ~3
    print(error, text, "then EOF" if s.recv(65536) == b"" else "then more", flush=True)
' "$UVSD_SOCKET" >"$dir/holders" &
holders=$!
for _ in $(seq 50); do grep -q connected "$dir/holders" && break; sleep 0.1; done
expect "a client over the limit is told why" \
	"Can't initialize ipvs: uvsd refused the connection: 2 clients connected, the most it takes (--max-clients)" \
	"$("$uvsadm" -L -n 2>&1)"
wait "$holders" || fail "the idle clients were not closed: $(cat "$dir/holders")"
expect "idle clients are closed, told why" "connected
-110 uvsd closed the connection: idle for 3 s (--client-timeout) then EOF
-110 uvsd closed the connection: idle for 3 s (--client-timeout) then EOF" "$(cat "$dir/holders")"
"$uvsadm" -L -n >/dev/null || fail "uvsadm is not served once the idle clients are gone"
kill -TERM "$pid"
wait "$pid" || fail "uvsd exited with $?"
pid=
echo "all uvsadm checks passed"
