/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What server.c (sockets, peers) and handle.c (requests, dumps) share. */
#ifndef UVS_CTL_SERVER_INTERNAL_H
#define UVS_CTL_SERVER_INTERNAL_H

#include "base/atomic.h"
#include "ctl/server.h"

#define CTL_CONN_BATCH 64 /* connections asked of ops->conns at a time */

/* What the audit may still report one by one (UVS_CTL_AUDIT_BURST, UVS_CTL_AUDIT_RATE)
 * and what it held back since it last said so. */
struct ctl_audit_budget {
	unsigned tokens;
	uint64_t refill_ms; /* CLOCK_MONOTONIC the tokens were last counted up to */
	unsigned long skipped_ok, skipped_refused;
};

/* A do-reply whose ack goes out in the next datagram (dump_cmd; above every command):
 * libnl's controller lookup reads the reply and its ack with two receives. */
#define CTL_DUMP_ACK 0xff
_Static_assert(CTL_DUMP_ACK > UVS_CMD_MAX, "CTL_DUMP_ACK is no command");

/* One connected client, or a feed session (fd -1, replies to sink). */
struct ctl_client {
	struct ctl_client *next;
	int fd;
	struct uvs_ctl_peer peer;
	struct ctl_audit_budget audit;
	uvs_ctl_sink_fn sink;
	void *sink_arg;
	bool closing; /* disconnect once the output is sent */
	bool polling_out;
	uint64_t active_ms; /* CLOCK_MONOTONIC of the last request read or reply sent */

	/* A datagram being filled or waiting to be sent (out_len > 0), UVS_CTL_DGRAM_MAX
	 * bytes: the answers to one or more requests, in order. */
	char *out;
	size_t out_len;

	/* A dump in progress (dump_cmd != 0): the reply command, the request's seq, and
	 * what is left to send from position pos. */
	uint8_t dump_cmd;
	uint32_t dump_seq;
	bool dump_done;		/* NLMSG_DONE written */
	struct nlmsghdr ack_of; /* the request a CTL_DUMP_ACK acknowledges */
	size_t pos;
	struct uvs_snap snap; /* services, or one service's destinations */
	struct uvs_ctl_daemon daemons[2];
	size_t ndaemons;
	struct uvs_ctl_counter *counters;
	size_t ncounters;
	struct uvs_ctl_conn *conns; /* CTL_CONN_BATCH entries */
	size_t nconns;
	uint64_t cursor;
	bool conns_end;
};

struct uvs_ctl_server {
	struct uvs_ctl_config cfg;
	char *path;
	int lfd, epfd;
	int tfd; /* timerfd to look for idle clients, armed while there are clients; or -1 */
	struct ctl_client *clients;
	unsigned nclients;
	struct ctl_audit_budget refused_audit; /* for refused connections */
	struct uvs_timeouts timeouts;	       /* used when the ops have no timeouts */
	struct uvs_ctl_daemon daemons[2];      /* master, backup */
	bool daemon_running[2];
	struct uvs_ctl_stats stats; /* relaxed stores here, relaxed loads anywhere */
	/* One request, with a byte more to notice a longer one; aligned for nlmsghdr. */
	union {
		char buf[UVS_CTL_REQ_MAX + 1];
		uint64_t align_;
	} req;
};

/* How uvsd serves each command of its family (ctl_cmd_modes). */
#define UVS_CTL_CMD_DO	 1u
#define UVS_CTL_CMD_DUMP 2u

/* UVS_CTL_CMD_DO and/or _DUMP for a command of the IPVS family; 0 if not served. */
unsigned ctl_cmd_modes(unsigned cmd);

/*
 * Appends an NLMSG_ERROR to c->out: errnum (0 for an ack), the request's header (or
 * as much of it as there is: req_len bytes) and msg as an extended ack. c->out has
 * room for it (REPLY_ROOM).
 */
void ctl_put_error(struct ctl_client *c, const void *req, size_t req_len, int errnum,
		   const char *msg);

/*
 * Answers a request to the generic netlink controller (type GENL_ID_CTRL) whose
 * envelope is checked: GETFAMILY for "IPVS" (or uvsd's family id), as a do (the reply,
 * then its ack in a datagram of its own) or a dump. Appends to c->out, which has
 * REPLY_ROOM free; c has no dump in progress.
 */
void ctl_handle_ctrl(struct ctl_client *c, const struct nlmsghdr *req);

/* Answers the request buf..buf+len (untrusted): the reply, ack or error is appended
 * to c->out, which has room for it (REPLY_ROOM in server.c); a dump is set up for
 * ctl_fill_dump. c has no dump in progress. */
void ctl_handle_request(struct uvs_ctl_server *s, struct ctl_client *c, const void *buf,
			size_t len);
/* Fills c->out (after what it holds) with the dump's next objects; ends the dump after
 * its NLMSG_DONE. */
void ctl_fill_dump(struct uvs_ctl_server *s, struct ctl_client *c);
/* Gives a to ops->audit if the budget b allows (after what b held back, if anything),
 * else counts it in b. Does nothing without ops->audit. */
void ctl_audit(struct uvs_ctl_server *s, struct ctl_audit_budget *b, const struct uvs_ctl_audit *a);
/* Adds one to a count of s->stats (control thread; read from any thread). */
static inline void ctl_count(uint64_t *counter)
{
	uvs_store_relaxed(counter, uvs_load_relaxed(counter) + 1);
}

/* Frees what a dump holds and ends it. */
void ctl_dump_free(struct ctl_client *c);

#endif
