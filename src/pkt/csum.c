// SPDX-License-Identifier: GPL-2.0-or-later
#include "csum.h"

/* The 8 bytes at b as a native word. */
static inline uint64_t load64(const uint8_t *b)
{
	uint64_t w;

	memcpy(&w, b, 8);
	return w;
}

/* Adds w to *acc and counts the carry out in *carries (the compiler makes it add, adc). */
static inline void add64(uint64_t *acc, uint64_t *carries, uint64_t w)
{
	*acc += w;
	*carries += *acc < w;
}

uint32_t uvs_csum_add(uint32_t sum, const void *p, size_t len)
{
	const uint8_t *b = p;
	/* 64-bit words, with the carries out of the 64-bit sum counted beside it: a load
	 * and two additions a word, where 32-bit halves took more, folded once at the end.
	 * Four words a turn for the long segments NAT checks. */
	uint64_t acc = sum, carries = 0;

	while (len >= 32) {
		add64(&acc, &carries, load64(b));
		add64(&acc, &carries, load64(b + 8));
		add64(&acc, &carries, load64(b + 16));
		add64(&acc, &carries, load64(b + 24));
		b += 32;
		len -= 32;
	}
	/* The tail: at most three words, then at most one of each smaller size. */
	while (len >= 8) {
		add64(&acc, &carries, load64(b));
		b += 8;
		len -= 8;
	}
	if (len >= 4) {
		uint32_t w;
		memcpy(&w, b, 4);
		add64(&acc, &carries, w);
		b += 4;
		len -= 4;
	}
	if (len >= 2) {
		uint16_t w;
		memcpy(&w, b, 2);
		add64(&acc, &carries, w);
		b += 2;
		len -= 2;
	}
	if (len) {
		uint16_t w = 0;
		memcpy(&w, b, 1); /* the byte goes first in network order */
		add64(&acc, &carries, w);
	}
	/* Each carry out is worth 1 (2^64 is 1 in ones' complement): add them back, with
	 * the end-around carry of that addition, then to 16-bit words in 32 bits. */
	acc += carries;
	acc += acc < carries;
	acc = (acc & 0xffffffff) + (acc >> 32);
	acc = (acc & 0xffffffff) + (acc >> 32);
	/* Reduce to 16-bit words in a 32-bit sum without losing carries. */
	acc = (acc & 0xffff) + (acc >> 16);
	return (uint32_t)acc;
}
