/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The fast path's table: established flows the XDP program (src/io/bpf/fastpath.h)
 * forwards itself, without waking uvsd. It lies in two BPF array maps that uvsd maps
 * into its memory (BPF_F_MMAPABLE), so the engine writes entries with plain stores and
 * no system call, and the program adds its counters to them in place. Only
 * linux/types.h: compiled for the BPF target as well as for the host, so both agree on
 * the layout byte for byte.
 *
 * An entry is one direction of one connection, keyed by the frame's own addresses and
 * ports: a client's packets (UVS_FP_NAT_IN, UVS_FP_ROUTE) or a NAT real server's
 * replies (UVS_FP_NAT_OUT). It sits in one of UVS_FP_WAYS slots from its key's hash
 * (uvs_fp_hash) on; a flow with no free slot there stays on uvsd's path.
 *
 * Writers (the engine, core/fastpath.c) claim an entry by moving seq from even to odd
 * with a compare-and-swap, write it, and publish it by storing seq + 1 (release). The
 * program reads seq, the entry, and seq again, and uses the entry only if both reads
 * agree and are even and non-zero. The program's own writes are: live = 0 (a frame it
 * leaves to uvsd: after it, the flow's frames go to uvsd in order), last_ns, and atomic
 * additions to pkts and bytes, which the engine takes with an atomic exchange.
 *
 * A third map, the dirty bits, has a bit per entry (entry i: bit i % 64 of word i / 64):
 * the program sets it when it counts a frame in the entry, so that the engine's sweep
 * reads only the entries with counts, not the whole table.
 */
#ifndef UVS_FASTPATH_TABLE_H
#define UVS_FASTPATH_TABLE_H

#include <linux/types.h>

#define UVS_FP_WAYS 4

/* What the program does with a frame of the entry's flow, after the TTL and the link
 * addresses: */
#define UVS_FP_NAT_IN  1 /* destination address and port become addr and port */
#define UVS_FP_NAT_OUT 2 /* source address and port become addr and port */
#define UVS_FP_ROUTE   3 /* nothing more (direct routing) */

/* The TCP flags an entry takes (the header's bits): an established flow's ACKs, or a
 * NAT real server's SYN-ACK before its client's ACK. Any other frame goes to uvsd. */
#define UVS_FP_TCP_ACK	   0x10
#define UVS_FP_TCP_SYN_ACK 0x12
#define UVS_FP_TCP_FOLLOWS (0x01 | 0x02 | 0x04 | 0x10) /* FIN, SYN, RST, ACK */

/* Addresses as union uvs_addr (IPv4 in the first four bytes, the rest zero); ports in
 * network order. Padding is zero, so keys compare as words. */
struct uvs_fp_key {
	__u8 saddr[16];
	__u8 daddr[16];
	__be16 sport;
	__be16 dport;
	__u8 family;   /* AF_INET or AF_INET6 */
	__u8 protocol; /* IPPROTO_TCP or IPPROTO_UDP */
	__u16 pad;
} __attribute__((aligned(4)));

struct uvs_fp_entry {
	__u32 seq;   /* 0: free; odd: being written; even: usable */
	__u32 epoch; /* uvs_fp_head.epoch when written: any other value retires it */
	struct uvs_fp_key key;
	__u8 eth_dst[6]; /* the next hop's link address */
	__u8 eth_src[6]; /* the director's, on ifindex */
	__u32 ifindex;	 /* the link to send on */
	__u8 addr[16];	 /* NAT: the new destination (in) or source (out) */
	__be16 port;
	__u8 action; /* UVS_FP_* */
	__u8 live;   /* 1: forward; the program stores 0 for a frame it leaves to uvsd */
	__u16 mtu;   /* the path's, at the IP layer: larger packets go to uvsd */
	/* TCP: a frame's SYN, FIN, RST and ACK bits must be these (UVS_FP_TCP_*) */
	__u8 tcp_flags;
	__u8 pad;
	__u16 l4_diff; /* what the rewrite adds to the TCP or UDP checksum (RFC 1624) */
	__u16 ip_diff; /* and to the IPv4 header's, after the TTL's */
	/* Until when the route and neighbour it was written with hold, in the program's
	 * clock's ns >> UVS_FP_UNTIL_SHIFT (compared as serial numbers): the engine's own
	 * next-hop answers are as old at most (net/nhcache.h). After it, the next frame
	 * goes to uvsd, which writes the entry again. */
	__u32 until;
	__u64 last_ns; /* bpf_ktime_get_ns() of the last frame forwarded */
	__u64 pkts;    /* forwarded and not yet counted by uvsd */
	__u64 bytes;   /* their IP lengths */
	__u64 owner;   /* the engine's: its destination (struct uvs_dest *) */
};

#define UVS_FP_UNTIL_SHIFT 20
/* An entry's route holds for this long (about a second, the next-hop cache's time). */
#define UVS_FP_UNTIL_UNITS 953 /* of 2^20 ns */

/* The map of the table's head, one entry. */
struct uvs_fp_head {
	__u32 epoch; /* moves on when a setting, a route or a real server changed */
	__u32 seed;  /* of uvs_fp_hash */
	__u32 mask;  /* entries - 1 (a power of two) */
	__u32 pad;
};

/* The key's hash, the same on both sides: one multiply-xor round per 32-bit word. The
 * words are copied out, not read through a cast: the compiler may otherwise move the
 * reads before the caller's stores to the key's fields (strict aliasing). */
static inline __u32 uvs_fp_hash(const struct uvs_fp_key *k, __u32 seed)
{
	__u32 h = seed;

	for (int i = 0; i < (int)(sizeof(*k) / 4); i++) {
		__u32 w;

		__builtin_memcpy(&w, (const __u8 *)k + 4 * i, sizeof(w));
		h ^= w;
		h *= 0x9e3779b1u;
		h ^= h >> 15;
	}
	return h;
}

#endif
