// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The master's side of connection sync in the engine: when a connection is due to be
 * sent (the kernel's ip_vs_sync_conn() and ip_vs_sync_conn_needed()), the per-worker
 * rings that carry it to the sync daemon's thread, and the copy of the whole table
 * for a hand-over. See sync.h.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <urcu.h>

#include "base/atomic.h"
#include "core/proto_sctp.h"
#include "core/sync.h"
#include "engine-internal.h"

/*
 * A ring: the worker writes entries and advances head, the consumer reads them and
 * advances tail; each index is written by one side only, each on its own cache line.
 */
struct ring {
	uint32_t head __attribute__((aligned(64)));
	uint32_t tail __attribute__((aligned(64)));
	struct uvs_sync_conn e[] __attribute__((aligned(64)));
};

struct uvs_sync_out {
	unsigned nrings;
	uint32_t mask; /* size - 1 */
	void (*wake)(void *arg);
	void *wake_arg;
	struct ring *rings[];
};

int uvs_sync_out_create(const struct uvs_engine *e, unsigned size, void (*wake)(void *arg),
			void *arg, struct uvs_sync_out **out)
{
	struct uvs_sync_out *so;

	*out = NULL;
	if (size < 64 || (size & (size - 1)) || !wake)
		return -EINVAL;
	so = calloc(1, sizeof(*so) + e->nworkers * sizeof(so->rings[0]));
	if (!so)
		return -ENOMEM;
	so->nrings = e->nworkers;
	so->mask = size - 1;
	so->wake = wake;
	so->wake_arg = arg;
	for (unsigned i = 0; i < so->nrings; i++) {
		size_t bytes = sizeof(struct ring) + size * sizeof(struct uvs_sync_conn);
		if (posix_memalign((void **)&so->rings[i], 64, bytes)) {
			uvs_sync_out_free(so);
			return -ENOMEM;
		}
		memset(so->rings[i], 0, sizeof(struct ring));
	}
	*out = so;
	return 0;
}

void uvs_sync_out_free(struct uvs_sync_out *so)
{
	if (!so)
		return;
	for (unsigned i = 0; i < so->nrings; i++)
		free(so->rings[i]);
	free(so);
}

struct uvs_sync_out *uvs_engine_set_sync_out(struct uvs_engine *e, struct uvs_sync_out *so)
{
	struct uvs_sync_out *old = rcu_xchg_pointer(&e->sync_out, so);

	synchronize_rcu(); /* no worker is still inside a batch that saw old */
	return old;
}

unsigned uvs_sync_out_rings(const struct uvs_sync_out *so)
{
	return so->nrings;
}

unsigned uvs_sync_out_take(struct uvs_sync_out *so, unsigned i, struct uvs_sync_conn *out,
			   unsigned max)
{
	struct ring *r = so->rings[i];
	/* Relaxed: tail is ours; acquire on head: the worker's entries are written. */
	uint32_t tail = uvs_load_relaxed(&r->tail), head = uvs_load_acquire(&r->head);
	unsigned n = head - tail < max ? head - tail : max;

	for (unsigned k = 0; k < n; k++)
		out[k] = r->e[(tail + k) & so->mask];
	/* Release: our reads of the slots come before the worker may write them again. */
	uvs_store_release(&r->tail, tail + n);
	return n;
}

void uvs_sync_conn_fill(const struct uvs_conn *c, struct uvs_sync_conn *out)
{
	uint16_t seq_flags;

	/* Relaxed loads: a copy of what a packet may be changing, as the kernel's (which
	 * reads them without the connection's lock); the next sync carries a later one. */
	*out = (struct uvs_sync_conn){
		.caddr = c->caddr,
		.vaddr = c->vaddr,
		.daddr = c->daddr,
		/* APP is uvs's own (0x4000 is another flag to the kernel). */
		.flags = (uint32_t)(uvs_conn_flags(c) & ~(UVS_CONN_F_HASHED | UVS_CONN_F_APP)),
		.fwmark = c->dest ? c->dest->vkey.fwmark : 0,
		.timeout = uvs_load_relaxed(&c->timeout),
		.state = uvs_load_relaxed(&c->state),
		.cport = c->cport,
		.vport = c->vport,
		.dport = c->dport,
		.af = c->af,
		.protocol = c->protocol,
	};
	/* The SEQ bits as read with the adjustment, so that they agree. */
	uvs_conn_seq_get(c, &seq_flags, &out->in_seq, &out->out_seq);
	out->flags = (out->flags & ~(uint32_t)UVS_CONN_F_SEQ_MASK) | seq_flags;
}

/* Puts c's entry (with timeout seconds) on w's ring, or counts it lost. */
static void push(struct uvs_worker *w, struct uvs_sync_out *so, const struct uvs_conn *c,
		 uint32_t timeout)
{
	struct ring *r = so->rings[w->id];
	/* Relaxed: head is ours; acquire on tail: the consumer is done with those slots. */
	uint32_t head = uvs_load_relaxed(&r->head), tail = uvs_load_acquire(&r->tail);
	struct uvs_sync_conn *slot;

	if (head - tail > so->mask) {
		uvs_count(w, UVS_R_SYNC_QUEUE_FULL);
		return;
	}
	slot = &r->e[head & so->mask];
	uvs_sync_conn_fill(c, slot);
	slot->timeout = timeout;
	uvs_store_release(&r->head, head + 1); /* the entry is written before it is seen */
	/* Counts rise one at a time, so this is met once each time the ring fills up. */
	if (head + 1 - tail == UVS_SYNC_WAKE_AT)
		so->wake(so->wake_arg);
}

/* A sysctl's value, read on its own (core/sysctl.h). */
#define SYSCTL(e, name) uvs_load_relaxed(&(e)->model->sysctl.name)

/* The TCP and SCTP states in which the kernel sends a connection. */
#define TCP_SYNC_STATES                                                                            \
	(1u << UVS_TCP_S_ESTABLISHED | 1u << UVS_TCP_S_FIN_WAIT | 1u << UVS_TCP_S_CLOSE |          \
	 1u << UVS_TCP_S_CLOSE_WAIT | 1u << UVS_TCP_S_TIME_WAIT)
#define SCTP_SYNC_STATES                                                                           \
	(1u << UVS_SCTP_S_ESTABLISHED | 1u << UVS_SCTP_S_SHUTDOWN_SENT |                           \
	 1u << UVS_SCTP_S_SHUTDOWN_RECEIVED | 1u << UVS_SCTP_S_SHUTDOWN_ACK_SENT |                 \
	 1u << UVS_SCTP_S_CLOSED)

/* sync_refresh_period in ns. The kernel keeps it in jiffies, an unsigned int: a
 * negative number of seconds is a very long period there, and here (HZ 250, as
 * sysctl.c reads it). */
static uint64_t refresh_ns(const struct uvs_engine *e)
{
	uint32_t jiffies = (uint32_t)(SYSCTL(e, sync_refresh_period) * 250);

	return (uint64_t)jiffies * (UVS_NS_PER_SEC / 250);
}

/*
 * Whether c is due to be sent after a packet that made its count pkts: the kernel's
 * ip_vs_sync_conn_needed(). A TCP or SCTP connection goes in its sending states only;
 * at once when it enters one other than ESTABLISHED; else when pkts % sync_period ==
 * sync_threshold (templates whatever pkts), and with sync_refresh_period not again
 * before its expiry moved by that much (or half its timeout, or 10 s), unless one of
 * sync_retries retries is due. The expiry sent is kept in c's sync entry; a worker
 * that loses the race to update it does not send (unless the state changed).
 */
static bool needed(const struct uvs_engine *e, struct uvs_conn *c, uint32_t flags, uint32_t pkts,
		   uvs_time_t now)
{
	struct uvs_conn_sync *cs = uvs_conn_sync(c);
	/* Relaxed: the sync entry's fields decide only whether to send; the exchange
	 * below settles a race between workers, as the kernel's cmpxchg does. */
	uint64_t orig = uvs_load_relaxed(&cs->end);
	uint64_t timeout = (uint64_t)uvs_load_relaxed(&c->timeout) * UVS_NS_PER_SEC;
	uint64_t n = (now + timeout) & ~3ull, refresh = refresh_ns(e);
	uint8_t state = uvs_load_relaxed(&c->state);
	int32_t period = SYSCTL(e, sync_threshold[1]), threshold = SYSCTL(e, sync_threshold[0]);
	bool force = false;

	if (!cs)
		return false; /* no memory for its entry: not sent */
	if (flags & UVS_CONN_F_TEMPLATE) {
		force = false;
	} else if (flags & UVS_CONN_F_SYNPROXY) {
		return false; /* a backup could not translate its numbers (core/synproxy.h) */
	} else if (SYSCTL(e, sync_persist_mode) && c->control) {
		return false; /* its template is what a backup needs */
	} else if (c->protocol == IPPROTO_TCP || c->protocol == IPPROTO_SCTP) {
		uint32_t states = c->protocol == IPPROTO_TCP ? TCP_SYNC_STATES : SCTP_SYNC_STATES;
		uint8_t established =
			c->protocol == IPPROTO_TCP ? UVS_TCP_S_ESTABLISHED : UVS_SCTP_S_ESTABLISHED;

		if (!(states >> state & 1))
			return false;
		force = state != uvs_load_relaxed(&cs->old_state);
		if (force && state != established)
			goto set;
	}
	if (refresh) {
		int64_t diff = (int64_t)(n - orig);
		uint64_t min_diff =
			timeout / 2 > 10 * UVS_NS_PER_SEC ? timeout / 2 : 10 * UVS_NS_PER_SEC;
		uint64_t below = refresh < min_diff ? refresh : min_diff;

		/* Not far enough from what was sent: only a retry, if one is due. */
		if ((uint64_t)(diff < 0 ? -diff : diff) < below) {
			unsigned retries = (unsigned)(orig & 3);

			if ((int)retries >= SYSCTL(e, sync_retries))
				return false;
			if ((int64_t)(now - (orig - timeout + refresh / 8)) < 0)
				return false;
			n |= retries + 1;
		}
	}
	if (period > 0) {
		if (!(flags & UVS_CONN_F_TEMPLATE) &&
		    pkts % (uint32_t)period != (uint32_t)threshold)
			return false;
	} else if (!refresh && pkts != (uint32_t)threshold) {
		return false;
	}
set:
	uvs_store_relaxed(&cs->old_state, state);
	/* Release: stronger than the exchange needs; it orders nothing else. */
	return uvs_cmpxchg_release(&cs->end, orig, n) == orig || force;
}

/* Counts a client packet of c (or a sync of its template) in *pkts. Returns false if c
 * has no sync entry (memory ran out): it is then not sent. */
static bool count_packet(struct uvs_conn *c, uint32_t *pkts)
{
	struct uvs_conn_sync *cs = uvs_conn_sync(c);

	/* Relaxed: a count; each packet gets its own number. */
	if (cs)
		*pkts = uvs_add_return_relaxed(&cs->in_pkts, 1);
	return cs != NULL;
}

void uvs_sync_conn_seen(struct uvs_worker *w, struct uvs_sync_out *so, struct uvs_conn *c,
			uvs_time_t now)
{
	const struct uvs_engine *e = w->engine;
	bool v0 = SYSCTL(e, sync_version) == 0;
	uint32_t flags = uvs_conn_flags(c), pkts;

	/* Version 0 carries IPv4 only, and sends a template only with its connection. */
	if (v0 && (c->af != AF_INET || (flags & UVS_CONN_F_ONE_PACKET)))
		return;
	if (flags & UVS_CONN_F_ONE_PACKET) {
		/* Never sent itself (it is never in a table), but its template is. */
		c = c->control;
		if (!c || !count_packet(c, &pkts))
			return;
		flags = uvs_conn_flags(c);
	} else if (!count_packet(c, &pkts)) {
		return;
	}
	for (;;) {
		if (needed(e, c, flags, pkts, now))
			push(w, so, c, uvs_load_relaxed(&c->timeout));
		else if (v0)
			return;
		/* Its template follows; a template's count is of the syncs of its
		 * connections, which is what decides when it goes with sync_period 0. */
		c = c->control;
		if (!c || !count_packet(c, &pkts))
			return;
		flags = uvs_conn_flags(c);
	}
}

void uvs_sync_template_rearmed(struct uvs_worker *w, struct uvs_sync_out *so, struct uvs_conn *ct,
			       uvs_time_t now)
{
	const struct uvs_engine *e = w->engine;

	if (SYSCTL(e, sync_version) == 0 && ct->af != AF_INET)
		return;
	/* The kernel sends it with the threshold for its count and its new 60 s. */
	if (needed(e, ct, uvs_conn_flags(ct), (uint32_t)SYSCTL(e, sync_threshold[0]), now))
		push(w, so, ct, UVS_TEMPLATE_REARM_S);
}

static void dump_one(void *arg, const struct uvs_conn *c, size_t i)
{
	uvs_sync_conn_fill(c, (struct uvs_sync_conn *)arg + i);
}

size_t uvs_sync_dump(struct uvs_engine *e, uint64_t *cursor, struct uvs_sync_conn *out, size_t max)
{
	return uvs_conn_walk(&e->conns, cursor, max, dump_one, out);
}

/* Where a dump with expiries puts entry i. */
struct dump_out {
	struct uvs_engine *e;
	struct uvs_sync_conn *out;
	uvs_time_t *expires;
};

static void dump_one_expiring(void *arg, const struct uvs_conn *c, size_t i)
{
	struct dump_out *d = arg;

	uvs_sync_conn_fill(c, &d->out[i]);
	d->expires[i] = uvs_conn_expiry(d->e, c);
}

size_t uvs_conn_dump(struct uvs_engine *e, uint64_t *cursor, struct uvs_sync_conn *out,
		     uvs_time_t *expires, size_t max)
{
	struct dump_out d = { e, out, expires };

	if (!expires)
		return uvs_sync_dump(e, cursor, out, max);
	return uvs_conn_walk(&e->conns, cursor, max, dump_one_expiring, &d);
}
