// SPDX-License-Identifier: GPL-2.0-or-later
/* Tunnelling (IPVS's TUN method): ipip, gue and gre encapsulation of the IP packet
 * over an outer IPv4 or IPv6 header, written into the frame's headroom. */
#include <errno.h>

#include "uvs/ipvs.h"
#include "xmit-internal.h"
#include "xmit.h"

/*
 * The GUE header (draft-ietf-intarea-gue 3.1), after UDP: version (2 bits), control (1
 * bit) and Hlen (5 bits, the words of extension fields) in one byte, then the IP
 * protocol of the payload, then flags.
 */
struct gue_hdr {
	uint8_t ver_c_hlen;
	uint8_t proto;
	uint16_t flags;
};

/* The GRE header (RFC 2784): flags and version, then the EtherType of the payload;
 * with GRE_F_CSUM, a checksum over header and payload and a reserved word follow. */
struct gre_hdr {
	uint16_t flags;
	uint16_t protocol;
};

struct gre_csum {
	uint16_t csum;
	uint16_t reserved1;
};

#define GRE_F_CSUM 0x8000

/* Source ports of gue come from the IANA dynamic range, so that the receiver's RSS and
 * ECMP on the way spread flows while each flow keeps its path. */
#define GUE_SPORT_MIN 49152

static uint32_t ip_hlen(int af)
{
	return af == AF_INET6 ? sizeof(struct ip6_hdr) : sizeof(struct ip);
}

uint32_t uvs_tun_overhead(int outer_af, const struct uvs_tun *t)
{
	uint32_t n = ip_hlen(outer_af);

	if (t->type == UVS_TUN_TYPE_GUE)
		return n + sizeof(struct udphdr) + sizeof(struct gue_hdr);
	if (t->type == UVS_TUN_TYPE_GRE)
		return n + sizeof(struct gre_hdr) +
		       (t->flags & UVS_TUN_F_CSUM ? sizeof(struct gre_csum) : 0);
	return n;
}

/* A 32-bit integer finaliser (multiply and xorshift), so each input bit reaches every
 * output bit. */
static uint32_t mix(uint32_t x)
{
	x ^= x >> 16;
	x *= 0x7feb352du;
	x ^= x >> 15;
	x *= 0x846ca68bu;
	x ^= x >> 16;
	return x;
}

/* A hash of the inner flow (addresses, protocol, ports) for the gue source port and the
 * IPv6 flow label: stable per flow, spread across flows. */
static uint32_t flow_hash(const struct uvs_pkt *p)
{
	uint32_t h = mix(0x9e3779b9u ^ p->protocol);

	for (int i = 0; i < 4; i++) {
		h = mix(h ^ p->saddr.ip6w[i]);
		h = mix(h ^ p->daddr.ip6w[i]);
	}
	return mix(h ^ ((uint32_t)p->sport << 16 | p->dport));
}

/*
 * The inner TOS or traffic class, which the outer header takes whole: DSCP, and ECN as
 * RFC 6040's normal mode, which copies the field, CE included. (Linux's
 * INET_ECN_encapsulate sends CE as ECT(0), the older RFC 3168 way.)
 */
static uint8_t inner_tos(const struct uvs_pkt *p)
{
	const uint8_t *ip = p->frame + p->l3_off;

	if (p->af == AF_INET6)
		return (uint8_t)(uvs_get32(ip + offsetof(struct ip6_hdr, ip6_flow)) >>
				 UVS_IP6_TCLASS_SHIFT);
	return ip[offsetof(struct ip, ip_tos)];
}

/* The outer IPv4 header's DF and id: DF when the inner is IPv6 or IPv4 with DF, as
 * IPVS does with path MTU discovery on; the id then means nothing (RFC 6864) and is 0.
 * Without DF the outer may be fragmented, so it takes the inner's id, unique per source
 * already. */
static void outer_df(const struct uvs_pkt *p, struct uvs_ip_fields *h)
{
	const uint8_t *ip = p->frame + p->l3_off;

	h->df = uvs_pkt_df(p);
	h->id = h->df ? 0 : uvs_get16(ip + offsetof(struct ip, ip_id));
}

/* Writes the UDP and GUE headers at l4; the UDP checksum is set once the IP header is
 * known. */
static void put_gue(uint8_t *l4, uint16_t sport, uint16_t dport, uint32_t len, uint8_t proto)
{
	struct udphdr uh = {
		.uh_sport = sport,
		.uh_dport = dport,
		.uh_ulen = htons((uint16_t)len),
		.uh_sum = 0,
	};
	/* Version 0, a data message (C 0), no extension fields (Hlen 0), no flags. */
	struct gue_hdr gue = { .ver_c_hlen = 0, .proto = proto, .flags = 0 };

	memcpy(l4, &uh, sizeof(uh));
	memcpy(l4 + sizeof(uh), &gue, sizeof(gue));
}

