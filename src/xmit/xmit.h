/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Frame rewrites of the forwarding methods, as pure functions over a parsed frame:
 * NAT in both directions, the TTL step and Ethernet addressing shared by all methods,
 * tunnel encapsulation (ipip, gue, gre over IPv4 or IPv6), fragmentation, building
 * ICMP errors and relaying ICMP errors that concern a NAT connection. No I/O, no locks, no
 * allocation.
 *
 * Every function leaves every checksum of the frame correct (IPv4 header, TCP, UDP,
 * ICMP, ICMPv6, and those of an embedded packet) and keeps *p describing the frame
 * after the change, so calls can be chained.
 */
#ifndef UVS_XMIT_H
#define UVS_XMIT_H

#include <stdint.h>

#include "pkt/addr.h"
#include "pkt/parse.h"

/* Room every backend leaves before a frame, enough for the largest encapsulation
 * (Ethernet + IPv6 + UDP + GUE) and for turning a frame into an ICMP error. */
#define UVS_FRAME_HEADROOM 128

/*
 * A frame in a batch. data may move back into the headroom and len may grow into the
 * tailroom; the backend sends data..data+len.
 */
struct uvs_frame {
	uint8_t *data;
	uint32_t len;
	uint32_t headroom; /* bytes usable before data */
	uint32_t tailroom; /* bytes usable after data + len */
	uint32_t fwmark;   /* in: the mark the backend classified the frame with, 0 if none */
	uint32_t ifindex;  /* in: the arrival link; out, when sent: the link to send on */
	uint8_t verdict;   /* out: enum uvs_verdict */
	uint8_t reason;	   /* out: why, for DROP and PASS (enum uvs_reason in engine.h) */
	uint8_t rx_flags;  /* in: UVS_FRAME_RX_*, from the backend */
};

/* The frame's TCP, UDP or SCTP checksum is known right: the backend computed it (a
 * local sender left it to offload, or a GSO frame was cut), or the kernel checked it
 * (a NIC's CHECKSUM_UNNECESSARY, VIRTIO_NET_HDR_F_DATA_VALID). NAT does not sum the
 * segment again before it rewrites the frame. */
#define UVS_FRAME_RX_L4_CSUM_GOOD 0x01

/* Where a frame to a given next hop leaves, as the backend's route and neighbour
 * tables say. */
struct uvs_route {
	uint32_t ifindex;
	uint32_t mtu;	    /* of the path, at the IP layer (e.g. 1500) */
	union uvs_addr src; /* the director's address toward that next hop */
	uint8_t src_mac[6]; /* the director's link address on ifindex */
	uint8_t dst_mac[6]; /* the next hop's link address */
};

/* A tunnelling destination's encapsulation (UVS_TUN_TYPE_*, UVS_TUN_F_*). */
struct uvs_tun {
	uint8_t type;
	uint16_t port; /* gue: the UDP destination port, network order */
	uint16_t flags;
};

/*
 * NAT, inbound: the destination address and port become the real server's
 * (daddr, dport network order); the L4 checksum is updated incrementally (a UDP/IPv4
 * datagram sent without one, 0, gets one computed, as in the kernel) and the IPv4
 * header checksum is fixed.
 */
void uvs_nat_in(struct uvs_pkt *p, const union uvs_addr *daddr, uint16_t dport);

/* NAT, reply: the source address and port become the virtual service's. */
void uvs_nat_out(struct uvs_pkt *p, const union uvs_addr *saddr, uint16_t sport);

/* Sets a TCP segment's sequence and acknowledgement numbers (host order), the
 * checksum updated. */
void uvs_tcp_seq_ack_set(struct uvs_pkt *p, uint32_t seq, uint32_t ack);

/*
 * Replaces old_len bytes at offset off of the TCP payload of f (whose packet is *p,
 * the frame trimmed to it) by new_len bytes of text, moving what follows: the IP
 * length (IPv4's header checksum with it) follows, the TCP checksum is computed
 * afresh, and *p and f's length and tailroom describe the packet after. Returns 0;
 * -ENOSPC if the IP packet would pass max_len bytes or 65535, or the frame its
 * tailroom; -EINVAL if the text lies outside the packet (frame unchanged in both).
 */
int uvs_tcp_payload_replace(struct uvs_frame *f, struct uvs_pkt *p, uint32_t off, uint32_t old_len,
			    const void *text, uint32_t new_len, uint32_t max_len);

/*
 * Decrements the TTL (IPv4, checksum fixed) or hop limit (IPv6). Returns 0, or -1 and
 * leaves the frame unchanged if it was 1 or less: the caller answers time-exceeded.
 */
int uvs_ttl_dec(struct uvs_pkt *p);

