// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The connection table (an RCU hash table, a lock in each chain's head), the per-worker
 * connection pools, and their timer wheels. See conn.h for the threading contract.
 */
#include "conn.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <urcu.h>

#include "base/atomic.h"
#include "rcu-handoff.h"

/* ---- hashing ---- */

static inline uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v;
	h *= 0x9e3779b97f4a7c15ull;
	return h ^ (h >> 31);
}

static inline uint64_t addr_mix(uint64_t h, const union uvs_addr *a)
{
	h = mix(h, (uint64_t)a->ip6w[0] | (uint64_t)a->ip6w[1] << 32);
	return mix(h, (uint64_t)a->ip6w[2] | (uint64_t)a->ip6w[3] << 32);
}

/* The bucket is a keyed hash of a client's <af, protocol, address, port>, the kernel's
 * key: both of a connection's directions find it, and the seed keeps chains
 * unpredictable to a sender who picks addresses and ports. */
uint32_t uvs_conn_bucket(const struct uvs_conn_table *t, int af, int protocol,
			 const union uvs_addr *caddr, uint16_t cport)
{
	uint64_t h = mix(t->seed[0], (uint64_t)af << 40 | (uint64_t)protocol << 32 | cport);

	h = addr_mix(h ^ t->seed[1], caddr);
	return (uint32_t)(h ^ (h >> 32)) & t->mask;
}

static uint32_t conn_hash(const struct uvs_conn_table *t, const struct uvs_conn *c)
{
	return uvs_conn_bucket(t, c->af, c->protocol, &c->caddr, c->cport);
}

/* ---- chain locks ---- */

/* Locks chain b (bit 0 of its head) and returns its first entry. */
static struct uvs_conn *chain_lock(struct uvs_conn_table *t, uint32_t b)
{
	return (struct uvs_conn *)uvs_word_lock(&t->heads[b]);
}

/* Makes first the head of chain b and unlocks it; the release publishes what the
 * holder linked. */
static void chain_unlock(struct uvs_conn_table *t, uint32_t b, struct uvs_conn *first)
{
	uvs_word_unlock(&t->heads[b], (uintptr_t)first);
}

/* ---- table ---- */

#define HUGE_PAGE ((size_t)2 << 20)

/* Zeroed memory for an array hit at random: on transparent huge pages when it is big
 * enough (one TLB entry per 2 MiB instead of per 4 KiB). Free with free(). */
