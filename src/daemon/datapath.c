// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <urcu.h>

#include "base/atomic.h"
#include "base/clock.h"
#include "datapath.h"
#include "heartbeat.h"
#include "io/link.h"
#include "pkt/parse.h"
#include "log.h"

/* Longest sleep of an idle worker: its timers run at least this often. */
#define IDLE_WAIT_MS 1000

struct thread {
	struct uvsd_datapath *dp;
	struct uvs_worker worker;
	struct uvs_nhcache *nh;
	pthread_t tid;
	bool started;
	bool ready; /* set by the thread once its worker is registered */
	int result;
	/* Written by the worker only (relaxed stores), read anywhere: frames received and
	 * the time spent from receiving a batch to sending it. */
	uint64_t frames, busy_ns;
	/* Keeps the counts above, written for every batch, off the line of the next
	 * thread's worker, which that worker reads and writes for every frame. */
	char pad_[64];
};

struct uvsd_datapath {
	struct uvs_engine *engine;
	struct uvs_io *io;	     /* NULL while a reopen has not succeeded */
	struct uvs_io_config config; /* what io was opened with, to open it again */
	unsigned nworkers;
	bool stop;
	/* Set by the control thread to have the workers park between batches, so that
	 * it may replace the backend (uvsd_datapath_reopen). */
	bool hold;
	pthread_mutex_t lock;	    /* with cond: start waits for each worker's registration, */
	pthread_cond_t cond;	    /* a reopen for the workers to park, they for its end */
	pthread_mutex_t stats_lock; /* io and carried, for readers of the counters */
	unsigned started, parked;   /* under lock */
	struct thread *threads;
	const char *const *ifnames; /* the caller's, which outlive dp */
	unsigned nifs;
	bool *gro_was_on;		  /* per link: GRO to turn back on at stop */
	uint32_t mtu;			  /* the links' largest MTU when io was opened */
	struct uvs_marks *marks;	  /* RCU-published; NULL: no mark rules */
	struct uvs_io_stats *carried;	  /* per worker: the counts of backends reopen closed */
	struct uvsd_heartbeat *heartbeat; /* the caller's; NULL: no fail-safe */
	int idle_wait_ms;		  /* the longest sleep of an idle worker */
};

static __thread struct uvs_nhcache *worker_nh;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int uvsd_datapath_route(void *arg, int af, const union uvs_addr *nh, struct uvs_route *out)
{
	(void)arg;
	if (!worker_nh) /* not a worker: the control thread never routes frames */
		return -EHOSTUNREACH;
	return uvs_nhcache_lookup(worker_nh, af, nh, out);
}

/* Gives each frame the mark uvs's own rules give it (core/marks.h). */
static void mark_frames(const struct uvs_marks *marks, struct uvs_frame *f, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		struct uvs_pkt p;
		enum uvs_pkt_reason r = uvs_pkt_parse(f[i].data, f[i].len, &p);

		/* A fragment too: a datagram takes its first fragment's mark. */
		if (r == UVS_PKT_OK || r == UVS_PKT_FRAGMENT)
			f[i].fwmark =
				uvs_marks_classify(marks, p.af, p.protocol, &p.daddr, p.dport);
	}
}

/* Sends the frames the engine made in the batch (fragments, reassembled datagrams),
 * a backend batch at a time. */
static void send_made(struct uvs_io *io, unsigned id, struct uvs_worker *w)
{
	struct uvs_frame *made;
	unsigned n = uvs_worker_out(w, &made);

	for (unsigned i = 0; i < n; i += UVS_IO_BATCH)
		uvs_io_tx(io, id, made + i, n - i < UVS_IO_BATCH ? n - i : UVS_IO_BATCH);
}

/* Waits while the control thread holds the workers (or until stop). */
static void park(struct uvsd_datapath *dp)
{
	pthread_mutex_lock(&dp->lock);
	dp->parked++;
	pthread_cond_broadcast(&dp->cond);
	while (uvs_load_acquire(&dp->hold) && !uvs_load_acquire(&dp->stop))
		pthread_cond_wait(&dp->cond, &dp->lock);
	dp->parked--;
	pthread_mutex_unlock(&dp->lock);
}

