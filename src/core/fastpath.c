// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The engine's side of the XDP fast path (core/fastpath.h): which frames' flows it
 * offers, the entries it writes and takes out, and the counts it takes back. Writers
 * follow core/fastpath-table.h's protocol: claim an entry by making its seq odd, write,
 * publish with seq + 1. Entries of connection c are found from c's own addresses and
 * ports, so a connection carries only the bits of the directions it offered.
 */
#include <net/ethernet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>

#include "core/fastpath.h"
#include "core/proto_tcp.h"
#include "engine-internal.h"
#include "pkt/csum.h"

/* How often a worker takes the counts of its share of the table. */
#define SWEEP_NS UVS_NS_PER_SEC

/* fp_dirs (in c's side): the directions offered; DIR_HANDSHAKE: the DIR_OUT entry takes only the
 * real server's SYN-ACK (offer_handshake). */
#define DIR_IN	      0x1
#define DIR_OUT	      0x2
#define DIR_HANDSHAKE 0x4

_Static_assert(sizeof(struct uvs_fp_entry) == 128, "an entry is two cache lines");
_Static_assert(sizeof(struct uvs_fp_key) % 4 == 0, "a key hashes as words");

void uvs_fastpath_init(struct uvs_fastpath *fp, struct uvs_fp_head *head,
		       struct uvs_fp_entry *entries, uint64_t *dirty, uint32_t n, uint32_t seed)
{
	memset(fp, 0, sizeof(*fp));
	fp->head = head;
	fp->entries = entries;
	fp->dirty = dirty;
	head->mask = n - 1;
	head->seed = seed;
	head->epoch = 1;
}

void uvs_engine_set_fastpath(struct uvs_engine *e, struct uvs_fastpath *fp)
{
	e->fastpath = fp;
}

void uvs_fastpath_bump(struct uvs_fastpath *fp)
{
	/* Sequentially consistent: the change that calls for it comes first for an offer
	 * that reads the new epoch (uvs_fp_offer reads it before it looks at anything). 0
	 * is "no fast path" to the program: skipped when the count wraps. One bumper at a
	 * time (core/fastpath.h). */
	uvs_add_seq_cst(&fp->head->epoch, 1);
	if (!uvs_load_relaxed(&fp->head->epoch))
		uvs_add_seq_cst(&fp->head->epoch, 1);
}

uint32_t uvs_fastpath_used(const struct uvs_fastpath *fp)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i <= fp->head->mask; i++)
		n += uvs_load_relaxed(&fp->entries[i].key.family) != 0;
	return n;
}

/* The key of c's packets from the client (reply false) or from its real server. */
static void conn_key(const struct uvs_conn *c, bool reply, struct uvs_fp_key *k)
{
	memset(k, 0, sizeof(*k));
	k->family = c->af;
	k->protocol = c->protocol;
	if (reply) {
		memcpy(k->saddr, &c->daddr, sizeof(k->saddr));
		memcpy(k->daddr, &c->caddr, sizeof(k->daddr));
		k->sport = c->dport;
		k->dport = c->cport;
	} else {
		memcpy(k->saddr, &c->caddr, sizeof(k->saddr));
		memcpy(k->daddr, &c->vaddr, sizeof(k->daddr));
		k->sport = c->cport;
		k->dport = c->vport;
	}
}

static struct uvs_fp_entry *way(const struct uvs_fastpath *fp, uint32_t h, unsigned i)
{
	return &fp->entries[(h + i) & fp->head->mask];
}

/* Makes e, whose seq was s (even), the caller's: true if no one else took it first. */
static bool claim(struct uvs_fp_entry *e, uint32_t s)
{
	return !(s & 1) && uvs_cmpxchg_acquire(&e->seq, s, s + 1) == s;
}

/* Gives e back, as written, to the program and to other writers. */
static void publish(struct uvs_fp_entry *e)
{
	uvs_store_release(&e->seq, e->seq + 1);
}

/* The entry holding k, claimed, or NULL. */
static struct uvs_fp_entry *claim_key(const struct uvs_fastpath *fp, const struct uvs_fp_key *k,
				      uint32_t h)
{
	for (unsigned i = 0; i < UVS_FP_WAYS; i++) {
		struct uvs_fp_entry *e = way(fp, h, i);
		uint32_t s = uvs_load_acquire(&e->seq);

		if (memcmp(&e->key, k, sizeof(*k)) || !claim(e, s))
			continue;
		/* Another writer may have put another key there since the compare. */
		if (!memcmp(&e->key, k, sizeof(*k)))
			return e;
		publish(e);
	}
	return NULL;
}

