// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The frame path: parse, find or schedule the connection, follow its state, rewrite
 * by its forwarding method, and answer with ICMP where IPVS does. Scheduling and
 * persistence are in schedule.c; the connection table in conn.c; rewrites in xmit/.
 */
#include "engine.h"

#include <errno.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <limits.h>
#include <linux/futex.h>
#include <netinet/ip_icmp.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/atomic.h"
#include "engine-internal.h"

/* ICMP errors a worker may send: 1000 a second, in bursts of up to 50, as the
 * kernel's icmp_msgs_per_sec and icmp_msgs_burst. */
#define ICMP_BURST    50
#define ICMP_TOKEN_NS (UVS_NS_PER_SEC / 1000)

static const char *const reason_names[UVS_R_COUNT] = {
#define X(name, text) "pkt_" text,
	UVS_PKT_REASONS(X)
#undef X
#define X(name, text) text,
		UVS_ENGINE_REASONS(X)
#undef X
};

const char *uvs_reason_name(enum uvs_reason r)
{
	return (unsigned)r < UVS_R_COUNT ? reason_names[r] : "unknown";
}

void uvs_engine_config_default(struct uvs_engine_config *c)
{
	memset(c, 0, sizeof(*c));
	c->nworkers = 1;
	c->table_bits = 20;
	c->max_conns = 1u << 22;
}

int uvs_engine_init(struct uvs_engine *e, struct uvs_model *m, const struct uvs_engine_config *c)
{
	int rc;

	memset(e, 0, sizeof(*e));
	if (c->nworkers == 0 || c->nworkers > 255 || c->nworkers > m->nworkers || !c->route)
		return -EINVAL;
	e->workers = calloc(c->nworkers, sizeof(*e->workers));
	if (!e->workers)
		return -ENOMEM;
	rc = uvs_conn_table_init(&e->conns, c->table_bits, c->max_conns);
	if (rc < 0) {
		free(e->workers);
		return rc;
	}
	e->model = m;
	e->nworkers = c->nworkers;
	e->route = c->route;
	e->route_arg = c->route_arg;
	uvs_timeouts_default(&e->timeouts);
	return 0;
}

/* Ends every connection on w's wheel: templates last, since connections refer to them. */
static void end_all(struct uvs_worker *w, bool templates)
{
	for (unsigned s = 0; s < UVS_WHEEL_SLOTS; s++)
		for (struct uvs_conn *c = w->pool.wheel[s]; c; c = c->tm_next)
			if (uvs_conn_is_template(c) == templates)
				uvs_conn_end(w->engine, c);
}

void uvs_worker_destroy(struct uvs_worker *w)
{
	struct uvs_engine *e = w->engine;

	rcu_read_lock();
	end_all(w, false);
	end_all(w, true);
	rcu_read_unlock();
	uvs_conn_pool_destroy(&w->pool);
	e->workers[w->id] = NULL;
}

void uvs_engine_destroy(struct uvs_engine *e)
{
	rcu_read_lock();
	for (int pass = 0; pass < 2; pass++)
		for (unsigned i = 0; i < e->nworkers; i++)
			if (e->workers[i])
				end_all(e->workers[i], pass == 1);
	rcu_read_unlock();
	for (unsigned i = 0; i < e->nworkers; i++)
		if (e->workers[i])
			uvs_conn_pool_destroy(&e->workers[i]->pool);
	uvs_conn_table_destroy(&e->conns);
	free(e->workers);
	e->workers = NULL;
	free(e->host_addrs);
	e->host_addrs = NULL;
}

int uvs_worker_init(struct uvs_worker *w, struct uvs_engine *e, unsigned id)
{
	if (id >= e->nworkers)
		return -EINVAL;
	if (e->workers[id])
		return -EBUSY;
	memset(w, 0, sizeof(*w));
	w->engine = e;
	w->id = id;
	w->icmp_tokens = ICMP_BURST;
	uvs_conn_pool_init(&w->pool, (uint8_t)id);
	e->workers[id] = w;
	return 0;
}

