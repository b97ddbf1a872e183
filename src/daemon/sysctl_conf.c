// SPDX-License-Identifier: GPL-2.0-or-later
#include "sysctl_conf.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "rules_file.h"

void uvsd_sysctls_init(struct uvsd_sysctls *l)
{
	memset(l, 0, sizeof(*l));
	uvs_sysctl_init(&l->seen, 0);
}

void uvsd_sysctls_free(struct uvsd_sysctls *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].name);
		free(l->v[i].value);
	}
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/* s[0..n) without its blanks at both ends, as a new string; NULL without memory. */
static char *trimmed(const char *s, size_t n)
{
	while (n && isspace((unsigned char)*s))
		s++, n--;
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	return strndup(s, n);
}

/*
 * Checks "name = value" (text, up to '=' at eq) against the settings so far and keeps
 * it. where names the source in messages ("--sysctl", "FILE:LINE"). Returns 0; -1
 * after saying why, unless quiet (then nothing is kept and nothing said).
 */
static int add(struct uvsd_sysctls *l, const char *where, const char *text, const char *eq,
	       size_t len, bool quiet)
{
	struct uvsd_sysctl_setting s = { trimmed(text, (size_t)(eq - text)),
					 trimmed(eq + 1, len - (size_t)(eq - text) - 1) };
	struct uvsd_sysctl_setting *grown;
	struct uvs_error err;

	if (!s.name || !s.value) {
		fprintf(stderr, "uvsd: %s: out of memory\n", where);
		goto fail;
	}
	if (uvs_sysctl_set(&l->seen, s.name, s.value, &err) < 0) {
		if (!quiet)
			fprintf(stderr, "uvsd: %s: %s\n", where, err.msg);
		goto fail;
	}
	grown = realloc(l->v, (l->n + 1) * sizeof(*l->v));
	if (!grown) {
		fprintf(stderr, "uvsd: %s: out of memory\n", where);
		goto fail;
	}
	l->v = grown;
	l->v[l->n++] = s;
	return 0;
fail:
	free(s.name);
	free(s.value);
	return quiet ? 0 : -1;
}

int uvsd_sysctls_add_arg(struct uvsd_sysctls *l, const char *arg)
{
	const char *eq = strchr(arg, '=');

	if (!eq) {
		fprintf(stderr, "uvsd: --sysctl: '%s' is not NAME=VALUE\n", arg);
		return -1;
	}
	return add(l, "--sysctl", arg, eq, strlen(arg), false);
}

/* One line of a sysctl.conf file (without its newline). Returns 0 or -1 (said). */
static int add_line(struct uvsd_sysctls *l, const char *path, unsigned line, const char *text,
		    size_t len)
{
	static const char *const prefixes[] = { UVS_SYSCTL_PREFIX, "net/ipv4/vs/" };
	char where[4200];
	const char *eq, *key;
	bool may_fail;

	while (len && isspace((unsigned char)*text))
		text++, len--;
	if (!len || *text == '#' || *text == ';')
		return 0;
	snprintf(where, sizeof(where), "%s:%u", path, line);
	may_fail = *text == '-';
	key = text + may_fail;
	eq = memchr(text, '=', len);
	if (!eq) {
		fprintf(stderr, "uvsd: %s: not NAME = VALUE\n", where);
		return -1;
	}
	if (strncmp(key, prefixes[0], strlen(prefixes[0])) &&
	    strncmp(key, prefixes[1], strlen(prefixes[1]))) {
		int n = (int)(eq - key);
		if (may_fail)
			return 0;
		while (n && isspace((unsigned char)key[n - 1]))
			n--;
		fprintf(stderr, "uvsd: %s: %.*s is not an IPVS sysctl (" UVS_SYSCTL_PREFIX "*)\n",
			where, n, key);
		return -1;
	}
	return add(l, where, key, eq, len - (size_t)(key - text), may_fail);
}

int uvsd_sysctls_add_file(struct uvsd_sysctls *l, const char *path)
{
	struct uvs_error why;
	char *text = uvsd_read_text(path, &why);
	unsigned line = 1;
	int ret = 0;

	if (!text) {
		fprintf(stderr, "uvsd: --sysctl-file %s: %s\n", path, why.msg);
		return -1;
	}
	for (char *p = text; *p && !ret; line++) {
		char *end = strchr(p, '\n');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		ret = add_line(l, path, line, p, len);
		p += len + (end != NULL);
	}
	free(text);
	return ret;
}

int uvsd_sysctls_apply(const struct uvsd_sysctls *l, struct uvs_sysctl *s)
{
	struct uvs_error err;
	int ret;

	for (size_t i = 0; i < l->n; i++) {
		if ((ret = uvs_sysctl_set(s, l->v[i].name, l->v[i].value, &err)) < 0) {
			uvs_log(LOG_ERR, "sysctl: %s", err.msg);
			return ret;
		}
		uvs_log(LOG_INFO, "sysctl: " UVS_SYSCTL_PREFIX "%s = %s",
			uvs_sysctl_find(l->v[i].name)->name, l->v[i].value);
	}
	return 0;
}
