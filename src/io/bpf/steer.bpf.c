// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * steer: which received frames are uvs's, decided once in BPF and used twice.
 *
 *   uvs_steer_tc    tc ingress (clsact, direct action): drops uvs's frames
 *                   (TC_ACT_SHOT) so that the kernel stack does not handle them too;
 *                   everything else goes on untouched (TC_ACT_UNSPEC: the next filter,
 *                   if any, then the stack).
 *   uvs_steer_sock  socket filter on uvsd's AF_PACKET sockets: keeps uvs's frames
 *                   (their whole length), refuses the rest, so the rings carry only
 *                   uvs's frames. Packet taps run before tc ingress, so the socket
 *                   still gets the frames the tc program then drops.
 *
 * A frame is uvs's when it is IPv4 or IPv6 without a VLAN tag, addressed to this host
 * (not PACKET_OTHERHOST), not a fragment after the first, and
 *   - TCP, UDP or SCTP to <family, protocol, destination, port> of a service key, or to
 *     <..., destination, 0> (a port-0 service); or
 *   - TCP, UDP or SCTP from <family, protocol, source, port> (or port 0) of a reply key
 *     (a NAT real server), unless (tc only) it belongs to a connected socket of this
 *     host: the director's own connections to a real server, e.g. health checks, are
 *     the kernel's; or
 *   - an ICMP or ICMPv6 error (unreachable, time exceeded, parameter problem, packet
 *     too big) about a packet from a service (its source matches a service key) or to
 *     a NAT real server (its destination matches a reply key).
 * IPv6 extension headers are not walked: such packets are left to the kernel.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/in.h>
#include <linux/pkt_cls.h>
#include <linux/types.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "io/bpf/steer-key.h"

/* Not in the BPF target's headers. */
#define AF_INET	       2
#define AF_INET6       10
#define TCP_LISTEN     10
#define IPPROTO_ICMPV6 58

enum { PASS, STEAL, STEAL_UNLESS_LOCAL };

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, UVS_STEER_MAX_KEYS);
	__type(key, struct uvs_steer_key);
	__type(value, __u8);
} uvs_steer_keys SEC(".maps");

/* The addresses and ports of one IP packet; addresses as in the map's keys. */
struct flow {
	__u8 family;
	__u8 protocol;
	__be16 sport;
	__be16 dport;
	__u8 saddr[16];
	__u8 daddr[16];
};

static __always_inline int is_l4(__u8 protocol)
{
	return protocol == IPPROTO_TCP || protocol == IPPROTO_UDP || protocol == IPPROTO_SCTP;
}

/* The IP header of family at off into f, and where its payload starts. Returns 0, or
 * -1 for anything not to look into (another version, a fragment after the first, a
 * header cut short). */
static __always_inline int load_ip(const struct __sk_buff *skb, __u32 off, __u8 family,
				   struct flow *f, __u32 *l4)
{
	__u8 h[40];

	__builtin_memset(f, 0, sizeof(*f));
	f->family = family;
	if (family == AF_INET) {
		if (bpf_skb_load_bytes(skb, off, h, 20) || h[0] >> 4 != 4 || (h[0] & 0xf) < 5)
			return -1;
		if (((h[6] << 8) | h[7]) & 0x1fff)
			return -1; /* no ports in it */
		f->protocol = h[9];
		__builtin_memcpy(f->saddr, h + 12, 4);
		__builtin_memcpy(f->daddr, h + 16, 4);
		*l4 = off + (h[0] & 0xf) * 4;
		return 0;
	}
	if (bpf_skb_load_bytes(skb, off, h, 40) || h[0] >> 4 != 6)
		return -1;
	f->protocol = h[6];
	__builtin_memcpy(f->saddr, h + 8, 16);
	__builtin_memcpy(f->daddr, h + 24, 16);
	*l4 = off + 40;
	return 0;
}

static __always_inline int load_ports(const struct __sk_buff *skb, __u32 l4, struct flow *f)
{
	__be16 p[2];

	if (!is_l4(f->protocol) || bpf_skb_load_bytes(skb, l4, p, 4))
		return -1;
	f->sport = p[0];
	f->dport = p[1];
	return 0;
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
		return f->protocol == IPPROTO_ICMP && (type == 3 || type == 11 || type == 12);
	/* 1..4: unreachable, packet too big, time exceeded, parameter problem; never
	 * neighbour discovery (133..137). */
	return f->protocol == IPPROTO_ICMPV6 && type >= 1 && type <= 4;
}

static __always_inline int decide(const struct __sk_buff *skb, struct flow *f)
{
	struct flow in;
	__u32 l4, l4in;
	__u8 family, type;

	if (skb->pkt_type == PACKET_OTHERHOST || skb->vlan_present)
		return PASS;
	if (skb->protocol == bpf_htons(ETH_P_IP))
		family = AF_INET;
	else if (skb->protocol == bpf_htons(ETH_P_IPV6))
		family = AF_INET6;
	else
		return PASS; /* ARP and everything else */
	if (load_ip(skb, ETH_HLEN, family, f, &l4))
		return PASS;
	if (is_l4(f->protocol)) {
		if (load_ports(skb, l4, f))
			return PASS;
		if (has_key(f, UVS_STEER_SERVICE, f->daddr, f->dport))
			return STEAL;
		if (has_key(f, UVS_STEER_REPLY, f->saddr, f->sport))
			return STEAL_UNLESS_LOCAL;
		return PASS;
	}
	/* An ICMP error quotes the packet it is about after its 8-byte header. */
	if (bpf_skb_load_bytes(skb, l4, &type, 1) || !is_icmp_error(f, type))
		return PASS;
	if (load_ip(skb, l4 + 8, family, &in, &l4in) || load_ports(skb, l4in, &in))
		return PASS;
	if (has_key(&in, UVS_STEER_SERVICE, in.saddr, in.sport) ||
	    has_key(&in, UVS_STEER_REPLY, in.daddr, in.dport))
		return STEAL;
	return PASS;
}

/* Whether a reply-key frame belongs to a connected socket of this host (the director's
 * own connection to the real server), not to a client's connection through uvs. */
static __always_inline int local_socket(struct __sk_buff *skb, const struct flow *f)
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
		sk = bpf_sk_lookup_tcp(skb, &t, len, BPF_F_CURRENT_NETNS, 0);
	else if (f->protocol == IPPROTO_UDP)
		sk = bpf_sk_lookup_udp(skb, &t, len, BPF_F_CURRENT_NETNS, 0);
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

SEC("tc")
int uvs_steer_tc(struct __sk_buff *skb)
{
	struct flow f;
	int d = decide(skb, &f);

	if (d == PASS || (d == STEAL_UNLESS_LOCAL && local_socket(skb, &f)))
		return TC_ACT_UNSPEC;
	return TC_ACT_SHOT;
}

SEC("socket")
int uvs_steer_sock(struct __sk_buff *skb)
{
	struct flow f;

	return decide(skb, &f) == PASS ? 0 : skb->len;
}

char LICENSE[] SEC("license") = "GPL";
