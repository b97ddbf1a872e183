// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The SYN proxy (synproxy.h): cookies, the two handshakes and the translation of the
 * real server's sequence numbers. The segments are written by xmit/tcp_craft.c.
 */
#include "synproxy.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "base/atomic.h"
#include "engine-internal.h"
#include "pkt/wire.h"
#include "xmit/tcp_craft.h"

const uint16_t uvs_synproxy_mss[4] = { 536, 1220, 1440, 1460 };

/* What a cookie's MAC covers. */
struct cookie_input {
	union uvs_addr saddr, daddr;
	uint16_t sport, dport;
	uint32_t isn, count;
	uint8_t af, mss_index, zero_[2];
};

static uint32_t cookie_of(const struct uvs_siphash_key *key, const struct uvs_pkt *p, uint32_t isn,
			  uint32_t count, unsigned mss_index)
{
	struct cookie_input in;
	uint32_t mac;

	memset(&in, 0, sizeof(in));
	in.saddr = p->saddr;
	in.daddr = p->daddr;
	in.sport = p->sport;
	in.dport = p->dport;
	in.isn = isn;
	in.count = count;
	in.af = p->af;
	in.mss_index = (uint8_t)mss_index;
	mac = (uint32_t)uvs_siphash24(key, &in, sizeof(in)) & 0xffffff;
	return mac << 8 | (count & 63) << 2 | mss_index;
}

uint32_t uvs_synproxy_cookie(const struct uvs_siphash_key *key, const struct uvs_pkt *p,
			     uint32_t isn, uint32_t count, uint16_t mss)
{
	unsigned i = 3;

	while (i > 0 && uvs_synproxy_mss[i] > mss)
		i--;
	return cookie_of(key, p, isn, count, i);
}

bool uvs_synproxy_cookie_ok(const struct uvs_siphash_key *key, const struct uvs_pkt *p,
			    uint32_t isn, uint32_t cookie, uint32_t now_count, uint16_t *mss)
{
	unsigned index = cookie & 3;

	for (uint32_t age = 0; age < 2; age++) {
		uint32_t count = now_count - age;
		if ((count & 63) == ((cookie >> 2) & 63) &&
		    cookie_of(key, p, isn, count, index) == cookie) {
			*mss = uvs_synproxy_mss[index];
			return true;
		}
	}
	return false;
}

void uvs_synproxy_key_init(struct uvs_siphash_key *key)
{
	struct timespec ts;

	if (getrandom(key, sizeof(*key), 0) == (ssize_t)sizeof(*key))
		return;
	/* Without the kernel's randomness: the clock and the key's address, which an
	 * outsider cannot read off a cookie. */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	key->k0 = (uint64_t)ts.tv_nsec * 0x9e3779b97f4a7c15ull ^ (uint64_t)(uintptr_t)key;
	key->k1 = (uint64_t)ts.tv_sec * 0xbf58476d1ce4e5b9ull ^ key->k0;
}

/* ---- the frame path ---- */

bool uvs_synproxy_serves(const struct uvs_engine *e, uint16_t vport)
{
	for (unsigned i = 0; i < e->nftp_ports; i++)
		if (e->ftp_ports[i] == vport)
			return false;
	return true;
}

static uint32_t seq_of(const struct uvs_pkt *p)
{
	return uvs_get32(p->frame + p->l4_off + offsetof(struct tcphdr, th_seq));
}

static uint32_t ack_of(const struct uvs_pkt *p)
{
	return uvs_get32(p->frame + p->l4_off + offsetof(struct tcphdr, th_ack));
}

static uint16_t window_of(const struct uvs_pkt *p)
{
	return uvs_get16(p->frame + p->l4_off + offsetof(struct tcphdr, th_win));
}

static uint32_t minute(uvs_time_t now)
{
	return (uint32_t)(now / UVS_NS_PER_SEC / UVS_SYNPROXY_PERIOD_S);
}

static const struct uvs_siphash_key *cookie_key(const struct uvs_worker *w)
{
	return &w->engine->defence.cookie_key;
}

/* Writes s over f and sends it toward next_hop (reply: toward a client). */
static void send_crafted(struct uvs_worker *w, struct uvs_frame *f, struct uvs_pkt *p,
			 const struct uvs_tcp_seg *s, int nh_af, const union uvs_addr *next_hop,
			 bool reply)
{
	struct uvs_route rt;
	int frag;

	if (uvs_tcp_craft(f, p, s) < 0) {
		uvs_verdict(w, f, UVS_VERDICT_DROP, UVS_R_NO_ROOM);
		return;
	}
	frag = uvs_prepare(w, f, p, nh_af, next_hop, 0, reply, &rt);
	if (frag >= 0)
		uvs_send_to(w, f, p, &rt, (uint32_t)frag);
}

/* Resets a client whose handshake the director completed but no real server takes:
 * from the VIP, at the sequence number it expects next. */
