// SPDX-License-Identifier: GPL-2.0-or-later
/* The table of the library's files opened for writing, and applying what they get. */
#include "vfile_fd.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/atomic.h"
#include "common.h"
#include "real.h"
#include "vfile.h"

#define FDS_MAX	 8   /* the program's descriptors of one file (dup'ed copies) */
#define TEXT_MAX 128 /* what is read back of a memory file: more is too long anyway */

/* One file opened for writing: its open file description, in every copy of it. */
struct vfd {
	const struct uvs_vfd_ops *ops;
	char key[UVS_VFILE_NAME_MAX];
	int fds[FDS_MAX]; /* the program's descriptors of it */
	size_t nfds;
	/* The library's own descriptor (read-write, close-on-exec), a description of its
	 * own: what was written can still be read once the program's are closed unseen.
	 * -1 if the program closed it or took its number. */
	int shadow;
	dev_t dev; /* the memory file, to be sure shadow is still it */
	ino_t ino;
	bool append;
	char initial[TEXT_MAX]; /* what it held when opened */
	size_t ninitial;
};

/* Every kind of writable file, for files inherited across exec. */
static const struct uvs_vfd_ops *const kinds[] = { &uvs_procsys_wops };

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct vfd **table;
static size_t nvfds, cap;
static int count;      /* nvfds, read without the lock */
static char told[256]; /* the last failure told, not told again until a success */

static void after_fork_child(void)
{
	pthread_mutex_init(&lock, NULL);
}

bool uvs_vfd_any(void)
{
	return uvs_load_relaxed(&count) > 0;
}

/* The entry with fd among the program's descriptors, its slot in *slot; lock held. */
static struct vfd *find_fd(int fd, size_t *slot)
{
	for (size_t i = 0; i < nvfds; i++) {
		for (size_t j = 0; j < table[i]->nfds; j++) {
			if (table[i]->fds[j] == fd) {
				if (slot)
					*slot = j;
				return table[i];
			}
		}
	}
	return NULL;
}

/* Adds v to the table; lock held. Returns 0 or -ENOMEM. */
static int insert(struct vfd *v)
{
	if (nvfds == cap) {
		size_t n = cap ? 2 * cap : 4;
		struct vfd **p = realloc(table, n * sizeof(*p));
		if (!p)
			return -ENOMEM;
		table = p;
		cap = n;
	}
	table[nvfds++] = v;
	uvs_store_relaxed(&count, (int)nvfds);
	return 0;
}

/* Takes v out of the table; lock held. */
static void detach(struct vfd *v)
{
	for (size_t i = 0; i < nvfds; i++) {
		if (table[i] == v) {
			table[i] = table[--nvfds];
			break;
		}
	}
	uvs_store_relaxed(&count, (int)nvfds);
}

static void release(struct vfd *v)
{
	if (v->shadow >= 0)
		uvs_real()->close(v->shadow);
	free(v);
}

/* A read-write description of its own of the file fd is: -1 if it cannot be had. */
static int reopen(int fd)
{
	char path[40];

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	return uvs_real()->open(path, O_RDWR | O_CLOEXEC);
}

/* A new entry for fd (a memory file of ops) holding initial. NULL if out of memory
 * or the file cannot be reopened (errno set). */
static struct vfd *make(int fd, const struct uvs_vfd_ops *ops, const char *key, bool append,
			const char *initial, size_t len)
{
	struct vfd *v = calloc(1, sizeof(*v));
	struct stat st;

	if (!v)
		return NULL;
	v->ops = ops;
	snprintf(v->key, sizeof(v->key), "%s", key);
	v->fds[v->nfds++] = fd;
	v->append = append;
	v->ninitial = len < sizeof(v->initial) ? len : sizeof(v->initial);
	memcpy(v->initial, initial, v->ninitial);
	if ((v->shadow = reopen(fd)) < 0 || fstat(v->shadow, &st) < 0) {
		int saved = errno;
		release(v);
		errno = saved;
		return NULL;
	}
	v->dev = st.st_dev;
	v->ino = st.st_ino;
	return v;
}

int uvs_vfd_track(int fd, const struct uvs_vfd_ops *ops, const char *key, int flags,
		  const char *initial, size_t len)
{
	struct vfd *v = make(fd, ops, key, flags & O_APPEND, initial, len);
	int ret;

	if (!v)
		return -errno;
	pthread_mutex_lock(&lock);
	ret = insert(v);
	pthread_mutex_unlock(&lock);
	if (ret < 0)
		release(v);
	return ret;
}

/* Tells a failure once: the same reason again is not repeated until a success. */
static void tell(int ret, const struct uvs_error *err)
{
	bool again;

	pthread_mutex_lock(&lock);
	if (ret == 0) {
		told[0] = '\0';
		pthread_mutex_unlock(&lock);
		return;
	}
	again = !strcmp(told, err->msg);
	snprintf(told, sizeof(told), "%s", err->msg);
	pthread_mutex_unlock(&lock);
	if (!again)
		uvs_preload_report("%s", err->msg);
}

