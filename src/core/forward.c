// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The way out of every frame the engine forwards: verdicts and counters, the ICMP
 * errors the engine answers with, the common tail (TTL, path MTU, fragmentation,
 * link addresses), and the two directions of a connection: a client's packet to its
 * real server (forward_in) and a NAT reply back (reply). engine.c decides which.
 */
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <string.h>

#include "engine-internal.h"

/* ICMP errors a worker may send: 1000 a second, in bursts of up to UVS_ICMP_BURST, as
 * the kernel's icmp_msgs_per_sec and icmp_msgs_burst. */
#define ICMP_TOKEN_NS (UVS_NS_PER_SEC / 1000)

/* Appends a copy of f, to be sent, to w's own frames. Returns false without room. */
static bool out_push(struct uvs_worker *w, const struct uvs_frame *f)
{
	struct uvs_frame *o = &w->out[w->nout];

	if (w->nout == UVS_OUT_FRAMES || f->len > UVS_OUT_BYTES - w->out_used)
		return false;
	*o = *f;
	o->data = w->out_buf + w->out_used;
	o->headroom = o->tailroom = 0;
	memcpy(o->data, f->data, f->len);
	w->out_used += f->len;
	w->nout++;
	return true;
}

void uvs_verdict_dgram(struct uvs_worker *w, struct uvs_frame *f, enum uvs_reason r)
{
	if (out_push(w, f)) {
		uvs_verdict_set(w, f, UVS_VERDICT_TX, r);
		return;
	}
	uvs_verdict_set(w, f, UVS_VERDICT_DROP, UVS_R_NO_ROOM);
}

static inline void count_packet(struct uvs_stats *s, unsigned slot, uint32_t bytes, bool in)
{
	if (in)
		uvs_stats_in(s, slot, bytes);
	else
		uvs_stats_out(s, slot, bytes);
}

/* Counts a packet of d's connection (in: towards the real server) in the destination's,
 * its service's (if it still has one) and the model's stats. */
void uvs_stats_packet(struct uvs_worker *w, struct uvs_dest *d, uint32_t bytes, bool in)
{
	struct uvs_service *svc = uvs_dest_svc(d);

	/* Direct calls, not through a pointer: each add is two inline stores. */
	count_packet(&d->stats, w->id, bytes, in);
	if (svc)
		count_packet(&svc->stats, w->id, bytes, in);
	count_packet(&w->engine->model->stats, w->id, bytes, in);
}

static bool icmp_allowed(struct uvs_worker *w, uvs_time_t now)
{
	if (now > w->icmp_refilled) {
		uvs_time_t add = (now - w->icmp_refilled) / ICMP_TOKEN_NS;
		if (add >= UVS_ICMP_BURST - w->icmp_tokens) {
			w->icmp_tokens = UVS_ICMP_BURST;
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
		uvs_verdict(w, f, UVS_VERDICT_DROP, why);
		return;
	}
	if (!pmtu && !icmp_allowed(w, w->now)) {
		uvs_verdict(w, f, UVS_VERDICT_DROP, UVS_R_ICMP_RATELIMIT);
		return;
	}
	if (uvs_icmp_error(f, p, src, v6 ? type6 : type4, v6 ? code6 : code4, info) < 0) {
		uvs_verdict(w, f, UVS_VERDICT_DROP, UVS_R_NO_ROOM);
		return;
	}
	uvs_verdict(w, f, UVS_VERDICT_TX, why);
}

/* A frame to a virtual service is answered from the address it was sent to, as the
 * kernel answers for a local address. */
void uvs_answer_port_unreachable(struct uvs_worker *w, struct uvs_frame *f, struct uvs_pkt *p)
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
		uvs_verdict(w, f, UVS_VERDICT_DROP, UVS_R_NO_ROUTE);
		return false;
	}
	*src = back.src;
	return true;
}

