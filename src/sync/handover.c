// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The full-table hand-over's threads (handover.h): a server that sends the table to
 * the peer that asks, and a fetcher that asks the peer and applies what comes. Each
 * waits in poll() on its socket and on an eventfd that close() rings, so that neither
 * holds uvsd's stop for longer than a poll.
 */
#include "handover.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>
#include <urcu.h>

#include "base/atomic.h"
#include "base/clock.h"
#include "sync/msg.h"

/* Entries read from the table at a time: one message's worth. */
#define DUMP_BATCH UVS_SYNC_MSG_CONNS_MAX

struct uvs_handover {
	struct uvs_handover_config c;
	int listen_fd;
	int stop_fd; /* eventfd: rung once, at close */
	uint16_t port;
	pthread_t server, fetcher;
	bool server_started, fetcher_started;
	pthread_mutex_t lock; /* asked, done, stop */
	pthread_cond_t cond;
	uint64_t asked, done; /* asks made, and the asks the fetches ended so far answer */
	bool stop;
	uint64_t counters[UVS_HANDOVER_COUNT]; /* relaxed: each thread adds, any reads */
	/* The server's: a table's worth of entries and one frame. */
	struct uvs_sync_conn dump[DUMP_BATCH];
	uint8_t frame[sizeof(struct uvs_handover_hdr) + UVS_HANDOVER_BODY_MAX];
	/* The fetcher's. */
	uint8_t rbuf[16384];
	struct uvs_handover_reader reader;
};

static const char *const own_names[] = {
#define X(name, text) text,
	UVS_HANDOVER_COUNTERS(X)
#undef X
};

const char *uvs_handover_counter_name(unsigned i)
{
	if (i < UVS_HANDOVER_WIRE_BASE)
		return own_names[i];
	if (i < UVS_HANDOVER_COUNT)
		return uvs_handover_wire_error_name(i - UVS_HANDOVER_WIRE_BASE + 1);
	return "unknown";
}

static void count(struct uvs_handover *h, unsigned i, uint64_t n)
{
	uvs_add_relaxed(&h->counters[i], n);
}

static void count_wire(struct uvs_handover *h, enum uvs_handover_wire_error e)
{
	count(h, UVS_HANDOVER_WIRE_BASE + e - 1, 1);
}

/*
 * Waits until fd is ready for events, the stop is rung, or the deadline (ms of the
 * monotonic clock) passes, whichever first, at most UVS_HANDOVER_IDLE_MS. Returns 0
 * (ready), -ECANCELED (stop) or -ETIMEDOUT.
 */
static int wait_fd(struct uvs_handover *h, int fd, short events, uint64_t deadline)
{
	uint64_t now = uvs_monotonic_ms();
	uint64_t wait = deadline > now ? deadline - now : 0;
	struct pollfd pf[2] = { { .fd = fd, .events = events },
				{ .fd = h->stop_fd, .events = POLLIN } };
	int n;

	if (wait > UVS_HANDOVER_IDLE_MS)
		wait = UVS_HANDOVER_IDLE_MS;
	do
		n = poll(pf, 2, (int)wait);
	while (n < 0 && errno == EINTR);
	if (pf[1].revents)
		return -ECANCELED;
	return n > 0 ? 0 : -ETIMEDOUT;
}

/* Writes len bytes to a non-blocking socket. Returns 0 or a negative errno. */
static int write_all(struct uvs_handover *h, int fd, const uint8_t *p, size_t len,
		     uint64_t deadline)
{
	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		int ret;

		if (n > 0) {
			p += n;
			len -= (size_t)n;
			continue;
		}
		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			return -errno;
		if ((ret = wait_fd(h, fd, POLLOUT, deadline)) < 0)
			return ret;
	}
	return 0;
}

/* ---- the server ---- */

static bool is_peer(const struct uvs_handover *h, const struct sockaddr_storage *from)
{
	if (from->ss_family != h->c.peer.ss_family)
		return false;
	if (from->ss_family == AF_INET)
		return ((const struct sockaddr_in *)from)->sin_addr.s_addr ==
		       ((const struct sockaddr_in *)&h->c.peer)->sin_addr.s_addr;
	return !memcmp(&((const struct sockaddr_in6 *)from)->sin6_addr,
		       &((const struct sockaddr_in6 *)&h->c.peer)->sin6_addr,
		       sizeof(struct in6_addr));
}