static int apply(const struct uvs_vfd_ops *ops, const char *key, const char *text, size_t len)
{
	struct uvs_error err = { "" };
	int ret = ops->commit(key, text, len, &err);

	if (ret < 0 && !err.msg[0])
		snprintf(err.msg, sizeof(err.msg), "%s: %s", key, strerror(-ret));
	tell(ret, &err);
	return ret;
}

bool uvs_vfd_write(int fd, const void *buf, size_t len, ssize_t *ret)
{
	const struct uvs_vfd_ops *ops;
	char key[UVS_VFILE_NAME_MAX];
	struct vfd *v;
	bool append;
	off_t pos;
	int r;

	pthread_mutex_lock(&lock);
	if (!(v = find_fd(fd, NULL))) {
		pthread_mutex_unlock(&lock);
		return false;
	}
	ops = v->ops;
	memcpy(key, v->key, sizeof(key));
	append = v->append;
	pthread_mutex_unlock(&lock);

	/* O_APPEND writes at the end, which is offset 0 of a /proc/sys file. */
	pos = append ? 0 : lseek(fd, 0, SEEK_CUR);
	if (len == 0) {
		*ret = 0;
		return true;
	}
	if (pos != 0) {
		/* The kernel's strict mode: a write past the start changes nothing. */
		lseek(fd, (off_t)len, SEEK_CUR);
		*ret = (ssize_t)len;
		return true;
	}
	if ((r = apply(ops, key, buf, len)) < 0) {
		errno = -r;
		*ret = -1;
		return true;
	}
	if (!append)
		lseek(fd, (off_t)len, SEEK_CUR);
	*ret = (ssize_t)len;
	return true;
}

bool uvs_vfd_tracked(int fd)
{
	bool found;

	pthread_mutex_lock(&lock);
	found = find_fd(fd, NULL) != NULL;
	pthread_mutex_unlock(&lock);
	return found;
}

/* Whether v's shadow is still its memory file. */
static bool shadow_ok(const struct vfd *v)
{
	struct stat st;

	return v->shadow >= 0 && fstat(v->shadow, &st) == 0 && st.st_dev == v->dev &&
	       st.st_ino == v->ino;
}

/* Applies what was written to v's memory file past the hooks, if anything, and puts
 * back what it held (so that another process holding it does not apply it again).
 * Returns 0 or a negative errno (told). v is out of the table. */
static int apply_unseen(struct vfd *v)
{
	char text[TEXT_MAX];
	ssize_t n;

	if (!shadow_ok(v) || (n = pread(v->shadow, text, sizeof(text), 0)) <= 0)
		return 0;
	if ((size_t)n == v->ninitial && !memcmp(text, v->initial, v->ninitial))
		return 0;
	if (pwrite(v->shadow, v->initial, v->ninitial, 0) < 0 ||
	    ftruncate(v->shadow, (off_t)v->ninitial) < 0)
		return 0; /* cannot happen to a memory file; then rather not apply twice */
	/* Written further on only (a hole at offset 0): ignored, as by the kernel. */
	if (text[0] == '\0')
		return 0;
	return apply(v->ops, v->key, text, (size_t)n);
}

int uvs_vfd_closing(int fd)
{
	struct vfd *v = NULL;
	size_t slot;
	int ret;

	pthread_mutex_lock(&lock);
	for (size_t i = 0; i < nvfds; i++) {
		/* The program closes or takes the number of the library's own descriptor
		 * (closing every fd, say): the file is then applied when its own are. */
		if (table[i]->shadow == fd)
			table[i]->shadow = -1;
	}
	if ((v = find_fd(fd, &slot))) {
		v->fds[slot] = v->fds[--v->nfds];
		if (v->nfds)
			v = NULL;
		else
			detach(v);
	}
	pthread_mutex_unlock(&lock);
	if (!v)
		return 0;
	ret = apply_unseen(v);
	release(v);
	return ret;
}

void uvs_vfd_dup(int oldfd, int newfd)
{
	struct vfd *v;

	if (oldfd == newfd)
		return;
	pthread_mutex_lock(&lock);
	/* Past FDS_MAX copies, the copy is not tracked: its writes are applied at the
	 * last close of the others. */
	if ((v = find_fd(oldfd, NULL)) && !find_fd(newfd, NULL) && v->nfds < FDS_MAX)
		v->fds[v->nfds++] = newfd;
	pthread_mutex_unlock(&lock);
}

/* ---- streams (fopen) --------------------------------------------------------------- */

static ssize_t stream_read(void *cookie, char *buf, size_t len)
{
	return uvs_real()->read(*(int *)cookie, buf, len);
}

