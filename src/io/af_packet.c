// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The AF_PACKET backend: per worker and link, a packet socket with a TPACKET_V2
 * receive ring joined to a fanout group of the link's workers; frames are copied from
 * the ring into the worker's buffers, which gives the engine headroom and returns ring
 * slots to the kernel at once; sending goes through a transmit ring per worker and link
 * (af_packet_tx.h), one send() per link and batch. Outgoing frames are not received
 * back (PACKET_IGNORE_OUTGOING).
 *
 * TPACKET_V2 rather than V3: V3 hands over whole blocks, and a block that does not
 * fill waits for its retire timer (at least 1 ms, here 2 ms), which on a director adds
 * that wait to every frame of light traffic, twice per round trip through NAT: HTTP
 * request/response traffic ran at half the rate of DR with it (bench/RESULTS.md). V2
 * hands over each frame as it arrives; under load the worker reads many per wakeup.
 *
 * Sizes follow the links' largest MTU at open: a ring slot holds a whole frame of it,
 * and so does a worker's buffer slot. The sockets take a virtio_net_hdr before each
 * frame (PACKET_VNET_HDR), which says whether a local sender left the frame
 * unsegmented (GSO) or its checksum to offload. A frame larger than a ring slot (a
 * GSO frame of up to 64 KB) is still received whole: with PACKET_COPY_THRESH the
 * kernel marks its slot TP_STATUS_COPY and queues the whole frame on the socket, where
 * recvmsg() takes it. A GSO frame is cut into wire-sized frames (pkt/gso.h), as many
 * per call as the batch has room for.
 */
#include <endian.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/virtio_net.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "af_packet_tx.h"
#include "backend.h"
#include "base/atomic.h"
#include "link.h"
#include "local.h"
#include "pkt/gso.h"
#include "pkt/parse.h"

#define BLOCK_SIZE (1u << 20)
/* A ring slot: the tpacket2 header, the address, the virtio_net_hdr and alignment
 * before the frame (76 bytes), then the frame; at least 2048, which packs a block. */
#define RING_SLOT_OVERHEAD 128u
#define RING_SLOT_MIN	   2048u
/* The receive buffer of each socket: room for several whole 64 KB frames queued for
 * recvmsg (PACKET_COPY_THRESH) while the worker is busy. */
#define COPY_RCVBUF (8 << 20)
#ifndef PACKET_FANOUT_FLAG_IGNORE_OUTGOING
#define PACKET_FANOUT_FLAG_IGNORE_OUTGOING 0x4000 /* uapi headers of recent kernels */
#endif
#ifndef VIRTIO_NET_HDR_GSO_UDP_L4
#define VIRTIO_NET_HDR_GSO_UDP_L4 5 /* Linux 6.2's uapi header has it */
#endif

struct ring {
	int fd;
	uint32_t ifindex;
	uint8_t *map;
	size_t map_len;
	uint32_t nframes;
	uint32_t frame; /* the next slot to read */
	/* tp_drops so far: PACKET_STATISTICS resets the kernel's count on each read.
	 * Only pk_stats (the control thread) touches it. */
	uint64_t drops;
};

struct worker {
	struct ring *rings;    /* one per link */
	struct pk_tx_ring *tx; /* one per link */
	unsigned turn;	       /* the ring rx starts with, so links take turns */
	uint8_t *buf;	       /* UVS_IO_BATCH slots of io->slot bytes */
	/* One frame larger than a buffer slot (GSO), with 4 bytes after it to put a
	 * VLAN tag back; gso describes it while it is being cut, for gso_ifindex. */
	uint8_t *big;
	struct uvs_gso gso;
	bool gso_pending;
	uint32_t gso_ifindex;
	struct uvs_io_local local;
	struct uvs_io_stats stats;
	/* The rings' sockets (event data: the link's index) and the stop eventfd (data:
	 * nifs): one epoll set, so that a wait does not register with every socket anew. */
	int epfd;
};

struct packet_io {
	struct uvs_io base; /* first: uvs_io pointers are packet_io pointers */
	unsigned nifs, nworkers;
	int stop_fd; /* eventfd, readable once uvs_io_wake() was called */
	uint32_t ring_bytes;
	uint32_t ring_slot; /* bytes of a ring slot */
	uint32_t ring_per_block;
	uint32_t frame_max; /* the largest frame a link's MTU allows */
	uint32_t slot;	    /* bytes of a worker's buffer slot: headroom, frame, tailroom */
	bool deliver_local;
	struct worker *workers;
};

