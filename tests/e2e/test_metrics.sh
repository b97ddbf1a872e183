#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# uvsd --metrics in the lab (nat), with traffic:
#  - after a fixed number of requests (HTTP over IPv4 and IPv6, UDP), every number of
#    /metrics is uvsadm's of the same moment: each service's and real server's
#    counters (--stats --exact), the totals, weights and active/inactive connections
#    (-L -n), every counter of -L --counters, the table's entries (-L -n -c), the
#    workers' frames adding up to io_rx (tests/e2e/metrics_compare.py);
#  - promtool check metrics passes on a scrape with traffic in it;
#  - Debian's Prometheus, scraping uvsd every second, answers a rate query for the UDP
#    service's incoming packets that matches uvsadm -L -n --rate's InPPS within the
#    estimator's error, while a client sends a steady 200 datagrams a second.
# Usage: test_metrics.sh DECAP_OBJ UVSD UVSADM CHECK_PY
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
check_py=${4:?usage: $0 DECAP_OBJ UVSD UVSADM CHECK_PY}
# shellcheck source=tests/e2e/common.sh
. "$here/common.sh"
for tool in curl promtool prometheus; do
	command -v "$tool" >/dev/null || { echo "SKIP: no $tool (scripts/deps.sh test)"; exit 77; }
done
V4=$LAB_VIP4
V6=$LAB_VIP6
M=127.0.0.1:9911 # dir's own loopback: its namespace's, no other test's

lab_up nat
lab_servers_start
e2e_uvsd_start --metrics "$M"
svc_add tcp "$V4" 80 -m rr
svc_add tcp "$V6" 80 -m wrr
svc_add udp "$V4" 53 -m rr
lab_uvsadm -e -t "[$V6]:80" -r "[${LAB_IP6[rs2]}]:80" -m -w 3
scrape() { lab_exec dir curl -sf "http://$M/metrics"; }

# ---- a known amount of traffic, then every number --------------------------------------
expect "90 HTTP requests over IPv4" "rs1 30
rs2 30
rs3 30" "$(lab_curl_count "$(url "$V4")" 90)"
check "50 HTTP requests over IPv6 answered" \
	[ -z "$(lab_curl_count "$(url "$V6")" 50 | grep fail || true)" ]
expect "60 UDP datagrams" "rs1 20
rs2 20
rs3 20" "$(lab_udp_count "$V4" 60)"
# The numbers of one moment: the listings between two scrapes that agree (a late
# retransmission moves them; then again).
same=0
for _ in 1 2 3 4 5; do
	sleep 0.5
	scrape >"$LAB_TMP/scrape1"
	lab_uvsadm -L -n --stats --exact >"$LAB_TMP/stats"
	lab_uvsadm -L -n >"$LAB_TMP/list"
	lab_uvsadm -L --counters >"$LAB_TMP/counters"
	lab_uvsadm -L -n -c >"$LAB_TMP/conns"
	scrape >"$LAB_TMP/scrape2"
	# What the listings themselves change (control requests, the time) aside.
	if diff <(grep -v '^uvs_control\|^# ' "$LAB_TMP/scrape1") \
		<(grep -v '^uvs_control\|^# ' "$LAB_TMP/scrape2") >/dev/null; then
		same=1
		break
	fi
done
check "two scrapes around the listings agree" [ "$same" = 1 ]
check "every metric is uvsadm's number" python3 "$here/metrics_compare.py" "$LAB_TMP/scrape2" \
	"$LAB_TMP/stats" "$LAB_TMP/list" "$LAB_TMP/counters" "$LAB_TMP/conns"
expect "the UDP service's connections" 60 \
	"$(python3 "$check_py" value "$LAB_TMP/scrape2" uvs_service_connections_total proto=UDP local_port=53)"
check "promtool check metrics with traffic" promtool check metrics <"$LAB_TMP/scrape2"

# ---- Prometheus's rate against the estimator's --------------------------------------------
cat >"$LAB_TMP/prometheus.yml" <<EOC
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: uvsd
    static_configs:
      - targets: ["$M"]
EOC
lab_spawn dir prometheus prometheus --config.file="$LAB_TMP/prometheus.yml" \
	--storage.tsdb.path="$LAB_TMP/tsdb" --web.listen-address=127.0.0.1:9090
ready() { lab_exec dir curl -sf http://127.0.0.1:9090/-/ready >/dev/null; }
check "Prometheus is ready" lab_wait 30 ready
# A steady 200 datagrams a second to the UDP service for 24 s (12 estimator steps,
# which bring its average within 4% of the rate), from one socket (one connection).
lab_spawn cli sender "$LAB_PYTHON" -c '
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.connect((sys.argv[1], 53))
rate, secs = 200, 24
t0 = time.monotonic()
for i in range(rate * secs):
    d = t0 + i / rate - time.monotonic()
    if d > 0:
        time.sleep(d)
    s.send(b"?")
print("sent", rate * secs, "in", round(time.monotonic() - t0, 2), "s")
' "$V4"
sleep 22
q='rate(uvs_service_incoming_packets_total{proto="UDP",local_address="10.0.0.1",local_port="53"}[5s])'
prom=$(lab_exec dir curl -sf http://127.0.0.1:9090/api/v1/query --data-urlencode "query=$q" |
	python3 -c 'import json, sys; r = json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if len(r) == 1 else "none")')
est=$(lab_uvsadm -L -n --rate --exact | awk -v s="$V4:53" '$1 == "UDP" && $2 == s { print $4 }')
echo "InPPS: Prometheus's rate() $prom, uvsd's estimator $est, sent 200/s"
# The estimator after 22 s of 200/s from 0: 200 x (1 - 0.75^11) = 192, its step
# (2 s) and phase within 4%; Prometheus's rate over 5 s of 1 s scrapes within 2%.
check "Prometheus's rate of the service's packets ($prom) is within 10% of 200/s" \
	python3 -c "import sys; sys.exit(not abs(float('$prom') - 200) <= 20)"
check "... and of uvsadm -L -n --rate's InPPS ($est)" \
	python3 -c "import sys; sys.exit(not abs(float('$prom') - float('${est:-0}')) <= 0.1 * float('$prom'))"
lab_wait 10 grep -q sent "$LAB_TMP/sender.log" || true
e2e_done
