// SPDX-License-Identifier: GPL-2.0-or-later
#include "proto_tcp.h"

#include "proto_sctp.h"

#include <netinet/tcp.h>

#define sNO UVS_TCP_S_NONE
#define sES UVS_TCP_S_ESTABLISHED
#define sSS UVS_TCP_S_SYN_SENT
#define sSR UVS_TCP_S_SYN_RECV
#define sFW UVS_TCP_S_FIN_WAIT
#define sTW UVS_TCP_S_TIME_WAIT
#define sCL UVS_TCP_S_CLOSE
#define sCW UVS_TCP_S_CLOSE_WAIT
#define sLA UVS_TCP_S_LAST_ACK
#define sLI UVS_TCP_S_LISTEN
#define sSA UVS_TCP_S_SYNACK

/* [direction][event][current state]: the kernel's tables (ipvs-reference.md, 2). */
static const uint8_t transitions[3][4][UVS_TCP_S_COUNT] = {
	[UVS_TCP_DIR_INPUT] = {
		/*        sNO  sES  sSS  sSR  sFW  sTW  sCL  sCW  sLA  sLI  sSA */
		/*syn*/ { sSR, sES, sES, sSR, sSR, sSR, sSR, sSR, sSR, sSR, sSR },
		/*fin*/ { sCL, sCW, sSS, sTW, sTW, sTW, sCL, sCW, sLA, sLI, sTW },
		/*ack*/ { sES, sES, sSS, sES, sFW, sTW, sCL, sCW, sCL, sLI, sES },
		/*rst*/ { sCL, sCL, sCL, sSR, sCL, sCL, sCL, sCL, sLA, sLI, sSR },
	},
	[UVS_TCP_DIR_OUTPUT] = {
		/*syn*/ { sSS, sES, sSS, sSR, sSS, sSS, sSS, sSS, sSS, sLI, sSR },
		/*fin*/ { sTW, sFW, sSS, sTW, sFW, sTW, sCL, sTW, sLA, sLI, sTW },
		/*ack*/ { sES, sES, sSS, sES, sFW, sTW, sCL, sCW, sLA, sES, sES },
		/*rst*/ { sCL, sCL, sSS, sCL, sCL, sTW, sCL, sCL, sCL, sCL, sCL },
	},
	[UVS_TCP_DIR_INPUT_ONLY] = {
		/*syn*/ { sSR, sES, sES, sSR, sSR, sSR, sSR, sSR, sSR, sSR, sSR },
		/*fin*/ { sCL, sFW, sSS, sTW, sFW, sTW, sCL, sCW, sLA, sLI, sTW },
		/*ack*/ { sES, sES, sSS, sES, sFW, sTW, sCL, sCW, sCL, sLI, sES },
		/*rst*/ { sCL, sCL, sCL, sSR, sCL, sCL, sCL, sCL, sLA, sLI, sCL },
	},
};

/* secure_tcp's tables (the kernel's tcp_states_dos): a client's SYN or ACK alone does
 * not make a connection ESTABLISHED before the real server answers. */
static const uint8_t secure_transitions[3][4][UVS_TCP_S_COUNT] = {
	[UVS_TCP_DIR_INPUT] = {
		/*        sNO  sES  sSS  sSR  sFW  sTW  sCL  sCW  sLA  sLI  sSA */
		/*syn*/ { sSR, sES, sES, sSR, sSR, sSR, sSR, sSR, sSR, sSR, sSA },
		/*fin*/ { sCL, sCW, sSS, sTW, sTW, sTW, sCL, sCW, sLA, sLI, sSA },
		/*ack*/ { sES, sES, sSS, sSR, sFW, sTW, sCL, sCW, sCL, sLI, sSA },
		/*rst*/ { sCL, sCL, sCL, sSR, sCL, sCL, sCL, sCL, sLA, sLI, sCL },
	},
	[UVS_TCP_DIR_OUTPUT] = {
		/*syn*/ { sSS, sES, sSS, sSA, sSS, sSS, sSS, sSS, sSS, sLI, sSA },
		/*fin*/ { sTW, sFW, sSS, sTW, sFW, sTW, sCL, sTW, sLA, sLI, sTW },
		/*ack*/ { sES, sES, sSS, sES, sFW, sTW, sCL, sCW, sLA, sES, sES },
		/*rst*/ { sCL, sCL, sSS, sCL, sCL, sTW, sCL, sCL, sCL, sCL, sCL },
	},
	[UVS_TCP_DIR_INPUT_ONLY] = {
		/*syn*/ { sSA, sES, sES, sSR, sSA, sSA, sSA, sSA, sSA, sSA, sSA },
		/*fin*/ { sCL, sFW, sSS, sTW, sFW, sTW, sCL, sCW, sLA, sLI, sTW },
		/*ack*/ { sES, sES, sSS, sES, sFW, sTW, sCL, sCW, sCL, sLI, sES },
		/*rst*/ { sCL, sCL, sCL, sSR, sCL, sCL, sCL, sCL, sLA, sLI, sCL },
	},
};

