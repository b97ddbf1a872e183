/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What uvsd tells systemd (a unit of Type=notify) through sd_notify(3): that it
 * serves (READY=1), reloads (RELOADING=1), stops (STOPPING=1), and a one-line status
 * for `systemctl status`. Without $NOTIFY_SOCKET (not started by systemd) every call
 * does nothing.
 */
#ifndef UVS_DAEMON_NOTIFY_H
#define UVS_DAEMON_NOTIFY_H

#include <stdbool.h>
#include <stddef.h>

#include "core/model.h"

/* Whether systemd listens ($NOTIFY_SOCKET is set): the status need not be made if not. */
bool uvsd_notify_enabled(void);

/* The status line: "services: N, real servers: M, links: K, workers: W" (without
 * links: "..., control plane only (no --interface)"). Takes m->ctl_lock. */
void uvsd_status_text(struct uvs_model *m, unsigned nlinks, unsigned nworkers, char *buf,
		      size_t len);

/* Sends state (for example "READY=1"; NULL: none) and status (NULL: none) in one
 * message. A failure to reach systemd is logged once at warning level. */
void uvsd_notify(const char *state, const char *status);

/* RELOADING=1 with the time of the reload, as systemd asks of a reload. */
void uvsd_notify_reloading(void);

#endif
