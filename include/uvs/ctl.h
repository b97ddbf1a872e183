/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * uvsd's control socket, shared by uvsd and uvsadm.
 *
 * A Unix SOCK_SEQPACKET socket; each datagram holds netlink messages. Requests and
 * replies are the kernel's IPVS generic netlink messages (<linux/ip_vs.h>: commands,
 * attributes, version 1), so a later adapter can let stock ipvsadm and keepalived
 * drive uvsd. There is no generic netlink controller to ask for the family's id: it
 * is fixed here. A request with NLM_F_ACK is answered with an NLMSG_ERROR (0 or
 * -errno, and for errors the reason as NLMSGERR_ATTR_MSG); a dump (NLM_F_DUMP) is
 * answered with one datagram per object and ends with NLMSG_DONE.
 */
#ifndef UVS_CTL_H
#define UVS_CTL_H

#include <linux/ip_vs.h>

#define UVS_CTL_PATH	 "/run/uvsd.sock"
#define UVS_CTL_PATH_ENV "UVSD_SOCKET" /* overrides the path for uvsd and uvsadm */
#define UVS_CTL_FAMILY	 0x4956	       /* "IV": above GENL_MIN_ID, never sent to a kernel */
#define UVS_CTL_MSG_MAX	 8192	       /* largest datagram either side sends */

/* uvs's own commands, numbered after the kernel's. */
enum {
	UVS_CMD_GET_CONN = IPVS_CMD_MAX + 1, /* dump of connections (ipvsadm -L -c) */
	UVS_CMD_GET_COUNTERS,		     /* the engine's named drop/pass counters */
};

/* Attributes of uvs's own replies: a connection, or a counter. */
enum {
	UVS_CMD_ATTR_CONN = 100,    /* nest of UVS_CONN_ATTR_* */
	UVS_CMD_ATTR_COUNTER = 101, /* nest of UVS_COUNTER_ATTR_* */
};

enum {
	UVS_CONN_ATTR_UNSPEC,
	UVS_CONN_ATTR_PROTOCOL, /* u16 */
	UVS_CONN_ATTR_AF,	/* u16, client side */
	UVS_CONN_ATTR_CADDR,	/* 16 bytes */
	UVS_CONN_ATTR_CPORT,	/* be16 */
	UVS_CONN_ATTR_VADDR,
	UVS_CONN_ATTR_VPORT,
	UVS_CONN_ATTR_DAF, /* u16, real server side */
	UVS_CONN_ATTR_DADDR,
	UVS_CONN_ATTR_DPORT,
	UVS_CONN_ATTR_STATE,   /* string, as ipvsadm -c shows it */
	UVS_CONN_ATTR_EXPIRES, /* u32, milliseconds left */
	UVS_CONN_ATTR_FLAGS,   /* u32 */
	__UVS_CONN_ATTR_MAX,
};
#define UVS_CONN_ATTR_MAX (__UVS_CONN_ATTR_MAX - 1)

enum {
	UVS_COUNTER_ATTR_UNSPEC,
	UVS_COUNTER_ATTR_NAME,	/* string */
	UVS_COUNTER_ATTR_VALUE, /* u64 */
	__UVS_COUNTER_ATTR_MAX,
};
#define UVS_COUNTER_ATTR_MAX (__UVS_COUNTER_ATTR_MAX - 1)

#endif
