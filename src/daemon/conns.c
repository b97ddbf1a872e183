// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdio.h>
#include <urcu.h>

#include "conns.h"

/* The cursor: the bucket to read next, and how many of its entries were listed
 * already (only when a bucket did not fit in one call). */
#define SKIP_BITS 24

static void describe(const struct uvs_conn *c, uvs_time_t now, struct uvs_ctl_conn *out)
{
	uvs_time_t expires = __atomic_load_n(&c->expires, __ATOMIC_RELAXED);
	uint64_t left_ms = expires > now ? (expires - now) / 1000000 : 0;

	*out = (struct uvs_ctl_conn){
		.protocol = c->protocol,
		.af = c->af,
		.daf = c->daf,
		.caddr = c->caddr,
		.vaddr = c->vaddr,
		.daddr = c->daddr,
		.cport = c->cport,
		.vport = c->vport,
		.dport = c->dport,
		.expires_ms = left_ms > UINT32_MAX ? UINT32_MAX : (uint32_t)left_ms,
		.flags = __atomic_load_n(&c->flags, __ATOMIC_RELAXED),
	};
	snprintf(out->state, sizeof(out->state), "%s",
		 uvs_ctl_state_name(c->protocol, __atomic_load_n(&c->state, __ATOMIC_RELAXED)));
}

size_t uvsd_conns(struct uvs_engine *e, uint64_t *cursor, struct uvs_ctl_conn *out, size_t max)
{
	struct uvs_conn_table *t = &e->conns;
	uint64_t bucket = *cursor >> SKIP_BITS, skip = *cursor & ((1u << SKIP_BITS) - 1);
	uvs_time_t now = uvs_model_now(e->model);
	size_t n = 0;

	rcu_read_lock();
	for (; bucket <= t->mask && n < max; bucket++, skip = 0) {
		size_t in_bucket = 0, start = n;
		struct uvs_conn *c = __atomic_load_n(&t->in[bucket], __ATOMIC_ACQUIRE);

		for (; c; c = __atomic_load_n(&c->in_next, __ATOMIC_ACQUIRE))
			in_bucket++;
		if (in_bucket > skip && in_bucket - skip > max - n && n > 0)
			break; /* the whole bucket goes in the next call */
		c = __atomic_load_n(&t->in[bucket], __ATOMIC_ACQUIRE);
		for (uint64_t i = 0; c; c = __atomic_load_n(&c->in_next, __ATOMIC_ACQUIRE), i++) {
			if (i < skip)
				continue;
			if (n == max) { /* a bucket larger than a call: go on inside it */
				*cursor = bucket << SKIP_BITS | (skip + (n - start));
				rcu_read_unlock();
				return n;
			}
			describe(c, now, &out[n++]);
		}
	}
	rcu_read_unlock();
	*cursor = bucket << SKIP_BITS;
	return n;
}
