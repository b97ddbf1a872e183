// SPDX-License-Identifier: GPL-2.0-or-later
#include "crc32c.h"

#include <string.h>

/* The polynomial x^32 + x^28 + x^27 + ... + 1 of Castagnoli, bit-reversed: CRC32c
 * shifts right, taking each byte's least significant bit first. */
#define CASTAGNOLI_REFLECTED 0x82F63B78u

/* table[0][b]: the CRC register after shifting byte b through it from zero;
 * table[k][b]: the same followed by k zero bytes, so eight bytes fold at once. */
static uint32_t table[8][256];

/* Runs before main(): the tables are written once and only read after. */
__attribute__((constructor)) static void make_tables(void)
{
	for (uint32_t b = 0; b < 256; b++) {
		uint32_t r = b;

		for (int bit = 0; bit < 8; bit++)
			r = (r >> 1) ^ (r & 1 ? CASTAGNOLI_REFLECTED : 0);
		table[0][b] = r;
	}
	for (uint32_t b = 0; b < 256; b++)
		for (int k = 1; k < 8; k++)
			table[k][b] = (table[k - 1][b] >> 8) ^ table[0][table[k - 1][b] & 0xff];
}

uint32_t uvs_crc32c(uint32_t crc, const void *p, size_t len)
{
	const uint8_t *b = p;
	uint32_t r = ~crc;

	/* Eight bytes at a time: the first four fold into the register (little-endian,
	 * as the register takes the first byte lowest), the other four are looked up. */
	while (len >= 8) {
		uint32_t lo = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
			      (uint32_t)b[3] << 24;

		r ^= lo;
		r = table[7][r & 0xff] ^ table[6][(r >> 8) & 0xff] ^ table[5][(r >> 16) & 0xff] ^
		    table[4][r >> 24] ^ table[3][b[4]] ^ table[2][b[5]] ^ table[1][b[6]] ^
		    table[0][b[7]];
		b += 8;
		len -= 8;
	}
	while (len--)
		r = (r >> 8) ^ table[0][(r ^ *b++) & 0xff];
	return ~r;
}