static void *worker_main(void *arg)
{
	struct thread *t = arg;
	struct uvsd_datapath *dp = t->dp;
	unsigned id = (unsigned)(t - dp->threads);
	struct uvs_frame f[UVS_IO_BATCH];
	int ret;

	rcu_register_thread();
	ret = uvs_worker_init(&t->worker, dp->engine, id);
	pthread_mutex_lock(&dp->lock);
	t->result = ret;
	t->ready = true;
	pthread_cond_broadcast(&dp->cond);
	pthread_mutex_unlock(&dp->lock);
	if (ret < 0) {
		rcu_unregister_thread();
		return NULL;
	}
	worker_nh = t->nh;
	while (!uvs_load_acquire(&dp->stop)) {
		/* dp->io changes only while every worker is parked. */
		if (uvs_load_acquire(&dp->hold)) {
			park(dp);
			continue;
		}
		uint64_t start = now_ns();
		unsigned n = uvs_io_rx(dp->io, id, f, UVS_IO_BATCH);
		uvs_time_t now = uvs_model_now(dp->engine->model);

		/* A turn of the loop: this worker moves frames (a parked one does not). */
		if (dp->heartbeat)
			uvsd_heartbeat_beat(dp->heartbeat, id, uvs_monotonic_ns());

		if (n) {
			rcu_read_lock();
			const struct uvs_marks *marks = rcu_dereference(dp->marks);
			if (marks)
				mark_frames(marks, f, n);
			rcu_read_unlock();
			uvs_engine_process(&t->worker, f, n, now);
			uvs_io_tx(dp->io, id, f, n);
			send_made(dp->io, id, &t->worker);
			/* Relaxed: counts with one writer, read racily by the metrics. */
			uvs_store_relaxed(&t->frames, uvs_load_relaxed(&t->frames) + n);
			uvs_store_relaxed(&t->busy_ns,
					  uvs_load_relaxed(&t->busy_ns) + (now_ns() - start));
			continue;
		}
		uvs_worker_timers(&t->worker, now);
		uvs_io_wait(dp->io, id, dp->idle_wait_ms);
	}
	worker_nh = NULL;
	rcu_unregister_thread();
	return NULL;
}

/* Turns GRO off on every link (again after a reopen: a link made again has it on). */
static void gro_off(struct uvsd_datapath *dp)
{
	for (unsigned i = 0; i < dp->nifs; i++) {
		bool was_on;
		int r = uvs_link_gro_off(dp->ifnames[i], &was_on);

		if (was_on) {
			dp->gro_was_on[i] = true;
			uvs_log(LOG_INFO,
				"%s: GRO off while uvsd runs (frames must stay wire-sized)",
				dp->ifnames[i]);
		} else if (r < 0 && r != -EOPNOTSUPP) {
			uvs_log(LOG_WARNING,
				"%s: cannot turn GRO off (%s): merged frames will be dropped as "
				"io_rx_too_big",
				dp->ifnames[i], strerror(-r));
		}
	}
}

/* Opens the backend as dp->config says, into dp->io. */
static int open_io(struct uvsd_datapath *dp, struct uvs_error *err)
{
	struct uvs_io_config c = dp->config;
	char info[512] = "";
	int ret;

	c.info = info;
	c.infolen = sizeof(info);
	/* What the backend sizes its buffers for, read as it opens. */
	dp->mtu = uvs_links_mtu(dp->ifnames, dp->nifs);
	if ((ret = uvs_io_open(&c, &dp->io, err)) < 0) {
		dp->io = NULL;
		return ret;
	}
	if (info[0])
		uvs_log(LOG_INFO, "%s", info);
	return 0;
}

int uvsd_datapath_start(struct uvs_engine *e, const struct uvs_io_config *io,
			struct uvsd_heartbeat *hb, struct uvsd_datapath **out,
			struct uvs_error *err)
{
	struct uvsd_datapath *dp;
	int ret;

