# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
#
# tests/e2e/lab.sh — the classic LVS lab in network namespaces, for uvsd's end-to-end
# tests and demos. Source it (as root) from a bash script:
#
#   . tests/e2e/lab.sh
#   lab_up nat                # or dr, or tun; torn down by a trap on exit
#   lab_servers_start         # nginx (TCP 80) and a UDP echo (53) on rs1..rs3
#   lab_uvsd_start --interface eth0 ...     # uvsd in the director's namespace
#   lab_uvsadm -A -t 10.0.0.1:80 -s rr      # uvsadm on that uvsd's socket
#   lab_curl_count http://10.0.0.1/ 300     # "rs1 100\nrs2 100\nrs3 100"
#   lab_down                  # also run by the trap; safe to call twice
#
#            client net 172.16.0.0/24, 2001:db8:c::/64
#   [cli] eth0 .2, ::2 ------------------------------- eth1 .1, ::1 [rtr]
#                                                          eth0 | .1, ::1
#   LAN 192.168.0.0/24, 2001:db8:1::/64: bridge br0 in [lan]    |
#   ---+-------------------+-------------------+----------------+---------+----
#      | .2, ::2           | .11, ::11         | .12, ::12         | .13, ::13
#    [dir] eth0          [rs1] eth0          [rs2] eth0          [rs3] eth0
#
#   VIPs 10.0.0.1 and 2001:db8:f::1: rtr routes them to dir's LAN address.
#
#   With LAB_PAIR=1, a second director [dir2] eth0 .3, ::3 on the LAN, as an LVS pair
#   under VRRP: rtr routes the VIPs on-link (it asks the LAN, by ARP and ND, who holds
#   them: the VRRP master, which puts them on its eth0), and in nat the real servers'
#   gateway is the floating LAN address .254, ::fe (LAB_FLOAT4, LAB_FLOAT6) the master
#   holds too. Neither director holds an address of the pair until VRRP gives it one.
#   With LAB_ECMP=1 (dr or tun), three directors dir, dir2 and [dir3] eth0 .4, ::4,
#   active-active: rtr has no route to the VIPs of its own; BGP gives it one with a
#   next hop per director that announces them (tests/e2e/ecmp.sh runs BIRD).
#   Namespaces are "$LAB_PREFIX-NODE" (LAB_PREFIX defaults to uvslab<PID>); every LAN
#   interface is eth0, with MAC 02:00:00:00:01:<host part> (rtr's client side eth1 and
#   cli's eth0: 02:00:00:00:00:01 and :02).
#
# Modes (lab_up MODE):
#   nat  the real servers' default routes go via dir, dir's via rtr.
#   dr   the VIPs on each real server's lo (IPv4 with arp_ignore=1, arp_announce=2; IPv6
#        nodad, which Linux never answers ND for on eth0); default routes via rtr, so
#        replies go straight to the client.
#   tun  as dr, plus the decap tc program (bpf/decap.c; LAB_DECAP_OBJ) on each real
#        server's eth0: ipip, gue to LAB_GUE_PORT and gre over IPv4 and IPv6.
# Every link's MTU is LAB_MTU (1500; 9000 for jumbo frames), the LAN's LAB_LAN_MTU
# (LAB_MTU). Nodes that send to a director hand it wire-sized frames (gso_max_segs 1,
# as a physical wire carries them); with LAB_GSO=1 they keep the kernel's default and
# hand it unsegmented TSO frames of up to 64 KB, as a local sender does.
# In every mode dir's kernel (and dir2's) owns no VIP and does not forward
# (LAB_DIR_FORWARD=0):
# frames for the VIPs, and in nat the real servers' replies, reach dir's kernel only to
# be dropped silently, and uvsd takes them off eth0. lab_director_forward 1 makes dir a
# plain router (the self-test uses it to reach real servers directly in nat mode).
#
# Functions (each returns non-zero on failure; they need a lab up, except lab_up):
#   lab_up MODE, lab_down                  build the lab / remove all of it
#   lab_ns NODE                            the namespace name of a node
#   lab_exec NODE cmd...                   run cmd in a node's namespace
#   lab_spawn NODE NAME cmd...             start cmd there in the background; its output
#                                          in $LAB_TMP/NAME.log, its pid in NAME.pid;
#                                          lab_down stops it (lab_stop NAME sooner)
#   lab_servers_start, lab_servers_stop    the real servers' nginx and UDP echo; nginx
#                                          answers /files/NAME with $LAB_TMP/RS/files/NAME
#                                          (tests put large files there), /slow/NAME the
#                                          same at 100 KB/s (nginx limit_rate), any other
#                                          path with "RS\n"
#   lab_server_up NODE                     the same on one node, waited for until it
#                                          listens (dir too: a real server that is the
#                                          director itself answers "dir\n")
#   lab_sink_up NODE                       a TCP sink (labtool.py tcp-sink) on the
#                                          node's port LAB_SINK_PORT, waited for
#   lab_tcp_send ADDR BYTES [COUNT]        COUNT uploads of BYTES random bytes from cli
#                                          to ADDR:LAB_SINK_PORT, each checked by the
#                                          sink's length and SHA-256: "rs1 N1..." sorted,
#                                          then "fail K", "bad K" if any
#   lab_curl URL                           one request from cli; prints the body
#   lab_curl_count URL N                   N requests from cli, each on a new
#                                          connection: "rs1 N1\nrs2 N2..." sorted, then
#                                          "fail K" if K got no answer
#   lab_udp_count ADDR N [PORT [SIZE]]     the same with N UDP datagrams; with SIZE,
#                                          each of SIZE bytes, not to be fragmented (DF),
#                                          echoed after the name; "bad K" if K echoes
#                                          came back changed
#   lab_director_start [cmd...]            cmd (default: "${LAB_DIRECTOR_CMD[@]}") in dir
#                                          as process "director"; UVSD_SOCKET is exported
#                                          as $LAB_TMP/uvsd.sock. lab_up calls it when
#                                          LAB_DIRECTOR_CMD is set.
#   lab_uvsd_start [args...]               $LAB_UVSD --foreground args in dir, through
#                                          lab_director_start; waits for its socket
#   lab_uvsadm args...                     $LAB_UVSADM on that socket
#   lab_uvsd_sock NODE                     the control socket of a director's uvsd:
#                                          $LAB_TMP/uvsd.sock for dir, uvsd-NODE.sock else
#   lab_uvsd_start_at NODE [args...]       $LAB_UVSD --foreground args in the director
#                                          NODE (dir2) as process uvsd-NODE on its socket;
#                                          waits for the socket (dir: lab_uvsd_start)
#   lab_uvsadm_at NODE args...             $LAB_UVSADM on NODE's uvsd
#   lab_director_forward 0|1               the directors' kernel forwarding off/on
#   lab_set_mtu MTU                        every link's MTU, while the lab runs
#   lab_relink NODE                        deletes the node's LAN link (unless it is
#                                          gone already) and makes it again as lab_up
#                                          did (same name, MAC and addresses; a
#                                          director's default routes too): a link lost
#                                          and re-created
#   lab_wait SECONDS cmd...                retry cmd every 0.1 s until it succeeds
#   lab_vip_to NODE                        rtr routes the VIPs via director NODE, and in
#                                          nat the real servers' default routes go via
#                                          NODE: the VIP moved by hand, without VRRP
#   lab_uvsd2_start [args...], lab_uvsadm2 args...
#                                          as lab_uvsd_start and lab_uvsadm, for a uvsd
#                                          in dir2 (process "director2", its socket
#                                          $LAB_TMP/uvsd2.sock); LAB_DIRECTORS=2
#   lab_vip_to NODE                        rtr routes the VIPs to director NODE, and in
#                                          nat the real servers' default routes go via
#                                          NODE: the VIP moved by hand
# Settings, read when sourced (defaults): LAB_PREFIX (uvslab<PID>), LAB_BUILD (the
# repository's build/), LAB_UVSD and LAB_UVSADM ($LAB_BUILD/uvsd, uvsadm), LAB_DECAP_OBJ
# ($LAB_BUILD/tests/e2e/decap.o), LAB_PYTHON (python3), LAB_DIR_FORWARD (0),
# LAB_MTU (1500), LAB_LAN_MTU (LAB_MTU), LAB_GSO (0); LAB_DIRECTOR_CMD (an array, unset)
# LAB_PAIR (0) and LAB_ECMP (0) when lab_up runs.
# Everything runs only inside the lab's namespaces and every wait is bounded.
set -euo pipefail

