/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The steering decision, shared by the BPF programs that make it: steer.bpf.c (tc and
 * socket filter, over an sk_buff) and steer_xdp.bpf.c (XDP, over the driver's frame).
 * The including file defines, before including this one:
 *   STEER_CTX                        its context type (struct __sk_buff, struct xdp_md)
 *   steer_load(ctx, off, buf, len)   copies len bytes at off into buf: 0, or negative
 * and decides the link layer itself (which family, where the IP header starts).
 *
 * A frame is uvs's when it is IPv4 or IPv6 (IPv6 extension headers walked as the
 * kernel's ipv6_find_hdr() walks them, at most STEER_IP6_EXT_MAX), and
 *   - a fragment (first or not) to the address of a service, or from the address of a
 *     NAT real server, whatever its protocol and ports (UVS_STEER_*_ADDR keys): uvs
 *     reassembles it; or
 *   - TCP, UDP or SCTP to <family, protocol, destination, port> of a service key, or to
 *     <..., destination, 0> (a port-0 service): STEER_STEAL; or
 *   - TCP, UDP or SCTP from <family, protocol, source, port> (or port 0) of a reply key
 *     (a NAT real server): STEER_STEAL_UNLESS_LOCAL, since the director's own
 *     connections to a real server (health checks) are the kernel's (steer_local_socket);
 *   - an ICMP or ICMPv6 error (unreachable, time exceeded, parameter problem, packet
 *     too big) about a packet from a service (its source matches a service key) or to
 *     a NAT real server (its destination matches a reply key): STEER_STEAL.
 * The programs take such a frame only while steer_owner_alive(): once uvsd stopped
 * beating (killed, stopped, its workers wedged), every frame goes to the kernel.
 * IPv6 packets with more extension headers than that are left to the kernel.
 */
#ifndef UVS_STEER_DECIDE_H
#define UVS_STEER_DECIDE_H

#include <linux/bpf.h>
#include <linux/icmpv6.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/types.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "io/bpf/steer-key.h"

/* Not in the BPF target's headers: they are in the kernel's own (IP_OFFSET) or in
 * headers that need the C library (linux/icmp.h). */
#define AF_INET		   2
#define AF_INET6	   10
#define TCP_LISTEN	   10
#define IP_OFFSET	   0x1fff /* the fragment offset bits of iphdr.frag_off */
#define IP_MF		   0x2000 /* more fragments */
#define FRAG_FIRST	   1
#define FRAG_LATER	   2
#define ICMP_DEST_UNREACH  3
#define ICMP_TIME_EXCEEDED 11
#define ICMP_PARAMETERPROB 12
#define ETH_P_8021AD	   0x88A8 /* linux/if_ether.h has it, but not every copy */

/* IPv6 extension headers (RFC 8200 4) the walk passes, as ipv6_find_hdr() does. */
#define NEXTHDR_HOP	 0
#define NEXTHDR_ROUTING	 43
#define NEXTHDR_FRAGMENT 44
#define NEXTHDR_AUTH	 51
#define NEXTHDR_DEST	 60
#define IP6_OFFSET	 0xfff8 /* the fragment offset bits of frag_hdr.frag_off */
#define IP6_MF		 0x0001
/* As the engine's parser (src/pkt/parse.c): more is left to the kernel. */
#define STEER_IP6_EXT_MAX 8
/* VLAN tags walked before the IP header, as the engine's parser. */
#define STEER_VLAN_TAGS_MAX 2

/* TCP, UDP and SCTP headers all begin with the source and destination ports. */
struct l4_ports {
	__be16 source;
	__be16 dest;
};

enum { STEER_PASS, STEER_STEAL, STEER_STEAL_UNLESS_LOCAL };

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, UVS_STEER_MAX_KEYS);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct uvs_steer_key);
	__type(value, __u8);
} uvs_steer_keys SEC(".maps");

/* One entry: how long the frames are uvsd's to take (steer-key.h). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct uvs_steer_alive);
} uvs_steer_alive SEC(".maps");

/* The address filter (steer-key.h), kept by uvsd: entry 0 says whether it is kept,
 * entry 1 + w holds its bits 64 w to 64 w + 63. A word per entry: the verifier's
 * inlined lookup makes the address, where an offset computed into one large value
 * made it follow each access's speculative paths without CAP_PERFMON, past its limit. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, UVS_STEER_ADDR_WORDS + 1);
	__type(key, __u32);
	__type(value, __u64);
} uvs_steer_addrs SEC(".maps");

/* Set before load (steer_use_coarse_clock): whether the kernel has
 * bpf_ktime_get_coarse_ns (Linux 5.11), which costs less than half of bpf_ktime_get_ns
 * and lags it by a tick at most; the verifier drops the branch not taken, and with it
 * the call an older kernel would refuse. */
