/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Segmentation of a frame a local sender handed over unsegmented (GSO/TSO: a veth
 * peer's or a container's TCP sends up to 64 KB at once and leaves the cutting to the
 * device). The packet backend learns the kind and the segment size from the kernel
 * (AF_PACKET's virtio_net_hdr) and cuts the frame here into the frames the wire would
 * have carried, each with its own IP length, IPv4 id and checksum, TCP sequence number
 * and flags, UDP length, and a complete L4 checksum, before the engine sees them.
 *
 * Pure: no I/O, no allocation. The frame stays untouched while it is cut.
 */
#ifndef UVS_GSO_H
#define UVS_GSO_H

#include <stdbool.h>
#include <stdint.h>

#include "pkt/parse.h"

/* What kind of segments a frame is to be cut into (the kernel's SKB_GSO_TCPV4/TCPV6 and
 * SKB_GSO_UDP_L4, which packet sockets report as VIRTIO_NET_HDR_GSO_*). */
enum uvs_gso_type {
	UVS_GSO_TCP,	/* TCP over IPv4 or IPv6: segments of mss payload bytes */
	UVS_GSO_UDP_L4, /* UDP datagrams of mss payload bytes (UDP_SEGMENT) */
};

/* A frame being cut: set up by uvs_gso_start, advanced by uvs_gso_next. */
struct uvs_gso {
	struct uvs_pkt p;  /* the whole frame, parsed */
	uint32_t hdr_len;  /* link, IP (with extension headers) and L4 headers */
	uint32_t end;	   /* where its payload ends: l3_off + l3_len */
	uint32_t mss;	   /* payload bytes of a segment */
	uint32_t next;	   /* offset of the next segment's payload */
	uint32_t seq;	   /* TCP: the sequence number of the first payload byte */
	uint16_t ip_id;	   /* IPv4: the id of the first segment */
	uint8_t tcp_flags; /* TCP: the frame's flags */
	unsigned index;	   /* segments written so far */
	enum uvs_gso_type type;
};

/*
 * Prepares to cut frame (len bytes: Ethernet, an optional VLAN tag, IPv4 or IPv6, then
 * TCP or UDP as type says) into segments of at most mss payload bytes. Returns 0, or
 * -EINVAL if the frame is not such a packet (a reason the parser gives, the wrong L4
 * protocol) or mss is 0.
 */
int uvs_gso_start(struct uvs_gso *g, uint8_t *frame, uint32_t len, enum uvs_gso_type type,
		  uint32_t mss);

/* Segments left to write. */
unsigned uvs_gso_left(const struct uvs_gso *g);

/* The largest frame a segment of g makes: for sizing the room given to uvs_gso_next. */
uint32_t uvs_gso_max_seg(const struct uvs_gso *g);

/*
 * Writes the next segment, a whole frame with its headers fixed and checksums complete,
 * at out (room bytes). Returns its length, 0 when none is left, or -ENOSPC if room is
 * less than it needs (nothing is consumed then).
 */
int uvs_gso_next(struct uvs_gso *g, uint8_t *out, uint32_t room);

#endif
