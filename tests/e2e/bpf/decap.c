// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * decap: a tc ingress program that lets a tunnelled real server of the e2e lab take
 * what a director sends by IPVS's TUN method, on a kernel without the ipip, sit, gre
 * or fou modules. Test infrastructure: uvsd does not use it.
 *
 * It removes the outer headers of
 *   - ipip: an IPv4 or IPv6 outer header with protocol 4 (IPv4 inner) or 41 (IPv6);
 *   - gue: UDP to the configured port, then a GUE version 0 header (4 bytes and Hlen
 *     words of extensions, C = 0, proto 4 or 41) or GUE version 1 (the inner IP header
 *     right after UDP);
 *   - gre: GRE version 0 with protocol 0x0800 or 0x86DD, with or without the checksum,
 *     key and sequence fields;
 * and hands the inner packet to the stack as if it had arrived so on the interface.
 * Everything else, including fragments, IPv6 extension headers and frames not
 * addressed to this host's MAC, passes untouched. Checksums of the outer UDP and GRE
 * headers are not checked (the inner packet's are, by the stack).
 *
 * Built with clang -target bpf (tests/e2e/meson.build) and loaded with iproute2:
 *
 *   tc qdisc add dev eth0 clsact
 *   tc filter add dev eth0 ingress bpf direct-action obj decap.o sec tc classid 1:17c0
 *
 * The filter's classid carries the GUE port in its minor number (hex; 0x17c0 = 6080);
 * cls_bpf hands it to the program as skb->tc_classid. Minor 0: no GUE.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/in.h>
#include <linux/pkt_cls.h>
#include <linux/types.h>

#define SEC(name) __attribute__((section(name), used))

/* bpf_skb_adjust_room's flags for a decapsulation that may change the family (Linux
 * 6.3); named here because Debian 12's headers predate them. */
#define ADJ_ROOM_DECAP_L3_IPV4 (1ULL << 7)
#define ADJ_ROOM_DECAP_L3_IPV6 (1ULL << 8)

#define GRE_F_CSUM 0x8000
#define GRE_F_KEY  0x2000
#define GRE_F_SEQ  0x1000

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define htons16(x) __builtin_bswap16(x)
#else
#define htons16(x) (x)
#endif

static long (*skb_load_bytes)(const struct __sk_buff *skb, __u32 off, void *to,
			      __u32 len) = (void *)BPF_FUNC_skb_load_bytes;
static long (*skb_store_bytes)(struct __sk_buff *skb, __u32 off, const void *from, __u32 len,
			       __u64 flags) = (void *)BPF_FUNC_skb_store_bytes;
static long (*skb_adjust_room)(struct __sk_buff *skb, __s32 len_diff, __u32 mode,
			       __u64 flags) = (void *)BPF_FUNC_skb_adjust_room;

static __u16 get16(const __u8 *p)
{
	return (__u16)(p[0] << 8 | p[1]);
}

/* The inner packet's IP version for an IP protocol number, or 0. */
static int ip_in(__u8 proto)
{
	return proto == IPPROTO_IPIP ? 4 : proto == IPPROTO_IPV6 ? 6 : 0;
}

/* The outer header at ETH_HLEN: its L4 protocol and where its payload starts, or -1
 * for anything not to decapsulate. */
static int outer_l3(const struct __sk_buff *skb, __u8 *proto, __u32 *off)
{
	__u8 h[20];

	if (skb->protocol == htons16(ETH_P_IP)) {
		if (skb_load_bytes(skb, ETH_HLEN, h, 20) || h[0] >> 4 != 4 || (h[0] & 0xf) < 5)
			return -1;
		if (get16(h + 6) & 0x3fff) /* MF or a fragment offset */
			return -1;
		*proto = h[9];
		*off = ETH_HLEN + (h[0] & 0xf) * 4;
		return 0;
	}
	if (skb->protocol == htons16(ETH_P_IPV6)) {
		if (skb_load_bytes(skb, ETH_HLEN, h, 8) || h[0] >> 4 != 6)
			return -1;
		*proto = h[6];
		*off = ETH_HLEN + 40;
		return 0;
	}
	return -1;
}

/* UDP at *off: GUE if to the configured port. Returns the inner version, 0 if none;
 * moves *off to the inner packet. */
static int gue(const struct __sk_buff *skb, __u32 *off)
{
	__u32 port = skb->tc_classid & 0xffff;
	__u8 h[12];

	if (!port || skb_load_bytes(skb, *off, h, 12) || get16(h + 2) != port)
		return 0;
	switch (h[8] >> 6) {
	case 0: /* version 0: C, Hlen, proto, flags, then Hlen words of extensions */
		if (h[8] & 0x20)
			return 0;
		*off += 8 + 4 + (h[8] & 0x1f) * 4;
		return ip_in(h[9]);
	case 1: /* version 1: the IP header itself, 4 or 6 in its first nibble */
		*off += 8;
		return h[8] >> 4 == 4 || h[8] >> 4 == 6 ? h[8] >> 4 : 0;
	}
	return 0;
}

/* GRE at *off, version 0 without routing. Returns the inner version, 0 if none; moves
 * *off to the inner packet. */
static int gre(const struct __sk_buff *skb, __u32 *off)
{
	__u8 h[4];
	__u16 flags;

	if (skb_load_bytes(skb, *off, h, 4))
		return 0;
	flags = get16(h);
	if (flags & ~(GRE_F_CSUM | GRE_F_KEY | GRE_F_SEQ))
		return 0;
	*off += 4 + (flags & GRE_F_CSUM ? 4 : 0) + (flags & GRE_F_KEY ? 4 : 0) +
		(flags & GRE_F_SEQ ? 4 : 0);
	switch (get16(h + 2)) {
	case ETH_P_IP:
		return 4;
	case ETH_P_IPV6:
		return 6;
	}
	return 0;
}

SEC("tc")
int decap(struct __sk_buff *skb)
{
	__u32 off;
	__u8 proto, first;
	int inner = 0;

	if (skb->pkt_type != PACKET_HOST || outer_l3(skb, &proto, &off))
		return TC_ACT_OK;
	switch (proto) {
	case IPPROTO_IPIP:
	case IPPROTO_IPV6:
		inner = ip_in(proto);
		break;
	case IPPROTO_UDP:
		inner = gue(skb, &off);
		break;
	case IPPROTO_GRE:
		inner = gre(skb, &off);
		break;
	}
	if (!inner || skb_load_bytes(skb, off, &first, 1) || first >> 4 != inner)
		return TC_ACT_OK;

	/* Removes the bytes between the MAC header and the inner packet; the flag sets
	 * skb->protocol to the inner family. Ethernet's type follows, for captures. */
	__u16 type = htons16(inner == 4 ? ETH_P_IP : ETH_P_IPV6);
	int changed = (__u32)type != skb->protocol;

	if (skb_adjust_room(skb, -(__s32)(off - ETH_HLEN), BPF_ADJ_ROOM_MAC,
			    inner == 4 ? ADJ_ROOM_DECAP_L3_IPV4 : ADJ_ROOM_DECAP_L3_IPV6))
		return TC_ACT_SHOT;
	if (changed && skb_store_bytes(skb, 12, &type, 2, 0))
		return TC_ACT_SHOT;
	return TC_ACT_OK;
}

char _license[] SEC("license") = "GPL";
