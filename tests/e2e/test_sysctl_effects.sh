#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The IPVS sysctls change what uvsd does, set while it runs with uvsadm --sysctl, or
# with Debian's sysctl under uvs-run (sysctl -w net.ipv4.vs.NAME=VALUE, read back with
# sysctl -n) when UVS_RUN is given (lab mode dr, uvsd --interface eth0 in dir, rr over
# rs1..rs3 by direct routing):
#  - conn_reuse_mode: the director sees only the client, so a closed connection stays
#    in FIN_WAIT; a new request from the same client port goes to the same real server
#    with the default 1 and is scheduled anew (rr: the next server) with 2;
#  - expire_nodest_conn: a download from a real server that is then deleted keeps its
#    entry while the client's packets are dropped (the default 0); with 1, the
#    client's next packet ends it.
# Usage: test_sysctl_effects.sh DECAP_OBJ UVSD UVSADM [UVS_RUN SANITIZE]
set -euo pipefail
# shellcheck source=tests/e2e/common.sh
. "$(cd "$(dirname "$0")" && pwd)/common.sh"
UVS_RUN=
if [ -n "${4:-}" ]; then
	UVS_RUN=$(realpath "$4")
	if [ "${5:-none}" != none ]; then
		echo "SKIP: a $5 build's preload library needs its sanitizer runtime loaded first"
		exit 77
	fi
	command -v sysctl >/dev/null || {
		echo "SKIP: no sysctl (apt-get install procps)"
		exit 77
	}
fi

# NAME=VALUE set, or NAME shown, as "net.ipv4.vs.NAME = VALUE": by uvsadm, or by
# sysctl under uvs-run in dir, as an operator on the director would.
sysctl_set() { # NAME=VALUE
	if [ -n "$UVS_RUN" ]; then
		lab_exec dir env UVSD_SOCKET="$LAB_TMP/uvsd.sock" "$UVS_RUN" sysctl -w "net.ipv4.vs.$1"
	else
		lab_uvsadm --sysctl "$1"
	fi
}
sysctl_show() { # NAME
	if [ -n "$UVS_RUN" ]; then
		echo "net.ipv4.vs.$1 = $(lab_exec dir env UVSD_SOCKET="$LAB_TMP/uvsd.sock" \
			"$UVS_RUN" sysctl -n "net.ipv4.vs.$1")"
	else
		lab_uvsadm --sysctl "$1"
	fi
}
VIA=${UVS_RUN:+uvs-run sysctl}
VIA=${VIA:-uvsadm --sysctl}

V4=$LAB_VIP4
lab_up dr
lab_servers_start
e2e_uvsd_start --sysctl conn_reuse_mode=1
svc_add tcp "$V4" 80 -g rr

# One request from client port PORT; prints the body (the server's name) or "fail".
# The client reads to the end before it closes, so the server closes first and the
# port is free again at once (the client keeps no TIME_WAIT).
request() { # PORT
	lab_exec cli "$LAB_PYTHON" -c '
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.settimeout(5)
s.bind(("", int(sys.argv[1])))
s.connect((sys.argv[2], 80))
s.sendall(b"GET / HTTP/1.1\r\nHost: vip\r\nConnection: close\r\n\r\n")
data = b""
while True:
    d = s.recv(65536)
    if not d:
        break
    data += d
s.close()
print(data.split(b"\r\n\r\n", 1)[1].decode().strip())' "$1" "$V4" 2>>"$LAB_TMP/request.log" ||
		echo fail
}

# The entries of client port PORT: "STATE DEST" lines.
entries() { # PORT
	lab_uvsadm -L -n -c | awk -v c="${LAB_IP4[cli]}:$1" '$4 == c { print $3, $6 }'
}

# ---- conn_reuse_mode ------------------------------------------------------------------
expect "conn_reuse_mode at start ($VIA)" "net.ipv4.vs.conn_reuse_mode = 1" \
	"$(sysctl_show conn_reuse_mode)"
first=$(request 20001)
expect "mode 1: the closed connection waits in FIN_WAIT" "FIN_WAIT" \
	"$(entries 20001 | awk '{ print $1 }')"
expect "mode 1: the same port again goes to the same server ($first)" "$first" \
	"$(request 20001)"
expect "$VIA conn_reuse_mode=2" "net.ipv4.vs.conn_reuse_mode = 2" \
	"$(sysctl_set conn_reuse_mode=2)"
expect "... uvsd has it" "net.ipv4.vs.conn_reuse_mode = 2" "$(lab_uvsadm --sysctl conn_reuse_mode)"
first=$(request 20002)
again=$(request 20002)
check "mode 2: the same port again is scheduled anew ($first, then $again)" \
	[ "$again" != "$first" ] && [ "$again" != fail ] && [ "$first" != fail ]

# ---- expire_nodest_conn ---------------------------------------------------------------
for rs in "${LAB_RS[@]}"; do
	# 4 MiB, its first line the server's name: about 40 s at 100 KiB/s
	{ echo "$rs"; head -c 4194304 /dev/zero | tr '\0' x; } >"$LAB_TMP/$rs/files/big"
done
lab_spawn cli download curl -sS --globoff --no-buffer --max-time 20 --limit-rate 100k \
	--local-port 20003 -o "$LAB_TMP/download" "$(url "$V4" files/big)"
lab_wait 5 grep -q . "$LAB_TMP/download" || true
rs=$(head -n 1 "$LAB_TMP/download" 2>/dev/null || true)
case $rs in
rs[123])
	lab_uvsadm -d -t "$V4:80" -r "${LAB_IP4[$rs]}:80"
	before=$(counter nodest_conn)
	lab_wait 5 sh -c "[ \"\$(UVSD_SOCKET=$LAB_TMP/uvsd.sock $LAB_UVSADM -L --counters |
		awk '\$1 == \"nodest_conn\" { print \$2 }')\" -gt $before ]" || true
	check "expire_nodest_conn 0: the client's packets to the deleted $rs are dropped" \
		[ "$(counter nodest_conn)" -gt "$before" ]
	expect "expire_nodest_conn 0: ... and its entry stays" "ESTABLISHED ${LAB_IP4[$rs]}:80" \
		"$(entries 20003)"
	expect "$VIA expire_nodest_conn=1" "net.ipv4.vs.expire_nodest_conn = 1" \
		"$(sysctl_set expire_nodest_conn=1)"
	lab_wait 5 sh -c "[ -z \"\$(UVSD_SOCKET=$LAB_TMP/uvsd.sock $LAB_UVSADM -L -n -c |
		grep -F ' ${LAB_IP4[cli]}:20003 ')\" ]" || true
	expect "expire_nodest_conn 1: the client's next packet ended the entry" "" \
		"$(entries 20003)"
	;;
*)
	expect "the slow download started" "rs1, rs2 or rs3" "$rs ($(cat "$LAB_TMP/download.log"))"
	;;
esac
lab_stop download

e2e_done
