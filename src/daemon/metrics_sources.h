/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The director's own metric sources (metrics.h), over what the HTTP thread may read of
 * it (view.h). Each is a uvsd_metrics_fn whose arg is the struct uvsd_view.
 *
 * metrics_ipvs.c: node_exporter's ipvs collector's series (node_ipvs_*), each
 *   service's and real server's counters (uvs_service_*, uvs_backend_*) and the
 *   connection table (uvs_connection_*).
 * metrics_engine.c: the engine's reasons (uvs_engine_frames_total), the packet
 *   backend's counters (uvs_io_*), next hops, steering and each worker's frames and
 *   busy time.
 * metrics_daemon.c: build information, start time, control requests, the sync
 *   daemons and the SYN-flood defences' settings.
 */
#ifndef UVSD_METRICS_SOURCES_H
#define UVSD_METRICS_SOURCES_H

#include <stdio.h>

#include "metrics.h"
#include "prom.h"
#include "view.h"

void uvsd_metrics_ipvs(void *view, FILE *f);
void uvsd_metrics_engine(void *view, FILE *f);
void uvsd_metrics_daemon(void *view, FILE *f);

/* Adds the three above, in that order. Returns 0 or -ENOMEM. */
int uvsd_metrics_add_director(struct uvsd_metrics *m, struct uvsd_view *v);

#endif