LAB_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${LAB_PREFIX:=uvslab$$}"
: "${LAB_BUILD:=$LAB_HERE/../../build}"
: "${LAB_UVSD:=$LAB_BUILD/uvsd}"
: "${LAB_UVSADM:=$LAB_BUILD/uvsadm}"
: "${LAB_DECAP_OBJ:=$LAB_BUILD/tests/e2e/decap.o}"
: "${LAB_PYTHON:=python3}"
: "${LAB_DIR_FORWARD:=0}"
: "${LAB_MTU:=1500}"
: "${LAB_LAN_MTU:=$LAB_MTU}"
: "${LAB_GSO:=0}"

# -- the one place for names and addresses ----------------------------------------------
LAB_DEV=eth0
LAB_VIP4=10.0.0.1
LAB_VIP6=2001:db8:f::1
LAB_TCP_PORT=80
LAB_UDP_PORT=53
LAB_SINK_PORT=8000
LAB_GUE_PORT=6080
LAB_RS=(rs1 rs2 rs3)
# Each node's address and MAC on its eth0 (the router's LAN side), and the router's
# client side. dir2 is there with LAB_PAIR=1 or LAB_ECMP=1 only, dir3 with LAB_ECMP=1.
declare -gA LAB_IP4=([cli]=172.16.0.2 [rtr]=192.168.0.1 [dir]=192.168.0.2 [dir2]=192.168.0.3
	[dir3]=192.168.0.4 [rs1]=192.168.0.11 [rs2]=192.168.0.12 [rs3]=192.168.0.13)
