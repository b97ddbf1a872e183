// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * /proc/net/ip_vs, ip_vs_conn, ip_vs_stats and ip_vs_stats_percpu (also under
 * /proc/self/net/), opened for reading: uvsd's services, counters and connections in
 * the kernel's text (procnet_fmt.h), fetched over a control connection of their own
 * when the file is opened, as the kernel's are made when read.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "ctl/client.h"
#include "procnet_fmt.h"
#include "vfile.h"

typedef int (*fill_fn)(struct uvs_ctl_client *c, FILE *f, struct uvs_error *err);

static int fill_info(struct uvs_ctl_client *c, FILE *f, struct uvs_error *err)
{
	struct uvs_snap snap = { 0 };
	uint32_t version, size;
	int ret = uvs_ctl_get_info(c, &version, &size, err);

	if (!ret)
		ret = uvs_ctl_get_snap(c, NULL, false, &snap, err);
	if (!ret)
		uvs_procnet_info(f, &snap, size);
	uvs_snap_free(&snap);
	return ret;
}

static int fill_stats(struct uvs_ctl_client *c, FILE *f, struct uvs_error *err)
{
	struct uvs_snap snap = { 0 };
	int ret = uvs_ctl_get_snap(c, NULL, false, &snap, err);

	if (!ret)
		uvs_procnet_stats(f, &snap);
	uvs_snap_free(&snap);
	return ret;
}

static int fill_percpu(struct uvs_ctl_client *c, FILE *f, struct uvs_error *err)
{
	struct uvs_snap snap = { 0 };
	int ret = uvs_ctl_get_snap(c, NULL, false, &snap, err);

	if (!ret)
		uvs_procnet_stats_percpu(f, &snap);
	uvs_snap_free(&snap);
	return ret;
}

static int put_conn(void *arg, const struct uvs_ctl_conn *conn)
{
	uvs_procnet_conn(arg, conn);
	return 0;
}

static int fill_conn(struct uvs_ctl_client *c, FILE *f, struct uvs_error *err)
{
	uvs_procnet_conn_title(f);
	return uvs_ctl_get_conns(c, put_conn, f, err);
}

static const struct {
	const char *name;
	fill_fn fill;
} files[] = {
	{ "ip_vs", fill_info },
	{ "ip_vs_conn", fill_conn },
	{ "ip_vs_stats", fill_stats },
	{ "ip_vs_stats_percpu", fill_percpu },
};

/* The file path names, or -1. */
static int file_of(const char *path)
{
	static const char *const dirs[] = { "/proc/net/", "/proc/self/net/" };

	for (size_t d = 0; d < sizeof(dirs) / sizeof(dirs[0]); d++) {
		size_t n = strlen(dirs[d]);
		if (strncmp(path, dirs[d], n))
			continue;
		for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
			if (!strcmp(path + n, files[i].name))
				return (int)i;
		}
	}
	return -1;
}

static int procnet_open(const char *path, int flags)
{
	struct uvs_error err = { "" };
	struct uvs_ctl_client *c;
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	int i = file_of(path), ret, fd;

	/* Writing is the kernel's to refuse. */
	if (i < 0 || (flags & O_ACCMODE) != O_RDONLY)
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
	ret = files[i].fill(c, f, &err);
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
	fd = uvs_vfile_memory(files[i].name, text, len, flags);
	free(text);
	return fd;
}

const struct uvs_vfile_provider uvs_procnet_provider = { .open = procnet_open };
