// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The frame path: parse, reassemble fragments, find or schedule the connection,
 * follow its state, and hand the frame to forward.c, which rewrites it by its
 * forwarding method and answers with ICMP where IPVS does. Scheduling and persistence
 * are in schedule.c; the connection table in conn.c; reassembly in frag.c; rewrites in
 * xmit/.
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
#include "core/sync.h"
#include "core/synproxy.h"
#include "engine-internal.h"

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
	c->frag_mem = UVS_FRAG_MEM_DEFAULT;
	c->ftp_ports[0] = htons(UVS_FTP_PORT);
	c->nftp_ports = 1;
}

int uvs_engine_init(struct uvs_engine *e, struct uvs_model *m, const struct uvs_engine_config *c)
{
	int rc;

	memset(e, 0, sizeof(*e));
	if (c->nworkers == 0 || c->nworkers > 255 || c->nworkers > m->nworkers || !c->route ||
	    c->nftp_ports > UVS_FTP_PORTS_MAX)
		return -EINVAL;
	e->workers = calloc(c->nworkers, sizeof(*e->workers));
	if (!e->workers)
		return -ENOMEM;
	rc = uvs_conn_table_init(&e->conns, c->table_bits, c->max_conns);
	if (rc < 0) {
		free(e->workers);
		return rc;
	}
	rc = uvs_frag_table_init(&e->frags, 10, c->frag_mem ? c->frag_mem : UVS_FRAG_MEM_DEFAULT);
	if (rc < 0) {
		uvs_conn_table_destroy(&e->conns);
		free(e->workers);
		return rc;
	}
	e->model = m;
	e->nworkers = c->nworkers;
	e->route = c->route;
	e->route_arg = c->route_arg;
	memcpy(e->ftp_ports, c->ftp_ports, sizeof(e->ftp_ports));
	e->nftp_ports = c->nftp_ports;
	uvs_timeouts_default(&e->timeouts);
	e->tcp_opening_active = uvs_tcp_opening_active_events();
	e->defence.syn_proxy = c->syn_proxy;
	uvs_synproxy_key_init(&e->defence.cookie_key);
	return 0;
}

static void worker_buffers_free(struct uvs_worker *w)
{
	free(w->out);
	free(w->out_buf);
	free(w->dgram_buf);
	w->out = NULL;
	w->out_buf = w->dgram_buf = NULL;
}

/* Ends every connection on w's wheel: templates last, since connections refer to them. */
static void end_all(struct uvs_worker *w, bool templates)
{
	for (unsigned s = 0; s < UVS_WHEEL_SLOTS; s++)
		for (struct uvs_conn *c = uvs_conn_at(&w->pool, w->pool.wheel[s]); c;
		     c = uvs_conn_at(&w->pool, uvs_conn_side(c)->tm_next))
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
	uvs_conn_spares_back(&e->conns, &w->spare_conns, true);
	worker_buffers_free(w);
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
		if (e->workers[i]) {
			uvs_conn_pool_destroy(&e->workers[i]->pool);
			worker_buffers_free(e->workers[i]);
		}
	uvs_conn_table_destroy(&e->conns);
	uvs_frag_table_destroy(&e->frags);
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
	w->icmp_tokens = UVS_ICMP_BURST;
	w->out = calloc(UVS_OUT_FRAMES, sizeof(*w->out));
	w->out_buf = malloc(UVS_OUT_BYTES);
	w->dgram_buf = malloc(UVS_FRAME_HEADROOM + UVS_DGRAM_MAX);
	if (!w->out || !w->out_buf || !w->dgram_buf) {
		worker_buffers_free(w);
		return -ENOMEM;
	}
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
	/* Relaxed: the control thread's count (defence.h), read racily as the others. */
	out[UVS_R_DEFENCE_DROP_ENTRY] += uvs_load_relaxed(&e->defence.entries_dropped);
}

uint32_t uvs_engine_conn_count(const struct uvs_engine *e)
{
	/* Relaxed: counts, read racily; the workers' spares are reserved, not used. A
	 * worker giving its spares back between the two reads would take them off twice:
	 * never below 0. */
	int64_t n = uvs_load_relaxed(&e->conns.count);

	for (unsigned i = 0; i < e->nworkers; i++) {
		const struct uvs_worker *w = e->workers[i];
		if (w)
			n -= uvs_load_relaxed(&w->spare_conns);
	}
	return n > 0 ? (uint32_t)n : 0;
}

