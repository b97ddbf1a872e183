/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A backup's receive path without its socket: a message (from the multicast group, or
 * any other transport) is read record by record and each record applied to the
 * engine's table as the kernel's backup does (core/sync.h), on a worker of its own,
 * with a counter for every outcome.
 *
 * Threading: the worker is used under rx->lock, by the backup thread and by the
 * control thread's timer (uvs_sync_rx_timers), which expires what the backup made
 * whether a backup runs or not. Counters are read racily by any thread.
 */
#ifndef UVS_SYNC_RX_H
#define UVS_SYNC_RX_H

#include <pthread.h>

#include "core/sync.h"
#include "sync/msg.h"

/* The receiver's counters beyond the read errors (msg.h) and the outcomes of applying
 * (core/sync.h): "sync_rx_<name>". */
#define UVS_SYNC_RX_COUNTERS(X)                                                                    \
	X(MSGS, "msgs")	      /* messages read (whatever their records) */                         \
	X(V0_MSGS, "v0_msgs") /* of which version 0 */                                             \
	X(PE, "pe")	      /* records skipped: persistence engine data (uvs has no engine) */   \
	X(ERRORS, "errors")   /* receive errors of the socket */

enum uvs_sync_rx_counter {
#define X(name, text) UVS_SYNC_RX_##name,
	UVS_SYNC_RX_COUNTERS(X)
#undef X
		UVS_SYNC_RX_READ_BASE,
	/* then one per read error (UVS_SYNC_READ_*, from SHORT), then one per outcome */
	UVS_SYNC_RX_APPLY_BASE = UVS_SYNC_RX_READ_BASE + UVS_SYNC_READ_COUNT - 1,
	UVS_SYNC_RX_COUNT = UVS_SYNC_RX_APPLY_BASE + UVS_SYNC_APPLY_COUNT
};

struct uvs_sync_rx {
	struct uvs_engine *engine;
	struct uvs_worker worker; /* owns the entries made here; registered with engine */
	pthread_mutex_t lock;	  /* held by whoever uses worker */
	bool ready;
	uint64_t counters[UVS_SYNC_RX_COUNT]; /* written under lock, read racily */
};

/* Registers rx's worker as worker id of e. Caller registered with RCU. Returns 0 or a
 * negative errno (id in use or out of range). */
int uvs_sync_rx_init(struct uvs_sync_rx *rx, struct uvs_engine *e, unsigned id);
/* Frees what init made, after uvs_engine_destroy (which ended the worker's entries). */
void uvs_sync_rx_fini(struct uvs_sync_rx *rx);

/* The name of counter i ("msgs", "short", "new", ...), without "sync_rx_". */
const char *uvs_sync_rx_counter_name(unsigned i);

/*
 * Reads one message (untrusted bytes) and applies its records; syncid: the backup's
 * (0 takes every message). Returns how many records were read (and applied, each to
 * its outcome). Caller registered with RCU, outside a read-side section.
 */
unsigned uvs_sync_rx_message(struct uvs_sync_rx *rx, const void *buf, size_t len, uint8_t syncid);
/*
 * Applies one record as a message's would be: for a transport that brings records its
 * own way. Returns the outcome (also counted); a record with persistence engine data
 * is UVS_SYNC_APPLY_COUNT (counted "pe"). Same caller as above.
 */
enum uvs_sync_apply_result uvs_sync_rx_record(struct uvs_sync_rx *rx,
					      const struct uvs_sync_record *r);
/*
 * Makes the n connections a stopping uvsd kept (c[i] expiring at expires[i]) entries
 * of rx's worker, as uvs_sync_restore does, under one hold of the lock; counts each
 * outcome in results[UVS_SYNC_APPLY_*] (not in rx's counters). Same caller as above.
 */
void uvs_sync_rx_restore(struct uvs_sync_rx *rx, const struct uvs_sync_conn *c,
			 const uvs_time_t *expires, size_t n, uint64_t *results);
/* Expires what the backup made, due by now. Caller registered with RCU, outside a
 * read-side section. */
void uvs_sync_rx_timers(struct uvs_sync_rx *rx);
/* Counts a receive error. */
void uvs_sync_rx_error(struct uvs_sync_rx *rx);

#endif
