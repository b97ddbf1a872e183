/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Delivering packets to the director's own stack, for real servers that are the
 * director itself (the forwarding ipvsadm lists as Local). Steering took the frame
 * from the kernel; the engine gives it back as the IP packet it was (no rewrite, as
 * the kernel's IPVS Local forwarding), and it goes in through a raw IP socket
 * (IPPROTO_RAW: the header is the caller's). The kernel routes it to its local
 * address, the VIP, by the loopback device, which delivers it to the socket listening
 * there without the checks of a packet arriving from a link (reverse path, martian
 * source): those were the engine's. The local server's answers leave by the kernel's
 * routes straight to the client, as a direct-routing real server's do.
 *
 * Needs CAP_NET_RAW. One per worker; no locks.
 */
#ifndef UVS_IO_LOCAL_H
#define UVS_IO_LOCAL_H

#include "io.h"

struct uvs_io_local {
	int fd4, fd6; /* -1: not open */
};

/* Opens the raw sockets. Returns 0, or a negative errno with a message in err. */
int uvs_io_local_open(struct uvs_io_local *l, struct uvs_error *err);
/* Closes what is open (l was opened, or set by uvs_io_local_none). */
void uvs_io_local_close(struct uvs_io_local *l);
/* Sets l to "not open", for closing without opening. */
void uvs_io_local_none(struct uvs_io_local *l);

/* Sends the IP packets of the frames among f[0..n) whose verdict is UVS_VERDICT_LOCAL
 * into the host's stack; counts them in st (local, local_dropped). */
void uvs_io_local_send(struct uvs_io_local *l, const struct uvs_frame *f, unsigned n,
		       struct uvs_io_stats *st);

#endif
