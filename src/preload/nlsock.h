/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A generic netlink socket that asks for the "IPVS" family becomes a connection to
 * uvsd: the same fd number, now a Unix socket connected to uvsd's control socket
 * (dup3 over it, keeping O_NONBLOCK and FD_CLOEXEC), so that poll, epoll and select
 * see a real socket. Its datagrams go to uvsd one netlink message at a time, and what
 * comes back looks as if it came from the kernel (a netlink address of port 0).
 *
 * When uvsd is gone (closed the connection, cannot be reached), the fd becomes one end
 * of a socket pair on which the library writes an NLMSG_ERROR of ENODEV for each
 * request left unanswered, so that a client waiting for an answer gets an error it
 * reports ("No such device") instead of reading end-of-file for ever; the operator is
 * told once why, on stderr and syslog. The next request connects to uvsd again. A
 * connection uvsd closed while nothing was asked (an idle client) comes back silently.
 *
 * Every other socket, and a generic netlink socket until it asks for IPVS, is left to
 * the kernel untouched.
 */
#ifndef UVS_PRELOAD_NLSOCK_H
#define UVS_PRELOAD_NLSOCK_H

#include <sys/socket.h>
#include <sys/types.h>

/* sendmsg() for any fd: a tracked socket's datagram to uvsd (or answered here), any
 * other fd's to the C library. */
ssize_t uvs_nlsock_sendmsg(int fd, const struct msghdr *msg, int flags);

/* recvmsg() for any fd: on a socket that is uvsd's, the source address is given as the
 * kernel's (AF_NETLINK, port 0, msg_namelen 12). */
ssize_t uvs_nlsock_recvmsg(int fd, struct msghdr *msg, int flags);

#endif
