// SPDX-License-Identifier: GPL-2.0-or-later
/* The reference scans for test_sched_random: the kernel's loops of ip_vs_lc.c,
 * ip_vs_wlc.c, ip_vs_sed.c, ip_vs_nq.c, ip_vs_fo.c and ip_vs_ovf.c, written as
 * plainly as they are there, over uvs's destination list. */
#include "sched_ref.h"

static uint64_t ref_overhead(const struct uvs_dest *d)
{
	return ((uint64_t)uvs_dest_active(d) << 8) + uvs_dest_inactive(d);
}

struct uvs_dest *ref_lc(struct uvs_service *svc)
{
	struct uvs_dest *d, *least = NULL;
	uint64_t loh = 0, doh;

	cds_list_for_each_entry(d, &svc->dests, list) {
		if (uvs_dest_overloaded(d) || uvs_dest_weight(d) == 0)
			continue;
		doh = ref_overhead(d);
		if (!least || doh < loh) {
			least = d;
			loh = doh;
		}
	}
	return least;
}

/* wlc and sed: the first non-overloaded destination with weight > 0 starts as least;
 * every later non-overloaded one (weight 0 included, as in the kernel) replaces it if
 * loh * w_d > doh * w_least. */
static struct uvs_dest *ref_weighted(struct uvs_service *svc,
				     uint64_t (*oh)(const struct uvs_dest *))
{
	struct uvs_dest *d, *least = NULL;
	int64_t loh = 0, doh;

	cds_list_for_each_entry(d, &svc->dests, list) {
		if (!least) {
			if (!uvs_dest_overloaded(d) && uvs_dest_weight(d) > 0) {
				least = d;
				loh = (int64_t)oh(d);
			}
			continue;
		}
		if (uvs_dest_overloaded(d))
			continue;
		doh = (int64_t)oh(d);
		if (loh * (int64_t)uvs_dest_weight(d) > doh * (int64_t)uvs_dest_weight(least)) {
			least = d;
			loh = doh;
		}
	}
	return least;
}

static uint64_t ref_sed_overhead(const struct uvs_dest *d)
{
	return (uint64_t)uvs_dest_active(d) + 1;
}

struct uvs_dest *ref_wlc(struct uvs_service *svc)
{
	return ref_weighted(svc, ref_overhead);
}

struct uvs_dest *ref_sed(struct uvs_service *svc)
{
	return ref_weighted(svc, ref_sed_overhead);
}

struct uvs_dest *ref_nq(struct uvs_service *svc)
{
	struct uvs_dest *d, *least = NULL;
	int64_t loh = 0, doh;

	cds_list_for_each_entry(d, &svc->dests, list) {
		if (uvs_dest_overloaded(d) || uvs_dest_weight(d) == 0)
			continue;
		doh = (int64_t)ref_sed_overhead(d);
		if (uvs_dest_active(d) == 0)
			return d;
		if (!least ||
		    loh * (int64_t)uvs_dest_weight(d) > doh * (int64_t)uvs_dest_weight(least)) {
			least = d;
			loh = doh;
		}
	}
	return least;
}

struct uvs_dest *ref_fo(struct uvs_service *svc)
{
	struct uvs_dest *d, *high = NULL;

	cds_list_for_each_entry(d, &svc->dests, list) {
		if (!uvs_dest_overloaded(d) && uvs_dest_weight(d) > 0 &&
		    (!high || uvs_dest_weight(d) > uvs_dest_weight(high)))
			high = d;
	}
	return high;
}

struct uvs_dest *ref_ovf(struct uvs_service *svc)
{
	struct uvs_dest *d, *high = NULL;

	cds_list_for_each_entry(d, &svc->dests, list) {
		uint32_t w = uvs_dest_weight(d);

		if (uvs_dest_overloaded(d) || uvs_dest_active(d) > w || w == 0)
			continue;
		if (!high || w > uvs_dest_weight(high))
			high = d;
	}
	return high;
}
