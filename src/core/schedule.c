// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * New connections: pick a destination (through a persistence template when the
 * service is persistent), create the connection entry and count it. One-packet
 * services get a connection that is never hashed. The engine forwards.
 */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "engine-internal.h"

/* Makes c, a fresh entry of w's pool whose key, destination, control, flags, state and
 * timeout are set, a connection: hashed into bucket (its chain) and on w's wheel.
 * Returns c. */
static struct uvs_conn *conn_publish(struct uvs_worker *w, struct uvs_conn *c, uvs_time_t now,
				     uint32_t bucket)
{
	c->daf = (uint8_t)c->dest->conf.af;
	c->flags |= uvs_conn_fwd(w->engine, c->dest);
	c->expires = now + (uvs_time_t)c->timeout * UVS_NS_PER_SEC;
	if (uvs_ftp_serves(w->engine, c))
		uvs_ftp_bind(w, c);
	/* As ip_vs_conn_new() sets sync_endtime, where a master did make the entries. */
	struct uvs_conn_sync *cs = uvs_conn_sync_if_kept(c);
	if (cs)
		cs->end = now & ~3ull;
	uvs_conn_hash_in(&w->engine->conns, c, bucket);
	uvs_conn_wheel_add(&w->pool, c);
	return c;
}

struct uvs_conn *uvs_conn_create(struct uvs_worker *w, const struct uvs_conn *k, uint32_t n_control,
				 uvs_time_t now)
{
	struct uvs_conn *c = uvs_conn_alloc(&w->pool);
	uint32_t bucket;

	if (!c)
		return NULL;
	c->af = k->af;
	c->protocol = k->protocol;
	c->caddr = k->caddr;
	c->cport = k->cport;
	c->vaddr = k->vaddr;
	c->vport = k->vport;
	c->daddr = k->daddr;
	c->dport = k->dport;
	c->dest = k->dest;
	c->control = k->control;
	c->flags = k->flags;
	c->state = k->state;
	c->timeout = k->timeout;
	uvs_conn_side(c)->n_control = n_control;
	bucket = uvs_conn_bucket(&w->engine->conns, c->af, c->protocol, &c->caddr, c->cport);
	return conn_publish(w, c, now, bucket);
}

static bool template_valid(const struct uvs_engine *e, const struct uvs_conn *ct)
{
	if (!uvs_dest_svc(ct->dest))
		return false; /* its destination was deleted */
	/* Relaxed: a setting read on its own (core/sysctl.h). */
	return !(uvs_load_relaxed(&e->model->sysctl.expire_quiescent_template) &&
		 uvs_dest_weight(ct->dest) == 0);
}

/*
 * The template of a persistent service for this client: found, or made by asking the
 * scheduler. Returns it with one more controlled connection counted, or NULL with
 * *why set. Templates are keyed <protocol, client network, 0, vaddr, vport>; fwmark
 * services use protocol IPPROTO_IP and the mark as vaddr; port-0 and FTP services
 * vport 0.
 */
