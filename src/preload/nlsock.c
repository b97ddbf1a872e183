// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Tracked generic netlink sockets: the move to uvsd, requests out, answers in, and what
 * happens when uvsd goes away. The table's lock is held throughout, except during a
 * receive (which may block).
 */
#include "nlsock.h"

#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include "common.h"
#include "nlmsg.h"
#include "nltrack.h"
#include "real.h"

#define DGRAM_MAX 65536 /* the longest datagram the library forwards */

/* The errno a request gets when uvsd cannot answer it: one that libnl passes on
 * unchanged (ECONNRESET or ECONNREFUSED would become keepalived's "Permission denied
 * (you must be root)"), and that says what is missing. */
#define GONE_ERRNO ENODEV

/* Whether the operator was told that uvsd is unreachable (process-wide, under the
 * lock): said once, until uvsd is back. */
static bool lost_reported;

static size_t iov_total(const struct msghdr *msg)
{
	size_t n = 0;

	for (size_t i = 0; i < msg->msg_iovlen; i++)
		n += msg->msg_iov[i].iov_len;
	return n;
}

/* Copies the first len bytes that msg's iovecs hold (len <= their total) into buf. */
static void iov_copy(const struct msghdr *msg, void *buf, size_t len)
{
	char *p = buf;

	for (size_t i = 0; i < msg->msg_iovlen && len; i++) {
		size_t n = msg->msg_iov[i].iov_len < len ? msg->msg_iov[i].iov_len : len;
		memcpy(p, msg->msg_iov[i].iov_base, n);
		p += n;
		len -= n;
	}
}

/* Puts newfd in s->fd's place (newfd is closed), keeping the fd's O_NONBLOCK and
 * FD_CLOEXEC. Returns 0 or -errno (s->fd is then unchanged). */
static int replace_fd(struct uvs_nlsock *s, int newfd)
{
	const struct uvs_real *r = uvs_real();
	int fl = fcntl(s->fd, F_GETFL), fdfl = fcntl(s->fd, F_GETFD), ret = 0;

	if (fl >= 0 && (fl & O_NONBLOCK))
		fcntl(newfd, F_SETFL, fcntl(newfd, F_GETFL) | O_NONBLOCK);
	if (r->dup3(newfd, s->fd, fdfl >= 0 && (fdfl & FD_CLOEXEC) ? O_CLOEXEC : 0) < 0)
		ret = -errno;
	r->close(newfd);
	return ret;
}

