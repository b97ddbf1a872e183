/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Files and directories the preload library makes instead of the kernel's: each
 * provider (one file per job) knows its paths. A file opened for reading is a memory
 * file (memfd) holding uvsd's answer, so that every way of reading a file (read,
 * stdio, mmap) works on it unchanged; one opened for writing is a memory file the
 * library tracks (vfile_fd.h), whose writes go to uvsd. A provider may also give a
 * path's status (stat, access, realpath) and list a directory, or add entries to the
 * kernel's listing of one.
 *
 * Providers: procnet.c, /proc/net/ip_vs*; procsys.c, the IPVS sysctls
 * (/proc/sys/net/ipv4/vs/).
 */
#ifndef UVS_PRELOAD_VFILE_H
#define UVS_PRELOAD_VFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* What a provider's functions return for a path they leave to the kernel. */
#define UVS_VFILE_PASS (-2)

#define UVS_VFILE_NAME_MAX 64 /* a directory entry's name with its NUL */

/* An entry of a directory listing a provider makes. */
struct uvs_vfile_dirent {
	char name[UVS_VFILE_NAME_MAX];
	unsigned char type; /* DT_REG or DT_DIR */
	uint64_t ino;
};

/* What a provider says of a path of its own that exists; the rest of its status
 * (device, owner, times) is that of the kernel's path `like`, its size 0, one link. */
struct uvs_vfile_stat {
	mode_t mode; /* S_IFREG | 0644, S_IFDIR | 0555, ... */
	uint64_t ino;
	const char *like;
};

/* A provider's listing of a directory. */
struct uvs_vfile_dir {
	/* true: the whole listing (after "." and ".."); false: entries the kernel's
	 * listing lacks, each put in its place in the kernel's name order. */
	bool replace;
	struct uvs_vfile_dirent *ents; /* malloc'ed, sorted by name (bytes); caller frees */
	size_t n;
};

struct uvs_vfile_provider {
	/* An fd for path opened with flags (open(2)'s), -1 with errno set if it is the
	 * provider's path but cannot be made, or UVS_VFILE_PASS. */
	int (*open)(const char *path, int flags);
	/* Fills *st for path: 0, -1 with errno set (ENOENT: a path of the provider's
	 * that does not exist), or UVS_VFILE_PASS. NULL: the provider has no such paths. */
	int (*stat)(const char *path, struct uvs_vfile_stat *st);
	/* Fills *d for directory path: 0, -1 with errno set, or UVS_VFILE_PASS. NULL as
	 * stat. */
	int (*list)(const char *path, struct uvs_vfile_dir *d);
};

extern const struct uvs_vfile_provider uvs_procnet_provider;
extern const struct uvs_vfile_provider uvs_procsys_provider;

/* Asks each provider in turn; UVS_VFILE_PASS if none takes path. */
int uvs_vfile_open(const char *path, int flags);
int uvs_vfile_stat(const char *path, struct uvs_vfile_stat *st);
int uvs_vfile_list(const char *path, struct uvs_vfile_dir *d);

/* The open(2) flags fopen's mode stands for ("r", "re", "w+", ...); false for a mode
 * that is not one. */
bool uvs_vfile_fopen_flags(const char *mode, int *flags);

/* A memory file named name holding buf..buf+len, opened at offset 0 with the access
 * mode, O_APPEND and O_CLOEXEC of flags (open(2)'s; O_TRUNC and the like are not for
 * a /proc file). Returns its fd, or -1 with errno set. */
int uvs_vfile_memory(const char *name, const char *buf, size_t len, int flags);

#endif