/* Writes the GRE header at l4, with its checksum over len bytes if csum (RFC 2784). */
static void put_gre(uint8_t *l4, uint32_t len, uint16_t ethertype, bool csum)
{
	struct gre_hdr gre = { .flags = htons(csum ? GRE_F_CSUM : 0),
			       .protocol = htons(ethertype) };
	struct gre_csum c = { .csum = 0, .reserved1 = 0 };

	memcpy(l4, &gre, sizeof(gre));
	if (!csum)
		return;
	memcpy(l4 + sizeof(gre), &c, sizeof(c));
	uvs_csum_store(l4 + sizeof(gre) + offsetof(struct gre_csum, csum),
		       uvs_csum_fold(uvs_csum_add(0, l4, len)));
}

int uvs_tun_encap(struct uvs_frame *f, struct uvs_pkt *p, int outer_af, const union uvs_addr *src,
		  const union uvs_addr *dst, const struct uvs_tun *t)
{
	uint32_t l2 = p->l3_off, hlen = ip_hlen(outer_af), inner_len = p->l3_len;
	uint32_t oh = uvs_tun_overhead(outer_af, t), l4_len = oh - hlen + inner_len;
	uint8_t inner_proto = p->af == AF_INET6 ? IPPROTO_IPV6 : IPPROTO_IPIP;
	/* Only gue's source port and an outer IPv6 header's flow label use the flow's
	 * hash: ipip and gre over IPv4, most of TUN's frames, skip its ten rounds. */
	uint32_t hash = t->type == UVS_TUN_TYPE_GUE || outer_af == AF_INET6 ? flow_hash(p) : 0;
	uint16_t sport = htons((uint16_t)(GUE_SPORT_MIN + (hash >> 16) % (65536 - GUE_SPORT_MIN)));
	struct uvs_ip_fields h = {
		.src = src,
		.dst = dst,
		.payload_len = l4_len,
		.tos = inner_tos(p),
		.ttl = p->ttl,
		.flowlabel = hash,
	};

	if (t->type > UVS_TUN_TYPE_GRE)
		return -EINVAL;
	if (f->headroom < oh)
		return -ENOSPC;
	if (hlen + l4_len > 65535)
		return -EMSGSIZE;
	outer_df(p, &h);

	/* The inner packet stays where it is; L2 moves back to make room for the outer
	 * headers, then Ethernet padding after the inner packet is dropped. */
	uint8_t *d = f->data - oh, *ip = d + l2, *l4 = ip + hlen;
	memmove(d, f->data, l2);
	uvs_put16(uvs_l3_ethertype(d, l2), outer_af == AF_INET6 ? ETHERTYPE_IPV6 : ETHERTYPE_IP);
	switch (t->type) {
	case UVS_TUN_TYPE_GUE:
		h.protocol = IPPROTO_UDP;
		put_gue(l4, sport, t->port, l4_len, inner_proto);
		break;
	case UVS_TUN_TYPE_GRE:
		h.protocol = IPPROTO_GRE;
		put_gre(l4, l4_len, p->af == AF_INET6 ? ETHERTYPE_IPV6 : ETHERTYPE_IP,
			t->flags & UVS_TUN_F_CSUM);
		break;
	default:
		h.protocol = inner_proto;
	}
	uvs_ip_build(ip, outer_af, &h);
	/* UDP over IPv6 must have a checksum (RFC 8200). REMCSUM asks the receiver to
	 * offload the inner checksum; uvs's inner checksums are complete, so, as Linux
	 * with a complete packet, it sends a full UDP checksum instead. */
	if (t->type == UVS_TUN_TYPE_GUE &&
	    (outer_af == AF_INET6 || (t->flags & (UVS_TUN_F_CSUM | UVS_TUN_F_REMCSUM)))) {
		uint32_t sum = uvs_csum_pseudo(outer_af, src, dst, IPPROTO_UDP, l4_len);
		uint16_t c = uvs_csum_fold(uvs_csum_add(sum, l4, l4_len));
		uvs_csum_store(l4 + offsetof(struct udphdr, uh_sum), c ? c : 0xffff);
	}

	uint32_t len = l2 + oh + inner_len;
	uvs_frame_rebuilt(f, p, d, oh, len, outer_af, &h);
	if (t->type == UVS_TUN_TYPE_GUE) {
		p->sport = sport;
		p->dport = t->port;
	}
	return 0;
}