declare -gA LAB_IP6=([cli]=2001:db8:c::2 [rtr]=2001:db8:1::1 [dir]=2001:db8:1::2
	[dir2]=2001:db8:1::3 [dir3]=2001:db8:1::4 [rs1]=2001:db8:1::11 [rs2]=2001:db8:1::12
	[rs3]=2001:db8:1::13)
declare -gA LAB_MAC=([cli]=02:00:00:00:00:02 [rtr]=02:00:00:00:01:01 [dir]=02:00:00:00:01:02
	[dir2]=02:00:00:00:01:03 [dir3]=02:00:00:00:01:04 [rs1]=02:00:00:00:01:11
	[rs2]=02:00:00:00:01:12 [rs3]=02:00:00:00:01:13)
# The pair's floating LAN address (LAB_PAIR=1): the real servers' gateway in nat.
LAB_FLOAT4=192.168.0.254
LAB_FLOAT6=2001:db8:1::fe
LAB_GW4=172.16.0.1
LAB_GW6=2001:db8:c::1
LAB_GW_MAC=02:00:00:00:00:01
LAB_LEN4=24
LAB_LEN6=64

LAB_MODE=
LAB_TMP=
LAB_NODES=()
LAB_DIRS=() # the directors: dir, and dir2 with LAB_PAIR=1, dir2 and dir3 with LAB_ECMP=1

lab_ns() {
	printf '%s-%s\n' "$LAB_PREFIX" "$1"
}

lab_exec() {
	local node=$1
	shift
	ip netns exec "$(lab_ns "$node")" "$@"
}

lab_wait() {
	local tries=$(($1 * 10))
	shift
	until "$@" >/dev/null 2>&1; do
		tries=$((tries - 1))
		[ "$tries" -gt 0 ] || return 1
		sleep 0.1
	done
}

_lab_sysctl() { # NODE key=value...
	local node=$1
	shift
	lab_exec "$node" sysctl -q -w "$@" >/dev/null
}

_lab_node() { # NODE: its namespace, lo up, no DAD and no router advertisements
	ip netns add "$(lab_ns "$1")"
	LAB_NODES+=("$1")
	ip -n "$(lab_ns "$1")" link set lo up
	_lab_sysctl "$1" net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 \
		net.ipv6.conf.all.accept_ra=0 net.ipv6.conf.default.accept_ra=0
}

