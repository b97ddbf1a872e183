/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Packet I/O backends, one interface: frames in, in batches, into the worker's own
 * buffers (with headroom for the engine to add tunnel headers), and frames out, in
 * batches. AF_PACKET (af_packet.c) is the portable backend; AF_XDP (af_xdp.c) takes
 * frames from the driver through an XDP program. Each backend fills a table of its
 * functions (backend.h), which the functions below call.
 *
 * Threading contract: a backend is opened by the control thread for N workers; each
 * worker then calls uvs_io_rx, uvs_io_tx and uvs_io_wait with its own id only, with
 * no lock shared between workers. uvs_io_close runs after every worker stopped.
 */
#ifndef UVS_IO_H
#define UVS_IO_H

#include <stdint.h>

#include "core/engine.h" /* enum uvs_verdict */
#include "xmit/xmit.h"

#define UVS_IO_BATCH 64
/* Room for one frame in a worker's buffer: headroom, the largest Ethernet frame
 * with a VLAN tag, and tailroom. */
#define UVS_IO_SLOT (UVS_FRAME_HEADROOM + 1518 + 128)

struct uvs_io;

enum uvs_io_backend {
	UVS_IO_AF_PACKET, /* the default */
	UVS_IO_AF_XDP,
};

struct uvs_io_config {
	enum uvs_io_backend backend; /* for uvs_io_open */
	const char *const *ifnames;  /* the links to receive from and send on */
	unsigned nifs;
	unsigned nworkers;
	uint32_t ring_mib; /* receive ring per worker and link (default 4 MiB) */
	/* Receive only what this classic BPF program accepts (NULL: every frame). The
	 * socket filter lets the kernel drop what uvs does not handle before it is
	 * copied into the ring. */
	const void *filter; /* struct sock_fprog */
	/* Or, instead, this eBPF socket filter program (SO_ATTACH_BPF), e.g.
	 * uvs_steer_sock_fd(); -1: none. Zero is a valid fd, so every caller sets it. */
	int bpf_filter_fd;
	/* AF_XDP only: the XSKMAP of the steering XDP program (uvs_steer_xsk_map_fd()),
	 * where each socket is put at ifnames[i]'s slot i and its queue (steer-key.h). */
	int xsk_map_fd;
	/* AF_XDP only: workers spin instead of sleeping in uvs_io_wait (opt-in). */
	int busy_poll;
	/* If not NULL: where the backend describes how it was set up, one line (e.g. the
	 * queues of each link and which workers have none), for the log. */
	char *info;
	size_t infolen;
};

/* Opens the backend c->backend, or the one named. Returns 0 or a negative errno (with
 * a message in err, which may be NULL). */
int uvs_io_open(const struct uvs_io_config *c, struct uvs_io **out, struct uvs_error *err);
int uvs_io_open_af_packet(const struct uvs_io_config *c, struct uvs_io **out,
			  struct uvs_error *err);
int uvs_io_open_af_xdp(const struct uvs_io_config *c, struct uvs_io **out, struct uvs_error *err);
/* Accepts NULL. */
void uvs_io_close(struct uvs_io *io);

/*
 * Worker w's next frames: at most max (<= UVS_IO_BATCH), copied into the worker's
 * buffers and described in f (data, len, head/tailroom, ifindex); valid until w's
 * next uvs_io_rx. Returns how many (0 if none is waiting now).
 */
unsigned uvs_io_rx(struct uvs_io *io, unsigned w, struct uvs_frame *f, unsigned max);

/* Sends the frames among f[0..n) whose verdict is UVS_VERDICT_TX, each on its
 * ifindex. Returns how many the kernel took; the others are counted as tx drops. */
unsigned uvs_io_tx(struct uvs_io *io, unsigned w, struct uvs_frame *f, unsigned n);

/* Sleeps until worker w may have frames, or timeout_ms passes (-1: no limit).
 * Returns 0, or -EINTR. */
int uvs_io_wait(struct uvs_io *io, unsigned w, int timeout_ms);

/* Makes every uvs_io_wait(), now and from then on, return at once: for stopping the
 * workers. Any thread. */
void uvs_io_wake(struct uvs_io *io);

/* Counters of worker w: frames received, frames not received because they exceed a
 * slot, frames sent, frames the kernel did not take, and socket errors. */
/*
 * The backends' counters, shown by uvsadm -L --counters as "io_" and the name:
 * - rx, tx: frames received and sent; rx_too_big: received frames longer than a
 *   frame buffer; tx_dropped: frames the socket would not take;
 * - link_errors: errors a socket reported, e.g. its link went down;
 * - rx_ring_full: frames the kernel dropped before the worker saw them because the
 *   receive ring was full (AF_PACKET: tp_drops; AF_XDP: rx_ring_full);
 * - AF_XDP only (XDP_STATISTICS of its sockets): rx_dropped, frames dropped for want
 *   of a free chunk or else (in copy mode this includes the times the fill ring was
 *   empty, which rx_fill_empty counts); rx_invalid, tx_invalid: descriptors the
 *   kernel refused.
 */
#define UVS_IO_COUNTERS(X)                                                                         \
	X(rx)                                                                                      \
	X(rx_too_big)                                                                              \
	X(tx)                                                                                      \
	X(tx_dropped)                                                                              \
	X(link_errors)                                                                             \
	X(rx_ring_full)                                                                            \
	X(rx_dropped)                                                                              \
	X(rx_fill_empty)                                                                           \
	X(rx_invalid)                                                                              \
	X(tx_invalid)

struct uvs_io_stats {
#define X(name) uint64_t name;
	UVS_IO_COUNTERS(X)
#undef X
};
/* Control thread (any one thread at a time): it reads the sockets' own counters. */
void uvs_io_stats(struct uvs_io *io, unsigned w, struct uvs_io_stats *out);

#endif