static struct uvs_conn *persist_template(struct uvs_worker *w, struct uvs_service *svc,
					 const struct uvs_pkt *p, const struct uvs_sched_pkt *sp,
					 uvs_time_t now, enum uvs_reason *why)
{
	struct uvs_engine *e = w->engine;
	union uvs_addr snet = p->saddr, tvaddr = p->daddr;
	int tproto = p->protocol;
	uint16_t tvport = svc->key.port;
	struct uvs_conn *ct;
	struct uvs_dest *d;

	/* Relaxed: an edit may race with this packet; either netmask is a valid one. */
	uvs_addr_mask(p->af, &snet, uvs_load_relaxed(&svc->netmask));
	if (svc->key.fwmark) {
		tproto = IPPROTO_IP;
		memset(&tvaddr, 0, sizeof(tvaddr));
		tvaddr.ip = htonl(svc->key.fwmark);
		tvport = 0;
	} else if (svc->key.port == htons(UVS_FTP_PORT)) {
		tvport = 0;
	}
	for (int attempt = 0; attempt < 2; attempt++) {
		ct = uvs_conn_in_get(&e->conns, p->af, tproto, &snet, 0, &tvaddr, tvport, true);
		if (ct && !template_valid(e, ct)) {
			uvs_conn_end(e, ct);
			ct = NULL;
		}
		if (!ct)
			break;
		/* Count ourselves in, then make sure its owner has not just ended it: the
		 * owner frees an unhashed template only once n_control is zero.
		 * Sequentially consistent, with uvs_conn_unhash() and uvs_conn_wheel_run(). */
		uvs_add_seq_cst(&uvs_conn_side(ct)->n_control, 1);
		if (uvs_load_seq_cst(&ct->flags) & UVS_CONN_F_HASHED) {
			/* Relaxed: times that publish nothing (conn.h). */
			uvs_store_relaxed(&ct->expires,
					  now + (uvs_time_t)uvs_load_relaxed(&ct->timeout) *
							  UVS_NS_PER_SEC);
			return ct;
		}
		uvs_sub_seq_cst(&uvs_conn_side(ct)->n_control, 1);
	}
	if (!uvs_conn_reserve(&e->conns)) {
		*why = UVS_R_CONN_LIMIT;
		return NULL;
	}
	d = uvs_svc_schedule(svc, sp, w->id, UVS_CONN_F_TEMPLATE);
	if (!d) {
		uvs_conn_unreserve(&e->conns);
		*why = UVS_R_NO_DEST;
		return NULL;
	}
	ct = uvs_conn_create(w,
			     &(struct uvs_conn){
				     .af = p->af,
				     .protocol = (uint8_t)tproto,
				     .caddr = snet,
				     .vaddr = tvaddr,
				     .vport = tvport,
				     .daddr = d->conf.addr,
				     .dport = d->conf.port,
				     .dest = d,
				     .flags = UVS_CONN_F_TEMPLATE,
				     .timeout = uvs_load_relaxed(&svc->timeout), /* as netmask */
			     },
			     1, now);
	if (!ct) {
		uvs_dest_unbind(d, w->id, UVS_CONN_F_TEMPLATE);
		uvs_conn_unreserve(&e->conns);
		*why = UVS_R_NO_MEMORY;
		return NULL;
	}
	return ct;
}

/*
 * The real server's port of a new connection: its destination's (if it has one) or
 * the packet's, as ip_vs_schedule() sets it. Under persistence the kernel takes the
 * destination's only for a packet to the service's own port (ip_vs_sched_persist()):
 * a data connection that found the FTP service by port 20 or >= 1024 keeps its port.
 */
static uint16_t conn_dport(const struct uvs_service *svc, const struct uvs_dest *d,
			   const struct uvs_pkt *p, bool persistent)
{
	if (persistent && svc->key.port == htons(UVS_FTP_PORT) && p->dport != svc->key.port)
		return p->dport;
	return d->conf.port ? d->conf.port : p->dport;
}

static void count_conn(struct uvs_worker *w, struct uvs_dest *d, struct uvs_service *svc)
{
	uvs_stats_conn(&d->stats, w->id);
	uvs_stats_conn(&svc->stats, w->id);
	uvs_stats_conn(&w->engine->model->stats, w->id);
}

/*
 * Whether a connection made for p starts in InActConn (UVS_CONN_F_INACTIVE) or
 * ActiveConn (0). The kernel binds every new connection inactive and its first packet's
 * state change, right after, moves a SYN's to active: counting it active at once ends
 * in the same counts with one change of its destination's counters instead of two.
 * The packet's state change still decides (uvs_conn_seen() moves it if this was wrong).
 */
static uint16_t first_activity(const struct uvs_engine *e, const struct uvs_pkt *p)
{
	if (p->protocol == IPPROTO_TCP) {
		enum uvs_tcp_event ev = uvs_tcp_event(p->tcp_flags);
		if (ev != UVS_TCP_EV_NONE && (e->tcp_opening_active >> ev & 1))
			return 0;
	}
	return UVS_CONN_F_INACTIVE;
}