_lab_addr() { # NODE DEV IPV4 IPV6
	ip -n "$(lab_ns "$1")" addr add "$3/$LAB_LEN4" dev "$2"
	ip -n "$(lab_ns "$1")" addr add "$4/$LAB_LEN6" dev "$2" nodad
}

_lab_routes() { # NODE GW4 GW6: default routes
	ip -n "$(lab_ns "$1")" route add default via "$2"
	ip -n "$(lab_ns "$1")" -6 route add default via "$3"
}

_lab_lan_port() { # NODE: its eth0 on the bridge
	local lan
	lan=$(lab_ns lan)
	ip -n "$(lab_ns "$1")" link add name "$LAB_DEV" address "${LAB_MAC[$1]}" \
		mtu "$LAB_LAN_MTU" type veth peer name "$1" mtu "$LAB_LAN_MTU" netns "$lan"
	ip -n "$lan" link set "$1" master br0 up
	# A wire carries frames of the MTU: a veth would hand dir's packet socket the
	# unsegmented 64 KB TSO frames of its peers' TCP (and of what rtr forwards), which
	# uvsd cuts itself (docs/decisions.md); one segment per frame, as on Ethernet,
	# unless LAB_GSO=1 asks for those frames.
	_lab_is_dir "$1" || [ "$LAB_GSO" = 1 ] ||
		ip -n "$(lab_ns "$1")" link set "$LAB_DEV" gso_max_segs 1
	ip -n "$(lab_ns "$1")" link set "$LAB_DEV" up
	_lab_addr "$1" "$LAB_DEV" "${LAB_IP4[$1]}" "${LAB_IP6[$1]}"
}

_lab_is_dir() { # NODE: it is a director
	[ "$1" = dir ] || [ "$1" = dir2 ] || [ "$1" = dir3 ]
}

# A director's default routes (via rtr) and no ICMP redirects.
_lab_dir_routes() { # NODE
	_lab_routes "$1" "${LAB_IP4[rtr]}" "${LAB_IP6[rtr]}"
	_lab_sysctl "$1" net.ipv4.conf.all.send_redirects=0 \
		net.ipv4.conf.default.send_redirects=0 "net.ipv4.conf.$LAB_DEV.send_redirects=0"
}

