// SPDX-License-Identifier: GPL-2.0-or-later
/* io.h's functions: each calls its backend's (backend.h). */
#include <errno.h>
#include <linux/if_packet.h>
#include <linux/virtio_net.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <stdio.h>
#include <string.h>

#include "backend.h"

int uvs_io_open(const struct uvs_io_config *c, struct uvs_io **out, struct uvs_error *err)
{
	switch (c->backend) {
	case UVS_IO_AF_PACKET:
		return uvs_io_open_af_packet(c, out, err);
	case UVS_IO_AF_XDP:
		return uvs_io_open_af_xdp(c, out, err);
	}
	return uvs_errorf(err, EINVAL, "no packet backend %d", (int)c->backend);
}

unsigned uvs_io_rx(struct uvs_io *io, unsigned w, struct uvs_frame *f, unsigned max)
{
	return io->ops->rx(io, w, f, max);
}

unsigned uvs_io_tx(struct uvs_io *io, unsigned w, struct uvs_frame *f, unsigned n)
{
	return io->ops->tx(io, w, f, n);
}

int uvs_io_wait(struct uvs_io *io, unsigned w, int timeout_ms)
{
	return io->ops->wait(io, w, timeout_ms);
}

void uvs_io_wake(struct uvs_io *io)
{
	io->ops->wake(io);
}

void uvs_io_stats(struct uvs_io *io, unsigned w, struct uvs_io_stats *out)
{
	io->ops->stats(io, w, out);
}

void uvs_io_close(struct uvs_io *io)
{
	if (io)
		io->ops->close(io);
}

int uvs_io_fail(struct uvs_error *err, int e, const char *what, const char *ifname)
{
	return uvs_syserrorf(err, e, "%s%s%s", what, ifname ? " " : "", ifname ? ifname : "");
}

int uvs_io_watch(int epfd, int fd, uint32_t index, struct uvs_error *err)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = index };

	if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
		return uvs_io_fail(err, errno, "epoll", NULL);
	return 0;
}

unsigned uvs_io_packet_send(int fd, uint32_t ifindex, bool vnet, struct uvs_frame *f, unsigned n,
			    struct uvs_io_stats *st)
{
	static const struct virtio_net_hdr none; /* no GSO, no offload */
	struct mmsghdr msgs[UVS_IO_BATCH];
	struct iovec iov[UVS_IO_BATCH][2];
	struct sockaddr_ll to[UVS_IO_BATCH];
	unsigned m = 0, sent = 0;

	for (unsigned k = 0; k < n && m < UVS_IO_BATCH; k++) {
		if (f[k].verdict != UVS_VERDICT_TX || f[k].ifindex != ifindex)
			continue;
		iov[m][0] = (struct iovec){ (void *)&none, sizeof(none) };
		iov[m][1] = (struct iovec){ f[k].data, f[k].len };
		to[m] = (struct sockaddr_ll){ .sll_family = AF_PACKET,
					      .sll_ifindex = (int)ifindex,
					      .sll_halen = 6 };
		memcpy(to[m].sll_addr, f[k].data, 6);
		msgs[m] = (struct mmsghdr){ .msg_hdr = { .msg_name = &to[m],
							 .msg_namelen = sizeof(to[m]),
							 .msg_iov = &iov[m][vnet ? 0 : 1],
							 .msg_iovlen = vnet ? 2 : 1 } };
		m++;
	}
	while (sent < m) {
		int ret = sendmmsg(fd, msgs + sent, m - sent, MSG_DONTWAIT);
		if (ret <= 0) {
			if (ret < 0 && errno != EAGAIN && errno != ENOBUFS)
				st->link_errors++; /* e.g. ENETDOWN */
			break; /* the link's queue is full or it went down: drop the rest */
		}
		sent += (unsigned)ret;
	}
	st->tx_dropped += m - sent;
	return sent;
}