	if (io->nworkers > e->nworkers) {
		return uvs_errorf(err, EINVAL, "the backend has %u workers, the engine %u",
				  io->nworkers, e->nworkers);
	}
	*out = NULL;
	dp = calloc(1, sizeof(*dp));
	if (!dp) {
		return uvs_errorf(err, ENOMEM, "out of memory");
	}
	dp->engine = e;
	dp->nworkers = io->nworkers;
	dp->heartbeat = hb;
	dp->idle_wait_ms = IDLE_WAIT_MS;
	if (hb && uvsd_heartbeat_wait_ms(hb) < IDLE_WAIT_MS)
		dp->idle_wait_ms = uvsd_heartbeat_wait_ms(hb);
	pthread_mutex_init(&dp->lock, NULL);
	pthread_mutex_init(&dp->stats_lock, NULL);
	pthread_cond_init(&dp->cond, NULL);
	dp->threads = calloc(dp->nworkers, sizeof(*dp->threads));
	if (!dp->threads) {
		ret = uvs_errorf(err, ENOMEM, "out of memory");
		goto fail;
	}
	dp->ifnames = io->ifnames;
	dp->nifs = io->nifs;
	dp->config = *io;
	dp->gro_was_on = calloc(io->nifs, sizeof(bool));
	dp->carried = calloc(dp->nworkers, sizeof(*dp->carried));
	if (!dp->gro_was_on || !dp->carried) {
		ret = uvs_errorf(err, ENOMEM, "out of memory");
		goto fail;
	}
	gro_off(dp);
	if ((ret = open_io(dp, err)) < 0)
		goto fail;
	for (unsigned i = 0; i < dp->nworkers; i++) {
		struct thread *t = &dp->threads[i];

		t->dp = dp;
		if ((ret = uvs_nhcache_open(&t->nh)) < 0) {
			uvs_syserrorf(err, -ret, "rtnetlink");
			goto fail;
		}
		if ((ret = -pthread_create(&t->tid, NULL, worker_main, t)) < 0) {
			uvs_syserrorf(err, -ret, "worker thread");
			goto fail;
		}
		t->started = true;
		/* Named for top -H and for tests that stop one worker alone (at most
		 * UVSD_MAX_WORKERS: two digits). */
		char name[16];
		snprintf(name, sizeof(name), "uvsd-worker%u", i % 100);
		pthread_setname_np(t->tid, name);
		pthread_mutex_lock(&dp->lock);
		dp->started++;
		while (!t->ready)
			pthread_cond_wait(&dp->cond, &dp->lock);
		pthread_mutex_unlock(&dp->lock);
		if ((ret = t->result) < 0) {
			uvs_syserrorf(err, -ret, "worker %u", i);
			goto fail;
		}
	}
	*out = dp;
	return 0;
fail:
	uvsd_datapath_stop(dp);
	*out = dp; /* workers may be registered with the engine: freed after it */
	return ret;
}

/* Adds the counters of dp->io's workers to those carried over from earlier
 * backends. */
static void sum_io(const struct uvs_io_stats *s, struct uvs_io_stats *to)
{
#define X(name, help) to->name += s->name;
	UVS_IO_COUNTERS(X)
#undef X
}

int uvsd_datapath_reopen(struct uvsd_datapath *dp, struct uvs_error *err)
{
	int ret;

	/* Park every worker between batches; a sleeping one is woken for good, as
	 * this backend is closed next. */
	uvs_store_release(&dp->hold, true);
	if (dp->io)
		uvs_io_wake(dp->io);
	pthread_mutex_lock(&dp->lock);
	while (dp->parked < dp->started)
		pthread_cond_wait(&dp->cond, &dp->lock);
	pthread_mutex_unlock(&dp->lock);
	/* Readers of the counters see the old backend or the new one, never neither. */
	pthread_mutex_lock(&dp->stats_lock);
	for (unsigned i = 0; dp->io && i < dp->nworkers; i++) {
		struct uvs_io_stats st;

		uvs_io_stats(dp->io, i, &st);
		sum_io(&st, &dp->carried[i]);
	}
	uvs_io_close(dp->io);
	dp->io = NULL;
	gro_off(dp);
	ret = open_io(dp, err);
	pthread_mutex_unlock(&dp->stats_lock);
	/* Next hops may have moved to the new link: ask the kernel afresh. */
	for (unsigned i = 0; i < dp->nworkers; i++)
		uvs_nhcache_flush(dp->threads[i].nh);
	if (ret < 0)
		return ret; /* the workers wait for a reopen that succeeds */
	pthread_mutex_lock(&dp->lock);
	uvs_store_release(&dp->hold, false);
	pthread_cond_broadcast(&dp->cond);
	pthread_mutex_unlock(&dp->lock);
	return 0;
}