lab_up() {
	local mode=${1:-} node rs gw4 gw6
	case $mode in
	nat | dr | tun) ;;
	*)
		echo "lab_up: MODE is nat, dr or tun" >&2
		return 2
		;;
	esac
	if [ -n "$LAB_MODE" ]; then
		echo "lab_up: a lab is up already ($LAB_MODE); lab_down first" >&2
		return 2
	fi
	if [ "${LAB_ECMP:-0}" = 1 ] && { [ "$mode" = nat ] || [ "${LAB_PAIR:-0}" = 1 ]; }; then
		echo "lab_up: LAB_ECMP is for dr and tun (replies must not need the director" \
			"that forwarded), without LAB_PAIR" >&2
		return 2
	fi
	if [ "$mode" = tun ] && [ ! -f "$LAB_DECAP_OBJ" ]; then
		echo "lab_up: no decap program at $LAB_DECAP_OBJ (set LAB_DECAP_OBJ)" >&2
		return 2
	fi
	LAB_MODE=$mode
	LAB_DIRS=(dir)
	[ "${LAB_PAIR:-0}" != 1 ] || LAB_DIRS=(dir dir2)
	[ "${LAB_ECMP:-0}" != 1 ] || LAB_DIRS=(dir dir2 dir3)
	trap lab_down EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	LAB_TMP=$(mktemp -d "${TMPDIR:-/tmp}/$LAB_PREFIX.XXXXXX")

	# The switch: a bridge alone in its namespace, ports without IPv6.
	_lab_node lan
	_lab_sysctl lan net.ipv6.conf.default.disable_ipv6=1
	ip -n "$(lab_ns lan)" link add br0 type bridge stp_state 0 forward_delay 0 mcast_snooping 0
	ip -n "$(lab_ns lan)" link set br0 up
	# A switch, not a firewall: with br_netfilter in the kernel, bridged IP frames
	# would go through iptables, which drops malformed headers (test_hostile.sh sends
	# them on purpose).
	if lab_exec lan test -e /proc/sys/net/bridge/bridge-nf-call-iptables; then
		_lab_sysctl lan net.bridge.bridge-nf-call-iptables=0 \
			net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0
	fi

	for node in cli rtr "${LAB_DIRS[@]}" "${LAB_RS[@]}"; do
		_lab_node "$node"
	done
	# Client and router, back to back.
	ip -n "$(lab_ns rtr)" link add name eth1 address "$LAB_GW_MAC" mtu "$LAB_MTU" type veth \
		peer name "$LAB_DEV" address "${LAB_MAC[cli]}" mtu "$LAB_MTU" netns "$(lab_ns cli)"
	ip -n "$(lab_ns rtr)" link set eth1 up
	ip -n "$(lab_ns cli)" link set "$LAB_DEV" up
	_lab_addr rtr eth1 "$LAB_GW4" "$LAB_GW6"
	_lab_addr cli "$LAB_DEV" "${LAB_IP4[cli]}" "${LAB_IP6[cli]}"
	_lab_routes cli "$LAB_GW4" "$LAB_GW6"
	for node in rtr "${LAB_DIRS[@]}" "${LAB_RS[@]}"; do
		_lab_lan_port "$node"
	done

	_lab_sysctl rtr net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
	gw4=${LAB_IP4[dir]}
	gw6=${LAB_IP6[dir]}
	if [ "${LAB_ECMP:-0}" = 1 ]; then
		: # active-active: the VIPs' routes come from BGP
	elif [ "${#LAB_DIRS[@]}" -gt 1 ]; then
		# A pair: the VIPs are on the LAN, wherever VRRP puts them.
		ip -n "$(lab_ns rtr)" route add "$LAB_VIP4/32" dev "$LAB_DEV"
		ip -n "$(lab_ns rtr)" -6 route add "$LAB_VIP6/128" dev "$LAB_DEV"
		gw4=$LAB_FLOAT4
		gw6=$LAB_FLOAT6
	else
		ip -n "$(lab_ns rtr)" route add "$LAB_VIP4/32" via "${LAB_IP4[dir]}"
		ip -n "$(lab_ns rtr)" -6 route add "$LAB_VIP6/128" via "${LAB_IP6[dir]}"
	fi

	for node in "${LAB_DIRS[@]}"; do
		_lab_dir_routes "$node"
	done
	lab_director_forward "$LAB_DIR_FORWARD"

	for rs in "${LAB_RS[@]}"; do
		_lab_sysctl "$rs" net.ipv4.conf.all.accept_redirects=0 \
			net.ipv6.conf.all.accept_redirects=0 net.ipv4.conf.all.rp_filter=0 \
			"net.ipv4.conf.$LAB_DEV.rp_filter=0"
		if [ "$mode" = nat ]; then
			_lab_routes "$rs" "$gw4" "$gw6"
			continue
		fi
		_lab_routes "$rs" "${LAB_IP4[rtr]}" "${LAB_IP6[rtr]}"
		_lab_sysctl "$rs" net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.all.arp_announce=2 \
			"net.ipv4.conf.$LAB_DEV.arp_ignore=1" "net.ipv4.conf.$LAB_DEV.arp_announce=2"
		ip -n "$(lab_ns "$rs")" addr add "$LAB_VIP4/32" dev lo
		ip -n "$(lab_ns "$rs")" addr add "$LAB_VIP6/128" dev lo nodad
		if [ "$mode" = tun ]; then
			lab_exec "$rs" tc qdisc add dev "$LAB_DEV" clsact
			# The filter's classid minor is the GUE port (decap.c).
			lab_exec "$rs" tc filter add dev "$LAB_DEV" ingress bpf direct-action \
				obj "$LAB_DECAP_OBJ" sec tc classid "1:$(printf %x "$LAB_GUE_PORT")"
		fi
	done

	# Every link carries traffic before lab_up returns.
	lab_wait 5 lab_exec cli ping -c 1 -W 1 "$LAB_GW4"
	lab_wait 5 lab_exec cli ping -c 1 -W 1 "$LAB_GW6"
	for node in "${LAB_DIRS[@]}" "${LAB_RS[@]}"; do
		lab_wait 5 lab_exec "$node" ping -c 1 -W 1 "${LAB_IP4[rtr]}"
		lab_wait 5 lab_exec "$node" ping -c 1 -W 1 "${LAB_IP6[rtr]}"
	done
	if [ -n "${LAB_DIRECTOR_CMD[*]:-}" ]; then
		lab_director_start
	fi
}

