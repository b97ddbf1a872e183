// SPDX-License-Identifier: GPL-2.0-or-later
/* The /proc/net/ip_vs* files made from uvsd's answers, as the kernel makes them when
 * they are read: for the preload library and uvsadm --proc (procnet.h). */
#include <errno.h>
#include <string.h>

#include "procnet.h"

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

static int file_index(const char *name)
{
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		if (!strcmp(name, files[i].name))
			return (int)i;
	return -1;
}

bool uvs_procnet_known(const char *name)
{
	return file_index(name) >= 0;
}

int uvs_procnet_write(struct uvs_ctl_client *c, const char *name, FILE *f, struct uvs_error *err)
{
	int i = file_index(name);

	if (i < 0)
		return uvs_errorf(
			err, ENOENT,
			"no file %s: ip_vs, ip_vs_conn, ip_vs_stats or ip_vs_stats_percpu", name);
	return files[i].fill(c, f, err);
}
