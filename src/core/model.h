/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The service model: add, edit and delete virtual services and destinations with
 * ipvsadm's rules and errors, find a service for a packet, schedule a connection.
 *
 * Control functions take model->ctl_lock themselves and return 0 or a negative errno
 * as the kernel would: -EEXIST (already there), -ESRCH (no such service), -ENOENT (no
 * such destination, scheduler or persistence engine), -ERANGE (weight or thresholds),
 * -EINVAL (anything else malformed), -EAFNOSUPPORT, -ENOMEM. On error they fill *err
 * (which may be NULL) with a message and leave the configuration exactly as it was.
 */
#ifndef UVS_MODEL_H
#define UVS_MODEL_H

#include <stdbool.h>

#include "base/atomic.h"
#include "model-t.h"

/* Sets up an empty model whose objects keep nworkers stats slots. Returns 0 or
 * -ENOMEM. The clock defaults to CLOCK_MONOTONIC. */
int uvs_model_init(struct uvs_model *m, unsigned nworkers);
/* Frees everything. No worker may still use the model; the caller is registered with
 * RCU. */
void uvs_model_destroy(struct uvs_model *m);
void uvs_model_set_clock(struct uvs_model *m, uvs_clock_fn fn, void *arg);
uvs_time_t uvs_model_now(const struct uvs_model *m);

/* Fills a key; addr is ignored (may be NULL) for a fwmark key. port in network order. */
void uvs_svc_key_inet(struct uvs_svc_key *k, int af, int protocol, const union uvs_addr *addr,
		      uint16_t port);
void uvs_svc_key_fwmark(struct uvs_svc_key *k, int af, uint32_t fwmark);

int uvs_svc_add(struct uvs_model *m, const struct uvs_svc_conf *c, struct uvs_error *err);
int uvs_svc_edit(struct uvs_model *m, const struct uvs_svc_conf *c, struct uvs_error *err);
int uvs_svc_del(struct uvs_model *m, const struct uvs_svc_key *k, struct uvs_error *err);
/* Deletes every service (ipvsadm -C). */
void uvs_svc_flush(struct uvs_model *m);

int uvs_dest_add(struct uvs_model *m, const struct uvs_svc_key *k, const struct uvs_dest_conf *c,
		 struct uvs_error *err);
/* Edits the destination c->af/addr/port of service k. */
int uvs_dest_edit(struct uvs_model *m, const struct uvs_svc_key *k, const struct uvs_dest_conf *c,
		  struct uvs_error *err);
int uvs_dest_del(struct uvs_model *m, const struct uvs_svc_key *k, int af,
		 const union uvs_addr *addr, uint16_t port, struct uvs_error *err);

/* Zeroes the counters of service k and its destinations, or of everything if k is
 * NULL (ipvsadm -Z). */
int uvs_model_zero(struct uvs_model *m, const struct uvs_svc_key *k, struct uvs_error *err);
/* One rate-estimator step over every object; call every UVS_EST_INTERVAL_S seconds. */
void uvs_model_estimate(struct uvs_model *m);
/* `steps` steps at once after the clock jumped (uvs_stats_estimate_steps): the same
 * result as `steps` calls of uvs_model_estimate with no traffic between them. */
void uvs_model_estimate_steps(struct uvs_model *m, uint64_t steps);
/*
 * uvsd's estimator tick, every UVS_EST_INTERVAL_S seconds: a step while the
 * run_estimation sysctl is on. While it is off the rates stay as they were; the first
 * tick after it is turned on again only starts measuring afresh, so that the traffic
 * of the pause is not taken for 2 seconds' worth (the kernel's first estimate after
 * a pause is off, its documentation says). Control thread.
 */
void uvs_model_estimate_tick(struct uvs_model *m);
/* Frees trashed destinations that nothing uses and whose trash period has passed. */
void uvs_model_expire_trash(struct uvs_model *m);

