/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Connections: IPVS's connection entries and persistence templates, the table that
 * finds them (one chain per entry, hashed on the client's address and port as the
 * kernel's: a client's packet finds it by client and virtual address, a NAT reply by
 * real server and client), the per-worker pools they come from and the per-worker
 * timer wheels that expire them.
 *
 * Threading contract
 * - Lookups run inside an RCU read-side section from any worker; a connection found
 *   there stays allocated until the worker leaves the section.
 * - Each connection is owned by the worker that created it: it sits on that worker's
 *   timer wheel, and only that worker frees it. Any worker may handle its packets;
 *   one whose packet brings the expiry forward (a state with a shorter timeout) moves
 *   the entry on the owner's wheel under the owner's wheel lock.
 * - Fields a packet changes (state, flags, expires) are written under the
 *   connection's byte lock, except expires, which a packet may refresh with a relaxed
 *   store; the owner re-checks it under the lock before expiring.
 * - Hash chains are changed under a lock in each chain's head; readers never lock.
 * - "Unhashed" means logically gone: lookups no longer find it and its destination
 *   counters have been released. It is freed, after an RCU grace period, when its
 *   owner's wheel next reaches it.
 */
#ifndef UVS_CONN_H
#define UVS_CONN_H

#include <stdbool.h>
#include <stdint.h>

#include "base/atomic.h"
#include "pkt/addr.h"
#include "core/model-t.h"

/* Connection flags, the kernel's values. Changed only with atomic or/and, since
 * workers and the owner change different bits concurrently. */
#define UVS_CONN_F_FWD_MASK 0x0007 /* UVS_FWD_* of the destination */
#define UVS_CONN_F_NOOUTPUT 0x0080 /* no reply seen yet: TCP uses the INPUT-ONLY table */
/*      UVS_CONN_F_INACTIVE  0x0100    from ipvs.h: counted in InActConn */
#define UVS_CONN_F_OUT_SEQ    0x0200 /* the real server's sequence numbers are adjusted */
#define UVS_CONN_F_IN_SEQ     0x0400 /* the client's sequence numbers are adjusted */
#define UVS_CONN_F_SEQ_MASK   0x0600
#define UVS_CONN_F_NO_CPORT   0x0800 /* client port not known yet (FTP passive data) */
#define UVS_CONN_F_ONE_PACKET 0x2000
/*      UVS_CONN_F_TEMPLATE  0x1000    from ipvs.h */
#define UVS_CONN_F_HASHED 0x0040 /* in the table (cleared by whoever unhashes it) */
/* uvs's own: an application helper (the FTP helper, core/ftp.h) serves it, its state
 * in the slab beside the entry (uvs_conn_app_slot). Set before it is hashed. */
#define UVS_CONN_F_APP 0x4000
/* The SYN proxy's (core/synproxy.h), uvs's own bits: n_control, which only templates
 * use otherwise, holds the cookie, then (with _SEQ) the sequence offset. */
#define UVS_CONN_F_SYNPROXY	0x0008
#define UVS_CONN_F_SYNPROXY_SEQ 0x0010

/*
 * One connection or persistence template: 96 bytes, and 16 more beside it in its slab
 * (struct uvs_conn_side), so that a million take less than 128 MB. Addresses and ports
 * in network order. A template has cport 0, dport as its destination's, and for a
 * fwmark service protocol IPPROTO_IP and the mark (network order) in vaddr.ip.
 *
 * The entry is what a frame of an established connection reads and writes (the key,
 * the real server, the state and its timer, the destination): 96 bytes from a line's
 * start or middle, so always on two cache lines (at 112 bytes, one entry in four lay
 * on three). What only the owner's wheel, a change of state, the SYN proxy, a
 * template's count or the fast path's offers touch is beside it.
 */
