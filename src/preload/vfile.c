// SPDX-License-Identifier: GPL-2.0-or-later
/* The list of file providers, and fopen's modes as open flags. */
#include "vfile.h"

#include <fcntl.h>
#include <stddef.h>

static const struct uvs_vfile_provider *const providers[] = {
	&uvs_procnet_provider,
};

int uvs_vfile_open(const char *path, int flags)
{
	if (!path)
		return UVS_VFILE_PASS;
	for (size_t i = 0; i < sizeof(providers) / sizeof(providers[0]); i++) {
		int fd = providers[i]->open(path, flags);
		if (fd != UVS_VFILE_PASS)
			return fd;
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
