/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Loading an `ipvsadm -S` rules file into a running engine (--rules, and SIGHUP). */
#ifndef UVS_DAEMON_RULES_FILE_H
#define UVS_DAEMON_RULES_FILE_H

#include "core/engine.h"

/* Largest rules file read: 100,000 lines of ipvsadm fit many times over. */
#define UVSD_RULES_MAX (64u << 20)

/*
 * Makes the rules file at path the whole configuration of e's model and timeouts:
 * only the differences are applied (uvs_adm_replace_plan), with the workers paused meanwhile
 * so that they see the old set or the new one, never a mix. A file that cannot be
 * read, is too big or is refused changes nothing. Logs what happened (a file without
 * rules that removes services, at warning level). Returns 0 or a negative errno. Called from the
 * one control thread (registered with RCU).
 */
int uvsd_rules_file_apply(struct uvs_engine *e, const char *path);

/*
 * A regular file of at most UVSD_RULES_MAX bytes without NUL bytes, NUL-terminated,
 * for the caller to free; NULL with errno set and what is wrong in why (len bytes):
 * "a FIFO, not a regular file", "line 3: a NUL byte: not a text file", strerror's
 * text... Never blocks on a FIFO.
 */
char *uvsd_read_text(const char *path, struct uvs_error *why);

#endif