/* Exact lookup. Caller holds ctl_lock or is inside an RCU read-side section. */
struct uvs_service *uvs_svc_find(struct uvs_model *m, const struct uvs_svc_key *k);
/*
 * The service a packet belongs to, in IPVS's order: fwmark (if non-zero), then
 * <protocol, addr, port>, then for TCP to port 20 or >= 1024 an FTP service
 * <TCP, addr, 21>, then a port-0 service <protocol, addr, 0>. Caller is inside an
 * RCU read-side section. Returns NULL if none.
 */
struct uvs_service *uvs_svc_lookup(struct uvs_model *m, int af, int protocol,
				   const union uvs_addr *addr, uint16_t port, uint32_t fwmark);

/*
 * A worker's cache of uvs_svc_lookup()'s answers, for its new connections: the
 * table's lookup hashes a 48-byte key and walks liburcu's table, about 240
 * instructions, with up to three fallbacks after it. Each slot holds an answer and
 * the model's svc_gen it was found under; any service added or removed makes every
 * slot stale. Owned by one worker; zeroed is empty.
 */
#define UVS_SVC_CACHE_BITS 6
struct uvs_svc_cache_slot {
	uint64_t gen; /* m->svc_gen when found; 0: empty */
	struct uvs_service *svc;
	union uvs_addr addr;
	uint32_t fwmark;
	uint16_t port;
	uint8_t af;
	uint8_t protocol;
};
struct uvs_svc_cache {
	struct uvs_svc_cache_slot slot[1u << UVS_SVC_CACHE_BITS];
};

/* The index of a key's slot. Several words mixed once: a cache, not a table, so a
 * collision costs one lookup, never a wrong answer. */
static inline unsigned uvs_svc_cache_index(int af, int protocol, const union uvs_addr *addr,
					   uint16_t port, uint32_t fwmark)
{
	uint64_t h = ((uint64_t)(addr->ip6w[0] ^ addr->ip6w[2]) << 32 |
		      (addr->ip6w[1] ^ addr->ip6w[3])) ^
		     ((uint64_t)fwmark << 32 | (uint64_t)port << 16 | (uint64_t)protocol << 8 |
		      (uint64_t)af);

	h *= 0x9E3779B97F4A7C15ull;
	return (unsigned)(h >> (64 - UVS_SVC_CACHE_BITS));
}

/* A miss of uvs_svc_lookup_cached(): looks up, and keeps a service found in slot s,
 * tagged gen. */
struct uvs_service *uvs_svc_cache_fill(struct uvs_model *m, struct uvs_svc_cache_slot *s,
				       uint64_t gen, int af, int protocol,
				       const union uvs_addr *addr, uint16_t port, uint32_t fwmark);

/* uvs_svc_lookup() through cache. Caller is inside an RCU read-side section and owns
 * cache; the service returned lives until the section ends, as uvs_svc_lookup()'s. */
static inline struct uvs_service *uvs_svc_lookup_cached(struct uvs_model *m,
							struct uvs_svc_cache *cache, int af,
							int protocol, const union uvs_addr *addr,
							uint16_t port, uint32_t fwmark)
{
	/* Acquire: pairs with the release after a service is added or removed. */
	uint64_t gen = uvs_load_acquire(&m->svc_gen);
	struct uvs_svc_cache_slot *s =
		&cache->slot[uvs_svc_cache_index(af, protocol, addr, port, fwmark)];

	if (s->gen == gen && s->port == port && s->af == af && s->protocol == protocol &&
	    s->fwmark == fwmark && uvs_addr_eq(&s->addr, addr))
		return s->svc;
	return uvs_svc_cache_fill(m, s, gen, af, protocol, addr, port, fwmark);
}

/* Whether a non-fwmark service has address af/addr (any protocol and port). Caller is
 * inside an RCU read-side section or holds ctl_lock. */
bool uvs_model_is_vip(struct uvs_model *m, int af, const union uvs_addr *addr);
/* Whether a destination of svc has address af/addr (any port). Caller is inside an
 * RCU read-side section or holds ctl_lock. */
