// SPDX-License-Identifier: GPL-2.0-or-later
/* Cutting an unsegmented frame into wire-sized ones (gso.h), as the kernel's
 * tcp_gso_segment and __udp_gso_segment do. */
#include "gso.h"

#include <errno.h>

#include "csum.h"
#include "wire.h"

/* TCP's congestion window reduced flag (RFC 3168), which netinet/tcp.h does not name. */
#define TCP_FLAG_CWR 0x80

int uvs_gso_start(struct uvs_gso *g, uint8_t *frame, uint32_t len, enum uvs_gso_type type,
		  uint32_t mss)
{
	struct uvs_pkt *p = &g->p;
	uint8_t want = type == UVS_GSO_TCP ? IPPROTO_TCP : IPPROTO_UDP;
	uint32_t l4_hdr;

	if (uvs_pkt_parse(frame, len, p) != UVS_PKT_OK || p->protocol != want || !mss)
		return -EINVAL;
	if (type == UVS_GSO_TCP) {
		l4_hdr = uvs_tcp_hlen(frame + p->l4_off);
		if (l4_hdr < sizeof(struct tcphdr) || l4_hdr > p->l4_len)
			return -EINVAL;
		g->seq = uvs_get32(frame + p->l4_off + offsetof(struct tcphdr, th_seq));
		g->tcp_flags = p->tcp_flags;
	} else {
		l4_hdr = sizeof(struct udphdr);
	}
	g->type = type;
	g->hdr_len = p->l4_off + l4_hdr;
	g->end = p->l3_off + p->l3_len;
	g->mss = mss;
	g->next = g->hdr_len;
	g->index = 0;
	g->ip_id = p->af == AF_INET ? uvs_get16(frame + p->l3_off + offsetof(struct ip, ip_id)) : 0;
	return 0;
}

unsigned uvs_gso_left(const struct uvs_gso *g)
{
	uint32_t payload = g->end - g->next;

	/* A frame without payload still makes one (header-only) segment. */
	if (g->index == 0 && payload == 0)
		return 1;
	return (payload + g->mss - 1) / g->mss;
}

uint32_t uvs_gso_max_seg(const struct uvs_gso *g)
{
	uint32_t payload = g->end - g->hdr_len;

	return g->hdr_len + (payload < g->mss ? payload : g->mss);
}

/* The IP header of segment out: its length (payload bytes after the headers), and for
 * IPv4 its id and checksum. */
static void fix_ip(const struct uvs_gso *g, uint8_t *out, uint32_t payload)
{
	uint8_t *ip = out + g->p.l3_off;
	uint32_t l3_len = g->hdr_len - g->p.l3_off + payload;

	if (g->p.af == AF_INET6) {
		uvs_put16(ip + offsetof(struct ip6_hdr, ip6_plen),
			  (uint16_t)(l3_len - sizeof(struct ip6_hdr)));
		return;
	}
	uint32_t ihl = uvs_ip4_hlen(ip);

	uvs_put16(ip + offsetof(struct ip, ip_len), (uint16_t)l3_len);
	uvs_put16(ip + offsetof(struct ip, ip_id), (uint16_t)(g->ip_id + g->index));
	uvs_put16(ip + offsetof(struct ip, ip_sum), 0);
	uint16_t sum = uvs_csum_fold(uvs_csum_add(0, ip, ihl));
	memcpy(ip + offsetof(struct ip, ip_sum), &sum, sizeof(sum));
}

/* The L4 header of segment out: TCP sequence and flags (FIN and PSH on the last
 * segment only, CWR on the first only), or the UDP length; then the whole checksum. */
static void fix_l4(const struct uvs_gso *g, uint8_t *out, uint32_t payload, bool last)
{
	uint8_t *l4 = out + g->p.l4_off;
	uint32_t l4_len = g->hdr_len - g->p.l4_off + payload;
	int off = uvs_l4_csum_off(g->p.protocol);
	uint16_t sum;

	if (g->type == UVS_GSO_TCP) {
		uint8_t flags = g->tcp_flags;

		if (!last)
			flags &= (uint8_t) ~(TH_FIN | TH_PUSH);
		if (g->index)
			flags &= (uint8_t)~TCP_FLAG_CWR;
		uvs_put32(l4 + offsetof(struct tcphdr, th_seq), g->seq + (g->next - g->hdr_len));
		l4[offsetof(struct tcphdr, th_flags)] = flags;
	} else {
		uvs_put16(l4 + offsetof(struct udphdr, uh_ulen), (uint16_t)l4_len);
	}
	memset(l4 + off, 0, sizeof(sum));
	sum = uvs_csum_fold(uvs_csum_add(
		uvs_csum_pseudo(g->p.af, &g->p.saddr, &g->p.daddr, g->p.protocol, l4_len), l4,
		l4_len));
	if (sum == 0 && g->type == UVS_GSO_UDP_L4)
		sum = 0xffff; /* 0 would mean "no checksum" */
	memcpy(l4 + off, &sum, sizeof(sum));
}

int uvs_gso_next(struct uvs_gso *g, uint8_t *out, uint32_t room)
{
	uint32_t payload = g->end - g->next;
	bool last;

	if (!uvs_gso_left(g))
		return 0;
	if (payload > g->mss)
		payload = g->mss;
	if (room < g->hdr_len + payload)
		return -ENOSPC;
	last = g->next + payload == g->end;
	memcpy(out, g->p.frame, g->hdr_len);
	memcpy(out + g->hdr_len, g->p.frame + g->next, payload);
	fix_ip(g, out, payload);
	fix_l4(g, out, payload, last);
	g->next += payload;
	g->index++;
	return (int)(g->hdr_len + payload);
}
