/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The full-table hand-over's bytes on its TCP connection (handover.h), without I/O.
 * Both ways a stream of frames: an 8-byte header (type, three zero bytes, the body's
 * length in network order), then the body.
 *
 *   asking director  -> REQUEST  body: "UVSH", version (be32)
 *   serving director -> MESSAGE  body: one sync protocol version 1 message (msg.h),
 *                                      any number of them
 *                    -> END      body: the number of records sent (be64)
 *
 * The entries travel in the kernel's message format, so that one reader (msg.c) and
 * one applier (rx.c) serve the group's datagrams and the hand-over alike.
 */
#ifndef UVS_SYNC_HANDOVER_WIRE_H
#define UVS_SYNC_HANDOVER_WIRE_H

#include <stddef.h>
#include <stdint.h>

#define UVS_HANDOVER_MAGIC   "UVSH"
#define UVS_HANDOVER_VERSION 1
/* The TCP port both directors listen on by default (the group's, over TCP). */
#define UVS_HANDOVER_PORT 8848

enum uvs_handover_type {
	UVS_HANDOVER_REQUEST = 1,
	UVS_HANDOVER_MESSAGE = 2,
	UVS_HANDOVER_END = 3,
};

struct uvs_handover_hdr {
	uint8_t type;
	uint8_t zero[3];
	uint32_t length; /* of the body */
};

_Static_assert(sizeof(struct uvs_handover_hdr) == 8, "the frame header is 8 bytes");

/* A sync message's size is 16 bits: no MESSAGE body is longer. */
#define UVS_HANDOVER_BODY_MAX 65535
/* The REQUEST's and the END's bodies. */
#define UVS_HANDOVER_REQUEST_LEN 8
#define UVS_HANDOVER_END_LEN	 8
/* A whole REQUEST or END frame. */
#define UVS_HANDOVER_SMALL_FRAME (sizeof(struct uvs_handover_hdr) + 8)

/* Writes a frame header for a body of length bytes into out (8 bytes). */
void uvs_handover_put_hdr(uint8_t *out, enum uvs_handover_type type, uint32_t length);
/* Writes the whole REQUEST frame into out (UVS_HANDOVER_SMALL_FRAME bytes). */
void uvs_handover_put_request(uint8_t *out);
/* Writes the whole END frame saying count records were sent. */
void uvs_handover_put_end(uint8_t *out, uint64_t count);

/* What is wrong with bytes a peer sent ("sync_handover_<name>" counters). */
#define UVS_HANDOVER_WIRE_ERRORS(X)                                                                \
	X(BAD_TYPE, "bad_type")	    /* a frame of a type not expected there */                     \
	X(BAD_HEADER, "bad_header") /* a header whose reserved bytes are not zero */               \
	X(BAD_LENGTH, "bad_length") /* a body longer than allowed, or of the wrong size */         \
	X(BAD_MAGIC, "bad_magic")   /* a REQUEST not starting "UVSH" */                            \
	X(BAD_VERSION, "bad_version")                                                              \
	X(AFTER_END, "after_end") /* bytes after END */

enum uvs_handover_wire_error {
	UVS_HANDOVER_WIRE_OK,
#define X(name, text) UVS_HANDOVER_WIRE_##name,
	UVS_HANDOVER_WIRE_ERRORS(X)
#undef X
		UVS_HANDOVER_WIRE_COUNT
};

/* "bad_type", ...; "ok" for UVS_HANDOVER_WIRE_OK. */
const char *uvs_handover_wire_error_name(enum uvs_handover_wire_error e);

/* Checks a REQUEST frame of len bytes (untrusted). */
enum uvs_handover_wire_error uvs_handover_read_request(const uint8_t *buf, size_t len);

/*
 * The asking side's reader: takes the serving side's bytes in pieces of any size and
 * gives each MESSAGE body whole to on_message. Untrusted input: nothing in it is
 * believed beyond the bounds above.
 */
struct uvs_handover_reader {
	void (*on_message)(void *arg, const uint8_t *msg, size_t len);
	void *arg;
	uint8_t hdr[sizeof(struct uvs_handover_hdr)];
	size_t hdr_have;
	uint8_t type; /* of the frame being read, 0 between frames */
	uint32_t body_len;
	size_t body_have;
	int ended;	    /* END was read */
	uint64_t end_count; /* what END said */
	uint64_t messages;  /* MESSAGE frames given to on_message */
	uint8_t body[UVS_HANDOVER_BODY_MAX];
};

void uvs_handover_reader_init(struct uvs_handover_reader *r,
			      void (*on_message)(void *arg, const uint8_t *msg, size_t len),
			      void *arg);
/*
 * Reads len more bytes. Returns UVS_HANDOVER_WIRE_OK (read on; r->ended once END was
 * read) or the first error, after which the reader must not be fed again (the
 * connection is closed: what came before it stands).
 */
enum uvs_handover_wire_error uvs_handover_read(struct uvs_handover_reader *r, const void *buf,
					       size_t len);

#endif