/* A free entry for k, claimed, or NULL. */
static struct uvs_fp_entry *claim_free(const struct uvs_fastpath *fp, uint32_t h)
{
	for (unsigned i = 0; i < UVS_FP_WAYS; i++) {
		struct uvs_fp_entry *e = way(fp, h, i);
		uint32_t s = uvs_load_acquire(&e->seq);

		if (uvs_load_relaxed(&e->key.family) || !claim(e, s))
			continue;
		if (!e->key.family)
			return e;
		publish(e);
	}
	return NULL;
}

/* Counts pkts and bytes of d's connections in its stats (and its service's, the
 * director's). The caller is in an RCU read-side section: d stays allocated. */
static void count(struct uvs_engine *e, struct uvs_dest *d, bool in, uint64_t pkts, uint64_t bytes)
{
	struct uvs_service *svc;

	if (!pkts || !d)
		return;
	uvs_stats_fold(&d->stats, in, pkts, bytes);
	svc = uvs_dest_svc(d);
	if (svc)
		uvs_stats_fold(&svc->stats, in, pkts, bytes);
	uvs_stats_fold(&e->model->stats, in, pkts, bytes);
}

/* Takes the counts of fe, which the caller claimed or just read as stable. */
static void fold(struct uvs_engine *e, struct uvs_fp_entry *fe)
{
	struct uvs_dest *d = (struct uvs_dest *)(uintptr_t)fe->owner;
	bool in = fe->action != UVS_FP_NAT_OUT;
	uint64_t pkts = uvs_xchg_acquire(&fe->pkts, 0), bytes = uvs_xchg_acquire(&fe->bytes, 0);

	count(e, d, in, pkts, bytes);
}

/* Takes the entry of k out, with its counts. Returns the time of the last frame the
 * program forwarded with it (0 if none, or no entry). */
static uint64_t retire_key(struct uvs_engine *e, const struct uvs_fp_key *k)
{
	struct uvs_fastpath *fp = e->fastpath;
	struct uvs_fp_entry *fe = claim_key(fp, k, uvs_fp_hash(k, fp->head->seed));
	uint64_t last;

	if (!fe)
		return 0;
	fe->live = 0;
	/* Relaxed: the program's own store, made before it sent the frame. */
	last = uvs_load_relaxed(&fe->last_ns);
	fold(e, fe);
	memset(&fe->key, 0, sizeof(fe->key));
	fe->owner = 0;
	publish(fe);
	uvs_add_relaxed(&fp->retired, 1);
	return last;
}

void uvs_fp_retire(struct uvs_engine *e, struct uvs_conn *c)
{
	uint8_t dirs = uvs_load_relaxed(&uvs_conn_side(c)->fp_dirs);
	struct uvs_fp_key k;

	if (!dirs || !e->fastpath)
		return;
	/* Relaxed: the bits only save the look-ups; an offer racing with this looks at
	 * the state again after it wrote (uvs_fp_offer). */
	uvs_and_relaxed(&uvs_conn_side(c)->fp_dirs, (uint8_t)~dirs);
	if (dirs & DIR_IN) {
		conn_key(c, false, &k);
		retire_key(e, &k);
	}
	if (dirs & DIR_OUT) {
		conn_key(c, true, &k);
		retire_key(e, &k);
	}
}

uvs_time_t uvs_fp_last_seen(struct uvs_engine *e, const struct uvs_conn *c)
{
	struct uvs_fastpath *fp = e->fastpath;
	uvs_time_t last = 0;

	if (!fp || !uvs_load_relaxed(&uvs_conn_side(c)->fp_dirs))
		return 0;
	for (int reply = 0; reply < 2; reply++) {
		struct uvs_fp_key k;
		uint32_t h;

		conn_key(c, reply, &k);
		h = uvs_fp_hash(&k, fp->head->seed);
		for (unsigned i = 0; i < UVS_FP_WAYS; i++) {
			struct uvs_fp_entry *fe = way(fp, h, i);
			/* Relaxed: a time the program stores on its own; a frame racing with
			 * expiry may be missed either way, as on the engine's path. */
			uvs_time_t t = uvs_load_relaxed(&fe->last_ns);

			if (!memcmp(&fe->key, &k, sizeof(k)) && t > last)
				last = t;
		}
	}
	return last ? last + fp->clock_offset_ns : 0;
}

