/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What engine.c, forward.c, conn_state.c and schedule.c share. The frame path runs
 * down once: engine.c asks schedule.c for a decision and acts on it, forward.c sends
 * the frame its way; neither conn_state.c nor schedule.c touches a frame. Callers are inside an RCU
 * read-side section.
 */
#ifndef UVS_ENGINE_INTERNAL_H
#define UVS_ENGINE_INTERNAL_H

#include "core/ftp.h"
#include "engine.h"

/* ICMP errors a worker may send at once (the kernel's icmp_msgs_burst). */
#define UVS_ICMP_BURST 50

/* The largest frame of a reassembled datagram: the largest IP packet behind an
 * Ethernet header and two VLAN tags. */
#define UVS_DGRAM_MAX (65535 + 22)

/* ---- forward.c: verdicts and the way out ---- */

/* Counts r once on w. */
static inline void uvs_count(struct uvs_worker *w, enum uvs_reason r)
{
	uvs_stats_add_(&w->counters[r], 1);
}

/* Sets f's verdict and reason and counts them: TX as a frame sent (and its reason if
 * not PKT_OK), the others by their reason. */
static inline void uvs_verdict_set(struct uvs_worker *w, struct uvs_frame *f, enum uvs_verdict v,
				   enum uvs_reason r)
{
	f->verdict = (uint8_t)v;
	f->reason = (uint8_t)r;
	if (v == UVS_VERDICT_TX) {
		uvs_stats_add_(&w->tx, 1);
		if (r != UVS_R_PKT_OK)
			uvs_count(w, r);
	} else {
		uvs_count(w, r);
	}
}

/* A reassembled datagram (w->dgram) to be sent whole: a copy among w's own frames, or
 * dropped as no_room. */
void uvs_verdict_dgram(struct uvs_worker *w, struct uvs_frame *f, enum uvs_reason r);

/* Sets f's verdict and reason and counts it. */
static inline void uvs_verdict(struct uvs_worker *w, struct uvs_frame *f, enum uvs_verdict v,
			       enum uvs_reason r)
{
	if (v == UVS_VERDICT_TX && f == w->dgram)
		uvs_verdict_dgram(w, f, r);
	else
		uvs_verdict_set(w, f, v, r);
}
/* Counts a packet of destination d's connection in its, its service's and the model's
 * stats (in: towards the real server). */
void uvs_stats_packet(struct uvs_worker *w, struct uvs_dest *d, uint32_t bytes, bool in);
/* Answers f's sender with port unreachable from the address f was sent to. */
void uvs_answer_port_unreachable(struct uvs_worker *w, struct uvs_frame *f, struct uvs_pkt *p);
/* Routes f's packet to next_hop, steps its TTL and checks the path MTU for overhead
 * more bytes: returns 0 if it may go on whole, the fragment size it goes in, or -1
 * with the verdict set (forward.c says how). */
int uvs_prepare(struct uvs_worker *w, struct uvs_frame *f, struct uvs_pkt *p, int nh_af,
		const union uvs_addr *next_hop, uint32_t overhead, bool reply,
		struct uvs_route *rt);
/* The XDP fast path (fastpath.c; all do nothing without one). uvs_fp_offer: after the
 * engine sent f, whole, on rt as a packet of c (from its real server if reply), the
 * flow's next frames may go by the fast path. uvs_fp_retire: they no longer may (c
 * left ESTABLISHED or ended); its counts are taken. uvs_fp_last_seen: the time of
 * c's last frame the fast path forwarded, 0 if none. uvs_fp_handshake_end: before the
 * engine follows c's state for a frame: takes out the entry of c's SYN-ACK, if it
 * offered one, and marks c answered if the program sent one. uvs_fp_sweep: takes the
 * counts of w's share of the table, once a second. Inside an RCU read-side section. */
void uvs_fp_offer(struct uvs_worker *w, const struct uvs_frame *f, const struct uvs_pkt *p,
		  struct uvs_conn *c, const struct uvs_route *rt, bool reply);
