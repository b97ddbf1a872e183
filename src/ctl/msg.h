/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The IPVS generic netlink messages of the control socket (include/uvs/ctl.h): what a
 * request says, decoded and checked, and the attribute nests both sides write.
 */
#ifndef UVS_CTL_MSG_H
#define UVS_CTL_MSG_H

#include <libmnl/libmnl.h>
#include <stdbool.h>

#include "adm/snap.h"
#include "core/model.h"
#include "core/proto_tcp.h"

/* A request, decoded. Which parts are set depends on the command. */
struct uvs_ctl_req {
	uint8_t cmd;
	bool dump;
	bool has_svc;  /* svc.key is set; the rest too if svc_full */
	bool svc_full; /* every attribute -A/-E need was present */
	struct uvs_svc_conf svc;
	uint32_t svc_flags_mask; /* which bits of svc.flags the request sets */
	bool has_dest;		 /* dest.af/addr/port set; the rest too if dest_full */
	bool dest_full;
	struct uvs_dest_conf dest;
	bool has_timeouts;
	uint32_t tcp, tcpfin, udp; /* 0: unchanged */
};

/*
 * Decodes the request in nlh (whose length the caller has checked against the
 * datagram with mnl_nlmsg_ok). Every attribute is checked for its type and length;
 * unknown attributes are refused. Returns 0, or -EINVAL / -EOPNOTSUPP with *err set.
 */
int uvs_ctl_req_decode(const struct nlmsghdr *nlh, struct uvs_ctl_req *req, struct uvs_error *err);

/* Starts a message of the uvs family in buf (UVS_CTL_MSG_MAX bytes): type, flags, seq
 * and generic netlink command. Returns the header to add attributes to. */
struct nlmsghdr *uvs_ctl_msg_start(void *buf, uint16_t flags, uint32_t seq, uint8_t cmd);

/* Writes the SERVICE nest of c: the key, and with `full` everything -A/-E set. */
void uvs_ctl_put_svc(struct nlmsghdr *nlh, const struct uvs_svc_conf *c, bool full);
/* Writes the DEST nest of d; with full, everything -a/-e set. */
void uvs_ctl_put_dest(struct nlmsghdr *nlh, const struct uvs_dest_conf *d, bool full);
/* Writes a service as a dump lists it: its conf, counters and rates. */
void uvs_ctl_put_svc_info(struct nlmsghdr *nlh, const struct uvs_adm_svc_info *s);
/* Writes a destination as a dump lists it: conf, connection counts, counters, rates. */
void uvs_ctl_put_dest_info(struct nlmsghdr *nlh, const struct uvs_adm_dest_info *d);

/* Reads a SERVICE nest as a dump reply carries it. Returns 0 or -EINVAL. */
int uvs_ctl_get_svc_info(const struct nlattr *nest, struct uvs_adm_svc_info *s);
/* Reads a DEST nest as a dump reply carries it; af is the service's family, the
 * default when the nest has no ADDR_FAMILY. Returns 0 or -EINVAL. */
int uvs_ctl_get_dest_info(const struct nlattr *nest, int af, struct uvs_adm_dest_info *d);

#endif