struct uvs_conn {
	struct uvs_conn *next; /* its bucket's chain */
	union uvs_addr caddr;
	union uvs_addr vaddr;
	uint16_t cport;
	uint16_t vport;
	uint8_t af;	  /* client side */
	uint8_t protocol; /* IPPROTO_TCP, _UDP, _SCTP, or _IP for a fwmark template */
	uint16_t flags;	  /* UVS_CONN_F_* */
	union uvs_addr daddr;
	uint16_t dport;
	uint8_t daf;	  /* real server side (differs only when tunnelling) */
	uint8_t state;	  /* enum uvs_tcp_state or uvs_sctp_state; UDP uses NONE */
	uint32_t timeout; /* seconds: the current state's, or the persistence timeout */
	uvs_time_t expires;
	struct uvs_dest *dest;	  /* holds a reference */
	struct uvs_conn *control; /* the template this belongs to, or NULL */
} __attribute__((aligned(16)));

_Static_assert(sizeof(struct uvs_conn) == 96, "a connection is 96 bytes");

/* The rest of a connection, in its slab's array beside the entries (uvs_conn_side). */
struct uvs_conn_side {
	/* Links on the owner's wheel or free lists: entry numbers (uvs_conn_at). */
	uint32_t tm_next;   /* the next in the slot or list, or UVS_CONN_NONE */
	uint32_t tm_prev;   /* the previous, UVS_TM_SLOT | slot for a slot's first,
			     * or UVS_CONN_NONE when on no wheel */
	uint32_t n_control; /* a template: connections it controls (atomic); see SYNPROXY */
	uint8_t lock;	    /* byte spinlock */
	uint8_t owner;	    /* worker id */
	uint8_t fp_dirs;    /* directions offered to the XDP fast path (core/fastpath.c) */
	uint8_t spare_;
};

_Static_assert(sizeof(struct uvs_conn_side) == 16, "a connection's side is 16 bytes");

static inline struct uvs_conn_side *uvs_conn_side(const struct uvs_conn *c);

/* The worker that owns c: its wheel holds c, and it counts c in its slots. */
static inline unsigned uvs_conn_owner(const struct uvs_conn *c)
{
	return uvs_conn_side(c)->owner;
}

static inline void uvs_conn_lock(struct uvs_conn *c)
{
	uvs_spin_lock(&uvs_conn_side(c)->lock);
}

static inline void uvs_conn_unlock(struct uvs_conn *c)
{
	uvs_spin_unlock(&uvs_conn_side(c)->lock);
}

/* Acquire: pairs with the release that sets HASHED in uvs_conn_hash(). */
static inline bool uvs_conn_hashed(const struct uvs_conn *c)
{
	return uvs_load_acquire(&c->flags) & UVS_CONN_F_HASHED;
}

/* The flags, read atomically: other workers change bits concurrently. */
static inline uint16_t uvs_conn_flags(const struct uvs_conn *c)
{
	/* Relaxed: these bits publish no other data; HASHED's order is uvs_conn_hashed's. */
	return uvs_load_relaxed(&c->flags);
}

static inline bool uvs_conn_is_template(const struct uvs_conn *c)
{
	return uvs_conn_flags(c) & UVS_CONN_F_TEMPLATE;
}

/*
 * The table: 2^bits chains. A chain's head is its first entry, with bit 0 set while a
 * writer holds the chain (uvs_word_lock): the lock is on the line that linking or
 * unlinking writes anyway, not on a stripe that other chains share, which every
 * worker's new connections moved between CPUs. Readers use uvs_conn_chain().
 */
struct uvs_conn_table {
	/* Read for every frame by every worker. */
	uintptr_t *heads;
	uint32_t mask;
	uint64_t seed[2];
	uint32_t max_conns;
	uint32_t no_cport[2]; /* hashed NO_CPORT connections, IPv4 and IPv6 (atomic) */
	/* Written for every connection that ends (and every UVS_CONN_BATCH made): on a
	 * line of its own, so that each write does not take the lines above away from
	 * the other workers. Padding rather than alignment: the table lives inside
	 * structures allocated without it. */
	char pad_before_count_[64];
	uint32_t count; /* hashed connections and templates (atomic) */
	char pad_after_count_[60];
};

/* The index of af in no_cport. */
static inline unsigned uvs_af_index(int af)
{
	return af == AF_INET6;
}

