// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The sync daemons' threads, their start and stop (sync.h): a master moves what the
 * workers queued into messages and out of its sockets (tx.c); a backup reads its
 * sockets into the table (rx.c). Each sleeps in poll(): a master wakes when a worker's
 * ring holds a message's worth (an eventfd the workers ring), when a message is due,
 * or every second; a backup when a message arrives, or every second to expire.
 */
#include "sync.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>
#include <urcu.h>

#include "base/atomic.h"
#include "core/sync.h"
#include "sync/handover.h"
#include "sync/rx.h"
#include "sync/sock.h"
#include "sync/tx.h"

/* The kernel's IPVS_SYNC_CHECK_PERIOD: an idle thread still looks every second. */
#define CHECK_PERIOD_MS 1000
/* Entries each worker's ring holds for the master. */
#define RING_SIZE 4096

struct daemon {
	struct uvs_sync *s;
	struct uvs_sync_config c;
	bool running;
	bool stop; /* set by the control thread, read by the daemon's (atomic) */
	pthread_t tid;
	int wake_fd; /* eventfd: the workers' doorbell, and stop */
	int fds[UVS_SYNC_PORTS_MAX];
	unsigned nports;
	struct uvs_sync_out *out; /* master: the workers' rings */
	struct uvs_sync_tx *tx;	  /* master */
	uint8_t *buf;		  /* backup: one message */
};

struct uvs_sync {
	struct uvs_engine *engine;
	struct uvs_sync_rx rx;
	struct daemon master, backup;
	unsigned nports;			    /* while either runs: both use as many */
	uint64_t tx_done[UVS_SYNC_TX_COUNT];	    /* of masters that stopped */
	struct uvs_handover *handover;		    /* NULL: no peer named */
	uint64_t handover_done[UVS_HANDOVER_COUNT]; /* of the hand-over closed */
};

/* ---- settings ---- */

int uvs_sync_config_complete(struct uvs_sync_config *c, struct uvs_error *err)
{
	struct uvs_sync_link l;
	unsigned hlen, mtu, min;
	int ret;

	if (c->state != UVS_SYNC_MASTER && c->state != UVS_SYNC_BACKUP)
		return uvs_errorf(err, EINVAL, "unknown sync daemon state %d", c->state);
	if (!c->mcast_af) {
		c->mcast_af = AF_INET;
		memset(&c->mcast_group, 0, sizeof(c->mcast_group));
		c->mcast_group.ip = htonl(UVS_SYNC_GROUP4);
	}
	if (!c->mcast_port)
		c->mcast_port = UVS_SYNC_PORT;
	if (!c->mcast_ttl)
		c->mcast_ttl = 1;
	if ((ret = uvs_sync_link_find(c->ifname, &l, err)) < 0)
		return ret;
	hlen = c->mcast_af == AF_INET6 ? UVS_SYNC_HLEN6 : UVS_SYNC_HLEN4;
	/* A master sends what any link takes; a backup reads what its own may bring. */
	if (c->state == UVS_SYNC_BACKUP)
		mtu = l.mtu < 1500 ? 1500 : l.mtu > 65535 ? 65535 : l.mtu;
	else
		mtu = 1500;
	min = c->state == UVS_SYNC_BACKUP ? 1024 : 1;
	if (!c->sync_maxlen)
		c->sync_maxlen = (uint16_t)(mtu - hlen);
	else if (c->sync_maxlen < min)
		c->sync_maxlen = (uint16_t)min;
	else if (c->sync_maxlen > 65535 - hlen)
		c->sync_maxlen = (uint16_t)(65535 - hlen);
	return 0;
}

/* ---- threads ---- */

/* Called by a worker whose ring is filling: wakes the master. */
static void ring_doorbell(void *arg)
{
	struct daemon *d = arg;
	uint64_t one = 1;

	/* A full eventfd only means the master is awake already. */
	if (write(d->wake_fd, &one, sizeof(one)) < 0)
		return;
}

static void drain_wake(struct daemon *d)
{
	uint64_t n;

	if (read(d->wake_fd, &n, sizeof(n)) < 0)
		return; /* EAGAIN: nothing rang */
}

/* The master's sender: one message on port id's socket. */
static int send_msg(void *arg, unsigned id, const void *buf, size_t len)
{
	struct daemon *d = arg;

	if (send(d->fds[id], buf, len, MSG_DONTWAIT | MSG_NOSIGNAL) >= 0)
		return 0;
	return errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS ? -EAGAIN : -errno;
}

