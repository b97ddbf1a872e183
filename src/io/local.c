// SPDX-License-Identifier: GPL-2.0-or-later
/* Packets for the director's own stack, through raw IP sockets (local.h). */
#include "local.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip6.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "backend.h"

void uvs_io_local_none(struct uvs_io_local *l)
{
	l->fd4 = l->fd6 = -1;
}

int uvs_io_local_open(struct uvs_io_local *l, struct uvs_error *err)
{
	int e;

	uvs_io_local_none(l);
	l->fd4 = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
	if (l->fd4 < 0)
		return uvs_io_fail(err, errno, "a raw IPv4 socket (delivery to this host)", NULL);
	l->fd6 = socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
	if (l->fd6 < 0 && errno != EAFNOSUPPORT) { /* a host without IPv6: none to deliver */
		e = errno;
		uvs_io_local_close(l);
		return uvs_io_fail(err, e, "a raw IPv6 socket (delivery to this host)", NULL);
	}
	return 0;
}

void uvs_io_local_close(struct uvs_io_local *l)
{
	if (l->fd4 >= 0)
		close(l->fd4);
	if (l->fd6 >= 0)
		close(l->fd6);
	uvs_io_local_none(l);
}

/* Sends the packets of family af among f[0..n) through fd. */
static void send_family(int fd, int af, const struct uvs_frame *f, unsigned n,
			struct uvs_io_stats *st)
{
	struct mmsghdr msgs[UVS_IO_BATCH];
	struct iovec iov[UVS_IO_BATCH];
	struct sockaddr_in6 to6[UVS_IO_BATCH];
	struct sockaddr_in to4[UVS_IO_BATCH];
	unsigned m = 0, done = 0, ok = 0;

	for (unsigned k = 0; k < n && m < UVS_IO_BATCH; k++) {
		const uint8_t *ip = f[k].data;
		bool v6 = f[k].len >= sizeof(struct ip6_hdr) && ip[0] >> 4 == 6;
		bool v4 = f[k].len >= sizeof(struct ip) && ip[0] >> 4 == 4;

		if (f[k].verdict != UVS_VERDICT_LOCAL || (af == AF_INET6 ? !v6 : !v4))
			continue;
		iov[m] = (struct iovec){ f[k].data, f[k].len };
		msgs[m] = (struct mmsghdr){ .msg_hdr = { .msg_iov = &iov[m], .msg_iovlen = 1 } };
		/* The kernel routes by the address given, the packet's destination. */
		if (af == AF_INET6) {
			to6[m] = (struct sockaddr_in6){ .sin6_family = AF_INET6 };
			memcpy(&to6[m].sin6_addr, ip + offsetof(struct ip6_hdr, ip6_dst), 16);
			msgs[m].msg_hdr.msg_name = &to6[m];
			msgs[m].msg_hdr.msg_namelen = sizeof(to6[m]);
		} else {
			to4[m] = (struct sockaddr_in){ .sin_family = AF_INET };
			memcpy(&to4[m].sin_addr, ip + offsetof(struct ip, ip_dst), 4);
			msgs[m].msg_hdr.msg_name = &to4[m];
			msgs[m].msg_hdr.msg_namelen = sizeof(to4[m]);
		}
		m++;
	}
	while (fd >= 0 && done < m) {
		int ret = sendmmsg(fd, msgs + done, m - done, MSG_DONTWAIT);

		if (ret > 0) {
			done += (unsigned)ret;
			ok += (unsigned)ret;
		} else if (ret < 0 && errno != EAGAIN && errno != ENOBUFS) {
			done++; /* this one was refused (e.g. no route to it): on past it */
		} else {
			break; /* the stack is full for now: the rest are dropped */
		}
	}
	st->local += ok;
	st->local_dropped += m - ok;
}

void uvs_io_local_send(struct uvs_io_local *l, const struct uvs_frame *f, unsigned n,
		       struct uvs_io_stats *st)
{
	bool any = false;

	for (unsigned k = 0; k < n && !any; k++)
		any = f[k].verdict == UVS_VERDICT_LOCAL;
	if (!any)
		return;
	send_family(l->fd4, AF_INET, f, n, st);
	send_family(l->fd6, AF_INET6, f, n, st);
}
