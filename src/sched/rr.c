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
 * cursor" is the first with a smaller seq. Deleting the cursor's destination moves
 * the cursor to its predecessor's seq (0: the head), as the kernel moves its own.
 *
 * Finding that place from the list's head took a step per destination before the
 * cursor's (11 us a pick among 10,000). The last pick's destination is kept as a hint
 * to start from, trusted only if no destination was deleted since it was taken (the
 * deletion count it was taken under is stored with it; a deletion clears it), so that
 * it always points to a destination still in the list and a pick is O(1) again.
 */
#include "sched.h"

#include <stdalign.h>

/* A hint: the destination's address in the low 48 bits (one that needs more is not
 * kept), the low 16 bits of the deletion count it was taken under above them. */
#define HINT_ADDR_BITS 48
#define HINT_ADDR_MASK ((UINT64_C(1) << HINT_ADDR_BITS) - 1)

struct rr_data {
	struct uvs_sched_lockfree head; /* first: rr_data is found from it */
	/* On one line: a pick writes the cursor and the hint one after the other. */
	alignas(64) uint64_t cursor; /* seq of the last pick; 0: the head (atomic) */
	uint64_t hint;		     /* the last pick's destination, or 0 (atomic) */
	uint64_t deletions;	     /* destinations deleted; written under svc->lock */
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

/* The hint's destination if it was taken under deletion count dels, else NULL. */
static struct uvs_dest *hint_dest(struct rr_data *rr, uint64_t dels)
{
	/* Acquire: the destination was set up before the pick that stored it. */
	uint64_t h = uvs_load_acquire(&rr->hint);

	if (!h || h >> HINT_ADDR_BITS != (dels & 0xffff))
		return NULL;
	return (struct uvs_dest *)(uintptr_t)(h & HINT_ADDR_MASK);
}

static void set_hint(struct rr_data *rr, struct uvs_dest *d, uint64_t dels)
{
	uint64_t addr = (uintptr_t)d;

	if (addr & ~HINT_ADDR_MASK)
		return;
	uvs_store_release(&rr->hint, addr | (dels & 0xffff) << HINT_ADDR_BITS);
}

/*
 * The kernel's walk from the cursor (seq at; dels: the deletion count read before it):
 * num_dests + 1 steps visit every destination once, the cursor's own last, and the list
 * head once. Under svc->lock, or inside an RCU read-side section (a destination taken
 * out meanwhile is passed over).
 */
static struct uvs_dest *rr_walk(struct uvs_service *svc, struct rr_data *rr, uint64_t at,
				uint64_t dels)
{
	struct cds_list_head *head = &svc->dests, *p = head;
	unsigned n = uvs_load_relaxed(&svc->num_dests);

	/* Where the walk starts: the first destination after the cursor's, found from the
	 * hint when it is still in the list and not past the cursor (the list is in
	 * descending seq order), else from the head. */
	if (at) {
		struct uvs_dest *h = hint_dest(rr, dels);
		if (h && uvs_load_relaxed(&h->seq) >= at && uvs_dest_svc(h) == svc)
			p = &h->list;
	}
	p = next_of(p);
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
static struct uvs_dest *rr_pick(struct uvs_service *svc, struct uvs_sched_unlocked *u,
				const struct uvs_sched_pkt *pkt)
{
	struct rr_data *rr = (struct rr_data *)u;
	(void)pkt;

	/* Acquire: a deletion's count comes after its unlinking (rr_del_dest). */
	uint64_t dels = uvs_load_acquire(&rr->deletions);
	/* Acquire: a cursor another worker moved, with the walk that led there. */
	uint64_t at = uvs_load_acquire(&rr->cursor);

	for (;;) {
		struct uvs_dest *d = rr_walk(svc, rr, at, dels);
		uint64_t seen;

		if (!d)
			return NULL;
		seen = uvs_cmpxchg_release(&rr->cursor, at, uvs_load_relaxed(&d->seq));
		if (seen == at) {
			set_hint(rr, d, dels);
			return d;
		}
		at = seen;
	}
}

/* d has just been unlinked (svc->lock held). */
static void rr_del_dest(struct uvs_service *svc, struct uvs_dest *d)
{
	struct rr_data *rr = svc->sched_data;
	struct cds_list_head *prev = d->list.prev; /* left as it was by the unlinking */
	uint64_t to = prev == &svc->dests ? 0 : uvs_load_relaxed(&dest_of(prev)->seq);

	/* A cursor on d moves to d's predecessor, as the kernel's: the next pick is the
	 * destination after it, one added at the head meanwhile included (the first with a
	 * seq below d's would pass that one over). A pick that moves it first wins. */
	(void)uvs_cmpxchg_release(&rr->cursor, uvs_load_relaxed(&d->seq), to);
	/* No hint taken before now is trusted: a pick that read the count before and
	 * stores its hint after stores a stale count. */
	uvs_store_release(&rr->deletions, uvs_load_relaxed(&rr->deletions) + 1);
	uvs_store_release(&rr->hint, 0);
}

static int rr_init(struct uvs_service *svc)
{
	return uvs_sched_lockfree_start(svc, sizeof(struct rr_data), rr_pick, NULL);
}

const struct uvs_sched_ops uvs_sched_rr = {
	.name = "rr",
	.init_service = rr_init,
	.done_service = uvs_sched_lockfree_done,
	.del_dest = rr_del_dest,
	.schedule = uvs_sched_lockfree_schedule,
};
