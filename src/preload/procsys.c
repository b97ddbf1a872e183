// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * /proc/sys/net/ipv4/vs/: the IPVS sysctls uvsd has, as the kernel's files. Each file
 * is read and written through its own control connection (GET_SYSCTL, SET_SYSCTL),
 * when it is opened, and when it is written (vfile_fd.h); the directory lists uvsd's
 * names, and /proc/sys/net/ipv4 gains "vs" where the kernel has no IPVS, so that
 * `sysctl -a` walks into it. A name uvsd does not have is a missing file (ENOENT), as
 * on a kernel built without it; for one the kernel has and uvs refuses, uvsd's reason
 * is told on stderr when it is looked up.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common.h"
#include "core/sysctl.h"
#include "ctl/client.h"
#include "real.h"
#include "vfile.h"
#include "vfile_fd.h"

#define PARENT	 "/proc/sys/net/ipv4"
#define DIR_PATH PARENT "/vs"

/* What a path is to this provider. */
enum kind {
	K_OTHER,  /* not this provider's */
	K_PARENT, /* /proc/sys/net/ipv4: the kernel's, with "vs" in its listing */
	K_DIR,	  /* /proc/sys/net/ipv4/vs */
	K_FILE,	  /* /proc/sys/net/ipv4/vs/NAME */
};

/* Whether path is dir, with or without one slash after it. */
static bool is_dir(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return !strncmp(path, dir, n) && (!path[n] || !strcmp(path + n, "/"));
}

static enum kind kind_of(const char *path, const char **name)
{
	const char *rest;

	if (is_dir(path, PARENT))
		return K_PARENT;
	if (is_dir(path, DIR_PATH))
		return K_DIR;
	if (strncmp(path, DIR_PATH "/", sizeof(DIR_PATH)))
		return K_OTHER;
	rest = path + sizeof(DIR_PATH);
	/* Deeper paths, "." and "..": the kernel's to answer (no such file). */
	if (strchr(rest, '/') || !strcmp(rest, ".") || !strcmp(rest, ".."))
		return K_OTHER;
	*name = rest;
	return K_FILE;
}

/* An inode number for a name (FNV-1a), stable for the directory's listing and stat. */
static uint64_t ino_of(const char *name)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (; *name; name++)
		h = (h ^ (unsigned char)*name) * 0x100000001b3ull;
	return h | 1;
}

/* A control connection, or -1 with errno set and the reason told. */
static struct uvs_ctl_client *connect_uvsd(const char *path)
{
	struct uvs_ctl_client *c;
	int ret = uvs_ctl_client_open(uvs_preload_socket(), UVS_CTL_CLIENT_TIMEOUT_DEF, &c);

	if (ret < 0) {
		uvs_preload_report("%s: cannot reach uvsd at %s: %s", path, uvs_preload_socket(),
				   strerror(-ret));
		errno = -ret;
		return NULL;
	}
	return c;
}

/*
 * uvsd's value of name (text, no newline) into value. Returns 0, or -1 with errno set:
 * ENOENT for a name uvsd does not have (its reason told if the kernel has the name),
 * or the connection's error (told).
 */
static int get_value(const char *path, const char *name, char value[UVS_CTL_SYSCTL_MAX])
{
	struct uvs_error err = { "" };
	const struct uvs_sysctl_def *d;
	struct uvs_ctl_client *c;
	int ret;

	if (!(c = connect_uvsd(path)))
		return -1;
	ret = uvs_ctl_sysctl_get(c, name, value, &err);
	uvs_ctl_client_close(c);
	if (ret == -ENOENT) {
		if ((d = uvs_sysctl_find(name)) && d->use == UVS_SYSCTL_REFUSED)
			uvs_preload_report("%s", err.msg);
	} else if (ret < 0) {
		uvs_preload_report("%s: uvsd at %s: %s", path, uvs_preload_socket(),
				   err.msg[0] ? err.msg : strerror(-ret));
	}
	if (ret < 0) {
		errno = -ret;
		return -1;
	}
	return 0;
}

static int procsys_stat(const char *path, struct uvs_vfile_stat *st)
{
	char value[UVS_CTL_SYSCTL_MAX];
	const char *name = NULL;

	switch (kind_of(path, &name)) {
	case K_DIR:
		*st = (struct uvs_vfile_stat){ S_IFDIR | 0555, ino_of("vs"), PARENT };
		return 0;
	case K_FILE:
		if (get_value(path, name, value) < 0)
			return -1;
		/* The kernel's IPVS sysctls are all 0644. */
		*st = (struct uvs_vfile_stat){ S_IFREG | 0644, ino_of(name), PARENT };
		return 0;
	default:
		return UVS_VFILE_PASS;
	}
}

