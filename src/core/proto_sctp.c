// SPDX-License-Identifier: GPL-2.0-or-later
#include "proto_sctp.h"

#include "pkt/wire.h"

#define sNO UVS_SCTP_S_NONE
#define sI1 UVS_SCTP_S_INIT1
#define sIN UVS_SCTP_S_INIT
#define sCS UVS_SCTP_S_COOKIE_SENT
#define sCR UVS_SCTP_S_COOKIE_REPLIED
#define sCW UVS_SCTP_S_COOKIE_WAIT
#define sCO UVS_SCTP_S_COOKIE
#define sCE UVS_SCTP_S_COOKIE_ECHOED
#define sES UVS_SCTP_S_ESTABLISHED
#define sSS UVS_SCTP_S_SHUTDOWN_SENT
#define sSR UVS_SCTP_S_SHUTDOWN_RECEIVED
#define sSA UVS_SCTP_S_SHUTDOWN_ACK_SENT
#define sRJ UVS_SCTP_S_REJECTED
#define sCL UVS_SCTP_S_CLOSED

/* [direction][event][current state]: the kernel's tables (ip_vs_proto_sctp.c). */
static const uint8_t transitions[3][UVS_SCTP_EV_COUNT][UVS_SCTP_S_COUNT] = {
	[UVS_TCP_DIR_INPUT] = {
		/*           sNO  sI1  sIN  sCS  sCR  sCW  sCO  sCE  sES  sSS  sSR  sSA  sRJ  sCL */
		/*data */ { sES, sI1, sIN, sCS, sCR, sCW, sCO, sCE, sES, sSS, sSR, sSA, sRJ, sCL },
		/*init */ { sI1, sIN, sIN, sCS, sCR, sCW, sCO, sCE, sES, sSS, sSR, sSA, sIN, sIN },
		/*i_ack*/ { sCW, sCW, sCW, sCS, sCR, sCO, sCO, sCE, sES, sSS, sSR, sSA, sRJ, sCL },
		/*c_ech*/ { sCR, sIN, sIN, sCR, sCR, sCW, sCO, sCE, sES, sSS, sSR, sSA, sRJ, sCL },
		/*c_ack*/ { sES, sI1, sIN, sCS, sCR, sCW, sCO, sES, sES, sSS, sSR, sSA, sRJ, sCL },
		/*shut */ { sSR, sI1, sIN, sCS, sCR, sCW, sCO, sCE, sSR, sSS, sSR, sSA, sRJ, sCL },
		/*s_ack*/ { sCL, sIN, sIN, sCS, sCR, sCW, sCO, sCE, sES, sCL, sSR, sCL, sRJ, sCL },
		/*s_cmp*/ { sCL, sCL, sCL, sCS, sCR, sCW, sCO, sCE, sES, sSS, sSR, sCL, sRJ, sCL },
		/*err  */ { sCL, sI1, sIN, sCS, sCR, sCW, sCO, sCL, sES, sSS, sSR, sSA, sRJ, sCL },
		/*abort*/ { sCL, sCL, sCL, sCL, sCL, sRJ, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL },
	},
	[UVS_TCP_DIR_OUTPUT] = {
		/*data */ { sES, sI1, sIN, sCS, sCR, sCW, sCO, sCE, sES, sSS, sSR, sSA, sRJ, sCL },
		/*init */ { sCW, sCW, sCW, sCW, sCW, sCW, sCW, sCW, sES, sCW, sCW, sCW, sCW, sCW },
		/*i_ack*/ { sCS, sCS, sCS, sCS, sCR, sCW, sCO, sCE, sES, sSS, sSR, sSA, sRJ, sCL },
		/*c_ech*/ { sCE, sCE, sCE, sCE, sCE, sCE, sCE, sCE, sES, sSS, sSR, sSA, sRJ, sCL },
		/*c_ack*/ { sES, sES, sES, sES, sES, sES, sES, sES, sES, sSS, sSR, sSA, sRJ, sCL },
		/*shut */ { sSS, sSS, sSS, sSS, sSS, sSS, sSS, sSS, sSS, sSS, sSR, sSA, sRJ, sCL },
		/*s_ack*/ { sSA, sSA, sSA, sSA, sSA, sCW, sCO, sCE, sES, sSA, sSA, sSA, sRJ, sCL },
		/*s_cmp*/ { sCL, sI1, sIN, sCS, sCR, sCW, sCO, sCE, sES, sSS, sSR, sSA, sRJ, sCL },
		/*err  */ { sCL, sCL, sCL, sCL, sCL, sCW, sCO, sCE, sES, sSS, sSR, sSA, sRJ, sCL },
		/*abort*/ { sCL, sRJ, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL },
	},
	[UVS_TCP_DIR_INPUT_ONLY] = {
		/*data */ { sES, sI1, sIN, sCS, sCR, sES, sCO, sCE, sES, sSS, sSR, sSA, sRJ, sCL },
		/*init */ { sI1, sIN, sIN, sIN, sIN, sIN, sCO, sCE, sES, sSS, sSR, sSA, sIN, sIN },
		/*i_ack*/ { sCE, sCE, sCE, sCE, sCE, sCE, sCO, sCE, sES, sSS, sSR, sSA, sRJ, sCL },
		/*c_ech*/ { sES, sES, sES, sES, sES, sES, sCO, sCE, sES, sSS, sSR, sSA, sRJ, sCL },
		/*c_ack*/ { sES, sI1, sIN, sES, sES, sCW, sES, sES, sES, sSS, sSR, sSA, sRJ, sCL },
		/*shut */ { sSR, sI1, sIN, sCS, sCR, sCW, sCO, sCE, sSR, sSS, sSR, sSA, sRJ, sCL },
		/*s_ack*/ { sCL, sIN, sIN, sCS, sCR, sCW, sCO, sCE, sCL, sCL, sSR, sCL, sRJ, sCL },
		/*s_cmp*/ { sCL, sCL, sCL, sCL, sCL, sCW, sCO, sCE, sES, sSS, sCL, sCL, sRJ, sCL },
		/*err  */ { sCL, sI1, sIN, sCS, sCR, sCW, sCO, sCE, sES, sSS, sSR, sSA, sRJ, sCL },
		/*abort*/ { sCL, sCL, sCL, sCL, sCL, sRJ, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL },
	},
};

