// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The AF_PACKET backend: per worker and link, a packet socket with a TPACKET_V2
 * receive ring joined to a fanout group of the link's workers; frames are copied from
 * the ring into the worker's buffers, which gives the engine headroom and returns ring
 * slots to the kernel at once; sending is one sendmmsg() per link and batch. Outgoing
 * frames are not received back (PACKET_IGNORE_OUTGOING).
 *
 * TPACKET_V2 rather than V3: V3 hands over whole blocks, and a block that does not
 * fill waits for its retire timer (at least 1 ms, here 2 ms), which on a director adds
 * that wait to every frame of light traffic, twice per round trip through NAT: HTTP
 * request/response traffic ran at half the rate of DR with it (bench/RESULTS.md). V2
 * hands over each frame as it arrives; under load the worker reads many per wakeup.
 */
#include <errno.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "backend.h"
#include "base/atomic.h"
#include "pkt/parse.h"

#define BLOCK_SIZE (1u << 20)
#define FRAME_SIZE 2048u /* divides BLOCK_SIZE: frames pack each block without gaps */

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

static struct tpacket2_hdr *ring_slot(const struct ring *r, uint32_t i)
{
	return (struct tpacket2_hdr *)(r->map + (size_t)i * FRAME_SIZE);
}

struct worker {
	struct ring *rings; /* one per link */
	unsigned turn;	    /* the ring rx starts with, so links take turns */
	uint8_t *buf;	    /* UVS_IO_BATCH slots of UVS_IO_SLOT bytes */
	struct uvs_io_stats stats;
	struct pollfd *pfds;
};

struct packet_io {
	struct uvs_io base; /* first: uvs_io pointers are packet_io pointers */
	unsigned nifs, nworkers;
	int stop_fd; /* eventfd, readable once uvs_io_wake() was called */
	uint32_t ring_bytes;
	struct worker *workers;
};