/* Slot i of ring r: slots do not cross blocks, whose ends a slot size that does not
 * divide BLOCK_SIZE leaves unused. */
static struct tpacket2_hdr *ring_slot(const struct packet_io *io, const struct ring *r, uint32_t i)
{
	uint32_t per_block = io->ring_per_block;

	if (per_block * io->ring_slot == BLOCK_SIZE) /* the slots pack the ring: no division */
		return (struct tpacket2_hdr *)(r->map + (size_t)i * io->ring_slot);
	return (struct tpacket2_hdr *)(r->map + (size_t)(i / per_block) * BLOCK_SIZE +
				       (size_t)(i % per_block) * io->ring_slot);
}

static int open_ring(struct ring *r, const char *ifname, const struct packet_io *io,
		     const struct uvs_io_config *c, struct uvs_error *err)
{
	struct tpacket_req req = {
		.tp_block_size = BLOCK_SIZE,
		.tp_block_nr = io->ring_bytes / BLOCK_SIZE,
		.tp_frame_size = io->ring_slot,
		.tp_frame_nr = io->ring_bytes / BLOCK_SIZE * io->ring_per_block,
	};
	int version = TPACKET_V2, one = 1, rcvbuf = COPY_RCVBUF;
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL) };

	r->fd = -1;
	r->ifindex = if_nametoindex(ifname);
	if (!r->ifindex)
		return uvs_io_fail(err, ENODEV, "no link", ifname);
	/* No protocol until bound: nothing arrives before the filter is in place. */
	r->fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (r->fd < 0)
		return uvs_io_fail(err, errno, "packet socket on", ifname);
	if (c->bpf_filter_fd >= 0) {
		if (setsockopt(r->fd, SOL_SOCKET, SO_ATTACH_BPF, &c->bpf_filter_fd,
			       sizeof(c->bpf_filter_fd)) < 0)
			return uvs_io_fail(err, errno, "BPF socket filter on", ifname);
	} else if (c->filter && setsockopt(r->fd, SOL_SOCKET, SO_ATTACH_FILTER, c->filter,
					   sizeof(struct sock_fprog)) < 0) {
		return uvs_io_fail(err, errno, "socket filter on", ifname);
	}
	/* Room for frames queued whole (PACKET_COPY_THRESH): forced past rmem_max as root,
	 * else as much as rmem_max allows. */
	if (setsockopt(r->fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) < 0)
		setsockopt(r->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	/* The virtio_net_hdr goes before the ring (the kernel refuses it after). */
	if (setsockopt(r->fd, SOL_PACKET, PACKET_VERSION, &version, sizeof(version)) < 0 ||
	    setsockopt(r->fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one)) < 0 ||
	    setsockopt(r->fd, SOL_PACKET, PACKET_VNET_HDR, &one, sizeof(one)) < 0 ||
	    setsockopt(r->fd, SOL_PACKET, PACKET_COPY_THRESH, &one, sizeof(one)) < 0 ||
	    setsockopt(r->fd, SOL_PACKET, PACKET_AUXDATA, &one, sizeof(one)) < 0 ||
	    setsockopt(r->fd, SOL_PACKET, PACKET_RX_RING, &req, sizeof(req)) < 0)
		return uvs_io_fail(err, errno, "receive ring on", ifname);
	r->nframes = req.tp_frame_nr;
	r->map_len = (size_t)req.tp_block_nr * BLOCK_SIZE;
	r->map = mmap(NULL, r->map_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_LOCKED, r->fd, 0);
	if (r->map == MAP_FAILED) {
		r->map = mmap(NULL, r->map_len, PROT_READ | PROT_WRITE, MAP_SHARED, r->fd,
			      0); /* without the lock if limits refuse it */
		if (r->map == MAP_FAILED) {
			r->map = NULL;
			return uvs_io_fail(err, errno, "mapping the ring of", ifname);
		}
	}
	sll.sll_ifindex = (int)r->ifindex;
	if (bind(r->fd, (struct sockaddr *)&sll, sizeof(sll)) < 0)
		return uvs_io_fail(err, errno, "binding to", ifname);
	if (io->nworkers > 1) {
		/* One group per link; the hash keeps a flow's direction on one worker. A
		 * group ignores PACKET_IGNORE_OUTGOING of its members: it takes its own flag
		 * (recent kernels), else rx_ring skips the frames sent. */
		int id = (int)((r->ifindex ^ ((unsigned)getpid() << 4)) & 0xffff);
		int arg = id | (PACKET_FANOUT_HASH | PACKET_FANOUT_FLAG_IGNORE_OUTGOING) << 16;

		if (setsockopt(r->fd, SOL_PACKET, PACKET_FANOUT, &arg, sizeof(arg)) < 0) {
			arg = id | PACKET_FANOUT_HASH << 16;
			if (setsockopt(r->fd, SOL_PACKET, PACKET_FANOUT, &arg, sizeof(arg)) < 0)
				return uvs_io_fail(err, errno, "fanout on", ifname);
		}
	}
	return 0;
}