static bool wheel_expire(void *arg, struct uvs_conn *c, uvs_time_t now)
{
	struct uvs_worker *w = arg;

	/* A template, or an FTP control connection, that still controls connections lives
	 * on for 60 s more (the kernel's ip_vs_conn_expire() for any connection), and a
	 * master tells its backups so. */
	if (uvs_load_acquire(&uvs_conn_side(c)->n_control)) {
		/* Relaxed: a time that publishes nothing (conn.h). */
		uvs_store_relaxed(&c->expires, now + UVS_TEMPLATE_REARM_S * UVS_NS_PER_SEC);
		rcu_read_lock();
		struct uvs_sync_out *so = rcu_dereference(w->engine->sync_out);
		if (so)
			uvs_sync_template_rearmed(w, so, c, now);
		rcu_read_unlock();
		return false;
	}
	/* The fast path forwarded its frames lately: the timer runs from the last. */
	uvs_time_t until = uvs_conn_expiry(w->engine, c);
	if (until > now) {
		/* Relaxed: as a packet's refresh (conn.h). */
		uvs_store_relaxed(&c->expires, until);
		return false;
	}
	uvs_conn_end(w->engine, c);
	return true;
}

/* How often a worker looks through its share of the reassembly table. */
#define FRAG_SWEEP_NS (UVS_NS_PER_SEC / 4)

void uvs_worker_timers(struct uvs_worker *w, uvs_time_t now)
{
	struct uvs_engine *e = w->engine;

	uvs_conn_wheel_run(&w->pool, now, wheel_expire, w);
	uvs_conn_spares_back(&e->conns, &w->spare_conns, false);
	uvs_fp_sweep(w, now);
	if (now >= w->frag_sweep) {
		uint32_t n = uvs_frag_buckets(&e->frags),
			 share = (n + e->nworkers - 1) / e->nworkers;
		unsigned gone = uvs_frag_expire(&e->frags, now, w->id * share, share);

		uvs_stats_add_(&w->counters[UVS_R_FRAG_TIMEOUT], gone);
		w->frag_sweep = now + FRAG_SWEEP_NS;
	}
}

unsigned uvs_worker_out(struct uvs_worker *w, struct uvs_frame **frames)
{
	*frames = w->out;
	return w->nout;
}

/* A sysctl's value (core/sysctl.h). Relaxed: each is a setting read on its own, and
 * a packet that races with a change may see the old or the new one. */
#define SYSCTL(e, name) uvs_load_relaxed(&(e)->model->sysctl.name)

/* TCP SYN (without RST) schedules; with sloppy_tcp any TCP packet; SCTP INIT, with
 * sloppy_sctp any SCTP packet but an ABORT; UDP always. */
static bool schedules(const struct uvs_engine *e, const struct uvs_pkt *p)
{
	if (p->protocol == IPPROTO_TCP) {
		if (p->tcp_flags & TH_RST)
			return false;
		return (p->tcp_flags & TH_SYN) || SYSCTL(e, sloppy_tcp);
	}
	if (p->protocol == IPPROTO_SCTP) {
		enum uvs_sctp_event ev = uvs_sctp_event(p);
		return ev == UVS_SCTP_EV_INIT ||
		       (ev != UVS_SCTP_EV_ABORT && SYSCTL(e, sloppy_sctp));
	}
	return true;
}

/* Whether p would open a new connection on its own: a TCP SYN or an SCTP INIT. */
static bool opens(const struct uvs_pkt *p)
{
	if (p->protocol == IPPROTO_TCP)
		return p->tcp_flags & TH_SYN;
	return p->protocol == IPPROTO_SCTP && uvs_sctp_event(p) == UVS_SCTP_EV_INIT;
}

/*
 * An existing connection that a new SYN (or SCTP INIT) should replace, as IPVS decides
 * for port reuse: with conn_reuse_mode non-zero, one whose real server has weight 0
 * (with expire_nodest_conn), or one not controlled by a template that is in TIME_WAIT
 * or CLOSE (SCTP: CLOSED), or (bit 2) in FIN_WAIT without a reply seen, the last state
 * a director sees of a direct-routing connection.
 */
