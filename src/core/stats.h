/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Traffic counters of a service, a destination or the whole director, and the kernel's
 * 2-second EWMA rate estimator over them; a destination's connection counts share its
 * slots (struct uvs_stats_slot).
 *
 * Threading: each worker owns one slot and is its traffic counters' only writer (plain
 * relaxed stores, no atomic read-modify-write on the fast path); readers sum the slots.
 * Zeroing keeps a baseline instead of writing the slots, so it never races with a
 * worker. The estimator and zeroing run on the control side only, under the model's
 * control lock.
 */
#ifndef UVS_STATS_H
#define UVS_STATS_H

#include <stdbool.h>
#include <stdint.h>

#include "base/atomic.h"

struct uvs_counters {
	uint64_t conns;
	uint64_t inpkts;
	uint64_t outpkts;
	uint64_t inbytes;
	uint64_t outbytes;
};

/* Rates as shown by ipvsadm --rate: connections, packets and bytes per second. */
struct uvs_rates {
	uint32_t cps;
	uint32_t inpps;
	uint32_t outpps;
	uint32_t inbps;
	uint32_t outbps;
};

/* A destination's connections by kind (the kernel's ActiveConn, InActConn and
 * persistent templates), and the references they hold as two counts that only grow:
 * the references are binds - unbinds. */
enum uvs_conn_kind { UVS_CONN_ACTIVE, UVS_CONN_INACTIVE, UVS_CONN_PERSIST, UVS_CONN_KINDS };

struct uvs_conn_counts {
	uint32_t by_kind[UVS_CONN_KINDS]; /* this slot's changes: sums are the counts */
	uint32_t binds;
	uint32_t unbinds;
};

/*
 * One worker's slot, padded to a cache line so that workers do not share lines. A
 * destination keeps its connection counts in the slots too (unused elsewhere): a new
 * connection then writes one line, its worker's, where it counts the connection
 * anyway. Unlike the traffic counters these change by atomic additions, from any
 * thread; the slot is the one of the worker that owns the connection.
 */
struct uvs_stats_slot {
	struct uvs_counters c;
	struct uvs_conn_counts n;
} __attribute__((aligned(64)));

_Static_assert(sizeof(struct uvs_stats_slot) == 64, "a stats slot is one cache line");

struct uvs_stats {
	struct uvs_stats_slot *slots; /* nslots entries, one per worker */
	unsigned nslots;
	/* Counts any thread adds with atomic additions: the packets the XDP fast path
	 * forwarded, when the engine takes them from its table (core/fastpath.h). */
	struct uvs_counters shared;
	struct uvs_counters base; /* subtracted from the sums: set by zeroing */
	/* Estimator state, scaled as in the kernel: cps/pps << 10, bps << 5. */
	struct uvs_counters last;
	int64_t cps, inpps, outpps, inbps, outbps;
};

/* Allocates nslots zeroed slots. Returns 0 or -ENOMEM. */
int uvs_stats_init(struct uvs_stats *s, unsigned nslots);
void uvs_stats_free(struct uvs_stats *s);

/* Sums the slots, less the zeroing baseline, into out. */
void uvs_stats_read(const struct uvs_stats *s, struct uvs_counters *out);

/* Resets counters and rates to zero as seen by readers (ipvsadm -Z). */
void uvs_stats_zero(struct uvs_stats *s);

/* One estimator step; call every UVS_EST_INTERVAL_S seconds. */
#define UVS_EST_INTERVAL_S 2
void uvs_stats_estimate(struct uvs_stats *s);

/* `steps` estimator steps at once, for a clock that jumped: the first takes the traffic
 * counted since the last step, the others see none. Leaves exactly the state that
 * `steps` calls of uvs_stats_estimate with no traffic between them would, in bounded
 * time whatever `steps` is (at most about 160 steps are worked out). */
void uvs_stats_estimate_steps(struct uvs_stats *s, uint64_t steps);

/* Makes the next step measure from now on, the rates staying as they are: for an
 * estimator that was paused. */
void uvs_stats_estimate_restart(struct uvs_stats *s);

/* The estimator's rates, rounded as the kernel shows them. */
void uvs_stats_rates(const struct uvs_stats *s, struct uvs_rates *out);

/* Fast-path updates by worker `slot`. */
static inline void uvs_stats_add_(uint64_t *field, uint64_t v)
{
	/* Relaxed: one writer (this worker); readers sum racily by design. */
	uvs_store_relaxed(field, uvs_load_relaxed(field) + v);
}

static inline void uvs_stats_conn(struct uvs_stats *s, unsigned slot)
{
	uvs_stats_add_(&s->slots[slot].c.conns, 1);
}

static inline void uvs_stats_in(struct uvs_stats *s, unsigned slot, uint64_t bytes)
{
	uvs_stats_add_(&s->slots[slot].c.inpkts, 1);
	uvs_stats_add_(&s->slots[slot].c.inbytes, bytes);
}

static inline void uvs_stats_out(struct uvs_stats *s, unsigned slot, uint64_t bytes)
{
	uvs_stats_add_(&s->slots[slot].c.outpkts, 1);
	uvs_stats_add_(&s->slots[slot].c.outbytes, bytes);
}

/* Adds packets and bytes to the shared counters. Any thread. */
static inline void uvs_stats_fold(struct uvs_stats *s, bool in, uint64_t pkts, uint64_t bytes)
{
	uvs_add_relaxed(in ? &s->shared.inpkts : &s->shared.outpkts, pkts);
	uvs_add_relaxed(in ? &s->shared.inbytes : &s->shared.outbytes, bytes);
}

#endif
