// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The AF_XDP backend. The steering XDP program (src/io/bpf/steer_xdp.bpf.c, attached
 * by uvs_steer_open_xdp) redirects uvs's frames to an AF_XDP socket per link and
 * receive queue; everything else goes to the kernel stack.
 *
 * Each worker has one UMEM (4096-byte chunks) shared by all its sockets, on every
 * link (XDP_SHARED_UMEM; each socket has its own fill and completion rings), so a
 * frame received on one link is sent on another from the same chunk: the engine works
 * in place, and the chunk goes to the TX ring as it is. Queue q of a link belongs to
 * worker q % nworkers; a link with fewer queues than workers leaves the others without
 * a socket there, and they send on that link through a packet socket (one copy by the
 * kernel) instead.
 *
 * The libxdp xsk API sets up the rings (bpf/xsk.h is deprecated in libbpf 1.x). The
 * kernel picks zero-copy where the driver allows it, copy mode otherwise. Sockets are
 * bound with XDP_USE_NEED_WAKEUP: receiving needs no system call, sending one per link
 * and batch (copy mode: the kernel sends at most its budget per call, 32 frames unless
 * XDP_MAX_TX_SKB_BUDGET raised it to the ring's size), and idle workers sleep in poll()
 * unless busy polling was asked for.
 *
 * A chunk is, at any time, the kernel's (in a fill, RX, TX or completion ring), the
 * engine's (received in the last batch: until uvs_io_tx, or the next uvs_io_rx), or
 * free; each worker tracks its own without locks.
 *
 * Frames longer than a chunk (jumbo frames: the links' MTU above about 3.7 KB) come and
 * go as several chunks linked by XDP_PKT_CONTD (multi-buffer sockets, XDP_USE_SG,
 * Linux 6.6 on; the steering program is built for fragmented frames, xdp.frags). A
 * received one is copied into a worker buffer whole for the engine, and sent copied
 * into as many free chunks as it needs. A kernel that refuses XDP_USE_SG keeps sockets
 * without it: their frames stop at one chunk, and the log says so.
 */
#include <bpf/bpf.h>
#include <errno.h>
#include <linux/ethtool.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/if_xdp.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>
#include <xdp/xsk.h>

#include "backend.h"
#include "io/bpf/steer-key.h"
#include "link.h"
#include "local.h"
#include "pkt/csum.h"
#include "pkt/parse.h"
#include "pkt/wire.h"

#define CHUNK 4096u
/* What one chunk holds of a received frame: the kernel's XDP_PACKET_HEADROOM (256) and
 * the UMEM's frame_headroom come first. */
#define RX_CHUNK_ROOM  (CHUNK - 256 - UVS_FRAME_HEADROOM)
#define TX_KICK_BUDGET 32u /* frames the kernel sends per sendto() in copy mode */
/* Multi-buffer sockets and their descriptors (Linux 6.6, uapi if_xdp.h), for headers
 * that predate them. */
#ifndef XDP_USE_SG
#define XDP_USE_SG (1 << 4)
#endif
#ifndef XDP_PKT_CONTD
#define XDP_PKT_CONTD (1 << 0)
#endif
/* The socket option that raises that budget (Linux 6.17, uapi if_xdp.h), for headers
 * that predate it. */
#ifndef XDP_MAX_TX_SKB_BUDGET
#define XDP_MAX_TX_SKB_BUDGET 9
#endif

enum chunk_state { C_FREE, C_KERNEL, C_ENGINE };

struct port { /* one AF_XDP socket: a queue of a link */
	struct xsk_socket *xsk;
	struct xsk_ring_cons rx, cq;
	struct xsk_ring_prod tx, fq;
	int fd;
	unsigned link;
	uint32_t queue;
	bool zerocopy;
	bool sg;	     /* multi-buffer: frames of several chunks (XDP_USE_SG) */
	unsigned tx_waiting; /* descriptors submitted since the last kick that worked */
	unsigned tx_budget;  /* frames one sendto() sends in copy mode */
	unsigned tx_batch;   /* descriptors reserved by this uvs_io_tx, to submit */
};

struct worker {
	uint8_t *area; /* the UMEM */
	size_t area_len;
	struct xsk_umem *umem;
	uint32_t nchunks;
	uint64_t *free; /* a stack of free chunks' addresses */
	uint32_t nfree;
	uint8_t *state; /* enum chunk_state, per chunk */
	struct port *ports;
	unsigned nports;
	int *tx_port;		     /* per link: the port to send on, or -1: pkt_fd */
	int *pkt_fd;		     /* per link: a packet socket where tx_port is -1, else -1 */
	uint64_t held[UVS_IO_BATCH]; /* chunks given to the engine by the last rx */
	unsigned nheld;
	uint8_t *bounce; /* UVS_IO_BATCH slots of io->slot bytes: frames of several chunks */
	struct uvs_io_local local;
	unsigned turn;
	struct pollfd *pfds; /* ports, then the stop eventfd */
	struct uvs_io_stats stats;
};

struct xdp_io {
	struct uvs_io base; /* first: uvs_io pointers are xdp_io pointers */
	unsigned nifs, nworkers;
	uint32_t *ifindex; /* per link */
	uint32_t ring;	   /* entries of each ring */
	int stop_fd;
	bool busy_poll;
	bool deliver_local;
	uint32_t frame_max; /* the largest frame a link's MTU allows */
	uint32_t slot;	    /* bytes of a bounce slot: headroom, frame, tailroom */
	struct worker *workers;
};

/* The link's receive queues, as ethtool counts them (1 if the driver does not say). */
static unsigned queues_of(const char *ifname)
{
	struct ethtool_channels ch = { .cmd = ETHTOOL_GCHANNELS };
	struct ifreq ifr;
	unsigned n = 1;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return 1;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	ifr.ifr_data = (void *)&ch;
	if (!ioctl(fd, SIOCETHTOOL, &ifr)) {
		if (ch.rx_count > n)
			n = ch.rx_count;
		if (ch.combined_count > n)
			n = ch.combined_count;
	}
	close(fd);
	return n > UVS_XSK_MAX_QUEUES ? UVS_XSK_MAX_QUEUES : n;
}

static uint64_t chunk_of(uint64_t addr)
{
	return addr & ~(uint64_t)(CHUNK - 1);
}

static void put_free(struct worker *wk, uint64_t chunk)
{
	wk->state[chunk / CHUNK] = C_FREE;
	wk->free[wk->nfree++] = chunk;
}

/* Gives the port's fill ring every free chunk it has room for. */
static void refill(struct worker *wk, struct port *p, uint32_t ring)
{
	uint32_t n = xsk_prod_nb_free(&p->fq, ring), idx;

	if (n > wk->nfree)
		n = wk->nfree;
	if (!n || xsk_ring_prod__reserve(&p->fq, n, &idx) != n)
		return;
	for (uint32_t i = 0; i < n; i++) {
		uint64_t c = wk->free[--wk->nfree];
		wk->state[c / CHUNK] = C_KERNEL;
		*xsk_ring_prod__fill_addr(&p->fq, idx + i) = c;
	}
	xsk_ring_prod__submit(&p->fq, n);
	/* A zero-copy driver that ran out of chunks waits to be told. */
	if (xsk_ring_prod__needs_wakeup(&p->fq))
		recvfrom(p->fd, NULL, 0, MSG_DONTWAIT, NULL, NULL);
}

/* Takes back the chunks the kernel has sent. */
static void complete(struct worker *wk)
{
	for (unsigned i = 0; i < wk->nports; i++) {
		struct port *p = &wk->ports[i];
		uint32_t idx, n = xsk_ring_cons__peek(&p->cq, UINT32_MAX, &idx);

		for (uint32_t k = 0; k < n; k++)
			put_free(wk, chunk_of(*xsk_ring_cons__comp_addr(&p->cq, idx + k)));
		if (n)
			xsk_ring_cons__release(&p->cq, n);
	}
}

/* Asks the kernel to send what the TX ring holds; in copy mode it takes at most
 * p->tx_budget frames per call and answers EAGAIN while more wait. */
static void kick(struct port *p, struct uvs_io_stats *st)
{
	unsigned tries = p->tx_waiting / p->tx_budget + 1;

	if (!p->tx_waiting)
		return;
	if (!xsk_ring_prod__needs_wakeup(&p->tx)) {
		p->tx_waiting = 0;
		return;
	}
	while (tries--) {
		if (sendto(p->fd, NULL, 0, MSG_DONTWAIT, NULL, 0) >= 0) {
			p->tx_waiting = 0;
			return;
		}
		if (errno != EAGAIN && errno != EBUSY && errno != ENOBUFS) {
			/* ENETDOWN: the link is down; its frames wait in the ring. */
			st->link_errors++;
			break;
		}
	}
	/* Left for the next kick (the next tx or wait). */
}

/* Chunks the engine had and did not send are free again. */
static void release_held(struct worker *wk)
{
	for (unsigned i = 0; i < wk->nheld; i++)
		if (wk->state[wk->held[i] / CHUNK] == C_ENGINE)
			put_free(wk, wk->held[i]);
	wk->nheld = 0;
}

/*
 * XDP carries no checksum state. A frame from a local sender (a veth peer, a tap) may
 * hold only the pseudo-header's sum where its TCP or UDP checksum belongs, offload
 * being meant to finish it (AF_PACKET says so, TP_STATUS_CSUMNOTREADY): such a field
 * is recognised by its value and finished here, so the engine sees the frame as on a
 * wire. A complete checksum that happens to have that value is recomputed to itself;
 * a corrupted one that has it (1 in 65536) is repaired, no worse than offload would.
 * Returns UVS_FRAME_RX_L4_CSUM_GOOD if it finished one, else 0.
 */
static uint8_t complete_partial_csum(uint8_t *frame, uint32_t len)
{
	struct uvs_pkt p;
	uint32_t off;
	uint16_t field, partial;

	if (uvs_pkt_parse(frame, len, &p) != UVS_PKT_OK ||
	    (p.protocol != IPPROTO_TCP && p.protocol != IPPROTO_UDP))
		return 0;
	off = (uint32_t)uvs_l4_csum_off(p.protocol);
	if (p.l4_len < off + sizeof(field))
		return 0;
	memcpy(&field, frame + p.l4_off + off, sizeof(field));
	partial = (uint16_t)~uvs_csum_fold(
		uvs_csum_pseudo(p.af, &p.saddr, &p.daddr, p.protocol, p.l4_len));
	if (field == partial && uvs_pkt_l4_csum_fill(&p))
		return UVS_FRAME_RX_L4_CSUM_GOOD;
	return 0;
}

/* Frame i of the batch from a single descriptor d of port p: the engine works on it in
 * its chunk. Returns the new n. */
static unsigned take_one(struct xdp_io *io, struct worker *wk, const struct port *p,
			 const struct xdp_desc *d, struct uvs_frame *f, unsigned n)
{
	uint64_t c = chunk_of(d->addr), off = d->addr - c;

	if (d->len > io->frame_max || off + d->len > CHUNK) {
		wk->stats.rx_too_big++;
		put_free(wk, c);
		return n;
	}
	wk->state[c / CHUNK] = C_ENGINE;
	wk->held[wk->nheld++] = c;
	f[n] = (struct uvs_frame){
		.data = wk->area + d->addr,
		.len = d->len,
		.headroom = (uint32_t)off,
		.tailroom = (uint32_t)(CHUNK - off - d->len),
		.ifindex = io->ifindex[p->link],
		.rx_flags = complete_partial_csum(wk->area + d->addr, d->len),
	};
	wk->stats.rx++;
	return n + 1;
}

/* A frame of k descriptors from idx of port p (multi-buffer): copied whole into bounce
 * slot n, its chunks free again at once. Returns the new n. */
static unsigned take_chain(struct xdp_io *io, struct worker *wk, struct port *p, uint32_t idx,
			   uint32_t k, struct uvs_frame *f, unsigned n)
{
	uint8_t *to = wk->bounce + (size_t)n * io->slot + UVS_FRAME_HEADROOM;
	uint32_t len = 0;
	bool fits = true;

	for (uint32_t j = 0; j < k; j++) {
		const struct xdp_desc *d = xsk_ring_cons__rx_desc(&p->rx, idx + j);
		uint64_t c = chunk_of(d->addr);

		fits &= d->addr - c + d->len <= CHUNK && len + d->len <= io->frame_max;
		if (fits) {
			memcpy(to + len, wk->area + d->addr, d->len);
			len += d->len;
		}
		put_free(wk, c);
	}
	if (!fits) {
		wk->stats.rx_too_big++;
		return n;
	}
	f[n] = (struct uvs_frame){
		.data = to,
		.len = len,
		.headroom = UVS_FRAME_HEADROOM,
		.tailroom = io->slot - UVS_FRAME_HEADROOM - len,
		.ifindex = io->ifindex[p->link],
		.rx_flags = complete_partial_csum(to, len),
	};
	wk->stats.rx++;
	return n + 1;
}

static unsigned xdp_rx(struct uvs_io *base, unsigned w, struct uvs_frame *f, unsigned max)
{
	struct xdp_io *io = (struct xdp_io *)base;
	struct worker *wk = &io->workers[w];
	unsigned n = 0;

	if (max > UVS_IO_BATCH)
		max = UVS_IO_BATCH;
	release_held(wk);
	if (!wk->nports)
		return 0;
	complete(wk);
	for (unsigned k = 0; k < wk->nports && n < max; k++) {
		struct port *p = &wk->ports[(wk->turn + k) % wk->nports];
		/* Every descriptor waiting: a frame may take several. */
		uint32_t idx, got = xsk_ring_cons__peek(&p->rx, io->ring, &idx), i = 0;

		while (i < got && n < max) {
			uint32_t last = i;

			/* The kernel publishes a frame's descriptors together. */
			while (last < got &&
			       xsk_ring_cons__rx_desc(&p->rx, idx + last)->options & XDP_PKT_CONTD)
				last++;
			if (last == got)
				break;
			if (last == i)
				n = take_one(io, wk, p, xsk_ring_cons__rx_desc(&p->rx, idx + i), f,
					     n);
			else
				n = take_chain(io, wk, p, idx + i, last - i + 1, f, n);
			i = last + 1;
		}
		if (i)
			xsk_ring_cons__release(&p->rx, i);
		if (got > i)
			xsk_ring_cons__cancel(&p->rx, got - i); /* for the next call */
		refill(wk, p, io->ring);
	}
	wk->turn++;
	return n;
}

/*
 * Queues frame fr on port p's TX ring: from the engine's own chunk while it still has
 * it (no copy), else copied into free chunks, several linked by XDP_PKT_CONTD for a
 * frame longer than a chunk (multi-buffer sockets only). Returns false if it cannot
 * (the ring or the free chunks are short, or the frame too long): a drop.
 */
static bool tx_queue(struct worker *wk, struct port *p, const struct uvs_frame *fr)
{
	const uint8_t *d = fr->data;
	uint32_t idx, ndesc, done = 0, off;

	if (d >= wk->area && d + fr->len <= wk->area + wk->area_len) {
		uint64_t a = (uint64_t)(d - wk->area), c = chunk_of(a);

		if (wk->state[c / CHUNK] == C_ENGINE && a - c + fr->len <= CHUNK) {
			if (xsk_ring_prod__reserve(&p->tx, 1, &idx) != 1)
				return false;
			wk->state[c / CHUNK] = C_KERNEL;
			*xsk_ring_prod__tx_desc(&p->tx, idx) = (struct xdp_desc){ a, fr->len, 0 };
			p->tx_batch++;
			return true;
		}
	}
	/* With headroom in one chunk, or in whole chunks from their start. */
	off = fr->len <= CHUNK - UVS_FRAME_HEADROOM ? UVS_FRAME_HEADROOM : 0;
	ndesc = (off + fr->len + CHUNK - 1) / CHUNK;
	if ((ndesc > 1 && !p->sg) || wk->nfree < ndesc ||
	    xsk_ring_prod__reserve(&p->tx, ndesc, &idx) != ndesc)
		return false;
	for (uint32_t k = 0; k < ndesc; k++) {
		uint64_t c = wk->free[--wk->nfree];
		uint32_t piece = fr->len - done < CHUNK - off ? fr->len - done : CHUNK - off;

		wk->state[c / CHUNK] = C_KERNEL;
		memcpy(wk->area + c + off, d + done, piece);
		*xsk_ring_prod__tx_desc(&p->tx, idx + k) =
			(struct xdp_desc){ c + off, piece, k + 1 < ndesc ? XDP_PKT_CONTD : 0 };
		done += piece;
	}
	p->tx_batch += ndesc;
	return true;
}

/* Sends the frames of f[0..n) for link l through its packet socket. */
static unsigned tx_packet(struct xdp_io *io, struct worker *wk, unsigned l, struct uvs_frame *f,
			  unsigned n)
{
	return uvs_io_packet_send(wk->pkt_fd[l], io->ifindex[l], false, f, n, &wk->stats);
}

static unsigned xdp_tx(struct uvs_io *base, unsigned w, struct uvs_frame *f, unsigned n)
{
	struct xdp_io *io = (struct xdp_io *)base;
	struct worker *wk = &io->workers[w];
	unsigned sent = 0;
	bool by_packet[UVS_XSK_MAX_LINKS] = { false };

	complete(wk);
	for (unsigned k = 0; k < n; k++) {
		unsigned l = 0;

		if (f[k].verdict != UVS_VERDICT_TX)
			continue;
		while (l < io->nifs && io->ifindex[l] != f[k].ifindex)
			l++;
		if (l == io->nifs) {
			wk->stats.tx_dropped++; /* not one of our links */
			continue;
		}
		if (wk->tx_port[l] < 0) {
			by_packet[l] = true;
			continue;
		}
		if (!tx_queue(wk, &wk->ports[wk->tx_port[l]], &f[k])) {
			wk->stats.tx_dropped++;
			continue;
		}
		sent++;
	}
	for (unsigned i = 0; i < wk->nports; i++) {
		struct port *p = &wk->ports[i];

		if (!p->tx_batch)
			continue;
		xsk_ring_prod__submit(&p->tx, p->tx_batch);
		p->tx_waiting += p->tx_batch;
		p->tx_batch = 0;
		kick(p, &wk->stats);
	}
	/* The packet sockets copy the frames, so this goes after them. */
	for (unsigned l = 0; l < io->nifs; l++)
		if (by_packet[l])
			sent += tx_packet(io, wk, l, f, n);
	if (io->deliver_local)
		uvs_io_local_send(&wk->local, f, n, &wk->stats);
	release_held(wk);
	wk->stats.tx += sent;
	return sent;
}

static int xdp_wait(struct uvs_io *base, unsigned w, int timeout_ms)
{
	struct xdp_io *io = (struct xdp_io *)base;
	struct worker *wk = &io->workers[w];

	for (unsigned i = 0; i < wk->nports; i++) {
		kick(&wk->ports[i], &wk->stats);
		if (xsk_cons_nb_avail(&wk->ports[i].rx, 1))
			return 0; /* frames wait already */
	}
	if (io->busy_poll)
		return 0; /* spin: the caller checks its own stop flag between calls */
	if (poll(wk->pfds, wk->nports + 1, timeout_ms) < 0)
		return -errno;
	return 0;
}

static void xdp_wake(struct uvs_io *base)
{
	struct xdp_io *io = (struct xdp_io *)base;
	uint64_t one = 1;

	if (write(io->stop_fd, &one, sizeof(one)) < 0)
		return; /* only fails once the counter is huge: then it is readable anyway */
}

/* The worker's own counters, plus its sockets' XDP_STATISTICS (the kernel's, which
 * only grow). */
static void xdp_stats(struct uvs_io *base, unsigned w, struct uvs_io_stats *out)
{
	const struct worker *wk = &((const struct xdp_io *)base)->workers[w];

	*out = wk->stats;
	for (unsigned i = 0; i < wk->nports; i++) {
		struct xdp_statistics xs = { 0 }; /* older kernels fill only a part */
		socklen_t len = sizeof(xs);

		if (getsockopt(wk->ports[i].fd, SOL_XDP, XDP_STATISTICS, &xs, &len))
			continue;
		out->rx_ring_full += xs.rx_ring_full;
		out->rx_dropped += xs.rx_dropped;
		out->rx_invalid += xs.rx_invalid_descs;
		out->tx_invalid += xs.tx_invalid_descs;
		out->rx_fill_empty += xs.rx_fill_ring_empty_descs;
	}
}

static void xdp_close(struct uvs_io *base)
{
	struct xdp_io *io = (struct xdp_io *)base;

	for (unsigned w = 0; io->workers && w < io->nworkers; w++) {
		struct worker *wk = &io->workers[w];

		/* Closing a socket takes it out of the XSKMAP too. */
		for (unsigned i = 0; i < wk->nports; i++)
			if (wk->ports[i].xsk)
				xsk_socket__delete(wk->ports[i].xsk);
		if (wk->umem)
			xsk_umem__delete(wk->umem);
		if (wk->area)
			munmap(wk->area, wk->area_len);
		for (unsigned l = 0; wk->pkt_fd && l < io->nifs; l++)
			if (wk->pkt_fd[l] >= 0)
				close(wk->pkt_fd[l]);
		uvs_io_local_close(&wk->local);
		free(wk->bounce);
		free(wk->ports);
		free(wk->tx_port);
		free(wk->pkt_fd);
		free(wk->free);
		free(wk->state);
		free(wk->pfds);
	}
	free(io->workers);
	free(io->ifindex);
	if (io->stop_fd >= 0)
		close(io->stop_fd);
	free(io);
}

static const struct uvs_io_ops xdp_ops = {
	.rx = xdp_rx,
	.tx = xdp_tx,
	.wait = xdp_wait,
	.wake = xdp_wake,
	.stats = xdp_stats,
	.close = xdp_close,
};

/* A packet socket that only sends on link l (no protocol: it receives nothing). */
static int open_packet(struct xdp_io *io, unsigned l, const char *ifname, struct uvs_error *err)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_ifindex = (int)io->ifindex[l] };
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return uvs_io_fail(err, errno, "packet socket on", ifname);
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		int e = errno;
		close(fd);
		return uvs_io_fail(err, e, "binding a packet socket to", ifname);
	}
	return fd;
}

