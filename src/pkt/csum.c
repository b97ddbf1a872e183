// SPDX-License-Identifier: GPL-2.0-or-later
#include "csum.h"

uint32_t uvs_csum_add(uint32_t sum, const void *p, size_t len)
{
	const uint8_t *b = p;
	uint64_t acc = sum;

	/* Eight bytes at a time into a 64-bit accumulator; carries fold at the end. */
	while (len >= 8) {
		uint32_t w[2];
		memcpy(w, b, 8);
		acc += w[0];
		acc += w[1];
		b += 8;
		len -= 8;
	}
	/* The tail: at most one word of each size, no loop. */
	if (len >= 4) {
		uint32_t w;
		memcpy(&w, b, 4);
		acc += w;
		b += 4;
		len -= 4;
	}
	if (len >= 2) {
		uint16_t w;
		memcpy(&w, b, 2);
		acc += w;
		b += 2;
		len -= 2;
	}
	if (len) {
		uint16_t w = 0;
		memcpy(&w, b, 1); /* the byte goes first in network order */
		acc += w;
	}
	acc = (acc & 0xffffffff) + (acc >> 32);
	acc = (acc & 0xffffffff) + (acc >> 32);
	/* Reduce to 16-bit words in a 32-bit sum without losing carries. */
	acc = (acc & 0xffff) + (acc >> 16);
	return (uint32_t)acc;
}
