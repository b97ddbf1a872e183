/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * uvsd's --sysctl NAME=VALUE and --sysctl-file FILE: IPVS sysctl settings given at
 * start. Each is checked when its option is read, against the values the settings
 * before it leave (sync_threshold may take one number of two), so that a mistake
 * stops uvsd before it starts, on stderr, naming the option or the file and line.
 * Once the model exists they are applied in the order given: the last one wins.
 */
#ifndef UVS_DAEMON_SYSCTL_CONF_H
#define UVS_DAEMON_SYSCTL_CONF_H

#include <stddef.h>

#include "core/sysctl.h"

struct uvsd_sysctl_setting {
	char *name; /* as given, prefix or not */
	char *value;
};

struct uvsd_sysctls {
	struct uvsd_sysctl_setting *v;
	size_t n;
	struct uvs_sysctl seen; /* the defaults with every setting so far applied */
};

void uvsd_sysctls_init(struct uvsd_sysctls *l);
void uvsd_sysctls_free(struct uvsd_sysctls *l);

/* --sysctl's NAME=VALUE (NAME with or without "net.ipv4.vs.", blanks around '='
 * allowed). Returns 0, or -1 after saying why on stderr. */
int uvsd_sysctls_add_arg(struct uvsd_sysctls *l, const char *arg);

/*
 * The settings of a file in sysctl.conf's syntax: "net.ipv4.vs.NAME = VALUE" lines
 * (or net/ipv4/vs/NAME), blank lines, comments from a leading '#' or ';'. A line
 * starting with '-' may fail: it is then skipped, as sysctl(8) skips it. Only IPVS
 * sysctls. Returns 0, or -1 after saying why on stderr ("FILE:LINE: ...").
 */
int uvsd_sysctls_add_file(struct uvsd_sysctls *l, const char *path);

/* Sets the settings on s, in order. Returns 0, or a negative errno after logging why
 * (only if s's values differ from what the settings were checked against). */
int uvsd_sysctls_apply(const struct uvsd_sysctls *l, struct uvs_sysctl *s);

#endif
