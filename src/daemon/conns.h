/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The engine's connections for the control socket's GET_CONN (uvsadm -L -c), read
 * from the connection table while the workers run.
 */
#ifndef UVSD_CONNS_H
#define UVSD_CONNS_H

#include "core/engine.h"
#include "ctl/codec.h"

/*
 * Fills up to max entries from the engine's table, continuing at *cursor (0 at the
 * start) and advancing it; returns how many, 0 once the table has been walked. The
 * calling thread is registered with RCU. The walk goes bucket by bucket; an entry
 * added or removed during a dump may be missed, and none is listed twice unless a
 * single bucket holds more than max entries while it changes.
 */
size_t uvsd_conns(struct uvs_engine *e, uint64_t *cursor, struct uvs_ctl_conn *out, size_t max);

#endif
