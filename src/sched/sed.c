// SPDX-License-Identifier: GPL-2.0-or-later
/* Shortest Expected Delay: the usable destination with the smallest
 * (active + 1) / weight (uvs_sed_key); ties keep the first in list order. */
#include "loadsched.h"

static const struct uvs_load_rule sed_rule = { .eligible = uvs_dest_usable, .key = uvs_sed_key };

UVS_LOAD_SCHED(sed, &sed_rule);
