// SPDX-License-Identifier: GPL-2.0-or-later
#include "loadheap.h"

#include <errno.h>
#include <stdlib.h>

/* A 4-ary heap: half the depth of a binary one, and the four children of a node share
 * a cache line or two, which matters at 10,000 destinations. */
#define ARITY 4

/* a before b: smaller num/den, then nearer the list head (larger seq). */
static bool before(const struct uvs_loadheap_ent *a, const struct uvs_loadheap_ent *b)
{
	uint64_t l = a->num * b->den, r = b->num * a->den;
	return l < r || (l == r && a->seq > b->seq);
}

static void place(struct uvs_loadheap *h, unsigned i, const struct uvs_loadheap_ent *e)
{
	h->ents[i] = *e;
	e->d->sched_pos[h->slot] = (int)i + 1;
}

static void sift_up(struct uvs_loadheap *h, unsigned i)
{
	struct uvs_loadheap_ent e = h->ents[i];

	while (i > 0) {
		unsigned parent = (i - 1) / ARITY;
		if (!before(&e, &h->ents[parent]))
			break;
		place(h, i, &h->ents[parent]);
		i = parent;
	}
	place(h, i, &e);
}

static void sift_down(struct uvs_loadheap *h, unsigned i)
{
	struct uvs_loadheap_ent e = h->ents[i];

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
	struct uvs_dest *moved;

	h->ents[i].d->sched_pos[h->slot] = 0;
	if (--h->n == i)
		return;
	moved = h->ents[h->n].d;
	place(h, i, &h->ents[h->n]);
	sift_up(h, i);
	sift_down(h, (unsigned)moved->sched_pos[h->slot] - 1);
}

static int reserve(struct uvs_loadheap *h, unsigned cap)
{
	struct uvs_loadheap_ent *ents;

	if (cap <= h->cap)
		return 0;
	cap = cap < 16 ? 16 : cap + cap / 2;
	ents = realloc(h->ents, sizeof(*ents) * cap);
	if (!ents)
		return -ENOMEM;
	h->ents = ents;
	h->cap = cap;
	return 0;
}

void uvs_loadheap_update(struct uvs_loadheap *h, struct uvs_dest *d)
{
	int pos = d->sched_pos[h->slot];
	struct uvs_loadheap_ent e = { .seq = d->seq, .d = d };

	if (!h->rule->eligible(d)) {
		if (pos)
			remove_at(h, (unsigned)pos - 1);
		return;
	}
	h->rule->key(d, &e.num, &e.den);
	if (!pos) {
		/* add() reserved room for every destination of the service. */
		place(h, h->n++, &e);
		sift_up(h, h->n - 1);
		return;
	}
	place(h, (unsigned)pos - 1, &e);
	sift_up(h, (unsigned)pos - 1);
	sift_down(h, (unsigned)d->sched_pos[h->slot] - 1);
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
		d->sched_pos[h->slot] = 0;
		uvs_loadheap_update(h, d);
	}
}

int uvs_loadheap_init(struct uvs_loadheap *h, const struct uvs_load_rule *rule, unsigned slot,
		      struct uvs_service *svc)
{
	if (uvs_loadheap_prepare(h, rule, slot, svc) < 0)
		return -ENOMEM;
	uvs_loadheap_fill(h, svc);
	return 0;
}

void uvs_loadheap_free(struct uvs_loadheap *h)
{
	free(h->ents);
	h->ents = NULL;
	h->n = h->cap = 0;
}

int uvs_loadheap_add(struct uvs_loadheap *h, struct uvs_service *svc, struct uvs_dest *d)
{
	if (reserve(h, svc->num_dests) < 0)
		return -ENOMEM;
	d->sched_pos[h->slot] = 0;
	uvs_loadheap_update(h, d);
	return 0;
}

void uvs_loadheap_del(struct uvs_loadheap *h, struct uvs_dest *d)
{
	int pos = d->sched_pos[h->slot];

	if (pos)
		remove_at(h, (unsigned)pos - 1);
}
