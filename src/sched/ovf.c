// SPDX-License-Identifier: GPL-2.0-or-later
/* Weighted Overflow: the highest-weight usable destination whose active connections do
 * not exceed its weight; the first in list order wins a tie. */
#include "loadsched.h"

static bool ovf_eligible(const struct uvs_dest *d)
{
	return uvs_dest_usable(d) && uvs_dest_active(d) <= uvs_dest_weight(d);
}

static void ovf_key(const struct uvs_dest *d, uint64_t *num, uint32_t *den)
{
	*num = (uint64_t)UVS_WEIGHT_MAX + 1 - uvs_dest_weight(d);
	*den = 1;
}

static const struct uvs_load_rule ovf_rule = { .eligible = ovf_eligible, .key = ovf_key };

UVS_LOAD_SCHED(ovf, &ovf_rule);
