/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * TCP segments the director makes itself, for the SYN proxy (core/synproxy.h): a bare
 * handshake segment written over a frame in place, and the shift of a segment's
 * sequence or acknowledgement number by a connection's offset.
 */
#ifndef UVS_XMIT_TCP_CRAFT_H
#define UVS_XMIT_TCP_CRAFT_H

#include <stdbool.h>
#include <stdint.h>

#include "pkt/parse.h"
#include "xmit.h"

/* TCP's MSS option: kind, length, value. */
#define UVS_TCPOPT_MSS	  2
#define UVS_TCPOLEN_MSS	  4
#define UVS_TCP_CRAFT_TTL 64
#define UVS_TCP_CRAFT_MAX (sizeof(struct ip6_hdr) + 20 + UVS_TCPOLEN_MSS)

/* What a crafted segment holds (ports and numbers in host order). */
struct uvs_tcp_seg {
	const union uvs_addr *src, *dst;
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;	 /* TH_* */
	uint16_t window; /* unscaled */
	uint16_t mss;	 /* 0: no option */
};

/*
 * Writes segment s over the IP packet of f (its link header kept, *p describing it):
 * a fresh IPv4 (ihl 5, DF) or IPv6 header of p's family, TTL UVS_TCP_CRAFT_TTL, then
 * a TCP header with the MSS option if s->mss, no payload, checksums computed. *p then
 * describes the new packet. Returns 0, or -ENOSPC if the frame has too little room
 * after its link header (frame unchanged).
 */
int uvs_tcp_craft(struct uvs_frame *f, struct uvs_pkt *p, const struct uvs_tcp_seg *s);

/* The MSS option of p's TCP header (a SYN's), 0 if it has none. */
uint16_t uvs_tcp_mss(const struct uvs_pkt *p);

/* Adds delta to p's sequence number (ack false) or acknowledgement number, with the
 * TCP checksum updated incrementally. p is a whole TCP segment. */
void uvs_tcp_seq_shift(struct uvs_pkt *p, bool ack, uint32_t delta);

#endif