static void close_ring(struct ring *r)
{
	if (r->map)
		munmap(r->map, r->map_len);
	if (r->fd >= 0)
		close(r->fd);
}

static void pk_close(struct uvs_io *base);
static const struct uvs_io_ops packet_ops;

int uvs_io_open_af_packet(const struct uvs_io_config *c, struct uvs_io **out, struct uvs_error *err)
{
	struct packet_io *io;
	int ret = 0;

	if (!c->nifs || !c->nworkers)
		return uvs_io_fail(err, EINVAL, "no link or no worker", NULL);
	io = calloc(1, sizeof(*io));
	if (!io)
		return -ENOMEM;
	io->base.ops = &packet_ops;
	io->nifs = c->nifs;
	io->nworkers = c->nworkers;
	io->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (io->stop_fd < 0) {
		free(io);
		return uvs_io_fail(err, errno, "eventfd", NULL);
	}
	io->ring_bytes = (c->ring_mib ? c->ring_mib : 4) * BLOCK_SIZE;
	io->frame_max = UVS_IO_FRAME_MAX(uvs_links_mtu(c->ifnames, c->nifs));
	io->ring_slot = (io->frame_max + RING_SLOT_OVERHEAD + TPACKET_ALIGNMENT - 1) &
			~(TPACKET_ALIGNMENT - 1);
	if (io->ring_slot < RING_SLOT_MIN)
		io->ring_slot = RING_SLOT_MIN;
	io->ring_per_block = BLOCK_SIZE / io->ring_slot;
	io->slot = (UVS_FRAME_HEADROOM + io->frame_max + UVS_IO_TAILROOM + 63) & ~63u;
	io->deliver_local = c->deliver_local;
	io->workers = calloc(c->nworkers, sizeof(*io->workers));
	if (!io->workers) {
		close(io->stop_fd);
		free(io);
		return -ENOMEM;
	}
	for (unsigned w = 0; w < c->nworkers; w++) {
		uvs_io_local_none(&io->workers[w].local);
		io->workers[w].epfd = -1;
	}
	for (unsigned w = 0; w < c->nworkers && !ret; w++) {
		struct worker *wk = &io->workers[w];
		wk->rings = calloc(c->nifs, sizeof(*wk->rings));
		wk->tx = calloc(c->nifs, sizeof(*wk->tx));
		wk->epfd = epoll_create1(EPOLL_CLOEXEC);
		wk->buf = aligned_alloc(64, (size_t)UVS_IO_BATCH * io->slot);
		wk->big = malloc(UVS_IO_GSO_MAX + 4);
		/* No socket yet, for pk_close after a failure below. */
		for (unsigned i = 0; i < c->nifs; i++) {
			if (wk->rings)
				wk->rings[i].fd = -1;
			if (wk->tx)
				wk->tx[i].fd = -1;
		}
		if (wk->epfd < 0) {
			ret = uvs_io_fail(err, errno, "epoll", NULL);
			break;
		}
		if (!wk->rings || !wk->tx || !wk->buf || !wk->big) {
			ret = -ENOMEM;
			break;
		}
		if (c->deliver_local && (ret = uvs_io_local_open(&wk->local, err)) < 0)
			break;
		for (unsigned i = 0; i < c->nifs && !ret; i++) {
			ret = open_ring(&wk->rings[i], c->ifnames[i], io, c, err);
			if (!ret)
				ret = pk_tx_open(&wk->tx[i], c->ifnames[i], wk->rings[i].ifindex,
						 io->frame_max, err);
			if (!ret)
				ret = uvs_io_watch(wk->epfd, wk->rings[i].fd, i, err);
		}
		if (!ret)
			ret = uvs_io_watch(wk->epfd, io->stop_fd, c->nifs, err);
	}
	if (ret) {
		pk_close(&io->base);
		return ret;
	}
	*out = &io->base;
	return 0;
}