/*
 * The common tail of every forwarded frame: TTL, path MTU (after any encapsulation of
 * overhead bytes), Ethernet addresses. Returns the IP size of the fragments the packet
 * goes on in, 0 if it goes whole (then the caller does its rewrite and calls
 * uvs_send_to() with it), or -1 with the verdict set.
 *
 * A packet too big for the path, as the kernel forwards one (ip_forward(),
 * ip_do_fragment(), ip6_fragment(), IPVS's ensure_mtu_is_adequate()): IPv4 without
 * DF is fragmented; with DF, and IPv6, it is answered with frag-needed or
 * packet-too-big. A datagram uvs reassembled is cut again to no more than its largest
 * fragment was (the kernel's frag_max_size), so the sender's choice of size holds;
 * IPv6 too, unless that fragment itself does not fit.
 *
 * prepare() is inlined into this file's forwarding paths, which run for every frame;
 * uvs_prepare() is the same for the other files.
 */
static inline __attribute__((always_inline)) int
prepare(struct uvs_worker *w, struct uvs_frame *f, struct uvs_pkt *p, int nh_af,
	const union uvs_addr *next_hop, uint32_t overhead, bool reply, struct uvs_route *rt)
{
	struct uvs_engine *e = w->engine;
	uint32_t max_frag;
	union uvs_addr src;

	if (e->route(e->route_arg, nh_af, next_hop, rt) < 0) {
		uvs_verdict(w, f, UVS_VERDICT_DROP, UVS_R_NO_ROUTE);
		return -1;
	}
	if (uvs_ttl_dec(p) < 0) {
		if (icmp_source(w, f, p, reply, &src))
			answer_icmp(w, f, p, &src, UVS_R_TTL_EXPIRED, ICMP_TIME_EXCEEDED,
				    ICMP6_TIME_EXCEEDED, ICMP_EXC_TTL, ICMP6_TIME_EXCEED_TRANSIT,
				    0);
		return -1;
	}
	if (p->l3_len + overhead <= rt->mtu && f != w->dgram)
		return 0;
	max_frag = f == w->dgram ? w->dgram_max_frag : 0;
	if (p->l3_len + overhead <= rt->mtu && p->l3_len <= max_frag)
		return 0;
	if (rt->mtu > overhead) {
		uint32_t room = rt->mtu - overhead;
		bool cut = p->af == AF_INET ? !uvs_pkt_df(p) || (max_frag && max_frag <= room)
					    : max_frag && max_frag <= room;

		if (cut)
			return (int)(max_frag && max_frag < room ? max_frag : room);
		if (icmp_source(w, f, p, reply, &src))
			answer_icmp(w, f, p, &src, UVS_R_TOO_BIG, ICMP_DEST_UNREACH,
				    ICMP6_PACKET_TOO_BIG, ICMP_FRAG_NEEDED, 0, room);
		return -1;
	}
	uvs_verdict(w, f, UVS_VERDICT_DROP, UVS_R_TOO_BIG);
	return -1;
}

int uvs_prepare(struct uvs_worker *w, struct uvs_frame *f, struct uvs_pkt *p, int nh_af,
		const union uvs_addr *next_hop, uint32_t overhead, bool reply, struct uvs_route *rt)
{
	return prepare(w, f, p, nh_af, next_hop, overhead, reply, rt);
}

/*
 * The packet of f (*p, whole and rewritten) in fragments of frag bytes among w's own
 * frames, each encapsulated for tun if not NULL, all sent on rt; f itself is not sent
 * (counted "fragmented"). IPv6 fragments take the identification the datagram had
 * when uvs reassembled it (only such IPv6 packets are cut).
 */