const volatile __u8 steer_coarse_clock = 1;

/* Whether the frames steer_decide_frame() finds uvs's may be taken now: uvsd's workers
 * ran lately. Asked only for those frames, so the others pay nothing; an array lookup
 * (inlined by the verifier, no call) and the clock. */
static __always_inline int steer_owner_alive(void)
{
	__u32 zero = 0;
	struct uvs_steer_alive *a = bpf_map_lookup_elem(&uvs_steer_alive, &zero);
	__u64 now;

	if (!a)
		return 0;
	now = steer_coarse_clock ? bpf_ktime_get_coarse_ns() : bpf_ktime_get_ns();
	return now <= a->until_ns;
}

/* The addresses and ports of one IP packet; addresses as in the map's keys. */
struct flow {
	__u8 family;
	__u8 protocol;
	__u8 frag; /* 0, FRAG_FIRST, or FRAG_LATER: a fragment after the first, no ports */
	__be16 sport;
	__be16 dport;
	__u8 saddr[16];
	__u8 daddr[16];
};

static __always_inline int is_l4(__u8 protocol)
{
	return protocol == IPPROTO_TCP || protocol == IPPROTO_UDP || protocol == IPPROTO_SCTP;
}

static __always_inline int is_ip6_ext(__u8 nh)
{
	return nh == NEXTHDR_HOP || nh == NEXTHDR_ROUTING || nh == NEXTHDR_FRAGMENT ||
	       nh == NEXTHDR_AUTH || nh == NEXTHDR_DEST;
}

static __always_inline int is_vlan(__be16 ethertype)
{
	return ethertype == bpf_htons(ETH_P_8021Q) || ethertype == bpf_htons(ETH_P_8021AD);
}

/* Walks the VLAN tags at *off whose EtherType is *type (network order), at most
 * STEER_VLAN_TAGS_MAX: *off and *type end at the L3 header. Returns 0, or -1 if a tag
 * is cut short. */
static __always_inline int skip_vlan_tags(STEER_CTX *ctx, __u32 *off, __be16 *type)
{
	for (int i = 0; i < STEER_VLAN_TAGS_MAX && is_vlan(*type); i++) {
		struct {
			__be16 tci;
			__be16 type;
		} tag;

		if (steer_load(ctx, *off, &tag, sizeof(tag)))
			return -1;
		*type = tag.type;
		*off += sizeof(tag);
	}
	return 0;
}

/* The IP header of family at off into f, and where its payload starts. Returns 0, or
 * -1 for anything not to look into (another version, a fragment after the first, a
 * header cut short). */
static __always_inline int load_ip(STEER_CTX *ctx, __u32 off, __u8 family, struct flow *f,
				   __u32 *l4)
{
	__builtin_memset(f, 0, sizeof(*f));
	f->family = family;
	if (family == AF_INET) {
		struct iphdr ip;

		if (steer_load(ctx, off, &ip, sizeof(ip)) || ip.version != 4 ||
		    ip.ihl < sizeof(ip) / 4)
			return -1;
		if (ip.frag_off & bpf_htons(IP_OFFSET))
			f->frag = FRAG_LATER; /* no ports in it */
		else if (ip.frag_off & bpf_htons(IP_MF))
			f->frag = FRAG_FIRST;
		f->protocol = ip.protocol;
		__builtin_memcpy(f->saddr, &ip.saddr, sizeof(ip.saddr));
		__builtin_memcpy(f->daddr, &ip.daddr, sizeof(ip.daddr));
		*l4 = off + ip.ihl * 4;
		return 0;
	}

	struct ipv6hdr ip6;
	__u32 at = off + sizeof(ip6);
	__u8 nh;

	if (steer_load(ctx, off, &ip6, sizeof(ip6)) || ip6.version != 6)
		return -1;
	__builtin_memcpy(f->saddr, &ip6.saddr, sizeof(ip6.saddr));
	__builtin_memcpy(f->daddr, &ip6.daddr, sizeof(ip6.daddr));
	nh = ip6.nexthdr;
	for (int i = 0; i < STEER_IP6_EXT_MAX && is_ip6_ext(nh); i++) {
		/* Next header and length, or a fragment header's next header, reserved
		 * byte and offset: the first four bytes tell the length. */
		struct {
			__u8 nexthdr;
			__u8 hdrlen;
			__be16 frag_off;
		} e;

		if (steer_load(ctx, at, &e, sizeof(e)))
			return -1;
		if (nh == NEXTHDR_FRAGMENT) {
			at += 8;
			if (e.frag_off & bpf_htons(IP6_OFFSET)) {
				/* Data follows, not headers (ipv6_find_hdr() stops too). */
				f->frag = FRAG_LATER;
				f->protocol = e.nexthdr;
				*l4 = at;
				return 0;
			}
			if (e.frag_off & bpf_htons(IP6_MF))
				f->frag = FRAG_FIRST;
		} else if (nh == NEXTHDR_AUTH) {
			at += ((__u32)e.hdrlen + 2) * 4;
		} else {
			at += ((__u32)e.hdrlen + 1) * 8;
		}
		nh = e.nexthdr;
	}
	if (is_ip6_ext(nh))
		return -1;
	f->protocol = nh;
	*l4 = at;
	return 0;
}