/* Worker wk's UMEM, with room for every ring of its nports sockets to be full. */
static int open_umem(struct xdp_io *io, struct worker *wk, struct uvs_error *err)
{
	struct xsk_umem_config uc = {
		.fill_size = io->ring,
		.comp_size = io->ring,
		.frame_size = CHUNK,
		/* The kernel adds XDP_PACKET_HEADROOM (256) to this: ample for the engine. */
		.frame_headroom = UVS_FRAME_HEADROOM,
	};
	int ret;

	/* Fill, RX, TX and completion rings, minus what one chunk cannot be in twice. */
	wk->nchunks = 3 * io->ring * wk->nports + UVS_IO_BATCH;
	wk->area_len = (size_t)wk->nchunks * CHUNK;
	wk->area = mmap(NULL, wk->area_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
			0);
	if (wk->area == MAP_FAILED) {
		wk->area = NULL;
		return uvs_io_fail(err, errno, "the UMEM", NULL);
	}
	wk->free = calloc(wk->nchunks, sizeof(*wk->free));
	wk->state = calloc(wk->nchunks, 1);
	if (!wk->free || !wk->state)
		return uvs_io_fail(err, ENOMEM, "the UMEM", NULL);
	for (uint32_t i = wk->nchunks; i-- > 0;)
		put_free(wk, (uint64_t)i * CHUNK);
	ret = xsk_umem__create(&wk->umem, wk->area, wk->area_len, &wk->ports[0].fq,
			       &wk->ports[0].cq, &uc);
	if (ret)
		return uvs_io_fail(err, -ret, "registering the UMEM", NULL);
	return 0;
}