/* The first entry of chain b. Caller is inside an RCU read-side section. */
static inline struct uvs_conn *uvs_conn_chain(const struct uvs_conn_table *t, uint32_t b)
{
	/* Acquire: pairs with the release that links an entry, set up, into the chain. */
	return (struct uvs_conn *)(uvs_load_acquire(&t->heads[b]) & ~UVS_WORD_LOCKED);
}

/* Sets up an empty table of 2^bits buckets (8..24) holding at most max_conns
 * entries. Returns 0, -EINVAL or -ENOMEM. */
int uvs_conn_table_init(struct uvs_conn_table *t, unsigned bits, uint32_t max_conns);
void uvs_conn_table_destroy(struct uvs_conn_table *t);

/* Inbound lookup of a connection (template false) or a template (template true).
 * Caller is inside an RCU read-side section. A connection whose client port is not
 * known yet (NO_CPORT) is found with cport 0. */
struct uvs_conn *uvs_conn_in_get(struct uvs_conn_table *t, int af, int protocol,
				 const union uvs_addr *caddr, uint16_t cport,
				 const union uvs_addr *vaddr, uint16_t vport, bool template);
/* Outbound lookup: the NAT connection of a reply from daddr:dport to caddr:cport. */
struct uvs_conn *uvs_conn_out_get(struct uvs_conn_table *t, int af, int protocol,
				  const union uvs_addr *daddr, uint16_t dport,
				  const union uvs_addr *caddr, uint16_t cport);

/*
 * The same lookups in two steps, so that a batch can prefetch: the bucket of a
 * client's address and port (a client's packet's source, a reply's destination), then
 * the search of that bucket. uvs_conn_prefetch_bucket() and uvs_conn_prefetch_first()
 * start loading the bucket head and the bucket's first entry (call the second once the
 * first has had time to arrive).
 */
uint32_t uvs_conn_bucket(const struct uvs_conn_table *t, int af, int protocol,
			 const union uvs_addr *caddr, uint16_t cport);
struct uvs_conn *uvs_conn_in_find(struct uvs_conn_table *t, uint32_t bucket, int af, int protocol,
				  const union uvs_addr *caddr, uint16_t cport,
				  const union uvs_addr *vaddr, uint16_t vport, bool template);
struct uvs_conn *uvs_conn_out_find(struct uvs_conn_table *t, uint32_t bucket, int af, int protocol,
				   const union uvs_addr *daddr, uint16_t dport,
				   const union uvs_addr *caddr, uint16_t cport);

static inline void uvs_conn_prefetch_bucket(const struct uvs_conn_table *t, uint32_t bucket)
{
	__builtin_prefetch(&t->heads[bucket]);
}

static inline void uvs_conn_prefetch_first(const struct uvs_conn_table *t, uint32_t bucket)
{
	/* Relaxed: the entry is only prefetched, not read; the search loads it again. */
	struct uvs_conn *c =
		(struct uvs_conn *)(uvs_load_relaxed(&t->heads[bucket]) & ~UVS_WORD_LOCKED);
	if (c) {
		/* Both lines of the entry. */
		__builtin_prefetch(c);
		__builtin_prefetch((const char *)c + 64);
	}
}

/* Once the first entry of the bucket has arrived: if it is not the client's (caddr,
 * cport: a client's packet's source, a reply's destination), starts loading the next
 * entry, where the search goes on. */
static inline void uvs_conn_prefetch_next(const struct uvs_conn_table *t, uint32_t bucket,
					  const union uvs_addr *caddr, uint16_t cport)
{
	/* The chain's first entry as the search loads it (acquired: its fields are set). */
	struct uvs_conn *c = uvs_conn_chain(t, bucket);
	struct uvs_conn *n;

	if (!c || (c->cport == cport && c->caddr.ip6w[0] == caddr->ip6w[0]))
		return;
	/* Relaxed: only prefetched, not read; the search loads it again. */
	n = uvs_load_relaxed(&c->next);
	if (n) {
		__builtin_prefetch(n);
		__builtin_prefetch((const char *)n + 64);
	}
}

