// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Weighted Round-Robin, as the kernel does it: a current weight cw steps down from the
 * largest weight by the weights' gcd; each pass over the list picks the destinations
 * whose weight is at least cw. With A=4, B=3, C=2: A A B A B C A B C, repeating.
 */
#include "sched.h"

#include <errno.h>
#include <stdlib.h>

struct wrr_data {
	struct cds_list_head *cl; /* last pick, or &svc->dests */
	int cw;			  /* current weight */
	int mw;			  /* largest weight less (gcd - 1) */
	int di;			  /* gcd of the positive weights */
};

/* Recomputes the weights' summary after a change; keeps cw where it still fits. */
static int wrr_changed(struct uvs_service *svc)
{
	struct wrr_data *w = svc->sched_data;

	w->cl = &svc->dests;
	w->di = (int)uvs_sched_gcd_weight(svc);
	w->mw = (int)uvs_sched_max_weight(svc) - (w->di - 1);
	if (w->cw > w->mw || w->cw == 0)
		w->cw = w->mw;
	else if (w->di > 1)
		w->cw = (w->cw / w->di) * w->di + 1;
	return 0;
}

static int wrr_init(struct uvs_service *svc)
{
	struct wrr_data *w = calloc(1, sizeof(*w));

	if (!w)
		return -ENOMEM;
	svc->sched_data = w;
	wrr_changed(svc);
	return 0;
}

static struct uvs_dest *wrr_schedule(struct uvs_service *svc, const struct uvs_sched_pkt *pkt)
{
	struct wrr_data *w = svc->sched_data;
	struct cds_list_head *head = &svc->dests, *p = w->cl, *last = w->cl, *stop = NULL;
	bool last_pass = false, restarted = false;

	(void)pkt;
	if (w->mw == 0)
		return NULL;
	for (;;) {
		for (p = p->next; p != head; p = p->next) {
			struct uvs_dest *d = cds_list_entry(p, struct uvs_dest, list);
			if (!uvs_dest_overloaded(d) && (int)uvs_dest_weight(d) >= w->cw) {
				w->cl = p;
				return d;
			}
			if (p == stop)
				goto none;
		}
		w->cw -= w->di;
		if (w->cw <= 0) {
			w->cw = w->mw;
			/* The pass for weight >= 1 has covered every destination. */
			if (last_pass || last == head)
				goto none;
			restarted = true;
		}
		last_pass = w->cw <= w->di;
		/* The first pass for weight >= 1 began after `last`; this one ends there. */
		if (last_pass && restarted && last != head)
			stop = last;
	}
none:
	w->cl = p;
	return NULL;
}

const struct uvs_sched_ops uvs_sched_wrr = {
	.name = "wrr",
	.init_service = wrr_init,
	.rebuild = wrr_changed,
	.schedule = wrr_schedule,
};
