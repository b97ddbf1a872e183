# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
#
# tests/e2e/ecmp.sh — active-active directors behind ECMP in the lab (lab.sh with
# LAB_ECMP=1): BIRD on rtr with dist/bird-router.conf, on each director with
# dist/bird-director.conf (its router id set to the director's address), uvsd on each
# with --announce-table. Source it after lab.sh (common.sh does that).
#
#            cli eth0 .2 ... .33 (::2 ... ::21) ----- rtr  BIRD: a BGP session and BFD
#                                                    |    with each director; the VIPs'
#   LAN ---+-----------+-----------+-----------+-----+    routes multipath, hashed on
#          | dir .2    | dir2 .3   | dir3 .4   | rs1..rs3     layer 4
#          uvsd + BIRD each: the VIPs announced while uvsd runs and they can serve
#
# Functions:
#   ecmp_up MODE             LAB_ECMP=1 lab_up MODE (dr or tun), the router's layer-4
#                            multipath hash, the client's 31 extra addresses
#                            (ECMP_CLIENTS4, ECMP_CLIENTS6), BIRD on rtr
#   ecmp_rules               the lab's services (mh with mh-fallback, DR, rs1..rs3,
#                            IPv4 and IPv6), and ECMP_VIP_RR:80 by rr (whose choices
#                            only the sync daemon shares), as an ipvsadm -S rules
#                            file on stdout
#   ecmp_director_up NODE [uvsd args...]
#                            BIRD (once) and uvsd --interface eth0 --announce-table
#                            ECMP_TABLE --rules ECMP_RULES --sysctl sloppy_tcp=1 in NODE,
#                            with a sync master (syncid 1, 2, 3 for dir, dir2, dir3)
#                            and a sync backup of every master (syncid 0)
#   ecmp_uvsd_pid NODE       the pid of NODE's uvsd
#   ecmp_birdc NODE args...  birdc on NODE's BIRD
#   ecmp_paths 4|6           how many next hops rtr's route to the VIP has (0: none)
#   ecmp_wait_paths 4|6 N S  until it has N, for S seconds at most
#   ecmp_sources             the client's addresses, comma-separated (IPv4)
# Settings: ECMP_TABLE (100), ECMP_RULES ($LAB_TMP/rules, written by ecmp_up).

: "${ECMP_TABLE:=100}"
ECMP_DIST=$LAB_HERE/../../dist
ECMP_VIP_RR=10.0.0.2 # a second VIP, on the real servers' lo too
# The client's addresses: its own first, then 31 more (mh hashes the source address).
ECMP_CLIENTS4=()
ECMP_CLIENTS6=()
for _i in $(seq 2 33); do
	ECMP_CLIENTS4+=("172.16.0.$_i")
	ECMP_CLIENTS6+=("2001:db8:c::$(printf %x "$_i")")
done
unset _i

ecmp_rules() {
	local vip rs fam a
	echo "-A -t $ECMP_VIP_RR:$LAB_TCP_PORT -s rr"
	for rs in "${LAB_RS[@]}"; do
		echo "-a -t $ECMP_VIP_RR:$LAB_TCP_PORT -r ${LAB_IP4[$rs]}:$LAB_TCP_PORT -g -w 1"
	done
	for fam in 4 6; do
		if [ "$fam" = 4 ]; then vip=$LAB_VIP4; else vip="[$LAB_VIP6]"; fi
		echo "-A -t $vip:$LAB_TCP_PORT -s mh -b mh-fallback"
		for rs in "${LAB_RS[@]}"; do
			if [ "$fam" = 4 ]; then a=${LAB_IP4[$rs]}; else a="[${LAB_IP6[$rs]}]"; fi
			echo "-a -t $vip:$LAB_TCP_PORT -r $a:$LAB_TCP_PORT -g -w 1"
		done
	done
}