static __always_inline int load_ports(STEER_CTX *ctx, __u32 l4, struct flow *f)
{
	struct l4_ports p;

	if (!is_l4(f->protocol) || steer_load(ctx, l4, &p, sizeof(p)))
		return -1;
	f->sport = p.source;
	f->dport = p.dest;
	return 0;
}

/* Whether the map holds the address key <family, 0, kind, addr, 0>. */
static __always_inline int has_addr_key(const struct flow *f, __u8 kind, const __u8 *addr)
{
	struct uvs_steer_key k;

	__builtin_memset(&k, 0, sizeof(k));
	k.family = f->family;
	k.kind = kind;
	__builtin_memcpy(k.addr, addr, 16);
	return bpf_map_lookup_elem(&uvs_steer_keys, &k) != 0;
}

/* Whether the address filter is kept (else every address may have keys). */
static __always_inline int addr_filter_kept(void)
{
	__u32 zero = 0;
	const __u64 *kept = bpf_map_lookup_elem(&uvs_steer_addrs, &zero);

	return kept && *kept;
}

/* Whether addr may have keys in the map: its bit in the filter, if kept. */
static __always_inline int may_have_keys(int kept, const __u8 *addr)
{
	__u32 bit = uvs_steer_addr_bit(addr), at = 1 + bit / 64;
	const __u64 *word;

	if (!kept)
		return 1;
	word = bpf_map_lookup_elem(&uvs_steer_addrs, &at);
	return word && (*word >> (bit % 64) & 1);
}

/* Whether the map holds <kind, addr, port>, or <kind, addr, 0> (every port). */
static __always_inline int has_key(const struct flow *f, __u8 kind, const __u8 *addr, __be16 port)
{
	struct uvs_steer_key k;

	__builtin_memset(&k, 0, sizeof(k));
	k.family = f->family;
	k.protocol = f->protocol;
	k.kind = kind;
	k.port = port;
	__builtin_memcpy(k.addr, addr, 16);
	if (bpf_map_lookup_elem(&uvs_steer_keys, &k))
		return 1;
	if (!port)
		return 0;
	k.port = 0;
	return bpf_map_lookup_elem(&uvs_steer_keys, &k) != 0;
}

static __always_inline int is_icmp_error(const struct flow *f, __u8 type)
{
	if (f->family == AF_INET)
		return f->protocol == IPPROTO_ICMP &&
		       (type == ICMP_DEST_UNREACH || type == ICMP_TIME_EXCEEDED ||
			type == ICMP_PARAMETERPROB);
	/* Unreachable, packet too big, time exceeded, parameter problem (1..4); never
	 * neighbour discovery (133..137). */
	return f->protocol == IPPROTO_ICMPV6 && type >= ICMPV6_DEST_UNREACH &&
	       type <= ICMPV6_PARAMPROB;
}

/* The decision for the IP packet of family (AF_INET, AF_INET6) at offset off; f gets
 * its addresses and ports (for steer_local_socket). */