void uvs_fp_retire(struct uvs_engine *e, struct uvs_conn *c);
uvs_time_t uvs_fp_last_seen(struct uvs_engine *e, const struct uvs_conn *c);
void uvs_fp_handshake_end(struct uvs_engine *e, struct uvs_conn *c);
void uvs_fp_sweep(struct uvs_worker *w, uvs_time_t now);

/* uvs_prepare() toward a client, from the real server's side, and the L4 checksum. */
int uvs_prepare_to_client(struct uvs_worker *w, struct uvs_frame *f, struct uvs_pkt *p, int af,
			  const union uvs_addr *client, struct uvs_route *rt);
/* Sends f's rewritten packet on rt, whole or in fragments of frag bytes. */
void uvs_send_to(struct uvs_worker *w, struct uvs_frame *f, struct uvs_pkt *p,
		 const struct uvs_route *rt, uint32_t frag);
/* A client's packet of connection c, on to its real server by c's method. */
void uvs_forward_in(struct uvs_worker *w, struct uvs_frame *f, struct uvs_pkt *p,
		    struct uvs_conn *c);
/* A real server's reply on NAT connection c, back to the client from the VIP. */
void uvs_reply(struct uvs_worker *w, struct uvs_frame *f, struct uvs_pkt *p, struct uvs_conn *c,
	       uvs_time_t now);

/* Frames may carry Ethernet padding; what goes out is the IP packet only. */
static inline void uvs_trim(struct uvs_frame *f, const struct uvs_pkt *p)
{
	f->len = p->l3_off + p->l3_len;
}

/* Whether p, f's own packet, has a right TCP, UDP or SCTP checksum (or another
 * protocol's): known so from f's backend, or summed here. */
static inline bool uvs_frame_l4_csum_ok(const struct uvs_frame *f, const struct uvs_pkt *p)
{
	if ((f->rx_flags & UVS_FRAME_RX_L4_CSUM_GOOD) &&
	    (p->protocol == IPPROTO_TCP || p->protocol == IPPROTO_UDP ||
	     p->protocol == IPPROTO_SCTP))
		return true;
	return uvs_pkt_l4_csum_ok(p);
}

/* Whether d still belongs to a service. */
static inline bool uvs_dest_available(const struct uvs_dest *d)
{
	return uvs_dest_svc(d) != NULL;
}

/* ---- conn_state.c, schedule.c ---- */

/* A packet of c was seen (output: from the real server): TCP state, timer. */
void uvs_conn_seen(struct uvs_engine *e, struct uvs_conn *c, const struct uvs_pkt *p, bool output,
		   uvs_time_t now);

/* Sets c's timer to its timeout from now, moving it on its owner's wheel if that
 * brings its expiry forward. Any thread inside an RCU read-side section, without c's
 * lock. */
void uvs_conn_refresh(struct uvs_engine *e, struct uvs_conn *c, uvs_time_t now);

/* Puts c in LISTEN with that state's timeout from now, as the kernel's
 * ip_vs_tcp_conn_listen() does for a connection an application helper expects (its
 * ActiveConn/InActConn count stays as it is until its next state). */
void uvs_conn_listen(struct uvs_engine *e, struct uvs_conn *c, uvs_time_t now);

/* Unhashes c and releases its destination and template (or control connection) and
 * its helper's state. Returns false if it was already gone. */
bool uvs_conn_end(struct uvs_engine *e, struct uvs_conn *c);

/*
 * A connection like *k: its key (af, protocol, caddr, cport, vaddr, vport, daddr,
 * dport), dest, control, flags (the forwarding method is added from dest), state and
 * timeout; the rest of *k is not read. Owned by w, on its timer from now, with the FTP
 * helper if it serves it, hashed, controlling n_control connections from the moment
 * another worker can find it (a template made for its first connection: 1). The
 * caller has reserved room (uvs_conn_reserve), bound dest and counted itself in
 * control's n_control. Returns NULL without memory.
 */
struct uvs_conn *uvs_conn_create(struct uvs_worker *w, const struct uvs_conn *k, uint32_t n_control,
				 uvs_time_t now);