/* How long a queue held by a socket being released is waited for: 2 s in all. */
#define XSK_BUSY_TRIES	 20
#define XSK_BUSY_WAIT_US 100000

static int open_port(struct xdp_io *io, struct worker *wk, struct port *p, const char *ifname,
		     int xsk_map_fd, struct uvs_error *err)
{
	struct xsk_socket_config sc = {
		.rx_size = io->ring,
		.tx_size = io->ring,
		.libxdp_flags = XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD, /* steer.c loads ours */
		/* Zero-copy if it can; frames of several chunks (jumbo frames). */
		.bind_flags = XDP_USE_NEED_WAKEUP | XDP_USE_SG,
	};
	struct xdp_options opts;
	socklen_t len = sizeof(opts);
	uint32_t key = p->link * UVS_XSK_MAX_QUEUES + p->queue;
	char what[64];
	int ret;

	/* A socket of a uvsd that just died may still hold the queue: the kernel releases
	 * it a moment after the process is gone (EBUSY meanwhile). */
	for (unsigned tries = 0;; tries++) {
		ret = xsk_socket__create_shared(&p->xsk, ifname, p->queue, wk->umem, &p->rx, &p->tx,
						&p->fq, &p->cq, &sc);
		if ((ret == -EINVAL || ret == -EOPNOTSUPP) && (sc.bind_flags & XDP_USE_SG)) {
			sc.bind_flags &= (uint16_t)~XDP_USE_SG; /* before Linux 6.6 */
			continue;
		}
		if (ret != -EBUSY || tries == XSK_BUSY_TRIES)
			break;
		usleep(XSK_BUSY_WAIT_US);
	}
	p->sg = sc.bind_flags & XDP_USE_SG;
	if (ret) {
		p->xsk = NULL;
		snprintf(what, sizeof(what), "AF_XDP socket on queue %u of", p->queue);
		return uvs_io_fail(err, -ret, what, ifname);
	}
	p->fd = xsk_socket__fd(p->xsk);
	if (!getsockopt(p->fd, SOL_XDP, XDP_OPTIONS, &opts, &len))
		p->zerocopy = opts.flags & XDP_OPTIONS_ZEROCOPY;
	/* In copy mode, one sendto() for a whole TX ring rather than one per 32 frames
	 * where the kernel allows it (6.17 on); older kernels keep their 32. */
	p->tx_budget = TX_KICK_BUDGET;
	if (!setsockopt(p->fd, SOL_XDP, XDP_MAX_TX_SKB_BUDGET, &io->ring, sizeof(io->ring)))
		p->tx_budget = io->ring;
	if (bpf_map_update_elem(xsk_map_fd, &key, &p->fd, BPF_ANY))
		return uvs_io_fail(err, errno, "the XSKMAP entry of", ifname);
	refill(wk, p, io->ring);
	return 0;
}

