// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Directory streams, intercepted for the directories the library lists (vfile.h):
 * opendir, readdir, readdir64, rewinddir and closedir. A directory of the library's
 * own is a stream of the kernel's nearest existing directory above it (so that the
 * DIR is the C library's, and dirfd and telldir work on something), whose entries
 * readdir replaces: ".", "..", then the provider's. A directory the library adds to
 * keeps the kernel's entries, the provider's put among them in name order. Every
 * other stream goes to the C library unchanged. Not seen: fdopendir (a directory
 * opened by fd), scandir, glob and nftw (the C library's own internal calls).
 */
/* The hooks define the C library's own names: no header may rename them. */
#undef _FILE_OFFSET_BITS
#undef _FORTIFY_SOURCE
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/atomic.h"
#include "real.h"
#include "vfile.h"

#define EXPORT __attribute__((visibility("default")))

/* A stream whose listing the library makes or adds to. */
struct vdir {
	DIR *dir;
	struct uvs_vfile_dir listing;
	size_t next; /* the provider's next entry */
	int dots;    /* replace: "." and ".." given so far */
	void *held;  /* add: the kernel's entry held back behind one of ours */
	union {	     /* the entry readdir returns, valid until the next call */
		struct dirent ent;
		struct dirent64 ent64;
	};
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct vdir **vdirs;
static size_t nvdirs, cap;
static int count; /* nvdirs, read without the lock */

static void after_fork_child(void)
{
	pthread_mutex_init(&lock, NULL);
}

static void __attribute__((constructor)) init(void)
{
	pthread_atfork(NULL, NULL, after_fork_child);
}

/* The entry of dir, taken out of the table if take; NULL if dir is the kernel's. */
static struct vdir *find(DIR *dir, bool take)
{
	struct vdir *v = NULL;

	if (!uvs_load_relaxed(&count))
		return NULL;
	pthread_mutex_lock(&lock);
	for (size_t i = 0; i < nvdirs; i++) {
		if (vdirs[i]->dir == dir) {
			v = vdirs[i];
			if (take) {
				vdirs[i] = vdirs[--nvdirs];
				uvs_store_relaxed(&count, (int)nvdirs);
			}
			break;
		}
	}
	pthread_mutex_unlock(&lock);
	return v;
}

static int add(struct vdir *v)
{
	pthread_mutex_lock(&lock);
	if (nvdirs == cap) {
		size_t n = cap ? 2 * cap : 4;
		struct vdir **p = realloc(vdirs, n * sizeof(*p));
		if (!p) {
			pthread_mutex_unlock(&lock);
			return -1;
		}
		vdirs = p;
		cap = n;
	}
	vdirs[nvdirs++] = v;
	uvs_store_relaxed(&count, (int)nvdirs);
	pthread_mutex_unlock(&lock);
	return 0;
}

/* A stream of the kernel's nearest existing directory at or above path. */
static DIR *open_carrier(const char *path)
{
	char up[PATH_MAX];
	DIR *d;

	if (strlen(path) >= sizeof(up)) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	strcpy(up, path);
	for (;;) {
		char *slash;
		if ((d = uvs_real()->opendir(up[0] ? up : "/")) || errno != ENOENT)
			return d;
		/* Up one: cut a trailing slash, then the last component. */
		while ((slash = strrchr(up, '/')) && !slash[1] && slash != up)
			*slash = '\0';
		if (!(slash = strrchr(up, '/')))
			return NULL;
		*slash = '\0';
	}
}

EXPORT DIR *opendir(const char *path)
{
	struct uvs_vfile_dir listing;
	struct vdir *v;
	int ret = uvs_vfile_list(path, &listing);

	if (ret == UVS_VFILE_PASS)
		return uvs_real()->opendir(path);
	if (ret < 0)
		return NULL;
	if (!(v = calloc(1, sizeof(*v)))) {
		free(listing.ents);
		return NULL;
	}
	v->listing = listing;
	v->dir = listing.replace ? open_carrier(path) : uvs_real()->opendir(path);
	if (!v->dir || add(v) < 0) {
		int saved = v->dir ? ENOMEM : errno;
		if (v->dir)
			uvs_real()->closedir(v->dir);
		free(listing.ents);
		free(v);
		errno = saved;
		return NULL;
	}
	return v->dir;
}

/* The name of an entry the kernel gave. */
static const char *name_of(const void *e, bool is64)
{
	return is64 ? ((const struct dirent64 *)e)->d_name : ((const struct dirent *)e)->d_name;
}

/* Our entry for name (type, inode) in v's own storage. */
static void *make_entry(struct vdir *v, bool is64, const char *name, unsigned char type,
			uint64_t ino)
{
	if (is64) {
		memset(&v->ent64, 0, sizeof(v->ent64));
		v->ent64.d_ino = ino;
		v->ent64.d_reclen = sizeof(v->ent64);
		v->ent64.d_type = type;
		snprintf(v->ent64.d_name, sizeof(v->ent64.d_name), "%s", name);
		return &v->ent64;
	}
	memset(&v->ent, 0, sizeof(v->ent));
	v->ent.d_ino = (ino_t)ino;
	v->ent.d_reclen = sizeof(v->ent);
	v->ent.d_type = type;
	snprintf(v->ent.d_name, sizeof(v->ent.d_name), "%s", name);
	return &v->ent;
}

static void *provider_entry(struct vdir *v, bool is64)
{
	const struct uvs_vfile_dirent *e = &v->listing.ents[v->next++];

	return make_entry(v, is64, e->name, e->type, e->ino);
}

static void *kernel_entry(DIR *dir, bool is64)
{
	return is64 ? (void *)uvs_real()->readdir64(dir) : (void *)uvs_real()->readdir(dir);
}

/* The next entry of v; NULL at the end (errno untouched, as readdir). */
static void *next_entry(struct vdir *v, bool is64)
{
	const struct uvs_vfile_dir *l = &v->listing;
	const char *name;
	int order;
	void *e;

	if (l->replace) {
		if (v->dots < 2) {
			v->dots++;
			return make_entry(v, is64, v->dots == 1 ? "." : "..", DT_DIR, 1);
		}
		return v->next < l->n ? provider_entry(v, is64) : NULL;
	}
	if (v->held) {
		/* Still valid: the kernel's stream has not been read since. */
		e = v->held;
		v->held = NULL;
		return e;
	}
	if (!(e = kernel_entry(v->dir, is64)))
		return v->next < l->n ? provider_entry(v, is64) : NULL;
	name = name_of(e, is64);
	if (!strcmp(name, ".") || !strcmp(name, "..") || v->next >= l->n)
		return e;
	order = strcmp(l->ents[v->next].name, name);
	if (order == 0)
		v->next++; /* the kernel has it already (IPVS is loaded) */
	if (order >= 0)
		return e;
	v->held = e;
	return provider_entry(v, is64);
}

EXPORT struct dirent *readdir(DIR *dir)
{
	struct vdir *v = find(dir, false);

	return v ? next_entry(v, false) : uvs_real()->readdir(dir);
}

EXPORT struct dirent64 *readdir64(DIR *dir)
{
	struct vdir *v = find(dir, false);

	return v ? next_entry(v, true) : uvs_real()->readdir64(dir);
}

EXPORT void rewinddir(DIR *dir)
{
	struct vdir *v = find(dir, false);

	if (v) {
		v->next = 0;
		v->dots = 0;
		v->held = NULL;
	}
	uvs_real()->rewinddir(dir);
}

EXPORT int closedir(DIR *dir)
{
	struct vdir *v = find(dir, true);

	if (v) {
		free(v->listing.ents);
		free(v);
	}
	return uvs_real()->closedir(dir);
}