/* Reads the REQUEST. Returns 0, or a negative errno (a bad one counted). */
static int read_request(struct uvs_handover *h, int fd, uint64_t deadline)
{
	uint8_t req[UVS_HANDOVER_SMALL_FRAME];
	size_t have = 0;
	enum uvs_handover_wire_error e;
	int ret;

	while (have < sizeof(req)) {
		ssize_t n = recv(fd, req + have, sizeof(req) - have, MSG_DONTWAIT);

		if (n == 0)
			return -ECONNRESET;
		if (n > 0) {
			have += (size_t)n;
			continue;
		}
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			return -errno;
		if ((ret = wait_fd(h, fd, POLLIN, deadline)) < 0)
			return ret;
	}
	if ((e = uvs_handover_read_request(req, sizeof(req))) != UVS_HANDOVER_WIRE_OK) {
		count_wire(h, e);
		return -EPROTO;
	}
	return 0;
}

/* Sends the table's entries out[0..n) as one MESSAGE frame. */
static int send_entries(struct uvs_handover *h, int fd, size_t n, uint64_t deadline)
{
	uint8_t *body = h->frame + sizeof(struct uvs_handover_hdr);
	struct uvs_sync_writer w;
	struct uvs_sync_record r;
	size_t len;

	uvs_sync_msg_start(&w, body, UVS_HANDOVER_BODY_MAX, UVS_SYNC_PROTO_VER, 0);
	for (size_t i = 0; i < n; i++) {
		/* With its FTP sequence adjustment, as the group's messages carry it. */
		uvs_sync_record_of(&h->dump[i], &r);
		/* 255 records of at most 98 bytes (72 and SEQ_DATA) fit in one message. */
		if (uvs_sync_msg_add(&w, &r) < 0)
			return -EMSGSIZE;
	}
	len = uvs_sync_msg_finish(&w);
	uvs_handover_put_hdr(h->frame, UVS_HANDOVER_MESSAGE, (uint32_t)len);
	return write_all(h, fd, h->frame, sizeof(struct uvs_handover_hdr) + len, deadline);
}

/* One peer's hand-over: its request, then the table, then END. */
static void serve(struct uvs_handover *h, int fd)
{
	uint64_t deadline = uvs_monotonic_ms() + UVS_HANDOVER_TOTAL_MS;
	uint64_t cursor = 0, sent = 0;
	uint8_t end[UVS_HANDOVER_SMALL_FRAME];
	size_t n;
	int ret;

	if ((ret = read_request(h, fd, deadline)) < 0)
		goto aborted;
	/* Entries made or ended while the dump runs may be missed: the group's
	 * messages bring those, which is why a daemon runs before it asks. */
	while ((n = uvs_sync_dump(h->c.engine, &cursor, h->dump, DUMP_BATCH)) > 0) {
		if ((ret = send_entries(h, fd, n, deadline)) < 0)
			goto aborted;
		sent += n;
	}
	uvs_handover_put_end(end, sent);
	if ((ret = write_all(h, fd, end, sizeof(end), deadline)) < 0)
		goto aborted;
	count(h, UVS_HANDOVER_SERVED, 1);
	count(h, UVS_HANDOVER_SENT, sent);
	return;
aborted:
	count(h, UVS_HANDOVER_ABORTED, 1);
	count(h, UVS_HANDOVER_SENT, sent);
}