static void send_fragments(struct uvs_worker *w, struct uvs_frame *f, const struct uvs_pkt *p,
			   const struct uvs_route *rt, uint32_t frag, const struct uvs_tun *tun,
			   int tun_af, const union uvs_addr *tun_dst)
{
	struct uvs_frame *out = &w->out[w->nout];
	uint32_t id = f == w->dgram ? w->dgram_id : 0;
	int n = uvs_ip_fragment(p, frag, id, w->out_buf + w->out_used, UVS_OUT_BYTES - w->out_used,
				UVS_FRAME_HEADROOM, out, UVS_OUT_FRAMES - w->nout);

	if (n < 0) {
		uvs_verdict(w, f, UVS_VERDICT_DROP, UVS_R_NO_ROOM);
		return;
	}
	for (int k = 0; k < n; k++) {
		/* The fragment as the datagram's packet, in its own frame: what the tunnel
		 * and the link header read (addresses, TTL, TOS, DF, length; the datagram's
		 * ports give a gue source port and flow label per flow). */
		struct uvs_pkt fp = *p;

		fp.frame = out[k].data;
		fp.frame_len = out[k].len;
		fp.l3_len = out[k].len - p->l3_off;
		if (tun) {
			if (uvs_tun_encap(&out[k], &fp, tun_af, &rt->src, tun_dst, tun) < 0) {
				uvs_verdict(w, f, UVS_VERDICT_DROP, UVS_R_NO_ROOM);
				return;
			}
		}
		uvs_eth_set(&fp, rt);
		out[k].ifindex = rt->ifindex;
		out[k].verdict = UVS_VERDICT_TX;
		out[k].reason = UVS_R_PKT_OK;
	}
	w->nout += (unsigned)n;
	w->out_used += (size_t)n * (UVS_FRAME_HEADROOM + p->l3_off + frag);
	uvs_stats_add_(&w->tx, (uint64_t)n);
	uvs_verdict(w, f, UVS_VERDICT_DROP, UVS_R_FRAGMENTED);
}

/*
 * Sends the packet of f (*p, rewritten) on route rt: whole, or in fragments of frag
 * bytes (uvs_prepare()), each then encapsulated for tun if not NULL (to tun_dst from
 * the route's source, in family tun_af).
 */
static void send_path(struct uvs_worker *w, struct uvs_frame *f, struct uvs_pkt *p,
		      const struct uvs_route *rt, uint32_t frag, const struct uvs_tun *tun,
		      int tun_af, const union uvs_addr *tun_dst)
{
	if (frag) {
		send_fragments(w, f, p, rt, frag, tun, tun_af, tun_dst);
		return;
	}
	if (tun && uvs_tun_encap(f, p, tun_af, &rt->src, tun_dst, tun) < 0) {
		uvs_verdict(w, f, UVS_VERDICT_DROP, UVS_R_NO_ROOM);
		return;
	}
	uvs_eth_set(p, rt);
	f->ifindex = rt->ifindex;
	uvs_verdict(w, f, UVS_VERDICT_TX, UVS_R_PKT_OK);
}

void uvs_send_to(struct uvs_worker *w, struct uvs_frame *f, struct uvs_pkt *p,
		 const struct uvs_route *rt, uint32_t frag)
{
	send_path(w, f, p, rt, frag, NULL, 0, NULL);
}

/*
 * A packet of a Local connection (the real server is the director itself) goes to the
 * director's own stack as it came: the IP packet only, its TTL as it was, as the
 * kernel's IPVS delivers it. The stack takes it only for one of the director's
 * addresses (the VIP is one where keepalived puts it on a link); to another it would
 * route the packet on, back to the wire. A datagram the engine reassembled goes, whole,
 * among w's own frames.
 */
static void deliver_local(struct uvs_worker *w, struct uvs_frame *f, const struct uvs_pkt *p)
{
	uint32_t padding = f->len - p->l3_off - p->l3_len;

	if (!uvs_host_set_has(rcu_dereference(w->engine->host_addrs), p->af, &p->daddr)) {
		uvs_verdict(w, f, UVS_VERDICT_DROP, UVS_R_LOCAL_NOT_HOST);
		return;
	}
	f->data += p->l3_off;
	f->headroom += p->l3_off;
	f->len = p->l3_len;
	f->tailroom += padding;
	if (f == w->dgram) {
		if (!out_push(w, f)) {
			uvs_verdict_set(w, f, UVS_VERDICT_DROP, UVS_R_NO_ROOM);
			return;
		}
		w->out[w->nout - 1].verdict = UVS_VERDICT_LOCAL;
	}
	uvs_verdict_set(w, f, UVS_VERDICT_LOCAL, UVS_R_LOCAL);
}

/* Sends a client's packet of connection c on to its real server. */
void uvs_forward_in(struct uvs_worker *w, struct uvs_frame *f, struct uvs_pkt *p,
		    struct uvs_conn *c)
{
	uint32_t flags = uvs_conn_flags(c), fwd = flags & UVS_CONN_F_FWD_MASK;
	struct uvs_dest *d = c->dest;
	uint32_t bytes = p->l3_len;
	struct uvs_route rt;
	struct uvs_tun tun;
	uint32_t overhead = 0;
	int frag;