/*
 * Walks the chains from *cursor (0 at the start): calls put(arg, c, i) for each
 * entry, i counting from 0 in this call, at most max times, and advances *cursor;
 * returns how many, 0 once the table has been walked. Whole buckets at a time, unless
 * one bucket alone holds more than max. An entry added or removed meanwhile may be
 * missed, and none is put twice unless such a large bucket changes between calls. The
 * caller is registered with RCU, outside a read-side section; put runs inside one and
 * must not block.
 */
size_t uvs_conn_walk(struct uvs_conn_table *t, uint64_t *cursor, size_t max,
		     void (*put)(void *arg, const struct uvs_conn *c, size_t i), void *arg);

/* Reserves room for one more entry. Returns false at max_conns. */
bool uvs_conn_reserve(struct uvs_conn_table *t);
/* Gives back a reservation that was not used. */
void uvs_conn_unreserve(struct uvs_conn_table *t);

/*
 * A worker's reservations in advance: far from max_conns (UVS_CONN_BATCH_MARGIN
 * below it), a worker takes UVS_CONN_BATCH at once, so that two workers making
 * connections do not both write the count's cache line for each one. Closer, one at
 * a time, and uvs_conn_spares_back() gives the rest back at the worker's next turn.
 */
#define UVS_CONN_BATCH	      32u
#define UVS_CONN_BATCH_MARGIN 4096u

/* One reservation for a worker whose spares are *spare (atomic: its own writes, read
 * by uvs_engine_conn_count): from them, or a batch, or one. False at max_conns. */
bool uvs_conn_reserve_spare(struct uvs_conn_table *t, uint32_t *spare);
/* Gives *spare back to the count if it is near max_conns (any time if all). */
void uvs_conn_spares_back(struct uvs_conn_table *t, uint32_t *spare, bool all);
/* Links c into its chain and sets HASHED. c is fresh from a pool, fully set up and
 * reserved: no other thread can reach it yet. */
void uvs_conn_hash(struct uvs_conn_table *t, struct uvs_conn *c);
/* The same into chain `bucket`, which must be c's (uvs_conn_bucket() of its client):
 * for a caller that has it from the lookup that found no connection. */
void uvs_conn_hash_in(struct uvs_conn_table *t, struct uvs_conn *c, uint32_t bucket);
/* Unlinks c and gives back its reservation. Returns false if c was not hashed
 * (someone else unhashed it first): only one caller sees true. */
bool uvs_conn_unhash(struct uvs_conn_table *t, struct uvs_conn *c);

/*
 * A worker's pool and timer wheel. The wheel has UVS_WHEEL_SLOTS slots of
 * UVS_WHEEL_TICK_NS; an entry due beyond one turn, or whose expires was pushed back by
 * packets, is moved to its new slot when its old slot comes round (lazy), so a packet
 * only writes expires and each expiry costs O(1) amortised. An expiry brought forward
 * is moved at once (uvs_conn_wheel_refile). The slots are changed under wheel_lock,
 * which the owner takes for each entry it files or takes off, and another worker
 * takes to move an entry forward.
 */
#define UVS_WHEEL_SLOTS	  4096
#define UVS_WHEEL_TICK_NS (1ull << 27) /* about 134 ms */

/*
 * What the sync daemon's master keeps of each connection beside it (the kernel's
 * in_pkts, old_state and sync_endtime): in an array beside the connection's slab, made
 * the first time a master (or drop_entry's count of packets) needs it, so that a
 * director without either spends neither memory nor cache lines on it (core/sync.h).
 */
struct uvs_conn_sync {
	uint64_t end;	   /* the expiry when last sent (ns); low 2 bits: retries */
	uint32_t in_pkts;  /* client packets seen (atomic: any worker may count) */
	uint8_t old_state; /* the state when last sent */
	uint8_t spare_[3];
};

/*
 * A slab of a pool: one 2 MiB huge page, aligned to its size, so that a connection
 * finds its slab from its own address, and through the slab its number, its side,
 * its sync entry and the pointer to its application helper's state. The last two
 * live in arrays of their own, made when first needed: only a connection with
 * UVS_CONN_F_APP has helper state, and only a director whose master runs sync
 * entries, so every other connection costs its 96 + 16 bytes and no more.
 */
