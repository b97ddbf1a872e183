# SPDX-License-Identifier: GPL-2.0-or-later
# Debian's keepalived in the lab, under uvs-run, for the tests that drive uvsd with it
# (test_keepalived_restart.sh, test_vrrp_pair.sh, test_sync_vrrp.sh). Source after
# common.sh.
#   ka_require UVS_RUN SANITIZE      sets UVS_RUN; exits 77 (skip) in a sanitizer build,
#                                    whose preload library needs its runtime loaded
#                                    first, or without keepalived
#   ka_pair_conf NODE PRIORITY [GLOBAL_LINE]
#                                    a VRRP pair's configuration for NODE: the VIP and
#                                    the real servers' gateway LAB_FLOAT4 on eth0, and a
#                                    NAT virtual_server over the lab's real servers with
#                                    TCP_CHECK; GLOBAL_LINE goes into global_defs
#   ka_start NODE                    keepalived in NODE's namespace in the foreground on
#                                    $LAB_TMP/ka-NODE.conf, through uvs-run to NODE's
#                                    uvsd; log $LAB_TMP/ka-NODE.log, pid ka-NODE.pid
#                                    (keepalived's own pid files: kad-NODE*.pid)
#   ka_holds NODE ADDR / ka_holds_pair NODE
#                                    NODE has ADDR on eth0 / the VIP and LAB_FLOAT4

ka_require() {
	UVS_RUN=$(realpath "${1:?ka_require UVS_RUN SANITIZE}")
	if [ "${2:-none}" != none ]; then
		echo "SKIP: a $2 build's preload library needs its sanitizer runtime loaded first"
		exit 77
	fi
	command -v keepalived >/dev/null || {
		echo "SKIP: no keepalived (apt-get install keepalived)"
		exit 77
	}
}

ka_pair_conf() {
	local rs
	cat <<CONF
global_defs {
	router_id uvs-$1
	vrrp_garp_master_delay 1
${3:+	$3
}}
vrrp_instance uvs {
	state BACKUP
	interface $LAB_DEV
	virtual_router_id 51
	priority $2
	advert_int 1
	virtual_ipaddress {
		$LAB_VIP4/32 dev $LAB_DEV
		$LAB_FLOAT4/$LAB_LEN4 dev $LAB_DEV
	}
}
virtual_server $LAB_VIP4 80 {
	delay_loop 1
	lb_algo rr
	lb_kind NAT
	protocol TCP
CONF
	for rs in "${LAB_RS[@]}"; do
		printf '\treal_server %s 80 {\n\t\tweight 1\n' "${LAB_IP4[$rs]}"
		printf '\t\tTCP_CHECK {\n\t\t\tconnect_timeout 1\n\t\t}\n\t}\n'
	done
	echo "}"
}

ka_start() {
	lab_spawn "$1" "ka-$1" "$UVS_RUN" --socket "$(lab_uvsd_sock "$1")" keepalived \
		--dont-fork --log-console --log-detail --no-syslog -f "$LAB_TMP/ka-$1.conf" \
		-p "$LAB_TMP/kad-$1.pid" -c "$LAB_TMP/kad-$1-check.pid" -r "$LAB_TMP/kad-$1-vrrp.pid"
}

ka_holds() {
	lab_exec "$1" ip -4 -o addr show dev "$LAB_DEV" | grep -q " $2/"
}

ka_holds_pair() {
	ka_holds "$1" "$LAB_VIP4" && ka_holds "$1" "$LAB_FLOAT4"
}