bool uvs_svc_has_dest_addr(struct uvs_service *svc, int af, const union uvs_addr *addr);

/* The destination af/addr/port of svc. Caller holds svc->lock or ctl_lock. */
struct uvs_dest *uvs_dest_find(struct uvs_service *svc, int af, const union uvs_addr *addr,
			       uint16_t port);

/* What a scheduler may look at in the packet that asks for a new connection. */
struct uvs_sched_pkt {
	uint16_t af;
	uint8_t protocol;
	union uvs_addr saddr;
	union uvs_addr daddr;
	uint16_t sport; /* network order */
	uint16_t dport;
	uvs_time_t now;
};

/*
 * Connection counts. Each change names the slot it is made in: the id of the worker
 * that owns the connection (uvs_conn's owner), below the model's nworkers; threads
 * without one pass 0. Changes are atomic, so any thread may make them in any slot;
 * the owner's slot keeps a worker's new connections on a line of its own.
 */

/*
 * Data path: asks svc's scheduler for a destination and binds a new connection to it
 * (conn_flags: UVS_CONN_F_INACTIVE and/or UVS_CONN_F_TEMPLATE) in slot, all under
 * svc->lock, or with none if the scheduler picks without (sched.h). Caller is inside
 * an RCU read-side section.
 * Returns the destination with a reference the caller must drop with
 * uvs_dest_unbind(), or NULL when no destination is available.
 */
struct uvs_dest *uvs_svc_schedule(struct uvs_service *svc, const struct uvs_sched_pkt *pkt,
				  unsigned slot, uint32_t conn_flags);

/* Binds a connection that the sync daemon brings to destination af/addr/port of svc,
 * as uvs_svc_schedule() binds one, if svc has it. Caller is inside an RCU read-side
 * section. Returns it with a reference, or NULL. */
struct uvs_dest *uvs_svc_bind_dest(struct uvs_service *svc, int af, const union uvs_addr *addr,
				   uint16_t port, unsigned slot, uint32_t conn_flags);

/* Binds one more connection to dest (one under a persistence template, or a pick made
 * without the service's lock) and takes a reference: the caller holds one already, or
 * found dest in its service's list inside the same RCU read-side section. */
void uvs_dest_bind(struct uvs_dest *dest, unsigned slot, uint32_t conn_flags);
/* Undoes uvs_dest_bind()/uvs_svc_schedule() for a connection with these conn_flags
 * and drops its reference (in any slot). Caller is inside an RCU read-side section. */
void uvs_dest_unbind(struct uvs_dest *dest, unsigned slot, uint32_t conn_flags);
/* Moves one connection between ActiveConn and InActConn (a TCP state change). */
void uvs_dest_set_active(struct uvs_dest *dest, unsigned slot, bool active);
/* The references dest's connections hold (0: none). Exact once no thread can bind a
 * connection to dest any more: the trash's test. */
uint32_t uvs_dest_refs(const struct uvs_dest *dest);

static inline uint32_t uvs_vip_bit(int af, const union uvs_addr *a)
{
	return (uvs_addr_fold(af, a) * 0x9e3779b1u) >> 16;
}

/* False if no service ever had address a; true means maybe. Any thread. */
static inline bool uvs_model_may_be_vip(const struct uvs_model *m, int af, const union uvs_addr *a)
{
	uint32_t bit = uvs_vip_bit(af, a);
	/* Relaxed: a filter; the service itself is found, and ordered, by the lookup. */
	return uvs_load_relaxed(&m->vip_bits[bit / 64]) >> (bit % 64) & 1;
}

/* False if no service or destination ever had address a (the address index's filter,
 * svc_addrs.c); true means maybe. Any thread. */
static inline bool uvs_model_may_have_addr(const struct uvs_model *m, int af,
					   const union uvs_addr *a)
{
	uint32_t bit = uvs_vip_bit(af, a);
	/* Relaxed: a filter; an entry is found, and ordered, by the index's lookup. */
	return uvs_load_relaxed(&m->addr_bits[bit / 64]) >> (bit % 64) & 1;
}

