// SPDX-License-Identifier: GPL-2.0-or-later
/* The frame path's series (metrics_sources.h): what uvsadm -L --counters lists, under
 * Prometheus names, and each worker's frames and busy time. */
#include <stdio.h>

#include "base/atomic.h"
#include "metrics_sources.h"
#include "options.h"

static void reasons(FILE *f, const struct uvsd_view *v)
{
	uint64_t c[UVS_R_COUNT], tx;

	uvs_engine_counters(v->engine, c, &tx);
	uvs_prom_family(f, "uvs_engine_frames_total", UVS_PROM_COUNTER,
			"Frames the engine dropped, passed to the kernel or counted, by reason "
			"(named as uvsadm -L --counters names them; pkt_*: the parser's)");
	for (unsigned r = 1; r < UVS_R_COUNT; r++)
		uvs_prom_sample(f, "uvs_engine_frames_total",
				&(struct uvs_prom_label){ "reason", uvs_reason_name(r) }, 1, c[r]);
	uvs_prom_single(f, "uvs_engine_tx_frames_total", UVS_PROM_COUNTER,
			"Frames the engine forwarded (counter tx)", tx);
}

static void backend(FILE *f, struct uvsd_view *v)
{
	struct uvs_io_stats io;
	struct uvs_nhcache_stats nh;

	uvsd_datapath_counters(v->dp, &io, &nh);
	uvs_prom_family(f, "uvs_io_backend_info", UVS_PROM_GAUGE,
			"The packet backend (uvsd --io; none without --interface): 1");
	uvs_prom_sample(f, "uvs_io_backend_info", &(struct uvs_prom_label){ "backend", v->backend },
			1, 1);
#define X(name, help)                                                                              \
	uvs_prom_single(f, "uvs_io_" #name "_total", UVS_PROM_COUNTER,                             \
			help " (counter io_" #name ")", io.name);
	UVS_IO_COUNTERS(X)
#undef X
	uvs_prom_single(f, "uvs_nexthop_cache_hits_total", UVS_PROM_COUNTER,
			"Next hops found in the workers' caches (counter nh_cache_hits)", nh.hits);
	uvs_prom_single(f, "uvs_nexthop_cache_misses_total", UVS_PROM_COUNTER,
			"Next hops asked of the kernel (counter nh_cache_misses)", nh.misses);
	/* Relaxed: a count the control thread publishes after each sync. */
	uvs_prom_single(f, "uvs_steer_keys", UVS_PROM_GAUGE,
			"Keys in the steering map: services and NAT real servers (counter "
			"steer_keys)",
			uvs_load_relaxed(&v->steer_keys));
}

static void workers(FILE *f, struct uvsd_view *v)
{
	unsigned n = uvsd_datapath_workers(v->dp);
	struct uvsd_worker_stats st[UVSD_MAX_WORKERS];
	char id[12];

	if (n > UVSD_MAX_WORKERS)
		n = UVSD_MAX_WORKERS;
	for (unsigned i = 0; i < n; i++)
		uvsd_datapath_worker_stats(v->dp, i, &st[i]);
	uvs_prom_family(f, "uvs_worker_frames_total", UVS_PROM_COUNTER,
			"Frames each worker received from the packet backend");
	for (unsigned i = 0; i < n; i++) {
		snprintf(id, sizeof(id), "%u", i);
		uvs_prom_sample(f, "uvs_worker_frames_total",
				&(struct uvs_prom_label){ "worker", id }, 1, st[i].frames);
	}
	uvs_prom_family(f, "uvs_worker_busy_seconds_total", UVS_PROM_COUNTER,
			"Time each worker spent on frames, from receiving a batch to sending it");
	for (unsigned i = 0; i < n; i++) {
		snprintf(id, sizeof(id), "%u", i);
		uvs_prom_sample_real(f, "uvs_worker_busy_seconds_total",
				     &(struct uvs_prom_label){ "worker", id }, 1,
				     (double)st[i].busy_ns / 1e9);
	}
}

void uvsd_metrics_engine(void *view, FILE *f)
{
	reasons(f, view);
	backend(f, view);
	workers(f, view);
}