static bool reuse(const struct uvs_engine *e, const struct uvs_conn *c, const struct uvs_pkt *p)
{
	int mode;
	uint8_t state;

	if (p->protocol == IPPROTO_UDP || !opens(p))
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
	if (p->protocol == IPPROTO_SCTP)
		return state == UVS_SCTP_S_CLOSED;
	if (state == UVS_TCP_S_TIME_WAIT || state == UVS_TCP_S_CLOSE)
		return true;
	return (mode & 2) && state == UVS_TCP_S_FIN_WAIT &&
	       (uvs_conn_flags(c) & UVS_CONN_F_NOOUTPUT);
}

/*
 * A frame between the passes of a batch: parsed, and the bucket its connection
 * lookup will search, so that the bucket and its first entry can be prefetched
 * before the frame is handled (see uvs_engine_process).
 */
struct staged {
	struct uvs_pkt p;
	uint32_t bucket;
	uint8_t reason; /* enum uvs_pkt_reason */
	bool lookup;	/* TCP, UDP or SCTP: bucket is set */
	bool out;	/* not to a (possible) VIP: a reply, looked up by its destination */
};

/* The batch's pipeline: groups of GROUP frames, four of them in a ring of STAGE
 * staged frames (a power of two, so that the ring's index is a mask). A pass over a
 * group asks for up to three lines a frame at once, and a core holds only so many
 * misses in flight (about 20 on the host measured, bench/mem_bench): with groups of 8
 * the prefetches themselves stalled waiting for room, and established frames over 1M
 * flows took 105 ns against 85 with groups of 4 (bench/RESULTS.md). */
#define GROUP 4
#define STAGE 16
_Static_assert(4 * GROUP <= STAGE, "the pipeline holds four groups");

/* After a client's packet of c, forwarded or not: a sync master may send c (the
 * kernel's ip_vs_in() calls ip_vs_sync_conn() there). Without a master, one load. */
static inline __attribute__((always_inline)) void sync_seen(struct uvs_worker *w,
							    struct uvs_conn *c, uvs_time_t now)
{
	struct uvs_sync_out *so = rcu_dereference(w->engine->sync_out);

	if (__builtin_expect(so != NULL, 0))
		uvs_sync_conn_seen(w, so, c, now);
	/* Without a master, drop_entry still needs each entry's client packets (the
	 * master counts them itself). Relaxed: a count and a setting read on its own. */
	else if (__builtin_expect(uvs_load_relaxed(&w->engine->defence.count_pkts), 0) &&
		 !(uvs_conn_flags(c) & UVS_CONN_F_ONE_PACKET)) {
		struct uvs_conn_sync *cs = uvs_conn_sync(c);

		if (cs)
			uvs_add_relaxed(&cs->in_pkts, 1);
	}
}

/* A scheduling packet of svc without a connection: forwarded on the connection the
 * scheduler makes (into bucket, the chain stage() found p's client's), or refused as
 * it says. */
static void schedule_new(struct uvs_worker *w, struct uvs_frame *f, struct uvs_pkt *p,
			 struct uvs_service *svc, uint32_t bucket, uvs_time_t now)
{
	enum uvs_reason refused;
	struct uvs_conn *c;

	/* drop_packet: one in drop_rate new connections, before scheduling as the
	 * kernel's conn_schedule. Relaxed: the defence's level, read on its own. */
	if (uvs_defence_todrop(uvs_load_relaxed(&w->engine->defence.drop_rate),
			       &w->drop_countdown)) {
		uvs_verdict(w, f, UVS_VERDICT_DROP, UVS_R_DEFENCE_DROP_PACKET);
		return;
	}
	c = uvs_schedule(w, p, svc, now, bucket, &refused);
	if (!c) {
		if (refused == UVS_R_NO_DEST)
			uvs_answer_port_unreachable(w, f, p);
		else
			uvs_verdict(w, f, UVS_VERDICT_DROP, refused);
		return;
	}
	if (c == w->once) {
		uvs_count(w, UVS_R_ONE_PACKET);
		uvs_forward_in(w, f, p, c);
		sync_seen(w, c, now);
		uvs_schedule_once_done(c);
		return;
	}
	uvs_conn_seen(w->engine, c, p, false, now);
	uvs_forward_in(w, f, p, c);
	sync_seen(w, c, now);
}

/* A frame that is no service's: the reply of NAT connection c if there is one, else
 * the kernel's. */
static void reply_or_pass(struct uvs_worker *w, struct uvs_frame *f, struct uvs_pkt *p,
			  struct uvs_conn *c, uvs_time_t now)
{
	if (c && __builtin_expect(uvs_conn_flags(c) & UVS_CONN_F_SYNPROXY, 0))
		uvs_synproxy_reply(w, f, p, c, now);
	else if (c)
		uvs_reply(w, f, p, c, now);
	else
		uvs_verdict(w, f, UVS_VERDICT_PASS, UVS_R_NO_SERVICE);
}

