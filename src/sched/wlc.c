// SPDX-License-Identifier: GPL-2.0-or-later
/* Weighted Least-Connection (the default): the usable destination with the smallest
 * overhead / weight, where overhead = (active << 8) + inactive; ties keep the first in
 * list order. The kernel compares oh1 * w2 > oh2 * w1; the index orders by the same
 * cross products. */
#include "loadsched.h"

static void wlc_key(const struct uvs_dest *d, uint64_t *num, uint32_t *den)
{
	*num = uvs_dest_overhead(d);
	*den = uvs_dest_weight(d);
}

const struct uvs_load_rule uvs_wlc_rule = { .eligible = uvs_dest_usable, .key = wlc_key };

UVS_LOAD_SCHED(wlc, &uvs_wlc_rule);
