/* SPDX-License-Identifier: GPL-2.0-or-later */
/* IPVS's TCP connection states, their transitions and timeouts; UDP's one timeout;
 * the timeouts' table of every protocol. */
#ifndef UVS_PROTO_TCP_H
#define UVS_PROTO_TCP_H

#include <stdbool.h>
#include <stdint.h>

/* In the kernel's order: the columns of the transition tables. */
enum uvs_tcp_state {
	UVS_TCP_S_NONE,
	UVS_TCP_S_ESTABLISHED,
	UVS_TCP_S_SYN_SENT,
	UVS_TCP_S_SYN_RECV,
	UVS_TCP_S_FIN_WAIT,
	UVS_TCP_S_TIME_WAIT,
	UVS_TCP_S_CLOSE,
	UVS_TCP_S_CLOSE_WAIT,
	UVS_TCP_S_LAST_ACK,
	UVS_TCP_S_LISTEN,
	UVS_TCP_S_SYNACK,
	UVS_TCP_S_COUNT
};

/* Which table a packet uses: client to server, server to client, or client to server
 * while no reply has been seen (always so for direct routing and tunnelling). */
enum uvs_tcp_dir {
	UVS_TCP_DIR_INPUT,
	UVS_TCP_DIR_OUTPUT,
	UVS_TCP_DIR_INPUT_ONLY,
};

/* The event a segment's flags make: RST, else SYN, else FIN, else ACK; -1 if none. */
enum uvs_tcp_event {
	UVS_TCP_EV_NONE = -1,
	UVS_TCP_EV_SYN,
	UVS_TCP_EV_FIN,
	UVS_TCP_EV_ACK,
	UVS_TCP_EV_RST,
};

enum uvs_tcp_event uvs_tcp_event(uint8_t tcp_flags);
/* The state after event ev in direction dir; ev NONE keeps the state. */
enum uvs_tcp_state uvs_tcp_next(enum uvs_tcp_state s, enum uvs_tcp_dir dir, enum uvs_tcp_event ev);
/* The same by secure_tcp's tables (core/defence.h). */
enum uvs_tcp_state uvs_tcp_next_secure(enum uvs_tcp_state s, enum uvs_tcp_dir dir,
				       enum uvs_tcp_event ev);
/* Active states count in ActiveConn, the others in InActConn. */
bool uvs_tcp_state_active(enum uvs_tcp_state s);
/* The events (bit 1 << ev) that take a new connection from NONE to an active state
 * whichever table its client's packet uses (plain or secure_tcp's, INPUT or
 * INPUT_ONLY): a SYN, or an ACK (a connection sloppy_tcp or the SYN proxy makes). A
 * connection made by such a packet is counted active from the start (core/schedule.c). */
unsigned uvs_tcp_opening_active_events(void);
/* The name ipvsadm -c shows, e.g. "ESTABLISHED". */
const char *uvs_tcp_state_name(enum uvs_tcp_state s);

/* SCTP's states (core/proto_sctp.h), counted here for the timeouts' table. */
#define UVS_SCTP_STATES 14

/* Timeouts in seconds: one per TCP state, one for UDP, one per SCTP state, as the
 * kernel's defaults. */
struct uvs_timeouts {
	uint32_t tcp[UVS_TCP_S_COUNT];
	uint32_t udp;
	uint32_t sctp[UVS_SCTP_STATES];
};

/* A new connection's timeout until its first transition. */
#define UVS_NEW_CONN_TIMEOUT_S 3

void uvs_timeouts_default(struct uvs_timeouts *t);
/* ipvsadm --set tcp tcpfin udp: ESTABLISHED, FIN_WAIT and UDP; 0 leaves one as it is. */
void uvs_timeouts_set(struct uvs_timeouts *t, uint32_t tcp, uint32_t tcpfin, uint32_t udp);

#endif
