// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A connection's life after it is made: the TCP state machine and the timer as its
 * packets are seen, and its end. The table itself (hashing, lookups, pools, wheels) is
 * conn.c. Callers are inside an RCU read-side section.
 */
#include <netinet/in.h>

#include "base/atomic.h"
#include "engine-internal.h"

bool uvs_conn_end(struct uvs_engine *e, struct uvs_conn *c)
{
	uint16_t flags;

	uvs_conn_lock(c);
	if (!uvs_conn_unhash(&e->conns, c)) {
		uvs_conn_unlock(c);
		return false;
	}
	flags = uvs_conn_flags(c);
	uvs_conn_unlock(c);
	uvs_dest_unbind(c->dest, flags & (UVS_CONN_F_INACTIVE | UVS_CONN_F_TEMPLATE));
	if (c->control) /* release: our reads of the template come before its end */
		uvs_sub_release(&c->control->n_control, 1);
	return true;
}

/* Sets a connection's timer to its current timeout from now. A state with a shorter
 * timeout brings the expiry forward: then the entry moves on its owner's wheel, which
 * would otherwise only look at it when its old slot came round. */
static void refresh(struct uvs_engine *e, struct uvs_conn *c, uvs_time_t now)
{
	/* Relaxed: times that publish nothing; packets on other workers may race (conn.h). */
	uvs_time_t old = uvs_load_relaxed(&c->expires);
	uvs_time_t next = now + (uvs_time_t)uvs_load_relaxed(&c->timeout) * UVS_NS_PER_SEC;

	uvs_store_relaxed(&c->expires, next);
	/* Workers' clocks may differ a little: less than a tick is not worth a move. */
	if (next + UVS_WHEEL_TICK_NS < old)
		uvs_conn_wheel_refile(&e->workers[c->owner]->pool, c);
}

/* Follows the TCP state machine for one segment; moves the connection between its
 * destination's ActiveConn and InActConn when the state's kind changes. */
static void tcp_state(struct uvs_engine *e, struct uvs_conn *c, uint8_t tcp_flags, bool output)
{
	enum uvs_tcp_event ev = uvs_tcp_event(tcp_flags);
	enum uvs_tcp_dir dir;
	enum uvs_tcp_state old, next;
	uint16_t flags = uvs_conn_flags(c);

	if (output)
		dir = UVS_TCP_DIR_OUTPUT;
	else
		dir = (flags & UVS_CONN_F_NOOUTPUT) ? UVS_TCP_DIR_INPUT_ONLY : UVS_TCP_DIR_INPUT;
	/* Relaxed: a first look without the lock; the lock's section decides. */
	old = uvs_load_relaxed(&c->state);
	next = uvs_tcp_next(old, dir, ev);
	if (next == old && !(output && (flags & UVS_CONN_F_NOOUTPUT)))
		return;
	uvs_conn_lock(c);
	/* Relaxed flags, state and timeout below: written under the lock we hold; the
	 * lockless readers above and in reuse() only take a first look. */
	if (output)
		uvs_and_relaxed(&c->flags, (uint16_t)~UVS_CONN_F_NOOUTPUT);
	old = c->state;
	next = uvs_tcp_next(old, dir, ev);
	if (next != old && uvs_conn_hashed(c)) {
		bool active = uvs_tcp_state_active(next);
		bool was_active = !(uvs_conn_flags(c) & UVS_CONN_F_INACTIVE);

		uvs_store_relaxed(&c->state, (uint8_t)next);
		/* Relaxed: a setting read on its own; uvsadm --set may race with this. */
		uvs_store_relaxed(&c->timeout, uvs_load_relaxed(&e->timeouts.tcp[next]));
		if (active != was_active) {
			if (active)
				uvs_and_relaxed(&c->flags, (uint16_t)~UVS_CONN_F_INACTIVE);
			else
				uvs_or_relaxed(&c->flags, UVS_CONN_F_INACTIVE);
			uvs_dest_set_active(c->dest, active);
		}
	}
	uvs_conn_unlock(c);
}

void uvs_conn_seen(struct uvs_engine *e, struct uvs_conn *c, const struct uvs_pkt *p, bool output,
		   uvs_time_t now)
{
	if (p->protocol == IPPROTO_TCP)
		tcp_state(e, c, p->tcp_flags, output);
	else if (output) /* relaxed: a bit that publishes nothing, like the others */
		uvs_and_relaxed(&c->flags, (uint16_t)~UVS_CONN_F_NOOUTPUT);
	refresh(e, c, now);
}
