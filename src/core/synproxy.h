/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The SYN proxy (uvsd --syn-proxy; beyond the kernel's IPVS): uvs answers a client's
 * SYN to a TCP service itself, with a SYN cookie, and makes no entry. Only a client
 * whose ACK carries a valid cookie gets a connection and a real server: the director
 * then sends the real server a SYN with the client's own initial sequence number,
 * answers its SYN-ACK with the ACK, and from then on adds the difference between the
 * two servers' initial numbers (the cookie's and the real server's) to the real
 * server's sequence numbers and takes it from the client's acknowledgements, for the
 * life of the connection. NAT only: by direct routing or a tunnel the real server's
 * packets never pass the director, so its numbers cannot be translated; such a
 * connection is reset.
 *
 * Both handshakes carry only the MSS option: no window scaling, SACK or timestamps,
 * which the director would have to agree on with both ends at once (decisions.md).
 *
 * The cookie: the initial sequence number the director answers with is
 * MAC(24 bits) << 8 | (minute & 63) << 2 | MSS index, the MAC a SipHash-2-4 of the
 * flow, the client's initial number, the minute (64 s) and the MSS index under a
 * random key. An ACK is accepted in the minute of its cookie and the next.
 *
 * A connection in the proxy's hands keeps its cookie, then the offset, in n_control
 * (which only templates use otherwise): conn.h, UVS_CONN_F_SYNPROXY.
 */
#ifndef UVS_CORE_SYNPROXY_H
#define UVS_CORE_SYNPROXY_H

#include <stdbool.h>
#include <stdint.h>

#include "core/model-t.h"
#include "pkt/parse.h"
#include "sched/siphash.h"

#define UVS_SYNPROXY_PERIOD_S 64 /* a cookie's minute */
#define UVS_SYNPROXY_WINDOW   65535

/* The MSS a cookie can say (index 0..3), the largest not above the client's. */
extern const uint16_t uvs_synproxy_mss[4];

/* The cookie for a client's SYN p (to the VIP) with initial number isn, at minute
 * count, for the largest MSS not above mss. */
uint32_t uvs_synproxy_cookie(const struct uvs_siphash_key *key, const struct uvs_pkt *p,
			     uint32_t isn, uint32_t count, uint16_t mss);

/* Whether cookie is one the director gave client packet p's flow for initial number
 * isn at minute now_count or the one before; *mss is its MSS then. */
bool uvs_synproxy_cookie_ok(const struct uvs_siphash_key *key, const struct uvs_pkt *p,
			    uint32_t isn, uint32_t cookie, uint32_t now_count, uint16_t *mss);

/* A key for cookies: random (getrandom), or from the clock if that fails. */
void uvs_synproxy_key_init(struct uvs_siphash_key *key);

struct uvs_worker;
struct uvs_frame;
struct uvs_service;
struct uvs_conn;

struct uvs_engine;
/* Whether the SYN proxy takes a new connection to port vport (network order): every
 * TCP service's but the FTP helper's ports, whose sequence numbers the helper adjusts
 * (core/ftp.h). */
bool uvs_synproxy_serves(const struct uvs_engine *e, uint16_t vport);

/* The frame path's entries (engine.c); callers are inside an RCU read-side section.
 * A TCP segment to svc without a connection: a SYN is answered with a cookie, an ACK
 * with a valid cookie makes the connection, the rest is the kernel's or dropped. */
void uvs_synproxy_new(struct uvs_worker *w, struct uvs_frame *f, struct uvs_pkt *p,
		      struct uvs_service *svc, uvs_time_t now);
/* A client's segment of proxied connection c: returns true if it goes on to the real
 * server (its acknowledgement translated), false if it was handled here. */
bool uvs_synproxy_client(struct uvs_worker *w, struct uvs_frame *f, struct uvs_pkt *p,
			 struct uvs_conn *c, uvs_time_t now);
/* The real server's segment of proxied connection c, on to the client or answered. */
void uvs_synproxy_reply(struct uvs_worker *w, struct uvs_frame *f, struct uvs_pkt *p,
			struct uvs_conn *c, uvs_time_t now);

#endif
