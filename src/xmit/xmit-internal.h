/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Helpers shared by the files of src/xmit; not for other modules. */
#ifndef UVS_XMIT_INTERNAL_H
#define UVS_XMIT_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "pkt/csum.h"
#include "pkt/parse.h"
#include "pkt/wire.h"
#include "xmit.h"

/*
 * Sets the source (src true) or destination address of the packet at p and, for TCP,
 * UDP and SCTP, its port (network order). Fixes the IPv4 header checksum and,
 * incrementally, the L4 checksum if it lies before frame offset end (an embedded
 * packet in an ICMP error may be cut short); SCTP's CRC32c is computed afresh if the
 * whole SCTP packet lies before end. A UDP/IPv4 checksum of 0 (none) stays 0. Updates
 * *p.
 */
void uvs_nat_rewrite(struct uvs_pkt *p, bool src, const union uvs_addr *a, uint16_t port,
		     uint32_t end);

/* The fields of a fresh IP header. */
struct uvs_ip_fields {
	const union uvs_addr *src, *dst;
	uint32_t payload_len; /* bytes after this header */
	uint8_t protocol;
	uint8_t tos; /* IPv4 TOS or IPv6 traffic class, ECN included */
	uint8_t ttl;
	bool df;	    /* IPv4 */
	uint16_t id;	    /* IPv4, host order */
	uint32_t flowlabel; /* IPv6, low 20 bits */
};

/* Writes an IPv4 (ihl 5, checksum set) or IPv6 header of family af at ip; returns its
 * length. */
uint32_t uvs_ip_build(uint8_t *ip, int af, const struct uvs_ip_fields *h);

/* f now starts grow bytes earlier, at data, and is len bytes long; its IP header, at
 * the unchanged p->l3_off, was just built from h. Moves f's bounds and makes *p
 * describe it: L4 fields are reset (ports 0), the caller sets what it knows. */
void uvs_frame_rebuilt(struct uvs_frame *f, struct uvs_pkt *p, uint8_t *data, uint32_t grow,
		       uint32_t len, int af, const struct uvs_ip_fields *h);

/* Updates the checksum field at b (any alignment) after len bytes changed from old to
 * new. */
static inline void uvs_csum_fix(uint8_t *b, const void *old, const void *new, size_t len)
{
	uint16_t c;

	memcpy(&c, b, 2);
	uvs_csum_replace(&c, old, new, len);
	memcpy(b, &c, 2);
}

/* Stores a checksum from uvs_csum_fold (already in network order) at b. */
static inline void uvs_csum_store(uint8_t *b, uint16_t c)
{
	memcpy(b, &c, 2);
}

#endif
