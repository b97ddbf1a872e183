/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * CRC32c (Castagnoli, reflected polynomial 0x82F63B78), the checksum of SCTP (RFC 9260
 * appendix A, RFC 3309). Eight tables, made once from the polynomial at start, let the
 * loop take eight bytes a step ("slicing by 8").
 */
#ifndef UVS_CRC32C_H
#define UVS_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/* Continues crc (0 for a fresh start) over len bytes at p: the value as a whole, with
 * the initial and final inversion done. uvs_crc32c(0, "123456789", 9) is 0xE3069283. */
uint32_t uvs_crc32c(uint32_t crc, const void *p, size_t len);

#endif
