/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The fast path at XDP (included by steer_xdp.bpf.c): a frame of a flow the engine
 * offered (core/fastpath-table.h, core/fastpath.h) is forwarded here as the engine
 * would forward it: the TCP or UDP checksum checked, the TTL or hop limit taken down,
 * NAT's address, port and checksums rewritten, the link addresses set, Ethernet
 * padding cut, and the frame sent on its link (XDP_TX on the one it came in on). A
 * frame of such a flow that the engine must see (a TCP flag other than ACK, a TTL of
 * 1, a packet larger than the path, a bad checksum, a frame over FP_FRAME_MAX bytes)
 * goes to uvsd, and the entry stops forwarding until the engine offers it again, so
 * the flow's frames stay in order.
 *
 * Only Ethernet frames without a VLAN tag, IPv4 without options and not a fragment,
 * and IPv6 without extension headers are looked up; others go to uvsd as before.
 */
#ifndef UVS_BPF_FASTPATH_H
#define UVS_BPF_FASTPATH_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "core/fastpath-table.h"

/* The checksum's pieces: the largest bpf_csum_diff() takes at once. */
#define FP_CSUM_CHUNK 512
/* Frames longer than this go to uvsd: below it a frame is one XDP buffer (a frame of
 * more than one is as long as a page at least), which the program can tell without
 * the length of the buffer's first part: a program loaded without CAP_PERFMON may not
 * subtract packet pointers. */
#define FP_FRAME_MAX 3000
/* Chunks of the largest packet looked at (a 9,216-byte jumbo frame's). */
#define FP_CSUM_CHUNKS 18

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct uvs_fp_head);
} uvs_fp_head SEC(".maps");

/* Sized by uvsd before the program loads (1 entry, never used, without a fast path). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct uvs_fp_entry);
} uvs_fp_table SEC(".maps");

/* A bit per entry of the table, set when the entry has counts the engine has not taken
 * (core/fastpath-table.h). Sized by uvsd before the program loads. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} uvs_fp_dirty SEC(".maps");

/* Per CPU: frames forwarded, and frames of an entry left to uvsd. */
struct uvs_fp_counts {
	__u64 hits;
	__u64 left;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct uvs_fp_counts);
} uvs_fp_counts SEC(".maps");

/* Where a chunk of the segment is copied to be summed (the stack is too small). */
struct fp_scratch {
	__u8 buf[FP_CSUM_CHUNK];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct fp_scratch);
} uvs_fp_scratch SEC(".maps");

union fp_l4 {
	struct tcphdr tcp;
	struct udphdr udp;
};

/* The frame's first bytes as they are in it, for each family: two bytes of padding put
 * the IP header after the 14-byte Ethernet header on a 4-byte boundary, as the
 * verifier wants the stack's words read and written. */
struct fp_wire4 {
	__u8 pad[2];
	struct ethhdr eth;
	struct iphdr ip;
	union fp_l4 l4;
};

struct fp_wire6 {
	__u8 pad[2];
	struct ethhdr eth;
	struct ipv6hdr ip;
	union fp_l4 l4;
};

/* The frame's headers, copied out by the parse with one call and written back by the
 * rewrite with one: the program reads and writes the frame only through
 * bpf_xdp_load_bytes() and bpf_xdp_store_bytes(), as steer-decide.h does. Direct access
 * would need packet pointers plus a register, which a program loaded without
 * CAP_PERFMON (uvsd's systemd unit) may not compute, and the compiler makes such sums of
 * any choice of offsets. One call each way, not one per header: each call costs tens
 * of ns (three fewer took 50 to 120 ns off a forwarded frame in fastpath_bench). */
struct fp_frame {
	union {
		struct fp_wire4 v4;
		struct fp_wire6 v6;
	} w;
	__u32 l3_len; /* the IP packet's, from its header */
	__u32 l4_len;
	__u8 tcp_flags; /* TCP: its FIN, SYN, RST and ACK bits (UVS_FP_TCP_FOLLOWS); UDP: 0 */
	__u8 udp_none;	/* UDP over IPv4 without a checksum: the engine makes one */
	__u16 check;	/* the TCP or UDP checksum field, as it came */
};

/* The bytes of fr from the Ethernet header to the end of the L4 header's room, and
 * that L4 header's place, for family v6 (a constant: the choice folds away). */
