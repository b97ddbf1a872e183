#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# uvsd --metrics (control plane only, no traffic: tests/e2e/test_metrics.sh has that):
# /metrics passes promtool check metrics; node_exporter reading a procfs directory of
# uvsadm --proc files reports exactly uvsd's node_ipvs_* samples (IPv4, IPv6, an
# IPv4-mapped address, fwmark services, two real servers under one label set); the
# weights and the control request counts are uvsd's; the HTTP answers (404, 405,
# HEAD, content types); the status page in headless Chromium (a screenshot kept in
# the build directory) shows the services, real servers, weights and sync daemon; the
# Grafana dashboard reads only metrics uvsd exports; bad --metrics addresses and one
# in use stop uvsd with the reason.
# Usage: test_metrics.sh UVSD UVSADM CHECK_PY DASHBOARD OUT_DIR
set -euo pipefail
uvsd=$(realpath "$1")
uvsadm=$(realpath "$2")
check=$3
dash=$4
out_dir=$5
dir=$(mktemp -d /tmp/uvs-metrics.XXXXXX)
export UVSD_SOCKET=$dir/sock
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null || true; done
	rm -rf "$dir"
}
trap cleanup EXIT
failed=0
fail() {
	echo "FAIL: $*"
	failed=$((failed + 1))
}
ok() { echo "ok: $*"; }
expect() { # NAME WANT GOT
	if [ "$2" = "$3" ]; then ok "$1"; else fail "$1: want '$2', got '$3'"; fi
}
for tool in curl promtool prometheus-node-exporter; do
	command -v "$tool" >/dev/null || { echo "SKIP: no $tool (scripts/deps.sh test)"; exit 77; }
done
# A free port on the loopback, for uvsd and one for node_exporter.
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
port=$(free_port)
url=http://127.0.0.1:$port

"$uvsd" --foreground --state none --metrics "127.0.0.1:$port" 2>"$dir/log" &
pids+=($!)
for _ in $(seq 100); do curl -sf "$url/metrics" -o /dev/null && break; sleep 0.05; done
grep -q "level=info msg=\"metrics on http://127.0.0.1:$port/metrics" "$dir/log" ||
	fail "no log line for the listener: $(cat "$dir/log")"

# ---- a configuration of every kind of service -------------------------------------------
adm() { "$uvsadm" "$@"; }
adm -A -t 10.0.0.1:80 -s wrr
adm -a -t 10.0.0.1:80 -r 192.168.0.11:80 -m -w 3
adm -a -t 10.0.0.1:80 -r 192.168.0.12:8080 -m -w 0
adm -A -u 10.0.0.1:53 -s rr
adm -a -u 10.0.0.1:53 -r 192.168.0.11:53 -g -w 2
adm -a -u 10.0.0.1:53 -r 192.168.0.13:53 -i
adm -A -t [2001:db8::1]:443 -s wlc
adm -a -t [2001:db8::1]:443 -r [2001:db8:0:0:1::5]:443 -m -w 7
adm -A -u [::ffff:1.2.3.4]:53
adm -a -u [::ffff:1.2.3.4]:53 -r [::1.2.3.4]:53 -m
# Two fwmark services with one mark (IPv4 and IPv6) and one real server (by tunnel from
# the IPv6 one): node_exporter's labels do not tell them apart, so it adds them up, and
# so must uvsd.
adm -A -f 100 -s rr -p 60
adm -a -f 100 -r 10.1.1.1:0 -g -w 4
adm -A -f 100 -6 -s rr
adm -a -f 100 -6 -r 10.1.1.1:0 -i -w 5
adm -A -t 10.0.0.1:80 2>/dev/null && fail "a second -A of one service was taken"

curl -sf "$url/metrics" -o "$dir/scrape" || fail "GET /metrics"
if promtool check metrics <"$dir/scrape" >"$dir/promtool" 2>&1; then
	ok "promtool check metrics"
else
	fail "promtool check metrics: $(cat "$dir/promtool")"
fi

