// SPDX-License-Identifier: GPL-2.0-or-later
/* Never Queue: the first usable destination in list order with no active connection;
 * if every one is busy, the one sed would pick. Two load indexes: the idle ones
 * (ordered by list position alone) and sed's. */
#include "loadheap.h"

#include <errno.h>
#include <stdlib.h>

struct nq_data {
	struct uvs_loadheap idle; /* slot 0 */
	struct uvs_loadheap sed;  /* slot 1 */
};

static bool nq_idle(const struct uvs_dest *d)
{
	return uvs_dest_usable(d) && uvs_dest_active(d) == 0;
}

static void list_order_only(const struct uvs_dest *d, uint64_t *num, uint32_t *den)
{
	(void)d;
	*num = 0;
	*den = 1;
}

static const struct uvs_load_rule idle_rule = { .eligible = nq_idle, .key = list_order_only };

static int nq_init(struct uvs_service *svc)
{
	struct nq_data *nq = calloc(1, sizeof(*nq));

	if (!nq)
		return -ENOMEM;
	if (uvs_loadheap_prepare(&nq->idle, &idle_rule, 0, svc) < 0 ||
	    uvs_loadheap_prepare(&nq->sed, &uvs_sed_rule, 1, svc) < 0) {
		uvs_loadheap_free(&nq->idle);
		uvs_loadheap_free(&nq->sed);
		free(nq);
		return -ENOMEM;
	}
	uvs_loadheap_fill(&nq->idle, svc);
	uvs_loadheap_fill(&nq->sed, svc);
	svc->sched_data = nq;
	return 0;
}

static void nq_done(struct uvs_service *svc)
{
	struct nq_data *nq = svc->sched_data;

	uvs_loadheap_free(&nq->idle);
	uvs_loadheap_free(&nq->sed);
	free(nq);
}

static int nq_add(struct uvs_service *svc, struct uvs_dest *d)
{
	struct nq_data *nq = svc->sched_data;

	/* Reserve in both before indexing in either, so a failure changes nothing. */
	if (uvs_loadheap_add(&nq->idle, svc, d) < 0)
		return -ENOMEM;
	if (uvs_loadheap_add(&nq->sed, svc, d) < 0) {
		uvs_loadheap_del(&nq->idle, d);
		return -ENOMEM;
	}
	return 0;
}

static void nq_del(struct uvs_service *svc, struct uvs_dest *d)
{
	struct nq_data *nq = svc->sched_data;

	uvs_loadheap_del(&nq->idle, d);
	uvs_loadheap_del(&nq->sed, d);
}

static void nq_load(struct uvs_service *svc, struct uvs_dest *d)
{
	struct nq_data *nq = svc->sched_data;

	uvs_loadheap_update(&nq->idle, d);
	uvs_loadheap_update(&nq->sed, d);
}

static int nq_upd(struct uvs_service *svc, struct uvs_dest *d)
{
	nq_load(svc, d);
	return 0;
}

static struct uvs_dest *nq_schedule(struct uvs_service *svc, const struct uvs_sched_pkt *pkt)
{
	struct nq_data *nq = svc->sched_data;
	struct uvs_dest *d = uvs_loadheap_top(&nq->idle);

	(void)pkt;
	return d ? d : uvs_loadheap_top(&nq->sed);
}

const struct uvs_sched_ops uvs_sched_nq = {
	.name = "nq",
	.init_service = nq_init,
	.done_service = nq_done,
	.add_dest = nq_add,
	.del_dest = nq_del,
	.upd_dest = nq_upd,
	.load_changed = nq_load,
	.schedule = nq_schedule,
};