/*
 * A scheduling packet p of svc that has no connection: picks a destination (through
 * a persistence template if svc is persistent) and returns the connection p goes by,
 * counted in the destination's, the service's and the model's stats:
 * - a new connection, hashed, in its first state (the caller then follows p on it);
 * - or, for a one-packet UDP service, w->once filled in as a connection that is never
 *   hashed (UVS_CONN_F_ONE_PACKET); the caller releases it with
 *   uvs_schedule_once_done() after forwarding.
 * Returns NULL when refused, with *refused set: UVS_R_NO_DEST (no destination
 * available: IPVS answers port unreachable), UVS_R_CONN_LIMIT or UVS_R_NO_MEMORY.
 * bucket: p's client's chain, uvs_conn_bucket() of p's source (stage() has it).
 */
struct uvs_conn *uvs_schedule(struct uvs_worker *w, const struct uvs_pkt *p,
			      struct uvs_service *svc, uvs_time_t now, uint32_t bucket,
			      enum uvs_reason *refused);
/* Releases what a one-packet connection from uvs_schedule() holds. */
void uvs_schedule_once_done(struct uvs_conn *once);

/* The forwarding method a new connection to d takes: Local if d is the director itself
 * (uvs_engine_addr_is_local), else d's. */
uint16_t uvs_conn_fwd(struct uvs_engine *e, const struct uvs_dest *d);

/* Whether p's source is martian (martian.h), for a new connection to svc (NULL: not a
 * new connection, e.g. an ICMP error). Returns UVS_R_PKT_OK or the martian reason. */
enum uvs_reason uvs_martian_source(struct uvs_engine *e, const struct uvs_pkt *p,
				   struct uvs_service *svc);

/* ---- ftp.c: the FTP helper (core/ftp.h) ---- */

/* Whether the helper serves c, being made: TCP by NAT (not Local) to one of the
 * engine's FTP ports, not a template. */
bool uvs_ftp_serves(const struct uvs_engine *e, const struct uvs_conn *c);

/* Gives c, not hashed yet, the helper's state and UVS_CONN_F_APP; without memory c
 * goes without (counted ftp_no_memory). */
void uvs_ftp_bind(struct uvs_worker *w, struct uvs_conn *c);

/* Frees c's helper state after a grace period; c was just unhashed (by the caller). */
void uvs_ftp_unbind(struct uvs_conn *c);

/*
 * A client's segment on control connection c (UVS_CONN_F_APP), on its way to the real
 * server by NAT, checked, routed, not rewritten yet: its sequence numbers adjusted,
 * PASV/EPSV noted, a data connection made for PORT/EPRT. Returns UVS_R_PKT_OK, or the
 * reason to drop it (ftp_no_conn).
 */
enum uvs_reason uvs_ftp_in(struct uvs_worker *w, struct uvs_pkt *p, struct uvs_conn *c,
			   uvs_time_t now);

/*
 * A real server's segment on control connection c, on its way back to the client by
 * NAT, checked and routed, before c's state follows it: its sequence numbers adjusted,
 * and a 227/229 reply after PASV/EPSV rewritten (the IP packet at most max_len bytes)
 * with its data connection made. Returns UVS_R_PKT_OK, or the reason to drop it
 * (ftp_no_conn, ftp_no_room).
 */
enum uvs_reason uvs_ftp_out(struct uvs_worker *w, struct uvs_frame *f, struct uvs_pkt *p,
			    struct uvs_conn *c, uint32_t max_len, uvs_time_t now);

/*
 * A client's packet that matched no connection: the passive data connection made for
 * it (the kernel's lookup with client port 0, then ip_vs_conn_fill_cport()), now with
 * p's client port, or NULL. Caller inside an RCU read-side section.
 */
struct uvs_conn *uvs_ftp_data_conn_fill(struct uvs_worker *w, const struct uvs_pkt *p,
					uvs_time_t now);

/* The same, inline for the common case: no connection of p's family waits for its
 * client port, which costs one load. */
static inline struct uvs_conn *uvs_ftp_data_conn(struct uvs_worker *w, const struct uvs_pkt *p,
						 uvs_time_t now)
{
	/* Relaxed: a count read racily; one just made is found by the client's resend. */
	if (!uvs_load_relaxed(&w->engine->conns.no_cport[uvs_af_index(p->af)]))
		return NULL;
	return uvs_ftp_data_conn_fill(w, p, now);
}

#endif
