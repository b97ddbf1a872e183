/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Files the preload library makes instead of the kernel's: each provider (one file per
 * job) knows its paths and opens them as a memory file (memfd) holding uvsd's answer,
 * so that every way of reading a file (read, stdio, mmap) works on it unchanged.
 *
 * Providers: procnet.c, /proc/net/ip_vs*. The IPVS sysctls (the files of /proc/sys/net/ipv4/vs/)
 * are to be a provider of their own beside it, once uvsd has those settings; being
 * writable, that one will also want a hook on close to send what was written.
 */
#ifndef UVS_PRELOAD_VFILE_H
#define UVS_PRELOAD_VFILE_H

#include <stdbool.h>

/* What a provider's open returns for a path or a mode it leaves to the kernel. */
#define UVS_VFILE_PASS (-2)

struct uvs_vfile_provider {
	/* An fd for path opened with flags (open(2)'s), -1 with errno set if it is the
	 * provider's path but cannot be made, or UVS_VFILE_PASS. */
	int (*open)(const char *path, int flags);
};

extern const struct uvs_vfile_provider uvs_procnet_provider;

/* Asks each provider in turn; UVS_VFILE_PASS if none takes path. */
int uvs_vfile_open(const char *path, int flags);

/* The open(2) flags fopen's mode stands for ("r", "re", "w+", ...); false for a mode
 * that is not one. */
bool uvs_vfile_fopen_flags(const char *mode, int *flags);

#endif
