// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The socket and fd calls the preload library intercepts. Each goes straight to the C
 * library unless its fd is a tracked generic netlink socket that has become uvsd's
 * (nlsock.h); then the library answers as the kernel's netlink socket would: its
 * address (getsockname: AF_NETLINK, the port id the kernel gave it), its peer, and
 * its SOL_NETLINK options (remembered, since uvsd has no use for them).
 *
 * The IPVS socket options (IP_VS_SO_*, the interface before netlink) are refused on
 * every socket, so that a program under uvs-run never falls back to the kernel's own
 * IPVS when uvsd cannot be reached.
 */
/* The hooks define the C library's own names: no header may rename them (open as
 * open64 for large files) or wrap them (fortified inline versions). */
#undef _FILE_OFFSET_BITS
#undef _FORTIFY_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/genetlink.h>
#include <linux/ip_vs.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "nlsock.h"
#include "nltrack.h"
#include "real.h"
#include "vfile_fd.h"

#define EXPORT __attribute__((visibility("default")))

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

/* The tracked entry of fd if it is no longer the kernel's socket, with the lock held;
 * else NULL and the lock not held. */
static struct uvs_nlsock *switched(int fd)
{
	struct uvs_nlsock *s;

	if (!uvs_nltrack_any())
		return NULL;
	uvs_nltrack_lock();
	s = uvs_nltrack_find(fd);
	if (s && s->state != UVS_NL_KERNEL)
		return s;
	uvs_nltrack_unlock();
	return NULL;
}

/* Copies an address of alen bytes into addr (*len bytes of room), as the kernel does:
 * cut to the room, *len set to the whole length. */
static void give_addr(struct sockaddr *addr, socklen_t *len, const void *a, socklen_t alen)
{
	if (addr && len)
		memcpy(addr, a, *len < alen ? *len : alen);
	if (len)
		*len = alen;
}

static int give_int(void *val, socklen_t *len, int v)
{
	if (!val || !len || *len < sizeof(int)) {
		errno = EINVAL;
		return -1;
	}
	memcpy(val, &v, sizeof(v));
	*len = sizeof(v);
	return 0;
}

static bool is_ipvs_sockopt(int level, int name)
{
	return level == IPPROTO_IP && name >= IP_VS_BASE_CTL && name <= IP_VS_SO_SET_MAX;
}

EXPORT int socket(int domain, int type, int protocol)
{
	int fd = uvs_real()->socket(domain, type, protocol);

	if (fd >= 0 && domain == AF_NETLINK && protocol == NETLINK_GENERIC)
		uvs_nltrack_add(fd, type);
	return fd;
}

EXPORT int bind(int fd, const struct sockaddr *addr, socklen_t len)
{
	const struct sockaddr_nl *nl = (const struct sockaddr_nl *)addr;
	struct uvs_nlsock *s = switched(fd);

	if (!s)
		return uvs_real()->bind(fd, addr, len);
	/* A port id asked for later is taken as given: nothing else can clash with it. */
	if (addr && len >= sizeof(*nl) && nl->nl_family == AF_NETLINK && nl->nl_pid)
		s->local.nl_pid = nl->nl_pid;
	uvs_nltrack_unlock();
	return 0;
}

EXPORT int connect(int fd, const struct sockaddr *addr, socklen_t len)
{
	struct uvs_nlsock *s = switched(fd);

	if (!s)
		return uvs_real()->connect(fd, addr, len);
	uvs_nltrack_unlock();
	return 0; /* it is connected to its only peer, uvsd */
}

EXPORT int getsockname(int fd, struct sockaddr *addr, socklen_t *len)
{
	struct uvs_nlsock *s = switched(fd);
	struct sockaddr_nl a;

	if (!s)
		return uvs_real()->getsockname(fd, addr, len);
	a = s->local;
	uvs_nltrack_unlock();
	give_addr(addr, len, &a, sizeof(a));
	return 0;
}

