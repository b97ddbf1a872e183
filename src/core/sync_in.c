// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The backup's side of connection sync in the engine: an entry received becomes a
 * connection or template of the table, or updates one, as the kernel's
 * ip_vs_proc_conn(), ip_vs_conn_new() and ip_vs_bind_dest() do it. See sync.h.
 */
#include <netinet/in.h>
#include <urcu.h>

#include "base/atomic.h"
#include "core/proto_sctp.h"
#include "core/sync.h"
#include "engine-internal.h"

/* The timeout of a template whose message gives none (version 0). */
#define TEMPLATE_TIMEOUT_V0_S 180

static const char *const result_names[UVS_SYNC_APPLY_COUNT] = {
#define X(name, text) text,
	UVS_SYNC_APPLY_RESULTS(X)
#undef X
};

const char *uvs_sync_apply_name(enum uvs_sync_apply_result r)
{
	return (unsigned)r < UVS_SYNC_APPLY_COUNT ? result_names[r] : "unknown";
}

/* The kernel's check of a connection's protocol and state (templates: none). */
static enum uvs_sync_apply_result check(const struct uvs_sync_conn *s, uint32_t flags)
{
	unsigned states;

	if (flags & UVS_CONN_F_TEMPLATE)
		return UVS_SYNC_APPLY_NEW;
	if (s->protocol == IPPROTO_TCP)
		states = UVS_TCP_S_COUNT;
	else if (s->protocol == IPPROTO_UDP)
		states = 1; /* IP_VS_UDP_S_NORMAL */
	else if (s->protocol == IPPROTO_SCTP)
		states = UVS_SCTP_S_COUNT;
	else
		return UVS_SYNC_APPLY_BAD_PROTOCOL;
	return s->state < states ? UVS_SYNC_APPLY_NEW : UVS_SYNC_APPLY_BAD_STATE;
}

/* The timeout an entry takes, in seconds: the message's, else its state's. */
static uint32_t timeout_of(const struct uvs_engine *e, const struct uvs_sync_conn *s,
			   uint32_t flags)
{
	/* Relaxed: settings read on their own; uvsadm --set may race with this. */
	if (s->timeout)
		return s->timeout;
	if (flags & UVS_CONN_F_TEMPLATE)
		return TEMPLATE_TIMEOUT_V0_S;
	if (s->protocol == IPPROTO_TCP)
		return uvs_load_relaxed(&e->timeouts.tcp[s->state]);
	if (s->protocol == IPPROTO_SCTP)
		return uvs_load_relaxed(&e->timeouts.sctp[s->state]);
	return uvs_load_relaxed(&e->timeouts.udp);
}

/* What the master's rules start from for an entry a backup took (the kernel sets
 * in_pkts to sync_threshold), should this director become master. */
static void sync_entry_reset(const struct uvs_engine *e, struct uvs_conn *c, uint8_t state)
{
	struct uvs_conn_sync *cs = uvs_conn_sync(c);

	if (!cs)
		return; /* no memory: as a master, this director would send c late */
	/* Relaxed: fields of the master's rules, each read on its own (sync_out.c). */
	uvs_store_relaxed(&cs->in_pkts,
			  (uint32_t)uvs_load_relaxed(&e->model->sysctl.sync_threshold[0]));
	uvs_store_relaxed(&cs->old_state, state);
}

/* Updates c, which the table had, from s: the kernel changes only INACTIVE (and the
 * sequence bits) of the flags, moving c between its real server's ActiveConn and
 * InActConn, and takes the state and timeout. */
