// SPDX-License-Identifier: GPL-2.0-or-later
/* Copies of the configuration for printing and undo; ipvsadm's sort order. */
#include "snap.h"
#include "sched/sched.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

static int cmp_u32(uint32_t a, uint32_t b)
{
	return a < b ? -1 : a > b;
}

static int cmp_svc(const void *pa, const void *pb)
{
	const struct uvs_svc_key *a = &((const struct uvs_snap_svc *)pa)->conf.key;
	const struct uvs_svc_key *b = &((const struct uvs_snap_svc *)pb)->conf.key;
	int r;

	if ((r = cmp_u32(a->fwmark, b->fwmark)) || (r = cmp_u32(a->af, b->af)) ||
	    (r = cmp_u32(a->protocol, b->protocol)) ||
	    (r = uvs_addr_cmp(a->af, &a->addr, &b->addr)))
		return r;
	return cmp_u32(ntohs(a->port), ntohs(b->port));
}

static int cmp_dest(const void *pa, const void *pb)
{
	const struct uvs_dest_conf *a = &((const struct uvs_snap_dest *)pa)->conf;
	const struct uvs_dest_conf *b = &((const struct uvs_snap_dest *)pb)->conf;
	int r;

	if ((r = cmp_u32(a->af, b->af)) || (r = uvs_addr_cmp(a->af, &a->addr, &b->addr)))
		return r;
	return cmp_u32(ntohs(a->port), ntohs(b->port));
}

static void copy_dest(const struct uvs_dest *d, struct uvs_snap_dest *out)
{
	out->conf = d->conf;
	out->conf.weight = uvs_dest_weight(d);
	out->activeconns = uvs_dest_active(d);
	out->inactconns = uvs_dest_inactive(d);
	out->persistconns = uvs_dest_persistent(d);
	uvs_stats_read(&d->stats, &out->stats);
	uvs_stats_rates(&d->stats, &out->rates);
}

/* Copies svc and its destinations. Caller holds ctl_lock, which keeps the list still. */
static int copy_svc(const struct uvs_service *svc, struct uvs_snap_svc *out)
{
	const struct uvs_dest *d;
	unsigned i = 0;

	memset(out, 0, sizeof(*out));
	out->conf.key = svc->key;
	snprintf(out->conf.sched_name, sizeof(out->conf.sched_name), "%s",
		 svc->sched ? svc->sched->name : "");
	out->conf.flags = svc->flags & UVS_SVC_F_USER_MASK;
	out->conf.timeout = svc->timeout;
	out->conf.netmask = svc->netmask;
	memcpy(out->conf.pe_name, svc->pe_name, sizeof(out->conf.pe_name));
	uvs_stats_read(&svc->stats, &out->stats);
	uvs_stats_rates(&svc->stats, &out->rates);
	if (svc->num_dests == 0)
		return 0;
	out->dests = calloc(svc->num_dests, sizeof(*out->dests));
	if (!out->dests)
		return -ENOMEM;
	cds_list_for_each_entry(d, &svc->dests, list) {
		if (i == svc->num_dests)
			break;
		copy_dest(d, &out->dests[i++]);
	}
	out->ndests = i;
	return 0;
}

int uvs_snap_take(struct uvs_model *m, const struct uvs_svc_key *only, bool sorted,
		  struct uvs_snap *out)
{
	struct uvs_service *svc;
	int ret = 0;

	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&m->ctl_lock);
	unsigned n = only ? 1 : m->num_services;
	if (n)
		out->svcs = calloc(n, sizeof(*out->svcs));
	if (n && !out->svcs) {
		ret = -ENOMEM;
		goto out;
	}
	if (only) {
		svc = uvs_svc_find(m, only);
		if (svc) {
			ret = copy_svc(svc, &out->svcs[0]);
			out->nsvcs = 1;
		}
		goto out;
	}
	cds_list_for_each_entry(svc, &m->services, all) {
		if (out->nsvcs == n)
			break;
		ret = copy_svc(svc, &out->svcs[out->nsvcs++]);
		if (ret)
			break;
	}
out:
	pthread_mutex_unlock(&m->ctl_lock);
	if (ret) {
		uvs_snap_free(out);
		return ret;
	}
	if (sorted)
		uvs_snap_sort(out);
	return 0;
}

void uvs_snap_sort(struct uvs_snap *s)
{
	/* qsort() may not be given a NULL array, even an empty one. */
	if (s->nsvcs > 1)
		qsort(s->svcs, s->nsvcs, sizeof(*s->svcs), cmp_svc);
	for (unsigned i = 0; i < s->nsvcs; i++) {
		if (s->svcs[i].ndests > 1)
			qsort(s->svcs[i].dests, s->svcs[i].ndests, sizeof(*s->svcs[i].dests),
			      cmp_dest);
	}
}

void uvs_snap_free(struct uvs_snap *s)
{
	for (unsigned i = 0; i < s->nsvcs; i++)
		free(s->svcs[i].dests);
	free(s->svcs);
	memset(s, 0, sizeof(*s));
}