static void pk_close(struct uvs_io *base)
{
	struct packet_io *io = (struct packet_io *)base;

	for (unsigned w = 0; w < io->nworkers; w++) {
		struct worker *wk = &io->workers[w];
		for (unsigned i = 0; wk->rings && i < io->nifs; i++)
			close_ring(&wk->rings[i]);
		for (unsigned i = 0; wk->tx && i < io->nifs; i++)
			pk_tx_close(&wk->tx[i]);
		uvs_io_local_close(&wk->local);
		free(wk->rings);
		free(wk->tx);
		if (wk->epfd >= 0)
			close(wk->epfd);
		free(wk->buf);
		free(wk->big);
	}
	free(io->workers);
	close(io->stop_fd);
	free(io);
}

static void pk_wake(struct uvs_io *base)
{
	struct packet_io *io = (struct packet_io *)base;
	uint64_t one = 1;

	if (write(io->stop_fd, &one, sizeof(one)) < 0)
		return; /* only fails once the counter is huge: then it is readable anyway */
}

/* A frame from a local sender (a veth peer, a tap) may carry only the pseudo-header's
 * sum where its TCP or UDP checksum belongs, offload being meant to finish it
 * (VIRTIO_NET_HDR_F_NEEDS_CSUM): finish it here, so the engine sees the frame as it
 * would be on a wire. */
static bool complete_csum(uint8_t *frame, uint32_t len)
{
	struct uvs_pkt p;

	return uvs_pkt_parse(frame, len, &p) == UVS_PKT_OK && uvs_pkt_l4_csum_fill(&p);
}

/* A VLAN tag the link took off, to put back where it was (tpid 0: none). */
struct tag {
	uint16_t tpid, tci; /* network order */
};

static struct tag tag_of(uint32_t status, uint16_t tpid, uint16_t tci)
{
	struct tag t = { 0, 0 };

	if (status & TP_STATUS_VLAN_VALID) {
		t.tpid = htons((status & TP_STATUS_VLAN_TPID_VALID) && tpid ? tpid : ETH_P_8021Q);
		t.tci = htons(tci);
	}
	return t;
}

/* Copies frame pkt (len bytes, at least 12) to d, which may be pkt itself, with tag t
 * back in (4 bytes more at d); returns the length at d. */
static uint32_t copy_tagged(uint8_t *d, const uint8_t *pkt, uint32_t len, struct tag t)
{
	if (!t.tpid) {
		memmove(d, pkt, len);
		return len;
	}
	memmove(d + 16, pkt + 12, len - 12); /* first: in place, it moves what follows */
	memmove(d, pkt, 12);
	memcpy(d + 12, &t.tpid, 2);
	memcpy(d + 14, &t.tci, 2);
	return len + 4;
}

/* How a GSO frame is to be cut, from its virtio_net_hdr; false if uvs does not cut
 * that kind (UFO, an unknown type). */
static bool gso_type_of(const struct virtio_net_hdr *vh, enum uvs_gso_type *t)
{
	switch (vh->gso_type & ~VIRTIO_NET_HDR_GSO_ECN) {
	case VIRTIO_NET_HDR_GSO_TCPV4:
	case VIRTIO_NET_HDR_GSO_TCPV6:
		*t = UVS_GSO_TCP;
		return true;
	case VIRTIO_NET_HDR_GSO_UDP_L4:
		*t = UVS_GSO_UDP_L4;
		return true;
	default:
		return false;
	}
}

/* Frame slot i of the worker's buffer. */
static uint8_t *slot_data(const struct packet_io *io, const struct worker *wk, unsigned i)
{
	return wk->buf + (size_t)i * io->slot + UVS_FRAME_HEADROOM;
}

