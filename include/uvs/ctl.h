/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * uvsd's control socket: what uvsd and uvsadm (or any client) agree on.
 *
 * Transport: a Unix SOCK_SEQPACKET socket, UVS_CTL_PATH unless UVS_CTL_PATH_ENV names
 * another. Messages are the kernel's IPVS generic netlink messages (<linux/ip_vs.h>:
 * nlmsghdr, genlmsghdr with version 1, the IPVS commands and nested attributes), so
 * that a client written against the kernel's ABI needs only a different socket.
 *
 * Framing:
 * - A request datagram holds exactly one netlink message of type UVS_CTL_FAMILY with
 *   NLM_F_REQUEST, at most UVS_CTL_REQ_MAX bytes. The family id is the fixed
 *   UVS_CTL_FAMILY; as with the kernel, a client may also ask the generic netlink
 *   controller (type GENL_ID_CTRL, CTRL_CMD_GETFAMILY, do or dump) for "IPVS", which
 *   answers with that id, the version, the commands and their capabilities; any other
 *   family is ENOENT. Its reply and its ack come in two datagrams.
 * - A reply datagram holds one or more whole netlink messages, at most
 *   UVS_CTL_DGRAM_MAX bytes. A "do" request is answered with its reply message (if the
 *   command has one) followed, if NLM_F_ACK was set, by an NLMSG_ERROR of 0. A dump
 *   (NLM_F_DUMP) is answered with NLM_F_MULTI messages, one object each, over as many
 *   datagrams as needed, ending with NLMSG_DONE. A refused request is answered with an
 *   NLMSG_ERROR carrying -errno, the request header (NLM_F_CAPPED) and the reason as
 *   NLMSGERR_ATTR_MSG (NLM_F_ACK_TLVS).
 * - A client's requests are answered in order, each as if it came alone. A client may
 *   send several requests before reading the answers (pipelining); the answers to
 *   several "do" requests may then share a reply datagram. A client that waits for
 *   each answer gets it alone, at once.
 *
 * Peers (SO_PEERCRED, SO_PEERGROUPS): root, or a member of the group uvsd was given.
 * Anyone else is sent one NLMSG_ERROR (-EPERM, seq 0, with the reason) and is
 * disconnected at once, before any request is read.
 */
#ifndef UVS_CTL_H
#define UVS_CTL_H

#include <linux/ip_vs.h>

#define UVS_CTL_PATH	 "/run/uvsd.sock"
#define UVS_CTL_PATH_ENV "UVSD_SOCKET" /* overrides UVS_CTL_PATH for uvsd and uvsadm */

/* "Uv": any id at or above GENL_MIN_ID; never sent to a kernel. */
#define UVS_CTL_FAMILY	    0x5576
#define UVS_CTL_VERSION	    1 /* genlmsghdr.version, as the kernel's IPVS_GENL_VERSION */
#define UVS_CTL_REQ_MAX	    4096
#define UVS_CTL_DGRAM_MAX   32768
#define UVS_CTL_IFNAME_MAX  16 /* mcast interface name with its NUL (IP_VS_IFNAME_MAXLEN) */
#define UVS_CTL_PE_NAME_MAX 17 /* PE_NAME with its NUL: the kernel takes 16 characters */
#define UVS_CTL_STATE_MAX   16 /* connection state name with its NUL */
#define UVS_CTL_COUNTER_MAX 64 /* counter name with its NUL */
#define UVS_CTL_SYSCTL_MAX  64 /* sysctl name, or value text, with its NUL */

_Static_assert(IPVS_CMD_FLUSH == 17, "uvs's commands follow the kernel's last one");

/*
 * uvs's own commands, after the kernel's; replies carry the same command number.
 * GET_CONN and GET_COUNTERS are dumps only.
 *
 * The IPVS sysctls (net.ipv4.vs.*, as /proc/sys/net/ipv4/vs/ has them): a SYSCTL nest
 * with NAME (with or without "net.ipv4.vs.") and, where a value goes, VALUE as the
 * text /proc shows and takes ("1", "3\t50"). GET_SYSCTL as a dump lists every one
 * uvs has (by name; the names uvs refuses are not listed), one SYSCTL nest of NAME
 * (without the prefix) and VALUE each; as a do it takes a SYSCTL nest of NAME and
 * answers with one of NAME and VALUE. SET_SYSCTL (do) takes NAME and VALUE and sets
 * it as a write to /proc would, answering with an ack. A name that is not the
 * kernel's, or that uvs refuses, is -ENOENT; a value the kernel would refuse, or that
 * asks for what uvs does not do, is -EINVAL; each with the reason as the message.
 */
enum {
	UVS_CMD_GET_CONN = 18,	   /* connections and templates: UVS_CMD_ATTR_CONN */
	UVS_CMD_GET_COUNTERS = 19, /* the engine's named counters: UVS_CMD_ATTR_COUNTER */
	UVS_CMD_GET_SYSCTL = 20,   /* do (one) or dump (all): UVS_CMD_ATTR_SYSCTL */
	UVS_CMD_SET_SYSCTL = 21,   /* do: UVS_CMD_ATTR_SYSCTL with NAME and VALUE */
	UVS_CMD_MAX = UVS_CMD_SET_SYSCTL,
};

/* Top-level attributes of uvs's commands, after the kernel's IPVS_CMD_ATTR_*. */
enum {
	UVS_CMD_ATTR_CONN = 7,	  /* nest of UVS_CONN_ATTR_* */
	UVS_CMD_ATTR_COUNTER = 8, /* nest of UVS_COUNTER_ATTR_* */
	UVS_CMD_ATTR_SYSCTL = 9,  /* nest of UVS_SYSCTL_ATTR_* */
};

enum {
	UVS_CONN_ATTR_UNSPEC,
	UVS_CONN_ATTR_PROTOCOL, /* u16: IPPROTO_TCP, _UDP, _SCTP, or _IP (fwmark template) */
	UVS_CONN_ATTR_AF,	/* u16, client side */
	UVS_CONN_ATTR_CADDR,	/* 16 bytes */
	UVS_CONN_ATTR_CPORT,	/* u16, network order */
	UVS_CONN_ATTR_VADDR,	/* 16 bytes */
	UVS_CONN_ATTR_VPORT,	/* u16, network order */
	UVS_CONN_ATTR_DAF,	/* u16, real server side */
	UVS_CONN_ATTR_DADDR,	/* 16 bytes */
	UVS_CONN_ATTR_DPORT,	/* u16, network order */
	UVS_CONN_ATTR_STATE,	/* string, the name ipvsadm -c shows */
	UVS_CONN_ATTR_EXPIRES,	/* u32, milliseconds left */
	UVS_CONN_ATTR_FLAGS,	/* u32, IP_VS_CONN_F_* */
	UVS_CONN_ATTR_MAX = UVS_CONN_ATTR_FLAGS,
};

enum {
	UVS_COUNTER_ATTR_UNSPEC,
	UVS_COUNTER_ATTR_NAME,	/* string */
	UVS_COUNTER_ATTR_VALUE, /* u64 */
	UVS_COUNTER_ATTR_MAX = UVS_COUNTER_ATTR_VALUE,
};

enum {
	UVS_SYSCTL_ATTR_UNSPEC,
	UVS_SYSCTL_ATTR_NAME,  /* string, at most UVS_CTL_SYSCTL_MAX bytes with its NUL */
	UVS_SYSCTL_ATTR_VALUE, /* string, the same */
	UVS_SYSCTL_ATTR_MAX = UVS_SYSCTL_ATTR_VALUE,
};

#endif
