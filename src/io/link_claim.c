// SPDX-License-Identifier: GPL-2.0-or-later
/* A link's claim: an abstract Unix socket per link index. See link_claim.h. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "link_claim.h"

#define CLAIM_PREFIX "uvs-steer-link-"

/* The claim's name (without the abstract namespace's leading NUL) into name. */
static void claim_name(unsigned ifindex, char *name, size_t len)
{
	snprintf(name, len, CLAIM_PREFIX "%u", ifindex);
}

/* The inode of the socket bound to abstract name, which /proc/net/unix (of the
 * caller's network namespace) shows as "@name"; 0 if none. */
static unsigned long bound_inode(const char *name)
{
	FILE *f = fopen("/proc/net/unix", "re");
	char line[512], path[128];
	unsigned long inode, found = 0;

	if (!f)
		return 0;
	/* "Num RefCount Protocol Flags Type St Inode Path", a header line first. */
	while (!found && fgets(line, sizeof(line), f))
		if (sscanf(line, "%*s %*s %*s %*s %*s %*s %lu %127s", &inode, path) == 2 &&
		    path[0] == '@' && !strcmp(path + 1, name))
			found = inode;
	fclose(f);
	return found;
}

/* Whether process dir (an entry of /proc) has socket inode `want` open. */
static int holds(DIR *proc, const char *pid, const char *want)
{
	char path[sizeof(((struct dirent *)0)->d_name) + 4], target[64];
	struct dirent *e;
	DIR *fds;
	int fd, found = 0;

	snprintf(path, sizeof(path), "%s/fd", pid);
	fd = openat(dirfd(proc), path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || !(fds = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return 0; /* gone meanwhile, or not ours to look at */
	}
	while (!found && (e = readdir(fds))) {
		ssize_t n = readlinkat(dirfd(fds), e->d_name, target, sizeof(target) - 1);

		if (n > 0) {
			target[n] = 0;
			found = !strcmp(target, want);
		}
	}
	closedir(fds);
	return found;
}

/* The process that has socket inode ino open, or 0 if none is visible here. */
static pid_t holder_of(unsigned long ino)
{
	char want[48];
	DIR *proc = opendir("/proc");
	struct dirent *e;
	pid_t pid = 0;

	if (!proc)
		return 0;
	snprintf(want, sizeof(want), "socket:[%lu]", ino);
	while (!pid && (e = readdir(proc)))
		if (isdigit((unsigned char)e->d_name[0]) && holds(proc, e->d_name, want))
			pid = (pid_t)strtol(e->d_name, NULL, 10);
	closedir(proc);
	return pid;
}

int uvs_link_claim(unsigned ifindex, pid_t *owner)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char name[sizeof(sun.sun_path) - 1];
	socklen_t len;
	unsigned long ino;
	int fd, e;

	*owner = 0;
	claim_name(ifindex, name, sizeof(name));
	/* Abstract: a leading NUL, and the length says where the name ends. */
	memcpy(sun.sun_path + 1, name, strlen(name));
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name));
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (!bind(fd, (struct sockaddr *)&sun, len))
		return fd;
	e = errno;
	close(fd);
	if (e != EADDRINUSE)
		return -e;
	ino = bound_inode(name);
	if (ino)
		*owner = holder_of(ino);
	return -EBUSY;
}

void uvs_link_unclaim(int claim)
{
	if (claim >= 0)
		close(claim);
}