void uvs_engine_counters(const struct uvs_engine *e, uint64_t *out, uint64_t *tx)
{
	memset(out, 0, sizeof(*out) * UVS_R_COUNT);
	*tx = 0;
	for (unsigned i = 0; i < e->nworkers; i++) {
		const struct uvs_worker *w = e->workers[i];
		if (!w)
			continue;
		/* Relaxed: counters with one writer each, read racily by design. */
		for (unsigned r = 0; r < UVS_R_COUNT; r++)
			out[r] += uvs_load_relaxed(&w->counters[r]);
		*tx += uvs_load_relaxed(&w->tx);
	}
}

uint32_t uvs_engine_conn_count(const struct uvs_engine *e)
{
	return uvs_load_relaxed(&e->conns.count); /* relaxed: a count, read racily */
}

static bool wheel_expire(void *arg, struct uvs_conn *c, uvs_time_t now)
{
	struct uvs_worker *w = arg;

	/* A template that still controls connections lives on for 60 s more. */
	if (uvs_conn_is_template(c) && uvs_load_acquire(&c->n_control)) {
		/* Relaxed: a time that publishes nothing (conn.h). */
		uvs_store_relaxed(&c->expires, now + 60 * UVS_NS_PER_SEC);
		return false;
	}
	uvs_conn_end(w->engine, c);
	return true;
}

void uvs_worker_timers(struct uvs_worker *w, uvs_time_t now)
{
	uvs_conn_wheel_run(&w->pool, now, wheel_expire, w);
}

static void count(struct uvs_worker *w, enum uvs_reason r)
{
	uvs_stats_add_(&w->counters[r], 1);
}

/* Sets f's verdict and reason and counts it. */
static void verdict(struct uvs_worker *w, struct uvs_frame *f, enum uvs_verdict v,
		    enum uvs_reason r)
{
	f->verdict = v;
	f->reason = r;
	if (v == UVS_VERDICT_TX) {
		uvs_stats_add_(&w->tx, 1);
		if (r != UVS_R_PKT_OK)
			count(w, r);
	} else {
		count(w, r);
	}
}

/* Counts a packet of d's connection (in: towards the real server) in the destination's,
 * its service's (if it still has one) and the model's stats. */
static void stats_packet(struct uvs_worker *w, struct uvs_dest *d, uint32_t bytes, bool in)
{
	void (*add)(struct uvs_stats *, unsigned, uint64_t) = in ? uvs_stats_in : uvs_stats_out;
	struct uvs_service *svc = uvs_dest_svc(d);

	add(&d->stats, w->id, bytes);
	if (svc)
		add(&svc->stats, w->id, bytes);
	add(&w->engine->model->stats, w->id, bytes);
}

static bool icmp_allowed(struct uvs_worker *w, uvs_time_t now)
{
	if (now > w->icmp_refilled) {
		uvs_time_t add = (now - w->icmp_refilled) / ICMP_TOKEN_NS;
		if (add >= ICMP_BURST - w->icmp_tokens) {
			w->icmp_tokens = ICMP_BURST;
			w->icmp_refilled = now;
		} else {
			w->icmp_tokens += (uint32_t)add;
			w->icmp_refilled += add * ICMP_TOKEN_NS;
		}
	}
	if (!w->icmp_tokens)
		return false;
	w->icmp_tokens--;
	return true;
}

/*
 * Answers the frame's sender with an ICMP error from src, or drops the frame for
 * `why` when no error may be sent: never about an ICMP error or to a source that is
 * not unicast (RFC 1122, RFC 4443), and within the worker's rate except for
 * frag-needed and packet-too-big, which path MTU discovery depends on (the kernel
 * exempts them too).
 */
static void answer_icmp(struct uvs_worker *w, struct uvs_frame *f, struct uvs_pkt *p,
			const union uvs_addr *src, enum uvs_reason why, uint8_t type4,
			uint8_t type6, uint8_t code4, uint8_t code6, uint32_t info)
{
	bool v6 = p->af == AF_INET6;
	bool pmtu = why == UVS_R_TOO_BIG;

	if (uvs_pkt_is_icmp_error(p) || !uvs_addr_is_unicast(p->af, &p->saddr)) {
		verdict(w, f, UVS_VERDICT_DROP, why);
		return;
	}
	if (!pmtu && !icmp_allowed(w, w->now)) {
		verdict(w, f, UVS_VERDICT_DROP, UVS_R_ICMP_RATELIMIT);
		return;
	}
	if (uvs_icmp_error(f, p, src, v6 ? type6 : type4, v6 ? code6 : code4, info) < 0) {
		verdict(w, f, UVS_VERDICT_DROP, UVS_R_NO_ROOM);
		return;
	}
	verdict(w, f, UVS_VERDICT_TX, why);
}

