// SPDX-License-Identifier: GPL-2.0-or-later
/* Header steps the forwarding methods share: the TTL, the Ethernet addresses, and the
 * fresh IP header of a tunnel or an ICMP error. */
#include "xmit-internal.h"
#include "xmit.h"

/* The TTL and the protocol form one 16-bit word of the IPv4 header checksum. */
_Static_assert(offsetof(struct ip, ip_ttl) % 2 == 0 &&
		       offsetof(struct ip, ip_p) == offsetof(struct ip, ip_ttl) + 1,
	       "TTL and protocol share a word");

int uvs_ttl_dec(struct uvs_pkt *p)
{
	uint8_t *ip = p->frame + p->l3_off;

	if (p->af == AF_INET6) {
		uint8_t *hlim = ip + offsetof(struct ip6_hdr, ip6_hlim);
		if (*hlim <= 1)
			return -1;
		p->ttl = --*hlim;
		return 0;
	}
	uint8_t *ttl = ip + offsetof(struct ip, ip_ttl);
	uint8_t *field = ip + offsetof(struct ip, ip_sum);
	uint16_t sum;
	uint32_t more;

	if (*ttl <= 1)
		return -1;
	/* The TTL is its word's high byte: one less there is 0x0100 more in the checksum,
	 * with the end-around carry (RFC 1141's update; for every checksum and TTL the
	 * same field as RFC 1624's, checked exhaustively when this replaced it). */
	memcpy(&sum, field, sizeof(sum));
	more = (uint32_t)sum + htons(0x0100);
	sum = (uint16_t)(more + (more >= 0xffff));
	memcpy(field, &sum, sizeof(sum));
	p->ttl = --*ttl;
	return 0;
}

void uvs_eth_set(struct uvs_pkt *p, const struct uvs_route *r)
{
	memcpy(p->frame + offsetof(struct ether_header, ether_dhost), r->dst_mac, ETH_ALEN);
	memcpy(p->frame + offsetof(struct ether_header, ether_shost), r->src_mac, ETH_ALEN);
}

uint32_t uvs_ip_build(uint8_t *ip, int af, const struct uvs_ip_fields *h)
{
	/* Field by field in place: see pkt/wire.h for why not a local struct. */
	if (af == AF_INET6) {
		uvs_put32(ip + offsetof(struct ip6_hdr, ip6_flow),
			  (uint32_t)UVS_IP6_VERSION << UVS_IP6_VERSION_SHIFT |
				  (uint32_t)h->tos << UVS_IP6_TCLASS_SHIFT |
				  (h->flowlabel & UVS_IP6_FLOWLABEL_MASK));
		uvs_put16(ip + offsetof(struct ip6_hdr, ip6_plen), (uint16_t)h->payload_len);
		ip[offsetof(struct ip6_hdr, ip6_nxt)] = h->protocol;
		ip[offsetof(struct ip6_hdr, ip6_hlim)] = h->ttl;
		memcpy(ip + offsetof(struct ip6_hdr, ip6_src), h->src, sizeof(struct in6_addr));
		memcpy(ip + offsetof(struct ip6_hdr, ip6_dst), h->dst, sizeof(struct in6_addr));
		return sizeof(struct ip6_hdr);
	}
	uvs_ip4_set_version_hlen(ip, sizeof(struct ip)); /* no options */
	ip[offsetof(struct ip, ip_tos)] = h->tos;
	uvs_put16(ip + offsetof(struct ip, ip_len), (uint16_t)(sizeof(struct ip) + h->payload_len));
	uvs_put16(ip + offsetof(struct ip, ip_id), h->id);
	uvs_put16(ip + offsetof(struct ip, ip_off), h->df ? IP_DF : 0);
	ip[offsetof(struct ip, ip_ttl)] = h->ttl;
	ip[offsetof(struct ip, ip_p)] = h->protocol;
	uvs_put16(ip + offsetof(struct ip, ip_sum), 0);
	memcpy(ip + offsetof(struct ip, ip_src), &h->src->ip, sizeof(struct in_addr));
	memcpy(ip + offsetof(struct ip, ip_dst), &h->dst->ip, sizeof(struct in_addr));
	uvs_csum_store(ip + offsetof(struct ip, ip_sum),
		       uvs_csum_fold(uvs_csum_add(0, ip, sizeof(struct ip))));
	return sizeof(struct ip);
}

void uvs_frame_rebuilt(struct uvs_frame *f, struct uvs_pkt *p, uint8_t *data, uint32_t grow,
		       uint32_t len, int af, const struct uvs_ip_fields *h)
{
	uint32_t hlen = af == AF_INET6 ? sizeof(struct ip6_hdr) : sizeof(struct ip);
	union uvs_addr s = { 0 }, d = { 0 };

	f->tailroom += f->len + grow - len;
	f->headroom -= grow;
	f->data = data;
	f->len = len;

	/* h's addresses may be p's own (an error sent from the address it concerns). */
	memcpy(&s, h->src, af == AF_INET6 ? 16 : 4);
	memcpy(&d, h->dst, af == AF_INET6 ? 16 : 4);
	p->saddr = s;
	p->daddr = d;
	p->frame = data;
	p->frame_len = len;
	p->ethertype = af == AF_INET6 ? ETHERTYPE_IPV6 : ETHERTYPE_IP;
	p->af = (uint8_t)af;
	p->protocol = h->protocol;
	p->ttl = h->ttl;
	p->tcp_flags = p->icmp_type = p->icmp_code = 0;
	p->l4_off = (uint16_t)(p->l3_off + hlen);
	p->l3_len = hlen + h->payload_len;
	p->l4_len = h->payload_len;
	p->sport = p->dport = 0;
}