#define FP_WIRE(fr, v6) ((v6) ? (void *)&(fr)->w.v6.eth : (void *)&(fr)->w.v4.eth)
#define FP_L4(fr, v6)	((v6) ? &(fr)->w.v6.l4 : &(fr)->w.v4.l4)
#define FP_HDRS(v6, l4len)                                                                         \
	(ETH_HLEN + ((v6) ? sizeof(struct ipv6hdr) : sizeof(struct iphdr)) + (l4len))

static __always_inline __u16 fp_fold(__u64 sum)
{
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)sum;
}

/* The one's complement sum of the segment at l4_off (l4_len bytes) and the pseudo
 * header's sum pseudo, folded to 16 bits: 0xffff if the checksum is right. 0 if the
 * segment could not be read. */
static __always_inline __u16 fp_csum_sum(struct xdp_md *ctx, __u32 l4_off, __u32 l4_len,
					 __u64 pseudo)
{
	__u32 zero = 0;
	struct fp_scratch *s = bpf_map_lookup_elem(&uvs_fp_scratch, &zero);
	__u32 sum = (__u32)fp_fold(pseudo);

	if (!s)
		return 0;
	for (int i = 0; i < FP_CSUM_CHUNKS; i++) {
		__u32 off = (__u32)i * FP_CSUM_CHUNK;
		__u64 n, n4;
		__s64 r;

		if (off >= l4_len)
			return fp_fold(sum);
		n = (__u64)(l4_len - off);
		if (n > FP_CSUM_CHUNK)
			n = FP_CSUM_CHUNK;
		/* The verifier checks n's bounds where it is used: kept in one register. */
		asm volatile("" : "+r"(n));
		if (n < 1 || n > FP_CSUM_CHUNK)
			return 0;
		/* Whole words from the scratch buffer; the odd bytes at the end, with zeros
		 * after them, from a word on the stack (a program loaded without
		 * CAP_PERFMON may not write the buffer at an offset it computes). */
		n4 = n & ~3ull;
		if (n4) {
			if (bpf_xdp_load_bytes(ctx, l4_off + off, s->buf, n4))
				return 0;
			r = bpf_csum_diff(0, 0, (__be32 *)s->buf, n4, sum);
			if (r < 0)
				return 0;
			sum = (__u32)r;
		}
		if (n & 3) {
			__u32 tail = 0;

			if (bpf_xdp_load_bytes(ctx, l4_off + off + n4, &tail, n & 3))
				return 0;
			r = bpf_csum_diff(0, 0, (__be32 *)&tail, sizeof(tail), sum);
			if (r < 0)
				return 0;
			sum = (__u32)r;
		}
	}
	return 0; /* longer than any frame looked at */
}

/* The sum of the addresses of a header: `words` 32-bit words each. */
static __always_inline __u64 fp_addr_sum(const __u8 *s, const __u8 *d, int words)
{
	__u64 sum = 0;

	for (int i = 0; i < words; i++) {
		__u32 x, y;

		__builtin_memcpy(&x, s + 4 * i, sizeof(x));
		__builtin_memcpy(&y, d + 4 * i, sizeof(y));
		sum += (__u64)x + y;
	}
	return sum;
}

/* Parses the frame (len bytes), IPv6 if v6 (a constant) else IPv4, into k and fr, its
 * headers copied out with one load: as far as a TCP header reaches, or a UDP header in
 * a frame shorter than that. Returns 0, or -1 for a frame not to look up. */
static __always_inline int fp_parse(struct xdp_md *ctx, const int v6, __u32 len,
				    struct uvs_fp_key *k, struct fp_frame *fr)
{
	const __u32 hlen = v6 ? sizeof(struct ipv6hdr) : sizeof(struct iphdr);
	union fp_l4 *l4 = FP_L4(fr, v6);
	int udp_only = 0;
	__u8 protocol;