/* A frame to a virtual service is answered from the address it was sent to, as the
 * kernel answers for a local address. */
static void answer_port_unreachable(struct uvs_worker *w, struct uvs_frame *f, struct uvs_pkt *p)
{
	union uvs_addr vip = p->daddr;

	answer_icmp(w, f, p, &vip, UVS_R_NO_DEST, ICMP_DEST_UNREACH, ICMP6_DST_UNREACH,
		    ICMP_PORT_UNREACH, ICMP6_DST_UNREACH_NOPORT, 0);
}

/*
 * The source of an error about a frame the director forwards: the frame's destination
 * if it was sent to a virtual service; for a reply that uvs routes on to the client,
 * the director's own address toward the sender, as a router answers. Returns false
 * (verdict set) if there is no route back.
 */
static bool icmp_source(struct uvs_worker *w, struct uvs_frame *f, const struct uvs_pkt *p,
			bool reply, union uvs_addr *src)
{
	struct uvs_engine *e = w->engine;
	struct uvs_route back;

	if (!reply) {
		*src = p->daddr;
		return true;
	}
	if (e->route(e->route_arg, p->af, &p->saddr, &back) < 0) {
		verdict(w, f, UVS_VERDICT_DROP, UVS_R_NO_ROUTE);
		return false;
	}
	*src = back.src;
	return true;
}

/*
 * The common tail of every forwarded frame: TTL, path MTU (after any encapsulation of
 * overhead bytes), Ethernet addresses. Returns true if the frame may go on (then the
 * caller does its rewrite and calls send_to()); otherwise the verdict is set.
 */
static bool prepare(struct uvs_worker *w, struct uvs_frame *f, struct uvs_pkt *p, int nh_af,
		    const union uvs_addr *next_hop, uint32_t overhead, bool reply,
		    struct uvs_route *rt)
{
	struct uvs_engine *e = w->engine;
	union uvs_addr src;

	if (e->route(e->route_arg, nh_af, next_hop, rt) < 0) {
		verdict(w, f, UVS_VERDICT_DROP, UVS_R_NO_ROUTE);
		return false;
	}
	if (uvs_ttl_dec(p) < 0) {
		if (icmp_source(w, f, p, reply, &src))
			answer_icmp(w, f, p, &src, UVS_R_TTL_EXPIRED, ICMP_TIME_EXCEEDED,
				    ICMP6_TIME_EXCEEDED, ICMP_EXC_TTL, ICMP6_TIME_EXCEED_TRANSIT,
				    0);
		return false;
	}
	if (p->l3_len + overhead > rt->mtu) {
		if (!uvs_pkt_df(p) || rt->mtu <= overhead) {
			/* uvs does not fragment. */
			verdict(w, f, UVS_VERDICT_DROP, UVS_R_TOO_BIG);
			return false;
		}
		if (icmp_source(w, f, p, reply, &src))
			answer_icmp(w, f, p, &src, UVS_R_TOO_BIG, ICMP_DEST_UNREACH,
				    ICMP6_PACKET_TOO_BIG, ICMP_FRAG_NEEDED, 0, rt->mtu - overhead);
		return false;
	}
	return true;
}

static void send_to(struct uvs_worker *w, struct uvs_frame *f, struct uvs_pkt *p,
		    const struct uvs_route *rt)
{
	uvs_eth_set(p, rt);
	f->ifindex = rt->ifindex;
	verdict(w, f, UVS_VERDICT_TX, UVS_R_PKT_OK);
}

/* Frames may carry Ethernet padding; what goes out is the IP packet only. */
static void trim(struct uvs_frame *f, const struct uvs_pkt *p)
{
	f->len = p->l3_off + p->l3_len;
}

static bool dest_available(const struct uvs_dest *d)
{
	return uvs_dest_svc(d) != NULL;
}

/*
 * A packet of a Local connection (the real server is the director itself) goes to the
 * director's own stack as it came: the IP packet only, its TTL as it was, as the
 * kernel's IPVS delivers it. The stack takes it only for one of the director's
 * addresses (the VIP is one where keepalived puts it on a link); to another it would
 * route the packet on, back to the wire.
 */
