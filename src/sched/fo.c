// SPDX-License-Identifier: GPL-2.0-or-later
/* Weighted Failover: the usable destination with the highest weight; the first in list
 * order wins a tie. */
#include "loadsched.h"

static void fo_key(const struct uvs_dest *d, uint64_t *num, uint32_t *den)
{
	/* Highest weight first: weights are at most 65535. */
	*num = (uint64_t)UVS_WEIGHT_MAX + 1 - uvs_dest_weight(d);
	*den = 1;
}

static const struct uvs_load_rule fo_rule = { .eligible = uvs_dest_usable, .key = fo_key };

UVS_LOAD_SCHED(fo, &fo_rule);
