// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Weighted Random Twos Choice: draw two destinations at random in proportion to their
 * weights, keep the one with the lower overhead / weight (the first draw on a tie).
 *
 * The kernel walks the list for each draw. Here a Fenwick tree over the list positions
 * holds each usable destination's weight, so a draw is O(log n) and picks exactly the
 * destination the kernel's walk would for the same random number. The tree is rebuilt
 * when the list changes and updated in place when a destination's weight or overload
 * changes. Random numbers come from the service's seedable generator.
 */
#include "sched.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct twos_data {
	struct uvs_dest **at; /* list position -> destination */
	uint64_t *tree;	      /* Fenwick tree of usable weights, 1-based */
	uint32_t *weight;     /* the weight each position holds in the tree */
	unsigned n, cap;
	uint64_t total;
};

static void tree_add(struct twos_data *t, unsigned pos, int64_t delta)
{
	for (unsigned i = pos + 1; i <= t->n; i += i & -i)
		t->tree[i] += (uint64_t)delta;
	t->total += (uint64_t)delta;
}

/* The first position whose prefix sum reaches target (1 <= target <= total). */
static unsigned tree_find(const struct twos_data *t, uint64_t target)
{
	unsigned pos = 0, step = 1;

	while (step * 2 <= t->n)
		step *= 2;
	for (; step; step /= 2) {
		if (pos + step <= t->n && t->tree[pos + step] < target) {
			pos += step;
			target -= t->tree[pos];
		}
	}
	return pos; /* 0-based: the answer is position pos */
}

static uint32_t usable_weight(const struct uvs_dest *d)
{
	return uvs_dest_usable(d) ? uvs_dest_weight(d) : 0;
}

static void refresh(struct twos_data *t, struct uvs_dest *d)
{
	unsigned pos = (unsigned)d->sched_pos[0];
	uint32_t w = usable_weight(d);

	if (w != t->weight[pos]) {
		tree_add(t, pos, (int64_t)w - t->weight[pos]);
		t->weight[pos] = w;
	}
}

/* Re-indexes every destination by list position. Returns 0 or -ENOMEM (unchanged). */
static int rebuild(struct twos_data *t, struct uvs_service *svc)
{
	struct uvs_dest *d;
	unsigned n = svc->num_dests, pos = 0;

	if (!t->tree || n > t->cap) {
		unsigned cap = n + n / 2 + 8;
		struct uvs_dest **at = malloc(sizeof(*at) * cap);
		uint64_t *tree = malloc(sizeof(*tree) * (cap + 1));
		uint32_t *weight = malloc(sizeof(*weight) * cap);
		if (!at || !tree || !weight) {
			free(at);
			free(tree);
			free(weight);
			return -ENOMEM;
		}
		free(t->at);
		free(t->tree);
		free(t->weight);
		t->at = at;
		t->tree = tree;
		t->weight = weight;
		t->cap = cap;
	}
	t->n = n;
	t->total = 0;
	memset(t->tree, 0, sizeof(*t->tree) * (n + 1));
	uvs_for_each_dest(d, svc) {
		t->at[pos] = d;
		t->weight[pos] = 0;
		d->sched_pos[0] = (int)pos++;
		refresh(t, d);
	}
	return 0;
}

static int twos_init(struct uvs_service *svc)
{
	struct twos_data *t = calloc(1, sizeof(*t));

	if (!t)
		return -ENOMEM;
	if (rebuild(t, svc) < 0) {
		free(t);
		return -ENOMEM;
	}
	svc->sched_data = t;
	return 0;
}

static void twos_done(struct uvs_service *svc)
{
	struct twos_data *t = svc->sched_data;

	free(t->at);
	free(t->tree);
	free(t->weight);
	free(t);
}

/* Fewer destinations than before (a deletion): needs no memory and cannot fail. */
static int twos_rebuild(struct uvs_service *svc)
{
	return rebuild(svc->sched_data, svc);
}

static void twos_load(struct uvs_service *svc, struct uvs_dest *d)
{
	refresh(svc->sched_data, d);
}

static int twos_upd(struct uvs_service *svc, struct uvs_dest *d)
{
	refresh(svc->sched_data, d);
	return 0;
}

/* The destination the kernel's walk stops at for random number r in 0..total: the
 * first whose running weight reaches r (the first usable one for r = 0). */
static struct uvs_dest *draw(const struct twos_data *t, uint64_t r)
{
	return t->at[tree_find(t, r ? r : 1)];
}

static struct uvs_dest *twos_schedule(struct uvs_service *svc, const struct uvs_sched_pkt *pkt)
{
	struct twos_data *t = svc->sched_data;
	struct uvs_dest *choice1, *choice2;

	(void)pkt;
	if (t->total == 0)
		return NULL;
	/* Inclusive of total, as in the kernel. */
	choice1 = draw(t, uvs_sched_rand(svc) % (t->total + 1));
	choice2 = draw(t, uvs_sched_rand(svc) % (t->total + 1));
	if ((uint64_t)uvs_dest_weight(choice2) * uvs_dest_overhead(choice1) >
	    (uint64_t)uvs_dest_weight(choice1) * uvs_dest_overhead(choice2))
		return choice2;
	return choice1;
}

const struct uvs_sched_ops uvs_sched_twos = {
	.name = "twos",
	.init_service = twos_init,
	.done_service = twos_done,
	.rebuild = twos_rebuild,
	.upd_dest = twos_upd,
	.load_changed = twos_load,
	.schedule = twos_schedule,
};
