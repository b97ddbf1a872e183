// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdio.h>

#include "base/atomic.h"
#include "conns.h"

static void describe(struct uvs_engine *e, const struct uvs_conn *c, uvs_time_t now,
		     struct uvs_ctl_conn *out)
{
	uvs_time_t expires = uvs_conn_expiry(e, c);
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

struct listing {
	struct uvs_engine *e;
	struct uvs_ctl_conn *out;
	uvs_time_t now;
};

static void list_one(void *arg, const struct uvs_conn *c, size_t i)
{
	struct listing *l = arg;

	describe(l->e, c, l->now, &l->out[i]);
}

size_t uvsd_conns(struct uvs_engine *e, uint64_t *cursor, struct uvs_ctl_conn *out, size_t max)
{
	struct listing l = { e, out, uvs_model_now(e->model) };

	return uvs_conn_walk(&e->conns, cursor, max, list_one, &l);
}