static int open_worker(struct xdp_io *io, unsigned w, const unsigned *nqueues,
		       const struct uvs_io_config *c, struct uvs_error *err)
{
	struct worker *wk = &io->workers[w];
	int ret;

	wk->tx_port = calloc(io->nifs, sizeof(*wk->tx_port));
	wk->pkt_fd = calloc(io->nifs, sizeof(*wk->pkt_fd));
	wk->bounce = aligned_alloc(64, (size_t)UVS_IO_BATCH * io->slot);
	if (!wk->tx_port || !wk->pkt_fd || !wk->bounce)
		return -ENOMEM;
	if (c->deliver_local && (ret = uvs_io_local_open(&wk->local, err)) < 0)
		return ret;
	for (unsigned l = 0; l < io->nifs; l++) {
		wk->tx_port[l] = -1;
		wk->pkt_fd[l] = -1;
		for (unsigned q = w; q < nqueues[l]; q += io->nworkers)
			wk->nports++;
	}
	wk->ports = calloc(wk->nports + 1, sizeof(*wk->ports));
	wk->pfds = calloc(wk->nports + 1, sizeof(*wk->pfds));
	if (!wk->ports || !wk->pfds)
		return -ENOMEM;
	wk->pfds[wk->nports] = (struct pollfd){ io->stop_fd, POLLIN, 0 };
	if (wk->nports && (ret = open_umem(io, wk, err)) < 0)
		return ret;
	wk->nports = 0; /* counts the sockets made, for close */
	for (unsigned l = 0; l < io->nifs; l++) {
		for (unsigned q = w; q < nqueues[l]; q += io->nworkers) {
			struct port *p = &wk->ports[wk->nports++];

			p->link = l;
			p->queue = q;
			ret = open_port(io, wk, p, c->ifnames[l], c->xsk_map_fd, err);
			if (ret < 0)
				return ret;
			wk->pfds[wk->nports - 1] = (struct pollfd){ p->fd, POLLIN, 0 };
			if (wk->tx_port[l] < 0)
				wk->tx_port[l] = (int)(wk->nports - 1);
		}
		if (wk->tx_port[l] < 0 &&
		    (wk->pkt_fd[l] = open_packet(io, l, c->ifnames[l], err)) < 0)
			return wk->pkt_fd[l];
	}
	wk->pfds[wk->nports] = (struct pollfd){ io->stop_fd, POLLIN, 0 };
	return 0;
}