/* Answers req here with -errnum, on the pair's other end (s is DETACHED). */
static void answer_here(struct uvs_nlsock *s, const struct nlmsghdr *req, int errnum,
			const char *text)
{
	union {
		char buf[512];
		uint32_t align_;
	} m;
	size_t len = uvs_nlmsg_put_error(m.buf, sizeof(m.buf), req, errnum, text,
					 uvs_nltrack_opt(s, NETLINK_EXT_ACK) != 0);

	if (uvs_real()->send(s->errpeer, m.buf, len, MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
		uvs_preload_report("could not answer request %u on fd %d (%s): it waits in vain",
				   req->nlmsg_seq, s->fd, strerror(errno));
}

/* Puts a new socket pair in the fd's place: one end is the fd, the other s->errpeer.
 * Returns 0 or -errno (socketpair or dup3 failed: s is unchanged). */
static int new_pair(struct uvs_nlsock *s)
{
	int sv[2], ret;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	if ((ret = replace_fd(s, sv[0])) < 0) {
		uvs_real()->close(sv[1]);
		return ret;
	}
	if (s->errpeer >= 0)
		uvs_real()->close(s->errpeer);
	s->errpeer = sv[1];
	return 0;
}

/*
 * uvsd is gone for s (or idle-closed it): the fd becomes one end of a socket pair (if
 * it is not already) and every request left unanswered gets -errnum there. why says
 * what happened; it is reported (once until uvsd is back) unless quiet. Returns 0 or
 * -errno (no pair could be made: s is unchanged).
 */
static int detach(struct uvs_nlsock *s, int errnum, const char *why, bool quiet)
{
	int ret;

	if (s->state != UVS_NL_DETACHED && (ret = new_pair(s)) < 0)
		return ret;
	s->state = UVS_NL_DETACHED;
	if (!quiet && !lost_reported) {
		uvs_preload_report("%s; IPVS requests fail with \"%s\" until it is back", why,
				   strerror(errnum));
		lost_reported = true;
	}
	for (size_t i = 0; i < s->npending; i++)
		answer_here(s, &s->pending[i], errnum, why);
	s->npending = 0;
	return 0;
}

/* The kernel socket's own address, kept for getsockname once the socket is uvsd's (a
 * socket never bound is bound first, as its first send would). */
static void keep_local_address(struct uvs_nlsock *s)
{
	const struct uvs_real *r = uvs_real();
	struct sockaddr_nl a = { .nl_family = AF_NETLINK };
	socklen_t len = sizeof(a);

	if (r->getsockname(s->fd, (struct sockaddr *)&a, &len) == 0 && a.nl_pid == 0) {
		struct sockaddr_nl any = { .nl_family = AF_NETLINK };
		r->bind(s->fd, (struct sockaddr *)&any, sizeof(any));
		len = sizeof(a);
		r->getsockname(s->fd, (struct sockaddr *)&a, &len);
	}
	s->local = a;
	s->local.nl_family = AF_NETLINK;
}

/* A new connection to uvsd, or -errno. */
static int connect_uvsd(void)
{
	const struct uvs_real *r = uvs_real();
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	const char *path = uvs_preload_socket();
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	memcpy(sa.sun_path, path, strlen(path));
	fd = r->socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (r->connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int ret = -errno;
		r->close(fd);
		return ret;
	}
	return fd;
}

/* Makes s a connection to uvsd (from KERNEL or DETACHED); if uvsd cannot be reached,
 * s ends DETACHED (the failure reported). */
static void attach(struct uvs_nlsock *s)
{
	char why[300];
	int c = connect_uvsd();

	if (c < 0) {
		snprintf(why, sizeof(why), "cannot reach uvsd at %s: %s", uvs_preload_socket(),
			 strerror(-c));
		if (s->state == UVS_NL_KERNEL)
			keep_local_address(s);
		detach(s, GONE_ERRNO, why, false);
		return;
	}
	if (s->state == UVS_NL_KERNEL)
		keep_local_address(s);
	if (replace_fd(s, c) < 0)
		return;
	if (s->errpeer >= 0)
		uvs_real()->close(s->errpeer);
	s->errpeer = -1;
	s->state = UVS_NL_UVSD;
	if (lost_reported) {
		uvs_preload_report("connected to uvsd at %s again", uvs_preload_socket());
		lost_reported = false;
	}
}

/* Reads what uvsd said before closing the connection (a notice: why it refused or
 * closed the client), without waiting. Returns its errno, 0 if none; text gets it. */
static int read_notice(struct uvs_nlsock *s, char *text, size_t len)
{
	union {
		char buf[1024];
		uint32_t align_;
	} m;
	int errnum = 0;
	ssize_t n = uvs_real()->recv(s->fd, m.buf, sizeof(m.buf), MSG_DONTWAIT);

	/* A reset (uvsd left our request unread) is reported before what uvsd sent, and
	 * only once: look again. */
	if (n < 0 && errno == ECONNRESET)
		n = uvs_real()->recv(s->fd, m.buf, sizeof(m.buf), MSG_DONTWAIT);
	text[0] = 0;
	if (n > 0 && !uvs_nlmsg_notice(m.buf, (size_t)n, &errnum, text, len))
		errnum = 0;
	return errnum;
}

/* Why the connection ended, for the report; and whether that is worth reporting: an
 * idle client closed with nothing asked is not. Returns detach's result. */
static int connection_lost(struct uvs_nlsock *s, int notice, const char *text)
{
	char why[400];
	bool idle = s->npending == 0 && (notice == 0 || notice == ETIMEDOUT);

	if (text[0])
		snprintf(why, sizeof(why), "uvsd at %s: %s", uvs_preload_socket(), text);
	else
		snprintf(why, sizeof(why), "uvsd at %s closed the connection",
			 uvs_preload_socket());
	/* A refusal for a reason of its own (EPERM) keeps it; libnl passes EPERM on. */
	return detach(s, notice == EPERM ? EPERM : GONE_ERRNO, why, idle);
}

static void pending_add(struct uvs_nlsock *s, const struct nlmsghdr *req)
{
	if (s->npending == UVS_NL_PENDING_MAX) {
		memmove(&s->pending[0], &s->pending[1], (s->npending - 1) * sizeof(s->pending[0]));
		s->npending--;
	}
	s->pending[s->npending++] = *req;
}

static void pending_drop(struct uvs_nlsock *s, size_t i)
{
	memmove(&s->pending[i], &s->pending[i + 1], (s->npending - i - 1) * sizeof(s->pending[0]));
	s->npending--;
}

/* The requests fully answered by a datagram uvsd sent: an ack, an error or a DONE
 * ends one; so does a plain reply to a request that asked no ack. */
static void pending_answered(struct uvs_nlsock *s, const void *buf, size_t len)
{
	const struct nlmsghdr *nlh = buf;
	int rem = (int)len;

	for (; mnl_nlmsg_ok(nlh, rem); nlh = mnl_nlmsg_next(nlh, &rem)) {
		for (size_t i = 0; i < s->npending; i++) {
			if (s->pending[i].nlmsg_seq != nlh->nlmsg_seq)
				continue;
			if (nlh->nlmsg_type == NLMSG_ERROR || nlh->nlmsg_type == NLMSG_DONE ||
			    (!(nlh->nlmsg_flags & NLM_F_MULTI) &&
			     !(s->pending[i].nlmsg_flags & NLM_F_ACK)))
				pending_drop(s, i);
			break;
		}
	}
}

/* Sends one request to uvsd, or answers it here if uvsd cannot be reached. Returns 0,
 * or -errno for a failure the application sees (EAGAIN: uvsd's queue is full). */
static int forward(struct uvs_nlsock *s, const struct nlmsghdr *req, int flags)
{
	char text[256];
	int notice;

	for (int attempt = 0; attempt < 2; attempt++) {
		if (s->state != UVS_NL_UVSD)
			attach(s);
		if (s->state != UVS_NL_UVSD)
			break;
		pending_add(s, req);
		if (uvs_real()->send(s->fd, req, req->nlmsg_len,
				     (flags & MSG_DONTWAIT) | MSG_NOSIGNAL) >= 0)
			return 0;
		pending_drop(s, s->npending - 1);
		if (errno != EPIPE && errno != ECONNRESET && errno != ENOTCONN)
			return -errno;
		/* uvsd closed the connection (restarted, or an idle client): once more on a
		 * new one. */
		notice = read_notice(s, text, sizeof(text));
		if (connection_lost(s, notice, text) < 0)
			return -EPIPE;
	}
	if (s->state == UVS_NL_DETACHED)
		answer_here(s, req, GONE_ERRNO, "uvsd cannot be reached");
	return 0;
}

/*
 * A datagram for uvsd: each whole netlink message goes alone (uvsd takes one a
 * datagram); bytes after the last whole one are dropped, as the kernel drops them.
 * Once the first is taken the datagram counts as sent: the others wait for room.
 */
static ssize_t to_uvsd(struct uvs_nlsock *s, const struct msghdr *msg, int flags, size_t total)
{
	union {
		char buf[DGRAM_MAX];
		uint32_t align_;
	} * m;
	const struct nlmsghdr *nlh;
	int rem = (int)total, ret;
	bool first = true;

	if (total > DGRAM_MAX) {
		errno = EMSGSIZE;
		return -1;
	}
	if (!(m = malloc(sizeof(*m)))) {
		errno = ENOBUFS;
		return -1;
	}
	iov_copy(msg, m->buf, total);
	for (nlh = (const struct nlmsghdr *)m->buf; mnl_nlmsg_ok(nlh, rem);
	     nlh = mnl_nlmsg_next(nlh, &rem)) {
		ret = forward(s, nlh, first ? flags : flags & ~MSG_DONTWAIT);
		if (ret < 0 && first) {
			free(m);
			errno = -ret;
			return -1;
		}
		if (ret < 0)
			uvs_preload_report("request %u of a batch not sent to uvsd: %s",
					   nlh->nlmsg_seq, strerror(-ret));
		first = false;
	}
	free(m);
	return (ssize_t)total;
}

ssize_t uvs_nlsock_sendmsg(int fd, const struct msghdr *msg, int flags)
{
	union {
		char buf[512];
		uint32_t align_;
	} head;
	size_t total = iov_total(msg), n = total < sizeof(head.buf) ? total : sizeof(head.buf);
	struct uvs_nlsock *s;
	ssize_t ret;

	if (!uvs_nltrack_any())
		return uvs_real()->sendmsg(fd, msg, flags);
	uvs_nltrack_lock();
	s = uvs_nltrack_find(fd);
	if (s && s->state == UVS_NL_KERNEL) {
		iov_copy(msg, head.buf, n);
		if (!uvs_nlmsg_asks_ipvs(head.buf, n))
			s = NULL;
	}
	if (!s) {
		uvs_nltrack_unlock();
		return uvs_real()->sendmsg(fd, msg, flags);
	}
	ret = to_uvsd(s, msg, flags, total);
	uvs_nltrack_unlock();
	return ret;
}

/* Copies buf..buf+len back into msg's iovecs (len <= their total). */
static void iov_scatter(const struct msghdr *msg, const void *buf, size_t len)
{
	const char *p = buf;

	for (size_t i = 0; i < msg->msg_iovlen && len; i++) {
		size_t n = msg->msg_iov[i].iov_len < len ? msg->msg_iov[i].iov_len : len;
		memcpy(msg->msg_iov[i].iov_base, p, n);
		p += n;
		len -= n;
	}
}

/*
 * Addresses each message of the datagram buf..buf+len to port (nlmsg_pid), as the
 * kernel addresses its answers to the socket that asked: some clients (iproute2) take
 * any other message for someone else's. Returns whether any changed.
 */
static bool address_to(void *buf, size_t len, uint32_t port)
{
	struct nlmsghdr *nlh = buf;
	int rem = (int)len;
	bool changed = false;

	for (; mnl_nlmsg_ok(nlh, rem); nlh = mnl_nlmsg_next(nlh, &rem)) {
		changed |= nlh->nlmsg_pid != port;
		nlh->nlmsg_pid = port;
	}
	return changed;
}

/* Gives the source of a datagram from uvsd as the kernel's: AF_NETLINK, port 0. */
static void kernel_source(struct msghdr *msg)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };

	if (!msg->msg_name) {
		msg->msg_namelen = 0;
		return;
	}
	memcpy(msg->msg_name, &kernel,
	       msg->msg_namelen < sizeof(kernel) ? msg->msg_namelen : sizeof(kernel));
	msg->msg_namelen = sizeof(kernel);
}

