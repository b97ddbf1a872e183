/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A director for the sync daemons' tests (src/sync): a model with UDP 10.0.0.1:53 by
 * NAT to 192.168.0.11:53 (and, if asked, TCP 10.0.0.1:21 to 192.168.0.11:21), an
 * engine whose worker id 0 is the data path and id 1 the sync daemons', and its sync
 * daemons. Include after <cmocka.h>.
 */
#ifndef UVS_TEST_SYNC_DIRECTOR_H
#define UVS_TEST_SYNC_DIRECTOR_H

#include <stdbool.h>

#include "core/engine.h"
#include "sync/sync.h"

struct sync_director {
	struct uvs_model m;
	struct uvs_engine e;
	struct uvs_worker w; /* the data path: its thread calls uvs_worker_init(&w, &e, 0) */
	struct uvs_sync *sync;
};

/* Sets x up with nworkers worker ids (2 or more) and, with ftp, the FTP service;
 * asserts success. */
void sync_director_init(struct sync_director *x, unsigned nworkers, bool ftp);
/* Stops x's daemons and frees what sync_director_init made. */
void sync_director_fini(struct sync_director *x);
/* One UDP datagram from src:5000 to 10.0.0.1:53 through x's data worker, on the
 * calling thread (registered with RCU, the worker's). */
void sync_director_dns(struct sync_director *x, const char *src);
/* The value of s's counter called name; fails the test if s has none. */
uint64_t sync_director_counter(struct uvs_sync *s, const char *name);

#endif
