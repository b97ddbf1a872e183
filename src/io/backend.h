/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What a packet backend implements: io.h's functions, one table per backend. Each
 * backend's own struct starts with a struct uvs_io whose ops point at its table.
 */
#ifndef UVS_IO_BACKEND_H
#define UVS_IO_BACKEND_H

#include "io.h"

struct uvs_io_ops {
	unsigned (*rx)(struct uvs_io *io, unsigned w, struct uvs_frame *f, unsigned max);
	unsigned (*tx)(struct uvs_io *io, unsigned w, struct uvs_frame *f, unsigned n);
	int (*wait)(struct uvs_io *io, unsigned w, int timeout_ms);
	void (*wake)(struct uvs_io *io);
	void (*stats)(struct uvs_io *io, unsigned w, struct uvs_io_stats *out);
	void (*close)(struct uvs_io *io);
};

struct uvs_io {
	const struct uvs_io_ops *ops;
};

/* Writes "WHAT[ IFNAME]: strerror(e)" into err (may be NULL); returns -e. For the
 * backends' open functions. */
int uvs_io_fail(struct uvs_error *err, int e, const char *what, const char *ifname);

/* Adds fd to epoll set epfd, readable, with data.u32 = index. Returns 0, or a negative
 * errno with a message in err. */
int uvs_io_watch(int epfd, int fd, uint32_t index, struct uvs_error *err);

/* Sends, with sendmmsg() on packet socket fd, the frames among f[0..n) whose verdict is
 * TX on ifindex (at most UVS_IO_BATCH); vnet: the socket takes a virtio_net_hdr before
 * each frame (PACKET_VNET_HDR), which goes out zeroed (a whole frame, checksums done).
 * Counts in st the frames the kernel did not take (tx_dropped) and a send that failed
 * other than for a full queue (link_errors); the caller counts what was sent, which it
 * returns. */
unsigned uvs_io_packet_send(int fd, uint32_t ifindex, bool vnet, struct uvs_frame *f, unsigned n,
			    struct uvs_io_stats *st);

#endif
