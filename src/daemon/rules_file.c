// SPDX-License-Identifier: GPL-2.0-or-later
#include "rules_file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adm/replace.h"
#include "log.h"

char *uvsd_read_text(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0, cap = 0;

	if (!f)
		return NULL;
	for (;;) {
		if (cap - len < 4096) {
			if (cap >= UVSD_RULES_MAX) {
				errno = EFBIG;
				goto fail;
			}
			cap = cap ? cap * 2 : 65536;
			char *grown = realloc(buf, cap + 1);
			if (!grown)
				goto fail;
			buf = grown;
		}
		size_t n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		errno = EIO;
		goto fail;
	}
	fclose(f);
	buf[len] = '\0';
	if (strlen(buf) != len) {
		free(buf);
		errno = EINVAL; /* a NUL byte: not a text file */
		return NULL;
	}
	return buf;
fail:
	free(buf);
	fclose(f);
	return NULL;
}

int uvsd_rules_file_apply(struct uvs_engine *e, const char *path)
{
	struct uvs_adm_error err = { 0 };
	char *plan, *text = uvsd_read_text(path);
	int ret;

	if (!text) {
		ret = -errno;
		uvs_log(LOG_ERR, "rules %s: %s; configuration unchanged", path, strerror(errno));
		return ret;
	}
	/* Checking the text and working out the differences happens with the workers
	 * running; only applying the differences pauses them. */
	ret = uvs_adm_replace_plan(e->model, &e->timeouts, text, &plan, &err);
	free(text);
	if (ret < 0) {
		uvs_log(LOG_ERR, "rules %s: %s; configuration unchanged", path, err.msg);
		return ret;
	}
	uvs_engine_pause(e);
	ret = uvs_adm_apply(e->model, &e->timeouts, plan, &err);
	uvs_engine_resume(e);
	free(plan);
	if (ret < 0) {
		uvs_log(LOG_ERR, "rules %s: applying the differences: %s; configuration unchanged",
			path, err.msg);
		return ret;
	}
	uvs_log(LOG_INFO, "rules %s applied", path);
	return 0;
}
