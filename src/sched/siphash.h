/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * SipHash (Aumasson and Bernstein): a keyed 64-bit hash of a byte string. The number
 * of compression rounds per 8-byte word (c) and of finalization rounds (d) are
 * parameters: SipHash-2-4 is the published reference, SipHash-1-3 the faster variant
 * the mh scheduler uses.
 */
#ifndef UVS_SIPHASH_H
#define UVS_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

/* The 128-bit key as two little-endian 64-bit halves (key bytes 0..7, then 8..15). */
struct uvs_siphash_key {
	uint64_t k0, k1;
};

uint64_t uvs_siphash(const struct uvs_siphash_key *key, const void *data, size_t len,
		     unsigned c_rounds, unsigned d_rounds);

static inline uint64_t uvs_siphash13(const struct uvs_siphash_key *key, const void *data,
				     size_t len)
{
	return uvs_siphash(key, data, len, 1, 3);
}

static inline uint64_t uvs_siphash24(const struct uvs_siphash_key *key, const void *data,
				     size_t len)
{
	return uvs_siphash(key, data, len, 2, 4);
}

#endif
