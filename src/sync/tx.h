/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A master's send path without its sockets: entries the workers queued (core/sync.h)
 * become messages, one being filled per port (sync_ports), each sent when full or
 * when its first entry has waited UVS_SYNC_FLUSH_NS, as the kernel's master thread
 * sends its buffers. A message the socket has no room for waits, up to sync_qlen_max
 * of them; more are dropped and counted, as the kernel drops buffers beyond it.
 *
 * Threading: one thread (the master's) uses a tx; counters are read racily.
 */
#ifndef UVS_SYNC_TX_H
#define UVS_SYNC_TX_H

#include <stddef.h>
#include <stdint.h>

#include "core/sync.h"
#include "sync/msg.h"

/* The kernel's IPVS_SYNC_FLUSH_TIME: no entry waits longer for its message to go. */
#define UVS_SYNC_FLUSH_NS (2 * UVS_NS_PER_SEC)

#define UVS_SYNC_TX_COUNTERS(X)                                                                    \
	X(MSGS, "msgs")	      /* messages sent */                                                  \
	X(CONNS, "conns")     /* records in them */                                                \
	X(DROPPED, "dropped") /* messages dropped: sync_qlen_max were waiting for room */          \
	X(ERRORS, "errors")   /* messages the socket refused (but for lack of room) */             \
	X(V0_IPV6, "v0_ipv6") /* entries not sent: version 0 carries IPv4 only */

enum uvs_sync_tx_counter {
#define X(name, text) UVS_SYNC_TX_##name,
	UVS_SYNC_TX_COUNTERS(X)
#undef X
		UVS_SYNC_TX_COUNT
};

/* The name of counter i ("msgs", ...), without "sync_tx_". */
const char *uvs_sync_tx_counter_name(unsigned i);

/* Sends one message on port (0..nports-1). Returns 0, -EAGAIN if the socket has no
 * room now (the message waits), or another negative errno (it is dropped). */
typedef int (*uvs_sync_send_fn)(void *arg, unsigned port, const void *buf, size_t len);

struct uvs_sync_tx_config {
	struct uvs_engine *engine; /* its sysctls: sync_version, sync_qlen_max */
	unsigned nports;	   /* 1..UVS_SYNC_PORTS_MAX, a power of two */
	size_t maxlen;		   /* sync_maxlen */
	uint8_t syncid;
	uvs_sync_send_fn send;
	void *send_arg;
};

struct uvs_sync_tx;

/* Returns 0, -EINVAL or -ENOMEM. */
int uvs_sync_tx_create(const struct uvs_sync_tx_config *c, struct uvs_sync_tx **out);
/* Frees tx and the messages it holds, unsent (as the kernel's stop drops them). */
void uvs_sync_tx_free(struct uvs_sync_tx *tx);

/* Adds one entry to its port's message at time now, sending the message if full. */
void uvs_sync_tx_add(struct uvs_sync_tx *tx, const struct uvs_sync_conn *e, uvs_time_t now);
/*
 * Retries the messages waiting for room, takes what the workers queued on so (NULL:
 * nothing) into messages, and sends those whose first entry has waited
 * UVS_SYNC_FLUSH_NS by now. Returns the ns until the next message falls due, or
 * UINT64_MAX if none is being filled.
 */
uint64_t uvs_sync_tx_run(struct uvs_sync_tx *tx, struct uvs_sync_out *so, uvs_time_t now);
/* Sends every message being filled now, whatever its age (a hand-over's end). */
void uvs_sync_tx_flush(struct uvs_sync_tx *tx);
/* Whether messages wait for room in a socket (then poll it for POLLOUT). */
bool uvs_sync_tx_waiting(const struct uvs_sync_tx *tx);
/* The counters (UVS_SYNC_TX_COUNT), racy reads. */
void uvs_sync_tx_counters(const struct uvs_sync_tx *tx, uint64_t *out);

#endif