	if (len >= FP_HDRS(v6, sizeof(struct tcphdr))) {
		if (bpf_xdp_load_bytes(ctx, 0, FP_WIRE(fr, v6), FP_HDRS(v6, sizeof(struct tcphdr))))
			return -1;
	} else if (len >= FP_HDRS(v6, sizeof(struct udphdr))) {
		if (bpf_xdp_load_bytes(ctx, 0, FP_WIRE(fr, v6), FP_HDRS(v6, sizeof(struct udphdr))))
			return -1;
		udp_only = 1;
	} else {
		return -1;
	}
	__builtin_memset(k, 0, sizeof(*k));
	if (v6) {
		if (fr->w.v6.ip.version != 6)
			return -1;
		k->family = AF_INET6;
		protocol = fr->w.v6.ip.nexthdr;
		__builtin_memcpy(k->saddr, &fr->w.v6.ip.saddr, 16);
		__builtin_memcpy(k->daddr, &fr->w.v6.ip.daddr, 16);
		fr->l3_len = (__u32)bpf_ntohs(fr->w.v6.ip.payload_len) + hlen;
	} else {
		if (fr->w.v4.ip.version != 4 || fr->w.v4.ip.ihl != 5 ||
		    (fr->w.v4.ip.frag_off & bpf_htons(IP_MF | IP_OFFSET)))
			return -1;
		k->family = AF_INET;
		protocol = fr->w.v4.ip.protocol;
		__builtin_memcpy(k->saddr, &fr->w.v4.ip.saddr, 4);
		__builtin_memcpy(k->daddr, &fr->w.v4.ip.daddr, 4);
		fr->l3_len = bpf_ntohs(fr->w.v4.ip.tot_len);
	}
	if (fr->l3_len < hlen + sizeof(struct udphdr))
		return -1;
	fr->l4_len = fr->l3_len - hlen;
	k->protocol = protocol;
	if (protocol == IPPROTO_TCP) {
		if (udp_only)
			return -1;
		k->sport = l4->tcp.source;
		k->dport = l4->tcp.dest;
		fr->tcp_flags = (__u8)(l4->tcp.fin | l4->tcp.syn << 1 | l4->tcp.rst << 2 |
				       l4->tcp.ack << 4);
		fr->udp_none = 0;
		fr->check = l4->tcp.check;
	} else if (protocol == IPPROTO_UDP) {
		k->sport = l4->udp.source;
		k->dport = l4->udp.dest;
		fr->tcp_flags = 0;
		fr->udp_none = !v6 && l4->udp.check == 0;
		fr->check = l4->udp.check;
	} else {
		return -1;
	}
	return 0;
}

static __always_inline int fp_key_eq(const struct uvs_fp_key *a, const struct uvs_fp_key *b)
{
	__u32 diff = 0;

	/* Word by word, copied out rather than read through a cast (strict aliasing). */
	for (int i = 0; i < (int)(sizeof(*a) / 4); i++) {
		__u32 x, y;

		__builtin_memcpy(&x, (const __u8 *)a + 4 * i, sizeof(x));
		__builtin_memcpy(&y, (const __u8 *)b + 4 * i, sizeof(y));
		diff |= x ^ y;
	}
	return diff == 0;
}

/* The entry of k in the table, copied into *out with its seq checked, and a pointer to
 * it (for the program's own writes), its index in *at; NULL if none. */
static __always_inline struct uvs_fp_entry *fp_find(const struct uvs_fp_head *head,
						    const struct uvs_fp_key *k,
						    struct uvs_fp_entry *out, __u32 *at)
{
	__u32 h = uvs_fp_hash(k, head->seed);

	for (__u32 i = 0; i < UVS_FP_WAYS; i++) {
		__u32 idx = (h + i) & head->mask;
		struct uvs_fp_entry *e = bpf_map_lookup_elem(&uvs_fp_table, &idx);
		__u32 s;

		if (!e)
			return 0;
		s = *(volatile __u32 *)&e->seq;
		if (s & 1)
			continue;
		__builtin_memcpy(out, e, sizeof(*out));
		if (!fp_key_eq(&out->key, k))
			continue;
		if (*(volatile __u32 *)&e->seq != s)
			return 0; /* being rewritten: uvsd's for this frame */
		*at = idx;
		return e;
	}
	return 0;
}

static __always_inline void fp_count(int left)
{
	__u32 zero = 0;
	struct uvs_fp_counts *c = bpf_map_lookup_elem(&uvs_fp_counts, &zero);

	if (!c)
		return;
	if (left)
		c->left++;
	else
		c->hits++;
}

/* Applies diff (a folded RFC 1624 sum) to the checksum at field: HC' = ~(~HC + diff). */
static __always_inline __u16 fp_csum_update(__u16 field, __u16 diff)
{
	return (__u16)~fp_fold((__u64)(__u16)~field + diff);
}

/* Whether uvsd runs a fast path (its head has an epoch): one array lookup. */
static __always_inline int fp_enabled(void)
{
	__u32 zero = 0;
	struct uvs_fp_head *head = bpf_map_lookup_elem(&uvs_fp_head, &zero);

	return head && head->epoch;
}