static void reset_client(struct uvs_worker *w, struct uvs_frame *f, struct uvs_pkt *p)
{
	union uvs_addr client = p->saddr, vip = p->daddr;
	struct uvs_tcp_seg s = {
		.src = &vip,
		.dst = &client,
		.sport = ntohs(p->dport),
		.dport = ntohs(p->sport),
		.seq = ack_of(p),
		.flags = TH_RST,
	};

	send_crafted(w, f, p, &s, p->af, &client, true);
}

/* Answers a client's SYN with the cookie's SYN-ACK. */
static void answer_syn(struct uvs_worker *w, struct uvs_frame *f, struct uvs_pkt *p, uvs_time_t now)
{
	union uvs_addr client = p->saddr, vip = p->daddr;
	uint16_t mss = uvs_tcp_mss(p);
	uint32_t isn = seq_of(p);
	uint32_t cookie = uvs_synproxy_cookie(cookie_key(w), p, isn, minute(now), mss ? mss : 536);
	struct uvs_tcp_seg s = {
		.src = &vip,
		.dst = &client,
		.sport = ntohs(p->dport),
		.dport = ntohs(p->sport),
		.seq = cookie,
		.ack = isn + 1,
		.flags = TH_SYN | TH_ACK,
		.window = UVS_SYNPROXY_WINDOW,
		.mss = uvs_synproxy_mss[cookie & 3],
	};

	send_crafted(w, f, p, &s, p->af, &client, true);
	if (f->verdict == UVS_VERDICT_TX)
		uvs_count(w, UVS_R_SYNPROXY_COOKIE);
}

/* The client's segment p of c (isn its initial number) becomes the SYN the real
 * server gets, on its way by NAT. */
static void send_syn(struct uvs_worker *w, struct uvs_frame *f, struct uvs_pkt *p,
		     struct uvs_conn *c, uint32_t isn, uint16_t mss, uvs_time_t now)
{
	union uvs_addr client = p->saddr, vip = p->daddr;
	struct uvs_tcp_seg s = {
		.src = &client,
		.dst = &vip,
		.sport = ntohs(p->sport),
		.dport = ntohs(p->dport),
		.seq = isn,
		.flags = TH_SYN,
		.window = window_of(p),
		.mss = mss,
	};

	if (uvs_tcp_craft(f, p, &s) < 0) {
		uvs_verdict(w, f, UVS_VERDICT_DROP, UVS_R_NO_ROOM);
		return;
	}
	uvs_conn_seen(w->engine, c, p, false, now);
	uvs_forward_in(w, f, p, c);
}

/* A client's ACK with a valid cookie: a connection, and the SYN to its real server. */
static void accept_ack(struct uvs_worker *w, struct uvs_frame *f, struct uvs_pkt *p,
		       struct uvs_service *svc, uint32_t isn, uint16_t mss, uvs_time_t now)
{
	struct uvs_engine *e = w->engine;
	enum uvs_reason refused;
	struct uvs_conn *c;

	/* drop_packet, as for any new connection (core/defence.h). */
	if (uvs_defence_todrop(uvs_load_relaxed(&e->defence.drop_rate), &w->drop_countdown)) {
		uvs_verdict(w, f, UVS_VERDICT_DROP, UVS_R_DEFENCE_DROP_PACKET);
		return;
	}
	c = uvs_schedule(w, p, svc, now,
			 uvs_conn_bucket(&e->conns, p->af, p->protocol, &p->saddr, p->sport),
			 &refused);
	if (!c) {
		if (refused == UVS_R_NO_DEST)
			reset_client(w, f, p);
		else
			uvs_verdict(w, f, UVS_VERDICT_DROP, refused);
		return;
	}
	if ((uvs_conn_flags(c) & UVS_CONN_F_FWD_MASK) != UVS_FWD_MASQ) {
		uvs_conn_end(e, c);
		uvs_count(w, UVS_R_SYNPROXY_NOT_NAT);
		reset_client(w, f, p);
		return;
	}
	/* The cookie until the real server answers. Release: another worker that sees
	 * the flag sees the cookie. (One that finds the entry before the flag is set
	 * forwards the client's segment as it is; the real server resets it, and the
	 * client sends it again.) */
	uvs_store_relaxed(&uvs_conn_side(c)->n_control, ack_of(p) - 1);
	uvs_or_release(&c->flags, UVS_CONN_F_SYNPROXY);
	send_syn(w, f, p, c, isn, mss, now);
}

void uvs_synproxy_new(struct uvs_worker *w, struct uvs_frame *f, struct uvs_pkt *p,
		      struct uvs_service *svc, uvs_time_t now)
{
	uint8_t flags = p->tcp_flags & (TH_SYN | TH_ACK | TH_RST);
	enum uvs_reason martian;
	uint16_t mss;

