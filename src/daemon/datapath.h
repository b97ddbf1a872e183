/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * uvsd's data path: the packet backend on the configured links and one worker thread
 * per engine worker, each moving frames backend -> engine -> backend with its own
 * next-hop cache. Workers sleep in the backend when no frame waits (no busy polling)
 * and run their connection timers at least once a second (more often with a
 * heartbeat, which they keep beating).
 *
 * Threading: start, stop and free run on the control thread; the counters may be read
 * from any thread.
 */
#ifndef UVSD_DATAPATH_H
#define UVSD_DATAPATH_H

#include "core/engine.h"
#include "core/marks.h"
#include "heartbeat.h"
#include "io/io.h"
#include "net/nhcache.h"

struct uvsd_datapath;

/* The engine's route function for uvsd: the calling worker's next-hop cache. Give it
 * to uvs_engine_init with a NULL argument. */
int uvsd_datapath_route(void *arg, int af, const union uvs_addr *nh, struct uvs_route *out);

/*
 * Opens the backend as io describes (io->nworkers at most the engine's worker count:
 * the workers take ids 0..io->nworkers-1, others are not the data path's) and starts
 * the workers over engine e. With hb (heartbeat.h, for io->nworkers workers; NULL:
 * none), each worker beats at every turn of its loop and sleeps at most
 * uvsd_heartbeat_wait_ms; hb must outlive the workers (uvsd_datapath_stop). Returns
 * 0 or a negative errno with a message in err. Either way *out is what to stop and
 * free (NULL or stopped on failure), after uvs_engine_destroy, since workers that
 * started are registered with the engine.
 */
int uvsd_datapath_start(struct uvs_engine *e, const struct uvs_io_config *io,
			struct uvsd_heartbeat *hb, struct uvsd_datapath **out,
			struct uvs_error *err);

/*
 * Opens the backend again on the links of the start call, as they are now: for a link
 * that was deleted and made again (same name, new index), whose sockets are dead. The
 * workers are parked between batches meanwhile (frames wait in, or are lost with, the
 * old sockets), the next-hop caches are emptied, GRO is turned off again, and the
 * counters so far are kept. Every link must exist. Returns 0, or a negative errno with
 * a message in err: the workers then stay parked, without a backend, until a call
 * succeeds (or stop).
 */
int uvsd_datapath_reopen(struct uvsd_datapath *dp, struct uvs_error *err);

/* Whether a link's MTU is now larger than the largest when the backend opened (*was),
 * so that its frames would not fit the backend's buffers: the caller then opens it
 * again (uvsd_datapath_reopen). *now: the largest MTU now. */
bool uvsd_datapath_mtu_grew(const struct uvsd_datapath *dp, uint32_t *was, uint32_t *now);

/* Stops and joins the workers and closes the backend. The worker structs stay (the
 * engine still points at them) until uvsd_datapath_free, after uvs_engine_destroy. */
void uvsd_datapath_stop(struct uvsd_datapath *dp);
void uvsd_datapath_free(struct uvsd_datapath *dp);

/* Publishes mark rules (NULL: none) for the workers to apply to each frame before the
 * engine; returns the previous table, which no worker uses any more (the caller frees
 * it). The caller is registered with RCU, outside a read-side section. */
struct uvs_marks *uvsd_datapath_set_marks(struct uvsd_datapath *dp, struct uvs_marks *marks);

/* Sums over the workers (racy but monotonic reads); dp may be NULL (all zero). Any
 * thread: a lock keeps the backend from being replaced meanwhile. */
void uvsd_datapath_counters(struct uvsd_datapath *dp, struct uvs_io_stats *io,
			    struct uvs_nhcache_stats *nh);

/* One worker's counters: the frames it received and the time it spent on them, from
 * receiving a batch to sending it (the rest of the time it slept or polled). */
struct uvsd_worker_stats {
	uint64_t frames;
	uint64_t busy_ns;
};
/* How many workers dp has (0 for NULL). */
unsigned uvsd_datapath_workers(const struct uvsd_datapath *dp);
/* Worker i's (i < uvsd_datapath_workers(dp)); any thread. */
void uvsd_datapath_worker_stats(const struct uvsd_datapath *dp, unsigned i,
				struct uvsd_worker_stats *out);

#endif
