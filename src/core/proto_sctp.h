/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * IPVS's SCTP connection states, their transitions and timeouts (the kernel's
 * ip_vs_proto_sctp.c): the states are the association's as the real server sees it,
 * the event is the packet's first chunk. Only ESTABLISHED counts as active.
 */
#ifndef UVS_PROTO_SCTP_H
#define UVS_PROTO_SCTP_H

#include <stdbool.h>
#include <stdint.h>

#include "core/proto_tcp.h" /* enum uvs_tcp_dir: the same three directions */
#include "pkt/parse.h"

/* In the kernel's order: the columns of the transition tables. */
enum uvs_sctp_state {
	UVS_SCTP_S_NONE,
	UVS_SCTP_S_INIT1,	      /* the client's first INIT */
	UVS_SCTP_S_INIT,	      /* a repeated INIT */
	UVS_SCTP_S_COOKIE_SENT,	      /* the server's INIT ACK */
	UVS_SCTP_S_COOKIE_REPLIED,    /* the client's COOKIE ECHO */
	UVS_SCTP_S_COOKIE_WAIT,	      /* the server started an association: its INIT */
	UVS_SCTP_S_COOKIE,	      /* the client's INIT ACK to it */
	UVS_SCTP_S_COOKIE_ECHOED,     /* the server's COOKIE ECHO */
	UVS_SCTP_S_ESTABLISHED,	      /* COOKIE ACK, or data */
	UVS_SCTP_S_SHUTDOWN_SENT,     /* the server's SHUTDOWN */
	UVS_SCTP_S_SHUTDOWN_RECEIVED, /* the client's SHUTDOWN */
	UVS_SCTP_S_SHUTDOWN_ACK_SENT, /* the server's SHUTDOWN ACK */
	UVS_SCTP_S_REJECTED,	      /* an INIT answered by ABORT */
	UVS_SCTP_S_CLOSED,
	UVS_SCTP_S_COUNT
};

_Static_assert(UVS_SCTP_S_COUNT == UVS_SCTP_STATES, "the timeouts' table has every state");

/* The kernel's events: what a packet's chunk means to the state. */
enum uvs_sctp_event {
	UVS_SCTP_EV_DATA, /* DATA, SACK, HEARTBEAT(-ACK), ECNE, CWR and unknown chunks */
	UVS_SCTP_EV_INIT,
	UVS_SCTP_EV_INIT_ACK,
	UVS_SCTP_EV_COOKIE_ECHO,
	UVS_SCTP_EV_COOKIE_ACK,
	UVS_SCTP_EV_SHUTDOWN,
	UVS_SCTP_EV_SHUTDOWN_ACK,
	UVS_SCTP_EV_SHUTDOWN_COMPLETE,
	UVS_SCTP_EV_ERROR,
	UVS_SCTP_EV_ABORT,
	UVS_SCTP_EV_COUNT
};

/* SCTP chunk types (RFC 9260 3.2) that uvs reads. */
#define UVS_SCTP_CHUNK_INIT	   1
#define UVS_SCTP_CHUNK_ABORT	   6
#define UVS_SCTP_CHUNK_COOKIE_ECHO 10
#define UVS_SCTP_CHUNK_COOKIE_ACK  11

/*
 * The event of p, an SCTP packet the parser took (at least one chunk header): its
 * first chunk's, except that a COOKIE ECHO or COOKIE ACK bundled with an ABORT right
 * after it is the ABORT (RFC 9260 3.3.7: an ABORT comes after the control chunks it is
 * bundled with), as the kernel reads it.
 */
enum uvs_sctp_event uvs_sctp_event(const struct uvs_pkt *p);
/* The state after event ev in direction dir. */
enum uvs_sctp_state uvs_sctp_next(enum uvs_sctp_state s, enum uvs_tcp_dir dir,
				  enum uvs_sctp_event ev);
/* ESTABLISHED counts in ActiveConn, every other state in InActConn. */
bool uvs_sctp_state_active(enum uvs_sctp_state s);
/* The name ipvsadm -c shows, e.g. "C-ECHOED" ("ERR!" out of range). */
const char *uvs_sctp_state_name(enum uvs_sctp_state s);
/* The kernel's default timeout of each state, in seconds. */
void uvs_sctp_timeouts_default(uint32_t t[UVS_SCTP_S_COUNT]);

#endif
