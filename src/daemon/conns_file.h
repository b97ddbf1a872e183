/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The connection table a stopping uvsd leaves for the next one (--conn-file): its
 * format, its atomic writing and its strict reading. No engine here: entries come
 * from a callback and go out as struct uvs_sync_conn with the time they had left.
 *
 * The file: a header of UVSD_CONNS_HDR_LEN bytes, then `count` records of
 * UVSD_CONNS_REC_LEN bytes. Integers little-endian, ports and addresses as on the
 * wire; both CRC32C (Castagnoli) checksums must match.
 *
 *   header  magic "UVSCONNS", version (u32, 1), record length (u32), count (u64),
 *           written (u64, CLOCK_REALTIME ns), CRC32C of the records (u32),
 *           reserved (u32, 0), CRC32C of the header's 40 bytes before it (u32),
 *           reserved (u32, 0)
 *   record  client, virtual, real server address (16 bytes each; IPv4 in the first
 *           4, the rest 0), client, virtual, real server port (network order),
 *           family (4 or 6), protocol, state (u16), flags (u16, UVS_CONN_F_* of
 *           UVS_CONN_F_BACKUP_MASK), fwmark (u32), timeout (u32, s, not 0),
 *           time left (u64, ms)
 */
#ifndef UVSD_CONNS_FILE_H
#define UVSD_CONNS_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "core/sync.h"

#define UVSD_CONNS_VERSION 1
#define UVSD_CONNS_HDR_LEN 48
#define UVSD_CONNS_REC_LEN 76
/* Beyond this a file is refused before it is read: 2^28 entries, 20 GB. */
#define UVSD_CONNS_MAX_COUNT (1ull << 28)

/* One entry: the connection (timeout: its full timeout) and its time left. */
struct uvsd_conns_entry {
	struct uvs_sync_conn conn;
	uint64_t left_ms;
};

/* Fills up to max entries of out; returns how many, 0 at the end. */
typedef size_t (*uvsd_conns_next_fn)(void *arg, struct uvsd_conns_entry *out, size_t max);

/*
 * Writes the entries next gives to path.new, then renames it over path (no fsync: the
 * file is for the next process on this boot, and a file cut short by a power loss
 * fails its checksums). written_ns: CLOCK_REALTIME now. Sets *count to the entries
 * written. Returns 0 or a negative errno with *err set (path.new removed).
 */
int uvsd_conns_file_write(const char *path, uint64_t written_ns, uvsd_conns_next_fn next, void *arg,
			  uint64_t *count, struct uvs_error *err);

/* A file read whole and checked. */
struct uvsd_conns_image {
	uint8_t *buf;
	size_t len;
	uint64_t count;
	uint64_t written_ns;
};

/*
 * Checks len bytes (untrusted) as a whole file: header, checksums, length and every
 * record (family, protocol, state, flags, ports, timeout, time left). Returns 0 with
 * *count and *written_ns set, or -EINVAL with *err saying what is wrong first (the
 * record's number for a record).
 */
int uvsd_conns_check(const uint8_t *buf, size_t len, uint64_t *count, uint64_t *written_ns,
		     struct uvs_error *err);

/* Record i of a buffer uvsd_conns_check accepted, into *out. */
void uvsd_conns_record(const uint8_t *buf, uint64_t i, struct uvsd_conns_entry *out);

/* Encodes e as a record into rec (UVSD_CONNS_REC_LEN bytes). */
void uvsd_conns_encode(const struct uvsd_conns_entry *e, uint8_t *rec);

/*
 * Reads path whole and checks it (uvsd_conns_check). Returns 0 (free img->buf), 1 if
 * there is no file, or a negative errno with *err set (not a regular file, too large,
 * unreadable, or refused by the checks).
 */
int uvsd_conns_file_read(const char *path, struct uvsd_conns_image *img, struct uvs_error *err);

#endif
