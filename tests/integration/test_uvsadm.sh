#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# uvsd (control plane) and uvsadm end to end over a temporary control socket:
# configuration commands, listings in ipvsadm's formats, refusals and exit codes,
# -S | -C | -R round trip, a bad reload that changes nothing, SIGHUP, SIGTERM.
# Usage: test_uvsadm.sh UVSD UVSADM
set -euo pipefail
uvsd=$1
uvsadm=$2
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
-A -u [2001:db8::1]:53 -s sh -b sh-port -o
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

# A reload of a bad file changes nothing; a good one makes the file the config.
printf -- '-A -t 10.0.0.1:80 -s rr\n-a -t 10.0.0.1:80 -r 1.2.3.4 -w 99999\n' >"$dir/rules"
before=$("$uvsadm" -S -n)
kill -HUP "$pid"
sleep 0.5
expect "bad reload" "$before" "$("$uvsadm" -S -n)"
grep -q "configuration unchanged" "$dir/log" || fail "no log of the refused reload"
printf -- '-A -t 10.0.0.1:80 -s rr\n-a -t 10.0.0.1:80 -r 192.168.0.11:80 -m -w 1\n' >"$dir/rules"
kill -HUP "$pid"
sleep 0.5
expect "reload" "-A -t 10.0.0.1:80 -s rr
-a -t 10.0.0.1:80 -r 192.168.0.11:80 -m -w 1" "$("$uvsadm" -S -n)"

kill -TERM "$pid"
wait "$pid" || fail "uvsd exited with $?"
pid=
[ ! -e "$UVSD_SOCKET" ] || fail "the socket was left behind"
expect_rc 2 "Are you sure that uvsd is running" "$uvsadm" -L -n
echo "all uvsadm checks passed"
