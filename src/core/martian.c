// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Martian sources (martian.h): the director's addresses as an immutable hash set the
 * control side replaces whole, and the engine's check of a frame's source.
 */
#include "martian.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine-internal.h"

struct uvs_host_set {
	size_t mask;		     /* slots - 1; slots a power of two, at least 2n */
	struct uvs_host_addr slot[]; /* af 0: empty */
};

static size_t slot_of(const struct uvs_host_set *set, int af, const union uvs_addr *a)
{
	uint64_t h = (uint64_t)af;

	for (int i = 0; i < 4; i++) {
		h ^= a->ip6w[i];
		h *= 0x9E3779B97F4A7C15ull;
		h ^= h >> 29;
	}
	return (size_t)h & set->mask;
}

struct uvs_host_set *uvs_host_set_new(const struct uvs_host_addr *a, size_t n)
{
	size_t slots = 8;
	struct uvs_host_set *set;

	while (slots < 2 * n)
		slots *= 2;
	set = calloc(1, sizeof(*set) + slots * sizeof(set->slot[0]));
	if (!set)
		return NULL;
	set->mask = slots - 1;
	for (size_t i = 0; i < n; i++) {
		size_t k = slot_of(set, a[i].af, &a[i].addr);

		/* Linear probing; a duplicate stops where it is found. */
		while (set->slot[k].af &&
		       !(set->slot[k].af == a[i].af && uvs_addr_eq(&set->slot[k].addr, &a[i].addr)))
			k = (k + 1) & set->mask;
		set->slot[k] = a[i];
	}
	return set;
}

bool uvs_host_set_has(const struct uvs_host_set *set, int af, const union uvs_addr *addr)
{
	if (!set)
		return false;
	for (size_t k = slot_of(set, af, addr); set->slot[k].af; k = (k + 1) & set->mask)
		if (set->slot[k].af == af && uvs_addr_eq(&set->slot[k].addr, addr))
			return true;
	return false;
}

int uvs_engine_set_host_addrs(struct uvs_engine *e, const struct uvs_host_addr *a, size_t n)
{
	struct uvs_host_set *set = uvs_host_set_new(a, n), *old;

	if (!set)
		return -ENOMEM;
	old = rcu_xchg_pointer(&e->host_addrs, set);
	if (old) {
		synchronize_rcu(); /* no worker still reads old */
		free(old);
	}
	return 0;
}

enum uvs_reason uvs_martian_source(struct uvs_engine *e, const struct uvs_pkt *p,
				   struct uvs_service *svc)
{
	if (uvs_addr_is_martian_source(p->af, &p->saddr))
		return UVS_R_MARTIAN_SRC;
	if (uvs_host_set_has(rcu_dereference(e->host_addrs), p->af, &p->saddr))
		return UVS_R_MARTIAN_SRC_LOCAL;
	/* A client's address is nearly always in neither index: one filter for both. */
	if (!uvs_model_may_have_addr(e->model, p->af, &p->saddr))
		return UVS_R_PKT_OK;
	if (uvs_model_is_vip(e->model, p->af, &p->saddr))
		return UVS_R_MARTIAN_SRC_VIP;
	if (svc && uvs_svc_has_dest_addr(svc, p->af, &p->saddr))
		return UVS_R_MARTIAN_SRC_RS;
	return UVS_R_PKT_OK;
}