static void update(struct uvs_engine *e, struct uvs_conn *c, const struct uvs_sync_conn *s,
		   uint32_t flags, uvs_time_t now)
{
	bool inactive = flags & UVS_CONN_F_INACTIVE;

	uvs_conn_lock(c);
	/* Relaxed: fields written under c's lock, which we hold (conn.h). */
	if (!(flags & UVS_CONN_F_TEMPLATE) &&
	    inactive != !!(uvs_conn_flags(c) & UVS_CONN_F_INACTIVE)) {
		if (inactive)
			uvs_or_relaxed(&c->flags, UVS_CONN_F_INACTIVE);
		else
			uvs_and_relaxed(&c->flags, (uint16_t)~UVS_CONN_F_INACTIVE);
		uvs_dest_set_active(c->dest, uvs_conn_owner(c), !inactive);
	}
	uvs_store_relaxed(&c->state, (uint8_t)s->state);
	uvs_store_relaxed(&c->timeout, timeout_of(e, s, flags));
	uvs_conn_unlock(c);
	/* The FTP helper's sequence adjustment, as the kernel copies SEQ_DATA over. */
	if (flags & UVS_CONN_F_SEQ_MASK)
		uvs_conn_seq_set(c, (uint16_t)flags, &s->in_seq, &s->out_seq);
	uvs_conn_refresh(e, c, now);
	sync_entry_reset(e, c, (uint8_t)s->state);
}

/*
 * The real server of s's service here, bound in slot for a new entry with flags: the
 * kernel's ip_vs_find_dest(). A fwmark service's real servers of a method other than
 * NAT may have port 0; the kernel tries the other of the two ports too.
 */
static struct uvs_dest *find_dest(struct uvs_engine *e, const struct uvs_sync_conn *s,
				  unsigned slot, uint32_t flags)
{
	struct uvs_service *svc =
		uvs_svc_lookup(e->model, s->af, s->protocol, &s->vaddr, s->vport, s->fwmark);
	uint32_t bind = flags & (UVS_CONN_F_INACTIVE | UVS_CONN_F_TEMPLATE);
	uint16_t port = s->dport;
	struct uvs_dest *d;

	if (!svc)
		return NULL;
	if (s->fwmark && (flags & UVS_CONN_F_FWD_MASK) != UVS_FWD_MASQ)
		port = 0;
	d = uvs_svc_bind_dest(svc, s->af, &s->daddr, port, slot, bind);
	if (!d)
		d = uvs_svc_bind_dest(svc, s->af, &s->daddr, port ^ s->dport, slot, bind);
	return d;
}

/* A new entry from s on w's pool, bound to its real server, hashed and timed to expire
 * at expires (0: its timeout from now). */
static enum uvs_sync_apply_result create(struct uvs_worker *w, const struct uvs_sync_conn *s,
					 uint32_t flags, uvs_time_t now, uvs_time_t expires)
{
	struct uvs_engine *e = w->engine;
	struct uvs_dest *d;
	struct uvs_conn *c;
	uint32_t fwd, timeout;

	/* The real server's method and its INACTIVE: a connection keeps the message's
	 * activity, a template takes the real server's (always inactive). */
	if (flags & UVS_CONN_F_TEMPLATE)
		flags |= UVS_CONN_F_INACTIVE;
	d = find_dest(e, s, w->id, flags);
	if (!d)
		return UVS_SYNC_APPLY_NO_DEST;
	if (!uvs_conn_reserve(&e->conns)) {
		uvs_dest_unbind(d, w->id, flags & (UVS_CONN_F_INACTIVE | UVS_CONN_F_TEMPLATE));
		return UVS_SYNC_APPLY_CONN_LIMIT;
	}
	c = uvs_conn_alloc(&w->pool);
	if (!c) {
		uvs_dest_unbind(d, w->id, flags & (UVS_CONN_F_INACTIVE | UVS_CONN_F_TEMPLATE));
		uvs_conn_unreserve(&e->conns);
		return UVS_SYNC_APPLY_NO_MEMORY;
	}
	/* Connections inherit the forwarding method from their real server; one not
	 * masqueraded never sees a reply (the kernel's NOOUTPUT of its conn_flags). */
	fwd = uvs_dest_fwd(d);
	flags &= ~(uint32_t)(UVS_CONN_F_FWD_MASK | UVS_CONN_F_NOOUTPUT);
	flags |= fwd | (fwd != UVS_FWD_MASQ ? UVS_CONN_F_NOOUTPUT : 0);
	timeout = timeout_of(e, s, flags);
	c->af = c->daf = s->af;
	c->protocol = s->protocol;
	c->caddr = s->caddr;
	c->vaddr = s->vaddr;
	c->daddr = s->daddr;
	c->cport = s->cport;
	c->vport = s->vport;
	c->dport = s->dport;
	c->dest = d;
	c->flags = (uint16_t)flags;
	c->state = (uint8_t)s->state;
	c->timeout = timeout;
	c->expires = expires ? expires : now + (uvs_time_t)timeout * UVS_NS_PER_SEC;
	sync_entry_reset(e, c, c->state);
	/* As ip_vs_conn_new() sets sync_endtime (the entry is there if reset made it). */
	struct uvs_conn_sync *cs = uvs_conn_sync_if_kept(c);
	if (cs)
		cs->end = now & ~3ull;
	/* An FTP control connection gets the helper, as ip_vs_conn_new() binds it, and
	 * the master's sequence adjustment (SEQ_DATA). */
	if (uvs_ftp_serves(e, c)) {
		uvs_ftp_bind(w, c);
		uvs_conn_seq_set(c, (uint16_t)flags, &s->in_seq, &s->out_seq);
	}
	uvs_conn_hash(&e->conns, c);
	uvs_conn_wheel_add(&w->pool, c);
	return UVS_SYNC_APPLY_NEW;
}