lab_spawn() {
	local node=$1 name=$2
	shift 2
	if [ -z "$LAB_TMP" ]; then
		echo "lab_spawn: no lab is up" >&2
		return 1
	fi
	ip netns exec "$(lab_ns "$node")" "$@" >"$LAB_TMP/$name.log" 2>&1 </dev/null &
	echo "$!" >"$LAB_TMP/$name.pid"
}

# Waits until the tshark lab_spawn started as NAME captures: frames sent before are not
# in its file. tshark prints "Capturing on" before it even starts dumpcap, which opens
# the interface, sets the filter, and only then creates the file tshark's -w names; so
# that file open in tshark's dumpcap is the sign. On a loaded machine it can take
# seconds. Returns 1 after 60 s.
lab_capture_wait() { # NAME
	lab_wait 60 _lab_capture_live "$1"
}

_lab_capture_live() { # NAME
	local pid file dumpcap fd
	pid=$(cat "$LAB_TMP/$1.pid") || return 1
	# The argument after -w, from tshark's command line (lab_spawn's pid is tshark's:
	# ip netns exec replaces itself with it).
	file=$(tr '\0' '\n' <"/proc/$pid/cmdline" | sed -n '/^-w$/{n;p;q}') || return 1
	[ -n "$file" ] || return 1
	file=$(cd "/proc/$pid/cwd" && realpath -m -- "$file") || return 1
	for dumpcap in $(pgrep -P "$pid" -x dumpcap); do
		for fd in /proc/"$dumpcap"/fd/*; do
			[ "$(readlink "$fd")" = "$file" ] && return 0
		done
	done
	return 1
}

# Stops a process lab_spawn started: TERM, then KILL after 5 s.
lab_stop() {
	local file=$LAB_TMP/$1.pid pid tries=50
	[ -f "$file" ] || return 0
	pid=$(cat "$file")
	rm -f "$file"
	kill -TERM "$pid" 2>/dev/null || return 0
	while kill -0 "$pid" 2>/dev/null && [ "$tries" -gt 0 ]; do
		sleep 0.1
		tries=$((tries - 1))
	done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}

lab_down() {
	local f node ns pids tries
	[ -n "$LAB_TMP" ] || [ "${#LAB_NODES[@]}" -gt 0 ] || return 0
	if [ -n "$LAB_TMP" ]; then
		for f in "$LAB_TMP"/*.pid; do
			[ -f "$f" ] || continue
			f=${f##*/}
			lab_stop "${f%.pid}"
		done
	fi
	for node in "${LAB_NODES[@]}"; do
		ns=$(lab_ns "$node")
		# What is left in a namespace of the lab was started in it by the lab.
		tries=30
		while pids=$(ip netns pids "$ns" 2>/dev/null) && [ -n "$pids" ] &&
			[ "$tries" -gt 0 ]; do
			# shellcheck disable=SC2086 # one pid a word
			kill -KILL $pids 2>/dev/null || true
			sleep 0.1
			tries=$((tries - 1))
		done
		ip netns del "$ns" 2>/dev/null || true
	done
	[ -z "$LAB_TMP" ] || rm -rf "$LAB_TMP"
	LAB_NODES=()
	LAB_DIRS=()
	LAB_TMP=
	LAB_MODE=
	trap - EXIT INT TERM
}

lab_relink() {
	local node=$1
	if ip -n "$(lab_ns "$node")" link show "$LAB_DEV" >/dev/null 2>&1; then
		ip -n "$(lab_ns "$node")" link del "$LAB_DEV"
	fi
	_lab_lan_port "$node"
	if _lab_is_dir "$node"; then
		_lab_dir_routes "$node"
	fi
}

