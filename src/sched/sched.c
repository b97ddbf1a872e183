// SPDX-License-Identifier: GPL-2.0-or-later
#include "sched.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/rcu-handoff.h"

/* The table comes from meson.build's list of scheduler files. */
#define UVS_SCHED(name) extern const struct uvs_sched_ops uvs_sched_##name;
#include "sched-list.h"
#undef UVS_SCHED

const struct uvs_sched_ops *const uvs_schedulers[] = {
#define UVS_SCHED(name) &uvs_sched_##name,
#include "sched-list.h"
#undef UVS_SCHED
	NULL,
};

const struct uvs_sched_ops *uvs_sched_find(const char *name)
{
	for (unsigned i = 0; uvs_schedulers[i]; i++)
		if (strcmp(uvs_schedulers[i]->name, name) == 0)
			return uvs_schedulers[i];
	return NULL;
}

int uvs_sched_add_dest(struct uvs_service *svc, struct uvs_dest *d)
{
	const struct uvs_sched_ops *ops = svc->sched;

	if (ops->add_dest)
		return ops->add_dest(svc, d);
	return ops->rebuild ? ops->rebuild(svc) : 0;
}

void uvs_sched_del_dest(struct uvs_service *svc, struct uvs_dest *d)
{
	const struct uvs_sched_ops *ops = svc->sched;

	if (ops->del_dest)
		ops->del_dest(svc, d);
	else if (ops->rebuild)
		ops->rebuild(svc); /* fewer destinations: cannot fail */
}

int uvs_sched_upd_dest(struct uvs_service *svc, struct uvs_dest *d)
{
	const struct uvs_sched_ops *ops = svc->sched;

	if (ops->upd_dest)
		return ops->upd_dest(svc, d);
	return ops->rebuild ? ops->rebuild(svc) : 0;
}

void uvs_sched_done(struct uvs_service *svc, const struct uvs_sched_ops *sched)
{
	if (sched->done_service)
		sched->done_service(svc);
	else
		free(svc->sched_data);
	svc->sched_data = NULL;
}

struct uvs_sched_lockfree *uvs_sched_lockfree_alloc(size_t size, uvs_sched_pick_fn *pick)
{
	size_t bytes = (size + 63) & ~(size_t)63;
	struct uvs_sched_lockfree *h = aligned_alloc(64, bytes);

	if (!h)
		return NULL;
	memset(h, 0, bytes);
	h->u.schedule = pick;
	return h;
}

void uvs_sched_lockfree_publish(struct uvs_service *svc, struct uvs_sched_lockfree *h)
{
	uvs_store_release(&svc->unlocked, &h->u); /* h's state set up first */
}

void uvs_sched_lockfree_unpublish(struct uvs_service *svc, struct uvs_sched_lockfree *h)
{
	/* A scheduler switch starts the new scheduler first, which may have published
	 * its own pick already (uvs_svc_edit()). */
	if (uvs_load_relaxed(&svc->unlocked) == &h->u) /* relaxed: written under svc->lock */
		uvs_store_release(&svc->unlocked, NULL);
}

int uvs_sched_lockfree_start(struct uvs_service *svc, size_t size, uvs_sched_pick_fn *pick,
			     int (*fill)(struct uvs_service *svc))
{
	struct uvs_sched_lockfree *h = uvs_sched_lockfree_alloc(size, pick);
	int ret;

	if (!h)
		return -ENOMEM;
	svc->sched_data = h;
	ret = fill ? fill(svc) : 0;
	if (ret) {
		free(h);
		svc->sched_data = NULL;
		return ret;
	}
	uvs_sched_lockfree_publish(svc, h);
	return 0;
}

struct uvs_dest *uvs_sched_lockfree_schedule(struct uvs_service *svc,
					     const struct uvs_sched_pkt *pkt)
{
	struct uvs_sched_lockfree *h = svc->sched_data;

	return h->u.schedule(svc, &h->u, pkt);
}

static void lockfree_free(struct rcu_head *rcu)
{
	struct uvs_sched_lockfree *h = caa_container_of(rcu, struct uvs_sched_lockfree, rcu);

	uvs_rcu_callback_begin();
	if (h->release)
		h->release(h);
	else
		free(h);
}

void uvs_sched_lockfree_done(struct uvs_service *svc)
{
	struct uvs_sched_lockfree *h = svc->sched_data;

	uvs_sched_lockfree_unpublish(svc, h);
	/* Picks that found it may still be running: freed after them. */
	uvs_call_rcu(&h->rcu, lockfree_free);
}

void uvs_sched_follow_load(struct uvs_service *svc, bool on)
{
	uvs_store_release(&svc->follows_load, on);
	if (on)
		uvs_full_fence(); /* before the caller reads the counters */
}

void uvs_sched_buckets_store(struct uvs_dest **live, struct uvs_dest *const *next, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (live[i] != next[i])
			uvs_store_release(&live[i], next[i]);
}

int uvs_sched_check_fits(const struct uvs_sched_ops *sched, unsigned num_dests,
			 struct uvs_error *err)
{
	if (sched->max_dests && num_dests > sched->max_dests)
		return uvs_errorf(err, EINVAL,
				  "scheduler %s takes at most %u destinations per service",
				  sched->name, sched->max_dests);
	return 0;
}

uint32_t uvs_sched_gcd(uint32_t a, uint32_t b)
{
	while (b) {
		uint32_t t = a % b;
		a = b;
		b = t;
	}
	return a;
}

uint32_t uvs_sched_gcd_weight(const struct uvs_service *svc)
{
	struct uvs_dest *d;
	uint32_t g = 0;

	uvs_for_each_dest(d, svc) {
		uint32_t w = uvs_dest_weight(d);
		if (w > 0)
			g = g ? uvs_sched_gcd(w, g) : w;
	}
	return g ? g : 1;
}

uint32_t uvs_sched_max_weight(const struct uvs_service *svc)
{
	struct uvs_dest *d;
	uint32_t max = 0;

	uvs_for_each_dest(d, svc) {
		if (uvs_dest_weight(d) > max)
			max = uvs_dest_weight(d);
	}
	return max;
}

uint32_t uvs_sched_rand(struct uvs_service *svc)
{
	/* xorshift64*: small, fast and seedable, so tests are repeatable. */
	uint64_t x = svc->rand_state;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	svc->rand_state = x;
	return (uint32_t)((x * 0x2545F4914F6CDD1Dull) >> 32);
}
