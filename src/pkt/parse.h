/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Parses and validates one Ethernet frame: up to two VLAN tags (802.1Q, 802.1ad), IPv4 (with
 * options) or IPv6 (with extension headers), then TCP, UDP, ICMP or ICMPv6. One code path over the
 * address family. Never reads outside the frame.
 */
#ifndef UVS_PARSE_H
#define UVS_PARSE_H

#include <stdbool.h>
#include <stdint.h>

#include <netinet/in.h>

#include "pkt/addr.h"

/*
 * Why a frame is not a well-formed IP packet uvs can handle. One list, giving the enum
 * and the counter names (shown as "pkt_<name>").
 */
#define UVS_PKT_REASONS(X)                                                                         \
	X(OK, "ok")                                                                                \
	X(ETH_TRUNCATED, "eth_truncated")                                                          \
	X(NOT_IP, "not_ip")                                                                        \
	X(IP4_TRUNCATED, "ip4_truncated")                                                          \
	X(IP4_BAD_HEADER, "ip4_bad_header")                                                        \
	X(IP4_BAD_LENGTH, "ip4_bad_length")                                                        \
	X(IP4_BAD_CSUM, "ip4_bad_csum")                                                            \
	X(IP6_TRUNCATED, "ip6_truncated")                                                          \
	X(IP6_BAD_HEADER, "ip6_bad_header")                                                        \
	X(IP6_BAD_LENGTH, "ip6_bad_length")                                                        \
	X(IP6_BAD_EXTHDR, "ip6_bad_exthdr")                                                        \
	X(FRAGMENT, "fragment")                                                                    \
	X(L4_UNKNOWN, "l4_unknown")                                                                \
	X(TCP_TRUNCATED, "tcp_truncated")                                                          \
	X(UDP_TRUNCATED, "udp_truncated")                                                          \
	X(UDP_BAD_LENGTH, "udp_bad_length")                                                        \
	X(SCTP_TRUNCATED, "sctp_truncated")                                                        \
	X(ICMP_TRUNCATED, "icmp_truncated")

enum uvs_pkt_reason {
#define X(name, text) UVS_PKT_##name,
	UVS_PKT_REASONS(X)
#undef X
		UVS_PKT_REASON_COUNT
};

/* The counter name of a reason, e.g. "ip4_bad_csum". */
const char *uvs_pkt_reason_name(enum uvs_pkt_reason r);

/* What the parser learnt about a frame. Offsets are from the frame's start. */
struct uvs_pkt {
	uint8_t *frame;
	uint32_t frame_len;
	uint16_t l3_off;
	uint16_t l4_off;
	uint16_t ethertype; /* after any VLAN tags, host order */
	uint16_t vlan_tci;  /* the outer tag's, host order; valid if has_vlan */
	bool has_vlan;
	uint8_t af;	  /* AF_INET or AF_INET6 */
	uint8_t protocol; /* the L4 protocol, after IPv6 extension headers */
	uint8_t ttl;	  /* TTL or hop limit */
	uint8_t tcp_flags;
	uint8_t icmp_type;
	uint8_t icmp_code;
	uint32_t l3_len; /* IP packet length from its header (the frame may be padded) */
	uint32_t l4_len; /* l3_off + l3_len - l4_off */
	union uvs_addr saddr;
	union uvs_addr daddr;
	uint16_t sport; /* network order; for ICMP echo the identifier, else 0 */
	uint16_t dport;
	/* A fragment (reason FRAGMENT): its offset in the datagram's payload in bytes,
	 * whether more follow, the datagram's identification (host order), and for IPv6
	 * where its fragment header is in the frame (0 for IPv4). A first fragment's
	 * ports are set if it holds them. */
	uint16_t frag_off;
	uint16_t frag_hdr;
	uint32_t frag_id;
	bool frag_more;
};

/*
 * Parses frame (len bytes) into *p. Checks the IPv4 header checksum, lengths and the
 * presence of every header it reads; L4 checksums are checked separately by
 * uvs_pkt_l4_csum_ok(), where a rewrite needs them. Returns UVS_PKT_OK or the reason
 * the frame was refused; on NOT_IP, L4_UNKNOWN and FRAGMENT the L2/L3 fields are set
 * (and the frag_* ones on FRAGMENT).
 */
enum uvs_pkt_reason uvs_pkt_parse(uint8_t *frame, uint32_t len, struct uvs_pkt *p);

/*
 * Parses the packet embedded in an ICMP error of p (the offending IP header and at
 * least 8 bytes of its L4 header) into *inner, with inner->l3_off at its start in the
 * same frame. Lengths are not required to be complete (the error holds a prefix).
 * Returns UVS_PKT_OK or a reason.
 */
enum uvs_pkt_reason uvs_pkt_parse_icmp_inner(const struct uvs_pkt *p, struct uvs_pkt *inner);

/* True if p is TCP, UDP or SCTP: a protocol with ports, which connections key on. */
static inline bool uvs_pkt_has_ports(const struct uvs_pkt *p)
{
	return p->protocol == IPPROTO_TCP || p->protocol == IPPROTO_UDP ||
	       p->protocol == IPPROTO_SCTP;
}

/* True if p is an ICMP or ICMPv6 error message (one that embeds a packet). */
bool uvs_pkt_is_icmp_error(const struct uvs_pkt *p);

/* Verifies the TCP, UDP, ICMP or ICMPv6 checksum, or SCTP's CRC32c, of p. A UDP/IPv4
 * checksum of zero (none) is accepted. */
bool uvs_pkt_l4_csum_ok(const struct uvs_pkt *p);

/* SCTP's checksum of p (the CRC32c of the whole SCTP packet with the field as zero), as
 * the field holds it. */
uint32_t uvs_pkt_sctp_csum(const struct uvs_pkt *p);

/*
 * Computes and stores the whole TCP or UDP checksum, or SCTP's CRC32c, of p's frame
 * (other protocols: nothing). For frames a local sender left to checksum offload, which reach a
 * packet socket with only the pseudo-header's sum in the field (TP_STATUS_CSUMNOTREADY).
 * Returns whether it stored one (false: another protocol, or a header cut short).
 */
bool uvs_pkt_l4_csum_fill(struct uvs_pkt *p);

/* Whether p may not be fragmented on its way: IPv4 with DF set, or IPv6 (which routers
 * never fragment). */
bool uvs_pkt_df(const struct uvs_pkt *p);

#endif
