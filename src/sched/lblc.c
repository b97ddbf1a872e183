// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Locality-Based Least-Connection: a packet's destination address keeps going to the
 * real server it went to last, while that server has a weight and is not
 * "lblc-overloaded"; otherwise wlc picks a server, which the cache remembers for that
 * address. Built for cache clusters, where the destination address names the content.
 */
#include "lblcache.h"

#include <stdlib.h>

struct lblc_entry {
	struct uvs_lbl_entry base;
	struct uvs_dest *dest; /* NULL once its destination has left the service */
};

static void lblc_free_entry(struct uvs_lbl_entry *e)
{
	free(e);
}

static void lblc_forget(struct uvs_lbl_entry *e, const struct uvs_dest *d)
{
	struct lblc_entry *en = (struct lblc_entry *)e;

	if (en->dest == d)
		en->dest = NULL;
}

static const struct uvs_lbl_class lblc_class = {
	.free_entry = lblc_free_entry,
	.forget = lblc_forget,
};

static int lblc_init(struct uvs_service *svc)
{
	return uvs_lbl_sched_init(svc, &lblc_class);
}

static struct uvs_dest *lblc_schedule(struct uvs_service *svc, const struct uvs_sched_pkt *pkt)
{
	struct uvs_lbl *t = svc->sched_data;
	struct lblc_entry *en;
	struct uvs_dest *d;

	uvs_lbl_gc(t, pkt->now, uvs_lbl_expiration(&svc->model->sysctl.lblc_expiration));
	en = (struct lblc_entry *)uvs_lbl_find(t, pkt->af, &pkt->daddr);
	if (en) {
		en->base.lastuse = pkt->now;
		d = en->dest;
		if (d && uvs_dest_weight(d) > 0 && !uvs_lbl_overloaded(t, d))
			return d;
	}
	d = uvs_lbl_wlc(t);
	if (!d)
		return NULL;
	if (en) {
		en->dest = d;
		return d;
	}
	/* The one allocation on a pick: a new address. Without memory, serve uncached. */
	en = malloc(sizeof(*en));
	if (en) {
		en->base.af = pkt->af;
		en->base.addr = pkt->daddr;
		en->base.lastuse = pkt->now;
		en->dest = d;
		uvs_lbl_insert(t, &en->base);
	}
	return d;
}

const struct uvs_sched_ops uvs_sched_lblc = {
	.name = "lblc",
	.init_service = lblc_init,
	.done_service = uvs_lbl_sched_done,
	.add_dest = uvs_lbl_sched_add,
	.del_dest = uvs_lbl_sched_del,
	.upd_dest = uvs_lbl_sched_upd,
	.load_changed = uvs_lbl_sched_load,
	.schedule = lblc_schedule,
};
