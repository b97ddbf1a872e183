#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The SYN proxy (uvsd --syn-proxy), lab mode nat, rr over rs1..rs3 by NAT:
#  - curl through it: every request answered, each real server its share; a 3 MB
#    download arrives whole (the real servers' sequence numbers translated across
#    thousands of segments);
#  - a SYN flood from spoofed sources (synflood.py in cli, 3000 SYNs): each answered
#    with a cookie (synproxy_cookie), no entry made, and the real servers see not one
#    half-open connection (ss: none in SYN-RECV); requests made during the flood
#    succeed;
#  - an ACK with a forged cookie is dropped (synproxy_bad_cookie).
# Usage: test_synproxy.sh DECAP_OBJ UVSD UVSADM
set -euo pipefail
# shellcheck source=tests/e2e/common.sh
. "$(cd "$(dirname "$0")" && pwd)/common.sh"

V4=$LAB_VIP4

# Half-open connections on the real servers' port 80, over all three.
rs_syn_recv() {
	local rs n=0
	for rs in "${LAB_RS[@]}"; do
		n=$((n + $(lab_exec "$rs" ss -Htn state syn-recv '( sport = :80 )' | wc -l)))
	done
	echo "$n"
}

lab_up nat
lab_servers_start
head -c 3000000 /dev/urandom >"$LAB_TMP/big"
for rs in "${LAB_RS[@]}"; do
	cp "$LAB_TMP/big" "$LAB_TMP/$rs/files/big"
done
e2e_uvsd_start --syn-proxy
svc_add tcp "$V4" 80 -m rr

expect "12 requests through the SYN proxy" "rs1 4
rs2 4
rs3 4" "$(lab_curl_count "$(url "$V4")" 12)"
check "each handshake done by the director (synproxy_handshake >= 12)" \
	[ "$(counter synproxy_handshake)" -ge 12 ]
expect "a 3 MB download through the SYN proxy arrives whole" \
	"$(sha256sum <"$LAB_TMP/big" | cut -d' ' -f1)" \
	"$(lab_exec cli sh -c "curl -sS --max-time 30 $(url "$V4" files/big) | sha256sum |
		cut -d' ' -f1")"

entries=$(lab_uvsadm -L -n -c | tail -n +3 | wc -l)
cookies=$(counter synproxy_cookie)
lab_exec cli "$LAB_PYTHON" "$E2E_HERE/synflood.py" --dst "$V4" --count 3000 --rate 3000 \
	--seed 5 >"$LAB_TMP/flood.out" &
flood=$!
sleep 0.3
during=$(lab_curl_count "$(url "$V4")" 6)
wait "$flood"
expect "requests during the flood succeed" 0 "$(grep -c '^fail' <<<"$during" || true)"
check "every flood SYN answered with a cookie (synproxy_cookie +3000)" \
	[ "$(($(counter synproxy_cookie) - cookies))" -ge 3000 ]
check "the flood made no entry (at most the 6 requests' and the download's)" \
	[ "$(lab_uvsadm -L -n -c | tail -n +3 | wc -l)" -le $((entries + 6)) ]
expect "the real servers saw no half-open connection" 0 "$(rs_syn_recv)"

# A forged ACK: no valid cookie, dropped.
before=$(counter synproxy_bad_cookie)
lab_exec cli "$LAB_PYTHON" - "$V4" <<'EOF'
import socket, struct, sys
def csum(b):
    if len(b) % 2: b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16: s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF
src, dst = socket.inet_aton("172.16.0.2"), socket.inet_aton(sys.argv[1])
tcp = struct.pack("!HHIIBBHHH", 33333, 80, 1001, 123457, 5 << 4, 0x10, 65535, 0, 0)
tcp = tcp[:16] + struct.pack("!H", csum(src + dst + struct.pack("!BBH", 0, 6, 20) + tcp)) + tcp[18:]
ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 40, 1, 0x4000, 64, 6, 0, src, dst)
ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
s.sendto(ip + tcp, (sys.argv[1], 0))
EOF
sleep 0.3
expect "a forged ACK is dropped (synproxy_bad_cookie +1)" 1 \
	"$(($(counter synproxy_bad_cookie) - before))"
e2e_done
