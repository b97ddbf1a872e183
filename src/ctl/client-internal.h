/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What client.c (one request at a time) and client_pipe.c (queued requests) share. */
#ifndef UVS_CTL_CLIENT_INTERNAL_H
#define UVS_CTL_CLIENT_INTERNAL_H

#include "ctl/client.h"

struct ctl_pipe;

struct uvs_ctl_client {
	int fd;
	char *path;	    /* to connect again (ctl_client_revive) */
	unsigned timeout_s; /* of uvs_ctl_client_open */
	uint32_t seq;	    /* of the last request started (queued ones included) */
	struct uvs_ctl_msg req;
	struct ctl_pipe *pipe; /* queued requests; NULL until the first */
	union {
		char buf[UVS_CTL_REQ_MAX];
		uint64_t align_;
	} reqbuf;
	union {
		char buf[UVS_CTL_DGRAM_MAX + 1];
		uint64_t align_;
	} in;
};

/* Before a request with nothing outstanding: connects again if the server has closed
 * the connection meanwhile (an idle client is closed). */
void ctl_client_revive(struct uvs_ctl_client *c);

/* Fills err with "uvsd did not answer within N s" and returns -ETIMEDOUT. */
int ctl_client_timed_out(const struct uvs_ctl_client *c, struct uvs_error *err);

/* The reason an NLMSG_ERROR carries as NLMSGERR_ATTR_MSG, if any, into err ("" if
 * none; err may be NULL). nlh's payload holds at least *e. */
void ctl_error_text(const struct nlmsghdr *nlh, const struct nlmsgerr *e, struct uvs_error *err);

/*
 * Writes the request of configuration command cmd (seq, NLM_F_ACK) into buf (room
 * bytes) with w. Returns 0, or -EINVAL / -EMSGSIZE with *err set.
 */
int ctl_put_exec(struct uvs_ctl_msg *w, void *buf, size_t room, uint32_t seq,
		 const struct uvs_ctl_req *cmd, struct uvs_error *err);

/* Frees the queue p (accepts NULL); what was not answered is forgotten. */
void ctl_pipe_free(struct ctl_pipe *p);

#endif
