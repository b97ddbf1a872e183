/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A planned restart keeps the connection table (--conn-file): the stopping uvsd writes
 * its table once its workers have stopped, the next one takes it back before it
 * forwards, each connection bound again to its real server by service and address
 * and expiring when it would have (the time it had left, less the time between the
 * write and the read). The file is removed once read, so that a later start (after a
 * crash) never takes an old table; one refused is renamed FILE.refused and uvsd starts
 * with an empty table. Control thread, registered with RCU, outside a read-side
 * section, no data path worker running.
 */
#ifndef UVSD_CONNS_KEEP_H
#define UVSD_CONNS_KEEP_H

#include <stdint.h>

#include "core/engine.h"
#include "sync/sync.h"

/* What became of a file's connections at start (uvsadm -L --counters: "restart_*"). */
struct uvsd_conns_restored {
	uint64_t read;	   /* entries in the file */
	uint64_t restored; /* now in the table */
	uint64_t no_dest;  /* their real server (or service) is gone */
	uint64_t expired;  /* their time ran out while no uvsd ran */
	uint64_t dropped;  /* not taken for another reason (table full, duplicate) */
	uint64_t refused;  /* 1 if the file was refused whole */
};

/* Writes e's table to path (conns_file.h). Returns 0 or -1, logged with the count and
 * the time it took. */
int uvsd_conns_keep_save(struct uvs_engine *e, const char *path);

/*
 * Reads path's table into e, the entries owned by the sync daemons' worker (s), then
 * removes the file; *out says what became of them. Returns 0 (restored, or no file),
 * or -1 if the file was refused (logged with why; e's table is untouched).
 */
int uvsd_conns_keep_load(struct uvs_engine *e, struct uvs_sync *s, const char *path,
			 struct uvsd_conns_restored *out);

#endif
