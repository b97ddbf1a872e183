/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * uvsd's watch over floods, once a second on the control thread: runs IPVS's defences
 * (core/defence.h: drop_entry, drop_packet, secure_tcp), logs when an automatic mode
 * turns its defence on or off, and logs the connection table at its limit
 * (--max-conns) at most once every UVSD_GUARD_LOG_MS, with the new connections refused
 * (conn_limit) since the last such line.
 */
#ifndef UVS_DAEMON_GUARD_H
#define UVS_DAEMON_GUARD_H

#include <stdint.h>

#include "core/engine.h"

#define UVSD_GUARD_LOG_MS 10000

struct uvsd_guard {
	uint64_t refused;     /* conn_limit at the last line (or at the start) */
	uint64_t next_log_ms; /* no conn_limit line before this */
};

/* Starts counting refusals from e's counters as they are now. */
void uvsd_guard_init(struct uvsd_guard *g, const struct uvs_engine *e);
/* One second of the defences and the watch, at now_ns (CLOCK_MONOTONIC, the workers'
 * clock). Control thread, registered with RCU and outside a read-side section. */
void uvsd_guard_tick(struct uvsd_guard *g, struct uvs_engine *e, uint64_t now_ns);

#endif
