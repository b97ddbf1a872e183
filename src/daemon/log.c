// SPDX-License-Identifier: GPL-2.0-or-later
#include "log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/atomic.h"
#include "base/clock.h"

static bool use_syslog;
static int max_level = LOG_INFO;
static enum uvs_log_format format = UVS_LOG_KV;
static int copy_level = -1; /* atomic: workers log while the main thread changes it */
static pthread_mutex_t limit_lock = PTHREAD_MUTEX_INITIALIZER; /* every uvs_log_limit */

static const char *const level_names[] = { "emerg",   "alert",	"crit", "error",
					   "warning", "notice", "info", "debug" };

void uvs_log_to_syslog(bool on)
{
	use_syslog = on;
	if (on)
		openlog("uvsd", LOG_PID, LOG_DAEMON);
}

void uvs_log_set_level(int level)
{
	max_level = level;
}

void uvs_log_set_format(enum uvs_log_format f)
{
	format = f;
}

enum uvs_log_format uvs_log_get_format(void)
{
	return format;
}

bool uvs_log_enabled(int level)
{
	return level <= max_level;
}

void uvs_log_copy_to_stderr(int level)
{
	/* Relaxed: a setting read on its own; a line logged meanwhile goes either way. */
	uvs_store_relaxed(&copy_level, level);
}

/* Appends to buf (len bytes, *used of them taken) as snprintf would, never past the
 * end. */
static void put(char *buf, size_t len, size_t *used, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void put(char *buf, size_t len, size_t *used, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*used + 1 >= len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *used, len - *used, fmt, ap);
	va_end(ap);
	if (n > 0)
		*used = *used + (size_t)n < len ? *used + (size_t)n : len - 1;
}

/* A logfmt value: as it is when it is a plain word, else in double quotes with '"'
 * and '\' escaped (a line break, which a message never holds, as \n). */
static void put_value(char *buf, size_t len, size_t *used, const char *v)
{
	if (v[0] && !strpbrk(v, " =\"\\\t\n")) {
		put(buf, len, used, "%s", v);
		return;
	}
	put(buf, len, used, "\"");
	for (; *v; v++) {
		if (*v == '"' || *v == '\\')
			put(buf, len, used, "\\%c", *v);
		else if (*v == '\n')
			put(buf, len, used, "\\n");
		else
			put(buf, len, used, "%c", *v);
	}
	put(buf, len, used, "\"");
}

char *uvs_log_line(enum uvs_log_format f, int level, const struct uvs_log_field *fields,
		   size_t nfields, const char *msg, char *buf, size_t len)
{
	const char *name = level_names[level >= 0 && level <= LOG_DEBUG ? level : LOG_DEBUG];
	size_t used = 0;

	buf[0] = '\0';
	if (f == UVS_LOG_TEXT) {
		put(buf, len, &used, "uvsd: %s: %s", name, msg);
		for (size_t i = 0; i < nfields; i++)
			put(buf, len, &used, "%s%s=%s%s", i ? " " : " (", fields[i].key,
			    fields[i].value, i + 1 == nfields ? ")" : "");
		return buf;
	}
	put(buf, len, &used, "level=%s msg=", name);
	put_value(buf, len, &used, msg);
	for (size_t i = 0; i < nfields; i++) {
		put(buf, len, &used, " %s=", fields[i].key);
		put_value(buf, len, &used, fields[i].value);
	}
	return buf;
}

static void emit(int level, const struct uvs_log_field *fields, size_t nfields, const char *fmt,
		 va_list ap)
{
	char msg[1024], line[1536];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	uvs_log_line(format, level, fields, nfields, msg, line, sizeof(line));
	if (use_syslog) {
		/* syslog has its own "uvsd[PID]:" prefix: the text format's is left out. */
		syslog(level, "%s", format == UVS_LOG_TEXT ? msg : line);
		if (level > uvs_load_relaxed(&copy_level)) /* relaxed: as stored */
			return;
	}
	/* One fprintf per line: stdio's lock keeps threads' lines whole. */
	fprintf(stderr, "%s\n", line);
}

void uvs_log(int level, const char *fmt, ...)
{
	va_list ap;

	if (level > max_level)
		return;
	va_start(ap, fmt);
	emit(level, NULL, 0, fmt, ap);
	va_end(ap);
}

void uvs_log_kv(int level, const struct uvs_log_field *fields, size_t nfields, const char *fmt, ...)
{
	va_list ap;

	if (level > max_level)
		return;
	va_start(ap, fmt);
	emit(level, fields, nfields, fmt, ap);
	va_end(ap);
}

/* Whether l's limit lets one more line through at now_ms; *suppressed: the lines held
 * back before it, to report first. */
static bool limit_take(struct uvs_log_limit *l, uint64_t now_ms, unsigned long *suppressed)
{
	bool ok;

	pthread_mutex_lock(&limit_lock);
	if (!l->window_ms || now_ms - l->window_ms >= UVS_LOG_INTERVAL_MS) {
		l->window_ms = now_ms ? now_ms : 1; /* 0 means no interval begun */
		l->logged = 0;
	}
	ok = l->logged < UVS_LOG_BURST;
	*suppressed = 0;
	if (ok) {
		l->logged++;
		*suppressed = l->suppressed;
		l->suppressed = 0;
	} else {
		l->suppressed++;
	}
	pthread_mutex_unlock(&limit_lock);
	return ok;
}

static bool limited(struct uvs_log_limit *l, uint64_t now_ms, int level, const char *fmt,
		    va_list ap)
{
	struct uvs_log_field f[2] = { { "reason", l->reason }, { "suppressed", "" } };
	unsigned long suppressed;
	char n[24];

	if (level > max_level || !limit_take(l, now_ms, &suppressed))
		return false;
	if (suppressed) {
		snprintf(n, sizeof(n), "%lu", suppressed);
		f[1].value = n;
		uvs_log_kv(level, f, 2,
			   "%lu more lines of this reason were not logged (rate limit)",
			   suppressed);
	}
	emit(level, f, 1, fmt, ap);
	return true;
}

bool uvs_log_limited_at(struct uvs_log_limit *l, uint64_t now_ms, int level, const char *fmt, ...)
{
	va_list ap;
	bool ret;

	va_start(ap, fmt);
	ret = limited(l, now_ms, level, fmt, ap);
	va_end(ap);
	return ret;
}

bool uvs_log_limited(struct uvs_log_limit *l, int level, const char *fmt, ...)
{
	va_list ap;
	bool ret;

	va_start(ap, fmt);
	ret = limited(l, uvs_monotonic_ms(), level, fmt, ap);
	va_end(ap);
	return ret;
}
