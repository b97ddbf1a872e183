/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The key of the steering map, shared by the BPF programs (steer.bpf.c) and the
 * control side (steer.c), so both agree on its layout byte for byte. Only linux/types.h:
 * it is compiled for the BPF target as well as for the host.
 */
#ifndef UVS_STEER_KEY_H
#define UVS_STEER_KEY_H

#include <linux/types.h>

/* What a key names. */
#define UVS_STEER_SERVICE 0 /* frames to a virtual service: destination address and port */
#define UVS_STEER_REPLY	  1 /* a NAT real server's replies: source address and port */
/* Fragments, which may hold no ports, by address alone (protocol 0, port 0): to a
 * virtual service's address, and from a NAT real server's. */
#define UVS_STEER_SERVICE_ADDR 2
#define UVS_STEER_REPLY_ADDR   3

/* Keys the map holds at most, unless uvs_steer_set_capacity() says otherwise: enough for
 * 10,000 services of 10 NAT real servers each many times over. Entries are allocated
 * as keys are added (BPF_F_NO_PREALLOC), so the bound costs nothing until used. */
#define UVS_STEER_MAX_KEYS (1u << 20)

/* AF_XDP (steer_xdp.bpf.c): the socket of link slot l (uvsd's l-th link) and receive
 * queue q is at index l * UVS_XSK_MAX_QUEUES + q of the XSKMAP. */
#define UVS_XSK_MAX_LINKS  16
#define UVS_XSK_MAX_QUEUES 64

/*
 * The fail-safe (steer-decide.h): the programs take frames only while the clock of
 * bpf_ktime_get_ns() (CLOCK_MONOTONIC of the initial time namespace) has not passed
 * until_ns, which uvsd's workers keep pushing ahead while they run. Once uvsd is gone
 * or hung, frames go to the kernel. ~0: for ever (tools that do not beat).
 */
struct uvs_steer_alive {
	__u64 until_ns;
};

/*
 * family is AF_INET or AF_INET6, protocol the IP protocol (TCP, UDP, SCTP), port in
 * network order (0: every port of the address), addr as union uvs_addr (IPv4 in the
 * first four bytes, the rest zero). Padding is zero, so keys compare as bytes.
 */
struct uvs_steer_key {
	__u8 family;
	__u8 protocol;
	__u8 kind; /* UVS_STEER_SERVICE or UVS_STEER_REPLY */
	__u8 pad;
	__be16 port;
	__u16 pad2;
	__u8 addr[16];
};

/*
 * A filter ahead of the key map (the array uvs_steer_addrs, a 64-bit word an entry:
 * entry 0 says whether it is kept, entry 1 + w holds bits 64 w to 64 w + 63): bit
 * uvs_steer_addr_bit(addr) is set for the address of every key in the map. The map has
 * a million buckets, and a frame of no key (a NAT reply to a client, the director's own
 * traffic) looked up <destination, port> and <source, port> in buckets that change with
 * every client port, a cache miss each; with both addresses' bits clear it looks up
 * nothing. uvsd sets a bit before the first key of its address goes into the map and
 * clears it only after the last one is out (steer.c), so a key is never in the map
 * without its bit; a word's write mixes old and new bytes, each of which has every bit
 * that must be set. Entry 0 is 0 (as loaded, or where nobody keeps the filter): every
 * frame is looked up. struct uvs_steer_addrs is uvsd's copy, in the entries' order.
 */
#define UVS_STEER_ADDR_BITS  (1u << 16)
#define UVS_STEER_ADDR_WORDS (UVS_STEER_ADDR_BITS / 64)

struct uvs_steer_addrs {
	__u64 kept;
	__u64 bits[UVS_STEER_ADDR_WORDS];
};

/* The bit of addr (16 bytes, as in a key: IPv4 in the first four, the rest zero). */
static inline __u32 uvs_steer_addr_bit(const __u8 *addr)
{
	__u32 w[4];
	__u64 folded;

	__builtin_memcpy(w, addr, sizeof(w));
	folded = (__u64)(w[0] ^ w[2]) << 32 | (w[1] ^ w[3]);
	/* Fibonacci hashing: the top bits of the product depend on every input bit. */
	return (__u32)((folded * 0x9e3779b97f4a7c15ull) >> 48); /* 2^16 bits */
}

#endif