static int procsys_open(const char *path, int flags)
{
	char value[UVS_CTL_SYSCTL_MAX], text[UVS_CTL_SYSCTL_MAX + 1], memname[96];
	const char *name = NULL;
	size_t len;
	int fd, ret, acc = flags & O_ACCMODE;

	if (kind_of(path, &name) != K_FILE)
		return UVS_VFILE_PASS;
	if (flags & O_DIRECTORY) {
		errno = ENOTDIR;
		return -1;
	}
	if (get_value(path, name, value) < 0)
		return -1;
	len = (size_t)snprintf(text, sizeof(text), "%s\n", value);
	snprintf(memname, sizeof(memname), "%s%s", uvs_procsys_wops.prefix, name);
	/* Opened for writing it starts empty, so that what is written past the hooks
	 * shows; read-write, it holds the value to read, as the kernel's. */
	if (acc == O_WRONLY)
		len = 0;
	if ((fd = uvs_vfile_memory(memname, text, len, flags)) < 0 || acc == O_RDONLY)
		return fd;
	if ((ret = uvs_vfd_track(fd, &uvs_procsys_wops, name, flags, text, len)) < 0) {
		uvs_real()->close(fd);
		errno = -ret;
		return -1;
	}
	return fd;
}

static int add_name(void *arg, const struct uvs_ctl_sysctl *s)
{
	struct uvs_vfile_dir *d = arg;
	struct uvs_vfile_dirent *e, *grown;

	if (strlen(s->name) >= UVS_VFILE_NAME_MAX)
		return 0; /* cannot be: names are shorter than UVS_CTL_SYSCTL_MAX */
	if (!(grown = realloc(d->ents, (d->n + 1) * sizeof(*grown))))
		return -ENOMEM;
	d->ents = grown;
	e = &d->ents[d->n++];
	snprintf(e->name, sizeof(e->name), "%s", s->name);
	e->type = DT_REG;
	e->ino = ino_of(s->name);
	return 0;
}

static int procsys_list(const char *path, struct uvs_vfile_dir *d)
{
	struct uvs_error err = { "" };
	struct uvs_ctl_client *c;
	const char *name = NULL;
	int ret;

	*d = (struct uvs_vfile_dir){ 0 };
	switch (kind_of(path, &name)) {
	case K_PARENT:
		if (!(d->ents = calloc(1, sizeof(*d->ents))))
			return -1;
		d->n = 1;
		snprintf(d->ents[0].name, sizeof(d->ents[0].name), "vs");
		d->ents[0].type = DT_DIR;
		d->ents[0].ino = ino_of("vs");
		return 0;
	case K_DIR:
		break;
	default:
		return UVS_VFILE_PASS;
	}
	d->replace = true;
	if (!(c = connect_uvsd(path)))
		return -1;
	/* uvsd lists them in name order, the kernel's directory order. */
	ret = uvs_ctl_sysctl_list(c, add_name, d, &err);
	uvs_ctl_client_close(c);
	if (ret < 0) {
		uvs_preload_report("%s: uvsd at %s: %s", path, uvs_preload_socket(),
				   err.msg[0] ? err.msg : strerror(-ret));
		free(d->ents);
		*d = (struct uvs_vfile_dir){ 0 };
		errno = -ret;
		return -1;
	}
	return 0;
}

/* Sets key to what was written: the text without its trailing blanks and newline
 * (which the kernel's handlers skip too), refused if it cannot be text. */
static int procsys_commit(const char *key, const char *text, size_t len, struct uvs_error *err)
{
	char value[UVS_CTL_SYSCTL_MAX];
	struct uvs_ctl_client *c;
	int ret;

	while (len && strchr(" \t\n\r\v\f", text[len - 1]))
		len--;
	if (memchr(text, '\0', len))
		return uvs_errorf(err, EINVAL, UVS_SYSCTL_PREFIX "%s: a value with a NUL byte",
				  key);
	if (len >= sizeof(value))
		return uvs_errorf(err, EINVAL,
				  UVS_SYSCTL_PREFIX "%s: a value of more than %zu characters", key,
				  sizeof(value) - 1);
	memcpy(value, text, len);
	value[len] = '\0';
	ret = uvs_ctl_client_open(uvs_preload_socket(), UVS_CTL_CLIENT_TIMEOUT_DEF, &c);
	if (ret < 0)
		return uvs_errorf(err, -ret, UVS_SYSCTL_PREFIX "%s: cannot reach uvsd at %s: %s",
				  key, uvs_preload_socket(), strerror(-ret));
	ret = uvs_ctl_sysctl_set(c, key, value, err);
	uvs_ctl_client_close(c);
	return ret;
}

const struct uvs_vfd_ops uvs_procsys_wops = { "uvs-sysctl:", procsys_commit };

const struct uvs_vfile_provider uvs_procsys_provider = {
	.open = procsys_open,
	.stat = procsys_stat,
	.list = procsys_list,
};
