// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Round-Robin: walk on from the last pick, circularly, to the next usable destination.
 *
 * The kernel keeps the cursor, a list node, under the service's lock; the destination
 * under it, when deleted, moves it to its predecessor. Here the pick takes no lock
 * (svc->unlocked): it walks the list inside the worker's RCU read-side section and
 * moves the cursor with a compare-and-swap, trying again from where another worker
 * moved it meanwhile, so that workers share one round exactly as under the lock. The
 * cursor holds the seq of the destination last picked (0: the list head), not a
 * pointer: the list is in descending seq order, so "the first destination after the
 * cursor" is the first with a smaller seq, whether or not the one picked is still
 * there, which is exactly where the kernel's moved cursor leads.
 */
#include "sched.h"

#include <errno.h>
#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

struct rr_data {
	struct uvs_sched_lockfree head; /* first: rr_data is found from it */
	alignas(64) uint64_t cursor;	/* seq of the last pick; 0: the head (atomic) */
};

static struct uvs_dest *dest_of(struct cds_list_head *p)
{
	return cds_list_entry(p, struct uvs_dest, list);
}

/* The next node after p (under svc->lock or RCU: the list's next are published with a
 * release, model-t.h). */
static struct cds_list_head *next_of(struct cds_list_head *p)
{
	return uvs_load_acquire(&p->next);
}

/*
 * The kernel's walk from the cursor: num_dests + 1 steps visit every destination once,
 * the cursor's own last, and the list head once. Under svc->lock, or inside an RCU
 * read-side section (a destination taken out meanwhile is passed over).
 */
static struct uvs_dest *rr_walk(struct uvs_service *svc, uint64_t at)
{
	struct cds_list_head *head = &svc->dests, *p = next_of(head);
	unsigned n = uvs_load_relaxed(&svc->num_dests);

	/* Where the walk starts: the first destination after the cursor's. */
	if (at)
		while (p != head && uvs_load_relaxed(&dest_of(p)->seq) >= at)
			p = next_of(p);
	for (unsigned i = 0; i <= n; i++, p = next_of(p)) {
		if (p == head)
			continue;
		struct uvs_dest *d = dest_of(p);
		if (uvs_dest_usable(d) && uvs_dest_svc(d) == svc)
			return d;
	}
	return NULL;
}

/* A pick, and the cursor moved to it unless another pick moved it first: then again
 * from there, so that each pick follows the one before it. */
static struct uvs_dest *rr_pick(struct uvs_service *svc, struct rr_data *rr)
{
	/* Acquire: a cursor another worker moved, with the walk that led there. */
	uint64_t at = uvs_load_acquire(&rr->cursor);

	for (;;) {
		struct uvs_dest *d = rr_walk(svc, at);
		uint64_t seen;

		if (!d)
			return NULL;
		seen = uvs_cmpxchg_release(&rr->cursor, at, uvs_load_relaxed(&d->seq));
		if (seen == at)
			return d;
		at = seen;
	}
}

static struct uvs_dest *rr_schedule_unlocked(struct uvs_service *svc, struct uvs_sched_unlocked *u,
					     const struct uvs_sched_pkt *pkt)
{
	(void)pkt;
	return rr_pick(svc, (struct rr_data *)u);
}

/* The same under svc->lock (a caller that asks the ops directly). */
static struct uvs_dest *rr_schedule(struct uvs_service *svc, const struct uvs_sched_pkt *pkt)
{
	(void)pkt;
	return rr_pick(svc, svc->sched_data);
}

static int rr_init(struct uvs_service *svc)
{
	struct rr_data *rr = aligned_alloc(alignof(struct rr_data), sizeof(struct rr_data));

	if (!rr)
		return -ENOMEM;
	memset(rr, 0, sizeof(*rr));
	rr->head.u.schedule = rr_schedule_unlocked;
	svc->sched_data = rr;
	uvs_sched_lockfree_publish(svc, &rr->head);
	return 0;
}

const struct uvs_sched_ops uvs_sched_rr = {
	.name = "rr",
	.init_service = rr_init,
	.done_service = uvs_sched_lockfree_done,
	.schedule = rr_schedule,
};