# ---- node_exporter over uvsadm --proc ----------------------------------------------------
mkdir -p "$dir/proc/net"
adm --proc ip_vs >"$dir/proc/net/ip_vs"
adm --proc ip_vs_stats >"$dir/proc/net/ip_vs_stats"
nport=$(free_port)
prometheus-node-exporter --path.procfs="$dir/proc" --collector.disable-defaults --collector.ipvs \
	--web.listen-address="127.0.0.1:$nport" 2>"$dir/node_exporter.log" &
pids+=($!)
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$nport/metrics" -o "$dir/node" && break; sleep 0.1; done
if python3 "$check" same node_ipvs_ "$dir/node" "$dir/scrape"; then
	ok "node_exporter over uvsadm --proc reports uvsd's node_ipvs_* samples"
else
	fail "node_exporter and uvsd differ"
fi
# The same help texts and types, line for line.
expect "node_ipvs_* HELP and TYPE lines as node_exporter's" \
	"$(grep '^# .* node_ipvs_' "$dir/node" | sort)" "$(grep '^# .* node_ipvs_' "$dir/scrape" | sort)"

value() { python3 "$check" value "$dir/scrape" "$@"; }
expect "weight of 192.168.0.11:80" 3 \
	"$(value node_ipvs_backend_weight local_address=10.0.0.1 local_port=80 remote_address=192.168.0.11 proto=TCP)"
expect "weight of the IPv6 real server" 7 \
	"$(value node_ipvs_backend_weight local_address=2001:db8::1 remote_address=2001:db8::1:0:0:5)"
expect "the fwmark real servers alike, added up" 9 \
	"$(value node_ipvs_backend_weight proto=FWM local_mark=00000064 remote_address=10.1.1.1)"
expect "uvs_backend_* keeps them apart by family" 2 \
	"$(grep -c '^uvs_backend_connections_persistent{.*local_mark="00000064"' "$dir/scrape")"
# A sync daemon (which refuses to start beside a real server of another family).
adm -D -f 100 -6
adm --start-daemon master --mcast-interface lo --syncid 7
curl -sf "$url/metrics" -o "$dir/scrape" || fail "GET /metrics"
expect "new_service requests done" 6 "$(value uvs_control_requests_total command=new_service result=ok)"
expect "new_service requests refused" 1 "$(value uvs_control_requests_total command=new_service result=error)"
expect "new_dest requests done" 8 "$(value uvs_control_requests_total command=new_dest result=ok)"
expect "the sync daemon" 1 "$(value uvs_sync_daemon_info state=master mcast_interface=lo syncid=7)"
expect "the backend" 1 "$(value uvs_io_backend_info backend=none)"
expect "the table's limit" 4194304 "$(value uvs_connection_table_limit)"
now=$(date +%s)
start=$(value process_start_time_seconds)
python3 -c "import sys; sys.exit(not ($now - 60 < $start <= $now + 1))" ||
	fail "process_start_time_seconds $start, now $now"
# Every reason uvsadm -L --counters names has its sample.
while read -r name _; do
	case $name in
	tx | io_* | nh_* | steer_keys) ;;
	restart_conns_*) grep -q "^uvs_restart_connections{result=\"${name#restart_conns_}\"} 0$" \
		"$dir/scrape" || fail "no uvs_restart_connections for $name" ;;
	sync_*) grep -Eq "^uvs_(sync_events_total\{event|engine_frames_total\{reason)=\"$name\"\} 0$" \
		"$dir/scrape" || fail "no uvs_sync_events_total for $name" ;;
	*) grep -q "^uvs_engine_frames_total{reason=\"$name\"} 0$" "$dir/scrape" ||
		fail "no uvs_engine_frames_total for $name" ;;
	esac
done < <(adm -L --counters)
ok "a uvs_engine_frames_total (or uvs_sync_events_total) sample for every counter of uvsadm -L --counters"

# ---- HTTP --------------------------------------------------------------------------------
expect "/metrics' content type" "text/plain; version=0.0.4; charset=utf-8" \
	"$(curl -s -o /dev/null -w '%{content_type}' "$url/metrics")"
expect "an unknown path" 404 "$(curl -s -o /dev/null -w '%{http_code}' "$url/nothing")"
expect "POST" 405 "$(curl -s -o /dev/null -w '%{http_code}' -X POST -d x=1 "$url/metrics")"
expect "HEAD /metrics" 200 "$(curl -s -I -o /dev/null -w '%{http_code}' "$url/metrics")"
curl -sf "$url/status.json" -o "$dir/status.json" || fail "GET /status.json"
python3 "$check" json "$dir/status.json" && ok "/status.json is JSON" || fail "/status.json is not JSON"

