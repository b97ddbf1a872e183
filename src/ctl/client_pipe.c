// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Queued configuration commands: requests sent many at a time (sendmmsg) without
 * waiting for the answers to those before them, and the answers, which uvsd packs
 * many to a datagram, matched to them in order. A window bounds what is outstanding;
 * the socket never blocks the client while answers wait to be read, so client and
 * server cannot wait on each other.
 */
#include "client-internal.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define PIPE_WINDOW 1024  /* commands queued and not answered, at most */
#define PIPE_BATCH  64	  /* requests sent per system call, at most */
#define PIPE_BYTES  32768 /* their bytes, at most */
_Static_assert(PIPE_BYTES >= 2 * UVS_CTL_REQ_MAX, "a batch holds more than one request");

struct pipe_entry {
	uint32_t seq;
	uvs_ctl_done_fn done;
	void *arg;
	uint64_t tag;
};

struct ctl_pipe {
	/* Oldest first from head, in a ring: nsent sent, then nunsent not sent yet. */
	struct pipe_entry ring[PIPE_WINDOW];
	unsigned head, nsent, nunsent;
	/* The unsent requests, one after another (each NLMSG_ALIGNed): used bytes. */
	size_t used;
	union {
		char buf[PIPE_BYTES];
		uint64_t align_;
	} out;
};

void ctl_pipe_free(struct ctl_pipe *p)
{
	free(p);
}

size_t uvs_ctl_queued(const struct uvs_ctl_client *c)
{
	return c->pipe ? c->pipe->nsent + c->pipe->nunsent : 0;
}

static struct pipe_entry *entry(struct ctl_pipe *p, unsigned i)
{
	return &p->ring[(p->head + i) % PIPE_WINDOW];
}

/* Answers the oldest entry (sent or not) with ret and err's message. */
static void answer_oldest(struct ctl_pipe *p, int ret, const struct uvs_error *err)
{
	struct pipe_entry e = *entry(p, 0);

	p->head = (p->head + 1) % PIPE_WINDOW;
	if (p->nsent)
		p->nsent--;
	else
		p->nunsent--;
	e.done(e.arg, e.tag, ret, err);
}

/* The connection failed: every entry is answered with ret and why, in order, and the
 * queue is empty. Returns ret. */
static int fail_all(struct ctl_pipe *p, int ret, const struct uvs_error *why)
{
	p->used = 0;
	while (p->nsent + p->nunsent)
		answer_oldest(p, ret, why);
	return ret;
}

/*
 * Sends the unsent requests the socket takes now. Returns how many were sent (0: the
 * socket is full), or a negative errno.
 */
static int send_some(struct uvs_ctl_client *c, struct ctl_pipe *p)
{
	struct mmsghdr msgs[PIPE_BATCH];
	struct iovec iov[PIPE_BATCH];
	size_t off = 0;
	int n;

	memset(msgs, 0, sizeof(msgs));
	for (unsigned i = 0; i < p->nunsent; i++) {
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)(p->out.buf + off);
		iov[i] = (struct iovec){ p->out.buf + off, nlh->nlmsg_len };
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
		off += NLMSG_ALIGN(nlh->nlmsg_len);
	}
	n = sendmmsg(c->fd, msgs, p->nunsent, MSG_DONTWAIT | MSG_NOSIGNAL);
	if (n < 0)
		return errno == EAGAIN ? 0 : -errno;
	off = 0;
	for (int i = 0; i < n; i++)
		off += NLMSG_ALIGN(iov[i].iov_len);
	memmove(p->out.buf, p->out.buf + off, p->used - off);
	p->used -= off;
	p->nunsent -= (unsigned)n;
	p->nsent += (unsigned)n;
	return n;
}

/*
 * One answer datagram of len bytes in c->in: NLMSG_ERRORs (0 for an ack) for the
 * oldest sent entries, in order. Returns 0, or -EPROTO or the server's error about
 * the connection (seq 0) with the reason in why.
 */
static int take_answers(struct uvs_ctl_client *c, struct ctl_pipe *p, int len,
			struct uvs_error *why)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)c->in.buf;

	for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
		const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
		struct uvs_error text;

		if (nlh->nlmsg_type == NLMSG_NOOP)
			continue;
		if (nlh->nlmsg_type != NLMSG_ERROR)
			return uvs_errorf(why, EPROTO, "unexpected reply message type %u",
					  nlh->nlmsg_type);
		if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*e) || e->error > 0 ||
		    (nlh->nlmsg_seq == 0 && e->error == 0))
			return uvs_errorf(why, EPROTO, "malformed error reply");
		/* seq 0: about the connection itself (a refused peer, an idle client
		 * closed), which ends: every command outstanding gets its reason. */
		if (nlh->nlmsg_seq == 0) {
			ctl_error_text(nlh, e, why);
			if (!why->msg[0])
				snprintf(why->msg, sizeof(why->msg), "uvsd closed the connection");
			return e->error;
		}
		if (!p->nsent)
			return uvs_errorf(why, EPROTO, "reply for request %u, none sent",
					  nlh->nlmsg_seq);
		if (nlh->nlmsg_seq != entry(p, 0)->seq)
			return uvs_errorf(why, EPROTO, "reply for request %u, not %u",
					  nlh->nlmsg_seq, entry(p, 0)->seq);
		text.msg[0] = 0;
		if (e->error)
			ctl_error_text(nlh, e, &text);
		answer_oldest(p, e->error, &text);
	}
	if (len > 0)
		return uvs_errorf(why, EPROTO, "malformed reply datagram");
	return 0;
}

