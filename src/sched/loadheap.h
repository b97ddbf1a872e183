/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A load index: the destinations of a service that a rule finds eligible, ordered by a
 * rule-defined rational key num/den (smallest first) and then by list order (newest
 * first), exactly the choice a first-wins scan of the kernel's list makes. Picking is
 * O(1); a change of one destination's load is O(log n), never allocates, and writes no
 * destination but the one whose load changed.
 *
 * It backs lc, wlc, sed, nq, fo and ovf on a large service (loadsched.h) and the wlc
 * fallback of lblc and lblcr, so that a new connection does not scan every destination.
 * All functions run under svc->lock.
 */
#ifndef UVS_LOADHEAP_H
#define UVS_LOADHEAP_H

#include <stdbool.h>

#include "sched.h"

struct uvs_load_rule {
	/* May d be picked at all? */
	bool (*eligible)(const struct uvs_dest *d);
	/* d's key as num/den, den > 0; smaller is better. num * den must fit 64 bits. */
	void (*key)(const struct uvs_dest *d, uint64_t *num, uint32_t *den);
};

struct uvs_loadheap_ent {
	uint64_t num;
	uint32_t den;
	uint32_t anchor; /* d's: pos[anchor] says where this entry is */
	uint64_t seq;
	struct uvs_dest *d;
};

struct uvs_loadheap {
	const struct uvs_load_rule *rule;
	struct uvs_loadheap_ent *ents; /* the heap: n entries */
	uint32_t *pos;		       /* by anchor: its entry's position + 1, 0 if none */
	uint32_t *spare;	       /* anchors given back, nspare of them */
	unsigned n, cap;	       /* cap: of each array */
	unsigned nanchors, nspare;     /* anchors handed out (never above cap) */
	unsigned slot; /* which of d->sched_pos[] holds a destination's anchor + 1 */
};

/* wlc's rule (overhead / weight), which lblc and lblcr fall back to. */
extern const struct uvs_load_rule uvs_wlc_rule;

/* sed's key, (active + 1) / weight, which nq falls back to: inline, so that each
 * scheduler's scan (loadsched.h) has it inlined. */
static inline void uvs_sed_key(const struct uvs_dest *d, uint64_t *num, uint32_t *den)
{
	*num = (uint64_t)uvs_dest_active(d) + 1;
	*den = uvs_dest_weight(d);
}

/* Builds the index over svc's destinations. Returns 0 or -ENOMEM, in which case no
 * destination was touched (another scheduler may still be using sched_pos). */
int uvs_loadheap_init(struct uvs_loadheap *h, const struct uvs_load_rule *rule, unsigned slot,
		      struct uvs_service *svc);
/* The two halves of init, for a scheduler with several indexes: allocate them all
 * (prepare: may fail, touches no destination), then fill them (cannot fail). */
int uvs_loadheap_prepare(struct uvs_loadheap *h, const struct uvs_load_rule *rule, unsigned slot,
			 const struct uvs_service *svc);
void uvs_loadheap_fill(struct uvs_loadheap *h, struct uvs_service *svc);
void uvs_loadheap_free(struct uvs_loadheap *h);
/* d was just added to svc: makes room for all of svc's destinations, then indexes d.
 * Returns 0 or -ENOMEM (index unchanged). */
int uvs_loadheap_add(struct uvs_loadheap *h, struct uvs_service *svc, struct uvs_dest *d);
/* d is leaving the service. */
void uvs_loadheap_del(struct uvs_loadheap *h, struct uvs_dest *d);
/* d's weight, counters or flags changed: re-evaluates its eligibility and key. */
void uvs_loadheap_update(struct uvs_loadheap *h, struct uvs_dest *d);

/* The best eligible destination, or NULL. */
static inline struct uvs_dest *uvs_loadheap_top(const struct uvs_loadheap *h)
{
	return h->n ? h->ents[0].d : NULL;
}

#endif
