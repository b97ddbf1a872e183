/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Writing and reading the control socket's messages (include/uvs/ctl.h) with libmnl:
 * a bounded message writer, a strict attribute parser, and the SERVICE, DEST, DAEMON,
 * STATS, CONN, COUNTER (codec.c) and SYSCTL (codec_sysctl.c) nests both sides use.
 *
 * Reading never trusts its input: every attribute is checked for its type, length,
 * duplicates and trailing bytes before its value is used.
 */
#ifndef UVS_CTL_CODEC_H
#define UVS_CTL_CODEC_H

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <stdbool.h>

#include "core/snap.h"
#include "uvs/ctl.h"

/* A sync daemon as NEW_DAEMON and GET_DAEMON carry it. */
struct uvs_ctl_daemon {
	uint32_t state; /* IP_VS_STATE_MASTER or IP_VS_STATE_BACKUP */
	char mcast_ifn[UVS_CTL_IFNAME_MAX];
	uint32_t syncid;
	uint16_t sync_maxlen; /* 0: not given */
	uint16_t mcast_af;    /* 0: no group given */
	union uvs_addr mcast_group;
	uint16_t mcast_port; /* host order; 0: not given */
	uint8_t mcast_ttl;   /* 0: not given */
};

/* One connection entry as `ipvsadm -L -c` lists it. Addresses and ports network order. */
struct uvs_ctl_conn {
	uint16_t protocol;
	uint16_t af;
	uint16_t daf;
	union uvs_addr caddr, vaddr, daddr;
	uint16_t cport, vport, dport;
	char state[UVS_CTL_STATE_MAX];
	uint32_t expires_ms;
	uint32_t flags;
};

/* A named counter of the engine. */
struct uvs_ctl_counter {
	char name[UVS_CTL_COUNTER_MAX];
	uint64_t value;
};

/* An IPVS sysctl: its name and, where one goes, its value's text. */
struct uvs_ctl_sysctl {
	char name[UVS_CTL_SYSCTL_MAX];
	char value[UVS_CTL_SYSCTL_MAX]; /* "" when absent */
};

/*
 * A message being written into a buffer of `room` bytes. Writes that do not fit set
 * `full` and write nothing; the caller checks it once at the end.
 */
struct uvs_ctl_msg {
	struct nlmsghdr *nlh;
	size_t room;
	bool full;
};

/* Starts a message at buf: netlink header (type UVS_CTL_FAMILY) and generic netlink
 * header. room must hold at least the two headers. */
void uvs_ctl_msg_start(struct uvs_ctl_msg *w, void *buf, size_t room, uint16_t flags, uint32_t seq,
		       uint8_t cmd);
void uvs_ctl_put_u8(struct uvs_ctl_msg *w, uint16_t type, uint8_t v);
void uvs_ctl_put_u16(struct uvs_ctl_msg *w, uint16_t type, uint16_t v);
void uvs_ctl_put_u32(struct uvs_ctl_msg *w, uint16_t type, uint32_t v);
void uvs_ctl_put_u64(struct uvs_ctl_msg *w, uint16_t type, uint64_t v);
void uvs_ctl_put_str(struct uvs_ctl_msg *w, uint16_t type, const char *s);
void uvs_ctl_put_bin(struct uvs_ctl_msg *w, uint16_t type, const void *p, size_t len);
/* Returns the nest to close, or NULL (and sets full) if it did not fit. */
struct nlattr *uvs_ctl_nest_start(struct uvs_ctl_msg *w, uint16_t type);
/* Closes nest; accepts NULL. */
void uvs_ctl_nest_end(struct uvs_ctl_msg *w, struct nlattr *nest);

/* The nests. *_key: the service's identity only; _conf: what -A/-E give (flags with mask
 * ~0); _info: what a dump reports (conf, counters, rates). */
void uvs_ctl_put_svc_key(struct uvs_ctl_msg *w, const struct uvs_svc_key *k);
void uvs_ctl_put_svc_conf(struct uvs_ctl_msg *w, const struct uvs_svc_conf *c);
void uvs_ctl_put_svc_info(struct uvs_ctl_msg *w, const struct uvs_snap_svc *s);
/* full: with forwarding, weight, thresholds and tunnel (-a/-e); else address only. */
void uvs_ctl_put_dest(struct uvs_ctl_msg *w, const struct uvs_dest_conf *d, bool full);
void uvs_ctl_put_dest_info(struct uvs_ctl_msg *w, const struct uvs_snap_dest *d);
void uvs_ctl_put_daemon(struct uvs_ctl_msg *w, const struct uvs_ctl_daemon *d);
void uvs_ctl_put_conn(struct uvs_ctl_msg *w, const struct uvs_ctl_conn *c);
void uvs_ctl_put_counter(struct uvs_ctl_msg *w, const struct uvs_ctl_counter *c);
/* A SYSCTL nest of NAME and, if value is not NULL, VALUE. */
void uvs_ctl_put_sysctl(struct uvs_ctl_msg *w, const char *name, const char *value);

