// SPDX-License-Identifier: GPL-2.0-or-later
/* Tunnelling (IPVS's TUN method): ipip, gue and gre encapsulation of the IP packet
 * over an outer IPv4 or IPv6 header, written into the frame's headroom. */
#include <errno.h>
#include <netinet/in.h>

#include "uvs/ipvs.h"
#include "xmit-internal.h"
#include "xmit.h"

#define UDP_HLEN     8
#define GUE_HLEN     4
#define GRE_HLEN     4
#define GRE_CSUM_LEN 4
#define GRE_F_CSUM   0x8000

/* Source ports of gue come from the IANA dynamic range, so that the receiver's RSS and
 * ECMP on the way spread flows while each flow keeps its path. */
#define GUE_SPORT_MIN 49152

static uint32_t ip_hlen(int af)
{
	return af == AF_INET6 ? 40 : 20;
}

uint32_t uvs_tun_overhead(int outer_af, const struct uvs_tun *t)
{
	uint32_t n = ip_hlen(outer_af);

	if (t->type == UVS_TUN_TYPE_GUE)
		return n + UDP_HLEN + GUE_HLEN;
	if (t->type == UVS_TUN_TYPE_GRE)
		return n + GRE_HLEN + (t->flags & UVS_TUN_F_CSUM ? GRE_CSUM_LEN : 0);
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
		return (uint8_t)((ip[0] & 0x0f) << 4 | ip[1] >> 4);
	return ip[1];
}

/* The outer IPv4 header's DF and id: DF when the inner is IPv6 or IPv4 with DF, as
 * IPVS does with path MTU discovery on; the id then means nothing (RFC 6864) and is 0.
 * Without DF the outer may be fragmented, so it takes the inner's id, unique per source
 * already. */
static void outer_df(const struct uvs_pkt *p, struct uvs_ip_fields *h)
{
	const uint8_t *ip = p->frame + p->l3_off;

	h->df = p->af == AF_INET6 || (uvs_get16(ip + 6) & 0x4000);
	h->id = h->df ? 0 : uvs_get16(ip + 4);
}

/* Writes the UDP and GUE headers at l4; the UDP checksum is set once the IP header is
 * known. */
static void put_gue(uint8_t *l4, uint16_t sport, uint16_t dport, uint32_t len, uint8_t proto)
{
	memcpy(l4, &sport, 2);
	memcpy(l4 + 2, &dport, 2);
	uvs_put16(l4 + 4, (uint16_t)len);
	uvs_put16(l4 + 6, 0);
	/* GUE version 0, C 0 (data), Hlen 0 (no extension fields), proto, flags 0. */
	l4[8] = 0;
	l4[9] = proto;
	uvs_put16(l4 + 10, 0);
}

/* Writes the GRE header at l4, with its checksum over len bytes if csum (RFC 2784). */
static void put_gre(uint8_t *l4, uint32_t len, uint16_t ethertype, bool csum)
{
	uvs_put16(l4, csum ? GRE_F_CSUM : 0);
	uvs_put16(l4 + 2, ethertype);
	if (!csum)
		return;
	memset(l4 + 4, 0, GRE_CSUM_LEN); /* checksum and reserved1 */
	uvs_csum_store(l4 + 4, uvs_csum_fold(uvs_csum_add(0, l4, len)));
}

int uvs_tun_encap(struct uvs_frame *f, struct uvs_pkt *p, int outer_af, const union uvs_addr *src,
		  const union uvs_addr *dst, const struct uvs_tun *t)
{
	uint32_t l2 = p->l3_off, hlen = ip_hlen(outer_af), inner_len = p->l3_len;
	uint32_t oh = uvs_tun_overhead(outer_af, t), l4_len = oh - hlen + inner_len;
	uint8_t inner_proto = p->af == AF_INET6 ? IPPROTO_IPV6 : IPPROTO_IPIP;
	uint32_t hash = flow_hash(p);
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
	uvs_put16(d + l2 - 2, outer_af == AF_INET6 ? 0x86dd : 0x0800);
	switch (t->type) {
	case UVS_TUN_TYPE_GUE:
		h.protocol = IPPROTO_UDP;
		put_gue(l4, sport, t->port, l4_len, inner_proto);
		break;
	case UVS_TUN_TYPE_GRE:
		h.protocol = IPPROTO_GRE;
		put_gre(l4, l4_len, p->af == AF_INET6 ? 0x86dd : 0x0800, t->flags & UVS_TUN_F_CSUM);
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
		uvs_csum_store(l4 + 6, c ? c : 0xffff);
	}

	uint32_t len = l2 + oh + inner_len;
	f->tailroom += f->len + oh - len;
	f->headroom -= oh;
	f->data = d;
	f->len = len;
	uvs_pkt_describe(p, d, len, outer_af, &h);
	if (t->type == UVS_TUN_TYPE_GUE) {
		p->sport = sport;
		p->dport = t->port;
	}
	return 0;
}
