/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The audit log: a line at notice level for every change made (or refused) through
 * the control socket, naming the client by uid, pid and program and the change in
 * ipvsadm's rule syntax, for example
 *
 *   audit: uid=0 pid=1234 (uvsadm): -a -t 10.0.0.1:80 -r 192.168.0.11:80 -m -w 1: ok
 *   audit: uid=0 pid=1234 (uvsadm): -d -t 10.0.0.1:80 -r 192.168.0.99:80: refused: ...
 *
 * The server limits how many it reports one by one (UVS_CTL_AUDIT_BURST, _RATE in
 * ctl/server.h) and reports the rest as counts. These are its ops->audit and
 * ops->audit_skipped; ctl_arg is unused.
 */
#ifndef UVS_DAEMON_AUDIT_H
#define UVS_DAEMON_AUDIT_H

#include <stddef.h>

#include "ctl/server.h"

/* The line's text after "audit: " into buf (cut to len). Returns buf. */
const char *uvsd_audit_text(const struct uvs_ctl_audit *a, char *buf, size_t len);

/* Logs a's line at notice level (nothing is formatted below that level). */
void uvsd_audit(void *ctl_arg, const struct uvs_ctl_audit *a);

/* Logs, at notice level, how many changes of peer (NULL: connections refused) went
 * unreported one by one. */
void uvsd_audit_skipped(void *ctl_arg, const struct uvs_ctl_peer *peer, unsigned long ok,
			unsigned long refused);

#endif