/*
 * What a receive on s's fd returned (n, and errnum if n < 0): handles the end of the
 * connection and uvsd's notices, notes the requests answered. Returns true if the
 * application gets this result, false to receive again (s changed: the fd is now the
 * pair whose errors answer what was pending).
 */
static bool received(struct uvs_nlsock *s, const struct msghdr *m, ssize_t n, int errnum, int flags)
{
	union {
		char buf[1024];
		uint32_t align_;
	} head;
	char text[256], *all;
	int notice;

	if (n > 0) {
		size_t len = (size_t)n < iov_total(m) ? (size_t)n : iov_total(m);
		size_t hl = len < sizeof(head.buf) ? len : sizeof(head.buf);
		iov_copy(m, head.buf, hl);
		if (s->state == UVS_NL_UVSD &&
		    uvs_nlmsg_notice(head.buf, hl, &notice, text, sizeof(text))) {
			/* Cannot detach (out of fds): the application sees the notice. */
			return connection_lost(s, notice, text) < 0;
		}
		all = malloc(len);
		if (!all)
			return true;
		iov_copy(m, all, len);
		if (address_to(all, len, s->local.nl_pid))
			iov_scatter(m, all, len);
		if (!(flags & MSG_PEEK))
			pending_answered(s, all, len);
		free(all);
		return true;
	}
	/* End of file (not a datagram cut to nothing), or a reset: uvsd is gone. */
	if ((n == 0 && !(m->msg_flags & MSG_TRUNC)) || (n < 0 && errnum == ECONNRESET)) {
		if (s->state == UVS_NL_UVSD) {
			notice = n < 0 ? read_notice(s, text, sizeof(text)) : 0;
			return connection_lost(s, notice, notice ? text : "") < 0;
		}
		/* The pair's other end was closed behind the library: a new pair. */
		return new_pair(s) < 0;
	}
	return true;
}

ssize_t uvs_nlsock_recvmsg(int fd, struct msghdr *msg, int flags)
{
	const struct uvs_real *r = uvs_real();
	struct uvs_nlsock *s;

	if (!uvs_nltrack_any())
		return r->recvmsg(fd, msg, flags);
	for (;;) {
		struct msghdr m = *msg;
		ssize_t n;
		int errnum;
		bool done;

		uvs_nltrack_lock();
		s = uvs_nltrack_find(fd);
		if (!s || s->state == UVS_NL_KERNEL) {
			uvs_nltrack_unlock();
			return r->recvmsg(fd, msg, flags);
		}
		uvs_nltrack_unlock();
		/* Unlocked: this may wait. The address is filled in afterwards. */
		m.msg_name = NULL;
		m.msg_namelen = 0;
		n = r->recvmsg(fd, &m, flags);
		errnum = errno;
		uvs_nltrack_lock();
		s = uvs_nltrack_find(fd);
		done = !s || received(s, &m, n, errnum, flags);
		uvs_nltrack_unlock();
		if (!done)
			continue;
		msg->msg_flags = m.msg_flags;
		msg->msg_controllen = m.msg_controllen;
		if (n >= 0)
			kernel_source(msg);
		errno = errnum;
		return n;
	}
}
