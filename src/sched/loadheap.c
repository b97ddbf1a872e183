// SPDX-License-Identifier: GPL-2.0-or-later
#include "loadheap.h"

#include <errno.h>
#include <stdlib.h>

/* A 4-ary heap: half the depth of a binary one, and the four children of a node share
 * a cache line or two, which matters at 10,000 destinations. */
#define ARITY 4

/*
 * Where each destination stands is kept in the index's own array, pos[anchor], not in
 * the destination: a change of load moves about eight entries at 10,000 destinations,
 * and writing each moved destination's own line cost a cache miss per move. A
 * destination gets an anchor when the index learns of it and keeps it until it
 * leaves the service (d->sched_pos[slot] = anchor + 1); pos[anchor] is its entry's
 * position + 1, or 0 while it is not eligible.
 */

/* a before b: smaller num/den, then nearer the list head (larger seq). */
static bool before(const struct uvs_loadheap_ent *a, const struct uvs_loadheap_ent *b)
{
	uint64_t l = a->num * b->den, r = b->num * a->den;
	return l < r || (l == r && a->seq > b->seq);
}

static void place(struct uvs_loadheap *h, unsigned i, const struct uvs_loadheap_ent *e)
{
	h->ents[i] = *e;
	h->pos[e->anchor] = i + 1;
}

/* Moves the entry at i up or down to its place. */
static void sift(struct uvs_loadheap *h, unsigned i)
{
	struct uvs_loadheap_ent e = h->ents[i];

	while (i > 0) {
		unsigned parent = (i - 1) / ARITY;
		if (!before(&e, &h->ents[parent]))
			break;
		place(h, i, &h->ents[parent]);
		i = parent;
	}
	for (;;) {
		unsigned first = i * ARITY + 1, best = i;
		const struct uvs_loadheap_ent *b = &e;
		for (unsigned c = first; c < first + ARITY && c < h->n; c++) {
			if (before(&h->ents[c], b)) {
				best = c;
				b = &h->ents[c];
			}
		}
		if (best == i)
			break;
		place(h, i, &h->ents[best]);
		i = best;
	}
	place(h, i, &e);
}

static void remove_at(struct uvs_loadheap *h, unsigned i)
{
	h->pos[h->ents[i].anchor] = 0;
	if (--h->n == i)
		return;
	place(h, i, &h->ents[h->n]);
	sift(h, i);
}

/* Grows the arrays for cap destinations. On failure those already grown stay so (they
 * are only larger), and h->cap is unchanged. */
static int reserve(struct uvs_loadheap *h, unsigned cap)
{
	struct uvs_loadheap_ent *ents;
	uint32_t *pos, *spare;

	if (cap <= h->cap)
		return 0;
	cap = cap < 16 ? 16 : cap + cap / 2;
	if (!(ents = realloc(h->ents, sizeof(*ents) * cap)))
		return -ENOMEM;
	h->ents = ents;
	if (!(pos = realloc(h->pos, sizeof(*pos) * cap)))
		return -ENOMEM;
	h->pos = pos;
	if (!(spare = realloc(h->spare, sizeof(*spare) * cap)))
		return -ENOMEM;
	h->spare = spare;
	h->cap = cap;
	return 0;
}

/* Gives d an anchor, not yet in the heap. reserve() made room for it. */
static void anchor(struct uvs_loadheap *h, struct uvs_dest *d)
{
	uint32_t a = h->nspare ? h->spare[--h->nspare] : h->nanchors++;

	h->pos[a] = 0;
	d->sched_pos[h->slot] = (int)a + 1;
}

void uvs_loadheap_update(struct uvs_loadheap *h, struct uvs_dest *d)
{
	uint32_t a = (uint32_t)d->sched_pos[h->slot] - 1;
	uint32_t pos = h->pos[a];
	struct uvs_loadheap_ent e = { .seq = d->seq, .d = d, .anchor = a };

	if (!h->rule->eligible(d)) {
		if (pos)
			remove_at(h, pos - 1);
		return;
	}
	h->rule->key(d, &e.num, &e.den);
	if (!pos)
		pos = ++h->n; /* reserve() made room for every destination of the service */
	place(h, pos - 1, &e);
	sift(h, pos - 1);
}

int uvs_loadheap_prepare(struct uvs_loadheap *h, const struct uvs_load_rule *rule, unsigned slot,
			 const struct uvs_service *svc)
{
	*h = (struct uvs_loadheap){ .rule = rule, .slot = slot };
	return reserve(h, svc->num_dests);
}

void uvs_loadheap_fill(struct uvs_loadheap *h, struct uvs_service *svc)
{
	struct uvs_dest *d;

	uvs_for_each_dest(d, svc) {
		anchor(h, d);
		uvs_loadheap_update(h, d);
	}
}

int uvs_loadheap_init(struct uvs_loadheap *h, const struct uvs_load_rule *rule, unsigned slot,
		      struct uvs_service *svc)
{
	if (uvs_loadheap_prepare(h, rule, slot, svc) < 0) {
		uvs_loadheap_free(h);
		return -ENOMEM;
	}
	uvs_loadheap_fill(h, svc);
	return 0;
}

void uvs_loadheap_free(struct uvs_loadheap *h)
{
	free(h->ents);
	free(h->pos);
	free(h->spare);
	*h = (struct uvs_loadheap){ .rule = h->rule, .slot = h->slot };
}

int uvs_loadheap_add(struct uvs_loadheap *h, struct uvs_service *svc, struct uvs_dest *d)
{
	if (reserve(h, svc->num_dests) < 0)
		return -ENOMEM;
	anchor(h, d);
	uvs_loadheap_update(h, d);
	return 0;
}

void uvs_loadheap_del(struct uvs_loadheap *h, struct uvs_dest *d)
{
	uint32_t a = (uint32_t)d->sched_pos[h->slot] - 1;

	if (h->pos[a])
		remove_at(h, h->pos[a] - 1);
	h->spare[h->nspare++] = a;
	d->sched_pos[h->slot] = 0;
}
