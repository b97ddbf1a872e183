#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# uvsd and its link, in the lab (mode nat, an rr HTTP service on the VIP, which is also
# an address of dir's eth0, as keepalived puts it there: without uvs's filter, dir's
# kernel answers the VIP's port 80 with RSTs):
#  - a second uvsd on the same link is refused at once (exit 1, a message naming the
#    link and the first uvsd's PID) and touches nothing: the first one's filter (or XDP
#    program) stays, and its service still answers, also after the second is gone;
#  - the link deleted and made again (same name): uvsd logs that it is gone and that it
#    is back, attaches again (filter or XDP program on the new link) and forwards as
#    before, without a restart.
# With UVSD_IO=af_xdp (meson test link_xdp), the same with uvsd --io af_xdp.
# Usage: test_link.sh DECAP_OBJ UVSD UVSADM
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/e2e/common.sh
. "$here/common.sh"

V4=$LAB_VIP4

# uvs's program on dir's eth0: the tc filter, or the XDP program with --io af_xdp.
steering_on_link() {
	if [ "${UVSD_IO:-}" = af_xdp ]; then
		lab_exec dir ip link show "$LAB_DEV" | grep -q "prog/xdp"
	else
		lab_exec dir tc filter show dev "$LAB_DEV" ingress | grep -q uvs_steer_tc
	fi
}

rr_answers() { # WHAT: 9 requests, a third to each server
	expect "$1: rr over HTTP" "rs1 3
rs2 3
rs3 3" "$(curl_count "$(url "$V4")" 9)"
}

log_has() { # TEXT: a line of uvsd's log holds it
	grep -qF -- "$1" "$LAB_TMP/director.log"
}

lab_up nat
lab_servers_start
lab_exec dir ip addr add "$V4/32" dev "$LAB_DEV"
e2e_uvsd_start
svc_add tcp "$V4" 80 -m rr
rr_answers "one uvsd"
first=$(cat "$LAB_TMP/director.pid")

# ---- a second uvsd on the same link ---------------------------------------------------
lab_uvsadm -S -n >"$LAB_TMP/second.rules"
io=()
[ -z "${UVSD_IO:-}" ] || io=(--io "$UVSD_IO")
rc=0
out=$(lab_exec dir timeout 6 "$LAB_UVSD" --foreground --interface "$LAB_DEV" "${io[@]}" \
	--socket "$LAB_TMP/second.sock" --rules "$LAB_TMP/second.rules" 2>&1) || rc=$?
echo "$out" | sed 's/^/    second uvsd: /'
expect "a second uvsd on $LAB_DEV exits 1 (not stopped by timeout)" 1 "$rc"
check "... saying $LAB_DEV is steered by the first uvsd, PID $first" \
	grep -q "$LAB_DEV.* $first\b" <<<"$out"
check "the first uvsd still runs" uvsd_alive
check "its steering is still on $LAB_DEV" steering_on_link
rr_answers "after the second uvsd"

# ---- the link lost and made again -----------------------------------------------------
lab_exec dir ip link del "$LAB_DEV"
check "uvsd logs that $LAB_DEV is gone" lab_wait 5 log_has "$LAB_DEV: link gone"
lab_relink dir
lab_exec dir ip addr add "$V4/32" dev "$LAB_DEV"
check "uvsd logs that $LAB_DEV is back" lab_wait 5 log_has "$LAB_DEV: link back"
check "... and that it forwards on it again" lab_wait 5 log_has "$LAB_DEV: forwarding again"
check "steering is on the new $LAB_DEV" steering_on_link
rr_answers "after the link came back"
check "uvsd still runs" uvsd_alive
grep -E "link|forwarding|steer" "$LAB_TMP/director.log" | sed 's/^/    uvsd: /' || true
e2e_done
