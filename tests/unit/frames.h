/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Builds test frames with correct checksums computed by a plain reference
 * implementation of RFC 1071 (not uvs's own), so parser tests do not trust the code
 * under test. */
#ifndef UVS_TEST_FRAMES_H
#define UVS_TEST_FRAMES_H

#include <stddef.h>
#include <stdint.h>

struct frame_spec {
	int af;		 /* AF_INET or AF_INET6 */
	const char *src; /* addresses as text */
	const char *dst;
	uint8_t protocol; /* IPPROTO_TCP, _UDP, _SCTP (chunks in payload), _ICMP, _ICMPV6, ... */
	uint16_t sport;	  /* host order */
	uint16_t dport;
	uint8_t tcp_flags;
	uint32_t tcp_seq; /* host order; 0: 0x10000000 */
	uint32_t tcp_ack; /* host order */
	uint8_t icmp_type;
	uint8_t icmp_code;
	uint8_t ttl;		/* 0: 64 */
	uint8_t tos;		/* IPv4 TOS or IPv6 traffic class */
	int no_df;		/* IPv4: leave DF clear */
	int vlan;		/* >0: add an 802.1Q tag with this VID */
	int ip4_option_words;	/* IPv4: NOP options, in 4-byte words */
	int ip6_ext_headers;	/* IPv6: this many hop-by-hop/destination options headers */
	const uint8_t *payload; /* L4 payload (for ICMP errors: the embedded packet) */
	size_t payload_len;
};

/* Specs of a TCP segment (flags TH_*) from src:sport to dst:dport, and of a UDP
 * datagram; the family follows src (a colon: IPv6), the rest is frame_build's default. */
struct frame_spec frame_tcp(const char *src, uint16_t sport, const char *dst, uint16_t dport,
			    uint8_t flags);
struct frame_spec frame_udp(const char *src, uint16_t sport, const char *dst, uint16_t dport);

/* Writes the frame into buf (at least 2048 bytes); returns its length. */
size_t frame_build(uint8_t *buf, const struct frame_spec *s);

/* RFC 1071 over len bytes, the straightforward way; returns the folded complement. */
uint16_t ref_csum(const uint8_t *b, size_t len, uint32_t initial);

/* Sum of a TCP/UDP/ICMPv6 pseudo header (addresses as bytes), for ref_csum's initial. */
uint32_t ref_pseudo_sum(int af, const uint8_t *src, const uint8_t *dst, uint8_t proto,
			uint32_t len);

/* CRC32c of len bytes, bit by bit from the polynomial (not uvs's tables). */
uint32_t ref_crc32c(const uint8_t *b, size_t len);
/* Sets the checksum of the SCTP packet at sctp (len bytes) with ref_crc32c. */
void ref_sctp_csum_set(uint8_t *sctp, size_t len);

/* Offset of the L3 header in a frame built with spec s. */
size_t frame_l3_off(const struct frame_spec *s);

#endif