uvs_time_t uvs_conn_expiry(struct uvs_engine *e, const struct uvs_conn *c)
{
	/* Relaxed: a listing's look, as a packet may refresh either meanwhile. */
	uvs_time_t expires = uvs_load_relaxed(&c->expires), seen = uvs_fp_last_seen(e, c);
	uvs_time_t fast = seen + (uvs_time_t)uvs_load_relaxed(&c->timeout) * UVS_NS_PER_SEC;

	return seen && fast > expires ? fast : expires;
}

/* Whether c may have its frames forwarded by the program: a plain NAT or
 * direct-routing connection with nothing that needs each packet (an application
 * helper, sequence adjustment, the SYN proxy, a sync master, a defence that counts
 * packets or changes the state tables), in TCP state tcp_state if TCP. */
static bool conn_fits(struct uvs_engine *e, const struct uvs_conn *c, bool reply, uint8_t tcp_state)
{
	uint16_t flags = uvs_conn_flags(c);
	uint16_t fwd = flags & UVS_CONN_F_FWD_MASK;

	if (flags & (UVS_CONN_F_APP | UVS_CONN_F_SYNPROXY | UVS_CONN_F_SEQ_MASK |
		     UVS_CONN_F_ONE_PACKET | UVS_CONN_F_TEMPLATE | UVS_CONN_F_NO_CPORT))
		return false;
	if (!(fwd == UVS_FWD_MASQ || (fwd == UVS_FWD_DROUTE && !reply)) || c->af != c->daf)
		return false;
	if (c->protocol == IPPROTO_TCP) {
		/* Relaxed: the state is judged on its own; the offer looks again after. */
		if (uvs_load_relaxed(&c->state) != tcp_state ||
		    uvs_load_relaxed(&e->defence.secure_tcp))
			return false;
	} else if (c->protocol != IPPROTO_UDP) {
		return false;
	}
	/* Relaxed: settings read on their own; a change bumps the epoch (uvsd). */
	return !rcu_dereference(e->sync_out) && !uvs_load_relaxed(&e->defence.count_pkts) &&
	       uvs_dest_available(c->dest);
}

/* Whether the frame is one the program parses the same way: Ethernet without a VLAN
 * tag, an IP header without options or extension headers, not reassembled here. */
static bool frame_fits(const struct uvs_worker *w, const struct uvs_frame *f,
		       const struct uvs_pkt *p, uint8_t c_protocol)
{
	uint32_t iphl = p->af == AF_INET6 ? 40 : 20;

	return f != w->dgram && p->protocol == c_protocol &&
	       p->l3_off == sizeof(struct ether_header) && p->l4_off == p->l3_off + iphl;
}

/* A sum folded to 16 bits, not complemented: what a checksum update adds. */
static uint16_t fold16(uint64_t sum)
{
	uint32_t s = uvs_csum_fold64(sum);

	s = (s & 0xffff) + (s >> 16);
	return (uint16_t)((s & 0xffff) + (s >> 16));
}

/* The rewrite of c's packets in one direction, taking TCP frames with tcp_flags, into
 * fe (all but seq, key and the program's fields). */
static void fill(struct uvs_fp_entry *fe, const struct uvs_conn *c, bool reply,
		 const struct uvs_route *rt, uint8_t tcp_flags)
{
	size_t alen = c->af == AF_INET6 ? 16 : 4;
	const union uvs_addr *old = reply ? &c->daddr : &c->vaddr,
			     *new = reply ? &c->vaddr : &c->daddr;
	uint16_t old_port = reply ? c->dport : c->vport, new_port = reply ? c->vport : c->dport;
	bool nat = (uvs_conn_flags(c) & UVS_CONN_F_FWD_MASK) == UVS_FWD_MASQ;
	uint64_t addr_diff = nat ? uvs_csum_diff(old, new, alen) : 0;

	memcpy(fe->eth_dst, rt->dst_mac, sizeof(fe->eth_dst));
	memcpy(fe->eth_src, rt->src_mac, sizeof(fe->eth_src));
	fe->ifindex = rt->ifindex;
	memcpy(fe->addr, new, sizeof(fe->addr));
	fe->port = new_port;
	fe->action = !nat ? UVS_FP_ROUTE : reply ? UVS_FP_NAT_OUT : UVS_FP_NAT_IN;
	fe->mtu = (uint16_t)(rt->mtu > 65535 ? 65535 : rt->mtu);
	fe->tcp_flags = c->protocol == IPPROTO_TCP ? tcp_flags : 0;
	fe->ip_diff = c->af == AF_INET ? fold16(addr_diff) : 0;
	fe->l4_diff = nat ? fold16(addr_diff + uvs_csum_diff16(old_port, new_port)) : 0;
	fe->owner = (uintptr_t)c->dest;
}