static void deliver_local(struct uvs_worker *w, struct uvs_frame *f, const struct uvs_pkt *p)
{
	uint32_t padding = f->len - p->l3_off - p->l3_len;

	if (!uvs_host_set_has(rcu_dereference(w->engine->host_addrs), p->af, &p->daddr)) {
		verdict(w, f, UVS_VERDICT_DROP, UVS_R_LOCAL_NOT_HOST);
		return;
	}
	f->data += p->l3_off;
	f->headroom += p->l3_off;
	f->len = p->l3_len;
	f->tailroom += padding;
	verdict(w, f, UVS_VERDICT_LOCAL, UVS_R_LOCAL);
}

/* Sends a client's packet of connection c on to its real server. */
static void forward_in(struct uvs_worker *w, struct uvs_frame *f, struct uvs_pkt *p,
		       struct uvs_conn *c)
{
	uint32_t fwd = uvs_conn_flags(c) & UVS_CONN_F_FWD_MASK;
	struct uvs_dest *d = c->dest;
	uint32_t bytes = p->l3_len;
	struct uvs_route rt;
	struct uvs_tun tun;
	uint32_t overhead = 0;

	/* IPVS counts a packet in before transmitting it: one then dropped, or answered
	 * with time exceeded or frag-needed, counts too. */
	stats_packet(w, d, bytes, true);
	if (fwd == UVS_FWD_LOCAL) {
		deliver_local(w, f, p);
		return;
	}
	if (fwd == UVS_FWD_MASQ && !uvs_pkt_l4_csum_ok(p)) {
		verdict(w, f, UVS_VERDICT_DROP, UVS_R_L4_BAD_CSUM);
		return;
	}
	if (fwd == UVS_FWD_TUNNEL) {
		uvs_dest_tun(d, &tun.type, &tun.port, &tun.flags);
		overhead = uvs_tun_overhead(c->daf, &tun);
	}
	trim(f, p);
	if (!prepare(w, f, p, c->daf, &c->daddr, overhead, false, &rt))
		return;
	switch (fwd) {
	case UVS_FWD_MASQ:
		uvs_nat_in(p, &c->daddr, c->dport);
		break;
	case UVS_FWD_TUNNEL:
		if (uvs_tun_encap(f, p, c->daf, &rt.src, &c->daddr, &tun) < 0) {
			verdict(w, f, UVS_VERDICT_DROP, UVS_R_NO_ROOM);
			return;
		}
		break;
	default: /* direct routing: only the link addresses change */
		break;
	}
	send_to(w, f, p, &rt);
}

/* A packet from the real server's side on its way to client: trimmed, routed and its
 * checksum checked, or dropped (false) with the reason counted. */
static bool prepare_to_client(struct uvs_worker *w, struct uvs_frame *f, struct uvs_pkt *p, int af,
			      const union uvs_addr *client, struct uvs_route *rt)
{
	trim(f, p);
	if (!prepare(w, f, p, af, client, 0, true, rt))
		return false;
	if (!uvs_pkt_l4_csum_ok(p)) {
		verdict(w, f, UVS_VERDICT_DROP, UVS_R_L4_BAD_CSUM);
		return false;
	}
	return true;
}

/*
 * A real server's reply on NAT connection c, back to the client from the VIP. A reply
 * that is dropped changes neither the connection nor its counters: in the kernel the
 * router drops it (TTL, MTU) before IPVS sees it, and IPVS drops a bad checksum before
 * it counts the packet and follows the state.
 */
static void reply(struct uvs_worker *w, struct uvs_frame *f, struct uvs_pkt *p, struct uvs_conn *c,
		  uvs_time_t now)
{
	uint32_t bytes = p->l3_len;
	struct uvs_route rt;

	if (!prepare_to_client(w, f, p, c->af, &c->caddr, &rt))
		return;
	uvs_conn_seen(w->engine, c, p, true, now);
	uvs_nat_out(p, &c->vaddr, c->vport);
	stats_packet(w, c->dest, bytes, false);
	send_to(w, f, p, &rt);
}

/* A sysctl's value (core/sysctl.h). Relaxed: each is a setting read on its own, and
 * a packet that races with a change may see the old or the new one. */
#define SYSCTL(e, name) uvs_load_relaxed(&(e)->model->sysctl.name)

