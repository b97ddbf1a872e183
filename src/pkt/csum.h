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

/* Folds a 64-bit accumulator of 32-bit words to a 32-bit one (same sum mod 0xffff). */
static inline uint32_t uvs_csum_fold64(uint64_t acc)
{
	acc = (acc & 0xffffffff) + (acc >> 32);
	acc = (acc & 0xffffffff) + (acc >> 32);
	return (uint32_t)acc;
}

/* The 32-bit word at p, in memory order (the sum is byte-order independent). */
static inline uint32_t uvs_csum_word(const void *p)
{
	uint32_t w;

	memcpy(&w, p, sizeof(w));
	return w;
}

/* The pseudo-header sum of TCP, UDP and ICMPv6 for af. len is the L4 length. After
 * the addresses the pseudo-header holds, for IPv4 (RFC 793 3.1), a zero byte, the
 * protocol and the 16-bit length; for IPv6 (RFC 8200 8.1), the 32-bit length, three
 * zero bytes and the next header. Added as 32-bit words: one's complement sums may be
 * taken over any word size and folded at the end (RFC 1071). */
static inline uint32_t uvs_csum_pseudo(int af, const union uvs_addr *s, const union uvs_addr *d,
				       uint8_t proto, uint32_t len)
{
	uint64_t acc = (uint64_t)s->ip6w[0] + d->ip6w[0];

	if (af == AF_INET6) {
		for (int i = 1; i < 4; i++)
			acc += (uint64_t)s->ip6w[i] + d->ip6w[i];
		acc += htonl(len);
		acc += htonl(proto); /* three zero bytes, then the next header */
	} else {
		uint16_t tail4[2] = { htons(proto), htons((uint16_t)len) }; /* 0, proto, len */

		acc += uvs_csum_word(tail4);
	}
	return uvs_csum_fold64(acc);
}

/* What len bytes (4 or 16) changing from old to new add to a checksum's sum (RFC 1624,
 * eqn. 3: the complement of each old word and the new word), for uvs_csum_apply. */
static inline uint64_t uvs_csum_diff(const void *old, const void *new, size_t len)
{
	const uint8_t *o = old, *n = new;
	uint64_t acc = 0;

	for (size_t i = 0; i < len; i += 4)
		acc += (uint64_t)(uint32_t)~uvs_csum_word(o + i) + uvs_csum_word(n + i);
	return acc;
}

/* The same for a 16-bit field (a port). */
static inline uint64_t uvs_csum_diff16(uint16_t old, uint16_t new)
{
	return (uint64_t)(uint16_t)~old + new;
}

/* Updates the checksum field at b (network order, maybe unaligned) by diff, a sum of
 * uvs_csum_diff*(): HC' = ~(~HC + diff). */
static inline void uvs_csum_apply(uint8_t *b, uint64_t diff)
{
	uint16_t c;

	memcpy(&c, b, sizeof(c));
	c = uvs_csum_fold(uvs_csum_fold64(diff + (uint16_t)~c));
	memcpy(b, &c, sizeof(c));
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