/* Writes the entry of c's packets in one direction (from its real server if reply), to
 * be sent on rt, under epoch; TCP frames with tcp_flags only. Returns whether it did
 * (false: its slots are taken). */
static bool put(struct uvs_worker *w, struct uvs_conn *c, bool reply, const struct uvs_route *rt,
		uint32_t epoch, uint8_t tcp_flags)
{
	struct uvs_fastpath *fp = w->engine->fastpath;
	struct uvs_fp_entry *fe;
	struct uvs_fp_key k;
	uint32_t h;

	conn_key(c, reply, &k);
	h = uvs_fp_hash(&k, fp->head->seed);
	fe = claim_key(fp, &k, h);
	if (!fe) {
		fe = claim_free(fp, h);
		if (!fe) {
			uvs_add_relaxed(&fp->full, 1);
			return false;
		}
		fe->key = k;
		/* Counts a frame added to the entry's last use after it was taken out. */
		uvs_xchg_acquire(&fe->pkts, 0);
		uvs_xchg_acquire(&fe->bytes, 0);
		fe->last_ns = (uint64_t)(w->now - fp->clock_offset_ns);
	}
	fill(fe, c, reply, rt, tcp_flags);
	/* A handshake's entry starts with no time: one then shows the program forwarded
	 * a SYN-ACK (uvs_fp_handshake_end). */
	if (tcp_flags == UVS_FP_TCP_SYN_ACK)
		fe->last_ns = 0;
	fe->until = (uint32_t)((uint64_t)(w->now - fp->clock_offset_ns) >> UVS_FP_UNTIL_SHIFT) +
		    UVS_FP_UNTIL_UNITS;
	fe->epoch = epoch;
	fe->live = 1;
	publish(fe);
	uvs_or_relaxed(&uvs_conn_side(c)->fp_dirs, reply ? DIR_OUT : DIR_IN);
	uvs_add_relaxed(&fp->offered, 1);
	return true;
}

/* After a NAT connection's SYN (c in SYN_RECV): its real server's SYN-ACK, which leaves
 * the state as it is, routed to the client as the engine routes a reply. The engine
 * sees the connection's next frame in either direction, and takes the entry out then
 * (uvs_fp_handshake_end). */
static void offer_handshake(struct uvs_worker *w, struct uvs_conn *c, uint32_t epoch)
{
	struct uvs_engine *e = w->engine;
	struct uvs_route back;

	if (!conn_fits(e, c, true, UVS_TCP_S_SYN_RECV) ||
	    uvs_load_relaxed(&uvs_conn_side(c)->fp_dirs) ||
	    e->route(e->route_arg, c->af, &c->caddr, &back) != 0 ||
	    !put(w, c, true, &back, epoch, UVS_FP_TCP_SYN_ACK))
		return;
	uvs_or_relaxed(&uvs_conn_side(c)->fp_dirs, DIR_HANDSHAKE);
	/* As in uvs_fp_offer: a frame on another worker may have moved c on meanwhile. */
	uvs_full_fence();
	if (!uvs_conn_hashed(c) || !conn_fits(e, c, true, UVS_TCP_S_SYN_RECV))
		uvs_fp_retire(e, c);
}

void uvs_fp_offer(struct uvs_worker *w, const struct uvs_frame *f, const struct uvs_pkt *p,
		  struct uvs_conn *c, const struct uvs_route *rt, bool reply)
{
	struct uvs_engine *e = w->engine;
	struct uvs_fastpath *fp = e->fastpath;
	struct uvs_route back;
	uint8_t flags = p->tcp_flags & UVS_FP_TCP_FOLLOWS;
	uint32_t epoch;