static inline bool uvs_dest_overloaded(const struct uvs_dest *d)
{
	return uvs_load_relaxed(&d->flags) & UVS_DEST_F_OVERLOAD; /* relaxed: set_overload() */
}

static inline uint32_t uvs_dest_weight(const struct uvs_dest *d)
{
	/* Relaxed: read on its own; an edit gives the old or the new weight. */
	return (uint32_t)uvs_load_relaxed(&d->conf.weight);
}

/* The service d belongs to, NULL while it is in the trash. Caller is inside an RCU
 * read-side section or holds ctl_lock. */
static inline struct uvs_service *uvs_dest_svc(const struct uvs_dest *d)
{
	return uvs_load_acquire(&d->svc); /* pairs with the release in link_dest() */
}

/* The forwarding method (UVS_FWD_*) and tunnel of d, which an edit may change while
 * workers read them. */
static inline uint32_t uvs_dest_fwd(const struct uvs_dest *d)
{
	/* Relaxed here and below: fields read one by one (see store_mutable_conf()). */
	return uvs_load_relaxed(&d->conf.fwd) & UVS_FWD_MASK;
}

static inline void uvs_dest_tun(const struct uvs_dest *d, uint8_t *type, uint16_t *port,
				uint16_t *flags)
{
	*type = uvs_load_relaxed(&d->conf.tun_type);
	*port = uvs_load_relaxed(&d->conf.tun_port);
	*flags = uvs_load_relaxed(&d->conf.tun_flags);
}

/* Kernel's "available" test shared by most schedulers: weight > 0 and not overloaded. */
static inline bool uvs_dest_usable(const struct uvs_dest *d)
{
	return uvs_dest_weight(d) > 0 && !uvs_dest_overloaded(d);
}

/* A sum of a destination's slots' changes to one count: each is counted, and moved
 * from one kind to another, in the slot of the worker that owns the connection
 * (uvs_dest_bind()). A connection that one worker moves while another reads may be
 * seen in both kinds or in neither: a sum below zero reads as zero. */
static inline uint32_t uvs_dest_count_sum_(uint32_t sum)
{
	return (int32_t)sum < 0 ? 0 : sum;
}

/* Relaxed: counts, read racily by listings and lock-free picks, as the kernel's. */
static inline uint32_t uvs_dest_count(const struct uvs_dest *d, enum uvs_conn_kind k)
{
	uint32_t sum = 0;

	for (unsigned i = 0; i < d->stats.nslots; i++)
		sum += uvs_load_relaxed(&d->stats.slots[i].n.by_kind[k]);
	return uvs_dest_count_sum_(sum);
}

static inline uint32_t uvs_dest_active(const struct uvs_dest *d)
{
	return uvs_dest_count(d, UVS_CONN_ACTIVE);
}

static inline uint32_t uvs_dest_inactive(const struct uvs_dest *d)
{
	return uvs_dest_count(d, UVS_CONN_INACTIVE);
}

static inline uint32_t uvs_dest_persistent(const struct uvs_dest *d)
{
	return uvs_dest_count(d, UVS_CONN_PERSIST);
}

/* IPVS's load measure for lc, wlc, lblc: (active << 8) + inactive, in one pass. */
static inline uint64_t uvs_dest_overhead(const struct uvs_dest *d)
{
	uint32_t active = 0, inactive = 0;

	for (unsigned i = 0; i < d->stats.nslots; i++) {
		const struct uvs_conn_counts *n = &d->stats.slots[i].n;
		active += uvs_load_relaxed(&n->by_kind[UVS_CONN_ACTIVE]); /* relaxed: as above */
		inactive += uvs_load_relaxed(&n->by_kind[UVS_CONN_INACTIVE]);
	}
	return ((uint64_t)uvs_dest_count_sum_(active) << 8) + uvs_dest_count_sum_(inactive);
}

#endif
