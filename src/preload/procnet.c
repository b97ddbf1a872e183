// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * /proc/net/ip_vs, ip_vs_conn, ip_vs_stats and ip_vs_stats_percpu (also under
 * /proc/self/net/), opened for reading: uvsd's services, counters and connections in
 * the kernel's text (adm/procnet.h), fetched over a control connection of their own
 * when the file is opened, as the kernel's are made when read.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "adm/procnet.h"
#include "common.h"
#include "ctl/client.h"
#include "vfile.h"

/* The name under /proc/net of the file at path (one of adm/procnet.h's), or NULL. */
static const char *file_of(const char *path)
{
	static const char *const dirs[] = { "/proc/net/", "/proc/self/net/" };

	for (size_t d = 0; d < sizeof(dirs) / sizeof(dirs[0]); d++) {
		size_t n = strlen(dirs[d]);
		if (!strncmp(path, dirs[d], n) && uvs_procnet_known(path + n))
			return path + n;
	}
	return NULL;
}

static int procnet_open(const char *path, int flags)
{
	struct uvs_error err = { "" };
	struct uvs_ctl_client *c;
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	const char *name = file_of(path);
	int ret, fd;

	/* Writing is the kernel's to refuse. */
	if (!name || (flags & O_ACCMODE) != O_RDONLY)
		return UVS_VFILE_PASS;
	ret = uvs_ctl_client_open(uvs_preload_socket(), UVS_CTL_CLIENT_TIMEOUT_DEF, &c);
	if (ret < 0) {
		uvs_preload_report("%s: cannot reach uvsd at %s: %s", path, uvs_preload_socket(),
				   strerror(-ret));
		errno = -ret;
		return -1;
	}
	if (!(f = open_memstream(&text, &len))) {
		uvs_ctl_client_close(c);
		return -1;
	}
	ret = uvs_procnet_write(c, name, f, &err);
	uvs_ctl_client_close(c);
	if (fclose(f) != 0 && !ret)
		ret = -ENOMEM;
	if (ret < 0) {
		uvs_preload_report("%s: uvsd at %s: %s", path, uvs_preload_socket(),
				   err.msg[0] ? err.msg : strerror(-ret));
		free(text);
		errno = -ret;
		return -1;
	}
	fd = uvs_vfile_memory(name, text, len, flags);
	free(text);
	return fd;
}

const struct uvs_vfile_provider uvs_procnet_provider = { .open = procnet_open };
