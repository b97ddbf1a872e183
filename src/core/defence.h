/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * IPVS's defences against floods of new connections (net.ipv4.vs.drop_entry,
 * drop_packet, secure_tcp, driven by amemthresh and am_droprate), as the kernel's
 * update_defense_level() runs them once a second, with "available memory" measured
 * against uvs's own connection memory: the room left in the connection table
 * (--max-conns) in pages of 4096 bytes of connection slab.
 *
 * Threading: uvs_engine_defend() runs on one control thread (uvsd's timer), never on
 * the frame path; it writes the state below with relaxed stores and, in modes 1 and 2,
 * the three sysctls (they flip between 1 and 2 as the kernel's do; that thread is
 * also the sysctls' only writer, sysctl.h). Workers read the state with relaxed loads:
 * a packet racing with a change sees the old or the new level.
 */
#ifndef UVS_CORE_DEFENCE_H
#define UVS_CORE_DEFENCE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/model-t.h"
#include "core/sysctl.h"
#include "sched/siphash.h"

/* The kernel's pages; a page of connection memory holds this many entries. */
#define UVS_DEFENCE_PAGE 4096
/* update_defense_level()'s period (DEFENSE_TIMER_PERIOD). */
#define UVS_DEFENCE_PERIOD_NS UVS_NS_PER_SEC
/* ip_vs_random_dropentry(): an entry refreshed this recently is never dropped. */
#define UVS_DEFENCE_IDLE_NS (60 * UVS_NS_PER_SEC)
/* ip_vs_random_dropentry(): entries with 0..8 client packets may be dropped. */
#define UVS_DEFENCE_PKT_CLASSES 9

/* What the workers act on, and what the updater keeps between its runs. */
struct uvs_defence {
	/* Read by workers. */
	int drop_rate;	    /* drop_packet: drop one new connection in this many; 0 none */
	uint8_t secure_tcp; /* TCP follows the secure table (proto_tcp.h) */
	uint8_t count_pkts; /* count client packets per entry for drop_entry (drop_entry set) */
	uint8_t syn_proxy;  /* TCP handshakes by SYN cookie (core/synproxy.h; set at start) */
	struct uvs_siphash_key cookie_key; /* the SYN proxy's, random (set at start) */
	/* The control thread's own. */
	uint8_t drop_entry; /* ip_vs_random_dropentry() runs at each update */
	int old_secure_tcp; /* the sysctl's value at the previous update */
	int8_t todrop_counter[UVS_DEFENCE_PKT_CLASSES];
	uint64_t rand_state;	  /* xorshift64 for the buckets drop_entry looks at */
	uint64_t entries_dropped; /* drop_entry's (atomic: read by counter readers) */
};

/* The memory figure update_defense_level() compares with amemthresh: pages of
 * connection memory still free in a table of max_conns entries holding count. */
long uvs_defence_avail_pages(uint32_t max_conns, uint32_t count);

/*
 * One run of update_defense_level(): from the sysctls in s and availmem (pages),
 * sets d's drop_entry, drop_rate and secure_tcp, and steps each sysctl in mode 1 to 2
 * when memory runs short and in mode 2 back to 1 when it comes back, as the kernel's
 * does. Returns whether secure_tcp's table changed. Control thread only.
 */
bool uvs_defence_level(struct uvs_defence *d, struct uvs_sysctl *s, long availmem);

/* Whether a worker drops this new connection's packet for drop_packet: one in
 * rate, counted down in *countdown (the worker's own). */
static inline bool uvs_defence_todrop(int rate, int *countdown)
{
	if (!rate)
		return false;
	if (*countdown <= 0 || *countdown > rate)
		*countdown = rate; /* a new rate, or the worker's first */
	if (--*countdown > 0)
		return false;
	*countdown = rate;
	return true;
}

/* ip_vs_random_dropentry()'s choice for an entry that is not in an early state: one
 * idle for UVS_DEFENCE_IDLE_NS with in_pkts client packets, in turn per class.
 * last_seen is when a packet last refreshed it. Control thread only. */
bool uvs_defence_todrop_entry(struct uvs_defence *d, uvs_time_t last_seen, uint32_t in_pkts,
			      uvs_time_t now);

struct uvs_engine;
/*
 * One second of the defences: measures the table, runs uvs_defence_level() over the
 * model's sysctls and, while drop_entry is on, drops entries from 1/32 of the
 * table's buckets chosen at random (uvs_defence_sweep). Control thread, registered with
 * RCU and outside a read-side section.
 */
void uvs_engine_defend(struct uvs_engine *e, uvs_time_t now);
/* ip_vs_random_dropentry() over nbuckets random buckets. Returns the entries ended. */
unsigned uvs_defence_sweep(struct uvs_engine *e, uint32_t nbuckets, uvs_time_t now);

#endif