bool uvsd_datapath_mtu_grew(const struct uvsd_datapath *dp, uint32_t *was, uint32_t *now)
{
	*was = dp->mtu;
	*now = uvs_links_mtu(dp->ifnames, dp->nifs);
	return *now > *was;
}

void uvsd_datapath_stop(struct uvsd_datapath *dp)
{
	if (!dp)
		return;
	pthread_mutex_lock(&dp->lock);
	uvs_store_release(&dp->stop, true);
	pthread_cond_broadcast(&dp->cond); /* parked workers */
	pthread_mutex_unlock(&dp->lock);
	if (dp->io)
		uvs_io_wake(dp->io);
	for (unsigned i = 0; dp->threads && i < dp->nworkers; i++)
		if (dp->threads[i].started) {
			pthread_join(dp->threads[i].tid, NULL);
			dp->threads[i].started = false;
		}
	pthread_mutex_lock(&dp->stats_lock);
	uvs_io_close(dp->io);
	dp->io = NULL;
	pthread_mutex_unlock(&dp->stats_lock);
	for (unsigned i = 0; dp->gro_was_on && i < dp->nifs; i++)
		if (dp->gro_was_on[i]) {
			uvs_link_gro_on(dp->ifnames[i]);
			dp->gro_was_on[i] = false;
		}
}

void uvsd_datapath_free(struct uvsd_datapath *dp)
{
	if (!dp)
		return;
	for (unsigned i = 0; dp->threads && i < dp->nworkers; i++)
		uvs_nhcache_close(dp->threads[i].nh);
	free(dp->threads);
	free(dp->gro_was_on);
	free(dp->carried);
	pthread_mutex_destroy(&dp->lock);
	pthread_mutex_destroy(&dp->stats_lock);
	pthread_cond_destroy(&dp->cond);
	free(dp);
}

struct uvs_marks *uvsd_datapath_set_marks(struct uvsd_datapath *dp, struct uvs_marks *marks)
{
	struct uvs_marks *old = rcu_xchg_pointer(&dp->marks, marks);

	synchronize_rcu();
	return old;
}

void uvsd_datapath_counters(struct uvsd_datapath *dp, struct uvs_io_stats *io,
			    struct uvs_nhcache_stats *nh)
{
	memset(io, 0, sizeof(*io));
	memset(nh, 0, sizeof(*nh));
	if (!dp)
		return;
	pthread_mutex_lock(&dp->stats_lock);
	for (unsigned i = 0; dp->carried && i < dp->nworkers; i++) {
		struct uvs_io_stats s;
		struct uvs_nhcache_stats c;

		sum_io(&dp->carried[i], io);
		if (dp->io) {
			uvs_io_stats(dp->io, i, &s);
			sum_io(&s, io);
		}
		if (dp->threads[i].nh) {
			uvs_nhcache_stats(dp->threads[i].nh, &c);
			nh->hits += c.hits;
			nh->misses += c.misses;
		}
	}
	pthread_mutex_unlock(&dp->stats_lock);
}

unsigned uvsd_datapath_workers(const struct uvsd_datapath *dp)
{
	return dp ? dp->nworkers : 0;
}

void uvsd_datapath_worker_stats(const struct uvsd_datapath *dp, unsigned i,
				struct uvsd_worker_stats *out)
{
	/* Relaxed: counts with one writer each, read on their own. */
	out->frames = uvs_load_relaxed(&dp->threads[i].frames);
	out->busy_ns = uvs_load_relaxed(&dp->threads[i].busy_ns);
}
