#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The FTP helper end to end (mode nat): Debian's vsftpd on rs1..rs3 (anonymous, its
# passive ports 30000..30099, active data from port 20), FTP services on the IPv4 and
# the IPv6 VIP's port 21 over them by NAT, and curl on the client, in every mode it
# has: PASV, EPSV, PORT, EPRT over IPv4, EPSV and EPRT over IPv6. vsftpd names its own
# address in its 227 replies and connects from it in active mode, so without the
# helper no transfer gets through. What is checked:
#  - each transfer brings a real server's file whole (a name and 200 KB of data);
#  - two files over one control connection (two 227 rewrites, each 4 bytes shorter
#    than the server's, so the sequence numbers of all that follows are moved);
#  - rr gave each real server a control connection in each mode;
#  - uvsd counted its rewrites and data connections, and no reply or command it
#    could not read.
# Usage: test_ftp.sh DECAP_OBJ UVSD UVSADM
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/e2e/common.sh
. "$here/common.sh"

if ! command -v vsftpd >/dev/null || ! command -v curl >/dev/null; then
	echo "SKIP: needs vsftpd and curl (scripts/packages.txt, group test)"
	exit 77
fi

# vsftpd's configuration for one address of one real server.
vsftpd_conf() { # RS 4|6
	local rs=$1 fam=$2 root=$LAB_TMP/ftp-$1
	if [ "$fam" = 4 ]; then
		printf 'listen=YES\nlisten_ipv6=NO\nlisten_address=%s\n' "${LAB_IP4[$rs]}"
	else
		printf 'listen=NO\nlisten_ipv6=YES\nlisten_address6=%s\n' "${LAB_IP6[$rs]}"
	fi
	cat <<EOF
listen_port=21
background=NO
anonymous_enable=YES
no_anon_password=YES
anon_root=$root
local_enable=NO
write_enable=NO
pasv_enable=YES
pasv_min_port=30000
pasv_max_port=30099
port_enable=YES
connect_from_port_20=YES
secure_chroot_dir=$LAB_TMP/ftp-empty
seccomp_sandbox=NO
xferlog_enable=NO
dual_log_enable=NO
syslog_enable=NO
vsftpd_log_file=/dev/null
EOF
}

lab_up nat
mkdir -m 755 "$LAB_TMP/ftp-empty"
head -c 200000 /dev/urandom >"$LAB_TMP/big"
for rs in "${LAB_RS[@]}"; do
	mkdir -m 755 "$LAB_TMP/ftp-$rs"
	echo "$rs" >"$LAB_TMP/ftp-$rs/who"
	{ echo "$rs"; cat "$LAB_TMP/big"; } >"$LAB_TMP/ftp-$rs/big"
	chmod 644 "$LAB_TMP/ftp-$rs/who" "$LAB_TMP/ftp-$rs/big"
	for fam in 4 6; do
		vsftpd_conf "$rs" "$fam" >"$LAB_TMP/vsftpd-$rs-$fam.conf"
		lab_spawn "$rs" "vsftpd-$rs-$fam" vsftpd "$LAB_TMP/vsftpd-$rs-$fam.conf"
	done
done
for rs in "${LAB_RS[@]}"; do
	for fam in 4 6; do
		lab_wait 5 lab_exec "$rs" curl -s --max-time 2 \
			"ftp://$(_bracket "$(rs_addr "$rs" "$fam")")/who" >/dev/null ||
			echo "FAIL: vsftpd on $rs does not answer over IPv$fam"
	done
done
e2e_uvsd_start
svc_add tcp "$LAB_VIP4" 21 -m rr
svc_add tcp "$LAB_VIP6" 21 -m rr

# One transfer: the first line of the file (the real server's name), then whether the
# rest is the 200 KB every server holds; "fail" if curl got nothing.
fetch() { # VIP FILE curl-options...
	local vip=$1 file=$2 out=$LAB_TMP/got
	shift 2
	rm -f "$out"
	if ! lab_exec cli curl -s --max-time 5 "$@" -o "$out" \
		"ftp://$(_bracket "$vip")/$file"; then
		echo fail
		return
	fi
	head -n 1 "$out"
	if [ "$file" = big ]; then
		if tail -c +5 "$out" | cmp -s - "$LAB_TMP/big"; then echo whole; else echo bad; fi
	fi
}

# curl's options for each mode: passive by default tries EPSV first, active with
# "--ftp-port -" EPRT first.
declare -A MODE_OPTS=(
	[pasv]="--disable-epsv"
	[epsv]="--ftp-pasv"
	[port]="--ftp-port - --disable-eprt"
	[eprt]="--ftp-port -"
)
for vip in "$LAB_VIP4" "$LAB_VIP6"; do
	modes="pasv epsv port eprt"
	[ "$vip" = "$LAB_VIP6" ] && modes="epsv eprt"
	for mode in $modes; do
		seen=""
		for q in 1 2 3; do
			# shellcheck disable=SC2086 # the options are words
			got=$(fetch "$vip" big ${MODE_OPTS[$mode]})
			expect "$vip $mode, transfer $q: a real server's 200 KB whole" \
				"whole" "$(tail -n 1 <<<"$got")"
			seen+="$(head -n 1 <<<"$got") "
		done
		expect "$vip $mode: rr gave each real server one control connection" \
			"rs1 rs2 rs3" "$(tr ' ' '\n' <<<"$seen" | sort | xargs)"
	done
	# Two files on one control connection: the second PASV/EPSV, its reply and the
	# rest come after the first rewrite changed the length.
	mode=pasv
	[ "$vip" = "$LAB_VIP6" ] && mode=epsv
	# shellcheck disable=SC2086
	two=$(lab_exec cli curl -s --max-time 5 ${MODE_OPTS[$mode]} \
		"ftp://$(_bracket "$vip")/who" "ftp://$(_bracket "$vip")/who" || echo fail)
	expect "$vip $mode: two files on one control connection, from one server" \
		"2 1" "$(grep -c '^rs[1-3]$' <<<"$two") $(sort -u <<<"$two" | wc -l)"
done

rewritten=$(counter ftp_rewritten)
check "227/229 replies rewritten ($rewritten)" [ "${rewritten:-0}" -ge 13 ]
made=$(counter ftp_data_conn)
check "data connections made ($made)" [ "${made:-0}" -ge 22 ]
for c in ftp_bad_reply ftp_bad_command ftp_no_conn ftp_no_room ftp_no_memory; do
	expect "nothing counted as $c" 0 "$(counter "$c")"
done
e2e_done