/* Describes frame i, len bytes at d (slot i's data). */
static void put_frame(const struct packet_io *io, struct worker *wk, struct uvs_frame *f,
		      unsigned i, uint8_t *d, uint32_t len, uint32_t ifindex, uint8_t rx_flags)
{
	f[i] = (struct uvs_frame){
		.data = d,
		.len = len,
		.headroom = UVS_FRAME_HEADROOM,
		.tailroom = io->slot - UVS_FRAME_HEADROOM - len,
		.ifindex = ifindex,
		.rx_flags = rx_flags,
	};
	wk->stats.rx++;
}

/* Puts the next segments of the GSO frame being cut into f[n..max); returns the new n.
 * A segment larger than a slot ends the frame (counted as rx_gso_bad). */
static unsigned emit_segments(const struct packet_io *io, struct worker *wk, struct uvs_frame *f,
			      unsigned n, unsigned max)
{
	while (n < max && uvs_gso_left(&wk->gso)) {
		uint8_t *d = slot_data(io, wk, n);
		int len = uvs_gso_next(&wk->gso, d, io->frame_max);

		if (len <= 0) {
			wk->stats.rx_gso_bad++;
			break;
		}
		/* uvs_gso_next() summed the segment's TCP or UDP checksum. */
		put_frame(io, wk, f, n++, d, (uint32_t)len, wk->gso_ifindex,
			  UVS_FRAME_RX_L4_CSUM_GOOD);
	}
	wk->gso_pending = n == max && uvs_gso_left(&wk->gso);
	return n;
}

/* A frame that needs no cutting, pkt (len bytes) with tag t, into slot n; flags: its
 * virtio_net_hdr's. Returns the new n. The path of nearly every frame. */
static inline unsigned take_whole(const struct packet_io *io, struct worker *wk, uint32_t ifindex,
				  const uint8_t *pkt, uint32_t len, uint8_t flags, struct tag t,
				  struct uvs_frame *f, unsigned n)
{
	uint32_t full = len + (t.tpid ? 4 : 0);
	uint8_t *d = slot_data(io, wk, n);
	uint8_t rx_flags = 0;

	if (full > io->frame_max) {
		wk->stats.rx_too_big++; /* larger than the links' MTU allows: not uvs's */
		return n;
	}
	if (t.tpid)
		copy_tagged(d, pkt, len, t);
	else
		memcpy(d, pkt, len);
	if (flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
		if (complete_csum(d, full))
			rx_flags = UVS_FRAME_RX_L4_CSUM_GOOD;
	} else if (flags & VIRTIO_NET_HDR_F_DATA_VALID) {
		rx_flags = UVS_FRAME_RX_L4_CSUM_GOOD; /* the kernel checked it */
	}
	put_frame(io, wk, f, n, d, full, ifindex, rx_flags);
	return n + 1;
}

/* A frame a local sender left unsegmented (take's arguments): copied out of the ring,
 * or cut in place in the receive buffer, so that the ring slot goes back to the kernel
 * at once; then cut into f[n..max), or taken whole if it makes one segment. Returns
 * the new n; sets wk->gso_pending if not cut to the end. */
static unsigned take_gso(const struct packet_io *io, struct worker *wk, uint32_t ifindex,
			 const uint8_t *pkt, uint32_t len, const struct virtio_net_hdr *vh,
			 struct tag t, struct uvs_frame *f, unsigned n, unsigned max)
{
	enum uvs_gso_type type;

	len = copy_tagged(wk->big, pkt, len, t);
	if (!gso_type_of(vh, &type) ||
	    uvs_gso_start(&wk->gso, wk->big, len, type, le16toh(vh->gso_size)) < 0) {
		wk->stats.rx_gso_bad++;
		return n;
	}
	if (uvs_gso_left(&wk->gso) <= 1 && len <= io->frame_max)
		return take_whole(io, wk, ifindex, wk->big, len, vh->flags, (struct tag){ 0, 0 }, f,
				  n);
	wk->stats.rx_gso++;
	wk->gso_ifindex = ifindex;
	return emit_segments(io, wk, f, n, max);
}

/* One received frame, pkt (len bytes) with its virtio_net_hdr vh and tag t, into
 * f[n..max): as it is, or cut if a local sender left it unsegmented. Returns the new
 * n. */