struct uvs_conn_app;
#define UVS_CONN_SLAB_BYTES ((size_t)2 << 20)
#define UVS_CONN_SLAB	    18724 /* with the header (a cache line): one slab */

struct uvs_conn_slab {
	struct uvs_conn_slab *next;
	struct uvs_conn_sync *sync; /* UVS_CONN_SLAB entries, or NULL (atomic) */
	struct uvs_conn_app **app;  /* UVS_CONN_SLAB pointers, or NULL (atomic) */
	uint32_t number;	    /* in its pool, from 1 */
	struct uvs_conn conns[UVS_CONN_SLAB] __attribute__((aligned(64)));
	struct uvs_conn_side side[UVS_CONN_SLAB];
};

_Static_assert(sizeof(struct uvs_conn_slab) <= UVS_CONN_SLAB_BYTES, "a slab fits its page");

/*
 * A pool numbers its entries for the links of its wheel and free lists, 32 bits
 * where a pointer takes 64: the slab's number times 2^UVS_CONN_SLAB_SHIFT plus the
 * entry's place in it. UVS_CONN_NONE is no entry; numbers stay below UVS_TM_SLOT,
 * which tm_prev sets to say that the entry is first in a slot.
 */
#define UVS_CONN_NONE	    0u
#define UVS_CONN_SLAB_SHIFT 15
#define UVS_POOL_MAX_SLABS  (1u << 16)
#define UVS_TM_SLOT	    0x80000000u
_Static_assert(UVS_CONN_SLAB <= 1u << UVS_CONN_SLAB_SHIFT, "a place fits its bits");
_Static_assert((uint64_t)UVS_POOL_MAX_SLABS << UVS_CONN_SLAB_SHIFT <= UVS_TM_SLOT,
	       "a number never looks like a slot");

static inline struct uvs_conn_slab *uvs_conn_slab_of(const struct uvs_conn *c)
{
	return (struct uvs_conn_slab *)((uintptr_t)c & ~(UVS_CONN_SLAB_BYTES - 1));
}

/* The side of c, which must come from a pool (uvs_conn_alloc). */
static inline struct uvs_conn_side *uvs_conn_side(const struct uvs_conn *c)
{
	struct uvs_conn_slab *s = uvs_conn_slab_of(c);

	return &s->side[c - s->conns];
}

/* Makes the sync array of s, unless another thread did first. Returns it, or NULL if
 * memory ran out. Any thread. */
struct uvs_conn_sync *uvs_conn_slab_sync_make(struct uvs_conn_slab *s);
/* The same for the helper pointers. */
struct uvs_conn_app **uvs_conn_slab_app_make(struct uvs_conn_slab *s);

/* The sync entry of c if its slab has the array, else NULL: for what is only kept
 * for a master that may come (the time a connection was made). */
static inline struct uvs_conn_sync *uvs_conn_sync_if_kept(const struct uvs_conn *c)
{
	struct uvs_conn_slab *s = uvs_conn_slab_of(c);
	/* Acquire: pairs with the release that publishes the zeroed array. */
	struct uvs_conn_sync *sync = uvs_load_acquire(&s->sync);

	return sync ? &sync[c - s->conns] : NULL;
}

/* The sync entry of c (from a pool: uvs_conn_alloc), made with its slab's array if
 * that is the first; NULL only if memory ran out (the caller then neither counts nor
 * sends c). An entry made late starts zero: its end as if sent long ago. */
static inline struct uvs_conn_sync *uvs_conn_sync(const struct uvs_conn *c)
{
	struct uvs_conn_sync *cs = uvs_conn_sync_if_kept(c);
	struct uvs_conn_slab *s;
	struct uvs_conn_sync *sync;

	if (__builtin_expect(cs != NULL, 1))
		return cs;
	s = uvs_conn_slab_of(c);
	sync = uvs_conn_slab_sync_make(s);
	return sync ? &sync[c - s->conns] : NULL;
}

