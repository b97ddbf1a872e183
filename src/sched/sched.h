/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The scheduler interface: one ops struct per scheduler, one file per scheduler, all
 * registered in one table (sched.c).
 *
 * Every op runs with svc->lock held. init/add/del/upd run on the control side and do
 * the heavy work (tables, indexes, allocation), so that schedule() is O(1) or O(log n)
 * and never allocates. An op that fails returns a negative errno and must leave the
 * scheduler's state as it was; the caller then undoes its own change.
 */
#ifndef UVS_SCHED_H
#define UVS_SCHED_H

#include "core/model.h"

struct uvs_sched_ops {
	const char *name;
	/* Most destinations a service may have with this scheduler; 0: no limit. */
	unsigned max_dests;
	/* Builds state for svc's current destinations into svc->sched_data. */
	int (*init_service)(struct uvs_service *svc);
	/* Frees svc->sched_data; NULL: it is one block, freed with free(). */
	void (*done_service)(struct uvs_service *svc);
	/* dest has just been linked at the head of svc->dests. */
	int (*add_dest)(struct uvs_service *svc, struct uvs_dest *dest);
	/* dest has just been unlinked; it must not be referenced afterwards. */
	void (*del_dest)(struct uvs_service *svc, struct uvs_dest *dest);
	/* dest's weight or thresholds changed. */
	int (*upd_dest)(struct uvs_service *svc, struct uvs_dest *dest);
	/* For state rebuilt from svc's destinations on any change: what a NULL add_dest,
	 * del_dest or upd_dest does (nothing if this is NULL too). A rebuild after a
	 * deletion must not fail. */
	int (*rebuild)(struct uvs_service *svc);
	/* dest's connection counters or overload flag changed (data path; optional). */
	void (*load_changed)(struct uvs_service *svc, struct uvs_dest *dest);
	/* The destination for a new connection, or NULL. */
	struct uvs_dest *(*schedule)(struct uvs_service *svc, const struct uvs_sched_pkt *pkt);
};

/*
 * The head of a scheduler's state whose pick takes no lock (rr, and the hashing
 * schedulers: sh, dh, mh): first in that state, so that the pick finds the state from
 * u and the state is freed a grace period after the scheduler lets the service go,
 * when no pick that found it can still be running.
 */
struct uvs_sched_lockfree {
	struct uvs_sched_unlocked u;
	struct rcu_head rcu;
	/* Frees the state; NULL: it is one block, freed with free(). */
	void (*release)(struct uvs_sched_lockfree *h);
};

typedef struct uvs_dest *uvs_sched_pick_fn(struct uvs_service *svc, struct uvs_sched_unlocked *u,
					   const struct uvs_sched_pkt *pkt);

/* A zeroed state of size bytes (aligned to a cache line) starting with its head, pick
 * as its pick, not published yet; NULL if out of memory. */
struct uvs_sched_lockfree *uvs_sched_lockfree_alloc(size_t size, uvs_sched_pick_fn *pick);
/* Makes h's pick svc's (svc->unlocked); h's state is set up. Caller holds svc->lock. */
void uvs_sched_lockfree_publish(struct uvs_service *svc, struct uvs_sched_lockfree *h);
/* Takes h's pick back from svc, if it is svc's: picks take svc->lock again (those
 * already running finish with h). Caller holds svc->lock. */
void uvs_sched_lockfree_unpublish(struct uvs_service *svc, struct uvs_sched_lockfree *h);
/* init_service of such a scheduler whose state is one zeroed block of size bytes
 * (aligned to a cache line) starting with its head: allocates it as svc->sched_data
 * with pick as its pick, lets fill (if not NULL) set it up, and publishes it. Returns
 * 0, -ENOMEM or fill's error (then nothing is left behind). */
int uvs_sched_lockfree_start(struct uvs_service *svc, size_t size, uvs_sched_pick_fn *pick,
			     int (*fill)(struct uvs_service *svc));
/* schedule op of such a scheduler: its own pick, under svc->lock (a caller that asks
 * the ops directly). */
struct uvs_dest *uvs_sched_lockfree_schedule(struct uvs_service *svc,
					     const struct uvs_sched_pkt *pkt);
/* done_service of such a scheduler, whose svc->sched_data starts with its head: takes
 * its pick back from svc unless another scheduler's replaced it, and frees its state
 * (head.release) after a grace period. Caller holds svc->lock. */
void uvs_sched_lockfree_done(struct uvs_service *svc);

/*
 * Whether every change of svc's destinations' connection counters is told to its
 * scheduler's load_changed, under svc->lock (svc->follows_load). The model turns it on
 * for a scheduler with that op when the scheduler starts; one that keeps nothing
 * derived from the counters for a while may turn it off meanwhile, so that the
 * counters change without the lock. Turning it on comes with a full barrier, after
 * which the scheduler may read the counters: a change that read does not see is told
 * afterwards (change_counts() in core/dest.c). Caller holds svc->lock.
 */
void uvs_sched_follow_load(struct uvs_service *svc, bool on);

/* Makes live[0..n), a table lock-free picks read with acquires, equal to next[0..n):
 * each entry that differs is stored on its own, with a release (its destination set up
 * first). Caller holds svc->lock, the table's only writer. */
void uvs_sched_buckets_store(struct uvs_dest **live, struct uvs_dest *const *next, size_t n);

/* The model's calls into svc's scheduler when a destination was linked (add), unlinked
 * (del) or changed (upd), and when svc lets the scheduler go (done): each calls the
 * op, or what the ops struct says a NULL op means. Caller holds svc->lock. */
int uvs_sched_add_dest(struct uvs_service *svc, struct uvs_dest *d);
void uvs_sched_del_dest(struct uvs_service *svc, struct uvs_dest *d);
int uvs_sched_upd_dest(struct uvs_service *svc, struct uvs_dest *d);
void uvs_sched_done(struct uvs_service *svc, const struct uvs_sched_ops *sched);

/* The scheduler called name, or NULL. */
const struct uvs_sched_ops *uvs_sched_find(const char *name);
/* Checks that scheduler `sched` can serve a service of num_dests destinations (e.g.
 * mh's table size). Returns 0, or -EINVAL with a message in *err. */
int uvs_sched_check_fits(const struct uvs_sched_ops *sched, unsigned num_dests,
			 struct uvs_error *err);
/* All schedulers, NULL-terminated, in ipvsadm's documentation order. */
extern const struct uvs_sched_ops *const uvs_schedulers[];

/* The greatest common divisor of a and b (a if b is 0). */
uint32_t uvs_sched_gcd(uint32_t a, uint32_t b);
/* Greatest common divisor of the positive weights of svc's destinations (1 if none). */
uint32_t uvs_sched_gcd_weight(const struct uvs_service *svc);
/* Largest weight among svc's destinations. */
uint32_t uvs_sched_max_weight(const struct uvs_service *svc);
/* A pseudo-random 32-bit number from svc's generator (caller holds svc->lock). */
uint32_t uvs_sched_rand(struct uvs_service *svc);

/* Iterates svc's destinations in list order (newest first). */
#define uvs_for_each_dest(d, svc) cds_list_for_each_entry(d, &(svc)->dests, list)

#endif