_ecmp_bird_start() { # NODE CONF
	lab_spawn "$1" "bird-$1" bird -f -c "$2" -s "$LAB_TMP/bird-$1.ctl" -P "$LAB_TMP/bird-$1.bpid"
	lab_wait 10 test -S "$LAB_TMP/bird-$1.ctl" || {
		echo "ecmp: BIRD in $1 did not start:" >&2
		cat "$LAB_TMP/bird-$1.log" >&2
		return 1
	}
}

ecmp_up() {
	local i rs
	LAB_ECMP=1 lab_up "$1"
	_lab_sysctl rtr net.ipv4.fib_multipath_hash_policy=1 net.ipv6.fib_multipath_hash_policy=1
	for ((i = 1; i < ${#ECMP_CLIENTS4[@]}; i++)); do
		ip -n "$(lab_ns cli)" addr add "${ECMP_CLIENTS4[$i]}/$LAB_LEN4" dev "$LAB_DEV"
		ip -n "$(lab_ns cli)" addr add "${ECMP_CLIENTS6[$i]}/$LAB_LEN6" dev "$LAB_DEV" nodad
	done
	for rs in "${LAB_RS[@]}"; do
		ip -n "$(lab_ns "$rs")" addr add "$ECMP_VIP_RR/32" dev lo
	done
	ECMP_RULES=${ECMP_RULES:-$LAB_TMP/rules}
	ecmp_rules >"$ECMP_RULES"
	_ecmp_bird_start rtr "$ECMP_DIST/bird-router.conf"
}

ecmp_director_up() {
	local node=$1 conf=$LAB_TMP/bird-$1.conf
	shift
	if [ ! -S "$LAB_TMP/bird-$node.ctl" ]; then
		sed -e "s/^define DIRECTOR_ID = [^;]*;/define DIRECTOR_ID = ${LAB_IP4[$node]};/" \
			-e "s/^define UVS_TABLE = [^;]*;/define UVS_TABLE = $ECMP_TABLE;/" \
			"$ECMP_DIST/bird-director.conf" >"$conf"
		_ecmp_bird_start "$node" "$conf" || return 1
	fi
	# A killed uvsd's socket file stays: gone, it cannot be taken for the new one's.
	rm -f "$(lab_uvsd_sock "$node")"
	lab_uvsd_start_at "$node" --interface "$LAB_DEV" --workers 1 --state none \
		--announce-table "$ECMP_TABLE" --rules "$ECMP_RULES" --sysctl sloppy_tcp=1 "$@" ||
		return 1
	# Every director a sync master (its own syncid) and a backup of the others
	# (syncid 0: every master's), so that a flow ECMP moves finds its connection.
	lab_uvsadm_at "$node" --start-daemon master --mcast-interface "$LAB_DEV" \
		--syncid "$(_ecmp_syncid "$node")" &&
		lab_uvsadm_at "$node" --start-daemon backup --mcast-interface "$LAB_DEV" --syncid 0
}

_ecmp_syncid() { # NODE: dir 1, dir2 2, dir3 3
	local n=${1#dir}
	echo "${n:-1}"
}

ecmp_uvsd_pid() {
	if [ "$1" = dir ]; then cat "$LAB_TMP/director.pid"; else cat "$LAB_TMP/uvsd-$1.pid"; fi
}

ecmp_birdc() {
	local node=$1
	shift
	lab_exec "$node" birdc -s "$LAB_TMP/bird-$node.ctl" "$@"
}

ecmp_paths() {
	local vip=$LAB_VIP4 route
	[ "$1" = 4 ] || vip=$LAB_VIP6
	route=$(ip -n "$(lab_ns rtr)" -"$1" route show "$vip" 2>/dev/null)
	if [ -z "$route" ]; then
		echo 0
	elif grep -q nexthop <<<"$route"; then
		grep -c nexthop <<<"$route"
	else
		echo 1
	fi
}

_ecmp_has_paths() { [ "$(ecmp_paths "$1")" = "$2" ]; }

ecmp_wait_paths() {
	lab_wait "$3" _ecmp_has_paths "$1" "$2"
}

ecmp_sources() {
	local IFS=,
	echo "${ECMP_CLIENTS4[*]}"
}
