// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Destination Hashing: a static table of 256 buckets keyed by the packet's destination
 * address, dealt one bucket per destination round the list, weights ignored. The table
 * changes only when a destination is added or deleted; an unusable bucket owner means
 * no destination (there is no fallback).
 */
#include "hashsched.h"
#include "sched.h"

#include <errno.h>
#include <stdlib.h>

struct dh_data {
	struct uvs_dest *bucket[UVS_DH_BUCKETS];
};

static int dh_fill(struct uvs_service *svc)
{
	struct dh_data *dh = svc->sched_data;
	struct cds_list_head *p = &svc->dests;

	for (unsigned i = 0; i < UVS_DH_BUCKETS; i++) {
		if (cds_list_empty(&svc->dests)) {
			dh->bucket[i] = NULL;
			continue;
		}
		p = p->next;
		if (p == &svc->dests)
			p = p->next;
		dh->bucket[i] = cds_list_entry(p, struct uvs_dest, list);
	}
	return 0;
}

static int dh_init(struct uvs_service *svc)
{
	struct dh_data *dh = malloc(sizeof(*dh));

	if (!dh)
		return -ENOMEM;
	svc->sched_data = dh;
	dh_fill(svc);
	return 0;
}

static struct uvs_dest *dh_schedule(struct uvs_service *svc, const struct uvs_sched_pkt *pkt)
{
	struct dh_data *dh = svc->sched_data;
	uint32_t key = (uvs_addr_fold(pkt->af, &pkt->daddr) * 2654435761u) & (UVS_DH_BUCKETS - 1);
	struct uvs_dest *d = dh->bucket[key];

	return d && uvs_dest_usable(d) ? d : NULL;
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
	.rebuild = dh_fill,
	.schedule = dh_schedule,
};
