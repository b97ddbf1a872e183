// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "adm/marks.h"
#include "log.h"
#include "marks_file.h"
#include "rules_file.h"

int uvsd_marks_file_load(const char *path, struct uvs_marks **out)
{
	struct uvs_error err;
	struct uvs_error why;
	char *text = uvsd_read_text(path, &why);
	int ret;

	if (!text) {
		ret = -errno;
		uvs_log(LOG_ERR, "marks %s: %s; the marks in use are kept", path, why.msg);
		return ret;
	}
	ret = uvs_marks_parse(text, strlen(text), out, &err);
	free(text);
	if (ret < 0) {
		uvs_log(LOG_ERR, "marks %s: %s; the marks in use are kept", path, err.msg);
		return ret;
	}
	uvs_log(LOG_INFO, "marks %s: %u rule(s)", path, (*out)->n);
	return 0;
}
