/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the control server asks of uvsd's sync daemons (ctl/server.h's daemon ops),
 * in the terms of src/sync/sync.h, and their counters for uvsadm -L --counters.
 * Control thread only.
 */
#ifndef UVSD_SYNC_OPS_H
#define UVSD_SYNC_OPS_H

#include "ctl/codec.h"
#include "options.h"
#include "sync/sync.h"

/* ops->daemon_config: the kernel's defaults and the link's checks (sync.h). */
int uvsd_sync_config(struct uvs_sync *s, struct uvs_ctl_daemon *d, struct uvs_error *err);
/* ops->daemon_start: starts d's thread, logged as the kernel logs it. */
int uvsd_sync_start(struct uvs_sync *s, const struct uvs_ctl_daemon *d, struct uvs_error *err);
/* ops->daemon_stop. */
void uvsd_sync_stop(struct uvs_sync *s, const struct uvs_ctl_daemon *d);
/* Appends the sync counters to out (up to max in all, n so far); returns the new n. */
size_t uvsd_sync_counters(struct uvs_sync *s, struct uvs_ctl_counter *out, size_t n, size_t max);

/* --sync-peer: the hand-over's threads; start them with the signals blocked. Returns 0
 * or -1 (logged). */
int uvsd_sync_peer(struct uvs_sync *s, const struct uvsd_options *o);
/* How long uvsd's start waits for the peer's table before its data path forwards. */
#define UVSD_HANDOVER_WAIT_MS 10000
/* At start, with --sync-peer: waits for the tables the daemons the state started asked
 * for (at most UVSD_HANDOVER_WAIT_MS), and logs what came. */
void uvsd_sync_handover_wait(struct uvs_sync *s);

#endif