static inline unsigned take(const struct packet_io *io, struct worker *wk, uint32_t ifindex,
			    const uint8_t *pkt, uint32_t len, const struct virtio_net_hdr *vh,
			    struct tag t, struct uvs_frame *f, unsigned n, unsigned max)
{
	if (vh->gso_type != VIRTIO_NET_HDR_GSO_NONE)
		return take_gso(io, wk, ifindex, pkt, len, vh, t, f, n, max);
	return take_whole(io, wk, ifindex, pkt, len, vh->flags, t, f, n);
}

/* The frame of a slot marked TP_STATUS_COPY, larger than the slot: the kernel queued
 * it whole on the socket. Into f[n..max); returns the new n. */
static unsigned take_copied(const struct packet_io *io, struct worker *wk, struct ring *r,
			    struct uvs_frame *f, unsigned n, unsigned max)
{
	struct virtio_net_hdr vh;
	union {
		struct cmsghdr align;
		uint8_t buf[CMSG_SPACE(sizeof(struct tpacket_auxdata))];
	} control;
	struct iovec iov[2] = { { &vh, sizeof(vh) }, { wk->big, UVS_IO_GSO_MAX } };
	struct msghdr msg = { .msg_iov = iov,
			      .msg_iovlen = 2,
			      .msg_control = &control,
			      .msg_controllen = sizeof(control) };
	struct tag t = { 0, 0 };
	ssize_t got = recvmsg(r->fd, &msg, MSG_DONTWAIT | MSG_TRUNC);

	if (got < (ssize_t)sizeof(vh) + 14 || (msg.msg_flags & MSG_TRUNC)) {
		wk->stats.rx_too_big++; /* not queued after all, or beyond any IP packet */
		return n;
	}
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
		if (c->cmsg_level == SOL_PACKET && c->cmsg_type == PACKET_AUXDATA) {
			struct tpacket_auxdata aux;

			memcpy(&aux, CMSG_DATA(c), sizeof(aux));
			t = tag_of(aux.tp_status, aux.tp_vlan_tpid, aux.tp_vlan_tci);
		}
	return take(io, wk, r->ifindex, wk->big, (uint32_t)got - sizeof(vh), &vh, t, f, n, max);
}

/* Whether slot h holds a frame sent on its link rather than received: the socket
 * ignores those (PACKET_IGNORE_OUTGOING), but a fanout group without its own flag
 * delivers them, and the transmit rings' sockets are not in the group. */
static bool sent_here(const struct tpacket2_hdr *h)
{
	const struct sockaddr_ll *sll =
		(const struct sockaddr_ll *)((const uint8_t *)h + TPACKET_ALIGN(sizeof(*h)));

	return sll->sll_pkttype == PACKET_OUTGOING;
}

/* Takes the ring's frames into f[n..max); returns the new n. Stops early while a GSO
 * frame is only partly cut. */
static unsigned rx_ring(struct packet_io *io, struct worker *wk, struct ring *r,
			struct uvs_frame *f, unsigned n, unsigned max)
{
	while (n < max && !wk->gso_pending) {
		struct tpacket2_hdr *h = ring_slot(io, r, r->frame);
		/* Acquire: the kernel fills the frame before it hands the slot over. */
		uint32_t status = uvs_load_acquire(&h->tp_status);
		const uint8_t *pkt = (uint8_t *)h + h->tp_mac;
		struct virtio_net_hdr vh;

		if (!(status & TP_STATUS_USER))
			break;
		memcpy(&vh, pkt - sizeof(vh), sizeof(vh));
		if (sent_here(h))
			; /* a frame this director sent (a fanout group's tap sees them) */
		else if (status & TP_STATUS_COPY)
			n = take_copied(io, wk, r, f, n, max);
		else if (h->tp_snaplen == h->tp_len && h->tp_len >= 14)
			n = take(io, wk, r->ifindex, pkt, h->tp_snaplen, &vh,
				 tag_of(status, h->tp_vlan_tpid, h->tp_vlan_tci), f, n, max);
		else
			wk->stats.rx_too_big++; /* cut short, and not queued whole */
		/* Copied: the slot is the kernel's again. */
		uvs_store_release(&h->tp_status, TP_STATUS_KERNEL);
		r->frame = r->frame + 1 == r->nframes ? 0 : r->frame + 1;
	}
	return n;
}

