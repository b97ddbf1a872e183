/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The IPVS sync protocol's messages, as the kernel's ip_vs_sync.c writes and reads
 * them: version 1 (a header, then connection records of IPv4 or IPv6 with options,
 * each starting on 4 bytes) and version 0 (IPv4 only, no timeout or fwmark). Every
 * field by name, in network order on the wire; no I/O.
 *
 * Reading follows the kernel's ip_vs_process_message(): a message whose length is not
 * its size is dropped whole; a record that cannot be read stops the message (records
 * before it stand); a record the kernel would refuse on its own (an unknown mandatory
 * option) is skipped. Each outcome has a name, counted by the receiver.
 */
#ifndef UVS_SYNC_MSG_H
#define UVS_SYNC_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/sync.h"

/* ---- the wire ---- */

#define UVS_SYNC_PROTO_VER 1

/* Version 1 header. reserved is 0 (a version 0 reader sees no connections). */
struct uvs_sync_wire_hdr {
	uint8_t reserved;
	uint8_t syncid;
	uint16_t size; /* of the whole message */
	uint8_t nr_conns;
	int8_t version; /* UVS_SYNC_PROTO_VER */
	uint16_t spare; /* 0 */
};

/* Version 0 header. */
struct uvs_sync_wire_hdr_v0 {
	uint8_t nr_conns;
	uint8_t syncid;
	uint16_t size;
};

/* A version 1 record's fixed part: type (bit 0: IPv6), then as below; the addresses
 * are 4 or 16 bytes each (struct uvs_sync_wire_v4, _v6). */
#define UVS_SYNC_TYPE_INET6 0x01
#define UVS_SYNC_VER_SHIFT  12	   /* ver_size: the record's version in the top 4 bits, */
#define UVS_SYNC_SIZE_MASK  0x0fff /* its length without padding in the low 12 */

struct uvs_sync_wire_v4 {
	uint8_t type;
	uint8_t protocol;
	uint16_t ver_size;
	uint32_t flags;
	uint16_t state;
	uint16_t cport;
	uint16_t vport;
	uint16_t dport;
	uint32_t fwmark;
	uint32_t timeout; /* seconds */
	uint32_t caddr;
	uint32_t vaddr;
	uint32_t daddr;
};

struct uvs_sync_wire_v6 {
	uint8_t type;
	uint8_t protocol;
	uint16_t ver_size;
	uint32_t flags;
	uint16_t state;
	uint16_t cport;
	uint16_t vport;
	uint16_t dport;
	uint32_t fwmark;
	uint32_t timeout;
	uint8_t caddr[16];
	uint8_t vaddr[16];
	uint8_t daddr[16];
};

/* Options after a version 1 record's fixed part: type, length (not 0), data. */
#define UVS_SYNC_OPT_SEQ_DATA 1
#define UVS_SYNC_OPT_PE_DATA  2
#define UVS_SYNC_OPT_PE_NAME  3
#define UVS_SYNC_OPT_F_PARAM  0x40 /* optional: a reader may skip it if unknown */
#define UVS_SYNC_PE_DATA_MAX  255  /* IP_VS_PEDATA_MAXLEN */
#define UVS_SYNC_PE_NAME_MAX  16   /* IP_VS_PENAME_MAXLEN */

/* TCP sequence adjustment (struct ip_vs_seq), in SEQ_DATA twice: in, then out. */
struct uvs_sync_wire_seq {
	uint32_t init_seq;
	uint32_t delta;
	uint32_t previous_delta;
};

/* A version 0 record, followed by two struct uvs_sync_wire_seq if its flags have
 * UVS_CONN_F_SEQ_MASK bits. */
struct uvs_sync_wire_v0 {
	uint8_t reserved;
	uint8_t protocol;
	uint16_t cport;
	uint16_t vport;
	uint16_t dport;
	uint32_t caddr;
	uint32_t vaddr;
	uint32_t daddr;
	uint16_t flags;
	uint16_t state;
} __attribute__((packed, aligned(2)));

_Static_assert(sizeof(struct uvs_sync_wire_hdr) == 8, "the kernel's ip_vs_sync_mesg");
_Static_assert(sizeof(struct uvs_sync_wire_hdr_v0) == 4, "the kernel's ip_vs_sync_mesg_v0");
_Static_assert(sizeof(struct uvs_sync_wire_v4) == 36, "the kernel's ip_vs_sync_v4");
_Static_assert(sizeof(struct uvs_sync_wire_v6) == 72, "the kernel's ip_vs_sync_v6");
_Static_assert(sizeof(struct uvs_sync_wire_seq) == 12, "the kernel's ip_vs_seq");
_Static_assert(sizeof(struct uvs_sync_wire_v0) == 24, "the kernel's ip_vs_sync_conn_v0");

/* The IP and UDP headers under a message, which sync_maxlen leaves room for. */
#define UVS_SYNC_HLEN4 28
#define UVS_SYNC_HLEN6 48

/* ---- records ---- */

struct uvs_sync_seq {
	uint32_t init_seq;
	uint32_t delta;
	uint32_t previous_delta;
};

/* A record with its options, host order but for conn's addresses and ports. */
struct uvs_sync_record {
	struct uvs_sync_conn conn; /* flags all 32 bits as on the wire */
	bool has_seq;
	struct uvs_sync_seq in_seq, out_seq;
	uint8_t pe_data_len; /* 0: none */
	uint8_t pe_name_len; /* 0: none */
	uint8_t pe_data[UVS_SYNC_PE_DATA_MAX];
	char pe_name[UVS_SYNC_PE_NAME_MAX];
};