	/* IPVS counts a packet in before transmitting it: one then dropped, or answered
	 * with time exceeded or frag-needed, counts too. */
	uvs_stats_packet(w, d, bytes, true);
	if (fwd == UVS_FWD_LOCAL) {
		deliver_local(w, f, p);
		return;
	}
	if (fwd == UVS_FWD_MASQ && !uvs_frame_l4_csum_ok(f, p)) {
		uvs_verdict(w, f, UVS_VERDICT_DROP, UVS_R_L4_BAD_CSUM);
		return;
	}
	if (fwd == UVS_FWD_TUNNEL) {
		uvs_dest_tun(d, &tun.type, &tun.port, &tun.flags);
		overhead = uvs_tun_overhead(c->daf, &tun);
	}
	uvs_trim(f, p);
	frag = prepare(w, f, p, c->daf, &c->daddr, overhead, false, &rt);
	if (frag < 0)
		return;
	if (fwd == UVS_FWD_MASQ) {
		if (__builtin_expect(flags & UVS_CONN_F_APP, 0)) {
			enum uvs_reason r = uvs_ftp_in(w, p, c, w->now);
			if (r != UVS_R_PKT_OK) {
				uvs_verdict(w, f, UVS_VERDICT_DROP, r);
				return;
			}
		}
		uvs_nat_in(p, &c->daddr, c->dport);
	}
	/* Direct routing: only the link addresses change. */
	send_path(w, f, p, &rt, (uint32_t)frag, fwd == UVS_FWD_TUNNEL ? &tun : NULL, c->daf,
		  &c->daddr);
	if (__builtin_expect(w->engine->fastpath != NULL, 0) && !frag)
		uvs_fp_offer(w, f, p, c, &rt, false);
}

/* A packet from the real server's side on its way to client: trimmed, routed and its
 * checksum checked, or dropped (false) with the reason counted. */
int uvs_prepare_to_client(struct uvs_worker *w, struct uvs_frame *f, struct uvs_pkt *p, int af,
			  const union uvs_addr *client, struct uvs_route *rt)
{
	int frag;

	uvs_trim(f, p);
	frag = prepare(w, f, p, af, client, 0, true, rt);
	if (frag < 0)
		return -1;
	if (!uvs_frame_l4_csum_ok(f, p)) {
		uvs_verdict(w, f, UVS_VERDICT_DROP, UVS_R_L4_BAD_CSUM);
		return -1;
	}
	return frag;
}

/*
 * A real server's reply on NAT connection c, back to the client from the VIP. A reply
 * that is dropped changes neither the connection nor its counters: in the kernel the
 * router drops it (TTL, MTU) before IPVS sees it, and IPVS drops a bad checksum before
 * it counts the packet and follows the state.
 */
void uvs_reply(struct uvs_worker *w, struct uvs_frame *f, struct uvs_pkt *p, struct uvs_conn *c,
	       uvs_time_t now)
{
	uint32_t bytes = p->l3_len;
	struct uvs_route rt;
	int frag = uvs_prepare_to_client(w, f, p, c->af, &c->caddr, &rt);

	if (frag < 0)
		return;
	if (__builtin_expect(uvs_conn_flags(c) & UVS_CONN_F_APP, 0)) {
		/* The FTP helper may lengthen it: within the path, unless it is cut anyway. */
		enum uvs_reason r = uvs_ftp_out(w, f, p, c, frag ? 65535 : rt.mtu, now);
		if (r != UVS_R_PKT_OK) {
			uvs_verdict(w, f, UVS_VERDICT_DROP, r);
			return;
		}
		bytes = p->l3_len;
	}
	uvs_conn_seen(w->engine, c, p, true, now);
	uvs_nat_out(p, &c->vaddr, c->vport);
	uvs_stats_packet(w, c->dest, bytes, false);
	uvs_send_to(w, f, p, &rt, (uint32_t)frag);
	if (__builtin_expect(w->engine->fastpath != NULL, 0) && !frag)
		uvs_fp_offer(w, f, p, c, &rt, true);
}
