/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What uvsd's HTTP thread (metrics, status page) reads of the director. Each member is
 * set before the listener opens and stays, or is safe to read from any thread as its
 * comment says; the control thread publishes the rest here (uvsd_view_publish_*).
 */
#ifndef UVSD_VIEW_H
#define UVSD_VIEW_H

#include <pthread.h>
#include <stdint.h>

#include "conns_keep.h"
#include "core/engine.h"
#include "ctl/server.h"
#include "datapath.h"

/* Room for the sync daemons' counters (sync/sync.h has about 50). */
#define UVSD_VIEW_SYNC_COUNTERS 128

struct uvsd_view {
	struct uvs_model *model;    /* snapshots take its ctl_lock */
	struct uvs_engine *engine;  /* counters: racy, monotonic reads */
	struct uvsd_datapath *dp;   /* NULL without --interface; counters: any thread */
	struct uvs_ctl_server *ctl; /* uvs_ctl_server_stats(): any thread */
	const char *backend;	    /* "af_packet", "af_xdp" or "none" */
	unsigned nworkers;	    /* forwarding workers, 0 without --interface */
	double start_time;	    /* the Unix time uvsd started at, in seconds */
	const struct uvsd_conns_restored *restored; /* the table kept across a restart */
	uint32_t steer_keys;	       /* atomic: the steering map's keys after the last sync */
	pthread_mutex_t sync_lock;     /* the sync daemons: */
	struct uvs_ctl_daemon sync[2]; /* those running (as GET_DAEMON lists them) */
	unsigned nsync;
	/* and their counters (uvs_sync_counters()), as of the last publish: every 2 s */
	struct uvs_ctl_counter sync_counters[UVSD_VIEW_SYNC_COUNTERS];
	size_t nsync_counters;
};

/* Fills what stays 0 or NULL until set; the caller sets the rest. */
void uvsd_view_init(struct uvsd_view *v);
void uvsd_view_destroy(struct uvsd_view *v);
/* Control thread: the sync daemons running now (n of them, 0..2) and their counters
 * (nc of them, at most UVSD_VIEW_SYNC_COUNTERS kept). */
void uvsd_view_publish_sync(struct uvsd_view *v, const struct uvs_ctl_daemon *d, unsigned n,
			    const struct uvs_ctl_counter *c, size_t nc);
/* Any thread: a copy of the sync daemons; returns how many. */
unsigned uvsd_view_sync(struct uvsd_view *v, struct uvs_ctl_daemon out[2]);
/* Any thread: a copy of the sync daemons' counters (room for UVSD_VIEW_SYNC_COUNTERS);
 * returns how many. */
size_t uvsd_view_sync_counters(struct uvsd_view *v, struct uvs_ctl_counter *out);

#endif
