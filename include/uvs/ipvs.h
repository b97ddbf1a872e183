/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Constants of the IPVS control ABI (the kernel's "IPVS" generic netlink family,
 * version 1.2.1) that uvsd and uvsadm share. Values are the kernel's, so that stock
 * ipvsadm and keepalived can be adapted to uvsd without translation; and the names
 * ipvsadm gives some of them.
 */
#ifndef UVS_IPVS_H
#define UVS_IPVS_H

#include <stddef.h>

#define UVS_IPVS_VERSION 0x010201 /* shown as "1.2.1" */

/* Service flags (struct ip_vs_service_user.flags). */
#define UVS_SVC_F_PERSISTENT 0x0001
#define UVS_SVC_F_HASHED     0x0002
#define UVS_SVC_F_ONEPACKET  0x0004
#define UVS_SVC_F_SCHED1     0x0008 /* sh-fallback, mh-fallback */
#define UVS_SVC_F_SCHED2     0x0010 /* sh-port, mh-port */
#define UVS_SVC_F_SCHED3     0x0020
/* Flags a user may set; HASHED is the kernel's own. */
#define UVS_SVC_F_USER_MASK                                                                        \
	(UVS_SVC_F_PERSISTENT | UVS_SVC_F_ONEPACKET | UVS_SVC_F_SCHED1 | UVS_SVC_F_SCHED2 |        \
	 UVS_SVC_F_SCHED3)

#define UVS_SVC_F_SCHED_SH_FALLBACK UVS_SVC_F_SCHED1
#define UVS_SVC_F_SCHED_SH_PORT	    UVS_SVC_F_SCHED2
#define UVS_SVC_F_SCHED_MH_FALLBACK UVS_SVC_F_SCHED1
#define UVS_SVC_F_SCHED_MH_PORT	    UVS_SVC_F_SCHED2

/* Forwarding methods (the low bits of a destination's conn_flags). */
#define UVS_FWD_MASK   0x0007
#define UVS_FWD_MASQ   0x0000
#define UVS_FWD_LOCAL  0x0001
#define UVS_FWD_TUNNEL 0x0002
#define UVS_FWD_DROUTE 0x0003
#define UVS_FWD_BYPASS 0x0004

/* A method's name as ipvsadm's listing and the kernel's /proc/net/ip_vs print it, or
 * NULL for another value (ipvsadm prints "?" then; the kernel's ip_vs_fwd_name(), which
 * the status page follows, "Masq"). */
static inline const char *uvs_fwd_name(unsigned fwd)
{
	switch (fwd & UVS_FWD_MASK) {
	case UVS_FWD_MASQ:
		return "Masq";
	case UVS_FWD_LOCAL:
		return "Local";
	case UVS_FWD_TUNNEL:
		return "Tunnel";
	case UVS_FWD_DROUTE:
		return "Route";
	default:
		return NULL;
	}
}

/* Tunnel types and flags of a TUNNEL destination. */
#define UVS_TUN_TYPE_IPIP 0
#define UVS_TUN_TYPE_GUE  1
#define UVS_TUN_TYPE_GRE  2
#define UVS_TUN_F_NOCSUM  0x0000
#define UVS_TUN_F_CSUM	  0x0001
#define UVS_TUN_F_REMCSUM 0x0002

/* Connection flags that decide how a connection counts on its destination. */
#define UVS_CONN_F_INACTIVE 0x0100 /* counted in InActConn, not ActiveConn */
#define UVS_CONN_F_TEMPLATE 0x1000 /* persistence template: counted in PersistConn */

/* Destination status flags. */
#define UVS_DEST_F_AVAILABLE 0x0001
#define UVS_DEST_F_OVERLOAD  0x0002

/* Defaults and limits. */
#define UVS_SCHED_NAME_MAX	16 /* including the NUL, as IP_VS_SCHEDNAME_MAXLEN */
#define UVS_PE_NAME_MAX		32
#define UVS_PERSIST_TIMEOUT_DEF 360u /* ipvsadm -p without a value, seconds */
#define UVS_PERSIST_TIMEOUT_MAX 2678400u
#define UVS_WEIGHT_MAX		65535
#define UVS_DEFAULT_SCHED	"wlc"
#define UVS_TIMEOUT_MAX		2147483647u /* --set, seconds: docs/decisions.md */

#endif