	if (flags != TH_SYN && flags != TH_ACK) {
		uvs_verdict(w, f, UVS_VERDICT_PASS, UVS_R_NO_CONN);
		return;
	}
	if (flags == TH_ACK && !uvs_synproxy_cookie_ok(cookie_key(w), p, seq_of(p) - 1,
						       ack_of(p) - 1, minute(now), &mss)) {
		uvs_verdict(w, f, UVS_VERDICT_DROP, UVS_R_SYNPROXY_BAD_COOKIE);
		return;
	}
	martian = uvs_martian_source(w->engine, p, svc);
	if (martian != UVS_R_PKT_OK) {
		uvs_verdict(w, f, UVS_VERDICT_DROP, martian);
		return;
	}
	/* Nothing is answered or made for a damaged segment. */
	if (!uvs_pkt_l4_csum_ok(p)) {
		uvs_verdict(w, f, UVS_VERDICT_DROP, UVS_R_L4_BAD_CSUM);
		return;
	}
	if (flags == TH_SYN)
		answer_syn(w, f, p, now);
	else
		accept_ack(w, f, p, svc, seq_of(p) - 1, mss, now);
}

bool uvs_synproxy_client(struct uvs_worker *w, struct uvs_frame *f, struct uvs_pkt *p,
			 struct uvs_conn *c, uvs_time_t now)
{
	/* Acquire: pairs with the release that sets either flag after n_control. */
	uint16_t flags = uvs_load_acquire(&c->flags);
	uint32_t value = uvs_load_relaxed(&uvs_conn_side(c)->n_control);
	uint16_t mss;

	if (flags & UVS_CONN_F_SYNPROXY_SEQ) {
		if (p->tcp_flags & TH_ACK)
			uvs_tcp_seq_shift(p, true, -value);
		return true;
	}
	if (p->tcp_flags & TH_RST)
		return true; /* its number is the client's own, which the real server has */
	/* Before the real server answered: the client's first segment again (its ACK or
	 * its first data, sent again) sends the SYN again, in case it was lost. */
	if ((p->tcp_flags & (TH_SYN | TH_ACK)) == TH_ACK && ack_of(p) - 1 == value &&
	    uvs_synproxy_cookie_ok(cookie_key(w), p, seq_of(p) - 1, value, minute(now), &mss) &&
	    uvs_pkt_l4_csum_ok(p)) {
		send_syn(w, f, p, c, seq_of(p) - 1, mss, now);
		return false;
	}
	uvs_verdict(w, f, UVS_VERDICT_DROP, UVS_R_SYNPROXY_WAIT);
	return false;
}

/* The real server's SYN-ACK: the offset from it, then the ACK that completes its
 * handshake, from the client's address. */
static void answer_synack(struct uvs_worker *w, struct uvs_frame *f, struct uvs_pkt *p,
			  struct uvs_conn *c, uvs_time_t now)
{
	struct uvs_engine *e = w->engine;
	union uvs_addr rs = c->daddr, client = c->caddr;
	bool first = false;

	if (!uvs_pkt_l4_csum_ok(p)) {
		uvs_verdict(w, f, UVS_VERDICT_DROP, UVS_R_L4_BAD_CSUM);
		return;
	}
	/* Under c's lock: two copies of the SYN-ACK on two workers compute it once. */
	uvs_conn_lock(c);
	if (!(uvs_conn_flags(c) & UVS_CONN_F_SYNPROXY_SEQ)) {
		uint32_t *cookie = &uvs_conn_side(c)->n_control; /* then the offset */

		uvs_store_relaxed(cookie, uvs_load_relaxed(cookie) - seq_of(p));
		uvs_or_release(&c->flags, UVS_CONN_F_SYNPROXY_SEQ);
		first = true;
	}
	uvs_conn_unlock(c);
	if (first)
		uvs_conn_seen(e, c, p, true, now);
	struct uvs_tcp_seg s = {
		.src = &client,
		.dst = &rs,
		.sport = ntohs(c->cport),
		.dport = ntohs(c->dport),
		.seq = ack_of(p),
		.ack = seq_of(p) + 1,
		.flags = TH_ACK,
		.window = UVS_SYNPROXY_WINDOW,
	};
	send_crafted(w, f, p, &s, c->daf, &rs, false);
	if (f->verdict != UVS_VERDICT_TX)
		return;
	uvs_count(w, UVS_R_SYNPROXY_HANDSHAKE);
	if (first)
		uvs_conn_seen(e, c, p, false, now);
}

void uvs_synproxy_reply(struct uvs_worker *w, struct uvs_frame *f, struct uvs_pkt *p,
			struct uvs_conn *c, uvs_time_t now)
{
	/* Acquire: pairs with the release that sets either flag after n_control. */
	uint16_t flags = uvs_load_acquire(&c->flags);
	uint32_t value = uvs_load_relaxed(&uvs_conn_side(c)->n_control);

	if ((p->tcp_flags & (TH_SYN | TH_ACK | TH_RST)) == (TH_SYN | TH_ACK)) {
		answer_synack(w, f, p, c, now);
		return;
	}
	if (!(flags & UVS_CONN_F_SYNPROXY_SEQ)) {
		if (!(p->tcp_flags & TH_RST)) {
			uvs_verdict(w, f, UVS_VERDICT_DROP, UVS_R_SYNPROXY_WAIT);
			return;
		}
		/* The real server refused the SYN: the client gets a reset at the number
		 * it expects, the cookie's next. */
		value = value + 1 - seq_of(p);
	}
	uvs_tcp_seq_shift(p, false, value);
	uvs_reply(w, f, p, c, now);
}
