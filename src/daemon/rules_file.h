/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Loading an `ipvsadm -S` rules file into a running engine (--rules, and SIGHUP). */
#ifndef UVS_DAEMON_RULES_FILE_H
#define UVS_DAEMON_RULES_FILE_H

#include "core/engine.h"

/* Largest rules file read: 100,000 lines of ipvsadm fit many times over. */
#define UVSD_RULES_MAX (64u << 20)

/*
 * Loads the rules file at path into e's model and timeouts (--rules at start, and on
 * SIGHUP). The file declares a part of the configuration: its services and real
 * servers are added, or edited to what it says (the file wins for what it declares),
 * its --set is applied; what *declared (the previous load's declaration; NULL for
 * none) holds and the file no longer declares is removed, a service with all its real
 * servers; services and real servers that no load of the file declared (added by
 * uvsadm or keepalived) are left alone. Only the differences are applied
 * (uvs_adm_reload_plan), with the workers paused meanwhile so that they see the old
 * set or the new one, never a mix.
 *
 * On success *declared is replaced by the file's declaration (the old one freed). A
 * file that cannot be read, is too big or is refused changes nothing. Logs what
 * happened (a file without rules that removes services, at warning level). Returns 0
 * or a negative errno. Called from the one control thread (registered with RCU).
 */
int uvsd_rules_file_apply(struct uvs_engine *e, const char *path, char **declared);

/*
 * A regular file of at most UVSD_RULES_MAX bytes without NUL bytes, NUL-terminated,
 * for the caller to free; NULL with errno set and what is wrong in why (len bytes):
 * "a FIFO, not a regular file", "line 3: a NUL byte: not a text file", strerror's
 * text... Never blocks on a FIFO.
 */
char *uvsd_read_text(const char *path, struct uvs_error *why);

#endif
