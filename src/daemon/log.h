/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * uvsd's log: to stderr (the default, and what systemd's journal reads) or to syslog.
 * Safe from any thread; each message is one line.
 */
#ifndef UVS_DAEMON_LOG_H
#define UVS_DAEMON_LOG_H

#include <stdbool.h>
#include <syslog.h>

/* Sends messages to syslog (facility daemon) instead of stderr. Call before the
 * threads start. */
void uvs_log_to_syslog(bool on);
/* Messages below level (LOG_ERR..LOG_DEBUG) are dropped; the default is LOG_INFO. */
void uvs_log_set_level(int level);
/* Whether a message at level would be logged: to skip building one that would not. */
bool uvs_log_enabled(int level);
/* While logging to syslog, messages up to level (LOG_EMERG..LOG_DEBUG) are also
 * written to stderr; -1 (the default) stops it. For a daemon's start-up (detach.h). */
void uvs_log_copy_to_stderr(int level);
void uvs_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
