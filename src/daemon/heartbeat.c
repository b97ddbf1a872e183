// SPDX-License-Identifier: GPL-2.0-or-later
#include "heartbeat.h"

#include <errno.h>
#include <pthread.h>
#include <stdalign.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/atomic.h"
#include "log.h"

#define NS_PER_MS 1000000ull
/* Publications per timeout. A deadline published at t is at least t - wait + timeout
 * (the oldest idle worker's stamp), and the next comes by t + 2 * wait: with wait an
 * eighth of the timeout, a healthy worker may be kept off its CPU for 5/8 of the
 * timeout before the programs give up on uvsd. */
#define BEATS_PER_TIMEOUT 8
/* A worker whose last beat is older than this many periods publishes as it beats:
 * within that, its stamp keeps the deadline 6/8 of the timeout ahead, and the next
 * period's publication moves it on in time. */
#define BACK_AFTER_PERIODS 2

/* Each worker's stamp in a cache line of its own: written at every turn. */
struct stamp {
	alignas(64) uint64_t seen_ns; /* atomic: its worker writes, the publisher reads */
};

struct uvsd_heartbeat {
	uvsd_publish_fn publish;
	void *arg;
	uint64_t timeout_ns, period_ns;
	uint64_t next_ns;     /* atomic: no publication before */
	pthread_mutex_t lock; /* held by the worker that publishes; guards what follows */
	uint64_t until_ns;    /* the deadline published last */
	int error;	      /* of the last publication: logged when it changes */
	unsigned nworkers;
	struct stamp *stamps;
};

int uvsd_heartbeat_new(unsigned nworkers, uint32_t timeout_ms, uint64_t now_ns,
		       uvsd_publish_fn publish, void *arg, struct uvsd_heartbeat **out)
{
	struct uvsd_heartbeat *hb;
	int ret;

	if (!nworkers || !publish || !out || timeout_ms < UVSD_HEARTBEAT_MIN_MS ||
	    timeout_ms > UVSD_HEARTBEAT_MAX_MS)
		return -EINVAL;
	hb = calloc(1, sizeof(*hb));
	if (!hb ||
	    !(hb->stamps = aligned_alloc(alignof(struct stamp), nworkers * sizeof(*hb->stamps)))) {
		free(hb);
		return -ENOMEM;
	}
	hb->publish = publish;
	hb->arg = arg;
	hb->nworkers = nworkers;
	hb->timeout_ns = timeout_ms * NS_PER_MS;
	hb->period_ns = hb->timeout_ns / BEATS_PER_TIMEOUT;
	for (unsigned i = 0; i < nworkers; i++)
		hb->stamps[i].seen_ns = now_ns;
	hb->until_ns = now_ns + hb->timeout_ns;
	hb->next_ns = now_ns + hb->period_ns;
	if ((ret = publish(arg, hb->until_ns)) < 0) {
		free(hb->stamps);
		free(hb);
		return ret;
	}
	pthread_mutex_init(&hb->lock, NULL);
	*out = hb;
	return 0;
}

int uvsd_heartbeat_wait_ms(const struct uvsd_heartbeat *hb)
{
	return (int)(hb->period_ns / NS_PER_MS);
}

/* Publishes the oldest stamp plus the timeout, if later than the last deadline.
 * Called with hb->lock held. */
static void publish(struct uvsd_heartbeat *hb)
{
	uint64_t oldest = UINT64_MAX, until;
	int ret;

	for (unsigned i = 0; i < hb->nworkers; i++) {
		uint64_t seen = uvs_load_relaxed(&hb->stamps[i].seen_ns);

		if (seen < oldest)
			oldest = seen;
	}
	until = oldest + hb->timeout_ns;
	if (until <= hb->until_ns)
		return;
	ret = hb->publish(hb->arg, until);
	if (ret < 0 && ret != hb->error)
		uvs_log(LOG_ERR,
			"steering: the fail-safe's deadline cannot be moved (%s): the programs "
			"will leave the services' frames to the kernel",
			strerror(-ret));
	else if (!ret && hb->error)
		uvs_log(LOG_NOTICE, "steering: the fail-safe's deadline moves again");
	hb->error = ret < 0 ? ret : 0;
	if (!ret)
		hb->until_ns = until;
}

void uvsd_heartbeat_beat(struct uvsd_heartbeat *hb, unsigned id, uint64_t now_ns)
{
	uint64_t prev = uvs_load_relaxed(&hb->stamps[id].seen_ns); /* only this worker's */
	/* Back after more than two periods away (stopped, off its CPU): the deadline may
	 * rest on its old stamp, a little ahead of now at best, and would pass before the
	 * next period's publication although every worker turns again (seen after
	 * SIGCONT). It publishes at once, waiting for a worker that publishes meanwhile
	 * (perhaps from that old stamp): rare, and one map update long. */
	bool back = now_ns > prev && now_ns - prev > BACK_AFTER_PERIODS * hb->period_ns;

	/* Relaxed: a time read on its own; a stamp seen late only delays a deadline. */
	uvs_store_relaxed(&hb->stamps[id].seen_ns, now_ns);
	if (back)
		pthread_mutex_lock(&hb->lock);
	else if (now_ns < uvs_load_relaxed(&hb->next_ns) || pthread_mutex_trylock(&hb->lock))
		return;
	if (back || now_ns >= hb->next_ns) {
		publish(hb);
		uvs_store_relaxed(&hb->next_ns, now_ns + hb->period_ns);
	}
	pthread_mutex_unlock(&hb->lock);
}

void uvsd_heartbeat_free(struct uvsd_heartbeat *hb)
{
	if (!hb)
		return;
	pthread_mutex_destroy(&hb->lock);
	free(hb->stamps);
	free(hb);
}
