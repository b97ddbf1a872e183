// SPDX-License-Identifier: GPL-2.0-or-later
/* Shortest Expected Delay: the usable destination with the smallest
 * (active + 1) / weight; ties keep the first in list order. */
#include "loadsched.h"

static void sed_key(const struct uvs_dest *d, uint64_t *num, uint32_t *den)
{
	*num = (uint64_t)uvs_dest_active(d) + 1;
	*den = uvs_dest_weight(d);
}

const struct uvs_load_rule uvs_sed_rule = { .eligible = uvs_dest_usable, .key = sed_key };

UVS_LOAD_SCHED(sed, &uvs_sed_rule);
