// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer harness for the connection table a restarting uvsd reads
 * (src/daemon/conns_file.h). The first byte is the harness's: with its low bit set,
 * both checksums of the rest are set right before the check, so that inputs reach the
 * checks of the header fields and records behind them. Checks: a refused file says
 * why; an accepted one has the length its count gives, and every record decodes to a
 * connection that encodes back to the very same bytes.
 */
#include <endian.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/conns_file.h"
#include "pkt/crc32c.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The header's checksum fields (conns_file.h). */
#define REC_CRC_AT 32
#define HDR_CRC_AT 40

static void reseal(uint8_t *buf, size_t len)
{
	uint32_t crc;

	if (len < UVSD_CONNS_HDR_LEN)
		return;
	crc = htole32(uvs_crc32c(0, buf + UVSD_CONNS_HDR_LEN, len - UVSD_CONNS_HDR_LEN));
	memcpy(buf + REC_CRC_AT, &crc, 4);
	crc = htole32(uvs_crc32c(0, buf, HDR_CRC_AT));
	memcpy(buf + HDR_CRC_AT, &crc, 4);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct uvs_error err = { "" };
	uint64_t count = 0, written = 0;
	uint8_t *buf;
	size_t len;

	if (size < 1)
		return 0;
	len = size - 1;
	buf = malloc(len ? len : 1);
	if (!buf)
		return 0;
	memcpy(buf, data + 1, len);
	if (data[0] & 1)
		reseal(buf, len);
	if (uvsd_conns_check(buf, len, &count, &written, &err) < 0) {
		if (!err.msg[0])
			abort();
		free(buf);
		return 0;
	}
	if (len != UVSD_CONNS_HDR_LEN + count * UVSD_CONNS_REC_LEN)
		abort();
	for (uint64_t i = 0; i < count; i++) {
		struct uvsd_conns_entry e;
		uint8_t again[UVSD_CONNS_REC_LEN];

		uvsd_conns_record(buf, i, &e);
		if ((e.conn.af != AF_INET && e.conn.af != AF_INET6) || !e.conn.timeout)
			abort();
		uvsd_conns_encode(&e, again);
		if (memcmp(again, buf + UVSD_CONNS_HDR_LEN + i * UVSD_CONNS_REC_LEN, sizeof(again)))
			abort();
	}
	free(buf);
	return 0;
}
