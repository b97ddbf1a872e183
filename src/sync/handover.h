/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The full-table hand-over between the two directors of a pair, beyond the kernel:
 * the kernel's daemons send a connection only when its packets make it due, so a
 * director that starts late never learns the connections that stay idle. Here each
 * director listens on a TCP port for its peer, and, when asked, sends it its whole
 * table (connections and templates) in the sync protocol's messages
 * (handover_wire.h); a director asks its peer when one of its daemons starts, and
 * applies what comes as a backup applies the group's messages (rx.h).
 *
 * Two threads of their own, neither on the data path: the server reads the table as
 * the control plane's listing does (uvs_sync_dump, RCU) and serves one peer at a
 * time; the fetcher asks and applies under the receive path's lock. Both give up on a
 * peer that says nothing or takes nothing for UVS_HANDOVER_IDLE_MS, or takes longer
 * than UVS_HANDOVER_TOTAL_MS in all; every outcome is a counter.
 *
 * Threading: open, fetch, wait, close and the counters from one control thread.
 */
#ifndef UVS_SYNC_HANDOVER_H
#define UVS_SYNC_HANDOVER_H

#include <stdint.h>
#include <sys/socket.h>

#include "base/error.h"
#include "core/engine.h"
#include "sync/handover_wire.h"
#include "sync/rx.h"

#define UVS_HANDOVER_CONNECT_MS 2000
#define UVS_HANDOVER_IDLE_MS	5000
#define UVS_HANDOVER_TOTAL_MS	120000

#define UVS_HANDOVER_COUNTERS(X)                                                                   \
	X(SERVED, "served")	/* tables sent whole to the peer */                                \
	X(SENT, "sent")		/* records in them */                                              \
	X(REFUSED, "refused")	/* connections from another address than the peer's */             \
	X(ABORTED, "aborted")	/* tables not sent whole: the peer left, stalled or asked wrong */ \
	X(FETCHED, "fetched")	/* tables received whole from the peer */                          \
	X(RECEIVED, "received") /* records received (applied as sync_rx_* say) */                  \
	X(FAILED, "failed")	/* tables asked for but not received whole */                      \
	X(SHORT, "short")	/* a table whose END counted other records than came */

enum uvs_handover_counter {
#define X(name, text) UVS_HANDOVER_##name,
	UVS_HANDOVER_COUNTERS(X)
#undef X
		UVS_HANDOVER_WIRE_BASE,
	/* then one per wire error (handover_wire.h), from BAD_TYPE */
	UVS_HANDOVER_COUNT = UVS_HANDOVER_WIRE_BASE + UVS_HANDOVER_WIRE_COUNT - 1
};

/* The name of counter i ("served", "bad_type", ...), without "sync_handover_". */
const char *uvs_handover_counter_name(unsigned i);

struct uvs_handover_config {
	struct uvs_engine *engine;    /* whose table is served */
	struct uvs_sync_rx *rx;	      /* where a table received goes */
	struct sockaddr_storage peer; /* the other director's address and port */
	socklen_t peer_len;
	uint16_t listen_port; /* host order, on every address of peer's family; 0: any */
};

struct uvs_handover;

/*
 * Listens, and starts both threads. Caller registered with RCU. Returns 0 or a
 * negative errno with *err set (nothing is left running).
 */
int uvs_handover_open(const struct uvs_handover_config *c, struct uvs_handover **out,
		      struct uvs_error *err);
/* Stops both threads (a hand-over under way is left) and frees h. Accepts NULL. */
void uvs_handover_close(struct uvs_handover *h);
/* The port h listens on (host order). */
uint16_t uvs_handover_port(const struct uvs_handover *h);
/* Asks the peer for its table, on the fetcher's thread: now, or after the fetch under
 * way (asks made meanwhile are one). */
void uvs_handover_fetch(struct uvs_handover *h);
/* Waits until every fetch asked for so far has ended, at most timeout_ms. Returns 0,
 * or -ETIMEDOUT. */
int uvs_handover_wait(struct uvs_handover *h, int timeout_ms);
/* The counters (UVS_HANDOVER_COUNT), racy reads. */
void uvs_handover_counters(const struct uvs_handover *h, uint64_t *out);

#endif