/*
 * A TCP, UDP or SCTP frame. One to an address no service ever had (and without a mark) can
 * only be a NAT reply; one to a possible VIP is looked up inbound, then as a service,
 * and only then as a reply, so a new connection costs no reply lookup.
 */
/* Inlined into the batch loop, as handle_packet() and stage(): the established path. */
#define HOT static inline __attribute__((always_inline))

HOT void handle_l4(struct uvs_worker *w, struct uvs_frame *f, struct staged *s, uvs_time_t now)
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
	if (!c) /* the FTP helper's passive data connection, if one waits for this */
		c = uvs_ftp_data_conn(w, p, now);
	if (c && reuse(e, c, p)) {
		uvs_conn_end(e, c);
		c = NULL;
	}
	if (c && !uvs_dest_available(c->dest)) {
		/* Its real server was deleted. */
		bool expire = SYSCTL(e, expire_nodest_conn);
		if (!expire || !schedules(e, p)) {
			if (expire)
				uvs_conn_end(e, c);
			uvs_verdict(w, f, UVS_VERDICT_DROP, UVS_R_NODEST_CONN);
			return;
		}
		uvs_conn_end(e, c);
		c = NULL;
	}
	if (!c) {
		svc = uvs_svc_lookup_cached(e->model, &w->svc_cache, p->af, p->protocol, &p->daddr,
					    p->dport, f->fwmark);
		if (!svc) {
			c = uvs_conn_out_get(&e->conns, p->af, p->protocol, &p->saddr, p->sport,
					     &p->daddr, p->dport);
			reply_or_pass(w, f, p, c, now);
			return;
		}
		/* Relaxed: set before the workers start. */
		if (p->protocol == IPPROTO_TCP && uvs_load_relaxed(&e->defence.syn_proxy) &&
		    uvs_synproxy_serves(e, p->dport)) {
			uvs_synproxy_new(w, f, p, svc, now);
			return;
		}
		if (!schedules(e, p)) {
			uvs_verdict(w, f, UVS_VERDICT_PASS, UVS_R_NO_CONN);
			return;
		}
		/* A new connection: from a client, never from the director itself, a
		 * VIP or the service's own real servers (martian.h). */
		enum uvs_reason martian = uvs_martian_source(e, p, svc);
		if (martian != UVS_R_PKT_OK) {
			uvs_verdict(w, f, UVS_VERDICT_DROP, martian);
			return;
		}
		schedule_new(w, f, p, svc, s->bucket, now);
		return;
	}
	if (__builtin_expect(uvs_conn_flags(c) & UVS_CONN_F_SYNPROXY, 0) &&
	    !uvs_synproxy_client(w, f, p, c, now))
		return;
	uvs_conn_seen(e, c, p, false, now);
	uvs_forward_in(w, f, p, c);
	sync_seen(w, c, now);
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
	int frag;
	enum uvs_reason martian;
	bool to_client;

	if (uvs_pkt_parse_icmp_inner(p, &in) != UVS_PKT_OK || !uvs_pkt_has_ports(&in)) {
		uvs_verdict(w, f, UVS_VERDICT_PASS, UVS_R_ICMP_UNRELATED);
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
	if (!c || (!to_client && !uvs_dest_available(c->dest))) {
		uvs_verdict(w, f, UVS_VERDICT_PASS, UVS_R_ICMP_UNRELATED);
		return;
	}
	/* Relayed only from a source a host may have (martian.h). */
	martian = uvs_martian_source(e, p, NULL);
	if (martian != UVS_R_PKT_OK) {
		uvs_verdict(w, f, UVS_VERDICT_DROP, martian);
		return;
	}
	if (to_client) {
		frag = uvs_prepare_to_client(w, f, p, p->af, &p->daddr, &rt);
		if (frag < 0)
			return;
		uvs_icmp_relay_out(p, &in, &c->vaddr, c->vport);
		uvs_stats_packet(w, c->dest, bytes, false);
		uvs_send_to(w, f, p, &rt, (uint32_t)frag);
		return;
	}
	if (!uvs_pkt_l4_csum_ok(p)) {
		uvs_verdict(w, f, UVS_VERDICT_DROP, UVS_R_L4_BAD_CSUM);
		return;
	}
	if ((uvs_conn_flags(c) & UVS_CONN_F_FWD_MASK) == UVS_FWD_MASQ) {
		uvs_stats_packet(w, c->dest, bytes, true);
		uvs_trim(f, p);
		frag = uvs_prepare(w, f, p, c->daf, &c->daddr, 0, false, &rt);
		if (frag < 0)
			return;
		uvs_icmp_relay_in(p, &in, &c->daddr, c->dport);
		uvs_send_to(w, f, p, &rt, (uint32_t)frag);
		return;
	}
	uvs_forward_in(w, f, p, c);
}