static const char *const state_names[UVS_TCP_S_COUNT] = {
	"NONE",	 "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT", "TIME_WAIT",
	"CLOSE", "CLOSE_WAIT",	"LAST_ACK", "LISTEN",	"SYNACK",
};

enum uvs_tcp_event uvs_tcp_event(uint8_t flags)
{
	if (flags & TH_RST)
		return UVS_TCP_EV_RST;
	if (flags & TH_SYN)
		return UVS_TCP_EV_SYN;
	if (flags & TH_FIN)
		return UVS_TCP_EV_FIN;
	if (flags & TH_ACK)
		return UVS_TCP_EV_ACK;
	return UVS_TCP_EV_NONE;
}

enum uvs_tcp_state uvs_tcp_next(enum uvs_tcp_state s, enum uvs_tcp_dir dir, enum uvs_tcp_event ev)
{
	if (ev == UVS_TCP_EV_NONE || (unsigned)s >= UVS_TCP_S_COUNT)
		return s;
	return (enum uvs_tcp_state)transitions[dir][ev][s];
}

enum uvs_tcp_state uvs_tcp_next_secure(enum uvs_tcp_state s, enum uvs_tcp_dir dir,
				       enum uvs_tcp_event ev)
{
	if (ev == UVS_TCP_EV_NONE || (unsigned)s >= UVS_TCP_S_COUNT)
		return s;
	return (enum uvs_tcp_state)secure_transitions[dir][ev][s];
}

bool uvs_tcp_state_active(enum uvs_tcp_state s)
{
	return s == sES || s == sSS || s == sSR || s == sSA;
}

unsigned uvs_tcp_opening_active_events(void)
{
	static const enum uvs_tcp_dir client_dirs[] = { UVS_TCP_DIR_INPUT, UVS_TCP_DIR_INPUT_ONLY };
	unsigned mask = 0;

	for (int ev = UVS_TCP_EV_SYN; ev <= UVS_TCP_EV_RST; ev++) {
		bool active = true;
		for (size_t i = 0; i < sizeof(client_dirs) / sizeof(client_dirs[0]); i++) {
			enum uvs_tcp_dir dir = client_dirs[i];
			active = active && uvs_tcp_state_active(uvs_tcp_next(sNO, dir, ev)) &&
				 uvs_tcp_state_active(uvs_tcp_next_secure(sNO, dir, ev));
		}
		if (active)
			mask |= 1u << ev;
	}
	return mask;
}

const char *uvs_tcp_state_name(enum uvs_tcp_state s)
{
	return (unsigned)s < UVS_TCP_S_COUNT ? state_names[s] : "ERR!";
}

void uvs_timeouts_default(struct uvs_timeouts *t)
{
	static const uint32_t tcp[UVS_TCP_S_COUNT] = {
		[sNO] = 2,  [sES] = 900, [sSS] = 120, [sSR] = 60,  [sFW] = 120, [sTW] = 120,
		[sCL] = 10, [sCW] = 60,	 [sLA] = 30,  [sLI] = 120, [sSA] = 120,
	};
	for (int i = 0; i < UVS_TCP_S_COUNT; i++)
		t->tcp[i] = tcp[i];
	t->udp = 300;
	uvs_sctp_timeouts_default(t->sctp);
}

void uvs_timeouts_set(struct uvs_timeouts *t, uint32_t tcp, uint32_t tcpfin, uint32_t udp)
{
	if (tcp)
		t->tcp[sES] = tcp;
	if (tcpfin)
		t->tcp[sFW] = tcpfin;
	if (udp)
		t->udp = udp;
}
