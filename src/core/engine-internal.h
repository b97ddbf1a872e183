/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What engine.c and schedule.c share. Callers are inside an RCU read-side section. */
#ifndef UVS_ENGINE_INTERNAL_H
#define UVS_ENGINE_INTERNAL_H

#include "engine.h"

/* Sets f's verdict and reason and counts it. */
void uvs_verdict(struct uvs_worker *w, struct uvs_frame *f, enum uvs_verdict v, enum uvs_reason r);

/* A packet of c was seen (output: from the real server): TCP state, timer. */
void uvs_conn_seen(struct uvs_engine *e, struct uvs_conn *c, const struct uvs_pkt *p, bool output,
		   uvs_time_t now);

/* Unhashes c and releases its destination and template. Returns false if it was
 * already gone. */
bool uvs_conn_end(struct uvs_engine *e, struct uvs_conn *c);

/* Sends a client's packet of connection c on to its real server, by c's method. */
void uvs_forward_in(struct uvs_worker *w, struct uvs_frame *f, struct uvs_pkt *p,
		    struct uvs_conn *c);

/* Answers a packet for a service with no available destination, as IPVS does. */
void uvs_answer_port_unreachable(struct uvs_worker *w, struct uvs_frame *f, struct uvs_pkt *p);

/* A scheduling packet of svc with no connection: picks a destination (through a
 * persistence template if svc is persistent), creates the connection unless the
 * service is one-packet, and forwards. */
void uvs_schedule_and_forward(struct uvs_worker *w, struct uvs_frame *f, struct uvs_pkt *p,
			      struct uvs_service *svc, uvs_time_t now);

#endif
