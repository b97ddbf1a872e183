/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reassembly of IPv4 and IPv6 fragments, as the kernel's defrag does before IPVS sees
 * a packet (net/ipv4/ip_fragment.c, net/ipv6/reassembly.c, inet_fragment.c): one
 * table shared by every worker, since the fragments of a datagram may reach different
 * workers (a NIC's RSS may hash a first fragment by its ports and the others by their
 * addresses). Datagrams are keyed <family, source, destination, identification> and,
 * for IPv4, the protocol.
 *
 * The kernel's rules: a fragment that overlaps another of its datagram (other than by
 * lying wholly inside fragments already held, a duplicate, which is dropped alone)
 * discards the datagram (RFC 5722 for IPv6, the same for IPv4 since Linux 4.19); so
 * does one that ends beyond the datagram's known end or makes it end elsewhere, an
 * empty one, or one that would make the datagram longer than 65535 bytes. A non-last
 * IPv4 fragment's length is cut to a multiple of 8; a non-last IPv6 fragment that is
 * not a multiple of 8 is dropped alone. The whole datagram takes the first fragment's
 * headers (IPv4 options and IPv6 headers before the fragment header, its link header,
 * its mark); IPv4 has DF only if the largest fragment had it (the kernel's
 * max_df_size rule).
 *
 * Memory is bounded: each family may hold mem_limit bytes of fragments (the kernel's
 * ipfrag_high_thresh, 4 MiB); past it new fragments are dropped. A datagram not whole
 * within the family's time (ipfrag_time 30 s, ip6frag_time 60 s) is discarded.
 *
 * Threading: any worker adds and expires; each bucket has a byte lock, taken for
 * every change of its chain and its datagrams. Memory counts are atomic. No I/O.
 */
#ifndef UVS_FRAG_H
#define UVS_FRAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/model-t.h" /* uvs_time_t */
#include "pkt/parse.h"

/* The kernel's defaults. */
#define UVS_FRAG_MEM_DEFAULT ((size_t)4 << 20)
#define UVS_FRAG_TIME4_S     30
#define UVS_FRAG_TIME6_S     60

struct uvs_frag_queue;

struct uvs_frag_table {
	struct uvs_frag_queue **buckets;
	uint8_t *locks; /* one byte lock per bucket */
	uint32_t mask;
	uint64_t seed;
	size_t mem_limit;   /* per family */
	size_t mem[2];	    /* bytes held, IPv4 and IPv6 (atomic) */
	uint32_t queues;    /* datagrams held (atomic): a sweep of none is skipped */
	uint32_t time_s[2]; /* the families' reassembly times */
};

/* What became of a fragment. */
enum uvs_frag_result {
	UVS_FRAG_HELD,	    /* kept; its datagram is not whole yet */
	UVS_FRAG_DONE,	    /* it completed its datagram, written into the caller's buffer */
	UVS_FRAG_DUP,	    /* it lies wholly inside fragments held: dropped alone */
	UVS_FRAG_OVERLAP,   /* it overlaps another: dropped with its whole datagram */
	UVS_FRAG_BAD,	    /* its end or length is impossible (above): dropped, and its
			       datagram too unless it is a misaligned IPv6 one */
	UVS_FRAG_NO_MEMORY, /* the family's memory is used up: dropped */
};

/* A whole datagram, written by uvs_frag_add(). */
struct uvs_frag_done {
	uint8_t *buf;	   /* in: where to write the frame (link header and packet) */
	uint32_t room;	   /* in: its size; 65535 + 22 suffices for any datagram */
	uint32_t len;	   /* out: the frame's length */
	uint32_t fwmark;   /* out: the first fragment's mark */
	uint32_t id;	   /* out: the identification */
	uint16_t max_frag; /* out: the largest fragment's IP packet length */
};

/* A table of 2^bits buckets (4..20), mem_limit bytes per family. Returns 0, -EINVAL
 * or -ENOMEM. */
int uvs_frag_table_init(struct uvs_frag_table *t, unsigned bits, size_t mem_limit);
/* Frees every datagram held. No worker may be using t. */
void uvs_frag_table_destroy(struct uvs_frag_table *t);

/*
 * Adds fragment p (parsed: reason UVS_PKT_FRAGMENT), received with mark fwmark at
 * now. On UVS_FRAG_DONE the datagram was taken out of the table and written into
 * done (it is dropped as UVS_FRAG_BAD if done->room is too small).
 */
enum uvs_frag_result uvs_frag_add(struct uvs_frag_table *t, const struct uvs_pkt *p,
				  uint32_t fwmark, uvs_time_t now, struct uvs_frag_done *done);

/* Discards the datagrams of buckets [first, first + n) whose time ran out by now.
 * Returns how many. */
unsigned uvs_frag_expire(struct uvs_frag_table *t, uvs_time_t now, uint32_t first, uint32_t n);

/* The buckets of t, for sharing the sweeps out. */
static inline uint32_t uvs_frag_buckets(const struct uvs_frag_table *t)
{
	return t->mask + 1;
}

#endif
