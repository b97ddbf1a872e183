// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The defences' levels and drop_entry's sweep, by the rules of the kernel's
 * update_defense_level() (ip_vs_ctl.c) and ip_vs_random_dropentry() (ip_vs_conn.c).
 * drop_packet acts in the frame path (engine.c), secure_tcp in the TCP state machine
 * (conn_state.c, proto_tcp.c).
 */
#include "defence.h"

#include <netinet/in.h>

#include "base/atomic.h"
#include "core/proto_sctp.h"
#include "engine-internal.h"

long uvs_defence_avail_pages(uint32_t max_conns, uint32_t count)
{
	/* A connection takes its share of a slab: the entry and its side. */
	uint64_t free_conns = count < max_conns ? max_conns - count : 0;
	uint64_t bytes = free_conns * (UVS_CONN_SLAB_BYTES / UVS_CONN_SLAB);

	return (long)(bytes / UVS_DEFENCE_PAGE);
}

/* One defence's mode (the sysctl at *mode) for this run: whether it is on. Modes 1
 * and 2 follow memory and move to each other; 0 is off and 3 always on. */
static bool mode_step(int *mode, bool nomem)
{
	switch (uvs_load_relaxed(mode)) {
	case 1:
		if (nomem)
			uvs_store_relaxed(mode, 2);
		return nomem;
	case 2:
		if (!nomem)
			uvs_store_relaxed(mode, 1);
		return nomem;
	case 3:
		return true;
	default:
		return false;
	}
}

bool uvs_defence_level(struct uvs_defence *d, struct uvs_sysctl *s, long availmem)
{
	int amemthresh = uvs_load_relaxed(&s->amemthresh);
	bool nomem, secure;
	int rate = 0;

	if (amemthresh < 0)
		amemthresh = 0;
	nomem = availmem < amemthresh;

	d->drop_entry = mode_step(&s->drop_entry, nomem);
	uvs_store_relaxed(&d->count_pkts, (uint8_t)(uvs_load_relaxed(&s->drop_entry) != 0));

	/* drop_packet: by how short memory is in modes 1 and 2, am_droprate in 3. */
	if (uvs_load_relaxed(&s->drop_packet) == 3)
		rate = uvs_load_relaxed(&s->am_droprate);
	else if (mode_step(&s->drop_packet, nomem))
		rate = (int)(amemthresh / (amemthresh - availmem));
	uvs_store_relaxed(&d->drop_rate, rate);

	/* secure_tcp: the table follows the mode's new value, as the kernel's
	 * old_secure_tcp does (a value of 2 or more means the secure table). */
	mode_step(&s->secure_tcp, nomem);
	d->old_secure_tcp = uvs_load_relaxed(&s->secure_tcp);
	secure = d->old_secure_tcp >= 2;
	if (secure == (bool)uvs_load_relaxed(&d->secure_tcp))
		return false;
	uvs_store_relaxed(&d->secure_tcp, (uint8_t)secure);
	return true;
}

bool uvs_defence_todrop_entry(struct uvs_defence *d, uvs_time_t last_seen, uint32_t in_pkts,
			      uvs_time_t now)
{
	/* The kernel's todrop_rate: class i is dropped once in i (class 0 never). */
	int rate = (int)in_pkts;

	if (now < last_seen + UVS_DEFENCE_IDLE_NS)
		return false; /* leave a normal connection time to get through */
	if (in_pkts >= UVS_DEFENCE_PKT_CLASSES || rate == 0)
		return false;
	if (--d->todrop_counter[in_pkts] > 0)
		return false;
	d->todrop_counter[in_pkts] = (int8_t)rate;
	return true;
}

/* xorshift64: which buckets a sweep looks at need only be hard to guess in advance. */
static uint64_t next_random(struct uvs_defence *d)
{
	uint64_t x = d->rand_state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	d->rand_state = x;
	return x;
}

/* Whether the sweep ends c: ip_vs_random_dropentry()'s rules. */
static bool sweep_drops(struct uvs_defence *d, struct uvs_conn *c, uvs_time_t now)
{
	/* Relaxed: a first look, as the kernel's (which takes no lock either). */
	uint8_t state = uvs_load_relaxed(&c->state);
	uvs_time_t last_seen = uvs_load_relaxed(&c->expires) -
			       (uvs_time_t)uvs_load_relaxed(&c->timeout) * UVS_NS_PER_SEC;
	const struct uvs_conn_sync *cs = uvs_conn_sync_if_kept(c);
	uint32_t in_pkts = cs ? uvs_load_relaxed(&cs->in_pkts) : 0;
	bool early, established;

	if (uvs_conn_is_template(c)) {
		if (uvs_load_relaxed(&uvs_conn_side(c)->n_control))
			return false; /* it still controls connections */
		/* Only one-packet services' templates, as any other entry below. */
		struct uvs_service *svc = uvs_dest_svc(c->dest);
		if (!svc || !(uvs_load_relaxed(&svc->flags) & UVS_SVC_F_ONEPACKET))
			return false;
		return uvs_defence_todrop_entry(d, last_seen, in_pkts, now);
	}
	if (c->protocol == IPPROTO_TCP) {
		early = state == UVS_TCP_S_SYN_RECV || state == UVS_TCP_S_SYNACK;
		established = state == UVS_TCP_S_ESTABLISHED;
	} else if (c->protocol == IPPROTO_SCTP) {
		early = state == UVS_SCTP_S_INIT1 || state == UVS_SCTP_S_INIT;
		established = state == UVS_SCTP_S_ESTABLISHED;
	} else {
		return uvs_defence_todrop_entry(d, last_seen, in_pkts, now);
	}
	if (early)
		return true;
	return established && uvs_defence_todrop_entry(d, last_seen, in_pkts, now);
}

unsigned uvs_defence_sweep(struct uvs_engine *e, uint32_t nbuckets, uvs_time_t now)
{
	struct uvs_defence *d = &e->defence;
	unsigned ended = 0;

	if (!d->rand_state)
		d->rand_state = (e->conns.seed[0] ^ e->conns.seed[1]) | 1;
	rcu_read_lock();
	for (uint32_t i = 0; i < nbuckets; i++) {
		uint32_t b = (uint32_t)(next_random(d) >> 32) & e->conns.mask;

		/* Acquire: pairs with the release that links an entry into the chain. An
		 * entry we end keeps its own next pointer, so the walk goes on past it. */
		for (struct uvs_conn *c = uvs_conn_chain(&e->conns, b); c;
		     c = uvs_load_acquire(&c->next)) {
			struct uvs_conn *ct = c->control;

			if (!sweep_drops(d, c, now) || !uvs_conn_end(e, c))
				continue;
			ended++;
			/* Its template goes too, as the kernel's does. */
			if (ct && uvs_conn_end(e, ct))
				ended++;
		}
	}
	rcu_read_unlock();
	uvs_add_relaxed(&d->entries_dropped, ended);
	return ended;
}

void uvs_engine_defend(struct uvs_engine *e, uvs_time_t now)
{
	long avail = uvs_defence_avail_pages(e->conns.max_conns, uvs_engine_conn_count(e));

	uvs_defence_level(&e->defence, &e->model->sysctl, avail);
	/* The kernel's 1/32 of its table each second. */
	if (e->defence.drop_entry)
		uvs_defence_sweep(e, (e->conns.mask + 1) >> 5, now);
}
