// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A connection's life after it is made: the TCP or SCTP state machine and the timer
 * as its packets are seen, and its end. The table itself (hashing, lookups, pools, wheels) is
 * conn.c. Callers are inside an RCU read-side section.
 */
#include <netinet/in.h>

#include "base/atomic.h"
#include "core/proto_sctp.h"
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
	/* Before the destination's reference goes: the entries' counts name it. */
	uvs_fp_retire(e, c);
	uvs_dest_unbind(c->dest, uvs_conn_owner(c),
			flags & (UVS_CONN_F_INACTIVE | UVS_CONN_F_TEMPLATE));
	if (c->control) /* release: our reads of the template come before its end */
		uvs_sub_release(&uvs_conn_side(c->control)->n_control, 1);
	if (flags & UVS_CONN_F_APP)
		uvs_ftp_unbind(c);
	return true;
}

/* Sets a connection's timer to its current timeout from now. A state with a shorter
 * timeout brings the expiry forward: then the entry moves on its owner's wheel, which
 * would otherwise only look at it when its old slot came round. */
void uvs_conn_refresh(struct uvs_engine *e, struct uvs_conn *c, uvs_time_t now)
{
	/* Relaxed: times that publish nothing; packets on other workers may race (conn.h). */
	uvs_time_t old = uvs_load_relaxed(&c->expires);
	uvs_time_t next = now + (uvs_time_t)uvs_load_relaxed(&c->timeout) * UVS_NS_PER_SEC;

	uvs_store_relaxed(&c->expires, next);
	/* Workers' clocks may differ a little: less than a tick is not worth a move. */
	if (next + UVS_WHEEL_TICK_NS < old)
		uvs_conn_wheel_refile(&e->workers[uvs_conn_owner(c)]->pool, c);
}

/* The table a packet of c uses: OUTPUT for the real server's; INPUT-ONLY for the
 * client's while no reply has been seen, else INPUT. Under secure_tcp a NAT
 * connection's client packets use INPUT, as the kernel's (which flags only DR and TUN
 * connections "no output"): there a client's ACK alone does not establish it. */
static enum uvs_tcp_dir direction(uint16_t flags, bool output, bool secure)
{
	if (output)
		return UVS_TCP_DIR_OUTPUT;
	if (secure && (flags & UVS_CONN_F_FWD_MASK) == UVS_FWD_MASQ)
		return UVS_TCP_DIR_INPUT;
	return (flags & UVS_CONN_F_NOOUTPUT) ? UVS_TCP_DIR_INPUT_ONLY : UVS_TCP_DIR_INPUT;
}

/* The state of c's protocol after a packet (its TCP flags, or its SCTP event). */
static uint8_t next_state(int protocol, uint8_t state, enum uvs_tcp_dir dir, int event, bool secure)
{
	if (protocol == IPPROTO_TCP)
		return (uint8_t)(secure ? uvs_tcp_next_secure(state, dir, event)
					: uvs_tcp_next(state, dir, event));
	return (uint8_t)uvs_sctp_next(state, dir, event);
}

/*
 * Follows c's state machine (protocol TCP or SCTP, c's) for one packet, whose event is
 * ev; moves the connection between its destination's ActiveConn and InActConn when
 * the state's kind changes, and takes the new state's timeout. Inlined with protocol a
 * constant at each call, so TCP's path has no test of the protocol.
 */
static inline __attribute__((always_inline)) void
follow_state(struct uvs_engine *e, struct uvs_conn *c, int protocol, int ev, bool output)
{
	uint16_t flags = uvs_conn_flags(c);
	/* Relaxed: the defence's level, a setting read on its own (core/defence.h). */
	bool secure = protocol == IPPROTO_TCP && uvs_load_relaxed(&e->defence.secure_tcp);
	enum uvs_tcp_dir dir = direction(flags, output, secure);
	uint8_t old, next;

	/* Relaxed: a first look without the lock; the lock's section decides. */
	old = uvs_load_relaxed(&c->state);
	next = next_state(protocol, old, dir, ev, secure);
	if (next == old && !(output && (flags & UVS_CONN_F_NOOUTPUT)))
		return;
	struct uvs_conn_side *cs = uvs_conn_side(c); /* its lock and owner */
	uvs_spin_lock(&cs->lock);
	/* Relaxed flags, state and timeout below: written under the lock we hold; the
	 * lockless readers above and in reuse() only take a first look. */
	if (output)
		uvs_and_relaxed(&c->flags, (uint16_t)~UVS_CONN_F_NOOUTPUT);
	old = c->state;
	next = next_state(protocol, old, dir, ev, secure);
	if (next != old && uvs_conn_hashed(c)) {
		bool tcp = protocol == IPPROTO_TCP;
		bool active = tcp ? uvs_tcp_state_active(next) : uvs_sctp_state_active(next);
		bool was_active = !(uvs_conn_flags(c) & UVS_CONN_F_INACTIVE);
		/* Relaxed: a setting read on its own; uvsadm --set may race with this. */
		uint32_t timeout =
			uvs_load_relaxed(tcp ? &e->timeouts.tcp[next] : &e->timeouts.sctp[next]);

		uvs_store_relaxed(&c->state, next);
		uvs_store_relaxed(&c->timeout, timeout);
		if (active != was_active) {
			if (active)
				uvs_and_relaxed(&c->flags, (uint16_t)~UVS_CONN_F_INACTIVE);
			else
				uvs_or_relaxed(&c->flags, UVS_CONN_F_INACTIVE);
			uvs_dest_set_active(c->dest, cs->owner, active);
		}
	}
	uvs_spin_unlock(&cs->lock);
	/* The fast path forwards only ESTABLISHED; sequentially consistent against an
	 * offer racing with the change (uvs_fp_offer). */
	if (__builtin_expect(e->fastpath != NULL, 0) && old == UVS_TCP_S_ESTABLISHED &&
	    next != old) {
		uvs_full_fence();
		uvs_fp_retire(e, c);
	}
}

void uvs_conn_seen(struct uvs_engine *e, struct uvs_conn *c, const struct uvs_pkt *p, bool output,
		   uvs_time_t now)
{
	/* A SYN-ACK the XDP program may have sent counts as a reply seen before this. */
	if (__builtin_expect(e->fastpath != NULL, 0))
		uvs_fp_handshake_end(e, c);
	if (p->protocol == IPPROTO_TCP)
		follow_state(e, c, IPPROTO_TCP, uvs_tcp_event(p->tcp_flags), output);
	else if (p->protocol == IPPROTO_SCTP)
		follow_state(e, c, IPPROTO_SCTP, uvs_sctp_event(p), output);
	else if (output) /* relaxed: a bit that publishes nothing, like the others */
		uvs_and_relaxed(&c->flags, (uint16_t)~UVS_CONN_F_NOOUTPUT);
	uvs_conn_refresh(e, c, now);
}

void uvs_conn_listen(struct uvs_engine *e, struct uvs_conn *c, uvs_time_t now)
{
	/* Relaxed: a setting read on its own; uvsadm --set may race with this. */
	uint32_t timeout = uvs_load_relaxed(&e->timeouts.tcp[UVS_TCP_S_LISTEN]);

	uvs_conn_lock(c);
	/* Relaxed: written under the lock, as follow_state() writes them. */
	uvs_store_relaxed(&c->state, UVS_TCP_S_LISTEN);
	uvs_store_relaxed(&c->timeout, timeout);
	uvs_conn_unlock(c);
	uvs_conn_refresh(e, c, now);
}
