/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The fast path at XDP (included by steer_xdp.bpf.c): a frame of a flow the engine
 * offered (core/fastpath-table.h, core/fastpath.h) is forwarded here as the engine
 * would forward it: the TCP or UDP checksum checked, the TTL or hop limit taken down,
 * NAT's address, port and checksums rewritten, the link addresses set, Ethernet
 * padding cut, and the frame sent on its link (XDP_TX on the one it came in on). A
 * frame of such a flow that the engine must see (a TCP flag other than ACK, a TTL of
 * 1, a packet larger than the path, a bad checksum, a fragmented XDP buffer) goes to
 * uvsd, and the entry stops forwarding until the engine offers it again, so the flow's
 * frames stay in order.
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
	__u8 buf[FP_CSUM_CHUNK + 4];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct fp_scratch);
} uvs_fp_scratch SEC(".maps");

/* What the lookup found out about the frame. */
struct fp_frame {
	void *l3;
	void *l4;
	__u32 l3_len; /* the IP packet's, from its header */
	__u32 l4_len;
	__u8 hl;       /* TTL or hop limit */
	__u8 tcp_ok;   /* TCP with ACK and no SYN, FIN or RST; or UDP */
	__u8 udp_none; /* UDP over IPv4 without a checksum: the engine makes one */
	__u16 check;   /* the TCP or UDP checksum field, as it came */
};

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
		__u64 n;
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
		/* The odd bytes at the end are summed with zeros after them. */
		*(__u32 *)(s->buf + (n & (FP_CSUM_CHUNK - 4))) = 0;
		if (bpf_xdp_load_bytes(ctx, l4_off + off, s->buf, n))
			return 0;
		r = bpf_csum_diff(0, 0, (__be32 *)s->buf, (n + 3) & ~3u, sum);
		if (r < 0)
			return 0;
		sum = (__u32)r;
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