/* The helper state of c (from a pool), or NULL. Read under RCU by whoever holds c. */
static inline struct uvs_conn_app *uvs_conn_app(const struct uvs_conn *c)
{
	struct uvs_conn_slab *s = uvs_conn_slab_of(c);
	struct uvs_conn_app **app = uvs_load_acquire(&s->app);

	/* Acquire: pairs with uvs_conn_app_set()'s release (published by the hash too). */
	return app ? uvs_load_acquire(&app[c - s->conns]) : NULL;
}

/* Sets the helper state of c: before c is hashed, or NULL when it ends. Returns false
 * (c unchanged) if its slab's array could not be made. */
static inline bool uvs_conn_app_set(struct uvs_conn *c, struct uvs_conn_app *a)
{
	struct uvs_conn_slab *s = uvs_conn_slab_of(c);
	struct uvs_conn_app **app = uvs_load_acquire(&s->app);

	if (!app && !(app = uvs_conn_slab_app_make(s)))
		return false;
	uvs_store_release(&app[c - s->conns], a);
	return true;
}

struct uvs_conn_pool {
	uint32_t free;	   /* ready for reuse */
	uint32_t returned; /* given back after a grace period (atomic stack) */
	uint32_t limbo;	   /* freed, waiting for the next grace period */
	unsigned limbo_len;
	unsigned inflight; /* grace-period callbacks not yet run (atomic) */
	struct uvs_conn_slab *slabs;
	/* Slab by number (UVS_POOL_MAX_SLABS, [0] unused), made with the first slab. Each
	 * is set before its entries are handed out and never changes after. */
	struct uvs_conn_slab **slab_at;
	unsigned nslabs;		 /* of UVS_CONN_SLAB entries each */
	uint32_t wheel[UVS_WHEEL_SLOTS]; /* the first entry of each slot */
	uint64_t wheel_tick;		 /* the last tick processed (under wheel_lock) */
	uint8_t wheel_lock;
	bool wheel_started;
	uint8_t id;
};

/* The entry of p numbered n, or NULL for UVS_CONN_NONE. */
static inline struct uvs_conn *uvs_conn_at(const struct uvs_conn_pool *p, uint32_t n)
{
	if (n == UVS_CONN_NONE)
		return NULL;
	return &p->slab_at[n >> UVS_CONN_SLAB_SHIFT]->conns[n & ((1u << UVS_CONN_SLAB_SHIFT) - 1)];
}

/* The number of c in its pool. */
static inline uint32_t uvs_conn_number(const struct uvs_conn *c)
{
	const struct uvs_conn_slab *s = uvs_conn_slab_of(c);

	return s->number << UVS_CONN_SLAB_SHIFT | (uint32_t)(c - s->conns);
}

void uvs_conn_pool_init(struct uvs_conn_pool *p, uint8_t id);
/* Frees every connection of the pool without expiring them. No worker may still
 * use them; waits for outstanding grace periods. */
void uvs_conn_pool_destroy(struct uvs_conn_pool *p);
/* A zeroed connection owned by p, or NULL if memory ran out. */
struct uvs_conn *uvs_conn_alloc(struct uvs_conn_pool *p);
/* Puts c on p's wheel for c->expires. c is owned by p; p's worker calls this. */
void uvs_conn_wheel_add(struct uvs_conn_pool *p, struct uvs_conn *c);
/* Moves c, owned by p, to the slot of its c->expires, which a packet has just brought
 * forward. Any worker, inside an RCU read-side section, not holding c's lock. Does
 * nothing if c is off the wheel (its owner is expiring it right now, and will read
 * the new expires). */
void uvs_conn_wheel_refile(struct uvs_conn_pool *p, struct uvs_conn *c);

/*
 * Advances p's wheel to now: for each hashed entry whose slot came round and whose
 * expires has passed, calls expire(arg, c, now), which returns true if it unhashed c
 * or false to keep it (it is put back for c->expires). Unhashed entries met on the
 * wheel are freed after an RCU grace period, except templates that still control
 * connections, which wait. Returns the number freed. Caller is registered with RCU
 * and outside a read-side section.
 */
unsigned uvs_conn_wheel_run(struct uvs_conn_pool *p, uvs_time_t now,
			    bool (*expire)(void *arg, struct uvs_conn *c, uvs_time_t now),
			    void *arg);

#endif