EXPORT int getpeername(int fd, struct sockaddr *addr, socklen_t *len)
{
	struct uvs_nlsock *s = switched(fd);
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };

	if (!s)
		return uvs_real()->getpeername(fd, addr, len);
	uvs_nltrack_unlock();
	give_addr(addr, len, &kernel, sizeof(kernel));
	return 0;
}

EXPORT int getsockopt(int fd, int level, int name, void *val, socklen_t *len)
{
	struct uvs_nlsock *s;
	int v, type;

	if (is_ipvs_sockopt(level, name)) {
		errno = ENODEV;
		return -1;
	}
	if (!(s = switched(fd)))
		return uvs_real()->getsockopt(fd, level, name, val, len);
	v = uvs_nltrack_opt(s, name);
	type = s->type;
	uvs_nltrack_unlock();
	if (level == SOL_NETLINK) {
		if (name == NETLINK_LIST_MEMBERSHIPS) {
			if (len)
				*len = 0; /* IPVS has no multicast groups */
			return 0;
		}
		return give_int(val, len, v);
	}
	if (level == SOL_SOCKET && name == SO_DOMAIN)
		return give_int(val, len, AF_NETLINK);
	if (level == SOL_SOCKET && name == SO_PROTOCOL)
		return give_int(val, len, NETLINK_GENERIC);
	if (level == SOL_SOCKET && name == SO_TYPE)
		return give_int(val, len, type);
	return uvs_real()->getsockopt(fd, level, name, val, len);
}

EXPORT int setsockopt(int fd, int level, int name, const void *val, socklen_t len)
{
	struct uvs_nlsock *s;
	int v = 0;

	if (is_ipvs_sockopt(level, name)) {
		errno = ENODEV;
		return -1;
	}
	if (level != SOL_NETLINK || !uvs_nltrack_any())
		return uvs_real()->setsockopt(fd, level, name, val, len);
	uvs_nltrack_lock();
	s = uvs_nltrack_find(fd);
	if (!s) {
		uvs_nltrack_unlock();
		return uvs_real()->setsockopt(fd, level, name, val, len);
	}
	if (s->state == UVS_NL_KERNEL) {
		int ret = uvs_real()->setsockopt(fd, level, name, val, len);
		if (ret == 0 && val && len >= sizeof(int))
			uvs_nltrack_set_opt(s, name, *(const int *)val);
		uvs_nltrack_unlock();
		return ret;
	}
	/* uvsd's connection: memberships, extended acks and the like are remembered for
	 * getsockopt and otherwise have nothing to do. */
	if (val && len >= sizeof(int))
		memcpy(&v, val, sizeof(v));
	uvs_nltrack_set_opt(s, name, v);
	uvs_nltrack_unlock();
	return 0;
}

EXPORT ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)
{
	return uvs_nlsock_sendmsg(fd, msg, flags);
}

EXPORT ssize_t sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *addr,
		      socklen_t alen)
{
	struct iovec iov = { (void *)buf, len };
	struct msghdr msg = {
		.msg_name = (void *)addr, .msg_namelen = alen, .msg_iov = &iov, .msg_iovlen = 1
	};

	if (!uvs_nltrack_any())
		return uvs_real()->sendto(fd, buf, len, flags, addr, alen);
	return uvs_nlsock_sendmsg(fd, &msg, flags);
}

