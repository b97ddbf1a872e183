// SPDX-License-Identifier: GPL-2.0-or-later
/* Least-Connection: the usable destination with the smallest (active << 8) + inactive;
 * the first in list order wins a tie. */
#include "loadsched.h"

static void lc_key(const struct uvs_dest *d, uint64_t *num, uint32_t *den)
{
	*num = uvs_dest_overhead(d);
	*den = 1;
}

static const struct uvs_load_rule lc_rule = { .eligible = uvs_dest_usable, .key = lc_key };

UVS_LOAD_SCHED(lc, &lc_rule);
