/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A copy of the model's configuration and counters, taken under the control lock and
 * then printed (save, list) or replayed (undo) without holding it. The caller owns the
 * copy and frees it with uvs_adm_snap_free().
 */
#ifndef UVS_ADM_SNAP_H
#define UVS_ADM_SNAP_H

#include <stdbool.h>
#include <stddef.h>

#include "core/model.h"

struct uvs_adm_dest_info {
	struct uvs_dest_conf conf;
	uint32_t activeconns;
	uint32_t inactconns;
	uint32_t persistconns;
	struct uvs_counters stats;
	struct uvs_rates rates;
};

struct uvs_adm_svc_info {
	struct uvs_svc_conf conf; /* sched_name is always filled; flags are user flags only */
	struct uvs_counters stats;
	struct uvs_rates rates;
	unsigned ndests;
	struct uvs_adm_dest_info *dests;
};

struct uvs_adm_snap {
	unsigned nsvcs;
	struct uvs_adm_svc_info *svcs;
};

/*
 * Copies the service `only` (none if it does not exist), or every service if only is
 * NULL. sorted: in ipvsadm's order (services by fwmark, family, protocol, address,
 * port; destinations by family, address, port); otherwise in the model's order
 * (services oldest first, destinations newest first). Returns 0 or -ENOMEM.
 */
int uvs_adm_snap_take(struct uvs_model *m, const struct uvs_svc_key *only, bool sorted,
		      struct uvs_adm_snap *out);
/* Sorts s in ipvsadm's order, as uvs_adm_snap_take() does when asked to. */
void uvs_adm_snap_sort(struct uvs_adm_snap *s);
/* Frees what uvs_adm_snap_take() allocated; accepts a zeroed snapshot. */
void uvs_adm_snap_free(struct uvs_adm_snap *s);

/* "a.b.c.d:port" or "[v6]:port" (port in network order) into buf; returns buf. */
const char *uvs_adm_addrport(int af, const union uvs_addr *addr, uint16_t port, char *buf,
			     size_t len);
/* Longest text uvs_adm_addrport() writes, with the NUL. */
#define UVS_ADM_ADDRPORT_LEN (UVS_ADDR_STRLEN + 8)

#endif