EXPORT ssize_t send(int fd, const void *buf, size_t len, int flags)
{
	struct iovec iov = { (void *)buf, len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (!uvs_nltrack_any())
		return uvs_real()->send(fd, buf, len, flags);
	return uvs_nlsock_sendmsg(fd, &msg, flags);
}

EXPORT ssize_t write(int fd, const void *buf, size_t len)
{
	struct iovec iov = { (void *)buf, len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	bool tracked = false;
	ssize_t n;

	/* A file of the library's opened for writing (a /proc/sys file). */
	if (uvs_vfd_any() && uvs_vfd_write(fd, buf, len, &n))
		return n;

	if (uvs_nltrack_any()) {
		uvs_nltrack_lock();
		tracked = uvs_nltrack_find(fd) != NULL;
		uvs_nltrack_unlock();
	}
	/* Not every fd is a socket: only tracked ones take sendmsg. */
	if (!tracked)
		return uvs_real()->write(fd, buf, len);
	return uvs_nlsock_sendmsg(fd, &msg, 0);
}

EXPORT ssize_t recvmsg(int fd, struct msghdr *msg, int flags)
{
	return uvs_nlsock_recvmsg(fd, msg, flags);
}

EXPORT ssize_t recvfrom(int fd, void *buf, size_t len, int flags, struct sockaddr *addr,
			socklen_t *alen)
{
	struct iovec iov = { buf, len };
	struct msghdr msg = {
		.msg_name = addr, .msg_namelen = alen ? *alen : 0, .msg_iov = &iov, .msg_iovlen = 1
	};
	ssize_t n;

	if (!uvs_nltrack_any())
		return uvs_real()->recvfrom(fd, buf, len, flags, addr, alen);
	n = uvs_nlsock_recvmsg(fd, &msg, flags);
	if (n >= 0 && alen)
		*alen = msg.msg_namelen;
	return n;
}

EXPORT ssize_t recv(int fd, void *buf, size_t len, int flags)
{
	struct iovec iov = { buf, len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (!uvs_nltrack_any())
		return uvs_real()->recv(fd, buf, len, flags);
	return uvs_nlsock_recvmsg(fd, &msg, flags);
}

EXPORT ssize_t read(int fd, void *buf, size_t len)
{
	struct iovec iov = { buf, len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	bool tracked = false;

	if (uvs_nltrack_any()) {
		uvs_nltrack_lock();
		tracked = uvs_nltrack_find(fd) != NULL;
		uvs_nltrack_unlock();
	}
	if (!tracked)
		return uvs_real()->read(fd, buf, len);
	return uvs_nlsock_recvmsg(fd, &msg, 0);
}

/* What closing fd, or replacing it with a copy of another, ends: a tracked socket,
 * and a library file's descriptor (whose last one applies what was written to it past
 * the hooks). Returns 0 or the negative errno of that. */
static int fd_ending(int fd)
{
	int ret = 0;

	if (uvs_vfd_any())
		ret = uvs_vfd_closing(fd);
	if (uvs_nltrack_any())
		uvs_nltrack_forget(fd);
	return ret;
}

EXPORT int close(int fd)
{
	int ended = fd_ending(fd), ret = uvs_real()->close(fd);

	/* The fd is gone either way; a file that could not be applied fails the close. */
	if (ret == 0 && ended < 0) {
		errno = -ended;
		return -1;
	}
	return ret;
}

/* newfd is closed and becomes another file: it is no longer what was tracked. A
 * failure to apply a file is told on stderr; dup2 itself succeeds, as the kernel's. */
EXPORT int dup2(int oldfd, int newfd)
{
	int ret;

	if (oldfd != newfd && fcntl(oldfd, F_GETFD) >= 0)
		fd_ending(newfd);
	ret = uvs_real()->dup2(oldfd, newfd);
	if (ret >= 0 && uvs_vfd_any())
		uvs_vfd_dup(oldfd, newfd);
	return ret;
}

EXPORT int dup3(int oldfd, int newfd, int flags)
{
	int ret;

	if (oldfd != newfd && fcntl(oldfd, F_GETFD) >= 0)
		fd_ending(newfd);
	ret = uvs_real()->dup3(oldfd, newfd, flags);
	if (ret >= 0 && uvs_vfd_any())
		uvs_vfd_dup(oldfd, newfd);
	return ret;
}

EXPORT int dup(int oldfd)
{
	int ret = uvs_real()->dup(oldfd);

	if (ret >= 0 && uvs_vfd_any())
		uvs_vfd_dup(oldfd, ret);
	return ret;
}
