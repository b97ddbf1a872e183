// SPDX-License-Identifier: GPL-2.0-or-later
/* Round-Robin: walk on from the last pick, circularly, to the next usable destination.
 * The cursor starts at the list head; deleting the destination under it moves it to
 * that destination's predecessor. */
#include "sched.h"

#include <errno.h>
#include <stdlib.h>

struct rr_data {
	struct cds_list_head *cursor; /* a destination's list node, or &svc->dests */
};

static int rr_init(struct uvs_service *svc)
{
	struct rr_data *rr = malloc(sizeof(*rr));

	if (!rr)
		return -ENOMEM;
	rr->cursor = &svc->dests;
	svc->sched_data = rr;
	return 0;
}

static void rr_del(struct uvs_service *svc, struct uvs_dest *d)
{
	struct rr_data *rr = svc->sched_data;

	/* d is unlinked but its prev still names its former predecessor. */
	if (rr->cursor == &d->list)
		rr->cursor = d->list.prev;
}

static struct uvs_dest *rr_schedule(struct uvs_service *svc, const struct uvs_sched_pkt *pkt)
{
	struct rr_data *rr = svc->sched_data;
	struct cds_list_head *p = rr->cursor;

	(void)pkt;
	/* num_dests + 1 steps visit every destination once, the cursor's own last, and
	 * the list head once. */
	for (unsigned i = 0; i <= svc->num_dests; i++) {
		p = p->next;
		if (p == &svc->dests)
			continue;
		struct uvs_dest *d = cds_list_entry(p, struct uvs_dest, list);
		if (uvs_dest_usable(d)) {
			rr->cursor = p;
			return d;
		}
	}
	return NULL;
}

const struct uvs_sched_ops uvs_sched_rr = {
	.name = "rr",
	.init_service = rr_init,
	.del_dest = rr_del,
	.schedule = rr_schedule,
};