/* Per link: its queues, copy or zero-copy, and which workers have none of them. */
static void describe(const struct xdp_io *io, const unsigned *nqueues,
		     const struct uvs_io_config *c)
{
	size_t n = 0;

	if (!c->info || !c->infolen)
		return;
	c->info[0] = 0;
	for (unsigned l = 0; l < io->nifs && n < c->infolen; l++) {
		bool zc = false, one_chunk = false;

		for (unsigned w = 0; w < io->nworkers; w++)
			for (unsigned i = 0; i < io->workers[w].nports; i++) {
				const struct port *p = &io->workers[w].ports[i];

				zc |= p->link == l && p->zerocopy;
				one_chunk |= p->link == l && !p->sg;
			}
		n += (size_t)snprintf(c->info + n, c->infolen - n, "%s%s: %u queue(s), %s",
				      l ? "; " : "", c->ifnames[l], nqueues[l],
				      zc ? "zero-copy" : "copy mode");
		/* Without multi-buffer sockets a frame stops at one chunk. */
		if (one_chunk && io->frame_max > RX_CHUNK_ROOM && n < c->infolen)
			n += (size_t)snprintf(
				c->info + n, c->infolen - n,
				", no multi-buffer AF_XDP in this kernel (XDP_USE_SG): "
				"frames over %u bytes are dropped, not the %u the MTU "
				"allows (use --io af_packet)",
				RX_CHUNK_ROOM, io->frame_max);
		if (nqueues[l] < io->nworkers && n < c->infolen)
			n += (size_t)snprintf(
				c->info + n, c->infolen - n,
				", workers %u..%u have no queue there (they send through "
				"a packet socket)",
				nqueues[l], io->nworkers - 1);
	}
}

