// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Source Hashing: 256 buckets keyed by the client's address (and, with sh-port, its
 * port). Each destination in list order takes `weight` consecutive buckets (at least
 * one), round the list until the table is full; the table is rebuilt whenever a
 * destination is added, deleted or updated. With sh-fallback an unusable bucket owner
 * sends the lookup on along a fixed probe sequence of other buckets; a usable owner is
 * always kept, so the fallback moves only the clients of unusable destinations.
 *
 * The pick takes no lock (svc->unlocked): it reads the table inside the worker's RCU
 * read-side section while a rebuild, under svc->lock, stores each changed bucket on
 * its own: a pick sees each bucket's owner from before or after the change, as it
 * would a moment earlier or later (a table is never cleared to be rebuilt).
 */
#include "hashsched.h"
#include "sched.h"

struct sh_data {
	struct uvs_sched_lockfree head; /* first: sh_data is found from it */
	/* Stored with a release (a destination set up first), read with an acquire. */
	struct uvs_dest *bucket[UVS_SH_BUCKETS];
};

static int sh_fill(struct uvs_service *svc)
{
	struct sh_data *sh = svc->sched_data;
	struct cds_list_head *p = svc->dests.next;
	struct uvs_dest *owner[UVS_SH_BUCKETS];
	uint32_t given = 0;

	for (unsigned i = 0; i < UVS_SH_BUCKETS; i++) {
		if (p == &svc->dests) {
			owner[i] = NULL; /* an empty list */
			continue;
		}
		struct uvs_dest *d = cds_list_entry(p, struct uvs_dest, list);
		owner[i] = d;
		if (++given >= uvs_dest_weight(d)) {
			given = 0;
			p = p->next;
			if (p == &svc->dests)
				p = p->next;
		}
	}
	uvs_sched_buckets_store(sh->bucket, owner, UVS_SH_BUCKETS);
	return 0;
}

static unsigned sh_hash(uint32_t addr, uint16_t port, uint32_t offset)
{
	return (offset + (port + addr) * 2654435761u) & (UVS_SH_BUCKETS - 1);
}

/* Under svc->lock, or inside an RCU read-side section without it. */
static struct uvs_dest *sh_pick(struct uvs_service *svc, struct uvs_sched_unlocked *u,
				const struct uvs_sched_pkt *pkt)
{
	struct sh_data *sh = (struct sh_data *)u;
	/* Relaxed: a service edit may change the flags; either value is a valid pick. */
	uint32_t flags = uvs_load_relaxed(&svc->flags);
	uint32_t addr = uvs_addr_fold(pkt->af, &pkt->saddr);
	uint16_t port = 0;
	struct uvs_dest *d;

	if ((flags & UVS_SVC_F_SCHED_SH_PORT) &&
	    (pkt->protocol == IPPROTO_TCP || pkt->protocol == IPPROTO_UDP ||
	     pkt->protocol == IPPROTO_SCTP))
		port = ntohs(pkt->sport);

	uint32_t ihash = sh_hash(addr, port, 0);
	d = uvs_load_acquire(&sh->bucket[ihash]);
	if (d && uvs_dest_usable(d))
		return d;
	if (!d || !(flags & UVS_SVC_F_SCHED_SH_FALLBACK))
		return NULL;
	/* The owner is unusable: probe other buckets in an order fixed per client. */
	for (uint32_t offset = 0; offset < UVS_SH_BUCKETS; offset++) {
		uint32_t roffset = (offset + ihash) % UVS_SH_BUCKETS;
		d = uvs_load_acquire(&sh->bucket[sh_hash(addr, port, roffset)]);
		if (!d)
			return NULL;
		if (uvs_dest_usable(d))
			return d;
	}
	return NULL;
}

static int sh_init(struct uvs_service *svc)
{
	return uvs_sched_lockfree_start(svc, sizeof(struct sh_data), sh_pick, sh_fill);
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
	.done_service = uvs_sched_lockfree_done,
	.rebuild = sh_fill,
	.schedule = uvs_sched_lockfree_schedule,
};
