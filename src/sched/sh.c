// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Source Hashing: 256 buckets keyed by the client's address (and, with sh-port, its
 * port). Each destination in list order takes `weight` consecutive buckets (at least
 * one), round the list until the table is full; the table is rebuilt whenever a
 * destination is added, deleted or updated. With sh-fallback an unusable bucket owner
 * sends the lookup on along a fixed probe sequence of other buckets; a usable owner is
 * always kept, so the fallback moves only the clients of unusable destinations.
 */
#include "hashsched.h"
#include "sched.h"

#include <errno.h>
#include <stdlib.h>

struct sh_data {
	struct uvs_dest *bucket[UVS_SH_BUCKETS];
};

static int sh_fill(struct uvs_service *svc)
{
	struct sh_data *sh = svc->sched_data;
	struct cds_list_head *p = svc->dests.next;
	uint32_t given = 0;

	for (unsigned i = 0; i < UVS_SH_BUCKETS; i++) {
		if (p == &svc->dests) {
			sh->bucket[i] = NULL; /* an empty list */
			continue;
		}
		struct uvs_dest *d = cds_list_entry(p, struct uvs_dest, list);
		sh->bucket[i] = d;
		if (++given >= uvs_dest_weight(d)) {
			given = 0;
			p = p->next;
			if (p == &svc->dests)
				p = p->next;
		}
	}
	return 0;
}

static int sh_init(struct uvs_service *svc)
{
	struct sh_data *sh = malloc(sizeof(*sh));

	if (!sh)
		return -ENOMEM;
	svc->sched_data = sh;
	sh_fill(svc);
	return 0;
}

static unsigned sh_hash(uint32_t addr, uint16_t port, uint32_t offset)
{
	return (offset + (port + addr) * 2654435761u) & (UVS_SH_BUCKETS - 1);
}

static struct uvs_dest *sh_schedule(struct uvs_service *svc, const struct uvs_sched_pkt *pkt)
{
	struct sh_data *sh = svc->sched_data;
	uint32_t flags = svc->flags; /* may change on a service edit */
	uint32_t addr = uvs_addr_fold(pkt->af, &pkt->saddr);
	uint16_t port = 0;
	struct uvs_dest *d;

	if ((flags & UVS_SVC_F_SCHED_SH_PORT) &&
	    (pkt->protocol == IPPROTO_TCP || pkt->protocol == IPPROTO_UDP ||
	     pkt->protocol == IPPROTO_SCTP))
		port = ntohs(pkt->sport);

	uint32_t ihash = sh_hash(addr, port, 0);
	d = sh->bucket[ihash];
	if (d && uvs_dest_usable(d))
		return d;
	if (!d || !(flags & UVS_SVC_F_SCHED_SH_FALLBACK))
		return NULL;
	/* The owner is unusable: probe other buckets in an order fixed per client. */
	for (uint32_t offset = 0; offset < UVS_SH_BUCKETS; offset++) {
		uint32_t roffset = (offset + ihash) % UVS_SH_BUCKETS;
		d = sh->bucket[sh_hash(addr, port, roffset)];
		if (!d)
			return NULL;
		if (uvs_dest_usable(d))
			return d;
	}
	return NULL;
}

struct uvs_dest *uvs_sh_bucket(const struct uvs_service *svc, unsigned i)
{
	const struct sh_data *sh = svc->sched_data;

	if (svc->sched != &uvs_sched_sh || i >= UVS_SH_BUCKETS)
		return NULL;
	return sh->bucket[i];
}

const struct uvs_sched_ops uvs_sched_sh = {
	.name = "sh",
	.init_service = sh_init,
	.rebuild = sh_fill,
	.schedule = sh_schedule,
};
