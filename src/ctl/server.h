/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The control socket's server side: requests in (include/uvs/ctl.h), model changes
 * and replies out. uvsd calls it from its one control thread, which is registered
 * with RCU; every request is one model call, so none is ever half applied.
 */
#ifndef UVS_CTL_SERVER_H
#define UVS_CTL_SERVER_H

#include <stddef.h>
#include <sys/types.h>

#include "core/model.h"
#include "core/proto_tcp.h"

struct nlmsghdr;

/* What the server works on, and the parts only the daemon knows. */
struct uvs_ctl {
	struct uvs_model *model;
	struct uvs_timeouts *timeouts; /* the engine's */
	unsigned conn_tab_size;	       /* reported by GET_INFO */
	gid_t group; /* besides root, members of this group may connect; 0: root only */
};

/* Sends one reply message; returns 0 or a negative errno. */
typedef int (*uvs_ctl_send_fn)(void *arg, const struct nlmsghdr *nlh);

/*
 * Runs every netlink message in the datagram buf (len bytes, untrusted) and sends
 * the replies through send: data and NLMSG_DONE for gets and dumps, and an
 * NLMSG_ERROR for each failed request (with the reason as NLMSGERR_ATTR_MSG) or,
 * with NLM_F_ACK, for each one that succeeded. A malformed datagram is answered with
 * one error. Returns 0, or the first error send returned.
 */
int uvs_ctl_handle(struct uvs_ctl *ctl, const void *buf, size_t len, uvs_ctl_send_fn send,
		   void *arg);

/* Listens on the Unix socket at path (replacing a stale one), mode 0660, owned by
 * root and group (if not 0). Returns the listening fd or a negative errno. */
int uvs_ctl_listen(const char *path, gid_t group);
/* Accepts one client on the listening fd lfd if its peer is root or in ctl->group.
 * Returns the client's fd, -EPERM (after telling the client why and closing it), or
 * another negative errno. */
int uvs_ctl_accept(struct uvs_ctl *ctl, int lfd);
/* Reads one datagram from the client fd and answers it. Returns 0, -ECONNRESET when
 * the client has gone (close the fd), or another negative errno. */
int uvs_ctl_serve(struct uvs_ctl *ctl, int fd);

#endif
