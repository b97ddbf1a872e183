// SPDX-License-Identifier: GPL-2.0-or-later
/* Never Queue: the first usable destination in list order with no active connection;
 * if every one is busy, the one sed would pick. Two rules, tried in turn: the idle ones
 * (ordered by list position alone), then sed's. */
#include "loadsched.h"

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
static const struct uvs_load_rule sed_rule = { .eligible = uvs_dest_usable, .key = uvs_sed_key };

UVS_LOAD_SCHED(nq, &idle_rule, &sed_rule);
