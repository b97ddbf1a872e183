// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdio.h>
#include <urcu.h>

#include "base/atomic.h"
#include "conns.h"

/* The cursor: the bucket to read next, and how many of its entries were listed
 * already (only when a bucket did not fit in one call). */
#define SKIP_BITS 24

static void describe(const struct uvs_conn *c, uvs_time_t now, struct uvs_ctl_conn *out)
{
	/* Relaxed: a listing, read racily by design, as ipvsadm -Lc reads the kernel's. */
	uvs_time_t expires = uvs_load_relaxed(&c->expires);
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
		.flags = uvs_conn_flags(c),
	};
	snprintf(out->state, sizeof(out->state), "%s",
		 uvs_ctl_state_name(c->protocol, uvs_load_relaxed(&c->state)));
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
		/* Acquire: pairs with the release that links an entry (uvs_conn_hash()). */
		struct uvs_conn *c = uvs_load_acquire(&t->in[bucket]);

		for (; c; c = uvs_load_acquire(&c->in_next))
			in_bucket++;
		if (in_bucket > skip && in_bucket - skip > max - n && n > 0)
			break; /* the whole bucket goes in the next call */
		c = uvs_load_acquire(&t->in[bucket]);
		for (uint64_t i = 0; c; c = uvs_load_acquire(&c->in_next), i++) {
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