/*
 * Reads every answer datagram already there. Returns how many (0: none yet), or a
 * negative errno for a closed connection or a broken answer (why says which).
 */
static int read_some(struct uvs_ctl_client *c, struct ctl_pipe *p, struct uvs_error *why)
{
	bool reset = false;
	int got = 0;

	for (;;) {
		ssize_t n = recv(c->fd, c->in.buf, sizeof(c->in.buf), MSG_TRUNC | MSG_DONTWAIT);
		int ret;

		if (n < 0 && errno == EAGAIN && !reset)
			return got;
		/* A reset is reported before what was queued: look once more. */
		if (n < 0 && errno == ECONNRESET && !reset) {
			reset = true;
			continue;
		}
		if (n < 0 && reset)
			return uvs_errorf(why, ECONNRESET, "uvsd closed the connection");
		if (n < 0)
			return uvs_errorf(why, errno, "cannot read from uvsd: %s", strerror(errno));
		if (n == 0)
			return uvs_errorf(why, ECONNRESET, "uvsd closed the connection");
		if ((size_t)n > UVS_CTL_DGRAM_MAX)
			return uvs_errorf(why, EPROTO, "reply datagram too long");
		if ((ret = take_answers(c, p, (int)n, why)))
			return ret;
		got++;
	}
}

/*
 * Moves the queue on: sends what the socket takes, reads the answers that are there,
 * and with wait, sleeps until one of those can happen if neither did. Returns 0, or
 * the connection's error after fail_all.
 */
static int step(struct uvs_ctl_client *c, struct ctl_pipe *p, bool wait)
{
	struct uvs_error why;
	int sent = 0, got;

	if (p->nunsent && (sent = send_some(c, p)) < 0) {
		/* A server that hung up may have answered some first, or said why. */
		int ret = read_some(c, p, &why);
		if (ret >= 0) {
			ret = sent;
			snprintf(why.msg, sizeof(why.msg), "cannot talk to uvsd: %s",
				 strerror(-sent));
		}
		return fail_all(p, ret, &why);
	}
	if ((got = read_some(c, p, &why)) < 0)
		return fail_all(p, got, &why);
	if (!wait || sent || got || !(p->nsent + p->nunsent))
		return 0;
	/* The timeout is on the server's silence: any answer read, or request taken,
	 * starts it again. */
	struct pollfd pfd = { c->fd, (short)(POLLIN | (p->nunsent ? POLLOUT : 0)), 0 };
	int n = poll(&pfd, 1, c->timeout_s ? (int)c->timeout_s * 1000 : -1);
	if (n == 0)
		return fail_all(p, ctl_client_timed_out(c, &why), &why);
	if (n < 0 && errno != EINTR)
		return fail_all(
			p, uvs_errorf(&why, errno, "cannot wait for uvsd: %s", strerror(errno)),
			&why);
	return 0;
}

int uvs_ctl_queue(struct uvs_ctl_client *c, const struct uvs_ctl_req *cmd, uvs_ctl_done_fn done,
		  void *arg, uint64_t tag, struct uvs_error *err)
{
	struct ctl_pipe *p = c->pipe;
	struct uvs_ctl_msg w;
	int ret;

	if (!p && !(p = c->pipe = calloc(1, sizeof(*p))))
		return uvs_errorf(err, ENOMEM, "out of memory");
	if (!p->nsent && !p->nunsent)
		ctl_client_revive(c);
	/* Room for one more: a failed connection empties the queue, which is room too. */
	while (p->nsent + p->nunsent == PIPE_WINDOW || p->nunsent == PIPE_BATCH ||
	       PIPE_BYTES - p->used < UVS_CTL_REQ_MAX)
		step(c, p, true);
	if ((ret = ctl_put_exec(&w, p->out.buf + p->used, UVS_CTL_REQ_MAX, ++c->seq, cmd, err)))
		return ret;
	*entry(p, p->nsent + p->nunsent) = (struct pipe_entry){ c->seq, done, arg, tag };
	p->nunsent++;
	p->used += NLMSG_ALIGN(w.nlh->nlmsg_len);
	if (p->nunsent == PIPE_BATCH)
		step(c, p, false);
	return 0;
}

int uvs_ctl_flush(struct uvs_ctl_client *c)
{
	struct ctl_pipe *p = c->pipe;
	int ret = 0;

	while (p && p->nsent + p->nunsent && !ret)
		ret = step(c, p, true);
	return ret;
}
