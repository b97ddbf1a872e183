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

#include <stdbool.h>
#include <stdint.h>

#include "core/engine.h" /* enum uvs_verdict */
#include "xmit/xmit.h"

#define UVS_IO_BATCH 64
/* Bytes a worker's frame buffer keeps free after the frame. */
#define UVS_IO_TAILROOM 128
/* The largest frame a link of this MTU carries: Ethernet, two VLAN tags (QinQ), the IP
 * packet. */
#define UVS_IO_FRAME_MAX(mtu) ((mtu) + 14 + 8)
/* The largest frame a local sender hands over unsegmented (GSO): an IP packet of
 * 64 KB with its Ethernet header and two VLAN tags. */
#define UVS_IO_GSO_MAX UVS_IO_FRAME_MAX(65535)

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
	/* Hand the packets the engine gives UVS_VERDICT_LOCAL to the host's own stack
	 * (raw IP sockets, local.h). Set when steering took the frames from the kernel;
	 * without steering the kernel got its own copy of each frame and delivers it. */
	bool deliver_local;
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
 * next uvs_io_rx. Frames are as large as the links' MTU at open allows (a larger one
 * is counted as rx_too_big); a frame a local sender left unsegmented (GSO) is cut into
 * wire-sized frames first (pkt/gso.h). Returns how many (0 if none is waiting now).
 */
unsigned uvs_io_rx(struct uvs_io *io, unsigned w, struct uvs_frame *f, unsigned max);

/* Sends the frames among f[0..n) whose verdict is UVS_VERDICT_TX, each on its
 * ifindex, and, with deliver_local, hands the IP packets of those whose verdict is
 * UVS_VERDICT_LOCAL to the host's stack. Returns how many frames the kernel took to
 * send; the others are counted as tx drops. */
unsigned uvs_io_tx(struct uvs_io *io, unsigned w, struct uvs_frame *f, unsigned n);

/* Sleeps until worker w may have frames, or timeout_ms passes (-1: no limit).
 * Returns 0, or -EINTR. */
int uvs_io_wait(struct uvs_io *io, unsigned w, int timeout_ms);

/* Makes every uvs_io_wait(), now and from then on, return at once: for stopping the
 * workers. Any thread. */
void uvs_io_wake(struct uvs_io *io);

/*
 * The backends' counters, shown by uvsadm -L --counters as "io_" and the name, and
 * by uvsd's metrics as uvs_io_NAME_total with the help text:
 * - rx, tx: frames received and sent; rx_too_big: received frames longer than a
 *   frame buffer (the links' largest MTU when the backend opened) and not GSO;
 *   tx_dropped: frames the socket would not take;
 * - rx_gso: frames a local sender left unsegmented (GSO, AF_PACKET), cut into wire-sized
 *   frames (each of which counts in rx); rx_gso_bad: such frames dropped, of a kind uvs
 *   does not cut (UFO, a GSO type it does not know) or whose headers do not parse;
 * - local: packets handed to the host's own stack (a Local real server, the director
 *   itself); local_dropped: such packets the stack did not take (sendmmsg failed);
 * - link_errors: errors a socket reported, e.g. its link went down;
 * - rx_ring_full: frames the kernel dropped before the worker saw them because the
 *   receive ring was full (AF_PACKET: tp_drops; AF_XDP: rx_ring_full);
 * - AF_XDP only (XDP_STATISTICS of its sockets): rx_dropped, frames dropped for want
 *   of a free chunk or else (in copy mode this includes the times the fill ring was
 *   empty, which rx_fill_empty counts); rx_invalid, tx_invalid: descriptors the
 *   kernel refused.
 */
#define UVS_IO_COUNTERS(X)                                                                         \
	X(rx, "Frames received")                                                                   \
	X(rx_too_big, "Frames received longer than a frame buffer, not GSO, dropped")              \
	X(rx_gso, "Unsegmented (GSO) frames from local senders, cut into wire-sized frames")       \
	X(rx_gso_bad, "GSO frames dropped: a kind not cut, or headers that do not parse")          \
	X(tx, "Frames sent")                                                                       \
	X(tx_dropped, "Frames the socket would not take")                                          \
	X(link_errors, "Errors a socket reported, such as its link going down")                    \
	X(rx_ring_full, "Frames the kernel dropped because the receive ring was full")             \
	X(rx_dropped, "AF_XDP: frames the kernel dropped for want of a free chunk or else")        \
	X(rx_fill_empty, "AF_XDP: times the fill ring was empty")                                  \
	X(rx_invalid, "AF_XDP: receive descriptors the kernel refused")                            \
	X(tx_invalid, "AF_XDP: send descriptors the kernel refused")                               \
	X(local, "Packets handed to the host's own stack (a Local real server)")                   \
	X(local_dropped, "Packets for the host's own stack that it did not take")

struct uvs_io_stats {
#define X(name, help) uint64_t name;
	UVS_IO_COUNTERS(X)
#undef X
};
/* Control thread (any one thread at a time): it reads the sockets' own counters. */
void uvs_io_stats(struct uvs_io *io, unsigned w, struct uvs_io_stats *out);

#endif
