// SPDX-License-Identifier: GPL-2.0-or-later
#include "siphash.h"

struct sip_state {
	uint64_t v0, v1, v2, v3;
};

static inline uint64_t rotl64(uint64_t x, unsigned n)
{
	return (x << n) | (x >> (64 - n));
}

static void sip_rounds(struct sip_state *s, unsigned n)
{
	while (n--) {
		s->v0 += s->v1;
		s->v1 = rotl64(s->v1, 13) ^ s->v0;
		s->v0 = rotl64(s->v0, 32);
		s->v2 += s->v3;
		s->v3 = rotl64(s->v3, 16) ^ s->v2;
		s->v0 += s->v3;
		s->v3 = rotl64(s->v3, 21) ^ s->v0;
		s->v2 += s->v1;
		s->v1 = rotl64(s->v1, 17) ^ s->v2;
		s->v2 = rotl64(s->v2, 32);
	}
}

static void sip_absorb(struct sip_state *s, uint64_t m, unsigned c_rounds)
{
	s->v3 ^= m;
	sip_rounds(s, c_rounds);
	s->v0 ^= m;
}

/* Reads n (at most 8) bytes as a little-endian number, whatever the host's order. */
static uint64_t load_le(const uint8_t *p, size_t n)
{
	uint64_t m = 0;

	for (size_t i = 0; i < n; i++)
		m |= (uint64_t)p[i] << (8 * i);
	return m;
}

uint64_t uvs_siphash(const struct uvs_siphash_key *key, const void *data, size_t len,
		     unsigned c_rounds, unsigned d_rounds)
{
	const uint8_t *p = data;
	size_t whole = len & ~(size_t)7;
	struct sip_state s = {
		.v0 = key->k0 ^ 0x736f6d6570736575ull, /* "somepseu" */
		.v1 = key->k1 ^ 0x646f72616e646f6dull, /* "dorandom" */
		.v2 = key->k0 ^ 0x6c7967656e657261ull, /* "lygenera" */
		.v3 = key->k1 ^ 0x7465646279746573ull, /* "tedbytes" */
	};

	for (size_t i = 0; i < whole; i += 8)
		sip_absorb(&s, load_le(p + i, 8), c_rounds);
	/* The last word: the remaining 0..7 bytes, with the length's low byte on top. */
	sip_absorb(&s, load_le(p + whole, len - whole) | (uint64_t)(len & 0xff) << 56, c_rounds);
	s.v2 ^= 0xff;
	sip_rounds(&s, d_rounds);
	return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}
