/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Internet checksums (RFC 1071) and their incremental update (RFC 1624), as used by
 * the parser to check and by the rewriters to fix headers. Sums are kept as 32-bit
 * accumulators of 16-bit words in network byte order and folded at the end.
 */
#ifndef UVS_CSUM_H
#define UVS_CSUM_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "pkt/addr.h"

/* Adds len bytes at p to sum (an odd trailing byte is padded with zero). */
uint32_t uvs_csum_add(uint32_t sum, const void *p, size_t len);

/* Folds a 32-bit accumulator to 16 bits and complements it: the checksum field. */
static inline uint16_t uvs_csum_fold(uint32_t sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* The pseudo-header sum of TCP, UDP and ICMPv6 for af. len is the L4 length. After
 * the addresses the pseudo-header holds, for IPv4 (RFC 793 3.1), a zero byte, the
 * protocol and the 16-bit length; for IPv6 (RFC 8200 8.1), the 32-bit length, three
 * zero bytes and the next header. */
static inline uint32_t uvs_csum_pseudo(int af, const union uvs_addr *s, const union uvs_addr *d,
				       uint8_t proto, uint32_t len)
{
	size_t alen = af == AF_INET6 ? 16 : 4;
	uint32_t sum = uvs_csum_add(0, s, alen);

	sum = uvs_csum_add(sum, d, alen);
	if (af == AF_INET6) {
		struct {
			uint32_t len;
			uint16_t zero;
			uint16_t next_header; /* a zero byte, then the next header */
		} tail6 = { htonl(len), 0, htons(proto) };

		return uvs_csum_add(sum, &tail6, sizeof(tail6));
	}
	struct {
		uint16_t protocol; /* a zero byte, then the protocol */
		uint16_t len;
	} tail4 = { htons(proto), htons((uint16_t)len) };

	return uvs_csum_add(sum, &tail4, sizeof(tail4));
}

/* Updates checksum *field after len bytes (a multiple of 2) changed from old to new. */
static inline void uvs_csum_replace(uint16_t *field, const void *old, const void *new, size_t len)
{
	const uint16_t *o = old, *n = new;
	uint32_t sum = (uint16_t) ~*field;

	for (size_t i = 0; i < len / 2; i++) {
		uint16_t ow, nw;
		memcpy(&ow, o + i, 2);
		memcpy(&nw, n + i, 2);
		sum += (uint16_t)~ow;
		sum += nw;
	}
	*field = uvs_csum_fold(sum);
}

#endif