# ---- the status page in headless Chromium -----------------------------------------------
if command -v chromium >/dev/null; then
	chrome=(chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run
		--disable-background-networking --disable-component-update --disable-sync
		--virtual-time-budget=3000)
	timeout 60 "${chrome[@]}" --user-data-dir="$dir/chrome1" --dump-dom "$url/" \
		>"$dir/dom.html" 2>"$dir/chrome.log" || fail "chromium --dump-dom: $(tail -3 "$dir/chrome.log")"
	timeout 60 "${chrome[@]}" --user-data-dir="$dir/chrome2" --window-size=1400,900 \
		--screenshot="$out_dir/status-page.png" "$url/" 2>>"$dir/chrome.log" ||
		fail "chromium --screenshot"
	[ -s "$out_dir/status-page.png" ] && ok "screenshot: $out_dir/status-page.png"
	# The text the script drew (tags out), one cell a line.
	python3 -c 'import html, re, sys
t = open(sys.argv[1]).read()
t = re.sub(r"<(script|style|noscript)\b.*?</\1>", "", t, flags=re.S)
print("\n".join(c.strip() for c in html.unescape(re.sub(r"<[^>]+>", "\n", t)).split("\n") if c.strip()))' \
		"$dir/dom.html" >"$dir/page.txt"
	for want in "TCP 10.0.0.1:80" "→ 192.168.0.11:80" "→ 192.168.0.12:8080" "TCP [2001:db8::1]:443" \
		"FWM 100" "rr persistent 60" "Masq" "Route" "Tunnel" "wrr" "master" "lo" "none counted" \
		"no worker (control plane only)"; do
		grep -qxF -- "$want" "$dir/page.txt" || fail "the page does not show '$want'"
	done
	# The weights in their rows: the real server, its method, its weight.
	grep -A2 -xF "→ 192.168.0.11:80" "$dir/page.txt" | tr '\n' ' ' | grep -q "Masq 3 " ||
		fail "the page's row of 192.168.0.11:80: $(grep -A4 -xF "→ 192.168.0.11:80" "$dir/page.txt" | tr '\n' ' ')"
	grep -A2 -xF "→ [2001:db8::1:0:0:5]:443" "$dir/page.txt" | tr '\n' ' ' | grep -q "Masq 7 " ||
		fail "the page's row of the IPv6 real server"
	grep -q "^uvsd 0" "$dir/page.txt" || fail "no version line on the page"
	ok "the status page shows the services, real servers, weights and sync daemon"
else
	echo "skip: the status page (no chromium: scripts/deps.sh test)"
fi

# ---- the Grafana dashboard ---------------------------------------------------------------
if python3 "$check" dashboard "$dash" "$dir/scrape"; then
	ok "the dashboard reads only metrics uvsd exports"
else
	fail "the dashboard reads metrics uvsd does not export"
fi

# ---- bad addresses -----------------------------------------------------------------------
bad() { # WANT_MESSAGE --metrics VALUE
	local out rc=0
	out=$(timeout 5 "$uvsd" --foreground --state none --socket "$dir/other.sock" --metrics "$2" 2>&1) || rc=$?
	case $out in *"$1"*) ok "--metrics $2 refused ($rc)" ;; *) fail "--metrics $2: $out" ;; esac
	[ "$rc" != 0 ] || fail "--metrics $2 exited 0"
}
bad "uvsd: --metrics 127.0.0.1: not ADDRESS:PORT with a port in 1..65535" 127.0.0.1
bad "uvsd: --metrics localhost:9911: localhost is not an IPv4 address" localhost:9911
bad "uvsd: --metrics [::1]:0: not ADDRESS:PORT" "[::1]:0"
bad "--metrics 127.0.0.1:$port: Address already in use" "127.0.0.1:$port"

[ "$failed" = 0 ] || { echo "$failed check(s) failed"; exit 1; }
echo "all metrics checks passed"
exit 0