static __always_inline int steer_decide_ip(STEER_CTX *ctx, __u8 family, __u32 off, struct flow *f)
{
	struct flow in;
	__u32 l4, l4in;
	__u8 type;

	if (load_ip(ctx, off, family, f, &l4))
		return STEER_PASS;
	/* A fragment, first or not, goes where the others of its datagram go: by address
	 * only, to a service's or from a NAT real server's (uvs reassembles them). */
	if (f->frag)
		return has_addr_key(f, UVS_STEER_SERVICE_ADDR, f->daddr) ||
				       has_addr_key(f, UVS_STEER_REPLY_ADDR, f->saddr)
			       ? STEER_STEAL
			       : STEER_PASS;
	if (is_l4(f->protocol)) {
		int kept = addr_filter_kept();

		if (load_ports(ctx, l4, f))
			return STEER_PASS;
		if (may_have_keys(kept, f->daddr) &&
		    has_key(f, UVS_STEER_SERVICE, f->daddr, f->dport))
			return STEER_STEAL;
		if (may_have_keys(kept, f->saddr) &&
		    has_key(f, UVS_STEER_REPLY, f->saddr, f->sport))
			return STEER_STEAL_UNLESS_LOCAL;
		return STEER_PASS;
	}
	/* An ICMP error quotes the packet it is about after its 8-byte header: type,
	 * code, checksum and a 32-bit word, in ICMP as in ICMPv6 (struct icmp6hdr). */
	if (steer_load(ctx, l4 + offsetof(struct icmp6hdr, icmp6_type), &type, sizeof(type)) ||
	    !is_icmp_error(f, type))
		return STEER_PASS;
	if (load_ip(ctx, l4 + sizeof(struct icmp6hdr), family, &in, &l4in) ||
	    in.frag == FRAG_LATER || load_ports(ctx, l4in, &in))
		return STEER_PASS;
	if (has_key(&in, UVS_STEER_SERVICE, in.saddr, in.sport) ||
	    has_key(&in, UVS_STEER_REPLY, in.daddr, in.dport))
		return STEER_STEAL;
	return STEER_PASS;
}

/* The decision for a frame whose EtherType (network order) is type and whose VLAN tags
 * or IP header start at off. */
static __always_inline int steer_decide_frame(STEER_CTX *ctx, __be16 type, __u32 off,
					      struct flow *f)
{
	if (skip_vlan_tags(ctx, &off, &type))
		return STEER_PASS;
	if (type == bpf_htons(ETH_P_IP))
		return steer_decide_ip(ctx, AF_INET, off, f);
	if (type == bpf_htons(ETH_P_IPV6))
		return steer_decide_ip(ctx, AF_INET6, off, f);
	return STEER_PASS; /* ARP and everything else */
}

/* Whether a reply-key frame belongs to a connected socket of this host (the director's
 * own connection to the real server), not to a client's connection through uvs. */
static __always_inline int steer_local_socket(STEER_CTX *ctx, const struct flow *f)
{
	struct bpf_sock_tuple t;
	struct bpf_sock *sk;
	__u32 len;
	int mine;

	__builtin_memset(&t, 0, sizeof(t));
	if (f->family == AF_INET) {
		__builtin_memcpy(&t.ipv4.saddr, f->saddr, 4);
		__builtin_memcpy(&t.ipv4.daddr, f->daddr, 4);
		t.ipv4.sport = f->sport;
		t.ipv4.dport = f->dport;
		len = sizeof(t.ipv4);
	} else {
		__builtin_memcpy(t.ipv6.saddr, f->saddr, 16);
		__builtin_memcpy(t.ipv6.daddr, f->daddr, 16);
		t.ipv6.sport = f->sport;
		t.ipv6.dport = f->dport;
		len = sizeof(t.ipv6);
	}
	if (f->protocol == IPPROTO_TCP)
		sk = bpf_sk_lookup_tcp(ctx, &t, len, BPF_F_CURRENT_NETNS, 0);
	else if (f->protocol == IPPROTO_UDP)
		sk = bpf_sk_lookup_udp(ctx, &t, len, BPF_F_CURRENT_NETNS, 0);
	else
		return 0;
	if (!sk)
		return 0;
	/* A listener or an unconnected datagram socket only shares a port number. */
	if (f->protocol == IPPROTO_TCP)
		mine = sk->state != TCP_LISTEN;
	else
		mine = sk->dst_port != 0;
	bpf_sk_release(sk);
	return mine;
}

#endif