/* The frame's headers as the engine rewrites them: the TTL first (uvs_ttl_dec's step),
 * then NAT's address, port and checksums, and the link addresses; in fr's copy, written
 * back with one store. Inlined with v6 a constant. check is the TCP or UDP checksum to
 * start from (a partial one finished), written back whether or not NAT changes it.
 * Returns 0, or -1 if the store failed. */
static __always_inline int fp_rewrite(struct xdp_md *ctx, const int v6, __u8 protocol,
				      const struct uvs_fp_entry *en, struct fp_frame *fr,
				      __u16 check)
{
	int in = en->action == UVS_FP_NAT_IN, nat = en->action != UVS_FP_ROUTE;
	union fp_l4 *l4 = FP_L4(fr, v6);
	struct ethhdr *eth = v6 ? &fr->w.v6.eth : &fr->w.v4.eth;

	/* Both addresses and both ports are stored, each chosen by value: the compiler
	 * would make a choice of fields one of offsets, a register added to a stack
	 * pointer, which the verifier refuses without CAP_PERFMON. */
	if (v6) {
		fr->w.v6.ip.hop_limit--;
		for (int i = 0; i < 4; i++) {
			__u32 a, sw, dw;

			__builtin_memcpy(&a, en->addr + 4 * i, sizeof(a));
			__builtin_memcpy(&sw, fr->w.v6.ip.saddr.in6_u.u6_addr8 + 4 * i, sizeof(sw));
			__builtin_memcpy(&dw, fr->w.v6.ip.daddr.in6_u.u6_addr8 + 4 * i, sizeof(dw));
			sw = nat && !in ? a : sw;
			dw = nat && in ? a : dw;
			__builtin_memcpy(fr->w.v6.ip.saddr.in6_u.u6_addr8 + 4 * i, &sw, sizeof(sw));
			__builtin_memcpy(fr->w.v6.ip.daddr.in6_u.u6_addr8 + 4 * i, &dw, sizeof(dw));
		}
	} else {
		__u32 more = (__u32)fr->w.v4.ip.check + bpf_htons(0x0100), a;

		fr->w.v4.ip.check = (__u16)(more + (more >= 0xffff));
		fr->w.v4.ip.ttl--;
		if (nat)
			fr->w.v4.ip.check = fp_csum_update(fr->w.v4.ip.check, en->ip_diff);
		__builtin_memcpy(&a, en->addr, sizeof(a));
		fr->w.v4.ip.saddr = nat && !in ? a : fr->w.v4.ip.saddr;
		fr->w.v4.ip.daddr = nat && in ? a : fr->w.v4.ip.daddr;
	}
	if (nat) {
		check = fp_csum_update(check, en->l4_diff);
		/* For UDP, 0 means none: send the other zero. */
		if (protocol == IPPROTO_UDP && check == 0)
			check = 0xffff;
	}
	/* TCP's and UDP's ports come first, in the same places. */
	l4->udp.source = nat && !in ? en->port : l4->udp.source;
	l4->udp.dest = nat && in ? en->port : l4->udp.dest;
	__builtin_memcpy(eth->h_dest, en->eth_dst, ETH_ALEN);
	__builtin_memcpy(eth->h_source, en->eth_src, ETH_ALEN);
	/* Up to the checksum, the last field written. */
	if (protocol == IPPROTO_TCP) {
		l4->tcp.check = check;
		return bpf_xdp_store_bytes(
			       ctx, 0, FP_WIRE(fr, v6),
			       FP_HDRS(v6, offsetof(struct tcphdr, check) + sizeof(check)))
			       ? -1
			       : 0;
	}
	l4->udp.check = check;
	return bpf_xdp_store_bytes(ctx, 0, FP_WIRE(fr, v6), FP_HDRS(v6, sizeof(struct udphdr))) ? -1
												: 0;
}

/*
 * The fast path for a frame of family v6 (a constant): XDP_TX or XDP_REDIRECT if it
 * forwarded it, -1 if the frame goes on to the steering decision (uvsd, or the
 * kernel).
 */
