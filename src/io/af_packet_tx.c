// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The AF_PACKET backend's transmit rings (af_packet_tx.h).
 *
 * A slot is a tpacket2_hdr, then at TPACKET_ALIGN(sizeof(struct tpacket2_hdr)) a
 * virtio_net_hdr and the frame. The virtio_net_hdr (PACKET_VNET_HDR) only says how
 * many bytes to copy into the socket buffer's linear part (hdr_len): the headers,
 * which the receiving stack reads there; the kernel attaches the rest of a long frame
 * from the ring's pages without copying it. With that header the kernel skips its MTU
 * check, so frames longer than the link's MTU allows go by sendmmsg(), which refuses
 * them as before.
 *
 * The kernel takes slots in order from its own head, each marked TP_STATUS_SEND_REQUEST,
 * and gives a slot back (TP_STATUS_AVAILABLE) once its socket buffer is freed. A send()
 * that stops early (the socket's send buffer full, a link down) leaves the rest marked
 * as they were, from its head on: those are taken back and dropped, as sendmmsg()
 * dropped what it did not take, so that the ring's head and the kernel's stay equal.
 * The kernel reads a slot only inside send(), which only this worker calls.
 */
#include "af_packet_tx.h"

#include <errno.h>
#include <linux/if_packet.h>
#include <linux/virtio_net.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/atomic.h"
#include "link.h"

#define TX_SLOTS     256u /* four full batches in flight */
#define TX_BLOCK_MIN (64u << 10)
#define TX_DATA	     TPACKET_ALIGN(sizeof(struct tpacket2_hdr))
/* Bytes of a frame copied into the linear part: its headers, tunnels and all. */
#define TX_LINEAR 128u
/* Room for the in-flight frames' socket buffers (they count against the send buffer
 * until freed): forced past wmem_max as root, else as much as it allows. */
#define TX_SNDBUF (4 << 20)

static struct tpacket2_hdr *tx_slot(const struct pk_tx_ring *t, uint32_t i)
{
	return (struct tpacket2_hdr *)(t->map + (size_t)(i / t->per_block) * t->block +
				       (size_t)(i % t->per_block) * t->slot);
}

static uint32_t tx_next(const struct pk_tx_ring *t, uint32_t i)
{
	return i + 1 == t->nslots ? 0 : i + 1;
}

int pk_tx_open(struct pk_tx_ring *t, const char *ifname, uint32_t ifindex, uint32_t frame_max,
	       struct uvs_error *err)
{
	struct tpacket_req req;
	int version = TPACKET_V2, one = 1, sndbuf = TX_SNDBUF, mtu;
	/* Protocol 0: the socket only sends, it receives nothing. */
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_ifindex = (int)ifindex };

	*t = (struct pk_tx_ring){ .fd = -1, .ifindex = ifindex };
	mtu = uvs_link_mtu(ifname);
	if (mtu <= 0)
		return uvs_io_fail(err, mtu < 0 ? -mtu : ENODEV, "the MTU of", ifname);
	/* What sendmmsg() takes: a frame of the MTU with one VLAN tag. */
	t->len_max = (uint32_t)mtu + 14 + 4;
	if (t->len_max > frame_max)
		t->len_max = frame_max;
	t->slot = (uint32_t)TPACKET_ALIGN(TX_DATA + sizeof(struct virtio_net_hdr) + frame_max);
	t->block = TX_BLOCK_MIN;
	while (t->block < t->slot)
		t->block <<= 1;
	t->per_block = t->block / t->slot;
	req = (struct tpacket_req){
		.tp_block_size = t->block,
		.tp_block_nr = (TX_SLOTS + t->per_block - 1) / t->per_block,
		.tp_frame_size = t->slot,
	};
	req.tp_frame_nr = req.tp_block_nr * t->per_block;
	t->nslots = req.tp_frame_nr;
	t->fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (t->fd < 0)
		return uvs_io_fail(err, errno, "sending packet socket on", ifname);
	if (setsockopt(t->fd, SOL_SOCKET, SO_SNDBUFFORCE, &sndbuf, sizeof(sndbuf)) < 0)
		setsockopt(t->fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	/* The virtio_net_hdr goes before the ring (the kernel refuses it after); with
	 * PACKET_LOSS a slot the kernel cannot parse is skipped, not left to block it. */
	if (setsockopt(t->fd, SOL_PACKET, PACKET_VERSION, &version, sizeof(version)) < 0 ||
	    setsockopt(t->fd, SOL_PACKET, PACKET_VNET_HDR, &one, sizeof(one)) < 0 ||
	    setsockopt(t->fd, SOL_PACKET, PACKET_LOSS, &one, sizeof(one)) < 0 ||
	    setsockopt(t->fd, SOL_PACKET, PACKET_TX_RING, &req, sizeof(req)) < 0)
		return uvs_io_fail(err, errno, "transmit ring on", ifname);
	t->map_len = (size_t)req.tp_block_nr * t->block;
	t->map = mmap(NULL, t->map_len, PROT_READ | PROT_WRITE, MAP_SHARED, t->fd, 0);
	if (t->map == MAP_FAILED) {
		t->map = NULL;
		return uvs_io_fail(err, errno, "mapping the transmit ring of", ifname);
	}
	if (bind(t->fd, (struct sockaddr *)&sll, sizeof(sll)) < 0)
		return uvs_io_fail(err, errno, "binding the sending socket to", ifname);
	return 0;
}

void pk_tx_close(struct pk_tx_ring *t)
{
	if (t->map)
		munmap(t->map, t->map_len);
	if (t->fd >= 0)
		close(t->fd);
	t->map = NULL;
	t->fd = -1;
}

/* Writes frame fr into slot h and hands it to the kernel. */
static void tx_fill(struct tpacket2_hdr *h, const struct uvs_frame *fr)
{
	uint8_t *d = (uint8_t *)h + TX_DATA;
	/* Native byte order: what the kernel's legacy virtio order is on this host. */
	struct virtio_net_hdr vh = {
		.gso_type = VIRTIO_NET_HDR_GSO_NONE,
		.hdr_len = (uint16_t)(fr->len < TX_LINEAR ? fr->len : TX_LINEAR),
	};

	memcpy(d, &vh, sizeof(vh));
	memcpy(d + sizeof(vh), fr->data, fr->len);
	h->tp_len = (uint32_t)sizeof(vh) + fr->len;
	/* Release: the frame is in place before the kernel may take the slot. */
	uvs_store_release(&h->tp_status, TP_STATUS_SEND_REQUEST);
}

/* How many of the queued slots from first the kernel took: it takes them in order. */
static uint32_t tx_taken(const struct pk_tx_ring *t, uint32_t first, uint32_t queued)
{
	uint32_t i = 0, s = first;

	/* The common case first: the last one went, so all did. */
	if (uvs_load_acquire(&tx_slot(t, t->head ? t->head - 1 : t->nslots - 1)->tp_status) !=
	    TP_STATUS_SEND_REQUEST)
		return queued;
	while (i < queued &&
	       uvs_load_acquire(&tx_slot(t, s)->tp_status) != TP_STATUS_SEND_REQUEST) {
		i++;
		s = tx_next(t, s);
	}
	return i;
}

unsigned pk_tx_send(struct pk_tx_ring *t, struct uvs_frame *f, unsigned n, unsigned *longer,
		    struct uvs_io_stats *st)
{
	uint32_t first = t->head, queued = 0, taken, s;

	*longer = 0;
	for (unsigned k = 0; k < n; k++) {
		struct tpacket2_hdr *h;

		if (f[k].verdict != UVS_VERDICT_TX || f[k].ifindex != t->ifindex)
			continue;
		if (f[k].len > t->len_max) {
			(*longer)++;
			continue;
		}
		h = tx_slot(t, t->head);
		if (uvs_load_acquire(&h->tp_status) != TP_STATUS_AVAILABLE) {
			st->tx_dropped++; /* every slot still in flight: the link is behind */
			continue;
		}
		tx_fill(h, &f[k]);
		t->head = tx_next(t, t->head);
		queued++;
	}
	if (!queued)
		return 0;
	if (send(t->fd, NULL, 0, MSG_DONTWAIT) < 0 && errno != EAGAIN && errno != ENOBUFS)
		st->link_errors++; /* e.g. ENETDOWN */
	taken = tx_taken(t, first, queued);
	/* Not taken: given back (the kernel looks at them only in send()). */
	s = first;
	for (uint32_t i = 0; i < queued; i++, s = tx_next(t, s)) {
		if (i == taken)
			t->head = s;
		if (i >= taken)
			uvs_store_release(&tx_slot(t, s)->tp_status, TP_STATUS_AVAILABLE);
	}
	st->tx_dropped += queued - taken;
	return taken;
}
