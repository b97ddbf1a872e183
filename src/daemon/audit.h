/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The audit log: a line at notice level for every change made (or refused) through
 * the control socket, naming the client by uid, pid and program and the change in
 * ipvsadm's rule syntax, for example (log.h's default format)
 *
 *   level=notice msg=audit uid=0 pid=1234 comm=uvsadm
 *     change="-a -t 10.0.0.1:80 -r 192.168.0.11:80 -m -w 1" result=ok
 *   level=notice msg=audit uid=0 pid=1234 comm=uvsadm
 *     change="-d -t 10.0.0.1:80 -r 192.168.0.99:80" result=refused error="..."
 *
 * on one line each; or, in the text format,
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
#include "log.h"

/* The line's text after "audit: " into buf (cut to len). Returns buf. */
const char *uvsd_audit_text(const struct uvs_ctl_audit *a, char *buf, size_t len);

/* The fields of a's line in the key=value format, in kv (whose buffers they point
 * into). Returns how many. */
struct uvsd_audit_kv {
	struct uvs_log_field f[6];
	char ids[2][16], comm[17], change[512], error[256];
};
size_t uvsd_audit_fields(const struct uvs_ctl_audit *a, struct uvsd_audit_kv *kv);

/* Logs a's line at notice level (nothing is formatted below that level). */
void uvsd_audit(void *ctl_arg, const struct uvs_ctl_audit *a);

/* Logs, at notice level, how many changes of peer (NULL: connections refused) went
 * unreported one by one. */
void uvsd_audit_skipped(void *ctl_arg, const struct uvs_ctl_peer *peer, unsigned long ok,
			unsigned long refused);

#endif