lab_set_mtu() {
	local node
	ip -n "$(lab_ns rtr)" link set eth1 mtu "$1"
	ip -n "$(lab_ns cli)" link set "$LAB_DEV" mtu "$1"
	for node in rtr "${LAB_DIRS[@]}" "${LAB_RS[@]}"; do
		ip -n "$(lab_ns "$node")" link set "$LAB_DEV" mtu "$1"
		ip -n "$(lab_ns lan)" link set "$node" mtu "$1"
	done
}

lab_director_forward() {
	local node
	for node in "${LAB_DIRS[@]}"; do
		_lab_sysctl "$node" "net.ipv4.ip_forward=$1" "net.ipv6.conf.all.forwarding=$1"
	done
}

_lab_nginx_conf() { # RS
	local d=$LAB_TMP/$1
	cat <<EOF
user root;
worker_processes 1;
pid $d/nginx.pid;
error_log $d/error.log;
events { worker_connections 1024; }
http {
	access_log off;
	client_body_temp_path $d/body;
	proxy_temp_path $d/proxy;
	fastcgi_temp_path $d/fastcgi;
	uwsgi_temp_path $d/uwsgi;
	scgi_temp_path $d/scgi;
	server {
		listen $LAB_TCP_PORT;
		listen [::]:$LAB_TCP_PORT ipv6only=on;
		default_type text/plain;
		location / { return 200 "$1\n"; }
		location /files/ { alias $d/files/; }
		location /slow/ { alias $d/files/; limit_rate 100k; }
	}
}
EOF
}

_lab_listening() { # NODE tcp|udp PORT: IPv4 and IPv6 sockets listen there
	[ "$(lab_exec "$1" ss -Hln --"$2" "sport = :$3" | wc -l)" -ge 2 ]
}

lab_server_start() {
	local node=$1
	mkdir -p "$LAB_TMP/$node/files"
	_lab_nginx_conf "$node" >"$LAB_TMP/$node/nginx.conf"
	lab_spawn "$node" "nginx-$node" nginx -c "$LAB_TMP/$node/nginx.conf" \
		-e "$LAB_TMP/$node/error.log" -g 'daemon off;'
	lab_spawn "$node" "udp-$node" "$LAB_PYTHON" "$LAB_HERE/labtool.py" udp-echo \
		--name "$node" --port "$LAB_UDP_PORT"
}

_lab_server_wait() { # NODE
	lab_wait 10 _lab_listening "$1" tcp "$LAB_TCP_PORT" || {
		echo "lab: nginx on $1 did not start:" >&2
		cat "$LAB_TMP/nginx-$1.log" "$LAB_TMP/$1/error.log" >&2 || true
		return 1
	}
	lab_wait 10 _lab_listening "$1" udp "$LAB_UDP_PORT" || {
		echo "lab: the UDP echo on $1 did not start:" >&2
		cat "$LAB_TMP/udp-$1.log" >&2 || true
		return 1
	}
}

lab_servers_start() {
	local rs
	for rs in "${LAB_RS[@]}"; do
		lab_server_start "$rs"
	done
	for rs in "${LAB_RS[@]}"; do
		_lab_server_wait "$rs" || return 1
	done
}

# Like lab_servers_start for one node, waiting until it listens.
lab_server_up() {
	lab_server_start "$1"
	_lab_server_wait "$1"
}

lab_servers_stop() {
	local rs
	for rs in "${LAB_RS[@]}"; do
		lab_stop "nginx-$rs"
		lab_stop "udp-$rs"
	done
}

lab_sink_up() {
	lab_spawn "$1" "sink-$1" "$LAB_PYTHON" "$LAB_HERE/labtool.py" tcp-sink --name "$1" \
		--port "$LAB_SINK_PORT"
	lab_wait 10 _lab_listening "$1" tcp "$LAB_SINK_PORT" || {
		echo "lab: the TCP sink on $1 did not start:" >&2
		cat "$LAB_TMP/sink-$1.log" >&2 || true
		return 1
	}
}

lab_tcp_send() {
	lab_exec cli "$LAB_PYTHON" "$LAB_HERE/labtool.py" tcp-send --addr "$1" \
		--port "$LAB_SINK_PORT" --bytes "$2" --count "${3:-1}"
}

