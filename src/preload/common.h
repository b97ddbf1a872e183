/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the preload library's parts share: where uvsd is, and how problems are told. */
#ifndef UVS_PRELOAD_COMMON_H
#define UVS_PRELOAD_COMMON_H

/* uvsd's control socket: $UVSD_SOCKET if set and not empty, else /run/uvsd.sock. */
const char *uvs_preload_socket(void);

/*
 * Tells the operator: one line "uvs-run: MESSAGE" on stderr and the same at LOG_ERR
 * through syslog (a daemon such as keepalived has closed its stderr). Keeps errno.
 */
void uvs_preload_report(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
