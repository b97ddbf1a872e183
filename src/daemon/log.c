// SPDX-License-Identifier: GPL-2.0-or-later
#include "log.h"

#include <stdarg.h>
#include <stdio.h>

#include "base/atomic.h"

static bool use_syslog;
static int max_level = LOG_INFO;
static int copy_level = -1; /* atomic: workers log while the main thread changes it */

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

bool uvs_log_enabled(int level)
{
	return level <= max_level;
}

void uvs_log_copy_to_stderr(int level)
{
	/* Relaxed: a setting read on its own; a line logged meanwhile goes either way. */
	uvs_store_relaxed(&copy_level, level);
}

void uvs_log(int level, const char *fmt, ...)
{
	static const char *const names[] = { "emerg",	"alert",  "crit", "error",
					     "warning", "notice", "info", "debug" };
	char msg[1024];
	va_list ap;

	if (level > max_level)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (use_syslog) {
		syslog(level, "%s", msg);
		if (level > uvs_load_relaxed(&copy_level)) /* relaxed: as stored */
			return;
	}
	/* One fprintf per line: stdio's lock keeps threads' lines whole. */
	fprintf(stderr, "uvsd: %s: %s\n", names[level & 7], msg);
}
