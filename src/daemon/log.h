/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * uvsd's log: to stderr (the default, and what systemd's journal reads) or to syslog.
 * Safe from any thread; each message is one line.
 *
 * A line is, by default (UVS_LOG_KV), key=value pairs as logfmt writes them:
 *
 *   level=warning msg="eth0: link gone (ifindex 3): ..." reason=link_gone
 *
 * level first, then the message, then the fields the caller gives (uvs_log_kv); a
 * value is quoted when it holds a blank, '=' or '"' or is empty, with '"' and '\' in
 * it escaped. UVS_LOG_TEXT writes "uvsd: warning: eth0: link gone ..." for people
 * reading a terminal, the fields after the message in parentheses.
 */
#ifndef UVS_DAEMON_LOG_H
#define UVS_DAEMON_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <syslog.h>

enum uvs_log_format {
	UVS_LOG_KV,   /* level=... msg="..." key=value (the default) */
	UVS_LOG_TEXT, /* uvsd: level: message */
};

/* Sends messages to syslog (facility daemon) instead of stderr. Call before the
 * threads start. */
void uvs_log_to_syslog(bool on);
/* Messages below level (LOG_ERR..LOG_DEBUG) are dropped; the default is LOG_INFO. */
void uvs_log_set_level(int level);
/* The lines' format; call before the threads start. */
void uvs_log_set_format(enum uvs_log_format f);
enum uvs_log_format uvs_log_get_format(void);
/* Whether a message at level would be logged: to skip building one that would not. */
bool uvs_log_enabled(int level);
/* While logging to syslog, messages up to level (LOG_EMERG..LOG_DEBUG) are also
 * written to stderr; -1 (the default) stops it. For a daemon's start-up (detach.h). */
void uvs_log_copy_to_stderr(int level);
void uvs_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* One field of a line: a key (letters, digits, '_') and its value as text. */
struct uvs_log_field {
	const char *key;
	const char *value;
};
/* A message with nfields fields after it. */
void uvs_log_kv(int level, const struct uvs_log_field *fields, size_t nfields, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/*
 * Writes one line as the format says into buf (len bytes, cut to fit, no newline;
 * a level outside LOG_EMERG..LOG_DEBUG is taken as debug). Returns buf. What
 * uvs_log_kv writes; for tests.
 */
char *uvs_log_line(enum uvs_log_format f, int level, const struct uvs_log_field *fields,
		   size_t nfields, const char *msg, char *buf, size_t len);

/*
 * Warnings that may come in floods (a link that flaps, an error met at every event)
 * are limited per reason, as the kernel's net_ratelimit() limits its messages: at
 * most UVS_LOG_BURST lines of one reason in UVS_LOG_INTERVAL_MS; those beyond are
 * counted and reported in one line ("reason=... suppressed=N") with the reason's next
 * line that is logged. Declare one limit per reason with UVS_LOG_LIMIT (a static at
 * the call site); any thread.
 */
#define UVS_LOG_BURST	    10
#define UVS_LOG_INTERVAL_MS 5000
struct uvs_log_limit {
	const char *reason;	  /* the line's reason field */
	uint64_t window_ms;	  /* CLOCK_MONOTONIC start of the current interval */
	unsigned logged;	  /* lines logged in it */
	unsigned long suppressed; /* lines not logged since the last one reported */
};
#define UVS_LOG_LIMIT(var, name) static struct uvs_log_limit var = { .reason = (name) }
/* Logs the message, with reason=l->reason, within l's limit (at time now_ms, from
 * CLOCK_MONOTONIC). Returns whether it was logged. */
bool uvs_log_limited_at(struct uvs_log_limit *l, uint64_t now_ms, int level, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
bool uvs_log_limited(struct uvs_log_limit *l, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