int uvs_io_open_af_xdp(const struct uvs_io_config *c, struct uvs_io **out, struct uvs_error *err)
{
	unsigned nqueues[UVS_XSK_MAX_LINKS];
	struct xdp_io *io;
	uint32_t ring = 64;
	int ret = 0;

	if (!c->nifs || !c->nworkers)
		return uvs_io_fail(err, EINVAL, "no link or no worker", NULL);
	if (c->nifs > UVS_XSK_MAX_LINKS)
		return uvs_io_fail(err, E2BIG, "AF_XDP: too many links", NULL);
	if (c->xsk_map_fd < 0)
		return uvs_io_fail(err, EINVAL, "AF_XDP needs the steering XDP program", NULL);
	io = calloc(1, sizeof(*io));
	if (!io)
		return -ENOMEM;
	io->base.ops = &xdp_ops;
	io->nifs = c->nifs;
	io->nworkers = c->nworkers;
	io->busy_poll = c->busy_poll;
	io->deliver_local = c->deliver_local;
	io->frame_max = UVS_IO_FRAME_MAX(uvs_links_mtu(c->ifnames, c->nifs));
	io->slot = (UVS_FRAME_HEADROOM + io->frame_max + UVS_IO_TAILROOM + 63) & ~63u;
	/* Each fill ring holds about ring_mib of chunks, as a power of two (64..8192). */
	while (ring < 8192 &&
	       (uint64_t)ring * 2 * CHUNK <= (uint64_t)(c->ring_mib ? c->ring_mib : 4) << 20)
		ring *= 2;
	io->ring = ring;
	io->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	io->ifindex = calloc(c->nifs, sizeof(*io->ifindex));
	io->workers = calloc(c->nworkers, sizeof(*io->workers));
	if (io->stop_fd < 0 || !io->ifindex || !io->workers) {
		ret = io->stop_fd < 0 ? uvs_io_fail(err, errno, "eventfd", NULL) : -ENOMEM;
		xdp_close(&io->base);
		return ret;
	}
	for (unsigned w = 0; w < c->nworkers; w++)
		uvs_io_local_none(&io->workers[w].local);
	for (unsigned l = 0; l < c->nifs && !ret; l++) {
		io->ifindex[l] = if_nametoindex(c->ifnames[l]);
		if (!io->ifindex[l])
			ret = uvs_io_fail(err, ENODEV, "no link", c->ifnames[l]);
		nqueues[l] = queues_of(c->ifnames[l]);
	}
	for (unsigned w = 0; w < c->nworkers && !ret; w++)
		ret = open_worker(io, w, nqueues, c, err);
	if (ret) {
		if (ret == -ENOMEM)
			uvs_errorf(err, ENOMEM, "AF_XDP: out of memory");
		xdp_close(&io->base);
		return ret;
	}
	describe(io, nqueues, c);
	*out = &io->base;
	return 0;
}