/* Sets the Ethernet source and destination addresses from r. A VLAN tag is kept. */
void uvs_eth_set(struct uvs_pkt *p, const struct uvs_route *r);

/*
 * The bytes tunnel t adds in front of an inner packet when the outer family is
 * outer_af: the outer IP header, plus UDP and GUE, or GRE (with its checksum word).
 */
uint32_t uvs_tun_overhead(int outer_af, const struct uvs_tun *t);

/*
 * Encapsulates the IP packet of f (described by *p) for tunnel t: an outer IPv4 or
 * IPv6 header (family outer_af) from src to dst after the Ethernet header, as in the
 * reference: IPv4 ihl 5, tos/traffic class copied with ECN, ttl = inner ttl, DF set
 * when the inner is IPv4 with DF or is IPv6, protocol 4/41 (ipip), 17 (gue: UDP to
 * t->port, GUE version 0, checksum per t->flags), 47 (gre: 0x0800/0x86DD, checksum
 * bit with UVS_TUN_F_CSUM). Moves f->data back by the overhead and drops any Ethernet
 * padding; *p then describes the outer packet (its ports are the UDP ones for gue).
 * The gue source port (49152-65535) and the IPv6 flow label come from a hash of the
 * inner flow. Returns 0, or -ENOSPC if the headroom is too small, -EMSGSIZE if the
 * outer packet would pass 65535 bytes, -EINVAL for an unknown t->type (frame
 * unchanged in each case).
 */
int uvs_tun_encap(struct uvs_frame *f, struct uvs_pkt *p, int outer_af, const union uvs_addr *src,
		  const union uvs_addr *dst, const struct uvs_tun *t);

/*
 * Turns f, whose packet is *p, into an ICMP (IPv4) or ICMPv6 error about it, sent
 * back to its source from src: type and code as given, info the 32-bit word after the
 * checksum (the next-hop MTU for frag-needed, the MTU for packet-too-big, else 0, host
 * order). The message quotes as much of the offending packet as fits in 576 (IPv4) or
 * 1280 (IPv6) bytes. The Ethernet addresses are swapped, so the frame goes back out
 * the link it came in on. TTL/hop limit 64. *p then describes the new packet.
 * Whether an error may be sent at all (not about an ICMP error, not to a broadcast,
 * rate limits) is the caller's decision.
 * Returns 0, or -ENOSPC if the headroom is too small (frame unchanged).
 */
int uvs_icmp_error(struct uvs_frame *f, struct uvs_pkt *p, const union uvs_addr *src, uint8_t type,
		   uint8_t code, uint32_t info);

/*
 * Cuts the IP packet of p (a whole one, in its frame after its link header) into
 * fragments of at most size bytes of IP packet each, as Linux's ip_do_fragment() and
 * ip6_fragment() cut one they forward: payloads of multiples of 8 bytes but the last,
 * each behind a copy of the link header. IPv4: the header repeated (after the first
 * fragment, options without the copy flag become NOPs), offset and MF set, DF and the
 * identification kept, the checksum computed. IPv6: the unfragmentable part repeated
 * (the header, hop-by-hop and routing headers, destination options before a routing
 * header), then a fragment header with identification id.
 * Fragment k is written at buf + k * (headroom + link header + size) + headroom and
 * described in out[k] (data, len, headroom; ifindex and the rest 0).
 * Returns how many, or -ENOSPC if more than max are needed, they do not fit in room
 * bytes, or size leaves no room for 8 bytes of payload.
 */
int uvs_ip_fragment(const struct uvs_pkt *p, uint32_t size, uint32_t id, uint8_t *buf, size_t room,
		    uint32_t headroom, struct uvs_frame *out, unsigned max);

/*
 * Relays an ICMP error about a NAT connection. p is the error, inner the embedded
 * packet (from uvs_pkt_parse_icmp_inner).
 * Inbound (an error from the client side about a packet the real server sent, which
 * uvs had rewritten to come from the VIP): the outer destination becomes rs and the
 * embedded source becomes rs:rport.
 * Outbound (an error from the real server's side about a packet sent to it): the outer
 * source becomes vip and the embedded destination vip:vport.
 * Fixes both IP header checksums, the embedded L4 checksum where the quote holds it
 * (it is left alone when the quote is too short), and the ICMP checksum over the
 * whole message.
 */
void uvs_icmp_relay_in(struct uvs_pkt *p, struct uvs_pkt *inner, const union uvs_addr *rs,
		       uint16_t rport);
void uvs_icmp_relay_out(struct uvs_pkt *p, struct uvs_pkt *inner, const union uvs_addr *vip,
			uint16_t vport);

#endif
