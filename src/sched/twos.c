// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Weighted Random Twos Choice: draw two destinations at random in proportion to their
 * weights, keep the one with the lower overhead / weight (the first draw on a tie).
 * Like the kernel it walks the list (O(n)); the random numbers come from the service's
 * seedable generator so that runs can be repeated.
 */
#include "sched.h"

static int twos_init(struct uvs_service *svc)
{
	svc->sched_data = NULL;
	return 0;
}

static void twos_done(struct uvs_service *svc)
{
	(void)svc;
}

static struct uvs_dest *twos_schedule(struct uvs_service *svc, const struct uvs_sched_pkt *pkt)
{
	struct uvs_dest *d, *choice1 = NULL, *choice2 = NULL;
	int64_t total = 0, r1, r2;

	(void)pkt;
	uvs_for_each_dest(d, svc)
	{
		if (uvs_dest_usable(d))
			total += uvs_dest_weight(d);
	}
	if (total == 0)
		return NULL;
	/* Inclusive of total, as in the kernel. */
	r1 = uvs_sched_rand(svc) % (uint64_t)(total + 1);
	r2 = uvs_sched_rand(svc) % (uint64_t)(total + 1);
	uvs_for_each_dest(d, svc)
	{
		if (!uvs_dest_usable(d))
			continue;
		r1 -= uvs_dest_weight(d);
		r2 -= uvs_dest_weight(d);
		if (r1 <= 0 && !choice1)
			choice1 = d;
		if (r2 <= 0 && !choice2)
			choice2 = d;
		if (choice1 && choice2)
			break;
	}
	if ((uint64_t)uvs_dest_weight(choice2) * uvs_dest_overhead(choice1) >
	    (uint64_t)uvs_dest_weight(choice1) * uvs_dest_overhead(choice2))
		return choice2;
	return choice1;
}

const struct uvs_sched_ops uvs_sched_twos = {
	.name = "twos",
	.init_service = twos_init,
	.done_service = twos_done,
	.schedule = twos_schedule,
};