static void *master_main(void *arg)
{
	struct daemon *d = arg;
	struct uvs_model *m = d->s->engine->model;
	struct pollfd pf[1 + UVS_SYNC_PORTS_MAX];

	while (!uvs_load_acquire(&d->stop)) {
		uint64_t next = uvs_sync_tx_run(d->tx, d->out, uvs_model_now(m));
		int timeout = CHECK_PERIOD_MS;
		nfds_t n = 1;

		if (next / 1000000 + 1 < (uint64_t)timeout)
			timeout = (int)(next / 1000000 + 1);
		pf[0] = (struct pollfd){ .fd = d->wake_fd, .events = POLLIN };
		/* Messages that found no room wait for one of the sockets to have some. */
		for (unsigned i = 0; uvs_sync_tx_waiting(d->tx) && i < d->nports; i++)
			pf[n++] = (struct pollfd){ .fd = d->fds[i], .events = POLLOUT };
		if (poll(pf, n, timeout) > 0 && (pf[0].revents & POLLIN))
			drain_wake(d);
	}
	return NULL;
}

/* Reads every message waiting on fd. */
static void receive(struct daemon *d, int fd)
{
	for (;;) {
		/* MSG_TRUNC: the length the message had, which the size check then
		 * refuses when it is longer than sync_maxlen. */
		ssize_t n = recv(fd, d->buf, d->c.sync_maxlen, MSG_DONTWAIT | MSG_TRUNC);

		if (n < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				uvs_sync_rx_error(&d->s->rx);
			return;
		}
		if ((size_t)n > d->c.sync_maxlen)
			n = d->c.sync_maxlen; /* what the kernel reads of it */
		uvs_sync_rx_message(&d->s->rx, d->buf, (size_t)n, d->c.syncid);
	}
}

static void *backup_main(void *arg)
{
	struct daemon *d = arg;
	struct pollfd pf[1 + UVS_SYNC_PORTS_MAX];
	uint64_t last_timers = 0;

	rcu_register_thread(); /* applying takes the table's read side */
	while (!uvs_load_acquire(&d->stop)) {
		uint64_t now = uvs_model_now(d->s->engine->model);

		pf[0] = (struct pollfd){ .fd = d->wake_fd, .events = POLLIN };
		for (unsigned i = 0; i < d->nports; i++)
			pf[1 + i] = (struct pollfd){ .fd = d->fds[i], .events = POLLIN };
		if (poll(pf, 1 + d->nports, CHECK_PERIOD_MS) > 0) {
			if (pf[0].revents & POLLIN)
				drain_wake(d);
			for (unsigned i = 0; i < d->nports; i++)
				if (pf[1 + i].revents)
					receive(d, d->fds[i]);
		}
		if (now - last_timers >= CHECK_PERIOD_MS * 1000000ull) {
			uvs_sync_rx_timers(&d->s->rx);
			last_timers = now;
		}
	}
	rcu_unregister_thread();
	return NULL;
}

/* ---- start and stop ---- */

/* Closes what start made of d (its thread is not running). */
static void release(struct daemon *d)
{
	for (unsigned i = 0; i < d->nports; i++)
		if (d->fds[i] >= 0)
			close(d->fds[i]);
	d->nports = 0;
	if (d->wake_fd >= 0)
		close(d->wake_fd);
	d->wake_fd = -1;
	if (d->tx) {
		uint64_t c[UVS_SYNC_TX_COUNT];
		uvs_sync_tx_counters(d->tx, c);
		for (unsigned i = 0; i < UVS_SYNC_TX_COUNT; i++)
			d->s->tx_done[i] += c[i];
	}
	uvs_sync_tx_free(d->tx);
	d->tx = NULL;
	uvs_sync_out_free(d->out);
	d->out = NULL;
	free(d->buf);
	d->buf = NULL;
}