enum uvs_sync_apply_result uvs_sync_apply(struct uvs_worker *w, const struct uvs_sync_conn *s,
					  uvs_time_t now)
{
	struct uvs_engine *e = w->engine;
	uint32_t flags = (s->flags & UVS_CONN_F_BACKUP_MASK) | UVS_CONN_F_SYNC;
	bool template = flags & UVS_CONN_F_TEMPLATE;
	enum uvs_sync_apply_result r = check(s, flags);
	struct uvs_conn *c;

	if (r != UVS_SYNC_APPLY_NEW)
		return r;
	if (flags & UVS_CONN_F_NO_CPORT)
		return UVS_SYNC_APPLY_NO_CPORT;
	rcu_read_lock();
	c = uvs_conn_in_get(&e->conns, s->af, s->protocol, &s->caddr, s->cport, &s->vaddr, s->vport,
			    template);
	if (c && !template && (c->dport != s->dport || !uvs_addr_eq(&c->daddr, &s->daddr))) {
		/* Another real server: the master replaced the connection. An inactive
		 * entry is the old one's end, which changes nothing; an active one
		 * replaces ours. */
		if (flags & UVS_CONN_F_INACTIVE) {
			rcu_read_unlock();
			return UVS_SYNC_APPLY_STALE;
		}
		uvs_conn_end(e, c);
		c = NULL;
	}
	if (c && uvs_conn_hashed(c)) {
		update(e, c, s, flags, now);
		r = UVS_SYNC_APPLY_UPDATED;
	} else {
		r = create(w, s, flags, now, 0);
	}
	rcu_read_unlock();
	return r;
}

enum uvs_sync_apply_result uvs_sync_restore(struct uvs_worker *w, const struct uvs_sync_conn *s,
					    uvs_time_t now, uvs_time_t expires)
{
	struct uvs_engine *e = w->engine;
	uint32_t flags = s->flags & UVS_CONN_F_BACKUP_MASK;
	bool template = flags & UVS_CONN_F_TEMPLATE;
	enum uvs_sync_apply_result r = check(s, flags);

	if (r != UVS_SYNC_APPLY_NEW)
		return r;
	if (flags & UVS_CONN_F_NO_CPORT)
		return UVS_SYNC_APPLY_NO_CPORT;
	rcu_read_lock();
	if (uvs_conn_in_get(&e->conns, s->af, s->protocol, &s->caddr, s->cport, &s->vaddr, s->vport,
			    template))
		r = UVS_SYNC_APPLY_STALE;
	else
		r = create(w, s, flags, now, expires > now ? expires : now + 1);
	rcu_read_unlock();
	return r;
}