static unsigned pk_rx(struct uvs_io *base, unsigned w, struct uvs_frame *f, unsigned max)
{
	struct packet_io *io = (struct packet_io *)base;
	struct worker *wk = &io->workers[w];
	unsigned n = 0;

	if (max > UVS_IO_BATCH)
		max = UVS_IO_BATCH;
	/* A GSO frame goes on where it stopped, before any later frame. */
	if (wk->gso_pending)
		n = emit_segments(io, wk, f, 0, max);
	for (unsigned k = 0; k < io->nifs && n < max && !wk->gso_pending; k++)
		n = rx_ring(io, wk, &wk->rings[(wk->turn + k) % io->nifs], f, n, max);
	wk->turn++;
	return n;
}

/* Sends, by sendmmsg() on ring r's socket, the frames of f[0..n) for transmit ring t
 * that are longer than it takes (the kernel refuses them, and says so). */
static unsigned send_longer(struct worker *wk, const struct ring *r, const struct pk_tx_ring *t,
			    const struct uvs_frame *f, unsigned n)
{
	struct uvs_frame longer[UVS_IO_BATCH];
	unsigned m = 0;

	for (unsigned k = 0; k < n && m < UVS_IO_BATCH; k++)
		if (f[k].verdict == UVS_VERDICT_TX && f[k].ifindex == t->ifindex &&
		    f[k].len > t->len_max)
			longer[m++] = f[k];
	return uvs_io_packet_send(r->fd, r->ifindex, true, longer, m, &wk->stats);
}

static unsigned pk_tx(struct uvs_io *base, unsigned w, struct uvs_frame *f, unsigned n)
{
	struct packet_io *io = (struct packet_io *)base;
	struct worker *wk = &io->workers[w];
	unsigned sent = 0;

	for (unsigned i = 0; i < io->nifs; i++) {
		unsigned longer;

		sent += pk_tx_send(&wk->tx[i], f, n, &longer, &wk->stats);
		if (longer)
			sent += send_longer(wk, &wk->rings[i], &wk->tx[i], f, n);
	}
	wk->stats.tx += sent;
	if (io->deliver_local)
		uvs_io_local_send(&wk->local, f, n, &wk->stats);
	return sent;
}

static int pk_wait(struct uvs_io *base, unsigned w, int timeout_ms)
{
	struct packet_io *io = (struct packet_io *)base;
	struct worker *wk = &io->workers[w];
	struct epoll_event ev[8];
	int nev;

	/* A frame already handed over needs no waiting. */
	for (unsigned i = 0; i < io->nifs; i++) {
		struct ring *r = &wk->rings[i];
		if (wk->gso_pending ||
		    uvs_load_acquire(&ring_slot(io, r, r->frame)->tp_status) & TP_STATUS_USER)
			return 0;
	}
	nev = epoll_wait(wk->epfd, ev, (int)(sizeof(ev) / sizeof(ev[0])), timeout_ms);
	if (nev < 0)
		return -errno;
	/* A link that went down or away leaves an error on its sockets, which makes
	 * the wait return at once until the error is read: read it, or the worker spins. */
	for (int k = 0; k < nev; k++)
		if ((ev[k].events & EPOLLERR) && ev[k].data.u32 < io->nifs) {
			int e = 0;
			socklen_t len = sizeof(e);
			getsockopt(wk->rings[ev[k].data.u32].fd, SOL_SOCKET, SO_ERROR, &e, &len);
			wk->stats.link_errors++;
		}
	return 0;
}

static void pk_stats(struct uvs_io *base, unsigned w, struct uvs_io_stats *out)
{
	struct packet_io *io = (struct packet_io *)base;
	struct worker *wk = &io->workers[w];

	*out = wk->stats;
	for (unsigned i = 0; i < io->nifs; i++) {
		struct tpacket_stats ts;
		socklen_t len = sizeof(ts);

		if (!getsockopt(wk->rings[i].fd, SOL_PACKET, PACKET_STATISTICS, &ts, &len))
			wk->rings[i].drops += ts.tp_drops;
		out->rx_ring_full += wk->rings[i].drops;
	}
}

static const struct uvs_io_ops packet_ops = {
	.rx = pk_rx,
	.tx = pk_tx,
	.wait = pk_wait,
	.wake = pk_wake,
	.stats = pk_stats,
	.close = pk_close,
};
