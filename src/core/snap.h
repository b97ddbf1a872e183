/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A copy of the model's configuration and counters, taken under the control lock and
 * then printed (save, list) or replayed (undo) without holding it. The caller owns the
 * copy and frees it with uvs_snap_free().
 */
#ifndef UVS_CORE_SNAP_H
#define UVS_CORE_SNAP_H

#include <stdbool.h>
#include <stddef.h>

#include "core/model.h"

struct uvs_snap_dest {
	struct uvs_dest_conf conf;
	uint32_t activeconns;
	uint32_t inactconns;
	uint32_t persistconns;
	struct uvs_counters stats;
	struct uvs_rates rates;
};

struct uvs_snap_svc {
	struct uvs_svc_conf conf; /* sched_name is always filled; flags are user flags only */
	struct uvs_counters stats;
	struct uvs_rates rates;
	unsigned ndests;
	struct uvs_snap_dest *dests;
};

struct uvs_snap {
	unsigned nsvcs;
	struct uvs_snap_svc *svcs;
};

/*
 * Copies the service `only` (none if it does not exist), or every service if only is
 * NULL. sorted: in ipvsadm's order (services by fwmark, family, protocol, address,
 * port; destinations by family, address, port); otherwise in the model's order
 * (services oldest first, destinations newest first). Returns 0 or -ENOMEM.
 */
int uvs_snap_take(struct uvs_model *m, const struct uvs_svc_key *only, bool sorted,
		  struct uvs_snap *out);
/* Sorts s in ipvsadm's order, as uvs_snap_take() does when asked to. */
void uvs_snap_sort(struct uvs_snap *s);
/* Frees what uvs_snap_take() allocated; accepts a zeroed snapshot. */
void uvs_snap_free(struct uvs_snap *s);

#endif
