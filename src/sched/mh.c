// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Maglev Hashing: a lookup table of M (prime) slots, keyed by the client's address
 * (and, with mh-port, its port). Every destination walks its own permutation of the
 * slots (a start offset and a step, both from hashing its address and port); in turn,
 * round the list, each claims its next free slots, as many per round as its weight
 * allows, until every slot is owned. Shares follow the weights, and adding or removing
 * one destination moves few slots between the others.
 *
 * Weights are the destinations' last non-zero weights, so that quiescing one (weight
 * 0) leaves the table alone: its clients find no destination, or with mh-fallback walk
 * on to another one.
 *
 * The table is allocated once, with a second one the rebuild deals the slots in; the
 * per-destination setup array grows on add and never shrinks, so deleting a
 * destination, which cannot fail, needs no memory.
 *
 * The pick takes no lock, as sh's (sh.c): the rebuild stores each slot that changed on
 * its own under svc->lock while picks read the table inside their RCU read-side
 * section.
 */
#include "hashsched.h"
#include "sched.h"
#include "siphash.h"

#include <errno.h>
#include <stdlib.h>

struct mh_setup {
	struct uvs_dest *d;
	uint32_t perm;	/* the next slot to try */
	uint32_t skip;	/* 1..M-1: the step of this destination's permutation */
	uint32_t turns; /* slots claimed per round */
};

struct mh_data {
	struct uvs_sched_lockfree head; /* first: mh_data is found from it */
	uint32_t size;			/* M, a prime */
	/* M slots, stored with a release (a destination set up first), read with an
	 * acquire; and M more the rebuild deals into. */
	struct uvs_dest **table, **dealt;
	struct mh_setup *setup;
	unsigned setup_cap;
};

static const struct uvs_siphash_key mh_key1 = { 2654435761u, 2654435761u };
static const struct uvs_siphash_key mh_key2 = { 2654446892u, 2654446892u };

/* port in network order. */
static uint64_t mh_hash(int af, const union uvs_addr *addr, uint16_t port, uint32_t offset,
			const struct uvs_siphash_key *key)
{
	uint32_t v = offset + ntohs(port) + uvs_addr_fold(af, addr);

	return uvs_siphash13(key, &v, sizeof(v));
}

/* 1-based index of the highest set bit; 0 for 0. */
static unsigned fls32(uint32_t x)
{
	return x ? 32 - (unsigned)__builtin_clz(x) : 0;
}

/* Makes room for n setup entries. Returns 0 or -ENOMEM with nothing changed. */
static int mh_reserve(struct mh_data *mh, unsigned n)
{
	struct mh_setup *s;
	unsigned cap = mh->setup_cap ? mh->setup_cap : 16;

	if (n <= mh->setup_cap)
		return 0;
	while (cap < n)
		cap *= 2;
	s = realloc(mh->setup, cap * sizeof(*s));
	if (!s)
		return -ENOMEM;
	mh->setup = s;
	mh->setup_cap = cap;
	return 0;
}

/* Deals mh->dealt's slots to svc's destinations, whose setup has room. */
static void mh_deal(struct uvs_service *svc, struct mh_data *mh)
{
	uint32_t m = mh->size, g = 0, maxlw = 0, filled = 0;
	struct uvs_dest **table = mh->dealt;
	uint64_t total_turns = 0;
	unsigned n = 0, rshift;
	struct uvs_dest *d;

	uvs_for_each_dest(d, svc) {
		if (d->last_weight > 0)
			g = g ? uvs_sched_gcd(g, d->last_weight) : d->last_weight;
		if (d->last_weight > maxlw)
			maxlw = d->last_weight;
	}
	if (!g)
		g = 1;
	/* Keep the largest turns below 64, so that the rounds interleave finely. */
	rshift = fls32(maxlw / g) > 6 ? fls32(maxlw / g) - 6 : 0;

	uvs_for_each_dest(d, svc) {
		struct mh_setup *s = &mh->setup[n++];
		uint32_t t = (d->last_weight / g) >> rshift;

		uint64_t h1 = mh_hash(d->conf.af, &d->conf.addr, d->conf.port, 0, &mh_key1);
		uint64_t h2 = mh_hash(d->conf.af, &d->conf.addr, d->conf.port, 0, &mh_key2);

		s->d = d;
		s->perm = (uint32_t)(h1 % m);
		s->skip = (uint32_t)(h2 % (m - 1)) + 1;
		s->turns = t ? t : (d->last_weight != 0);
		total_turns += s->turns;
	}

	for (uint32_t i = 0; i < m; i++)
		table[i] = NULL;
	if (total_turns == 0)
		return;
	for (;;) {
		for (unsigned i = 0; i < n; i++) {
			struct mh_setup *s = &mh->setup[i];
			for (uint32_t t = 0; t < s->turns; t++) {
				while (table[s->perm])
					s->perm = (s->perm + s->skip) % m;
				table[s->perm] = s->d;
				if (++filled == m)
					return;
			}
		}
	}
}

