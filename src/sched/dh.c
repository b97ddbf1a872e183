// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Destination Hashing: a static table of 256 buckets keyed by the packet's destination
 * address, dealt one bucket per destination round the list, weights ignored. The table
 * changes only when a destination is added or deleted; an unusable bucket owner means
 * no destination (there is no fallback).
 *
 * The pick takes no lock, as sh's (sh.c): a rebuild stores each changed bucket on its
 * own under svc->lock while picks read the table inside their RCU read-side section.
 */
#include "hashsched.h"
#include "sched.h"

struct dh_data {
	struct uvs_sched_lockfree head; /* first: dh_data is found from it */
	/* Stored with a release (a destination set up first), read with an acquire. */
	struct uvs_dest *bucket[UVS_DH_BUCKETS];
};

static int dh_fill(struct uvs_service *svc)
{
	struct dh_data *dh = svc->sched_data;
	struct cds_list_head *p = &svc->dests;
	struct uvs_dest *owner[UVS_DH_BUCKETS];

	for (unsigned i = 0; i < UVS_DH_BUCKETS; i++) {
		if (cds_list_empty(&svc->dests)) {
			owner[i] = NULL;
			continue;
		}
		p = p->next;
		if (p == &svc->dests)
			p = p->next;
		owner[i] = cds_list_entry(p, struct uvs_dest, list);
	}
	uvs_sched_buckets_store(dh->bucket, owner, UVS_DH_BUCKETS);
	return 0;
}

/* Under svc->lock, or inside an RCU read-side section without it. */
static struct uvs_dest *dh_pick(struct uvs_service *svc, struct uvs_sched_unlocked *u,
				const struct uvs_sched_pkt *pkt)
{
	struct dh_data *dh = (struct dh_data *)u;
	uint32_t key = (uvs_addr_fold(pkt->af, &pkt->daddr) * 2654435761u) & (UVS_DH_BUCKETS - 1);
	struct uvs_dest *d = uvs_load_acquire(&dh->bucket[key]);

	(void)svc;
	return d && uvs_dest_usable(d) ? d : NULL;
}

static int dh_init(struct uvs_service *svc)
{
	return uvs_sched_lockfree_start(svc, sizeof(struct dh_data), dh_pick, dh_fill);
}

struct uvs_dest *uvs_dh_bucket(const struct uvs_service *svc, unsigned i)
{
	const struct dh_data *dh = svc->sched_data;

	if (svc->sched != &uvs_sched_dh || i >= UVS_DH_BUCKETS)
		return NULL;
	return dh->bucket[i];
}

const struct uvs_sched_ops uvs_sched_dh = {
	.name = "dh",
	.init_service = dh_init,
	.done_service = uvs_sched_lockfree_done,
	.rebuild = dh_fill,
	.schedule = uvs_sched_lockfree_schedule,
};