/* The record the master sends for entry e: its SEQ_DATA when its flags say so. */
void uvs_sync_record_of(const struct uvs_sync_conn *e, struct uvs_sync_record *out);

/* The most a record takes (an IPv6 one with every option, padded). */
#define UVS_SYNC_RECORD_MAX                                                                        \
	(sizeof(struct uvs_sync_wire_v6) + 2 + 2 * sizeof(struct uvs_sync_wire_seq) + 2 +          \
	 UVS_SYNC_PE_DATA_MAX + 2 + UVS_SYNC_PE_NAME_MAX + 3)
/* A message buffer always holds a header and one record, whatever sync_maxlen says. */
#define UVS_SYNC_MSG_MIN (sizeof(struct uvs_sync_wire_hdr) + UVS_SYNC_RECORD_MAX)
/* nr_conns is one byte: a message has at most this many records. */
#define UVS_SYNC_MSG_CONNS_MAX 255

/* ---- writing ---- */

struct uvs_sync_writer {
	uint8_t *buf;
	size_t limit; /* sync_maxlen: a message grows no longer, but for its first record */
	size_t len;
	unsigned nr_conns;
	int version; /* 0 or 1 */
};

/* Starts a message of version 1 or 0 with syncid in buf, which has room for
 * max(limit, UVS_SYNC_MSG_MIN) bytes. */
void uvs_sync_msg_start(struct uvs_sync_writer *w, void *buf, size_t limit, int version,
			uint8_t syncid);
/*
 * Appends r. Returns 0; -ENOSPC if it would make the message longer than the limit or
 * count more than UVS_SYNC_MSG_CONNS_MAX records (send the message and start another;
 * a message's first record always goes in); -EAFNOSUPPORT for an IPv6 record in
 * version 0, which cannot carry it; -EINVAL for a record no message can carry (a PE
 * name without data, or one too long).
 */
int uvs_sync_msg_add(struct uvs_sync_writer *w, const struct uvs_sync_record *r);
/* The message's length, its header completed; 0 if it has no record. */
size_t uvs_sync_msg_finish(struct uvs_sync_writer *w);

/* ---- reading ---- */

/*
 * What reading a message met, by the receiver's counter names ("sync_rx_<name>"):
 * first those that drop a whole message, then those that stop it at a record, then
 * those that skip one record.
 */
#define UVS_SYNC_READ_ERRORS(X)                                                                    \
	X(SHORT, "short")		    /* shorter than a header */                            \
	X(BAD_SIZE, "bad_size")		    /* length differs from the header's size */            \
	X(SYNCID, "syncid")		    /* another sync ID than the backup's */                \
	X(TRUNCATED, "truncated")	    /* a record's fixed part runs past the end */          \
	X(OVERRUN, "overrun")		    /* a record's size runs past the end */                \
	X(BAD_VERSION, "bad_version")	    /* a record of a version other than 0 */               \
	X(BAD_TYPE, "bad_type")		    /* a record neither IPv4 nor IPv6 */                   \
	X(BAD_LENGTH, "bad_length")	    /* a record's size below its fixed part */             \
	X(BAD_OPTION, "bad_option")	    /* an option's header or length past the record */     \
	X(BAD_SEQ, "bad_seq")		    /* sequence data not 24 bytes, or twice */             \
	X(BAD_PE_DATA, "bad_pe_data")	    /* persistence engine data twice */                    \
	X(BAD_PE_NAME, "bad_pe_name")	    /* a persistence engine name too long, or twice */     \
	X(UNKNOWN_OPTION, "unknown_option") /* skipped: a mandatory option uvs does not know */

enum uvs_sync_read_error {
	UVS_SYNC_READ_OK,
#define X(name, text) UVS_SYNC_READ_##name,
	UVS_SYNC_READ_ERRORS(X)
#undef X
		UVS_SYNC_READ_COUNT
};

/* The counter name of e ("short", ...; "ok" for UVS_SYNC_READ_OK). */
const char *uvs_sync_read_error_name(enum uvs_sync_read_error e);

struct uvs_sync_reader {
	const uint8_t *buf;
	size_t len;
	size_t pos;	/* where the next record starts */
	unsigned left;	/* records the header announces that are not read yet */
	int version;	/* 0 or 1 */
	uint8_t syncid; /* the message's */
};

enum uvs_sync_next {
	UVS_SYNC_RECORD, /* *out is the next record */
	UVS_SYNC_SKIP,	 /* a record skipped, *err says why; read on */
	UVS_SYNC_STOP,	 /* the rest of the message cannot be read, *err says why */
	UVS_SYNC_END,	 /* no more records */
};

/*
 * Starts reading the message buf[0..len). syncid: the backup's; 0 takes every
 * message. Returns UVS_SYNC_READ_OK, or SHORT, BAD_SIZE or SYNCID (the whole message
 * is dropped, as the kernel drops it).
 */
enum uvs_sync_read_error uvs_sync_msg_open(struct uvs_sync_reader *r, const void *buf, size_t len,
					   uint8_t syncid);
/*
 * The next record into *out: flags as the message has them (a version 0 record's 16
 * bits), timeout and fwmark 0 in version 0. The caller applies them as the kernel
 * does (sync.h).
 */
enum uvs_sync_next uvs_sync_msg_next(struct uvs_sync_reader *r, struct uvs_sync_record *out,
				     enum uvs_sync_read_error *err);

#endif