static void *alloc_table(size_t size)
{
	void *p;

	if (size < HUGE_PAGE)
		return calloc(1, size);
	size = (size + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
	if (posix_memalign(&p, HUGE_PAGE, size))
		return NULL;
	madvise(p, size, MADV_HUGEPAGE); /* advice only: without it, small pages */
	memset(p, 0, size);
	return p;
}

int uvs_conn_table_init(struct uvs_conn_table *t, unsigned bits, uint32_t max_conns)
{
	memset(t, 0, sizeof(*t));
	if (bits < 8 || bits > 24)
		return -EINVAL;
	t->mask = (1u << bits) - 1;
	t->max_conns = max_conns;
	t->heads = alloc_table(((size_t)t->mask + 1) * sizeof(*t->heads));
	if (!t->heads) {
		uvs_conn_table_destroy(t);
		return -ENOMEM;
	}
	if (getrandom(t->seed, sizeof(t->seed), 0) != sizeof(t->seed)) {
		/* No entropy yet: an address-derived seed is still better than a constant. */
		t->seed[0] = (uint64_t)(uintptr_t)t ^ 0x6a09e667f3bcc908ull;
		t->seed[1] = (uint64_t)(uintptr_t)t->heads ^ 0xbb67ae8584caa73bull;
	}
	return 0;
}

void uvs_conn_table_destroy(struct uvs_conn_table *t)
{
	free(t->heads);
	t->heads = NULL;
}

struct uvs_conn *uvs_conn_in_find(struct uvs_conn_table *t, uint32_t b, int af, int protocol,
				  const union uvs_addr *caddr, uint16_t cport,
				  const union uvs_addr *vaddr, uint16_t vport, bool template)
{
	uint16_t want = template ? UVS_CONN_F_TEMPLATE : 0;

	/* Acquire next: pairs with the release that links an entry, set up, into the chain. */
	for (struct uvs_conn *c = uvs_conn_chain(t, b); c; c = uvs_load_acquire(&c->next)) {
		if (c->cport == cport && c->vport == vport && c->af == af &&
		    c->protocol == protocol && (uvs_conn_flags(c) & UVS_CONN_F_TEMPLATE) == want &&
		    uvs_addr_eq(&c->caddr, caddr) && uvs_addr_eq(&c->vaddr, vaddr))
			return c;
	}
	return NULL;
}

struct uvs_conn *uvs_conn_out_find(struct uvs_conn_table *t, uint32_t b, int af, int protocol,
				   const union uvs_addr *daddr, uint16_t dport,
				   const union uvs_addr *caddr, uint16_t cport)
{
	/* Relaxed flags: FWD and TEMPLATE are set before the entry is linked. */
	for (struct uvs_conn *c = uvs_conn_chain(t, b); c; c = uvs_load_acquire(&c->next)) {
		if (c->dport == dport && c->cport == cport && c->af == af &&
		    c->protocol == protocol &&
		    (uvs_conn_flags(c) & (UVS_CONN_F_FWD_MASK | UVS_CONN_F_TEMPLATE)) ==
			    UVS_FWD_MASQ &&
		    uvs_addr_eq(&c->daddr, daddr) && uvs_addr_eq(&c->caddr, caddr))
			return c;
	}
	return NULL;
}

struct uvs_conn *uvs_conn_in_get(struct uvs_conn_table *t, int af, int protocol,
				 const union uvs_addr *caddr, uint16_t cport,
				 const union uvs_addr *vaddr, uint16_t vport, bool template)
{
	return uvs_conn_in_find(t, uvs_conn_bucket(t, af, protocol, caddr, cport), af, protocol,
				caddr, cport, vaddr, vport, template);
}

struct uvs_conn *uvs_conn_out_get(struct uvs_conn_table *t, int af, int protocol,
				  const union uvs_addr *daddr, uint16_t dport,
				  const union uvs_addr *caddr, uint16_t cport)
{
	return uvs_conn_out_find(t, uvs_conn_bucket(t, af, protocol, caddr, cport), af, protocol,
				 daddr, dport, caddr, cport);
}

bool uvs_conn_reserve(struct uvs_conn_table *t)
{
	/* Relaxed: a count against the limit; it publishes no entry (the chains do). */
	if (uvs_add_return_relaxed(&t->count, 1) <= t->max_conns)
		return true;
	uvs_sub_relaxed(&t->count, 1); /* relaxed: the count, as above */
	return false;
}

void uvs_conn_unreserve(struct uvs_conn_table *t)
{
	uvs_sub_relaxed(&t->count, 1); /* relaxed: a count; it publishes nothing */
}

/* Whether the count is far enough below max_conns for batches. */
static bool far_from_limit(const struct uvs_conn_table *t)
{
	/* Relaxed: the count, as in uvs_conn_reserve(). */
	uint32_t count = uvs_load_relaxed(&t->count);

	return t->max_conns > UVS_CONN_BATCH_MARGIN && count < t->max_conns - UVS_CONN_BATCH_MARGIN;
}

bool uvs_conn_reserve_spare(struct uvs_conn_table *t, uint32_t *spare)
{
	uint32_t have = uvs_load_relaxed(spare); /* relaxed: this worker's own */

	if (have) {
		uvs_store_relaxed(spare, have - 1);
		return true;
	}
	if (!far_from_limit(t))
		return uvs_conn_reserve(t);
	/* Relaxed: a count against the limit, as in uvs_conn_reserve(). */
	if (uvs_add_return_relaxed(&t->count, UVS_CONN_BATCH) <= t->max_conns) {
		uvs_store_relaxed(spare, UVS_CONN_BATCH - 1);
		return true;
	}
	uvs_sub_relaxed(&t->count, UVS_CONN_BATCH);
	return uvs_conn_reserve(t);
}

void uvs_conn_spares_back(struct uvs_conn_table *t, uint32_t *spare, bool all)
{
	uint32_t have = uvs_load_relaxed(spare); /* relaxed: this worker's own */

	if (!have || (!all && far_from_limit(t)))
		return;
	uvs_store_relaxed(spare, 0);
	uvs_sub_relaxed(&t->count, have); /* relaxed: the count, as above */
}

void uvs_conn_hash(struct uvs_conn_table *t, struct uvs_conn *c)
{
	uvs_conn_hash_in(t, c, conn_hash(t, c));
}

void uvs_conn_hash_in(struct uvs_conn_table *t, struct uvs_conn *c, uint32_t b)
{
	uvs_or_release(&c->flags, UVS_CONN_F_HASHED);
	if (uvs_conn_flags(c) & UVS_CONN_F_NO_CPORT) /* relaxed: a count, read racily */
		uvs_add_relaxed(&t->no_cport[uvs_af_index(c->af)], 1);
	c->next = chain_lock(t, b);
	chain_unlock(t, b, c); /* c is set up before readers can reach it */
}

bool uvs_conn_unhash(struct uvs_conn_table *t, struct uvs_conn *c)
{
	/* Sequentially consistent: the owner's check of n_control after this, and a
	 * scheduler's increment of it before its check of HASHED (persist_template()),
	 * cannot both miss each other. */
	uint16_t old = uvs_fetch_and_seq_cst(&c->flags, (uint16_t)~UVS_CONN_F_HASHED);
	struct uvs_conn *first;
	uint32_t b;

	if (!(old & UVS_CONN_F_HASHED))
		return false;
	/* Unlinking leaves c's own next pointer alone, so readers on c walk on. */
	b = conn_hash(t, c);
	first = chain_lock(t, b);
	if (first == c) {
		first = c->next;
	} else {
		for (struct uvs_conn **pp = &first->next; *pp; pp = &(*pp)->next) {
			if (*pp == c) {
				uvs_store_release(pp, c->next);
				break;
			}
		}
	}
	chain_unlock(t, b, first);
	if (old & UVS_CONN_F_NO_CPORT) /* relaxed: a count, read racily */
		uvs_sub_relaxed(&t->no_cport[uvs_af_index(c->af)], 1);
	uvs_conn_unreserve(t);
	return true;
}

/* ---- pools ---- */

void uvs_conn_pool_init(struct uvs_conn_pool *p, uint8_t id)
{
	memset(p, 0, sizeof(*p));
	p->id = id;
}

void uvs_conn_pool_destroy(struct uvs_conn_pool *p)
{
	rcu_barrier(); /* no grace-period callback may still push to this pool */
	/* The acquire pairs with each callback's release (and shows the order to TSan,
	 * which does not see inside liburcu). */
	while (uvs_load_acquire(&p->inflight))
		;
	while (p->slabs) {
		struct uvs_conn_slab *next = p->slabs->next;
		free(p->slabs->sync);
		free(p->slabs->app);
		free(p->slabs);
		p->slabs = next;
	}
	free(p->slab_at);
	p->slab_at = NULL;
	p->nslabs = 0;
	memset(p->wheel, 0, sizeof(p->wheel));
	p->free = p->returned = p->limbo = UVS_CONN_NONE;
}

static bool grow(struct uvs_conn_pool *p)
{
	struct uvs_conn_slab *s;
	uint32_t number = p->nslabs + 1;

	if (number >= UVS_POOL_MAX_SLABS)
		return false;
	if (!p->slab_at && !(p->slab_at = calloc(UVS_POOL_MAX_SLABS, sizeof(*p->slab_at))))
		return false;
	_Static_assert(UVS_CONN_SLAB_BYTES == HUGE_PAGE, "a slab is a huge page");
	/* Aligned to its size: uvs_conn_sync() and uvs_conn_app() find the slab from a
	 * connection. */
	if (posix_memalign((void **)&s, HUGE_PAGE, HUGE_PAGE))
		return false;
	madvise(s, HUGE_PAGE, MADV_HUGEPAGE);
	s->sync = NULL;
	s->app = NULL;
	s->number = number;
	s->next = p->slabs;
	p->slabs = s;
	p->slab_at[number] = s;
	p->nslabs = number;
	/* Handed out from the first, so that the pages are touched in order. */
	for (unsigned i = UVS_CONN_SLAB; i-- > 0;) {
		s->side[i].tm_next = p->free;
		p->free = number << UVS_CONN_SLAB_SHIFT | i;
	}
	return true;
}

struct uvs_conn *uvs_conn_alloc(struct uvs_conn_pool *p)
{
	struct uvs_conn_side *side;
	struct uvs_conn *c;

	if (p->free == UVS_CONN_NONE) /* acquire: pairs with limbo_done */
		p->free = uvs_xchg_acquire(&p->returned, UVS_CONN_NONE);
	if (p->free == UVS_CONN_NONE && !grow(p))
		return NULL;
	c = uvs_conn_at(p, p->free);
	side = uvs_conn_side(c);
	p->free = side->tm_next;
	memset(c, 0, sizeof(*c));
	*side = (struct uvs_conn_side){ .owner = p->id };
	/* No worker reads a free entry's sync state (sync.h): zeroed with the entry. */
	struct uvs_conn_sync *sync = uvs_conn_sync_if_kept(c);
	if (sync)
		memset(sync, 0, sizeof(*sync));
	return c;
}

/* Publishes a zeroed array of n elements of size bytes at *slot unless one is there.
 * Returns what *slot holds then, or NULL if memory ran out. */
static void *slab_side_make(void **slot, size_t n, size_t size)
{
	void *made = calloc(n, size), *seen = NULL;

	if (!made)
		return uvs_load_acquire(slot);
	/* Release: the zeroes before the pointer. The loser reads the winner's with an
	 * acquire of its own. */
	if (uvs_cmpxchg_release(slot, seen, made) == seen)
		return made;
	free(made);
	return uvs_load_acquire(slot);
}

struct uvs_conn_sync *uvs_conn_slab_sync_make(struct uvs_conn_slab *s)
{
	return slab_side_make((void **)&s->sync, UVS_CONN_SLAB, sizeof(*s->sync));
}

struct uvs_conn_app **uvs_conn_slab_app_make(struct uvs_conn_slab *s)
{
	return slab_side_make((void **)&s->app, UVS_CONN_SLAB, sizeof(*s->app));
}

static uint64_t tick_of(uvs_time_t t)
{
	return t / UVS_WHEEL_TICK_NS;
}

static void wheel_lock(struct uvs_conn_pool *p)
{
	uvs_spin_lock(&p->wheel_lock);
}

static void wheel_unlock(struct uvs_conn_pool *p)
{
	uvs_spin_unlock(&p->wheel_lock);
}

/* Files c under the slot of its expiry, or of the next unprocessed tick if that is
 * later (a slot already passed would wait a whole turn). Caller holds wheel_lock. */
static void wheel_put(struct uvs_conn_pool *p, struct uvs_conn *c, uint64_t not_before)
{
	/* Relaxed: a time that publishes nothing; a later refresh shows when the slot comes. */
	uint64_t tick = tick_of(uvs_load_relaxed(&c->expires));
	uint32_t slot, n = uvs_conn_number(c);
	struct uvs_conn_side *cs = uvs_conn_side(c);

	if (tick < not_before)
		tick = not_before;
	slot = (uint32_t)(tick & (UVS_WHEEL_SLOTS - 1));
	cs->tm_next = p->wheel[slot];
	if (cs->tm_next != UVS_CONN_NONE)
		uvs_conn_side(uvs_conn_at(p, cs->tm_next))->tm_prev = n;
	cs->tm_prev = UVS_TM_SLOT | slot;
	p->wheel[slot] = n;
}

/* Takes c out of its slot. Caller holds wheel_lock; c is in a slot. */
static void wheel_unlink(struct uvs_conn_pool *p, struct uvs_conn *c)
{
	struct uvs_conn_side *cs = uvs_conn_side(c);

	if (cs->tm_prev & UVS_TM_SLOT)
		p->wheel[cs->tm_prev & ~UVS_TM_SLOT] = cs->tm_next;
	else
		uvs_conn_side(uvs_conn_at(p, cs->tm_prev))->tm_next = cs->tm_next;
	if (cs->tm_next != UVS_CONN_NONE)
		uvs_conn_side(uvs_conn_at(p, cs->tm_next))->tm_prev = cs->tm_prev;
	cs->tm_next = UVS_CONN_NONE;
	cs->tm_prev = UVS_CONN_NONE;
}

void uvs_conn_wheel_add(struct uvs_conn_pool *p, struct uvs_conn *c)
{
	wheel_lock(p);
	wheel_put(p, c, p->wheel_tick + 1);
	wheel_unlock(p);
}

void uvs_conn_wheel_refile(struct uvs_conn_pool *p, struct uvs_conn *c)
{
	wheel_lock(p);
	if (uvs_conn_side(c)->tm_prev != UVS_CONN_NONE) {
		wheel_unlink(p, c);
		wheel_put(p, c, p->wheel_tick + 1);
	}
	wheel_unlock(p);
}

struct limbo_batch {
	struct rcu_head rcu;
	uint32_t list;
	struct uvs_conn_pool *pool;
};

/* The last entry of a list linked by tm_next. */
static struct uvs_conn *list_last(const struct uvs_conn_pool *p, uint32_t list)
{
	struct uvs_conn *last = uvs_conn_at(p, list);

	while (uvs_conn_side(last)->tm_next != UVS_CONN_NONE)
		last = uvs_conn_at(p, uvs_conn_side(last)->tm_next);
	return last;
}

/* Runs in liburcu's callback thread once no reader can hold the batch's entries. */
static void limbo_done(struct rcu_head *head)
{
	struct limbo_batch *b = caa_container_of(head, struct limbo_batch, rcu);
	uvs_rcu_callback_begin();
	struct uvs_conn_pool *p = b->pool;
	struct uvs_conn *last = list_last(p, b->list);
	/* Relaxed: only a first guess at the stack's top; the exchange checks it. */
	uint32_t top, seen = uvs_load_relaxed(&p->returned);

	/* Release: the owner's exchange in uvs_conn_alloc() sees the list's links. */
	do {
		top = seen;
		uvs_conn_side(last)->tm_next = top;
		seen = uvs_cmpxchg_release(&p->returned, top, b->list);
	} while (seen != top);
	uvs_sub_release(&p->inflight, 1);
	free(b);
}

static void limbo_flush(struct uvs_conn_pool *p)
{
	struct limbo_batch *b;

	if (p->limbo == UVS_CONN_NONE)
		return;
	b = malloc(sizeof(*b));
	if (!b) {
		/* Out of memory for the batch: wait for the grace period here instead. */
		synchronize_rcu();
		uvs_conn_side(list_last(p, p->limbo))->tm_next = p->free;
		p->free = p->limbo;
	} else {
		b->pool = p;
		b->list = p->limbo;
		/* Relaxed: uvs_call_rcu() orders it before the callback's decrement. */
		uvs_add_relaxed(&p->inflight, 1);
		uvs_call_rcu(&b->rcu, limbo_done);
	}
	p->limbo = UVS_CONN_NONE;
	p->limbo_len = 0;
}

static void to_limbo(struct uvs_conn_pool *p, struct uvs_conn *c)
{
	uvs_conn_side(c)->tm_next = p->limbo;
	p->limbo = uvs_conn_number(c);
	p->limbo_len++;
}

/* Whether c is a template that still controls connections, which must wait (a
 * connection's n_control may hold the SYN proxy's numbers instead). n_control
 * sequentially consistent: see uvs_conn_unhash(). */
static bool controls(const struct uvs_conn *c)
{
	return uvs_conn_is_template(c) && uvs_load_seq_cst(&uvs_conn_side(c)->n_control) != 0;
}

unsigned uvs_conn_wheel_run(struct uvs_conn_pool *p, uvs_time_t now,
			    bool (*expire)(void *arg, struct uvs_conn *c, uvs_time_t now),
			    void *arg)
{
	uint64_t until = tick_of(now), from = p->wheel_tick + 1;
	unsigned freed = 0;

	if (until < from)
		return 0;
	/* After a long gap every slot is visited once; each entry checks its own time. */
	if (until - from >= UVS_WHEEL_SLOTS)
		from = until - UVS_WHEEL_SLOTS + 1;
	wheel_lock(p);
	p->wheel_tick = until;
	for (uint64_t tick = from; tick <= until; tick++) {
		uint32_t *slot = &p->wheel[tick & (UVS_WHEEL_SLOTS - 1)];
		struct uvs_conn *c, *next, *list = uvs_conn_at(p, *slot), *kept = NULL;

		/* The slot is taken off whole under the lock (so nobody moves its
		 * entries meanwhile) and judged without it, since expire() takes chain
		 * and connection locks. */
		*slot = UVS_CONN_NONE;
		for (c = list; c; c = uvs_conn_at(p, uvs_conn_side(c)->tm_next))
			uvs_conn_side(c)->tm_prev = UVS_CONN_NONE;
		wheel_unlock(p);
		for (c = list; c; c = next) {
			bool keep;

			next = uvs_conn_at(p, uvs_conn_side(c)->tm_next);
			if (!uvs_conn_hashed(c))
				keep = controls(c);
			/* Relaxed expires: a time that publishes nothing; a refresh racing
			 * with expiry may be missed either way. */
			else if (uvs_load_relaxed(&c->expires) > now || !expire(arg, c, now))
				keep = true;
			else
				keep = controls(c);
			if (keep) {
				uvs_conn_side(c)->tm_next =
					kept ? uvs_conn_number(kept) : UVS_CONN_NONE;
				kept = c;
			} else {
				to_limbo(p, c);
				freed++;
			}
		}
		wheel_lock(p);
		for (c = kept; c; c = next) {
			next = uvs_conn_at(p, uvs_conn_side(c)->tm_next);
			wheel_put(p, c, until + 1);
		}
	}
	wheel_unlock(p);
	limbo_flush(p);
	return freed;
}

/* A walk's cursor: the bucket to read next, and how many of its entries were put
 * already (only when a bucket did not fit in one call). */
#define WALK_SKIP_BITS 24

size_t uvs_conn_walk(struct uvs_conn_table *t, uint64_t *cursor, size_t max,
		     void (*put)(void *arg, const struct uvs_conn *c, size_t i), void *arg)
{
	uint64_t bucket = *cursor >> WALK_SKIP_BITS;
	uint64_t skip = *cursor & ((1u << WALK_SKIP_BITS) - 1);
	size_t n = 0;

	rcu_read_lock();
	for (; bucket <= t->mask && n < max; bucket++, skip = 0) {
		size_t in_bucket = 0, start = n;
		/* Acquire next: pairs with the release that links an entry (uvs_conn_hash()). */
		struct uvs_conn *c = uvs_conn_chain(t, (uint32_t)bucket);

		for (; c; c = uvs_load_acquire(&c->next))
			in_bucket++;
		if (in_bucket > skip && in_bucket - skip > max - n && n > 0)
			break; /* the whole bucket goes in the next call */
		c = uvs_conn_chain(t, (uint32_t)bucket);
		for (uint64_t i = 0; c; c = uvs_load_acquire(&c->next), i++) {
			if (i < skip)
				continue;
			if (n == max) { /* a bucket larger than a call: go on inside it */
				*cursor = bucket << WALK_SKIP_BITS | (skip + (n - start));
				rcu_read_unlock();
				return n;
			}
			put(arg, c, n++);
		}
	}
	rcu_read_unlock();
	*cursor = bucket << WALK_SKIP_BITS;
	return n;
}
