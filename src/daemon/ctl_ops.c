// SPDX-License-Identifier: GPL-2.0-or-later
/* What the control server asks of uvsd (ctl/server.h's ops): the timeouts, the
 * counters, the connection listing, Local real servers and the sync daemons. Each op
 * runs on the control thread with the struct uvsd as its argument. */
#include <stdio.h>

#include "audit.h"
#include "base/atomic.h"
#include "conns.h"
#include "uvsd.h"

void uvsd_timeouts_now(void *arg, struct uvs_timeouts *out)
{
	struct uvsd *d = arg;

	/* Relaxed: each timeout is a setting read on its own (one writer: this thread). */
	for (int i = 0; i < UVS_TCP_S_COUNT; i++)
		out->tcp[i] = uvs_load_relaxed(&d->engine.timeouts.tcp[i]);
	out->udp = uvs_load_relaxed(&d->engine.timeouts.udp);
}

/* Workers read the timeouts with relaxed loads: store them the same way. */
static void ops_set_timeouts(void *arg, uint32_t tcp, uint32_t tcpfin, uint32_t udp)
{
	struct uvsd *d = arg;
	struct uvs_timeouts t;

	uvsd_timeouts_now(d, &t);
	uvs_timeouts_set(&t, tcp, tcpfin, udp);
	for (int i = 0; i < UVS_TCP_S_COUNT; i++)
		uvs_store_relaxed(&d->engine.timeouts.tcp[i], t.tcp[i]);
	uvs_store_relaxed(&d->engine.timeouts.udp, t.udp);
}

static void put_counter(struct uvs_ctl_counter *out, size_t max, size_t *n, const char *name,
			uint64_t value)
{
	if (*n < max) {
		snprintf(out[*n].name, sizeof(out[*n].name), "%s", name);
		out[(*n)++].value = value;
	}
}

/* The engine's named counters, the transmitted frames, the backend's and next-hop
 * caches' counters (io_*, nh_*) and the steering map's size (steer_keys): all zero
 * without --interface. */
static size_t ops_counters(void *arg, struct uvs_ctl_counter *out, size_t max)
{
	struct uvsd *d = arg;
	uint64_t c[UVS_R_COUNT], tx;
	struct uvs_io_stats io;
	struct uvs_nhcache_stats nh;
	size_t n = 0;

	uvs_engine_counters(&d->engine, c, &tx);
	uvsd_datapath_counters(d->dp, &io, &nh);
	put_counter(out, max, &n, "tx", tx);
	for (unsigned r = 1; r < UVS_R_COUNT; r++)
		put_counter(out, max, &n, uvs_reason_name(r), c[r]);
#define X(name, help) put_counter(out, max, &n, "io_" #name, io.name);
	UVS_IO_COUNTERS(X)
#undef X
	put_counter(out, max, &n, "nh_cache_hits", nh.hits);
	put_counter(out, max, &n, "nh_cache_misses", nh.misses);
	put_counter(out, max, &n, "steer_keys", d->steer ? uvs_steer_keys(d->steer) : 0);
	if (d->fastpath.head) {
		uint64_t hits, left;

		uvs_steer_fastpath_counts(d->steer, &hits, &left);
		/* Relaxed: counts read on their own. */
		put_counter(out, max, &n, "fastpath_hits", hits);
		put_counter(out, max, &n, "fastpath_left", left);
		put_counter(out, max, &n, "fastpath_offered",
			    uvs_load_relaxed(&d->fastpath.offered));
		put_counter(out, max, &n, "fastpath_full", uvs_load_relaxed(&d->fastpath.full));
		put_counter(out, max, &n, "fastpath_retired",
			    uvs_load_relaxed(&d->fastpath.retired));
	}
	put_counter(out, max, &n, "restart_conns_restored", d->restored.restored);
	put_counter(out, max, &n, "restart_conns_no_dest", d->restored.no_dest);
	put_counter(out, max, &n, "restart_conns_expired", d->restored.expired);
	put_counter(out, max, &n, "restart_conns_dropped", d->restored.dropped);
	put_counter(out, max, &n, "restart_conns_refused", d->restored.refused);
	return d->sync ? uvsd_sync_counters(d->sync, out, n, max) : n;
}

static size_t ops_conns(void *arg, uint64_t *cursor, struct uvs_ctl_conn *out, size_t max)
{
	struct uvsd *d = arg;

	return uvsd_conns(&d->engine, cursor, out, max);
}

/* Real servers that are this host list as Local, as with the kernel's IPVS. */
static void ops_mark_local(void *arg, struct uvs_snap *s)
{
	struct uvsd *d = arg;

	uvs_snap_mark_local(s, &d->engine);
}

static int ops_daemon_config(void *arg, struct uvs_ctl_daemon *dm, struct uvs_error *err)
{
	return uvsd_sync_config(((struct uvsd *)arg)->sync, dm, err);
}

static int ops_daemon_start(void *arg, const struct uvs_ctl_daemon *dm, struct uvs_error *err)
{
	return uvsd_sync_start(((struct uvsd *)arg)->sync, dm, err);
}

static void ops_daemon_stop(void *arg, const struct uvs_ctl_daemon *dm)
{
	uvsd_sync_stop(((struct uvsd *)arg)->sync, dm);
}

const struct uvs_ctl_ops uvsd_ctl_ops = {
	.conns = ops_conns,
	.mark_local = ops_mark_local,
	.daemon_config = ops_daemon_config,
	.daemon_start = ops_daemon_start,
	.daemon_stop = ops_daemon_stop,
	.get_timeouts = uvsd_timeouts_now,
	.set_timeouts = ops_set_timeouts,
	.counters = ops_counters,
	.audit = uvsd_audit,
	.audit_skipped = uvsd_audit_skipped,
};
