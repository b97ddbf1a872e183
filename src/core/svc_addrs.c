// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The addresses of the configuration, for the frame path's martian checks: every
 * virtual service's address, and each service's real servers' addresses. One liburcu
 * hash table of entries <service or NULL, family, address>, each counting how many
 * services (NULL: VIPs) or destinations of that service (real servers; several ports
 * may share an address) have it. Kept by the model as services and destinations come
 * and go (under ctl_lock); read by workers under RCU.
 */
#include "model-internal.h"
#include "rcu-handoff.h"

#include <errno.h>
#include <stdlib.h>

struct addr_entry {
	struct cds_lfht_node node;
	const struct uvs_service *svc; /* NULL: a VIP's entry */
	int af;
	union uvs_addr addr;
	unsigned refs; /* written under ctl_lock only */
	struct rcu_head rcu;
};

struct addr_key {
	const struct uvs_service *svc;
	int af;
	const union uvs_addr *addr;
};

static unsigned long key_hash(const struct addr_key *k)
{
	uint64_t h = (uint64_t)(uintptr_t)k->svc ^ ((uint64_t)k->af << 56);

	for (int i = 0; i < 4; i++) {
		h ^= k->addr->ip6w[i];
		h *= 0x9E3779B97F4A7C15ull;
		h ^= h >> 31;
	}
	return (unsigned long)h;
}

static int key_match(struct cds_lfht_node *node, const void *key)
{
	const struct addr_entry *e = caa_container_of(node, struct addr_entry, node);
	const struct addr_key *k = key;

	/* Pairs with the release in uvs_addrs_add(), before the entry is published: it
	 * shows ThreadSanitizer an order it cannot see inside liburcu's table. */
	(void)uvs_load_acquire(&e->af);
	return e->svc == k->svc && e->af == k->af && uvs_addr_eq(&e->addr, k->addr);
}

/* The entry of k, or NULL. Caller is inside an RCU read-side section or holds
 * ctl_lock. */
static struct addr_entry *find(struct uvs_model *m, const struct addr_key *k)
{
	struct cds_lfht_iter iter;
	struct cds_lfht_node *node;

	/* An address added concurrently may be missed, as if the lookup had come first. */
	if (!uvs_model_may_have_addr(m, k->af, k->addr))
		return NULL;
	rcu_read_lock();
	cds_lfht_lookup(m->addr_table, key_hash(k), key_match, k, &iter);
	node = cds_lfht_iter_get_node(&iter);
	rcu_read_unlock();
	return node ? caa_container_of(node, struct addr_entry, node) : NULL;
}

int uvs_addrs_add(struct uvs_model *m, const struct uvs_service *svc, int af,
		  const union uvs_addr *addr)
{
	struct addr_key k = { svc, af, addr };
	struct addr_entry *e = find(m, &k);

	if (e) {
		e->refs++;
		return 0;
	}
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->svc = svc;
	e->addr = *addr;
	e->refs = 1;
	uint32_t bit = uvs_vip_bit(af, addr);
	/* Set before the entry is published: whoever finds the entry finds the bit. */
	uvs_or_release(&m->addr_bits[bit / 64], 1ull << (bit % 64));
	uvs_store_release(&e->af, af);
	rcu_read_lock();
	cds_lfht_add(m->addr_table, key_hash(&k), &e->node);
	rcu_read_unlock();
	return 0;
}

static void entry_free_rcu(struct rcu_head *head)
{
	uvs_rcu_callback_begin();
	free(caa_container_of(head, struct addr_entry, rcu));
}

void uvs_addrs_del(struct uvs_model *m, const struct uvs_service *svc, int af,
		   const union uvs_addr *addr)
{
	struct addr_key k = { svc, af, addr };
	struct addr_entry *e = find(m, &k);

	if (!e || --e->refs)
		return;
	rcu_read_lock();
	cds_lfht_del(m->addr_table, &e->node);
	rcu_read_unlock();
	uvs_call_rcu(&e->rcu, entry_free_rcu);
}

bool uvs_model_is_vip(struct uvs_model *m, int af, const union uvs_addr *addr)
{
	struct addr_key k = { NULL, af, addr };

	return find(m, &k) != NULL;
}

bool uvs_svc_has_dest_addr(struct uvs_service *svc, int af, const union uvs_addr *addr)
{
	struct addr_key k = { svc, af, addr };

	return find(svc->model, &k) != NULL;
}