static int open_ring(struct ring *r, const char *ifname, const struct packet_io *io,
		     const struct uvs_io_config *c, struct uvs_error *err)
{
	struct tpacket_req req = {
		.tp_block_size = BLOCK_SIZE,
		.tp_block_nr = io->ring_bytes / BLOCK_SIZE,
		.tp_frame_size = FRAME_SIZE,
		.tp_frame_nr = io->ring_bytes / FRAME_SIZE,
	};
	int version = TPACKET_V2, one = 1;
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
	if (setsockopt(r->fd, SOL_PACKET, PACKET_VERSION, &version, sizeof(version)) < 0 ||
	    setsockopt(r->fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one)) < 0 ||
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
		/* One group per link; the hash keeps a flow's direction on one worker. */
		int arg = (int)((r->ifindex ^ ((unsigned)getpid() << 4)) & 0xffff) |
			  PACKET_FANOUT_HASH << 16;
		if (setsockopt(r->fd, SOL_PACKET, PACKET_FANOUT, &arg, sizeof(arg)) < 0)
			return uvs_io_fail(err, errno, "fanout on", ifname);
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
	io->workers = calloc(c->nworkers, sizeof(*io->workers));
	if (!io->workers) {
		close(io->stop_fd);
		free(io);
		return -ENOMEM;
	}
	for (unsigned w = 0; w < c->nworkers && !ret; w++) {
		struct worker *wk = &io->workers[w];
		wk->rings = calloc(c->nifs, sizeof(*wk->rings));
		wk->pfds = calloc(c->nifs + 1, sizeof(*wk->pfds));
		wk->buf = aligned_alloc(64, (size_t)UVS_IO_BATCH * UVS_IO_SLOT);
		if (!wk->rings || !wk->pfds || !wk->buf) {
			ret = -ENOMEM;
			break;
		}
		for (unsigned i = 0; i < c->nifs; i++)
			wk->rings[i].fd = -1;
		for (unsigned i = 0; i < c->nifs && !ret; i++) {
			ret = open_ring(&wk->rings[i], c->ifnames[i], io, c, err);
			wk->pfds[i] = (struct pollfd){ wk->rings[i].fd, POLLIN, 0 };
		}
		wk->pfds[c->nifs] = (struct pollfd){ io->stop_fd, POLLIN, 0 };
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
		free(wk->rings);
		free(wk->pfds);
		free(wk->buf);
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
 * sum where its TCP or UDP checksum belongs, offload being meant to finish it: finish
 * it here, so the engine sees the frame as it would be on a wire. */
static void complete_csum(uint8_t *frame, uint32_t len)
{
	struct uvs_pkt p;

	if (uvs_pkt_parse(frame, len, &p) == UVS_PKT_OK)
		uvs_pkt_l4_csum_fill(&p);
}

/* Copies the ring's frames into f[0..max) (slots from *slot on); returns how many. */
static unsigned rx_ring(struct ring *r, struct uvs_frame *f, unsigned max, uint8_t *buf,
			unsigned *slot, struct uvs_io_stats *st)
{
	unsigned n = 0;

	while (n < max) {
		struct tpacket2_hdr *h = ring_slot(r, r->frame);
		/* Acquire: the kernel fills the frame before it hands the slot over. */
		uint32_t status = uvs_load_acquire(&h->tp_status);

		if (!(status & TP_STATUS_USER))
			break;
		uint8_t *d = buf + (size_t)*slot * UVS_IO_SLOT + UVS_FRAME_HEADROOM;
		const uint8_t *pkt = (uint8_t *)h + h->tp_mac;
		uint32_t len = h->tp_snaplen;
		bool tag = (status & TP_STATUS_VLAN_VALID) && len >= 12;

		if (len == h->tp_len && len + (tag ? 4 : 0) <= 1518) {
			/* A tag the link took off goes back where it was. */
			if (tag) {
				uint16_t tpid = htons((status & TP_STATUS_VLAN_TPID_VALID) &&
								      h->tp_vlan_tpid
							      ? h->tp_vlan_tpid
							      : ETH_P_8021Q);
				uint16_t tci = htons(h->tp_vlan_tci);
				memcpy(d, pkt, 12);
				memcpy(d + 12, &tpid, 2);
				memcpy(d + 14, &tci, 2);
				memcpy(d + 16, pkt + 12, len - 12);
				len += 4;
			} else {
				memcpy(d, pkt, len);
			}
			if (status & TP_STATUS_CSUMNOTREADY)
				complete_csum(d, len);
			f[n++] = (struct uvs_frame){
				.data = d,
				.len = len,
				.headroom = UVS_FRAME_HEADROOM,
				.tailroom = UVS_IO_SLOT - UVS_FRAME_HEADROOM - len,
				.ifindex = r->ifindex,
			};
			(*slot)++;
			st->rx++;
		} else {
			st->rx_too_big++; /* larger than Ethernet allows: not uvs's */
		}
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
	unsigned n = 0, slot = 0;

	if (max > UVS_IO_BATCH)
		max = UVS_IO_BATCH;
	for (unsigned k = 0; k < io->nifs && n < max; k++) {
		struct ring *r = &wk->rings[(wk->turn + k) % io->nifs];
		n += rx_ring(r, f + n, max - n, wk->buf, &slot, &wk->stats);
	}
	wk->turn++;
	return n;
}

static unsigned pk_tx(struct uvs_io *base, unsigned w, struct uvs_frame *f, unsigned n)
{
	struct packet_io *io = (struct packet_io *)base;
	struct worker *wk = &io->workers[w];
	unsigned sent = 0;

	for (unsigned i = 0; i < io->nifs; i++)
		sent += uvs_io_packet_send(wk->rings[i].fd, wk->rings[i].ifindex, f, n, &wk->stats);
	wk->stats.tx += sent;
	return sent;
}

static int pk_wait(struct uvs_io *base, unsigned w, int timeout_ms)
{
	struct packet_io *io = (struct packet_io *)base;
	struct worker *wk = &io->workers[w];

	/* A frame already handed over needs no waiting. */
	for (unsigned i = 0; i < io->nifs; i++) {
		struct ring *r = &wk->rings[i];
		if (uvs_load_acquire(&ring_slot(r, r->frame)->tp_status) & TP_STATUS_USER)
			return 0;
	}
	if (poll(wk->pfds, io->nifs + 1, timeout_ms) < 0)
		return -errno;
	/* A link that went down or away leaves an error on its sockets, which makes
	 * poll() return at once until the error is read: read it, or the worker spins. */
	for (unsigned i = 0; i < io->nifs; i++)
		if (wk->pfds[i].revents & POLLERR) {
			int e = 0;
			socklen_t len = sizeof(e);
			getsockopt(wk->pfds[i].fd, SOL_SOCKET, SO_ERROR, &e, &len);
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
