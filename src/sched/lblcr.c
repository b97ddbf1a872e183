// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Locality-Based Least-Connection with Replication: like lblc, but a destination address
 * maps to a set of real servers. The least loaded member serves; when it is
 * "lblc-overloaded" (or no member can serve), wlc picks a server over the whole service
 * and it joins the set. A set left unmodified for 24 hours sheds its most loaded member.
 *
 * Members are kept in insertion order and scanned newest first, the order of the
 * kernel's list (it adds at the head), so ties go to the newest member.
 */
#include "lblcache.h"

#include <stdlib.h>
#include <string.h>

struct lblcr_entry {
	struct uvs_lbl_entry base;
	uvs_time_t lastmod;
	unsigned n, cap;
	struct uvs_dest **set; /* set[n - 1] is the newest member */
};

static void lblcr_free_entry(struct uvs_lbl_entry *e)
{
	struct lblcr_entry *en = (struct lblcr_entry *)e;

	free(en->set);
	free(en);
}

static void set_remove_at(struct lblcr_entry *en, unsigned i)
{
	memmove(&en->set[i], &en->set[i + 1], sizeof(en->set[0]) * (en->n - i - 1));
	en->n--;
}

static void lblcr_forget(struct uvs_lbl_entry *e, const struct uvs_dest *d)
{
	struct lblcr_entry *en = (struct lblcr_entry *)e;

	for (unsigned i = 0; i < en->n; i++) {
		if (en->set[i] == d) {
			set_remove_at(en, i);
			return;
		}
	}
}

static const struct uvs_lbl_class lblcr_class = {
	.free_entry = lblcr_free_entry,
	.forget = lblcr_forget,
};

/* The member with the least overhead / weight, skipping overloaded members and those
 * of weight 0; the newest wins ties. */
static struct uvs_dest *set_min(const struct lblcr_entry *en)
{
	struct uvs_dest *least = NULL;

	for (unsigned i = en->n; i-- > 0;) {
		struct uvs_dest *d = en->set[i];
		if (!uvs_dest_usable(d))
			continue;
		if (!least || uvs_lbl_cmp_load(d, least) < 0)
			least = d;
	}
	return least;
}

/* The member with the largest overhead / weight among those of weight > 0 (the
 * overload flag does not matter); the newest wins ties. */
static struct uvs_dest *set_max(const struct lblcr_entry *en)
{
	struct uvs_dest *most = NULL;

	for (unsigned i = en->n; i-- > 0;) {
		struct uvs_dest *d = en->set[i];
		if (uvs_dest_weight(d) == 0)
			continue;
		if (!most || uvs_lbl_cmp_load(d, most) > 0)
			most = d;
	}
	return most;
}

/* Adds d unless it is a member already; without memory, leaves the set as it is. */
static void set_insert(struct lblcr_entry *en, struct uvs_dest *d, uvs_time_t now)
{
	for (unsigned i = 0; i < en->n; i++) {
		if (en->set[i] == d)
			return;
	}
	if (en->n == en->cap) {
		unsigned cap = en->cap ? en->cap * 2 : 2;
		struct uvs_dest **set = realloc(en->set, sizeof(*set) * cap);
		if (!set)
			return;
		en->set = set;
		en->cap = cap;
	}
	en->set[en->n++] = d;
	en->lastmod = now;
}

static void set_erase(struct lblcr_entry *en, const struct uvs_dest *d, uvs_time_t now)
{
	lblcr_forget(&en->base, d);
	en->lastmod = now;
}

static int lblcr_init(struct uvs_service *svc)
{
	return uvs_lbl_sched_init(svc, &lblcr_class);
}

static struct uvs_dest *lblcr_schedule(struct uvs_service *svc, const struct uvs_sched_pkt *pkt)
{
	struct uvs_lbl *t = svc->sched_data;
	struct lblcr_entry *en;
	struct uvs_dest *d;
	uvs_time_t expiration = uvs_lbl_expiration(&svc->model->sysctl.lblcr_expiration);

	uvs_lbl_gc(t, pkt->now, expiration);
	en = (struct lblcr_entry *)uvs_lbl_find(t, pkt->af, &pkt->daddr);
	if (en) {
		en->base.lastuse = pkt->now;
		d = set_min(en);
		if (en->n > 1 && pkt->now > en->lastmod + expiration) {
			struct uvs_dest *most = set_max(en);
			if (most)
				set_erase(en, most, pkt->now);
		}
		if (d && !uvs_lbl_overloaded(t, d))
			return d;
		d = uvs_lbl_wlc(t);
		if (d)
			set_insert(en, d, pkt->now);
		return d;
	}
	d = uvs_lbl_wlc(t);
	if (!d)
		return NULL;
	/* The one allocation on a pick: a new address. Without memory, serve uncached. */
	en = calloc(1, sizeof(*en));
	if (!en)
		return d;
	en->base.af = pkt->af;
	en->base.addr = pkt->daddr;
	en->base.lastuse = pkt->now;
	set_insert(en, d, pkt->now);
	if (!en->n) {
		free(en);
		return d;
	}
	uvs_lbl_insert(t, &en->base);
	return d;
}

const struct uvs_sched_ops uvs_sched_lblcr = {
	.name = "lblcr",
	.init_service = lblcr_init,
	.done_service = uvs_lbl_sched_done,
	.add_dest = uvs_lbl_sched_add,
	.del_dest = uvs_lbl_sched_del,
	.upd_dest = uvs_lbl_sched_upd,
	.load_changed = uvs_lbl_sched_load,
	.schedule = lblcr_schedule,
};