/* The sockets, rings and buffers of d, as its config says. */
static int prepare(struct daemon *d, unsigned nports, struct uvs_error *err)
{
	struct uvs_sync *s = d->s;
	/* Relaxed: a setting read on its own (core/sysctl.h). */
	int sock_size = uvs_load_relaxed(&s->engine->model->sysctl.sync_sock_size);
	bool master = d->c.state == UVS_SYNC_MASTER;
	struct uvs_sync_link l;
	int ret, fd;

	if ((ret = uvs_sync_link_find(d->c.ifname, &l, err)) < 0)
		return ret;
	d->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (d->wake_fd < 0)
		return uvs_syserrorf(err, errno, "sync daemon: eventfd");
	for (d->nports = 0; d->nports < nports; d->nports++) {
		fd = master ? uvs_sync_sock_master(&d->c, &l, d->nports, sock_size, err)
			    : uvs_sync_sock_backup(&d->c, &l, d->nports, sock_size, err);
		if (fd < 0)
			return fd;
		d->fds[d->nports] = fd;
	}
	if (!master) {
		if (!(d->buf = malloc(d->c.sync_maxlen)))
			return uvs_errorf(err, ENOMEM, "out of memory");
		return 0;
	}
	if ((ret = uvs_sync_out_create(s->engine, RING_SIZE, ring_doorbell, d, &d->out)) < 0)
		return uvs_errorf(err, -ret, "out of memory");
	struct uvs_sync_tx_config tc = {
		.engine = s->engine,
		.nports = nports,
		.maxlen = d->c.sync_maxlen,
		.syncid = d->c.syncid,
		.send = send_msg,
		.send_arg = d,
	};
	if ((ret = uvs_sync_tx_create(&tc, &d->tx)) < 0)
		return uvs_errorf(err, -ret, "out of memory");
	return 0;
}

int uvs_sync_start(struct uvs_sync *s, const struct uvs_sync_config *c, struct uvs_error *err)
{
	struct daemon *d = c->state == UVS_SYNC_MASTER ? &s->master : &s->backup;
	unsigned nports = s->nports;
	int ret;

	if (c->state != UVS_SYNC_MASTER && c->state != UVS_SYNC_BACKUP)
		return uvs_errorf(err, EINVAL, "unknown sync daemon state %d", c->state);
	if (d->running)
		return uvs_errorf(err, EEXIST, "Daemon has already run");
	/* The first daemon fixes how many ports both use, as the kernel's threads_mask. */
	if (!s->master.running && !s->backup.running) {
		int n = uvs_load_relaxed(
			&s->engine->model->sysctl.sync_ports); /* relaxed: a setting */
		nports = n < 1 ? 1 : n > UVS_SYNC_PORTS_MAX ? UVS_SYNC_PORTS_MAX : (unsigned)n;
	}
	d->c = *c;
	uvs_store_relaxed(&d->stop, false); /* relaxed: no thread reads it yet */
	if ((ret = prepare(d, nports, err)) < 0) {
		release(d);
		return ret;
	}
	if ((ret = pthread_create(&d->tid, NULL,
				  c->state == UVS_SYNC_MASTER ? master_main : backup_main, d))) {
		release(d);
		return uvs_syserrorf(err, ret, "sync daemon thread");
	}
	/* The workers start queueing once the thread is there to take it. */
	if (d->out)
		uvs_engine_set_sync_out(s->engine, d->out);
	else
		uvs_engine_set_sync_backup(s->engine, true);
	d->running = true;
	s->nports = nports;
	/* The daemon runs first, so that what changes during the hand-over comes
	 * with the group's messages. */
	if (s->handover)
		uvs_handover_fetch(s->handover);
	return 0;
}

int uvs_sync_stop(struct uvs_sync *s, int state)
{
	struct daemon *d = state == UVS_SYNC_MASTER ? &s->master : &s->backup;
	uint64_t one = 1;

	if ((state != UVS_SYNC_MASTER && state != UVS_SYNC_BACKUP) || !d->running)
		return -ESRCH;
	/* No worker queues any more once this returns (it waits a grace period). */
	if (d->out)
		uvs_engine_set_sync_out(s->engine, NULL);
	else
		uvs_engine_set_sync_backup(s->engine, false);
	uvs_store_release(&d->stop, true);
	if (write(d->wake_fd, &one, sizeof(one)) < 0) {
		/* The thread sees stop within CHECK_PERIOD_MS anyway. */
	}
	pthread_join(d->tid, NULL);
	release(d);
	d->running = false;
	return 0;
}

/* ---- the whole ---- */

int uvs_sync_open(struct uvs_engine *e, unsigned worker_id, struct uvs_sync **out)
{
	struct uvs_sync *s = calloc(1, sizeof(*s));
	int ret;

	*out = NULL;
	if (!s)
		return -ENOMEM;
	s->engine = e;
	s->master.s = s->backup.s = s;
	s->master.wake_fd = s->backup.wake_fd = -1;
	if ((ret = uvs_sync_rx_init(&s->rx, e, worker_id)) < 0) {
		free(s);
		return ret;
	}
	*out = s;
	return 0;
}

