/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Loading uvs's own mark rules (--marks FILE, reloaded on SIGHUP); see adm/marks.h. */
#ifndef UVSD_MARKS_FILE_H
#define UVSD_MARKS_FILE_H

#include "core/marks.h"

/* Reads and parses the file at path into a new table *out (free() it). Logs what
 * happened. Returns 0 or a negative errno; *out is untouched on failure. */
int uvsd_marks_file_load(const char *path, struct uvs_marks **out);

#endif
