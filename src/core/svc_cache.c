// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A worker's cache of service lookups (model.h): direct-mapped on the packet's
 * <af, protocol, address, port, mark>, each answer tagged with the svc_gen it was
 * found under.
 *
 * Why a tagged answer is safe to use: a service is removed from the table, then
 * svc_gen moves on, then its free waits for a grace period. A reader that still sees
 * the old svc_gen began its read-side section before that free was queued, so the
 * service outlives the section; any later section sees the new value and misses.
 */
#include "model-internal.h"

/* The slot of a key. Several words mixed once: a cache, not a table, so a collision
 * costs one lookup, never a wrong answer. */
static unsigned slot_of(int af, int protocol, const union uvs_addr *addr, uint16_t port,
			uint32_t fwmark)
{
	uint64_t h = ((uint64_t)(addr->ip6w[0] ^ addr->ip6w[2]) << 32 |
		      (addr->ip6w[1] ^ addr->ip6w[3])) ^
		     ((uint64_t)fwmark << 32 | (uint64_t)port << 16 | (uint64_t)protocol << 8 |
		      (uint64_t)af);

	h *= 0x9E3779B97F4A7C15ull;
	return (unsigned)(h >> (64 - UVS_SVC_CACHE_BITS));
}

struct uvs_service *uvs_svc_lookup_cached(struct uvs_model *m, struct uvs_svc_cache *cache,
					  int af, int protocol, const union uvs_addr *addr,
					  uint16_t port, uint32_t fwmark)
{
	/* Acquire: pairs with the release after a service is added or removed. */
	uint64_t gen = uvs_load_acquire(&m->svc_gen);
	struct uvs_svc_cache_slot *s = &cache->slot[slot_of(af, protocol, addr, port, fwmark)];
	struct uvs_service *svc;

	if (s->gen == gen && s->port == port && s->af == af && s->protocol == protocol &&
	    s->fwmark == fwmark && uvs_addr_eq(&s->addr, addr))
		return s->svc;
	svc = uvs_svc_lookup(m, af, protocol, addr, port, fwmark);
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