	if (!fp)
		return;
	/* First: a change made before a later epoch is seen by the checks below
	 * (uvs_fastpath_bump); one made after retires this entry. */
	epoch = uvs_load_acquire(&fp->head->epoch);
	if (!frame_fits(w, f, p, c->protocol))
		return;
	if (c->protocol == IPPROTO_TCP && flags != UVS_FP_TCP_ACK) {
		if (!reply && flags == TH_SYN)
			offer_handshake(w, c, epoch);
		return;
	}
	if (!conn_fits(e, c, reply, UVS_TCP_S_ESTABLISHED) ||
	    !put(w, c, reply, rt, epoch, UVS_FP_TCP_ACK))
		return;
	/* A NAT TCP connection's replies too, as soon as its client's side is offered: the
	 * reply that made it ESTABLISHED (the SYN-ACK) has been seen, by the engine or by
	 * the program (whose entry the engine took out with this frame), so the replies
	 * leave the state and its flags as they are, and the first of them need not wait
	 * for a worker. Routed to the client as the engine routes a reply. Not UDP, whose
	 * first reply the engine sees (it marks the connection as answered). */
	if (!reply && c->protocol == IPPROTO_TCP && conn_fits(e, c, true, UVS_TCP_S_ESTABLISHED) &&
	    !(uvs_load_relaxed(&uvs_conn_side(c)->fp_dirs) & DIR_OUT) &&
	    !(uvs_conn_flags(c) & UVS_CONN_F_NOOUTPUT) &&
	    e->route(e->route_arg, c->af, &c->caddr, &back) == 0)
		put(w, c, true, &back, epoch, UVS_FP_TCP_ACK);
	/* A packet on another worker may have moved c out of ESTABLISHED (or ended it)
	 * while this one wrote: that worker retires after its change, this one sees the
	 * change after its write (both sequentially consistent), so one of them takes
	 * the entry out. */
	uvs_full_fence();
	if (!uvs_conn_hashed(c) || !conn_fits(e, c, reply, UVS_TCP_S_ESTABLISHED))
		uvs_fp_retire(e, c);
}

void uvs_fp_handshake_end(struct uvs_engine *e, struct uvs_conn *c)
{
	struct uvs_fp_key k;

	/* Relaxed: as in uvs_fp_retire, the bits only save the look-up. */
	if (!e->fastpath || !(uvs_load_relaxed(&uvs_conn_side(c)->fp_dirs) & DIR_HANDSHAKE))
		return;
	uvs_and_relaxed(&uvs_conn_side(c)->fp_dirs, (uint8_t) ~(DIR_OUT | DIR_HANDSHAKE));
	conn_key(c, true, &k);
	/* The entry started with no time (put): one means the program sent a SYN-ACK,
	 * which the frame being handled answers or follows. What the engine does when it
	 * sees a reply itself (conn_state.c): */
	if (retire_key(e, &k)) {
		uvs_conn_lock(c);
		uvs_and_relaxed(&c->flags, (uint16_t)~UVS_CONN_F_NOOUTPUT);
		uvs_conn_unlock(c);
	}
}

void uvs_fp_sweep(struct uvs_worker *w, uvs_time_t now)
{
	struct uvs_engine *e = w->engine;
	struct uvs_fastpath *fp = e->fastpath;
	uint32_t words, share, end;

	if (!fp || now < w->fp_sweep)
		return;
	w->fp_sweep = now + SWEEP_NS;
	/* Each worker its share of the dirty bits' words: only entries with counts are
	 * read, so an idle table costs a pass over n / 64 words. */
	words = (fp->head->mask + 64) / 64;
	share = (words + e->nworkers - 1) / e->nworkers;
	end = (w->id + 1) * share < words ? (w->id + 1) * share : words;
	rcu_read_lock();
	for (uint32_t i = w->id * share; i < end; i++) {
		/* Relaxed: a first look; the exchange takes the bits the program set. */
		uint64_t bits =
			uvs_load_relaxed(&fp->dirty[i]) ? uvs_xchg_acquire(&fp->dirty[i], 0) : 0;

		while (bits) {
			struct uvs_fp_entry *fe =
				&fp->entries[i * 64 + (uint32_t)__builtin_ctzll(bits)];
			uint32_t s = uvs_load_acquire(&fe->seq);

			bits &= bits - 1;
			/* Without claiming the entry, which would send its flow's frames to
			 * uvsd meanwhile: a sweep racing with the entry's replacement may
			 * count a frame or two to the real server of the connection it held
			 * before. */
			if (!(s & 1) && fe->key.family)
				fold(e, fe);
		}
	}
	rcu_read_unlock();
}
