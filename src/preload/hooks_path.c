// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The ways a program asks about a path, intercepted for the files and directories the
 * library makes (vfile.h): the stat family (stat, lstat, fstatat and their 64-bit
 * forms, statx), the access family (access, faccessat, euidaccess, eaccess),
 * extended attributes (getxattr, lgetxattr, listxattr, llistxattr: none, as /proc has
 * none; ls -l asks for SELinux labels and ACLs) and realpath (and its fortified form). A path of
 * the library's has no symbolic links, so lstat is stat. The *at forms take a library path by its
 * absolute path only, as openat. Every other path goes to the C library unchanged.
 */
/* The hooks define the C library's own names: no header may rename them (stat as
 * stat64 for large files) or wrap them (fortified inline versions). */
#undef _FILE_OFFSET_BITS
#undef _FORTIFY_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "real.h"
#include "vfile.h"

#define EXPORT __attribute__((visibility("default")))

/* The C library's fortified realpath (<bits/stdlib.h> declares it only when
 * fortifying). */
char *__realpath_chk(const char *path, char *resolved, size_t resolvedlen);

/* The *at forms' path names a library path only if absolute. */
static int vfile_stat_at(const char *path, struct uvs_vfile_stat *vs)
{
	return path && path[0] == '/' ? uvs_vfile_stat(path, vs) : UVS_VFILE_PASS;
}

/* Puts what the provider says over the status of the kernel's path it is like. */
#define FILL_STAT(st, vs)                                                                          \
	do {                                                                                       \
		(st)->st_mode = (vs)->mode;                                                        \
		(st)->st_ino = (vs)->ino;                                                          \
		(st)->st_nlink = 1;                                                                \
		(st)->st_size = 0;                                                                 \
		(st)->st_blocks = 0;                                                               \
	} while (0)

static int fill_stat(const struct uvs_vfile_stat *vs, struct stat *st)
{
	if (uvs_real()->stat(vs->like, st) < 0)
		memset(st, 0, sizeof(*st));
	FILL_STAT(st, vs);
	return 0;
}

static int fill_stat64(const struct uvs_vfile_stat *vs, struct stat64 *st)
{
	if (uvs_real()->stat64(vs->like, st) < 0)
		memset(st, 0, sizeof(*st));
	FILL_STAT(st, vs);
	return 0;
}

EXPORT int stat(const char *path, struct stat *st)
{
	struct uvs_vfile_stat vs;
	int ret = uvs_vfile_stat(path, &vs);

	if (ret == UVS_VFILE_PASS)
		return uvs_real()->stat(path, st);
	return ret < 0 ? ret : fill_stat(&vs, st);
}

EXPORT int stat64(const char *path, struct stat64 *st)
{
	struct uvs_vfile_stat vs;
	int ret = uvs_vfile_stat(path, &vs);

	if (ret == UVS_VFILE_PASS)
		return uvs_real()->stat64(path, st);
	return ret < 0 ? ret : fill_stat64(&vs, st);
}

EXPORT int lstat(const char *path, struct stat *st)
{
	struct uvs_vfile_stat vs;
	int ret = uvs_vfile_stat(path, &vs);

	if (ret == UVS_VFILE_PASS)
		return uvs_real()->lstat(path, st);
	return ret < 0 ? ret : fill_stat(&vs, st);
}

EXPORT int lstat64(const char *path, struct stat64 *st)
{
	struct uvs_vfile_stat vs;
	int ret = uvs_vfile_stat(path, &vs);

	if (ret == UVS_VFILE_PASS)
		return uvs_real()->lstat64(path, st);
	return ret < 0 ? ret : fill_stat64(&vs, st);
}

EXPORT int fstatat(int dirfd, const char *path, struct stat *st, int flags)
{
	struct uvs_vfile_stat vs;
	int ret = vfile_stat_at(path, &vs);

	if (ret == UVS_VFILE_PASS)
		return uvs_real()->fstatat(dirfd, path, st, flags);
	return ret < 0 ? ret : fill_stat(&vs, st);
}

EXPORT int fstatat64(int dirfd, const char *path, struct stat64 *st, int flags)
{
	struct uvs_vfile_stat vs;
	int ret = vfile_stat_at(path, &vs);

	if (ret == UVS_VFILE_PASS)
		return uvs_real()->fstatat64(dirfd, path, st, flags);
	return ret < 0 ? ret : fill_stat64(&vs, st);
}

EXPORT int statx(int dirfd, const char *path, int flags, unsigned int mask, struct statx *stx)
{
	struct uvs_vfile_stat vs;
	int ret = vfile_stat_at(path, &vs);

	if (ret == UVS_VFILE_PASS)
		return uvs_real()->statx(dirfd, path, flags, mask, stx);
	if (ret < 0)
		return ret;
	if (uvs_real()->statx(AT_FDCWD, vs.like, 0, mask, stx) < 0)
		memset(stx, 0, sizeof(*stx));
	stx->stx_mask |=
		STATX_TYPE | STATX_MODE | STATX_INO | STATX_NLINK | STATX_SIZE | STATX_BLOCKS;
	stx->stx_mode = (uint16_t)vs.mode;
	stx->stx_ino = vs.ino;
	stx->stx_nlink = 1;
	stx->stx_size = 0;
	stx->stx_blocks = 0;
	return 0;
}