/* stdio takes 0 as a failure (errno set), never a negative count. */
static ssize_t stream_write(void *cookie, const char *buf, size_t len)
{
	int fd = *(int *)cookie;
	ssize_t n;

	if (!uvs_vfd_write(fd, buf, len, &n))
		n = uvs_real()->write(fd, buf, len);
	return n < 0 ? 0 : n;
}

static int stream_seek(void *cookie, off64_t *off, int whence)
{
	off64_t to = lseek64(*(int *)cookie, *off, whence);

	if (to < 0)
		return -1;
	*off = to;
	return 0;
}

static int stream_close(void *cookie)
{
	int fd = *(int *)cookie, ret = uvs_vfd_closing(fd);

	free(cookie);
	uvs_real()->close(fd);
	if (ret < 0) {
		errno = -ret;
		return -1;
	}
	return 0;
}

FILE *uvs_vfd_fopen(int fd, const char *mode)
{
	static const cookie_io_functions_t io = { stream_read, stream_write, stream_seek,
						  stream_close };
	int *cookie = malloc(sizeof(*cookie));
	FILE *f;

	if (!cookie)
		return NULL;
	*cookie = fd;
	if (!(f = fopencookie(cookie, mode, io)))
		free(cookie);
	return f;
}

/* ---- files inherited across exec, and exit ------------------------------------------ */

/* The kind of memory file fd is (its name), with its key in key; NULL if none. */
static const struct uvs_vfd_ops *kind_of(int fd, char key[UVS_VFILE_NAME_MAX])
{
	char path[40], target[PATH_MAX];
	const char *name;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if ((n = readlink(path, target, sizeof(target) - 1)) < 0)
		return NULL;
	target[n] = '\0';
	/* "/memfd:NAME (deleted)" */
	if (strncmp(target, "/memfd:", 7) || n < 17 || strcmp(target + n - 10, " (deleted)"))
		return NULL;
	target[n - 10] = '\0';
	name = target + 7;
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		size_t p = strlen(kinds[i]->prefix);
		if (!strncmp(name, kinds[i]->prefix, p) && strlen(name + p) < UVS_VFILE_NAME_MAX) {
			memcpy(key, name + p, strlen(name + p) + 1);
			return kinds[i];
		}
	}
	return NULL;
}

/* Takes fd over if it is a writable file of the library a parent opened. */
static void adopt(int fd)
{
	const struct uvs_vfd_ops *ops;
	char key[UVS_VFILE_NAME_MAX], text[TEXT_MAX];
	int flags = fcntl(fd, F_GETFL);
	struct stat st;
	struct vfd *v;
	ssize_t n;

	if (flags < 0 || (flags & O_ACCMODE) == O_RDONLY || !(ops = kind_of(fd, key)) ||
	    fstat(fd, &st) < 0)
		return;
	/* Another descriptor of the same file: a copy. */
	for (size_t i = 0; i < nvfds; i++) {
		if (table[i]->dev == st.st_dev && table[i]->ino == st.st_ino) {
			if (table[i]->nfds < FDS_MAX)
				table[i]->fds[table[i]->nfds++] = fd;
			return;
		}
	}
	/* What it holds now was the parent's to apply. */
	if (!(v = make(fd, ops, key, flags & O_APPEND, "", 0)))
		return;
	if ((n = pread(v->shadow, text, sizeof(text), 0)) > 0) {
		v->ninitial = (size_t)n;
		memcpy(v->initial, text, v->ninitial);
	}
	if (insert(v) < 0)
		release(v);
}

static void __attribute__((constructor)) start(void)
{
	DIR *d;
	struct dirent *e;

	pthread_atfork(NULL, NULL, after_fork_child);
	/* Before main: no other thread yet, the lock is not needed. */
	if (!(d = uvs_real()->opendir("/proc/self/fd")))
		return;
	while ((e = uvs_real()->readdir(d))) {
		char *end;
		long fd = strtol(e->d_name, &end, 10);
		if (*end || end == e->d_name || fd == dirfd(d))
			continue;
		adopt((int)fd);
	}
	uvs_real()->closedir(d);
}

static void __attribute__((destructor)) finish(void)
{
	struct vfd **all;
	size_t n;

	if (!uvs_vfd_any())
		return;
	/* The C library empties stdio's buffers only after the destructors: their text is
	 * to be in the files before they are applied. */
	fflush(NULL);
	pthread_mutex_lock(&lock);
	all = table;
	n = nvfds;
	table = NULL;
	nvfds = cap = 0;
	uvs_store_relaxed(&count, 0);
	pthread_mutex_unlock(&lock);
	for (size_t i = 0; i < n; i++) {
		apply_unseen(all[i]);
		release(all[i]);
	}
	free(all);
}