static __always_inline int fp_forward_ip(struct xdp_md *ctx, struct uvs_fp_head *head, const int v6)
{
	const __u32 l4_off = ETH_HLEN + (v6 ? sizeof(struct ipv6hdr) : sizeof(struct iphdr));
	struct uvs_fp_entry en, *e;
	struct uvs_fp_key k;
	struct fp_frame fr;
	__u64 pseudo, now, *dirty;
	__u32 len, at = 0, word;
	int partial;

	len = (__u32)bpf_xdp_get_buff_len(ctx);
	if (fp_parse(ctx, v6, len, &k, &fr))
		return -1;
	e = fp_find(head, &k, &en, &at);
	/* The coarse clock where the kernel has it (steer-decide.h): a tick late at most,
	 * against a second's validity and timeouts of seconds. */
	now = steer_coarse_clock ? bpf_ktime_get_coarse_ns() : bpf_ktime_get_ns();
	/* Written before the last change, or too long ago for its route: uvsd writes it
	 * again. */
	if (!e || !en.live || en.epoch != head->epoch ||
	    (__s32)((__u32)(now >> UVS_FP_UNTIL_SHIFT) - en.until) > 0)
		return -1;
	/* From here on a frame not forwarded stops the entry: the ones after it follow it
	 * to uvsd. */
	if (fr.tcp_flags != en.tcp_flags || (v6 ? fr.w.v6.ip.hop_limit : fr.w.v4.ip.ttl) <= 1 ||
	    fr.l3_len > en.mtu || len > FP_FRAME_MAX || ETH_HLEN + fr.l3_len > len)
		goto leave;
	if (v6)
		pseudo = fp_addr_sum(k.saddr, k.daddr, 4) + bpf_htonl(fr.l4_len) +
			 bpf_htonl(k.protocol);
	else
		pseudo = fp_addr_sum(k.saddr, k.daddr, 1) + bpf_htons(k.protocol) +
			 bpf_htons((__u16)fr.l4_len);
	/* A local sender's frame (a veth peer) may hold only the pseudo header's sum
	 * where the checksum belongs, for offload to finish: it is finished here, as the
	 * AF_XDP backend finishes it for the engine (complete_partial_csum). */
	partial = fr.check == fp_fold(pseudo);
	/* NAT checks the checksum before it rewrites (direct routing does not). */
	if (partial || en.action != UVS_FP_ROUTE) {
		__u16 sum;

		if (fr.udp_none && en.action != UVS_FP_ROUTE)
			goto leave;
		sum = fp_csum_sum(ctx, l4_off, fr.l4_len, pseudo);
		if (partial) {
			/* The sum without the field's value, complemented. */
			fr.check = (__u16)~fp_fold((__u64)sum + (__u16)~fr.check);
			if (k.protocol == IPPROTO_UDP && fr.check == 0)
				fr.check = 0xffff;
		} else if (sum != 0xffff) {
			goto leave;
		}
	}
	if (fp_rewrite(ctx, v6, k.protocol, &en, &fr, fr.check))
		goto leave;
	__sync_fetch_and_add(&e->pkts, 1);
	__sync_fetch_and_add(&e->bytes, fr.l3_len);
	e->last_ns = now;
	/* The atomic or only for the first frame since the engine's last sweep. */
	word = at / 64;
	dirty = bpf_map_lookup_elem(&uvs_fp_dirty, &word);
	if (dirty && !(*dirty & (1ull << (at % 64))))
		__sync_fetch_and_or(dirty, 1ull << (at % 64));
	fp_count(0);
	/* Ethernet padding after the IP packet goes, as the engine trims it. */
	if (ETH_HLEN + fr.l3_len < len &&
	    bpf_xdp_adjust_tail(ctx, -(int)(len - ETH_HLEN - fr.l3_len)))
		return XDP_DROP;
	if (en.ifindex == ctx->ingress_ifindex)
		return XDP_TX;
	return bpf_redirect(en.ifindex, 0);
leave:
	e->live = 0;
	fp_count(1);
	return -1;
}

/* The fast path for a frame of EtherType type (network order): Ethernet without a VLAN
 * tag, IPv4 or IPv6. */
static __always_inline int fp_forward(struct xdp_md *ctx, __be16 type)
{
	__u32 zero = 0;
	struct uvs_fp_head *head = bpf_map_lookup_elem(&uvs_fp_head, &zero);

	if (!head || !head->epoch)
		return -1;
	if (type == bpf_htons(ETH_P_IP))
		return fp_forward_ip(ctx, head, 0);
	if (type == bpf_htons(ETH_P_IPV6))
		return fp_forward_ip(ctx, head, 1);
	return -1;
}

#endif
