// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Real servers on the director itself: IPVS's Local forwarding. A destination whose
 * address is the director's own (a loopback address, or one of the host's addresses)
 * gets its connections' packets delivered to the director's stack as they came, and
 * is listed as Local, whatever method it was configured with (docs/decisions.md).
 */
#include "engine-internal.h"
#include "snap.h"

#include <netinet/in.h>

/* 127.0.0.0/8 and ::1. */
static bool is_loopback(int af, const union uvs_addr *a)
{
	if (af == AF_INET6)
		return !a->ip6w[0] && !a->ip6w[1] && !a->ip6w[2] && a->ip6w[3] == htonl(1);
	return (ntohl(a->ip) >> 24) == 127;
}

/* The caller is inside an RCU read-side section. */
static bool is_local(struct uvs_engine *e, int af, const union uvs_addr *a)
{
	return is_loopback(af, a) || uvs_host_set_has(rcu_dereference(e->host_addrs), af, a);
}

bool uvs_engine_addr_is_local(struct uvs_engine *e, int af, const union uvs_addr *a)
{
	bool local;

	rcu_read_lock();
	local = is_local(e, af, a);
	rcu_read_unlock();
	return local;
}

uint16_t uvs_conn_fwd(struct uvs_engine *e, const struct uvs_dest *d)
{
	if (is_local(e, d->conf.af, &d->conf.addr))
		return UVS_FWD_LOCAL;
	return (uint16_t)uvs_dest_fwd(d);
}

void uvs_snap_mark_local(struct uvs_snap *s, struct uvs_engine *e)
{
	for (unsigned i = 0; i < s->nsvcs; i++)
		for (unsigned k = 0; k < s->svcs[i].ndests; k++) {
			struct uvs_dest_conf *c = &s->svcs[i].dests[k].conf;

			if (uvs_engine_addr_is_local(e, c->af, &c->addr))
				c->fwd = UVS_FWD_LOCAL;
		}
}
