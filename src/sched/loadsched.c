// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The least-connection family's two ways to the same choice (loadsched.h):
 *
 * - scanning, up to SCAN_MAX destinations: the pick walks the list inside the worker's
 *   RCU read-side section without svc->lock (svc->unlocked), and since nothing is kept
 *   from the counters, a connection's state change takes no lock either
 *   (svc->follows_load off). Two workers may pick the same destination for connections
 *   they open at the same moment, as two CPUs may in the kernel, which scans the same
 *   way.
 * - indexed, above: a scan per new connection would cost a step per destination, so a
 *   load index per rule keeps the best at hand; the pick takes svc->lock, and every
 *   change of a destination's counters is told to the indexes under it.
 *
 * A service goes back to scanning once it has SCAN_AGAIN destinations or fewer: apart
 * from SCAN_MAX, so that adding and deleting one destination at the boundary does not
 * build and free the indexes each time.
 */
#include "loadsched.h"

#include <errno.h>
#include <stdlib.h>

#define SCAN_MAX   16
#define SCAN_AGAIN 8

struct load_sched {
	struct uvs_sched_lockfree head; /* first: found from it */
	const struct uvs_load_rule *const *rules;
	unsigned nrules;
	bool indexed;				       /* under svc->lock */
	struct uvs_loadheap index[UVS_LOAD_RULES_MAX]; /* while indexed; rule i in slot i */
};

static void index_free(struct load_sched *s)
{
	for (unsigned i = 0; i < s->nrules; i++)
		uvs_loadheap_free(&s->index[i]);
	s->indexed = false;
}

/* Builds the indexes over svc's destinations and makes picks use them. Returns 0, or
 * -ENOMEM with the indexes freed and svc still following the load (the caller puts
 * that back). Caller holds svc->lock. */
static int index_start(struct uvs_service *svc, struct load_sched *s)
{
	unsigned i;

	/* First: a change of the counters the fill does not see is told afterwards. */
	uvs_sched_follow_load(svc, true);
	for (i = 0; i < s->nrules; i++) {
		if (uvs_loadheap_prepare(&s->index[i], s->rules[i], i, svc) < 0) {
			index_free(s);
			return -ENOMEM;
		}
	}
	for (i = 0; i < s->nrules; i++)
		uvs_loadheap_fill(&s->index[i], svc);
	s->indexed = true;
	uvs_sched_lockfree_unpublish(svc, &s->head);
	return 0;
}

/* Scanning again: picks take no lock, the counters change without it. Caller holds
 * svc->lock. */
static void scan_start(struct uvs_service *svc, struct load_sched *s)
{
	uvs_sched_lockfree_publish(svc, &s->head);
	uvs_sched_follow_load(svc, false);
	index_free(s);
}

int uvs_load_sched_init(struct uvs_service *svc, const struct uvs_load_rule *const *rules,
			unsigned n, uvs_sched_pick_fn *scan)
{
	struct load_sched *s = (struct load_sched *)uvs_sched_lockfree_alloc(sizeof(*s), scan);

	if (!s)
		return -ENOMEM;
	s->rules = rules;
	s->nrules = n;
	if (svc->num_dests > SCAN_MAX) {
		if (index_start(svc, s) < 0) {
			free(s);
			return -ENOMEM; /* the model puts svc->follows_load back */
		}
	} else {
		scan_start(svc, s);
	}
	svc->sched_data = s;
	return 0;
}

void uvs_load_sched_done(struct uvs_service *svc)
{
	struct load_sched *s = svc->sched_data;

	index_free(s);
	uvs_sched_lockfree_done(svc); /* frees s after the picks that found it */
}

int uvs_load_sched_add(struct uvs_service *svc, struct uvs_dest *d)
{
	struct load_sched *s = svc->sched_data;
	unsigned i;

	if (!s->indexed) {
		if (svc->num_dests <= SCAN_MAX)
			return 0;
		if (index_start(svc, s) < 0) {
			uvs_sched_follow_load(svc, false); /* still scanning */
			return -ENOMEM;
		}
		return 0;
	}
	/* Room in every index before d is in any, so that a failure changes nothing. */
	for (i = 0; i < s->nrules; i++) {
		if (uvs_loadheap_add(&s->index[i], svc, d) < 0) {
			while (i--)
				uvs_loadheap_del(&s->index[i], d);
			return -ENOMEM;
		}
	}
	return 0;
}

void uvs_load_sched_del(struct uvs_service *svc, struct uvs_dest *d)
{
	struct load_sched *s = svc->sched_data;

	if (!s->indexed)
		return;
	for (unsigned i = 0; i < s->nrules; i++)
		uvs_loadheap_del(&s->index[i], d);
	if (svc->num_dests <= SCAN_AGAIN)
		scan_start(svc, s);
}

void uvs_load_sched_load(struct uvs_service *svc, struct uvs_dest *d)
{
	struct load_sched *s = svc->sched_data;

	if (!s->indexed)
		return; /* a change told while the service went back to scanning */
	for (unsigned i = 0; i < s->nrules; i++)
		uvs_loadheap_update(&s->index[i], d);
}

int uvs_load_sched_upd(struct uvs_service *svc, struct uvs_dest *d)
{
	uvs_load_sched_load(svc, d);
	return 0;
}

struct uvs_dest *uvs_load_sched_pick(struct uvs_service *svc, const struct uvs_sched_pkt *p)
{
	struct load_sched *s = svc->sched_data;
	struct uvs_dest *d = NULL;

	if (!s->indexed)
		return uvs_sched_lockfree_schedule(svc, p); /* the scan, under the lock */
	for (unsigned i = 0; i < s->nrules && !d; i++)
		d = uvs_loadheap_top(&s->index[i]);
	return d;
}
