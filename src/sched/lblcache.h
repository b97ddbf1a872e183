/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What lblc and lblcr share: a cache keyed by a packet's destination address, its lazy
 * garbage collection, the "lblc-overloaded" test and a wlc load index for the fallback
 * pick.
 *
 * The cache has 1024 chained buckets; an entry is found by comparing family and the full
 * address. Each scheduler embeds struct uvs_lbl_entry at the start of its own entry and
 * says, through struct uvs_lbl_class, how to free one and how to make one forget a
 * destination that leaves the service, so that no entry keeps a dangling pointer.
 *
 * The kernel collects garbage from a timer every 60 s. uvs reads no clock: schedule()
 * calls uvs_lbl_gc() with the packet's time, which runs the ticks that have come due.
 * A tick drops entries unused for 6 minutes when there are more than 16384 of them
 * (at most a bounded number per tick, as the kernel does), and every 30th tick drops
 * entries unused for the expiration sysctl's time (lblc_expiration or
 * lblcr_expiration, 24 hours by default).
 *
 * All functions run under svc->lock.
 */
#ifndef UVS_LBLCACHE_H
#define UVS_LBLCACHE_H

#include "loadheap.h"

#define UVS_LBL_BUCKETS	       1024
#define UVS_LBL_MAX_SIZE       (UVS_LBL_BUCKETS * 16) /* more entries than this: trim */
#define UVS_LBL_GC_INTERVAL    (60 * UVS_NS_PER_SEC)
#define UVS_LBL_ENTRY_TIMEOUT  (6 * 60 * UVS_NS_PER_SEC)
#define UVS_LBL_FULL_CHECK_RUN 30 /* every 30th tick checks for the expiration */

struct uvs_lbl_entry {
	struct uvs_lbl_entry *next; /* bucket chain */
	union uvs_addr addr;
	uint16_t af;
	uvs_time_t lastuse;
};

struct uvs_lbl_class {
	void (*free_entry)(struct uvs_lbl_entry *e);
	/* d is leaving the service: e must not refer to it any more. */
	void (*forget)(struct uvs_lbl_entry *e, const struct uvs_dest *d);
};

struct uvs_lbl {
	const struct uvs_lbl_class *cls;
	struct uvs_loadheap wlc; /* slot 0; d->sched_pos[1] is 1 while d is underloaded */
	unsigned underloaded;	 /* destinations with active * 2 < weight */
	size_t entries;
	bool gc_started;
	uvs_time_t next_gc; /* when the next tick is due */
	unsigned gc_count;  /* the kernel's tick counter: 1..30 */
	unsigned rover;	    /* where the next trim starts */
	struct uvs_lbl_entry *bucket[UVS_LBL_BUCKETS];
};

/* Ops for a scheduler whose sched_data is a struct uvs_lbl made by uvs_lbl_sched_init(). */
int uvs_lbl_sched_init(struct uvs_service *svc, const struct uvs_lbl_class *cls);
void uvs_lbl_sched_done(struct uvs_service *svc);
int uvs_lbl_sched_add(struct uvs_service *svc, struct uvs_dest *d);
void uvs_lbl_sched_del(struct uvs_service *svc, struct uvs_dest *d);
int uvs_lbl_sched_upd(struct uvs_service *svc, struct uvs_dest *d);
void uvs_lbl_sched_load(struct uvs_service *svc, struct uvs_dest *d);

/* An expiration sysctl of svc's model (seconds) in nanoseconds; a negative one, which
 * the kernel takes too, expires entries as 0 does. */
static inline uvs_time_t uvs_lbl_expiration(const int *seconds)
{
	int s = uvs_load_relaxed(seconds); /* relaxed: a setting read on its own */

	return s > 0 ? (uvs_time_t)s * UVS_NS_PER_SEC : 0;
}

/* Runs the garbage collection ticks due at now; a full check drops entries unused
 * for expiration. */
void uvs_lbl_gc(struct uvs_lbl *t, uvs_time_t now, uvs_time_t expiration);
/* The entry for af/addr, or NULL. */
struct uvs_lbl_entry *uvs_lbl_find(const struct uvs_lbl *t, int af, const union uvs_addr *addr);
/* Links e, whose af and addr are set and which is not in the cache yet. */
void uvs_lbl_insert(struct uvs_lbl *t, struct uvs_lbl_entry *e);

/* The wlc pick over the whole service: O(1). */
static inline struct uvs_dest *uvs_lbl_wlc(const struct uvs_lbl *t)
{
	return uvs_loadheap_top(&t->wlc);
}

/* "lblc-overloaded": more active connections than its weight while some destination of
 * the service has fewer than half its weight. The overload flag is not consulted. */
static inline bool uvs_lbl_overloaded(const struct uvs_lbl *t, const struct uvs_dest *d)
{
	return uvs_dest_active(d) > uvs_dest_weight(d) && t->underloaded > 0;
}

/* Compares the loads (overhead / weight) of a and b by cross products, as the kernel
 * does: <0, 0 or >0. A weight of 0 makes a cross product 0, so callers skip it. */
static inline int uvs_lbl_cmp_load(const struct uvs_dest *a, const struct uvs_dest *b)
{
	uint64_t l = uvs_dest_overhead(a) * uvs_dest_weight(b);
	uint64_t r = uvs_dest_overhead(b) * uvs_dest_weight(a);

	return l < r ? -1 : l > r;
}

#endif
