// SPDX-License-Identifier: GPL-2.0-or-later
/* The list of file providers, fopen's modes as open flags, and memory files. */
#include "vfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "real.h"

static const struct uvs_vfile_provider *const providers[] = {
	&uvs_procnet_provider,
	&uvs_procsys_provider,
};

#define NPROVIDERS (sizeof(providers) / sizeof(providers[0]))

int uvs_vfile_open(const char *path, int flags)
{
	if (!path)
		return UVS_VFILE_PASS;
	for (size_t i = 0; i < NPROVIDERS; i++) {
		int fd = providers[i]->open(path, flags);
		if (fd != UVS_VFILE_PASS)
			return fd;
	}
	return UVS_VFILE_PASS;
}

int uvs_vfile_stat(const char *path, struct uvs_vfile_stat *st)
{
	if (!path || !st)
		return UVS_VFILE_PASS;
	for (size_t i = 0; i < NPROVIDERS; i++) {
		int ret = providers[i]->stat ? providers[i]->stat(path, st) : UVS_VFILE_PASS;
		if (ret != UVS_VFILE_PASS)
			return ret;
	}
	return UVS_VFILE_PASS;
}

int uvs_vfile_list(const char *path, struct uvs_vfile_dir *d)
{
	if (!path)
		return UVS_VFILE_PASS;
	for (size_t i = 0; i < NPROVIDERS; i++) {
		int ret = providers[i]->list ? providers[i]->list(path, d) : UVS_VFILE_PASS;
		if (ret != UVS_VFILE_PASS)
			return ret;
	}
	return UVS_VFILE_PASS;
}

bool uvs_vfile_fopen_flags(const char *mode, int *flags)
{
	int f;

	switch (mode[0]) {
	case 'r':
		f = O_RDONLY;
		break;
	case 'w':
		f = O_WRONLY | O_CREAT | O_TRUNC;
		break;
	case 'a':
		f = O_WRONLY | O_CREAT | O_APPEND;
		break;
	default:
		return false;
	}
	for (const char *p = mode + 1; *p; p++) {
		if (*p == '+')
			f = (f & ~O_ACCMODE) | O_RDWR;
		else if (*p == 'e')
			f |= O_CLOEXEC;
		else if (*p == 'x')
			f |= O_EXCL;
	}
	*flags = f;
	return true;
}

int uvs_vfile_memory(const char *name, const char *buf, size_t len, int flags)
{
	const struct uvs_real *r = uvs_real();
	int fd = memfd_create(name, MFD_CLOEXEC), saved, own;
	char path[40];

	if (fd < 0)
		return -1;
	for (size_t done = 0; done < len;) {
		ssize_t n = r->write(fd, buf + done, len - done);
		if (n < 0)
			goto fail;
		done += (size_t)n;
	}
	/* A description of its own with the access asked for: a file opened for reading
	 * is not writable, nor one opened for writing readable, as the kernel's. */
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	own = r->open(path, flags & (O_ACCMODE | O_APPEND | O_CLOEXEC));
	if (own < 0)
		goto fail;
	r->close(fd);
	return own;
fail:
	saved = errno;
	r->close(fd);
	errno = saved;
	return -1;
}
