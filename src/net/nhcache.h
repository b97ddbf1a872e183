/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A worker's cache of next hops: the answers of uvs_net_resolve() (route.h) kept for
 * a short time, so that the engine's route lookup for each frame costs a hash probe
 * and not rtnetlink round trips.
 *
 * One cache per worker thread, used by that thread only: no locks. Each cache has its
 * own rtnetlink socket, so a worker resolving a miss never waits for another thread.
 * Entries live UVS_NHCACHE_TTL_MS: a route, link or neighbour change reaches the data
 * path within that time. A next hop the kernel is still resolving (-EAGAIN) is
 * remembered for UVS_NHCACHE_RETRY_MS only, so frames to it cost one lookup, not one
 * system call each, while the kernel sends its ARP or neighbour solicitation.
 */
#ifndef UVS_NET_NHCACHE_H
#define UVS_NET_NHCACHE_H

#include <stdint.h>

#include "pkt/addr.h"
#include "xmit/xmit.h"

#define UVS_NHCACHE_TTL_MS   1000
#define UVS_NHCACHE_RETRY_MS 20

struct uvs_nhcache;

/* Returns 0 or a negative errno. */
int uvs_nhcache_open(struct uvs_nhcache **out);
void uvs_nhcache_close(struct uvs_nhcache *c);

/* Where a frame to next hop nh (family af) leaves: as uvs_net_resolve(), from the
 * cache when it is fresh. */
int uvs_nhcache_lookup(struct uvs_nhcache *c, int af, const union uvs_addr *nh,
		       struct uvs_route *out);

/* Forgets every answer (e.g. after a link was made again: its routes and index
 * changed). Only while no other thread uses c (its worker is held). */
void uvs_nhcache_flush(struct uvs_nhcache *c);

/* Counters: lookups answered from the cache, and those that asked the kernel. */
struct uvs_nhcache_stats {
	uint64_t hits, misses;
};
void uvs_nhcache_stats(const struct uvs_nhcache *c, struct uvs_nhcache_stats *out);

#endif