/* First pass: parse f and start loading its connection's bucket. */
HOT void stage(struct uvs_engine *e, struct uvs_frame *f, struct staged *s)
{
	struct uvs_pkt *p = &s->p;

	s->reason = (uint8_t)uvs_pkt_parse(f->data, f->len, p);
	s->lookup = s->reason == UVS_PKT_OK && uvs_pkt_has_ports(p);
	if (!s->lookup)
		return;
	s->out = !f->fwmark && !uvs_model_may_be_vip(e->model, p->af, &p->daddr);
	/* The client: a reply's destination, else the source. */
	if (s->out)
		s->bucket = uvs_conn_bucket(&e->conns, p->af, p->protocol, &p->daddr, p->dport);
	else
		s->bucket = uvs_conn_bucket(&e->conns, p->af, p->protocol, &p->saddr, p->sport);
	uvs_conn_prefetch_bucket(&e->conns, s->bucket);
}

/* Second pass: start loading the first entry of s's bucket, which stage() asked for. */
static inline __attribute__((always_inline)) void prefetch_first(struct uvs_engine *e,
								 const struct staged *s)
{
	if (s->lookup)
		uvs_conn_prefetch_first(&e->conns, s->bucket);
}

/* Third pass: the first entry has arrived; if it is not s's, start loading the next. */
static inline __attribute__((always_inline)) void prefetch_next(struct uvs_engine *e,
								const struct staged *s)
{
	if (!s->lookup)
		return;
	if (s->out)
		uvs_conn_prefetch_next(&e->conns, s->bucket, &s->p.daddr, s->p.dport);
	else
		uvs_conn_prefetch_next(&e->conns, s->bucket, &s->p.saddr, s->p.sport);
}

/* A frame that parsed whole (reason OK): its connection, or an ICMP error's. */
HOT void handle_packet(struct uvs_worker *w, struct uvs_frame *f, struct staged *s, uvs_time_t now)
{
	if (s->lookup)
		handle_l4(w, f, s, now);
	else if (uvs_pkt_is_icmp_error(&s->p))
		handle_icmp_error(w, f, &s->p);
	else
		uvs_verdict(w, f, UVS_VERDICT_PASS, UVS_R_ICMP_UNRELATED);
}

/* A frame the parser refused: passed (not IP, another protocol) or dropped. */
static void handle_refused(struct uvs_worker *w, struct uvs_frame *f, enum uvs_pkt_reason r)
{
	bool pass = r == UVS_PKT_NOT_IP || r == UVS_PKT_L4_UNKNOWN;

	uvs_verdict(w, f, pass ? UVS_VERDICT_PASS : UVS_VERDICT_DROP, (enum uvs_reason)r);
}

/*
 * A fragment: into the reassembly table, as the kernel's defrag takes every fragment
 * before IPVS (frag.h). The one that completes a datagram has the datagram handled as
 * a frame of its own (a whole datagram is never a fragment again), sent whole or cut
 * again to the path (forward.c) among w's own frames.
 */