/* TCP SYN (without RST) schedules; with sloppy_tcp any TCP packet; UDP always. */
static bool schedules(const struct uvs_engine *e, const struct uvs_pkt *p)
{
	if (p->protocol != IPPROTO_TCP)
		return true;
	if (p->tcp_flags & TH_RST)
		return false;
	return (p->tcp_flags & TH_SYN) || SYSCTL(e, sloppy_tcp);
}

/*
 * An existing connection that a new SYN should replace, as IPVS decides for port
 * reuse: with conn_reuse_mode non-zero, one whose real server has weight 0 (with
 * expire_nodest_conn), or one not controlled by a template that is in TIME_WAIT or
 * CLOSE, or (bit 2) in FIN_WAIT without a reply seen, the last state a director sees
 * of a direct-routing connection.
 */
static bool reuse(const struct uvs_engine *e, const struct uvs_conn *c, const struct uvs_pkt *p)
{
	int mode;
	uint8_t state;

	if (p->protocol != IPPROTO_TCP || !(p->tcp_flags & TH_SYN))
		return false;
	mode = SYSCTL(e, conn_reuse_mode);
	if (!mode)
		return false;
	if (SYSCTL(e, expire_nodest_conn) && uvs_dest_weight(c->dest) == 0)
		return true;
	if (c->control)
		return false;
	/* Relaxed: the state is judged on its own, without c's lock, as the kernel does. */
	state = uvs_load_relaxed(&c->state);
	if (state == UVS_TCP_S_TIME_WAIT || state == UVS_TCP_S_CLOSE)
		return true;
	return (mode & 2) && state == UVS_TCP_S_FIN_WAIT &&
	       (uvs_conn_flags(c) & UVS_CONN_F_NOOUTPUT);
}

/*
 * A frame between the passes of a batch: parsed, and the bucket its connection
 * lookup will search, so that the bucket and its first entry can be prefetched for
 * the whole batch before any frame is handled.
 */
struct staged {
	struct uvs_pkt p;
	uint32_t bucket;
	uint8_t reason; /* enum uvs_pkt_reason */
	bool lookup;	/* TCP or UDP: bucket is set */
	bool out;	/* not to a (possible) VIP: the outbound table's bucket */
};

/* Up to this many frames are parsed and prefetched before the first is handled. */
#define STAGE 32

/* A scheduling packet of svc without a connection: forwarded on the connection the
 * scheduler makes, or refused as it says. */
static void schedule_new(struct uvs_worker *w, struct uvs_frame *f, struct uvs_pkt *p,
			 struct uvs_service *svc, uvs_time_t now)
{
	enum uvs_reason refused;
	struct uvs_conn once;
	struct uvs_conn *c = uvs_schedule(w, p, svc, now, &once, &refused);

	if (!c) {
		if (refused == UVS_R_NO_DEST)
			answer_port_unreachable(w, f, p);
		else
			verdict(w, f, UVS_VERDICT_DROP, refused);
		return;
	}
	if (c == &once) {
		count(w, UVS_R_ONE_PACKET);
		forward_in(w, f, p, c);
		uvs_schedule_once_done(c);
		return;
	}
	uvs_conn_seen(w->engine, c, p, false, now);
	forward_in(w, f, p, c);
}

/* A frame that is no service's: the reply of NAT connection c if there is one, else
 * the kernel's. */
static void reply_or_pass(struct uvs_worker *w, struct uvs_frame *f, struct uvs_pkt *p,
			  struct uvs_conn *c, uvs_time_t now)
{
	if (c)
		reply(w, f, p, c, now);
	else
		verdict(w, f, UVS_VERDICT_PASS, UVS_R_NO_SERVICE);
}

/*
 * A TCP or UDP frame. One to an address no service ever had (and without a mark) can
 * only be a NAT reply; one to a possible VIP is looked up inbound, then as a service,
 * and only then as a reply, so a new connection costs no reply lookup.
 */