int uvs_sync_set_peer(struct uvs_sync *s, const struct sockaddr *peer, socklen_t len,
		      uint16_t listen_port, struct uvs_error *err)
{
	struct uvs_handover_config c = { .engine = s->engine,
					 .rx = &s->rx,
					 .listen_port = listen_port };

	if (s->handover)
		return uvs_errorf(err, EEXIST, "sync hand-over: a peer is named already");
	if (len > sizeof(c.peer))
		return uvs_errorf(err, EINVAL, "sync hand-over: address too long");
	memcpy(&c.peer, peer, len);
	c.peer_len = len;
	return uvs_handover_open(&c, &s->handover, err);
}

uint16_t uvs_sync_handover_port(const struct uvs_sync *s)
{
	return s->handover ? uvs_handover_port(s->handover) : 0;
}

void uvs_sync_handover_fetch(struct uvs_sync *s)
{
	if (s->handover)
		uvs_handover_fetch(s->handover);
}

int uvs_sync_handover_wait(struct uvs_sync *s, int timeout_ms)
{
	return s->handover ? uvs_handover_wait(s->handover, timeout_ms) : 0;
}

void uvs_sync_stop_all(struct uvs_sync *s)
{
	if (!s)
		return;
	uvs_sync_stop(s, UVS_SYNC_MASTER);
	uvs_sync_stop(s, UVS_SYNC_BACKUP);
	if (s->handover) { /* its threads read and write the engine's table */
		uvs_handover_counters(s->handover, s->handover_done);
		uvs_handover_close(s->handover);
		s->handover = NULL;
	}
}

void uvs_sync_close(struct uvs_sync *s)
{
	if (!s)
		return;
	uvs_sync_stop_all(s);
	uvs_sync_rx_fini(&s->rx);
	free(s);
}

void uvs_sync_restore_conns(struct uvs_sync *s, const struct uvs_sync_conn *c,
			    const uvs_time_t *expires, size_t n, uint64_t *results)
{
	uvs_sync_rx_restore(&s->rx, c, expires, n, results);
}

void uvs_sync_tick(struct uvs_sync *s)
{
	uvs_sync_rx_timers(&s->rx);
}

/* The counters' names, in the order uvs_sync_counters() gives them. */
static const char *const tx_names[UVS_SYNC_TX_COUNT] = {
#define X(name, text) "sync_tx_" text,
	UVS_SYNC_TX_COUNTERS(X)
#undef X
};
static const char *const rx_names[UVS_SYNC_RX_COUNT] = {
#define X(name, text) "sync_rx_" text,
	UVS_SYNC_RX_COUNTERS(X) UVS_SYNC_READ_ERRORS(X) UVS_SYNC_APPLY_RESULTS(X)
#undef X
};

static const char *const handover_names[UVS_HANDOVER_COUNT] = {
#define X(name, text) "sync_handover_" text,
	UVS_HANDOVER_COUNTERS(X) UVS_HANDOVER_WIRE_ERRORS(X)
#undef X
};

#define ONE(name, text) +1
_Static_assert(0 UVS_HANDOVER_COUNTERS(ONE) UVS_HANDOVER_WIRE_ERRORS(ONE) == UVS_HANDOVER_COUNT,
	       "a name for every hand-over counter");
_Static_assert(0 UVS_SYNC_RX_COUNTERS(ONE) UVS_SYNC_READ_ERRORS(ONE)
			       UVS_SYNC_APPLY_RESULTS(ONE) == UVS_SYNC_RX_COUNT,
	       "a name for every receive counter");
#undef ONE

size_t uvs_sync_counters(struct uvs_sync *s, const char **names, uint64_t *values, size_t max)
{
	uint64_t tx[UVS_SYNC_TX_COUNT] = { 0 };
	size_t n = 0;

	if (s->master.running)
		uvs_sync_tx_counters(s->master.tx, tx);
	for (unsigned i = 0; i < UVS_SYNC_TX_COUNT && n < max; i++, n++) {
		names[n] = tx_names[i];
		values[n] = tx[i] + s->tx_done[i];
	}
	for (unsigned i = 0; i < UVS_SYNC_RX_COUNT && n < max; i++, n++) {
		names[n] = rx_names[i];
		values[n] = uvs_load_relaxed(&s->rx.counters[i]); /* relaxed: racy reads */
	}
	uint64_t ho[UVS_HANDOVER_COUNT];
	if (s->handover)
		uvs_handover_counters(s->handover, ho);
	else
		memcpy(ho, s->handover_done, sizeof(ho));
	for (unsigned i = 0; i < UVS_HANDOVER_COUNT && n < max; i++, n++) {
		names[n] = handover_names[i];
		values[n] = ho[i];
	}
	return UVS_SYNC_TX_COUNT + UVS_SYNC_RX_COUNT + UVS_HANDOVER_COUNT;
}