/* Parses the frame into k and fr. Returns 0, or -1 for a frame not to look up. */
static __always_inline int fp_parse(struct xdp_md *ctx, struct uvs_fp_key *k, struct fp_frame *fr)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	__u8 protocol;
	__u32 hlen;

	if ((void *)(eth + 1) > end)
		return -1;
	__builtin_memset(k, 0, sizeof(*k));
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = (void *)(eth + 1);

		if ((void *)(ip + 1) > end || ip->version != 4 || ip->ihl != 5 ||
		    (ip->frag_off & bpf_htons(IP_MF | IP_OFFSET)))
			return -1;
		k->family = AF_INET;
		protocol = ip->protocol;
		__builtin_memcpy(k->saddr, &ip->saddr, 4);
		__builtin_memcpy(k->daddr, &ip->daddr, 4);
		fr->l3_len = bpf_ntohs(ip->tot_len);
		fr->hl = ip->ttl;
		hlen = sizeof(*ip);
	} else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = (void *)(eth + 1);

		if ((void *)(ip6 + 1) > end || ip6->version != 6)
			return -1;
		k->family = AF_INET6;
		protocol = ip6->nexthdr;
		__builtin_memcpy(k->saddr, &ip6->saddr, 16);
		__builtin_memcpy(k->daddr, &ip6->daddr, 16);
		fr->l3_len = (__u32)bpf_ntohs(ip6->payload_len) + sizeof(*ip6);
		fr->hl = ip6->hop_limit;
		hlen = sizeof(*ip6);
	} else {
		return -1;
	}
	fr->l3 = eth + 1;
	fr->l4 = fr->l3 + hlen;
	if (fr->l3_len < hlen + sizeof(struct udphdr))
		return -1;
	fr->l4_len = fr->l3_len - hlen;
	k->protocol = protocol;
	if (protocol == IPPROTO_TCP) {
		struct tcphdr *th = fr->l4;

		if ((void *)(th + 1) > end)
			return -1;
		k->sport = th->source;
		k->dport = th->dest;
		fr->tcp_ok = th->ack && !th->syn && !th->fin && !th->rst;
		fr->udp_none = 0;
		fr->check = th->check;
	} else if (protocol == IPPROTO_UDP) {
		struct udphdr *uh = fr->l4;

		if ((void *)(uh + 1) > end)
			return -1;
		k->sport = uh->source;
		k->dport = uh->dest;
		fr->tcp_ok = 1;
		fr->udp_none = k->family == AF_INET && uh->check == 0;
		fr->check = uh->check;
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

/*
 * The fast path for a frame: XDP_TX or XDP_REDIRECT if it forwarded it, -1 if the frame
 * goes on to the steering decision (uvsd, or the kernel).
 */
static __always_inline int fp_forward(struct xdp_md *ctx)
{
	__u32 zero = 0;
	struct uvs_fp_head *head = bpf_map_lookup_elem(&uvs_fp_head, &zero);
	struct uvs_fp_entry en, *e;
	struct uvs_fp_key k;
	struct fp_frame fr;
	void *data, *end;
	__u64 pseudo, now, *dirty;
	__u32 len, at = 0, word;
	int partial;

	if (!head || !head->epoch || fp_parse(ctx, &k, &fr))
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
	data = (void *)(long)ctx->data;
	end = (void *)(long)ctx->data_end;
	len = (__u32)(end - data);
	/* From here on a frame not forwarded stops the entry: the ones after it follow it
	 * to uvsd. */
	if (!fr.tcp_ok || fr.hl <= 1 || fr.l3_len > en.mtu || bpf_xdp_get_buff_len(ctx) != len ||
	    ETH_HLEN + fr.l3_len > len)
		goto leave;
	if (k.family == AF_INET)
		pseudo = fp_addr_sum(k.saddr, k.daddr, 1) + bpf_htons(k.protocol) +
			 bpf_htons((__u16)fr.l4_len);
	else
		pseudo = fp_addr_sum(k.saddr, k.daddr, 4) + bpf_htonl(fr.l4_len) +
			 bpf_htonl(k.protocol);
	/* A local sender's frame (a veth peer) may hold only the pseudo header's sum
	 * where the checksum belongs, for offload to finish: it is finished here, as the
	 * AF_XDP backend finishes it for the engine (complete_partial_csum). */
	partial = fr.check == fp_fold(pseudo);
	/* NAT checks the checksum before it rewrites (direct routing does not). */
	if (partial || en.action != UVS_FP_ROUTE) {
		__u16 sum;

		if (fr.udp_none && en.action != UVS_FP_ROUTE)
			goto leave;
		sum = fp_csum_sum(ctx, ETH_HLEN + (__u32)(fr.l4 - fr.l3), fr.l4_len, pseudo);
		if (partial) {
			/* The sum without the field's value, complemented. */
			fr.check = (__u16)~fp_fold((__u64)sum + (__u16)~fr.check);
			if (k.protocol == IPPROTO_UDP && fr.check == 0)
				fr.check = 0xffff;
		} else if (sum != 0xffff) {
			goto leave;
		}
	}

	/* The checksum's loads kept the packet pointers: they are checked again. */
	data = (void *)(long)ctx->data;
	end = (void *)(long)ctx->data_end;
	{
		struct ethhdr *eth = data;
		__u16 *check;
		__u32 l4_off;
		void *l4;

		if ((void *)(eth + 1) > end)
			goto leave;
		if (k.family == AF_INET) {
			struct iphdr *ip = (void *)(eth + 1);
			__u32 more;

			if ((void *)(ip + 1) > end)
				goto leave;
			/* The TTL as the engine takes it down (uvs_ttl_dec), then the
			 * addresses' difference. */
			more = (__u32)ip->check + bpf_htons(0x0100);
			ip->check = (__u16)(more + (more >= 0xffff));
			ip->ttl--;
			if (en.action == UVS_FP_NAT_IN) {
				ip->check = fp_csum_update(ip->check, en.ip_diff);
				__builtin_memcpy(&ip->daddr, en.addr, 4);
			} else if (en.action == UVS_FP_NAT_OUT) {
				ip->check = fp_csum_update(ip->check, en.ip_diff);
				__builtin_memcpy(&ip->saddr, en.addr, 4);
			}
			l4_off = sizeof(*eth) + sizeof(*ip);
		} else {
			struct ipv6hdr *ip6 = (void *)(eth + 1);

			if ((void *)(ip6 + 1) > end)
				goto leave;
			ip6->hop_limit--;
			if (en.action == UVS_FP_NAT_IN)
				__builtin_memcpy(&ip6->daddr, en.addr, 16);
			else if (en.action == UVS_FP_NAT_OUT)
				__builtin_memcpy(&ip6->saddr, en.addr, 16);
			l4_off = sizeof(*eth) + sizeof(*ip6);
		}
		l4 = data + l4_off;
		if (k.protocol == IPPROTO_TCP) {
			struct tcphdr *th = l4;

			if ((void *)(th + 1) > end)
				goto leave;
			check = &th->check;
			if (en.action == UVS_FP_NAT_IN)
				th->dest = en.port;
			else if (en.action == UVS_FP_NAT_OUT)
				th->source = en.port;
		} else {
			struct udphdr *uh = l4;

			if ((void *)(uh + 1) > end)
				goto leave;
			check = &uh->check;
			if (en.action == UVS_FP_NAT_IN)
				uh->dest = en.port;
			else if (en.action == UVS_FP_NAT_OUT)
				uh->source = en.port;
		}
		if (partial)
			*check = fr.check;
		if (en.action != UVS_FP_ROUTE) {
			*check = fp_csum_update(*check, en.l4_diff);
			/* For UDP, 0 means none: send the other zero. */
			if (k.protocol == IPPROTO_UDP && *check == 0)
				*check = 0xffff;
		}
		__builtin_memcpy(eth->h_dest, en.eth_dst, ETH_ALEN);
		__builtin_memcpy(eth->h_source, en.eth_src, ETH_ALEN);
	}
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

#endif
