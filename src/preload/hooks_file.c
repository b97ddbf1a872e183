// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The ways a program opens a file by name, intercepted for the files the library makes
 * (vfile.h): open, openat and their 64-bit and fortified (_FORTIFY_SOURCE) forms, and
 * stdio's fopen. Every other path goes to the C library unchanged. openat takes a
 * library file by its absolute path only (dirfd is then ignored, as by the kernel).
 */
/* The hooks define the C library's own names: no header may rename them (open as
 * open64 for large files) or wrap them (fortified inline versions). */
#undef _FILE_OFFSET_BITS
#undef _FORTIFY_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "real.h"
#include "vfile.h"
#include "vfile_fd.h"

#define EXPORT __attribute__((visibility("default")))

/* The C library's fortified forms of open (<bits/fcntl2.h> declares them only when
 * fortifying). */
int __open_2(const char *path, int flags);
int __open64_2(const char *path, int flags);
int __openat_2(int dirfd, const char *path, int flags);
int __openat64_2(int dirfd, const char *path, int flags);

/* openat's path names a library file only if absolute (a relative one is the
 * directory's). */
static int vfile_openat(const char *path, int flags)
{
	return path && path[0] == '/' ? uvs_vfile_open(path, flags) : UVS_VFILE_PASS;
}

/* open's third argument, read only when the flags say it is there. */
#define MODE_ARG(flags, mode)                                                                      \
	do {                                                                                       \
		if ((flags) & (O_CREAT | O_TMPFILE)) {                                             \
			va_list ap;                                                                \
			va_start(ap, flags);                                                       \
			mode = va_arg(ap, mode_t);                                                 \
			va_end(ap);                                                                \
		}                                                                                  \
	} while (0)

EXPORT int open(const char *path, int flags, ...)
{
	mode_t mode = 0;
	int fd = uvs_vfile_open(path, flags);

	if (fd != UVS_VFILE_PASS)
		return fd;
	MODE_ARG(flags, mode);
	return uvs_real()->open(path, flags, mode);
}

EXPORT int open64(const char *path, int flags, ...)
{
	mode_t mode = 0;
	int fd = uvs_vfile_open(path, flags);

	if (fd != UVS_VFILE_PASS)
		return fd;
	MODE_ARG(flags, mode);
	return uvs_real()->open64(path, flags, mode);
}

EXPORT int openat(int dirfd, const char *path, int flags, ...)
{
	mode_t mode = 0;
	int fd = vfile_openat(path, flags);

	if (fd != UVS_VFILE_PASS)
		return fd;
	MODE_ARG(flags, mode);
	return uvs_real()->openat(dirfd, path, flags, mode);
}

EXPORT int openat64(int dirfd, const char *path, int flags, ...)
{
	mode_t mode = 0;
	int fd = vfile_openat(path, flags);

	if (fd != UVS_VFILE_PASS)
		return fd;
	MODE_ARG(flags, mode);
	return uvs_real()->openat64(dirfd, path, flags, mode);
}

EXPORT int __open_2(const char *path, int flags)
{
	int fd = uvs_vfile_open(path, flags);

	return fd != UVS_VFILE_PASS ? fd : uvs_real()->open_2(path, flags);
}

EXPORT int __open64_2(const char *path, int flags)
{
	int fd = uvs_vfile_open(path, flags);

	return fd != UVS_VFILE_PASS ? fd : uvs_real()->open64_2(path, flags);
}

EXPORT int __openat_2(int dirfd, const char *path, int flags)
{
	int fd = vfile_openat(path, flags);

	return fd != UVS_VFILE_PASS ? fd : uvs_real()->openat_2(dirfd, path, flags);
}

EXPORT int __openat64_2(int dirfd, const char *path, int flags)
{
	int fd = vfile_openat(path, flags);

	return fd != UVS_VFILE_PASS ? fd : uvs_real()->openat64_2(dirfd, path, flags);
}

/* A library file as a stream, or NULL with *taken false for the C library's files. */
static FILE *vfile_fopen(const char *path, const char *mode, bool *taken)
{
	int flags, fd;
	FILE *f;

	*taken = false;
	if (!path || !mode || !uvs_vfile_fopen_flags(mode, &flags))
		return NULL;
	fd = uvs_vfile_open(path, flags);
	if (fd == UVS_VFILE_PASS)
		return NULL;
	*taken = true;
	if (fd < 0)
		return NULL;
	/* stdio writes a stream of its own past the hooks: a file opened for writing gets
	 * a stream whose writes the library sees. */
	f = uvs_vfd_tracked(fd) ? uvs_vfd_fopen(fd, mode) : fdopen(fd, mode);
	if (!f) {
		int saved = errno;
		uvs_real()->close(fd);
		errno = saved;
	}
	return f;
}

EXPORT FILE *fopen(const char *path, const char *mode)
{
	bool taken;
	FILE *f = vfile_fopen(path, mode, &taken);

	return taken ? f : uvs_real()->fopen(path, mode);
}

EXPORT FILE *fopen64(const char *path, const char *mode)
{
	bool taken;
	FILE *f = vfile_fopen(path, mode, &taken);

	return taken ? f : uvs_real()->fopen64(path, mode);
}
