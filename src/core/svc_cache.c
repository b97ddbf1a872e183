// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A worker's cache of service lookups (model.h): direct-mapped on the packet's
 * <af, protocol, address, port, mark>, each answer tagged with the svc_gen it was
 * found under; the hit is inline in model.h, the miss here.
 *
 * Why a tagged answer is safe to use: a service is removed from the table, then
 * svc_gen moves on, then its free waits for a grace period. A reader that still sees
 * the old svc_gen began its read-side section before that free was queued, so the
 * service outlives the section; any later section sees the new value and misses.
 */
#include "model-internal.h"

struct uvs_service *uvs_svc_cache_fill(struct uvs_model *m, struct uvs_svc_cache_slot *s,
				       uint64_t gen, int af, int protocol,
				       const union uvs_addr *addr, uint16_t port, uint32_t fwmark)
{
	struct uvs_service *svc = uvs_svc_lookup(m, af, protocol, addr, port, fwmark);

	/* No answer is not kept: a packet for no service starts no connection, and the
	 * VIP filter keeps most such packets from asking. */
	if (svc) {
		s->gen = gen;
		s->svc = svc;
		s->addr = *addr;
		s->fwmark = fwmark;
		s->port = port;
		s->af = (uint8_t)af;
		s->protocol = (uint8_t)protocol;
	}
	return svc;
}
