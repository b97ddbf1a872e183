// SPDX-License-Identifier: GPL-2.0-or-later
/* The state file on disk: its lock, its reading and its atomic replacement. */
#include "state_file.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rules_file.h"

/* stdio's buffer for a write: a large configuration goes out in few system calls. */
#define WRITE_BUFFER (1u << 20)

struct uvsd_state_file {
	char *path, *tmp, *dir;
	int lock_fd;
};

/* Makes dir if it is missing (one level). Returns 0 or a negative errno (said). */
static int make_dir(const char *dir, struct uvs_error *err)
{
	struct stat st;

	if (!stat(dir, &st)) {
		if (S_ISDIR(st.st_mode))
			return 0;
		return uvs_errorf(err, ENOTDIR, "%s is not a directory", dir);
	}
	if (errno != ENOENT || mkdir(dir, 0700))
		return uvs_syserrorf(err, errno, "directory %s", dir);
	return 0;
}

/* Takes the lock beside the file and writes our PID in it. Returns 0 or a negative
 * errno (said). */
static int lock(struct uvsd_state_file *sf, struct uvs_error *err)
{
	char name[4200], pid[32] = "";
	ssize_t n;

	snprintf(name, sizeof(name), "%s.lock", sf->path);
	sf->lock_fd = open(name, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (sf->lock_fd < 0)
		return uvs_syserrorf(err, errno, "%s", name);
	if (flock(sf->lock_fd, LOCK_EX | LOCK_NB)) {
		int e = errno;
		if (e != EWOULDBLOCK)
			return uvs_syserrorf(err, e, "locking %s", name);
		n = pread(sf->lock_fd, pid, sizeof(pid) - 1, 0);
		pid[n > 0 ? strcspn(pid, "\n") : 0] = '\0';
		return uvs_errorf(err, EBUSY,
				  "in use by another uvsd (PID %s): each uvsd needs a state file "
				  "of its own",
				  pid[0] ? pid : "unknown");
	}
	n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(sf->lock_fd, 0) || pwrite(sf->lock_fd, pid, (size_t)n, 0) != n)
		return uvs_syserrorf(err, errno, "writing %s", name);
	return 0;
}

int uvsd_state_file_open(const char *path, struct uvsd_state_file **out, struct uvs_error *err)
{
	struct uvsd_state_file *sf = calloc(1, sizeof(*sf));
	char *copy = strdup(path);
	int ret = -ENOMEM;

	*out = NULL;
	if (sf) {
		sf->lock_fd = -1;
		if (asprintf(&sf->tmp, "%s.new", path) < 0)
			sf->tmp = NULL; /* asprintf leaves it undefined */
		sf->path = strdup(path);
		sf->dir = copy ? strdup(dirname(copy)) : NULL;
	}
	free(copy);
	if (!sf || !sf->tmp || !sf->path || !sf->dir)
		uvs_errorf(err, ENOMEM, "out of memory");
	else if (!(ret = make_dir(sf->dir, err)))
		ret = lock(sf, err);
	if (ret) {
		uvsd_state_file_close(sf);
		return ret;
	}
	*out = sf;
	return 0;
}

char *uvsd_state_file_read(struct uvsd_state_file *sf, bool *missing, struct uvs_error *err)
{
	char *text = uvsd_read_text(sf->path, err);

	*missing = !text && errno == ENOENT;
	return text;
}

/* Flushes the directory, so that the rename is on the disk. */
static int sync_dir(const char *dir, struct uvs_error *err)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), ret = 0;

	if (fd < 0 || fsync(fd))
		ret = uvs_syserrorf(err, errno, "flushing directory %s", dir);
	if (fd >= 0)
		close(fd);
	return ret;
}

/* Writes the state to sf->tmp and flushes it to the disk. Returns 0 or a negative
 * errno (said). */
static int write_tmp(struct uvsd_state_file *sf, const struct uvsd_state_src *src,
		     struct uvs_error *err)
{
	int fd = open(sf->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600), ret;
	FILE *f;

	if (fd < 0)
		return uvs_syserrorf(err, errno, "creating %s", sf->tmp);
	if (!(f = fdopen(fd, "w"))) {
		ret = uvs_syserrorf(err, errno, "writing %s", sf->tmp);
		close(fd);
		return ret;
	}
	setvbuf(f, NULL, _IOFBF, WRITE_BUFFER);
	errno = 0;
	ret = uvsd_state_write(f, src);
	if (ret == -ENOMEM)
		uvs_errorf(err, ENOMEM, "out of memory");
	else if (ret || fflush(f))
		ret = uvs_syserrorf(err, errno ? errno : EIO, "writing %s", sf->tmp);
	else if (fsync(fd))
		ret = uvs_syserrorf(err, errno, "flushing %s to the disk", sf->tmp);
	if (fclose(f) && !ret)
		ret = uvs_syserrorf(err, errno, "writing %s", sf->tmp);
	return ret;
}

int uvsd_state_file_save(struct uvsd_state_file *sf, const struct uvsd_state_src *src,
			 struct uvs_error *err)
{
	int ret = write_tmp(sf, src, err);

	if (!ret && rename(sf->tmp, sf->path))
		ret = uvs_syserrorf(err, errno, "renaming %s to %s", sf->tmp, sf->path);
	if (ret) {
		unlink(sf->tmp);
		return ret;
	}
	return sync_dir(sf->dir, err);
}

const char *uvsd_state_file_path(const struct uvsd_state_file *sf)
{
	return sf->path;
}

void uvsd_state_file_close(struct uvsd_state_file *sf)
{
	if (!sf)
		return;
	if (sf->lock_fd >= 0)
		close(sf->lock_fd);
	free(sf->path);
	free(sf->tmp);
	free(sf->dir);
	free(sf);
}