struct uvs_conn *uvs_schedule(struct uvs_worker *w, const struct uvs_pkt *p,
			      struct uvs_service *svc, uvs_time_t now, uint32_t bucket,
			      enum uvs_reason *refused)
{
	struct uvs_engine *e = w->engine;
	/* Relaxed: the lookup ordered the service's setup; an edit gives old or new flags. */
	uint32_t svc_flags = uvs_load_relaxed(&svc->flags);
	bool one_packet = (svc_flags & UVS_SVC_F_ONEPACKET) && p->protocol == IPPROTO_UDP;
	struct uvs_sched_pkt sp = {
		.af = p->af,
		.protocol = p->protocol,
		.saddr = p->saddr,
		.daddr = p->daddr,
		.sport = p->sport,
		.dport = p->dport,
		.now = now,
	};
	struct uvs_conn *ct = NULL, *c;
	struct uvs_dest *d;
	uint16_t inactive = first_activity(e, p);

	*refused = UVS_R_NO_DEST;
	if (!one_packet && !uvs_conn_reserve_spare(&e->conns, &w->spare_conns)) {
		*refused = UVS_R_CONN_LIMIT;
		return NULL;
	}
	if (svc_flags & UVS_SVC_F_PERSISTENT) {
		ct = persist_template(w, svc, p, &sp, now, refused);
		d = ct ? ct->dest : NULL;
		if (d)
			uvs_dest_bind(d, w->id, inactive);
	} else {
		d = uvs_svc_schedule(svc, &sp, w->id, inactive);
	}
	if (!d) {
		if (!one_packet)
			uvs_conn_unreserve(&e->conns);
		return NULL;
	}
	if (one_packet && !w->once && !(w->once = uvs_conn_alloc(&w->pool))) {
		uvs_dest_unbind(d, w->id, inactive);
		if (ct) /* release: our reads of the template come before its end */
			uvs_sub_release(&uvs_conn_side(ct)->n_control, 1);
		*refused = UVS_R_NO_MEMORY;
		return NULL;
	}
	count_conn(w, d, svc);
	if (one_packet) {
		/* The side keeps what the pool gave: its owner, w. */
		*w->once = (struct uvs_conn){
			.af = p->af,
			.daf = (uint8_t)d->conf.af,
			.protocol = p->protocol,
			.caddr = p->saddr,
			.cport = p->sport,
			.vaddr = p->daddr,
			.vport = p->dport,
			.daddr = d->conf.addr,
			.dport = d->conf.port ? d->conf.port : p->dport,
			.dest = d,
			.control = ct,
			.flags = (uint16_t)(UVS_CONN_F_ONE_PACKET | inactive | uvs_conn_fwd(e, d)),
		};
		return w->once;
	}
	/* Filled in place, not through uvs_conn_create()'s key: a new connection's
	 * fields are written once. */
	c = uvs_conn_alloc(&w->pool);
	if (c) {
		c->af = p->af;
		c->protocol = p->protocol;
		c->caddr = p->saddr;
		c->cport = p->sport;
		c->vaddr = p->daddr;
		c->vport = p->dport;
		c->daddr = d->conf.addr;
		c->dport = conn_dport(svc, d, p, ct != NULL);
		c->dest = d;
		c->control = ct;
		c->flags = inactive | UVS_CONN_F_NOOUTPUT;
		c->state = UVS_TCP_S_NONE;
		/* Relaxed: a setting read on its own; uvsadm --set may race with it. */
		c->timeout = p->protocol == IPPROTO_UDP ? uvs_load_relaxed(&e->timeouts.udp)
							: UVS_NEW_CONN_TIMEOUT_S;
		conn_publish(w, c, now, bucket);
	}
	if (!c) {
		uvs_dest_unbind(d, w->id, inactive);
		if (ct) /* release: our reads of the template come before its end */
			uvs_sub_release(&uvs_conn_side(ct)->n_control, 1);
		uvs_conn_unreserve(&e->conns);
		*refused = UVS_R_NO_MEMORY;
		return NULL;
	}
	return c;
}

void uvs_schedule_once_done(struct uvs_conn *once)
{
	uvs_dest_unbind(once->dest, uvs_conn_owner(once), once->flags & UVS_CONN_F_INACTIVE);
	if (once->control)
		uvs_sub_release(&uvs_conn_side(once->control)->n_control, 1);
}
