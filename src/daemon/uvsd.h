/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The director's whole state, shared by uvsd.c (start-up, the poll loop), ctl_ops.c
 * (what the control server asks of it) and keep.c (what it keeps across restarts).
 * Only the control thread uses it, unless a member's comment says otherwise.
 */
#ifndef UVSD_UVSD_H
#define UVSD_UVSD_H

#include <poll.h>
#include <stdbool.h>
#include <stdint.h>

#include "announce.h"
#include "conns_keep.h"
#include "core/engine.h"
#include "core/fastpath.h"
#include "ctl/server.h"
#include "datapath.h"
#include "guard.h"
#include "heartbeat.h"
#include "http.h"
#include "io/steer.h"
#include "links.h"
#include "metrics_sources.h"
#include "net/announce.h"
#include "net/netwatch.h"
#include "options.h"
#include "prime.h"
#include "state.h"
#include "sync/sync.h"
#include "sync_ops.h"

struct uvsd {
	struct uvsd_options opt;
	struct uvs_model model;
	struct uvs_engine engine;
	struct uvs_ctl_server *ctl;
	struct uvsd_datapath *dp; /* NULL without --interface */
	struct uvs_sync *sync;	  /* the sync daemons; their worker is the engine's last */
	struct uvsd_prime *prime;
	struct uvs_steer *steer;	  /* NULL without --interface or with --no-steer */
	struct uvsd_heartbeat *heartbeat; /* the fail-safe's; NULL without steering */
	uint64_t steered_generation;	  /* the model generation the BPF map holds */
	uint64_t steer_next_ms;		  /* no sync before (see steer_update) */
	int steer_error;		  /* of the last sync, logged once */
	struct uvs_marks *marks;	  /* --marks, in use by the workers and steering */
	unsigned nworkers;
	uint64_t status_generation;	/* the model generation systemd's status shows */
	bool model_ready, engine_ready; /* what setup() got to, for the teardown */
	struct uvs_netwatch *netwatch;	/* links and addresses; NULL without --interface */
	struct uvsd_links *links;	/* NULL without --interface */
	struct uvsd_state_keeper state; /* file NULL: no state file */
	char *declared;	 /* what the rules file declared at its last load; NULL before */
	char *conn_file; /* the table across a restart (conns_keep.h); NULL: not kept */
	struct uvsd_conns_restored restored; /* what became of it at start */
	struct pollfd fds[4];		     /* signals, timer, the control server, netwatch */
	struct uvsd_view view;		     /* what the HTTP thread reads */
	struct uvsd_metrics *metrics;	     /* /metrics' sources; NULL without --metrics */
	struct uvsd_http *http;		     /* NULL without --metrics */
	struct uvs_announce *routes;	     /* the VIPs' routes; NULL without --announce-table */
	struct uvsd_announce *announce;	     /* which VIPs they are */
	bool announce_retry;		     /* an update failed: the timer tries again */
	uint64_t alive_until_ns;      /* the workers' deadline as last published (any thread) */
	struct uvsd_guard guard;      /* the defences and the table's limit (each second) */
	uint64_t timer_ticks;	      /* of the 1 s timer */
	struct uvs_fastpath fastpath; /* --fast-path's table (its head NULL: none) */
	uint64_t fastpath_seen;	      /* what the table's entries were written under */
};

enum { FD_SIGNAL, FD_TIMER, FD_CTL, FD_NET, NFDS };

/* ctl_ops.c: the control server's ops over a struct uvsd. */
extern const struct uvs_ctl_ops uvsd_ctl_ops;
/* The engine's timeouts as they are now (arg: the struct uvsd). */
void uvsd_timeouts_now(void *arg, struct uvs_timeouts *out);

/* keep.c */
/* The state file is written from this: the configuration as it is now. */
struct uvsd_state_now {
	struct uvsd_state_src src;
	struct uvs_timeouts timeouts;
	struct uvs_ctl_daemon daemons[2];
};

/* Fills now with the configuration as it is and returns its source for the state
 * file (valid while now is). */
const struct uvsd_state_src *uvsd_state_now(struct uvsd *d, struct uvsd_state_now *now);
/* Sets d->conn_file from --conn-file or the state file's path (NULL: none kept).
 * Returns 0 or -1 (out of memory, logged). */
int uvsd_conn_file_path(struct uvsd *d);
/* Opens the state file and restores the configuration it holds, before --sysctl and
 * the rules file. Returns 0 or -1 (logged). */
int uvsd_restore_state(struct uvsd *d);
/* Writes the state file once at start (a file uvsd cannot write stops it) and keeps
 * it from then on. Returns 0 or -1 (logged). */
int uvsd_start_keeping_state(struct uvsd *d);

#endif