/* What an attribute must look like. */
enum uvs_ctl_kind {
	UVS_CTL_NONE, /* unknown: refused */
	UVS_CTL_U8,
	UVS_CTL_U16,
	UVS_CTL_U32,
	UVS_CTL_U64,
	UVS_CTL_ADDR,  /* 4 or 16 bytes */
	UVS_CTL_FLAGS, /* struct ip_vs_flags, 8 bytes */
	UVS_CTL_STR,   /* NUL-terminated, at most len bytes with the NUL */
	UVS_CTL_NEST,
};

struct uvs_ctl_policy {
	uint8_t kind;
	uint16_t len;
	const char *name; /* for messages */
};

/*
 * Checks the attributes in payload..payload+len against pol (entries 0..max) and files
 * them in tb[0..max] (which it clears). Refuses unknown types, wrong lengths, strings
 * without a NUL or too long, duplicates and trailing bytes. Returns 0, or -EINVAL with
 * a message naming `what` in *err (may be NULL).
 */
int uvs_ctl_parse(const void *payload, size_t len, const struct uvs_ctl_policy *pol, unsigned max,
		  const struct nlattr **tb, const char *what, struct uvs_error *err);

/* Top-level attributes of every command. */
#define UVS_CTL_TOP_MAX UVS_CMD_ATTR_SYSCTL
extern const struct uvs_ctl_policy uvs_ctl_top_policy[UVS_CTL_TOP_MAX + 1];

/*
 * The generic netlink payload of nlh: its command, and its attributes parsed with the
 * top-level policy into tb. nlh's length has been checked by the caller. Returns 0 or
 * -EINVAL with *err set.
 */
int uvs_ctl_parse_msg(const struct nlmsghdr *nlh, uint8_t *cmd, const struct nlattr **tb,
		      struct uvs_error *err);

/* The service's identity in a SERVICE nest: AF and FWMARK, or AF, PROTOCOL, ADDR and
 * PORT. Other known attributes are allowed and ignored. Returns 0, -EAFNOSUPPORT for a
 * family other than IPv4 and IPv6, or -EINVAL. */
int uvs_ctl_get_svc_key(const struct nlattr *nest, struct uvs_svc_key *k, struct uvs_error *err);
/*
 * A SERVICE nest as -A/-E send it: the key, SCHED_NAME, FLAGS, TIMEOUT and NETMASK
 * (PE_NAME optional). flags gets the FLAGS' flags, *mask their mask. Returns 0 or
 * -EINVAL.
 */
int uvs_ctl_get_svc_conf(const struct nlattr *nest, struct uvs_svc_conf *c, uint32_t *mask,
			 struct uvs_error *err);
/* A SERVICE nest as a dump reports it (conf, counters and rates). */
int uvs_ctl_get_svc_info(const struct nlattr *nest, struct uvs_snap_svc *s, struct uvs_error *err);
/*
 * A DEST nest: ADDR and PORT, ADDR_FAMILY (default: af, the service's); with full also
 * FWD_METHOD, WEIGHT, U_THRESH and L_THRESH (TUN_* optional). Returns 0 or -EINVAL.
 */
int uvs_ctl_get_dest(const struct nlattr *nest, int af, bool full, struct uvs_dest_conf *d,
		     struct uvs_error *err);
/* A DEST nest as a dump reports it. */
int uvs_ctl_get_dest_info(const struct nlattr *nest, int af, struct uvs_snap_dest *d,
			  struct uvs_error *err);
/* A DAEMON nest: STATE; with full also MCAST_IFN and SYNC_ID (the rest optional). */
int uvs_ctl_get_daemon(const struct nlattr *nest, bool full, struct uvs_ctl_daemon *d,
		       struct uvs_error *err);
int uvs_ctl_get_conn(const struct nlattr *nest, struct uvs_ctl_conn *c, struct uvs_error *err);
int uvs_ctl_get_counter(const struct nlattr *nest, struct uvs_ctl_counter *c,
			struct uvs_error *err);
/* A SYSCTL nest: NAME, and VALUE if with_value (refused if absent), else no VALUE. */
int uvs_ctl_get_sysctl(const struct nlattr *nest, bool with_value, struct uvs_ctl_sysctl *c,
		       struct uvs_error *err);

/* The name /proc/net/ip_vs_conn gives a connection's state: the TCP state's, "UDP" for
 * UDP, "NONE" for a fwmark template. For the daemon's connection listing. */
const char *uvs_ctl_state_name(int protocol, int tcp_state);

#endif
