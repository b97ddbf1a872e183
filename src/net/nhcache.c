// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The worker's next-hop cache: a direct-mapped table of recent answers. A collision
 * replaces the older entry; with few next hops per director (real servers and
 * routers) that is rare, and a replaced entry costs one rtnetlink lookup.
 */
#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "nhcache.h"
#include "route.h"

#define SLOTS 1024 /* a power of two */

struct entry {
	uint64_t until_ns; /* 0: empty */
	int af;
	int result; /* 0 or the negative errno to repeat */
	union uvs_addr nh;
	struct uvs_route route;
};

struct uvs_nhcache {
	struct uvs_net *net;
	struct uvs_nhcache_stats stats;
	struct entry slot[SLOTS];
};

int uvs_nhcache_open(struct uvs_nhcache **out)
{
	struct uvs_nhcache *c = calloc(1, sizeof(*c));
	int ret;

	if (!c)
		return -ENOMEM;
	if ((ret = uvs_net_open(&c->net)) < 0) {
		free(c);
		return ret;
	}
	*out = c;
	return 0;
}

void uvs_nhcache_close(struct uvs_nhcache *c)
{
	if (!c)
		return;
	uvs_net_close(c->net);
	free(c);
}

/* The coarse clock is a few nanoseconds (vDSO) and precise enough for lifetimes of
 * milliseconds. */
static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static unsigned slot_of(int af, const union uvs_addr *a)
{
	uint32_t h = a->ip6w[0] ^ a->ip6w[1] ^ a->ip6w[2] ^ a->ip6w[3] ^ (uint32_t)af;

	h *= 0x9e3779b1u;
	return h >> (32 - 10);
}

_Static_assert(SLOTS == 1 << 10, "slot_of takes 10 bits");

int uvs_nhcache_lookup(struct uvs_nhcache *c, int af, const union uvs_addr *nh,
		       struct uvs_route *out)
{
	struct entry *e = &c->slot[slot_of(af, nh)];
	uint64_t now = now_ns();

	if (e->until_ns > now && e->af == af && uvs_addr_eq(&e->nh, nh)) {
		c->stats.hits++;
		if (!e->result)
			*out = e->route;
		return e->result;
	}
	c->stats.misses++;
	e->af = af;
	e->nh = *nh;
	e->result = uvs_net_resolve(c->net, af, nh, &e->route);
	switch (e->result) {
	case 0:
		*out = e->route;
		e->until_ns = now + UVS_NHCACHE_TTL_MS * 1000000ull;
		break;
	case -EAGAIN:
		e->until_ns = now + UVS_NHCACHE_RETRY_MS * 1000000ull;
		break;
	case -EHOSTUNREACH:
		e->until_ns = now + UVS_NHCACHE_TTL_MS * 1000000ull;
		break;
	default: /* rtnetlink itself failed (e.g. ENOBUFS): ask again next time */
		e->until_ns = 0;
		break;
	}
	return e->result;
}

void uvs_nhcache_stats(const struct uvs_nhcache *c, struct uvs_nhcache_stats *out)
{
	*out = c->stats;
}

void uvs_nhcache_flush(struct uvs_nhcache *c)
{
	for (unsigned i = 0; i < SLOTS; i++)
		c->slot[i].until_ns = 0;
}
