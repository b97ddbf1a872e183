// SPDX-License-Identifier: GPL-2.0-or-later
/* ICMP and ICMPv6 errors: building one about a frame uvs cannot forward, and relaying
 * one about a NAT connection with the addresses it concerns rewritten. */
#include <errno.h>

#include "xmit-internal.h"
#include "xmit.h"

/* ICMP and ICMPv6 headers share one layout (pkt/wire.h). */
#define ICMP_HLEN sizeof(struct icmp6_hdr)

/* Longest error message: RFC 1812 4.3.2.3 (576) and RFC 4443 2.4 (the IPv6 minimum
 * MTU, 1280). */
static uint32_t error_max(int af)
{
	return af == AF_INET6 ? 1280 : 576;
}

/* Sets the checksum of the ICMP or ICMPv6 message of p from scratch. */
static void icmp_csum(struct uvs_pkt *p)
{
	uint8_t *m = p->frame + p->l4_off;
	uint8_t *field = m + offsetof(struct icmp6_hdr, icmp6_cksum);
	uint32_t sum = 0;

	uvs_put16(field, 0);
	if (p->af == AF_INET6)
		sum = uvs_csum_pseudo(AF_INET6, &p->saddr, &p->daddr, IPPROTO_ICMPV6, p->l4_len);
	uvs_csum_store(field, uvs_csum_fold(uvs_csum_add(sum, m, p->l4_len)));
}

int uvs_icmp_error(struct uvs_frame *f, struct uvs_pkt *p, const union uvs_addr *src, uint8_t type,
		   uint8_t code, uint32_t info)
{
	int af = p->af;
	uint32_t l2 = p->l3_off;
	uint32_t hlen = (af == AF_INET6 ? sizeof(struct ip6_hdr) : sizeof(struct ip)) + ICMP_HLEN;
	uint32_t quote = p->l3_len < error_max(af) - hlen ? p->l3_len : error_max(af) - hlen;
	union uvs_addr dst = p->saddr;
	struct uvs_ip_fields h = {
		.src = src,
		.dst = &dst,
		.payload_len = ICMP_HLEN + quote,
		.protocol = af == AF_INET6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP,
		/* IPv4: precedence 6, internetwork control, as RFC 1812 4.3.2.5 asks of
		 * routers. IPv6 has no such rule: traffic class 0, as Linux's icmp6_send. */
		.tos = af == AF_INET6 ? 0 : 0xc0,
		.ttl = 64,
		/* As Linux, without DF: a path narrower than the error may fragment it. The
		 * offending packet's id differs from one error to the next, as ids must. */
		.df = false,
		.id = af == AF_INET ? uvs_get16(p->frame + p->l3_off + offsetof(struct ip, ip_id))
				    : 0,
	};
	struct icmp6_hdr icmp = { .icmp6_type = type, .icmp6_code = code, .icmp6_cksum = 0 };
	struct ether_header eth;

	if (f->headroom < hlen)
		return -ENOSPC;

	/* The offending packet stays in place as the quote; L2 moves back in front of the
	 * new IP and ICMP headers, and goes back where it came from. */
	uint8_t *d = f->data - hlen, *m = d + l2 + hlen - ICMP_HLEN;
	memmove(d, f->data, l2);
	memcpy(&eth, d, sizeof(eth));
	memcpy(d + offsetof(struct ether_header, ether_dhost), eth.ether_shost, ETH_ALEN);
	memcpy(d + offsetof(struct ether_header, ether_shost), eth.ether_dhost, ETH_ALEN);
	uvs_ip_build(d + l2, af, &h);
	/* The word after the checksum means what the type says (icmp_nextmtu,
	 * icmp6_mtu, icmp6_pptr, ...): the caller's info. */
	icmp.icmp6_data32[0] = htonl(info);
	memcpy(m, &icmp, sizeof(icmp));

	uint32_t len = l2 + hlen + quote;
	uvs_frame_rebuilt(f, p, d, hlen, len, af, &h);
	p->icmp_type = type;
	p->icmp_code = code;
	icmp_csum(p);
	return 0;
}

/* Rewrites the outer destination (in) or source, and the embedded source (in) or
 * destination, to a:port; then the ICMP checksum, which covers all of it. */
static void relay(struct uvs_pkt *p, struct uvs_pkt *inner, bool in, const union uvs_addr *a,
		  uint16_t port)
{
	uint32_t end = p->l3_off + p->l3_len;

	uvs_nat_rewrite(p, !in, a, 0, end);
	uvs_nat_rewrite(inner, in, a, port, end);
	icmp_csum(p);
}

void uvs_icmp_relay_in(struct uvs_pkt *p, struct uvs_pkt *inner, const union uvs_addr *rs,
		       uint16_t rport)
{
	relay(p, inner, true, rs, rport);
}

void uvs_icmp_relay_out(struct uvs_pkt *p, struct uvs_pkt *inner, const union uvs_addr *vip,
			uint16_t vport)
{
	relay(p, inner, false, vip, vport);
}