/* access(2)'s answer for a library path: its mode's owner bits (root owns /proc/sys)
 * for root, its other bits for anyone else. */
static int vfile_access(const struct uvs_vfile_stat *vs, int mode, bool effective)
{
	uid_t uid = effective ? geteuid() : getuid();
	mode_t bits = uid == 0 ? (vs->mode >> 6) & 7 : vs->mode & 7;

	if (uid == 0 && S_ISDIR(vs->mode))
		bits |= R_OK | W_OK; /* root reads and writes any directory */
	if (uid == 0 && (vs->mode & 0111))
		bits |= X_OK;
	if (mode != F_OK && (mode & ~(int)bits & (R_OK | W_OK | X_OK))) {
		errno = EACCES;
		return -1;
	}
	return 0;
}

EXPORT int access(const char *path, int mode)
{
	struct uvs_vfile_stat vs;
	int ret = uvs_vfile_stat(path, &vs);

	if (ret == UVS_VFILE_PASS)
		return uvs_real()->access(path, mode);
	return ret < 0 ? ret : vfile_access(&vs, mode, false);
}

EXPORT int faccessat(int dirfd, const char *path, int mode, int flags)
{
	struct uvs_vfile_stat vs;
	int ret = vfile_stat_at(path, &vs);

	if (ret == UVS_VFILE_PASS)
		return uvs_real()->faccessat(dirfd, path, mode, flags);
	return ret < 0 ? ret : vfile_access(&vs, mode, flags & AT_EACCESS);
}

EXPORT int euidaccess(const char *path, int mode)
{
	struct uvs_vfile_stat vs;
	int ret = uvs_vfile_stat(path, &vs);

	if (ret == UVS_VFILE_PASS)
		return uvs_real()->euidaccess(path, mode);
	return ret < 0 ? ret : vfile_access(&vs, mode, true);
}

EXPORT int eaccess(const char *path, int mode)
{
	struct uvs_vfile_stat vs;
	int ret = uvs_vfile_stat(path, &vs);

	if (ret == UVS_VFILE_PASS)
		return uvs_real()->eaccess(path, mode);
	return ret < 0 ? ret : vfile_access(&vs, mode, true);
}

/* /proc's files have no extended attributes: -1 with EOPNOTSUPP, as the kernel's. */
static ssize_t no_xattr(int ret)
{
	if (ret < 0)
		return ret;
	errno = EOPNOTSUPP;
	return -1;
}

EXPORT ssize_t getxattr(const char *path, const char *name, void *value, size_t size)
{
	struct uvs_vfile_stat vs;
	int ret = uvs_vfile_stat(path, &vs);

	if (ret == UVS_VFILE_PASS)
		return uvs_real()->getxattr(path, name, value, size);
	return no_xattr(ret);
}

EXPORT ssize_t lgetxattr(const char *path, const char *name, void *value, size_t size)
{
	struct uvs_vfile_stat vs;
	int ret = uvs_vfile_stat(path, &vs);

	if (ret == UVS_VFILE_PASS)
		return uvs_real()->lgetxattr(path, name, value, size);
	return no_xattr(ret);
}

/* An empty list, as the kernel gives for a /proc file. */
EXPORT ssize_t listxattr(const char *path, char *list, size_t size)
{
	struct uvs_vfile_stat vs;
	int ret = uvs_vfile_stat(path, &vs);

	if (ret == UVS_VFILE_PASS)
		return uvs_real()->listxattr(path, list, size);
	return ret < 0 ? ret : 0;
}

EXPORT ssize_t llistxattr(const char *path, char *list, size_t size)
{
	struct uvs_vfile_stat vs;
	int ret = uvs_vfile_stat(path, &vs);

	if (ret == UVS_VFILE_PASS)
		return uvs_real()->llistxattr(path, list, size);
	return ret < 0 ? ret : 0;
}

/*
 * A library path that exists is its own real path, less a trailing slash (the
 * providers take only paths without "." or ".." components or repeated slashes).
 * Into resolved (room bytes) or, if NULL, a new string. NULL with errno set.
 */
static char *vfile_realpath(const char *path, char *resolved, size_t room)
{
	size_t n = strlen(path);

	while (n > 1 && path[n - 1] == '/')
		n--;
	if (!resolved)
		return strndup(path, n);
	if (n >= room) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	memcpy(resolved, path, n);
	resolved[n] = '\0';
	return resolved;
}

EXPORT char *realpath(const char *path, char *resolved)
{
	struct uvs_vfile_stat vs;
	int ret = uvs_vfile_stat(path, &vs);

	if (ret == UVS_VFILE_PASS)
		return uvs_real()->realpath(path, resolved);
	return ret < 0 ? NULL : vfile_realpath(path, resolved, PATH_MAX);
}

EXPORT char *__realpath_chk(const char *path, char *resolved, size_t resolvedlen)
{
	struct uvs_vfile_stat vs;
	int ret = uvs_vfile_stat(path, &vs);

	if (ret == UVS_VFILE_PASS)
		return uvs_real()->realpath_chk(path, resolved, resolvedlen);
	return ret < 0 ? NULL : vfile_realpath(path, resolved, resolvedlen);
}