lab_curl() {
	lab_exec cli curl -sS --globoff --max-time 5 --connect-timeout 2 "$1"
}

_lab_tally() { # N: counts of the names on stdin, then the missing ones
	sort | uniq -c | awk -v n="$1" '$2 != "" { print $2, $1; got += $1 }
		END { if (got < n) print "fail", n - got }'
}

lab_curl_count() {
	local url=$1 n=$2 cfg i
	cfg=$LAB_TMP/curl.$$.$RANDOM
	for ((i = 0; i < n; i++)); do
		printf 'url = "%s"\n' "$url"
	done >"$cfg"
	# One curl, N transfers, each on its own connection; 60 s for all at most.
	{ timeout 60 ip netns exec "$(lab_ns cli)" curl -s --globoff --max-time 5 \
		--connect-timeout 2 -H 'Connection: close' -K "$cfg" || true; } | _lab_tally "$n"
	rm -f "$cfg"
}

lab_udp_count() {
	lab_exec cli "$LAB_PYTHON" "$LAB_HERE/labtool.py" udp-count --addr "$1" \
		--port "${3:-$LAB_UDP_PORT}" --count "$2" --size "${4:-1}"
}

lab_director_start() {
	local cmd=("$@")
	[ "$#" -gt 0 ] || cmd=("${LAB_DIRECTOR_CMD[@]}")
	export UVSD_SOCKET=$LAB_TMP/uvsd.sock
	lab_spawn dir director "${cmd[@]}"
}

_lab_uvsd_up() { # its socket is there, or it is gone
	[ -S "$UVSD_SOCKET" ] || ! kill -0 "$(cat "$LAB_TMP/director.pid")" 2>/dev/null
}

lab_uvsd_start() {
	lab_director_start "$LAB_UVSD" --foreground "$@"
	lab_wait 10 _lab_uvsd_up
	[ -S "$UVSD_SOCKET" ] || {
		echo "lab: uvsd did not start:" >&2
		cat "$LAB_TMP/director.log" >&2 || true
		return 1
	}
}

lab_uvsadm() {
	UVSD_SOCKET=$LAB_TMP/uvsd.sock "$LAB_UVSADM" "$@"
}

lab_uvsd_sock() {
	if [ "$1" = dir ]; then
		echo "$LAB_TMP/uvsd.sock"
	else
		echo "$LAB_TMP/uvsd-$1.sock"
	fi
}

_lab_uvsd_up_at() { # NODE: its socket is there, or its uvsd is gone
	[ -S "$(lab_uvsd_sock "$1")" ] || ! kill -0 "$(cat "$LAB_TMP/uvsd-$1.pid")" 2>/dev/null
}

lab_uvsd_start_at() {
	local node=$1 sock
	shift
	if [ "$node" = dir ]; then
		lab_uvsd_start "$@"
		return
	fi
	sock=$(lab_uvsd_sock "$node")
	lab_spawn "$node" "uvsd-$node" env UVSD_SOCKET="$sock" "$LAB_UVSD" --foreground "$@"
	lab_wait 10 _lab_uvsd_up_at "$node"
	[ -S "$sock" ] || {
		echo "lab: uvsd in $node did not start:" >&2
		cat "$LAB_TMP/uvsd-$node.log" >&2 || true
		return 1
	}
}

lab_uvsadm_at() {
	local node=$1
	shift
	UVSD_SOCKET=$(lab_uvsd_sock "$node") "$LAB_UVSADM" "$@"
}

lab_vip_to() {
	local node=$1 rs
	ip -n "$(lab_ns rtr)" route replace "$LAB_VIP4/32" via "${LAB_IP4[$node]}"
	ip -n "$(lab_ns rtr)" -6 route replace "$LAB_VIP6/128" via "${LAB_IP6[$node]}"
	[ "$LAB_MODE" = nat ] || return 0
	for rs in "${LAB_RS[@]}"; do
		ip -n "$(lab_ns "$rs")" route replace default via "${LAB_IP4[$node]}"
		ip -n "$(lab_ns "$rs")" -6 route replace default via "${LAB_IP6[$node]}"
	done
}