static void handle_l4(struct uvs_worker *w, struct uvs_frame *f, struct staged *s, uvs_time_t now)
{
	struct uvs_engine *e = w->engine;
	struct uvs_pkt *p = &s->p;
	struct uvs_conn *c;
	struct uvs_service *svc;

	if (s->out) {
		c = uvs_conn_out_find(&e->conns, s->bucket, p->af, p->protocol, &p->saddr, p->sport,
				      &p->daddr, p->dport);
		reply_or_pass(w, f, p, c, now);
		return;
	}
	c = uvs_conn_in_find(&e->conns, s->bucket, p->af, p->protocol, &p->saddr, p->sport,
			     &p->daddr, p->dport, false);
	if (c && reuse(e, c, p)) {
		uvs_conn_end(e, c);
		c = NULL;
	}
	if (c && !dest_available(c->dest)) {
		/* Its real server was deleted. */
		bool expire = SYSCTL(e, expire_nodest_conn);
		if (!expire || !schedules(e, p)) {
			if (expire)
				uvs_conn_end(e, c);
			verdict(w, f, UVS_VERDICT_DROP, UVS_R_NODEST_CONN);
			return;
		}
		uvs_conn_end(e, c);
		c = NULL;
	}
	if (!c) {
		svc = uvs_svc_lookup(e->model, p->af, p->protocol, &p->daddr, p->dport, f->fwmark);
		if (!svc) {
			c = uvs_conn_out_get(&e->conns, p->af, p->protocol, &p->saddr, p->sport,
					     &p->daddr, p->dport);
			reply_or_pass(w, f, p, c, now);
			return;
		}
		if (!schedules(e, p)) {
			verdict(w, f, UVS_VERDICT_PASS, UVS_R_NO_CONN);
			return;
		}
		/* A new connection: from a client, never from the director itself, a
		 * VIP or the service's own real servers (martian.h). */
		enum uvs_reason martian = uvs_martian_source(e, p, svc);
		if (martian != UVS_R_PKT_OK) {
			verdict(w, f, UVS_VERDICT_DROP, martian);
			return;
		}
		schedule_new(w, f, p, svc, now);
		return;
	}
	uvs_conn_seen(e, c, p, false, now);
	forward_in(w, f, p, c);
}

/*
 * An ICMP error about a NAT connection's packet: from the client side about a reply
 * (relayed in to the real server), or from the real server's side about a request
 * (relayed out to the client). DR and TUN connections get inbound errors forwarded
 * by their method. Anything else is the kernel's. An error about a connection whose
 * checksum is bad is dropped, as IPVS drops it: the relay computes the checksum
 * afresh, which would make a damaged message look whole.
 */
static void handle_icmp_error(struct uvs_worker *w, struct uvs_frame *f, struct uvs_pkt *p)
{
	struct uvs_engine *e = w->engine;
	struct uvs_pkt in;
	struct uvs_conn *c;
	struct uvs_route rt;
	uint32_t bytes = p->l3_len;
	enum uvs_reason martian;
	bool to_client;

	if (uvs_pkt_parse_icmp_inner(p, &in) != UVS_PKT_OK ||
	    (in.protocol != IPPROTO_TCP && in.protocol != IPPROTO_UDP)) {
		verdict(w, f, UVS_VERDICT_PASS, UVS_R_ICMP_UNRELATED);
		return;
	}
	/* About a packet sent to a real server: the error goes back to the client. Else
	 * about one sent from the VIP to a client: it goes to the real server. */
	c = uvs_conn_out_get(&e->conns, in.af, in.protocol, &in.daddr, in.dport, &in.saddr,
			     in.sport);
	to_client = c != NULL;
	if (!c)
		c = uvs_conn_in_get(&e->conns, in.af, in.protocol, &in.daddr, in.dport, &in.saddr,
				    in.sport, false);
	if (!c || (!to_client && !dest_available(c->dest))) {
		verdict(w, f, UVS_VERDICT_PASS, UVS_R_ICMP_UNRELATED);
		return;
	}
	/* Relayed only from a source a host may have (martian.h). */
	martian = uvs_martian_source(e, p, NULL);
	if (martian != UVS_R_PKT_OK) {
		verdict(w, f, UVS_VERDICT_DROP, martian);
		return;
	}
	if (to_client) {
		if (!prepare_to_client(w, f, p, p->af, &p->daddr, &rt))
			return;
		uvs_icmp_relay_out(p, &in, &c->vaddr, c->vport);
		stats_packet(w, c->dest, bytes, false);
		send_to(w, f, p, &rt);
		return;
	}
	if (!uvs_pkt_l4_csum_ok(p)) {
		verdict(w, f, UVS_VERDICT_DROP, UVS_R_L4_BAD_CSUM);
		return;
	}
	if ((uvs_conn_flags(c) & UVS_CONN_F_FWD_MASK) == UVS_FWD_MASQ) {
		stats_packet(w, c->dest, bytes, true);
		trim(f, p);
		if (!prepare(w, f, p, c->daf, &c->daddr, 0, false, &rt))
			return;
		uvs_icmp_relay_in(p, &in, &c->daddr, c->dport);
		send_to(w, f, p, &rt);
		return;
	}
	forward_in(w, f, p, c);
}

