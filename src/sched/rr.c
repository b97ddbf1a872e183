// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Round-Robin: walk on from the last pick, circularly, to the next usable destination.
 *
 * The kernel keeps one cursor per service, a list node, under the service's lock; the
 * destination under it, when deleted, moves it to its predecessor. Here each worker
 * has a cursor of its own and picks without the lock (svc->unlocked), so that new
 * connections on two cores do not share a lock and a cursor's cache line. A cursor
 * holds the seq of the destination last picked (0: the list head), not a pointer: the
 * list is in descending seq order, so "the first destination after the cursor" is the
 * first with a smaller seq, whether or not the one picked is still there, which is
 * exactly where the kernel's moved cursor leads. One worker alone picks the kernel's
 * sequence; several interleave theirs.
 */
#include "sched.h"

#include <errno.h>
#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

#include "core/rcu-handoff.h"

struct rr_cursor {
	alignas(64) uint64_t seq; /* of the last pick; 0: the head (atomic) */
};

struct rr_data {
	struct uvs_sched_unlocked unlocked; /* first: rr_data is found from it */
	struct rcu_head rcu;
	unsigned ncursors; /* one per worker, then one for any other caller */
	struct rr_cursor cursor[];
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
static struct uvs_dest *rr_pick(struct uvs_service *svc, struct rr_data *rr,
				const struct uvs_sched_pkt *pkt)
{
	unsigned slot = pkt->worker < rr->ncursors - 1 ? pkt->worker : rr->ncursors - 1;
	struct rr_cursor *cur = &rr->cursor[slot];
	/* Relaxed: one writer per cursor (its worker, or the lock's holder). */
	uint64_t at = uvs_load_relaxed(&cur->seq);
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
		if (uvs_dest_usable(d) && uvs_dest_svc(d) == svc) {
			uvs_store_relaxed(&cur->seq, uvs_load_relaxed(&d->seq));
			return d;
		}
	}
	return NULL;
}

static struct uvs_dest *rr_schedule_unlocked(struct uvs_service *svc, struct uvs_sched_unlocked *u,
					     const struct uvs_sched_pkt *pkt)
{
	return rr_pick(svc, (struct rr_data *)u, pkt);
}

/* The same under svc->lock (a caller that asks the ops directly). */
static struct uvs_dest *rr_schedule(struct uvs_service *svc, const struct uvs_sched_pkt *pkt)
{
	return rr_pick(svc, svc->sched_data, pkt);
}

static int rr_init(struct uvs_service *svc)
{
	unsigned n = svc->model->nworkers + 1;
	size_t size = sizeof(struct rr_data) + n * sizeof(struct rr_cursor);
	struct rr_data *rr =
		aligned_alloc(alignof(struct rr_cursor), (size + alignof(struct rr_cursor) - 1) &
								 ~(alignof(struct rr_cursor) - 1));

	if (!rr)
		return -ENOMEM;
	memset(rr, 0, size);
	rr->unlocked.schedule = rr_schedule_unlocked;
	rr->ncursors = n;
	svc->sched_data = rr;
	uvs_store_release(&svc->unlocked, &rr->unlocked); /* rr set up first */
	return 0;
}

static void rr_free(struct rcu_head *head)
{
	uvs_rcu_callback_begin();
	free(caa_container_of(head, struct rr_data, rcu));
}

static void rr_done(struct uvs_service *svc)
{
	struct rr_data *rr = svc->sched_data;

	/* Unlocked picks that found it may still be walking: freed after them. */
	uvs_store_release(&svc->unlocked, NULL);
	uvs_call_rcu(&rr->rcu, rr_free);
}

const struct uvs_sched_ops uvs_sched_rr = {
	.name = "rr",
	.init_service = rr_init,
	.done_service = rr_done,
	.schedule = rr_schedule,
};
