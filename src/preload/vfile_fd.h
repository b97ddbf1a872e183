/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The library's files opened for writing (vfile.h), by fd. Each is a memory file the
 * library tracks. A write(2) through the hook is applied at once, as the kernel
 * applies a write to a /proc/sys file: only at offset 0 (a write further on is ignored
 * and counted as written, as with the kernel's default sysctl_writes_strict=1), the
 * position then moved on, and the provider's error returned to the writer with its
 * errno (EINVAL for a bad value).
 *
 * Writes the hooks cannot see — the C library's stdio writing a stream of its own, as
 * bash's builtin echo does, or a program started with the file as its stdout — land in
 * the memory file. What differs there from the text the file was opened with is
 * applied when the program's last descriptor of it is closed through the hooks
 * (close, dup2, dup3), or else when the program exits; a failure then is told on
 * stderr (and returned by close). A program started with such a file (a shell's
 * redirection, then exec) takes it over at start: the memory file's name says what it
 * is.
 *
 * Threading: one lock guards the table; it is never held while a file is applied (that
 * talks to uvsd through hooked calls).
 */
#ifndef UVS_PRELOAD_VFILE_FD_H
#define UVS_PRELOAD_VFILE_FD_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include "base/error.h"

/* What a kind of writable file does with what is written to it. */
struct uvs_vfd_ops {
	/* The start of its memory files' names; the name is this and the file's key. */
	const char *prefix;
	/* Applies text (len bytes, as written at offset 0, not NUL-terminated) to the file
	 * of key. Returns 0, or a negative errno with the reason in *err. */
	int (*commit)(const char *key, const char *text, size_t len, struct uvs_error *err);
};

extern const struct uvs_vfd_ops uvs_procsys_wops;

/* Whether any file is tracked: a cheap test before the lock. */
bool uvs_vfd_any(void);

/*
 * Tracks fd, a memory file named ops->prefix + key opened with flags (open(2)'s) and
 * holding initial (len bytes) at offset 0. Returns 0, or a negative errno (fd is then
 * not tracked; the caller closes it).
 */
int uvs_vfd_track(int fd, const struct uvs_vfd_ops *ops, const char *key, int flags,
		  const char *initial, size_t len);

/* write(2) on fd if fd is a tracked file: true with *ret (and errno) as write returns
 * them; false for any other fd. */
bool uvs_vfd_write(int fd, const void *buf, size_t len, ssize_t *ret);

/* Whether fd is a tracked file. */
bool uvs_vfd_tracked(int fd);

/*
 * fd is about to be closed, or replaced by dup2/dup3. If it was a tracked file's last
 * descriptor, what was written past the hooks is applied now and the file forgotten.
 * Returns 0, or the negative errno of that (told on stderr).
 */
int uvs_vfd_closing(int fd);

/* newfd has become a copy of oldfd (dup, dup2, dup3): a copy of a tracked file is
 * tracked too. */
void uvs_vfd_dup(int oldfd, int newfd);

/* A stream on the tracked file fd (fopen's), whose writes and close go through the
 * functions above: stdio's own writes never reach the hooks. NULL with errno set. */
FILE *uvs_vfd_fopen(int fd, const char *mode);

#endif