/* First pass: parse f and start loading its connection's bucket. */
static void stage(struct uvs_engine *e, struct uvs_frame *f, struct staged *s)
{
	struct uvs_pkt *p = &s->p;

	s->reason = (uint8_t)uvs_pkt_parse(f->data, f->len, p);
	s->lookup = s->reason == UVS_PKT_OK &&
		    (p->protocol == IPPROTO_TCP || p->protocol == IPPROTO_UDP);
	if (!s->lookup)
		return;
	s->out = !f->fwmark && !uvs_model_may_be_vip(e->model, p->af, &p->daddr);
	if (s->out)
		s->bucket = uvs_conn_out_bucket(&e->conns, p->af, p->protocol, &p->saddr, p->sport,
						&p->daddr, p->dport);
	else
		s->bucket = uvs_conn_in_bucket(&e->conns, p->af, p->protocol, &p->saddr, p->sport,
					       &p->daddr, p->dport);
	uvs_conn_prefetch_bucket(&e->conns, s->out, s->bucket);
}

static void handle_frame(struct uvs_worker *w, struct uvs_frame *f, struct staged *s,
			 uvs_time_t now)
{
	switch ((enum uvs_pkt_reason)s->reason) {
	case UVS_PKT_OK:
		break;
	case UVS_PKT_NOT_IP:
	case UVS_PKT_L4_UNKNOWN:
	case UVS_PKT_FRAGMENT: /* uvs does not reassemble: the kernel may */
		verdict(w, f, UVS_VERDICT_PASS, (enum uvs_reason)s->reason);
		return;
	default:
		verdict(w, f, UVS_VERDICT_DROP, (enum uvs_reason)s->reason);
		return;
	}
	if (s->lookup)
		handle_l4(w, f, s, now);
	else if (uvs_pkt_is_icmp_error(&s->p))
		handle_icmp_error(w, f, &s->p);
	else
		verdict(w, f, UVS_VERDICT_PASS, UVS_R_ICMP_UNRELATED);
}

void uvs_engine_pause(struct uvs_engine *e)
{
	uvs_store_seq_cst(&e->paused, 1);
	/* A batch that began before the store ends within the grace period; one that
	 * begins after it sees the flag (see uvs_engine_process). */
	synchronize_rcu();
}

void uvs_engine_resume(struct uvs_engine *e)
{
	uvs_store_seq_cst(&e->paused, 0);
	syscall(SYS_futex, &e->paused, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
}

/* Enters a read-side section in which the engine is not paused. */
static void batch_begin(struct uvs_engine *e)
{
	rcu_read_lock();
	while (uvs_load_acquire(&e->paused)) {
		rcu_read_unlock();
		syscall(SYS_futex, &e->paused, FUTEX_WAIT_PRIVATE, 1, NULL, NULL, 0);
		rcu_read_lock();
	}
}

void uvs_engine_process(struct uvs_worker *w, struct uvs_frame *frames, unsigned n, uvs_time_t now)
{
	struct uvs_engine *e = w->engine;

	w->now = now;
	uvs_worker_timers(w, now);
	batch_begin(e);
	/* Three passes over up to STAGE frames: parse and prefetch each bucket, prefetch
	 * each bucket's first entry, then handle them, so that the memory latency of a
	 * large table overlaps across frames instead of adding up. */
	for (unsigned i = 0; i < n; i += STAGE) {
		struct staged st[STAGE];
		unsigned m = n - i < STAGE ? n - i : STAGE;

		for (unsigned k = 0; k < m; k++)
			stage(e, &frames[i + k], &st[k]);
		for (unsigned k = 0; k < m; k++)
			if (st[k].lookup)
				uvs_conn_prefetch_first(&e->conns, st[k].out, st[k].bucket);
		for (unsigned k = 0; k < m; k++)
			handle_frame(w, &frames[i + k], &st[k], now);
	}
	rcu_read_unlock();
}
