/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The netlink messages the preload library looks at or writes itself: the request
 * that turns a generic netlink socket into a connection to uvsd, the errors it answers
 * for uvsd when uvsd cannot, and uvsd's word about the connection itself. Pure
 * functions over untrusted bytes.
 */
#ifndef UVS_PRELOAD_NLMSG_H
#define UVS_PRELOAD_NLMSG_H

#include <linux/netlink.h>
#include <stdbool.h>
#include <stddef.h>

/* Whether the first message of the datagram buf..buf+len asks the generic netlink
 * controller for the family named "IPVS" (CTRL_CMD_GETFAMILY, do, by name). */
bool uvs_nlmsg_asks_ipvs(const void *buf, size_t len);

/*
 * Writes into buf (room bytes, 4-byte aligned) the NLMSG_ERROR that answers the request
 * whose header is req: error -errnum, req echoed (NLM_F_CAPPED) and, if ext_ack and text
 * is not empty, text as NLMSGERR_ATTR_MSG. Returns its length, or 0 if it does not fit.
 */
size_t uvs_nlmsg_put_error(void *buf, size_t room, const struct nlmsghdr *req, int errnum,
			   const char *text, bool ext_ack);

/*
 * Whether the datagram buf..buf+len is uvsd's word about the connection, not an answer
 * to a request: an NLMSG_ERROR of seq 0 that echoes no request (a client refused, or
 * closed when idle; uvs/ctl.h). If so, *errnum gets its (positive) errno and text its
 * message ("" if none; text has len bytes).
 */
bool uvs_nlmsg_notice(const void *buf, size_t len, int *errnum, char *text, size_t textlen);

#endif