static void *server_main(void *arg)
{
	struct uvs_handover *h = arg;

	rcu_register_thread(); /* the dump reads the table under RCU */
	for (;;) {
		struct sockaddr_storage from;
		socklen_t len = sizeof(from);
		int ret = wait_fd(h, h->listen_fd, POLLIN, UINT64_MAX);
		int fd;

		if (ret == -ECANCELED)
			break;
		if (ret < 0)
			continue;
		fd = accept4(h->listen_fd, (struct sockaddr *)&from, &len,
			     SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			continue;
		if (!is_peer(h, &from))
			count(h, UVS_HANDOVER_REFUSED, 1);
		else
			serve(h, fd);
		close(fd);
	}
	rcu_unregister_thread();
	return NULL;
}

/* ---- the fetcher ---- */

static void on_message(void *arg, const uint8_t *msg, size_t len)
{
	struct uvs_handover *h = arg;

	/* syncid 0: the peer is named, not found on a shared group. */
	count(h, UVS_HANDOVER_RECEIVED, uvs_sync_rx_message(h->c.rx, msg, len, 0));
}

/* Connects to the peer. Returns the fd or a negative errno. */
static int connect_peer(struct uvs_handover *h)
{
	int fd = socket(h->c.peer.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int ret, soerr = 0;
	socklen_t sl = sizeof(soerr);

	if (fd < 0)
		return -errno;
	if (connect(fd, (const struct sockaddr *)&h->c.peer, h->c.peer_len) < 0 &&
	    errno != EINPROGRESS) {
		ret = -errno;
		close(fd);
		return ret;
	}
	if ((ret = wait_fd(h, fd, POLLOUT, uvs_monotonic_ms() + UVS_HANDOVER_CONNECT_MS)) < 0 ||
	    (ret = getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0 ? -errno : -soerr) < 0) {
		close(fd);
		return ret;
	}
	return fd;
}

/* One fetch: the request, then frames until END. Returns true if the table came
 * whole. */
static bool fetch_once(struct uvs_handover *h)
{
	uint64_t deadline = uvs_monotonic_ms() + UVS_HANDOVER_TOTAL_MS;
	uint8_t req[UVS_HANDOVER_SMALL_FRAME];
	struct uvs_handover_reader *r = &h->reader;
	uint64_t before = uvs_load_relaxed(&h->counters[UVS_HANDOVER_RECEIVED]);
	int fd = connect_peer(h);

	if (fd < 0)
		return false;
	uvs_handover_put_request(req);
	uvs_handover_reader_init(r, on_message, h);
	if (write_all(h, fd, req, sizeof(req), deadline) < 0)
		goto out;
	for (;;) {
		ssize_t n = recv(fd, h->rbuf, sizeof(h->rbuf), MSG_DONTWAIT);
		enum uvs_handover_wire_error e;

		if (n == 0)
			break; /* the peer closed: whole if END came last */
		if (n < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				break;
			if (wait_fd(h, fd, POLLIN, deadline) < 0)
				break;
			continue;
		}
		if ((e = uvs_handover_read(r, h->rbuf, (size_t)n)) != UVS_HANDOVER_WIRE_OK) {
			count_wire(h, e);
			close(fd);
			return false;
		}
	}
out:
	close(fd);
	if (!r->ended)
		return false;
	if (r->end_count != uvs_load_relaxed(&h->counters[UVS_HANDOVER_RECEIVED]) - before) {
		count(h, UVS_HANDOVER_SHORT, 1);
		return false;
	}
	return true;
}

static void *fetcher_main(void *arg)
{
	struct uvs_handover *h = arg;

	rcu_register_thread(); /* applying takes the table's read side */
	pthread_mutex_lock(&h->lock);
	for (;;) {
		while (!h->stop && h->done == h->asked)
			pthread_cond_wait(&h->cond, &h->lock);
		if (h->stop)
			break;
		uint64_t upto = h->asked; /* asks made until now are this one */
		pthread_mutex_unlock(&h->lock);
		count(h, fetch_once(h) ? UVS_HANDOVER_FETCHED : UVS_HANDOVER_FAILED, 1);
		pthread_mutex_lock(&h->lock);
		h->done = upto;
		pthread_cond_broadcast(&h->cond);
	}
	pthread_mutex_unlock(&h->lock);
	rcu_unregister_thread();
	return NULL;
}

/* ---- open and close ---- */

static int listen_on(struct uvs_handover *h, struct uvs_error *err)
{
	struct sockaddr_storage sa;
	socklen_t len;
	int one = 1, fd;

	memset(&sa, 0, sizeof(sa));
	sa.ss_family = h->c.peer.ss_family;
	if (sa.ss_family == AF_INET) {
		((struct sockaddr_in *)&sa)->sin_port = htons(h->c.listen_port);
		len = sizeof(struct sockaddr_in);
	} else {
		((struct sockaddr_in6 *)&sa)->sin6_port = htons(h->c.listen_port);
		len = sizeof(struct sockaddr_in6);
	}
	fd = socket(sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return uvs_syserrorf(err, errno, "sync hand-over: socket");
	h->listen_fd = fd;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    (sa.ss_family == AF_INET6 &&
	     setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0))
		return uvs_syserrorf(err, errno, "sync hand-over: setsockopt");
	if (bind(fd, (struct sockaddr *)&sa, len) < 0)
		return uvs_syserrorf(err, errno, "sync hand-over: TCP port %u", h->c.listen_port);
	if (listen(fd, 2) < 0)
		return uvs_syserrorf(err, errno, "sync hand-over: listen");
	len = sizeof(sa);
	if (getsockname(fd, (struct sockaddr *)&sa, &len) < 0)
		return uvs_syserrorf(err, errno, "sync hand-over: getsockname");
	h->port = ntohs(sa.ss_family == AF_INET ? ((struct sockaddr_in *)&sa)->sin_port
						: ((struct sockaddr_in6 *)&sa)->sin6_port);
	return 0;
}

int uvs_handover_open(const struct uvs_handover_config *c, struct uvs_handover **out,
		      struct uvs_error *err)
{
	struct uvs_handover *h;
	int ret;

	*out = NULL;
	if (c->peer.ss_family != AF_INET && c->peer.ss_family != AF_INET6)
		return uvs_errorf(err, EAFNOSUPPORT,
				  "sync hand-over: the peer is not IPv4 or IPv6");
	if (!(h = calloc(1, sizeof(*h))))
		return uvs_errorf(err, ENOMEM, "out of memory");
	h->c = *c;
	h->listen_fd = -1;
	pthread_mutex_init(&h->lock, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&h->cond, &ca);
	pthread_condattr_destroy(&ca);
	h->stop_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (h->stop_fd < 0) {
		ret = uvs_syserrorf(err, errno, "sync hand-over: eventfd");
		goto fail;
	}
	if ((ret = listen_on(h, err)) < 0)
		goto fail;
	if ((ret = pthread_create(&h->server, NULL, server_main, h))) {
		ret = uvs_syserrorf(err, ret, "sync hand-over: thread");
		goto fail;
	}
	h->server_started = true;
	if ((ret = pthread_create(&h->fetcher, NULL, fetcher_main, h))) {
		ret = uvs_syserrorf(err, ret, "sync hand-over: thread");
		goto fail;
	}
	h->fetcher_started = true;
	*out = h;
	return 0;
fail:
	uvs_handover_close(h);
	return ret;
}

void uvs_handover_close(struct uvs_handover *h)
{
	uint64_t one = 1;

	if (!h)
		return;
	pthread_mutex_lock(&h->lock);
	h->stop = true;
	pthread_cond_broadcast(&h->cond);
	pthread_mutex_unlock(&h->lock);
	if (h->stop_fd >= 0 && write(h->stop_fd, &one, sizeof(one)) < 0) {
		/* An eventfd takes a write until its count is near 2^64: not here. */
	}
	if (h->server_started)
		pthread_join(h->server, NULL);
	if (h->fetcher_started)
		pthread_join(h->fetcher, NULL);
	if (h->listen_fd >= 0)
		close(h->listen_fd);
	if (h->stop_fd >= 0)
		close(h->stop_fd);
	pthread_cond_destroy(&h->cond);
	pthread_mutex_destroy(&h->lock);
	free(h);
}

uint16_t uvs_handover_port(const struct uvs_handover *h)
{
	return h->port;
}

void uvs_handover_fetch(struct uvs_handover *h)
{
	pthread_mutex_lock(&h->lock);
	h->asked++; /* the fetcher's next round takes every ask made until it starts */
	pthread_cond_broadcast(&h->cond);
	pthread_mutex_unlock(&h->lock);
}

int uvs_handover_wait(struct uvs_handover *h, int timeout_ms)
{
	struct timespec until;
	int ret = 0;

	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += timeout_ms / 1000;
	until.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
	if (until.tv_nsec >= 1000000000) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&h->lock);
	uint64_t want = h->asked;
	while (h->done < want && !h->stop && ret == 0)
		ret = pthread_cond_timedwait(&h->cond, &h->lock, &until);
	pthread_mutex_unlock(&h->lock);
	return ret == ETIMEDOUT ? -ETIMEDOUT : 0;
}

void uvs_handover_counters(const struct uvs_handover *h, uint64_t *out)
{
	for (unsigned i = 0; i < UVS_HANDOVER_COUNT; i++)
		out[i] = uvs_load_relaxed(&h->counters[i]);
}
