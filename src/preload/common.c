// SPDX-License-Identifier: GPL-2.0-or-later
/* uvsd's socket path, and reporting to stderr and syslog. */
#include "common.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <syslog.h>

#include "real.h"
#include "uvs/ctl.h"

const char *uvs_preload_socket(void)
{
	const char *env = getenv(UVS_CTL_PATH_ENV);

	return env && env[0] ? env : UVS_CTL_PATH;
}

void uvs_preload_report(const char *fmt, ...)
{
	int saved = errno;
	char msg[512], line[530];
	va_list ap;
	int n;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	n = snprintf(line, sizeof(line), "uvs-run: %s\n", msg);
	if (n > (int)sizeof(line) - 1)
		n = (int)sizeof(line) - 1;
	/* Straight to fd 2, past stdio's buffers and the library's own write hook; if
	 * that fails, syslog still has it. */
	uvs_real()->write(2, line, (size_t)n);
	syslog(LOG_ERR, "uvs-run: %s", msg);
	errno = saved;
}
