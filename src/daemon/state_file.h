/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * uvsd's state file on disk: one uvsd per file (a lock), read at start, replaced
 * atomically. A write goes to FILE.new in the same directory, is flushed to the disk
 * (fsync), renamed over FILE, and the directory is flushed too: at every moment FILE
 * is a whole state, the last one or the one before, even if uvsd or the machine dies
 * during the write. The text is state_text.h's.
 */
#ifndef UVS_DAEMON_STATE_FILE_H
#define UVS_DAEMON_STATE_FILE_H

#include <stdbool.h>

#include "base/error.h"
#include "state_text.h"

/* Where uvsd keeps its state if not told (--state), when it serves the default
 * control socket. */
#define UVSD_STATE_DEFAULT "/var/lib/uvsd/state"

struct uvsd_state_file;

/*
 * Opens the state file at path (absolute) for this process: makes its directory if it
 * is missing (mode 0700; its parent must exist) and takes the lock FILE.lock, held
 * until uvsd_state_file_close or the process ends, however it ends. Returns 0 with
 * *out set, -EBUSY if another process holds the lock (the message names its PID), or
 * another negative errno; the message in *err.
 */
int uvsd_state_file_open(const char *path, struct uvsd_state_file **out, struct uvs_error *err);

/*
 * The file's text, NUL-terminated, for the caller to free. NULL with *missing set if
 * there is no file (a first start); NULL with *missing clear and the reason in *err if
 * it cannot be read (not a regular file, a NUL byte, too big, permissions...).
 */
char *uvsd_state_file_read(struct uvsd_state_file *sf, bool *missing, struct uvs_error *err);

/*
 * Writes src's state to the file as above. Returns 0, or a negative errno with *err
 * saying which step failed; the file then holds what it held before, and FILE.new is
 * removed. Control thread.
 */
int uvsd_state_file_save(struct uvsd_state_file *sf, const struct uvsd_state_src *src,
			 struct uvs_error *err);

/* The file's path. */
const char *uvsd_state_file_path(const struct uvsd_state_file *sf);

/* Gives the lock up and frees sf; the file stays. Accepts NULL. */
void uvsd_state_file_close(struct uvsd_state_file *sf);

#endif
