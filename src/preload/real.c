// SPDX-License-Identifier: GPL-2.0-or-later
/* The C library's functions behind the hooks, looked up once. */
#include "real.h"

#include <dlfcn.h>
#include <pthread.h>

static struct uvs_real fns;
static pthread_once_t once = PTHREAD_ONCE_INIT;

#define FIND(field, name) (*(void **)&fns.field = dlsym(RTLD_NEXT, name))

static void find_all(void)
{
	FIND(socket, "socket");
	FIND(bind, "bind");
	FIND(connect, "connect");
	FIND(getsockname, "getsockname");
	FIND(getpeername, "getpeername");
	FIND(getsockopt, "getsockopt");
	FIND(setsockopt, "setsockopt");
	FIND(recvmsg, "recvmsg");
	FIND(recvfrom, "recvfrom");
	FIND(recv, "recv");
	FIND(read, "read");
	FIND(sendmsg, "sendmsg");
	FIND(sendto, "sendto");
	FIND(send, "send");
	FIND(write, "write");
	FIND(close, "close");
	FIND(dup2, "dup2");
	FIND(dup3, "dup3");
	FIND(dup, "dup");
	FIND(open, "open");
	FIND(open64, "open64");
	FIND(openat, "openat");
	FIND(openat64, "openat64");
	FIND(open_2, "__open_2");
	FIND(open64_2, "__open64_2");
	FIND(openat_2, "__openat_2");
	FIND(openat64_2, "__openat64_2");
	FIND(fopen, "fopen");
	FIND(fopen64, "fopen64");
	FIND(stat, "stat");
	FIND(stat64, "stat64");
	FIND(lstat, "lstat");
	FIND(lstat64, "lstat64");
	FIND(fstatat, "fstatat");
	FIND(fstatat64, "fstatat64");
	FIND(statx, "statx");
	FIND(access, "access");
	FIND(faccessat, "faccessat");
	FIND(euidaccess, "euidaccess");
	FIND(eaccess, "eaccess");
	FIND(realpath, "realpath");
	FIND(realpath_chk, "__realpath_chk");
	FIND(opendir, "opendir");
	FIND(readdir, "readdir");
	FIND(readdir64, "readdir64");
	FIND(closedir, "closedir");
	FIND(rewinddir, "rewinddir");
	FIND(getxattr, "getxattr");
	FIND(lgetxattr, "lgetxattr");
	FIND(listxattr, "listxattr");
	FIND(llistxattr, "llistxattr");
}

const struct uvs_real *uvs_real(void)
{
	pthread_once(&once, find_all);
	return &fns;
}
