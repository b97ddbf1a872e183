// SPDX-License-Identifier: GPL-2.0-or-later
/* Header steps the forwarding methods share: the TTL, the Ethernet addresses, and the
 * fresh IP header of a tunnel or an ICMP error. */
#include <netinet/in.h>

#include "xmit-internal.h"
#include "xmit.h"

int uvs_ttl_dec(struct uvs_pkt *p)
{
	uint8_t *ip = p->frame + p->l3_off;
	uint8_t *t = ip + (p->af == AF_INET6 ? 7 : 8);
	uint8_t old[2];

	if (*t <= 1)
		return -1;
	memcpy(old, t, 2);
	(*t)--;
	/* The IPv4 TTL shares a checksummed 16-bit word with the protocol. */
	if (p->af == AF_INET)
		uvs_csum_fix(ip + 10, old, t, 2);
	p->ttl = *t;
	return 0;
}

void uvs_eth_set(struct uvs_pkt *p, const struct uvs_route *r)
{
	memcpy(p->frame, r->dst_mac, 6);
	memcpy(p->frame + 6, r->src_mac, 6);
}

uint32_t uvs_ip_build(uint8_t *ip, int af, const struct uvs_ip_fields *h)
{
	if (af == AF_INET6) {
		uint32_t w = (uint32_t)6 << 28 | (uint32_t)h->tos << 20 | (h->flowlabel & 0xfffff);

		w = htonl(w);
		memcpy(ip, &w, 4);
		uvs_put16(ip + 4, (uint16_t)h->payload_len);
		ip[6] = h->protocol;
		ip[7] = h->ttl;
		memcpy(ip + 8, h->src, 16);
		memcpy(ip + 24, h->dst, 16);
		return 40;
	}
	ip[0] = 0x45;
	ip[1] = h->tos;
	uvs_put16(ip + 2, (uint16_t)(20 + h->payload_len));
	uvs_put16(ip + 4, h->id);
	uvs_put16(ip + 6, h->df ? 0x4000 : 0);
	ip[8] = h->ttl;
	ip[9] = h->protocol;
	uvs_put16(ip + 10, 0);
	memcpy(ip + 12, &h->src->ip, 4);
	memcpy(ip + 16, &h->dst->ip, 4);
	uvs_csum_store(ip + 10, uvs_csum_fold(uvs_csum_add(0, ip, 20)));
	return 20;
}

void uvs_pkt_describe(struct uvs_pkt *p, uint8_t *frame, uint32_t frame_len, int af,
		      const struct uvs_ip_fields *h)
{
	uint32_t hlen = af == AF_INET6 ? 40 : 20;
	union uvs_addr s = { 0 }, d = { 0 };

	/* h's addresses may be p's own (an error sent from the address it concerns). */
	memcpy(&s, h->src, af == AF_INET6 ? 16 : 4);
	memcpy(&d, h->dst, af == AF_INET6 ? 16 : 4);
	p->saddr = s;
	p->daddr = d;
	p->frame = frame;
	p->frame_len = frame_len;
	p->ethertype = af == AF_INET6 ? 0x86dd : 0x0800;
	p->af = (uint8_t)af;
	p->protocol = h->protocol;
	p->ttl = h->ttl;
	p->tcp_flags = p->icmp_type = p->icmp_code = 0;
	p->l4_off = (uint16_t)(p->l3_off + hlen);
	p->l3_len = hlen + h->payload_len;
	p->l4_len = h->payload_len;
	p->sport = p->dport = 0;
}