static void handle_fragment(struct uvs_worker *w, struct uvs_frame *f, struct uvs_pkt *p,
			    uvs_time_t now)
{
	static const uint8_t reasons[] = {
		[UVS_FRAG_HELD] = UVS_R_FRAG_HELD, [UVS_FRAG_DONE] = UVS_R_FRAG_HELD,
		[UVS_FRAG_DUP] = UVS_R_FRAG_DUP,   [UVS_FRAG_OVERLAP] = UVS_R_FRAG_OVERLAP,
		[UVS_FRAG_BAD] = UVS_R_FRAG_BAD,   [UVS_FRAG_NO_MEMORY] = UVS_R_FRAG_NO_MEMORY,
	};
	struct uvs_frag_done done = { .buf = w->dgram_buf + UVS_FRAME_HEADROOM,
				      .room = UVS_DGRAM_MAX };
	struct uvs_frame d;
	struct staged st;
	enum uvs_frag_result r;

	r = uvs_frag_add(&w->engine->frags, p, f->fwmark, now, &done);
	/* Its bytes are in the table or gone: the frame itself is not sent. */
	uvs_verdict(w, f, UVS_VERDICT_DROP, (enum uvs_reason)reasons[r]);
	if (r != UVS_FRAG_DONE)
		return;
	d = (struct uvs_frame){
		.data = done.buf,
		.len = done.len,
		.headroom = UVS_FRAME_HEADROOM,
		.tailroom = UVS_DGRAM_MAX - done.len,
		.fwmark = done.fwmark,
		.ifindex = f->ifindex,
	};
	w->dgram = &d;
	w->dgram_max_frag = done.max_frag;
	w->dgram_id = done.id;
	stage(w->engine, &d, &st);
	/* A datagram that is whole is no fragment: an IPv6 one that still has a fragment
	 * header (one inside another) is not reassembled again. */
	if (st.reason == UVS_PKT_OK)
		handle_packet(w, &d, &st, now);
	else if (st.reason == UVS_PKT_FRAGMENT)
		uvs_verdict(w, &d, UVS_VERDICT_DROP, UVS_R_FRAG_BAD);
	else
		handle_refused(w, &d, (enum uvs_pkt_reason)st.reason);
	w->dgram = NULL;
}

static void handle_frame(struct uvs_worker *w, struct uvs_frame *f, struct staged *s,
			 uvs_time_t now)
{
	if (s->reason == UVS_PKT_OK)
		handle_packet(w, f, s, now);
	else if (s->reason == UVS_PKT_FRAGMENT)
		handle_fragment(w, f, &s->p, now);
	else
		handle_refused(w, f, (enum uvs_pkt_reason)s->reason);
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

/* The kernel's backup_only: while a backup sync daemon runs, the director function is
 * off (no packet loops between two DR or TUN directors that both have the VIP). */
static bool backup_only(const struct uvs_engine *e)
{
	/* Relaxed: a flag and a setting, each read on its own (sync.h, sysctl.h). */
	return __builtin_expect(uvs_load_relaxed(&e->sync_backup), 0) && SYSCTL(e, backup_only);
}

/* The end of group g of a batch of n frames (one past its last frame). */
static inline unsigned group_end(unsigned g, unsigned n)
{
	return (g + 1) * GROUP < n ? (g + 1) * GROUP : n;
}

void uvs_engine_process(struct uvs_worker *w, struct uvs_frame *frames, unsigned n, uvs_time_t now)
{
	struct uvs_engine *e = w->engine;

	w->now = now;
	w->nout = 0;
	w->out_used = 0;
	uvs_worker_timers(w, now);
	if (backup_only(e)) {
		for (unsigned i = 0; i < n; i++)
			uvs_verdict(w, &frames[i], UVS_VERDICT_PASS, UVS_R_BACKUP_ONLY);
		return;
	}
	batch_begin(e);
	/* A pipeline over groups of GROUP frames: group g is parsed and its buckets
	 * prefetched, group g - 1's first entries prefetched, group g - 2's second
	 * entries where the first is another client's (a chain of two or more) and group
	 * g - 3 handled, so that each load has a group's work to arrive in, whatever the
	 * batch's size. Each pass runs over a whole group, so that its code stays in the
	 * instruction cache while the next one's runs (the handling of a new connection
	 * is long). */
	struct staged st[STAGE];
	unsigned groups = (n + GROUP - 1) / GROUP;

	for (unsigned g = 0; g < groups + 3; g++) {
		if (g < groups)
			for (unsigned j = g * GROUP, end = group_end(g, n); j < end; j++)
				stage(e, &frames[j], &st[j % STAGE]);
		if (g >= 1 && g <= groups)
			for (unsigned j = (g - 1) * GROUP, end = group_end(g - 1, n); j < end; j++)
				prefetch_first(e, &st[j % STAGE]);
		if (g >= 2 && g <= groups + 1)
			for (unsigned j = (g - 2) * GROUP, end = group_end(g - 2, n); j < end; j++)
				prefetch_next(e, &st[j % STAGE]);
		if (g >= 3)
			for (unsigned j = (g - 3) * GROUP, end = group_end(g - 3, n); j < end; j++)
				handle_frame(w, &frames[j], &st[j % STAGE], now);
	}
	rcu_read_unlock();
}