/* Rebuilds the table for svc's destinations. Returns 0, or -ENOMEM with the table as
 * it was. */
static int mh_build(struct uvs_service *svc)
{
	struct mh_data *mh = svc->sched_data;
	int ret = mh_reserve(mh, svc->num_dests);

	if (ret)
		return ret;
	mh_deal(svc, mh);
	uvs_sched_buckets_store(mh->table, mh->dealt, mh->size);
	return 0;
}

/* Under svc->lock, or inside an RCU read-side section without it. */
static struct uvs_dest *mh_pick(struct uvs_service *svc, struct uvs_sched_unlocked *u,
				const struct uvs_sched_pkt *pkt)
{
	struct mh_data *mh = (struct mh_data *)u;
	/* Relaxed: a service edit may change the flags; either value is a valid pick. */
	uint32_t flags = uvs_load_relaxed(&svc->flags);
	uint32_t m = mh->size;
	uint16_t port = 0;
	struct uvs_dest *d;

	if ((flags & UVS_SVC_F_SCHED_MH_PORT) &&
	    (pkt->protocol == IPPROTO_TCP || pkt->protocol == IPPROTO_UDP ||
	     pkt->protocol == IPPROTO_SCTP))
		port = pkt->sport;

	uint32_t ihash = (uint32_t)(mh_hash(pkt->af, &pkt->saddr, port, 0, &mh_key1) % m);
	d = uvs_load_acquire(&mh->table[ihash]);
	if (d && uvs_dest_usable(d))
		return d;
	if (!d || !(flags & UVS_SVC_F_SCHED_MH_FALLBACK))
		return NULL;
	/* The owner is unusable: probe other slots in an order fixed per client. */
	for (uint32_t offset = 0; offset < m; offset++) {
		uint32_t roffset = (offset + ihash) % m;
		d = uvs_load_acquire(
			&mh->table[mh_hash(pkt->af, &pkt->saddr, port, roffset, &mh_key1) % m]);
		if (!d)
			return NULL;
		if (uvs_dest_usable(d))
			return d;
	}
	return NULL;
}

static void mh_release(struct uvs_sched_lockfree *h)
{
	struct mh_data *mh = (struct mh_data *)h;

	free(mh->table);
	free(mh->dealt);
	free(mh->setup);
	free(mh);
}

static int mh_init(struct uvs_service *svc)
{
	struct mh_data *mh = (struct mh_data *)uvs_sched_lockfree_alloc(sizeof(*mh), mh_pick);
	int ret;

	if (!mh)
		return -ENOMEM;
	mh->head.release = mh_release;
	mh->size = UVS_MH_TAB_SIZE;
	mh->table = calloc(mh->size, sizeof(*mh->table));
	mh->dealt = calloc(mh->size, sizeof(*mh->dealt));
	svc->sched_data = mh;
	ret = mh->table && mh->dealt ? mh_build(svc) : -ENOMEM;
	if (ret) {
		mh_release(&mh->head);
		svc->sched_data = NULL;
		return ret;
	}
	uvs_sched_lockfree_publish(svc, &mh->head);
	return 0;
}

struct uvs_dest *uvs_mh_slot(const struct uvs_service *svc, unsigned i)
{
	const struct mh_data *mh = svc->sched_data;

	if (svc->sched != &uvs_sched_mh || i >= mh->size)
		return NULL;
	return mh->table[i];
}

const struct uvs_sched_ops uvs_sched_mh = {
	.name = "mh",
	.max_dests = UVS_MH_TAB_SIZE,
	.init_service = mh_init,
	.done_service = uvs_sched_lockfree_done,
	.rebuild = mh_build,
	.schedule = uvs_sched_lockfree_schedule,
};
