/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What engine.c, conn_state.c and schedule.c share. The frame path runs down once:
 * engine.c asks schedule.c for a decision and acts on it; neither conn_state.c nor
 * schedule.c touches a frame. Callers are inside an RCU read-side section.
 */
#ifndef UVS_ENGINE_INTERNAL_H
#define UVS_ENGINE_INTERNAL_H

#include "engine.h"

/* A packet of c was seen (output: from the real server): TCP state, timer. */
void uvs_conn_seen(struct uvs_engine *e, struct uvs_conn *c, const struct uvs_pkt *p, bool output,
		   uvs_time_t now);

/* Unhashes c and releases its destination and template. Returns false if it was
 * already gone. */
bool uvs_conn_end(struct uvs_engine *e, struct uvs_conn *c);

/*
 * A scheduling packet p of svc that has no connection: picks a destination (through
 * a persistence template if svc is persistent) and returns the connection p goes by,
 * counted in the destination's, the service's and the model's stats:
 * - a new connection, hashed, in its first state (the caller then follows p on it);
 * - or, for a one-packet UDP service, *once filled in as a connection that is never
 *   hashed; the caller releases it with uvs_schedule_once_done() after forwarding.
 * Returns NULL when refused, with *refused set: UVS_R_NO_DEST (no destination
 * available: IPVS answers port unreachable), UVS_R_CONN_LIMIT or UVS_R_NO_MEMORY.
 */
struct uvs_conn *uvs_schedule(struct uvs_worker *w, const struct uvs_pkt *p,
			      struct uvs_service *svc, uvs_time_t now, struct uvs_conn *once,
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

#endif
