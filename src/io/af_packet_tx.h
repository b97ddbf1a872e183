/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The AF_PACKET backend's sending side: per worker and link, a packet socket bound to
 * the link with a TPACKET_V2 transmit ring (PACKET_TX_RING). A batch's frames are
 * written into ring slots and one send() hands them all to the kernel, where
 * sendmmsg() cost a copy of the message header, an address lookup and a copy of the
 * frame per frame. Internal to af_packet.c.
 */
#ifndef UVS_IO_AF_PACKET_TX_H
#define UVS_IO_AF_PACKET_TX_H

#include <stdint.h>

#include "backend.h"

struct pk_tx_ring {
	int fd;
	uint32_t ifindex;
	uint8_t *map;
	size_t map_len;
	uint32_t slot;	    /* bytes of a slot */
	uint32_t per_block; /* slots per block */
	uint32_t block;	    /* bytes of a block */
	uint32_t nslots;
	/* The next slot to fill. Between calls it is also the kernel's own head: every
	 * slot the kernel did not take is given back and head moved back to it. */
	uint32_t head;
	uint32_t len_max; /* the longest frame the ring takes: the link's MTU at open */
};

/* Opens t on link ifname (index ifindex) for frames of up to frame_max bytes. Returns
 * 0 or a negative errno (message in err); t->fd is -1 if it failed before the socket. */
int pk_tx_open(struct pk_tx_ring *t, const char *ifname, uint32_t ifindex, uint32_t frame_max,
	       struct uvs_error *err);
/* Accepts a ring whose open failed, or one never opened once its fd is -1. */
void pk_tx_close(struct pk_tx_ring *t);

/*
 * Sends the frames among f[0..n) whose verdict is TX on t's link, in one send(); those
 * longer than t->len_max are left for sendmmsg(), which reports them: *longer counts
 * them. Counts in st the frames the kernel did not take, or found no free slot
 * (tx_dropped), and a send that failed other than for a full queue (link_errors).
 * Returns how many frames the kernel took. Worker thread only.
 */
unsigned pk_tx_send(struct pk_tx_ring *t, struct uvs_frame *f, unsigned n, unsigned *longer,
		    struct uvs_io_stats *st);

#endif