/* Chunk type (RFC 9260 3.2) to event; types past the list are DATA, as in the kernel. */
static const uint8_t chunk_events[] = {
	[0] = UVS_SCTP_EV_DATA,		      /* DATA */
	[1] = UVS_SCTP_EV_INIT,		      /* INIT */
	[2] = UVS_SCTP_EV_INIT_ACK,	      /* INIT ACK */
	[3] = UVS_SCTP_EV_DATA,		      /* SACK */
	[4] = UVS_SCTP_EV_DATA,		      /* HEARTBEAT */
	[5] = UVS_SCTP_EV_DATA,		      /* HEARTBEAT ACK */
	[6] = UVS_SCTP_EV_ABORT,	      /* ABORT */
	[7] = UVS_SCTP_EV_SHUTDOWN,	      /* SHUTDOWN */
	[8] = UVS_SCTP_EV_SHUTDOWN_ACK,	      /* SHUTDOWN ACK */
	[9] = UVS_SCTP_EV_ERROR,	      /* ERROR */
	[10] = UVS_SCTP_EV_COOKIE_ECHO,	      /* COOKIE ECHO */
	[11] = UVS_SCTP_EV_COOKIE_ACK,	      /* COOKIE ACK */
	[12] = UVS_SCTP_EV_DATA,	      /* ECNE */
	[13] = UVS_SCTP_EV_DATA,	      /* CWR */
	[14] = UVS_SCTP_EV_SHUTDOWN_COMPLETE, /* SHUTDOWN COMPLETE */
};

static const char *const state_names[UVS_SCTP_S_COUNT] = {
	"NONE",	    "INIT1",	   "INIT",   "C-SENT",	   "C-REPLIED",	 "C-WAIT",   "COOKIE",
	"C-ECHOED", "ESTABLISHED", "S-SENT", "S-RECEIVED", "S-ACK-SENT", "REJECTED", "CLOSED",
};

enum uvs_sctp_event uvs_sctp_event(const struct uvs_pkt *p)
{
	const uint8_t *chunk = p->frame + p->l4_off + UVS_SCTP_HLEN;
	uint32_t room = p->l4_len - UVS_SCTP_HLEN; /* the parser saw one chunk header */
	uint8_t type = chunk[0];

	if (type == UVS_SCTP_CHUNK_COOKIE_ECHO || type == UVS_SCTP_CHUNK_COOKIE_ACK) {
		uint32_t clen = uvs_get16(chunk + 2);
		uint32_t next = (clen + 3) & ~3u; /* chunks are padded to 4 bytes */

		if (clen >= UVS_SCTP_CHUNK_HLEN && next + UVS_SCTP_CHUNK_HLEN <= room &&
		    chunk[next] == UVS_SCTP_CHUNK_ABORT)
			type = UVS_SCTP_CHUNK_ABORT;
	}
	return type < sizeof(chunk_events) ? (enum uvs_sctp_event)chunk_events[type]
					   : UVS_SCTP_EV_DATA;
}

enum uvs_sctp_state uvs_sctp_next(enum uvs_sctp_state s, enum uvs_tcp_dir dir,
				  enum uvs_sctp_event ev)
{
	if ((unsigned)s >= UVS_SCTP_S_COUNT || (unsigned)ev >= UVS_SCTP_EV_COUNT)
		return s;
	return (enum uvs_sctp_state)transitions[dir][ev][s];
}

bool uvs_sctp_state_active(enum uvs_sctp_state s)
{
	return s == sES;
}

const char *uvs_sctp_state_name(enum uvs_sctp_state s)
{
	return (unsigned)s < UVS_SCTP_S_COUNT ? state_names[s] : "ERR!";
}

void uvs_sctp_timeouts_default(uint32_t t[UVS_SCTP_S_COUNT])
{
	/* The kernel's: the longest retransmission timeout (RTO.Max 60 s) and one more
	 * second for the handshake and shutdown states; 4 s (3 s of RTO.Initial and one
	 * more) where an INIT may have been lost or was refused. */
	enum { MAX_RTO = 60 + 1, INIT_RTO = 3 + 1 };
	static const uint32_t d[UVS_SCTP_S_COUNT] = {
		[sNO] = 2,	  [sI1] = INIT_RTO, [sIN] = MAX_RTO, [sCS] = MAX_RTO,
		[sCR] = MAX_RTO,  [sCW] = MAX_RTO,  [sCO] = MAX_RTO, [sCE] = MAX_RTO,
		[sES] = 15 * 60,  [sSS] = MAX_RTO,  [sSR] = MAX_RTO, [sSA] = MAX_RTO,
		[sRJ] = INIT_RTO, [sCL] = MAX_RTO,
	};
	for (int i = 0; i < UVS_SCTP_S_COUNT; i++)
		t[i] = d[i];
}
