// SPDX-License-Identifier: GPL-2.0-or-later
/* Bare TCP segments written in place, and sequence numbers shifted (tcp_craft.h). */
#include "tcp_craft.h"

#include <errno.h>
#include <netinet/tcp.h>

#include "xmit-internal.h"

int uvs_tcp_craft(struct uvs_frame *f, struct uvs_pkt *p, const struct uvs_tcp_seg *s)
{
	int af = p->af;
	uint32_t tcp_len = sizeof(struct tcphdr) + (s->mss ? UVS_TCPOLEN_MSS : 0);
	uint32_t ip_len = af == AF_INET6 ? sizeof(struct ip6_hdr) : sizeof(struct ip);
	uint32_t len = p->l3_off + ip_len + tcp_len;
	struct uvs_ip_fields h = {
		.src = s->src,
		.dst = s->dst,
		.payload_len = tcp_len,
		.protocol = IPPROTO_TCP,
		.ttl = UVS_TCP_CRAFT_TTL,
		.df = true,
	};
	uint8_t *tcp;

	if (len > f->len + f->tailroom)
		return -ENOSPC;
	uvs_ip_build(f->data + p->l3_off, af, &h);
	uvs_frame_rebuilt(f, p, f->data, 0, len, af, &h);
	tcp = p->frame + p->l4_off;
	memset(tcp, 0, tcp_len);
	uvs_put16(tcp + offsetof(struct tcphdr, th_sport), s->sport);
	uvs_put16(tcp + offsetof(struct tcphdr, th_dport), s->dport);
	uvs_put32(tcp + offsetof(struct tcphdr, th_seq), s->seq);
	uvs_put32(tcp + offsetof(struct tcphdr, th_ack), s->ack);
	tcp[offsetof(struct tcphdr, th_flags) - 1] = (uint8_t)(tcp_len / 4 << 4); /* data offset */
	tcp[offsetof(struct tcphdr, th_flags)] = s->flags;
	uvs_put16(tcp + offsetof(struct tcphdr, th_win), s->window);
	if (s->mss) {
		uint8_t *o = tcp + sizeof(struct tcphdr);
		o[0] = UVS_TCPOPT_MSS;
		o[1] = UVS_TCPOLEN_MSS;
		uvs_put16(o + 2, s->mss);
	}
	uvs_csum_store(
		tcp + offsetof(struct tcphdr, th_sum),
		uvs_csum_fold(uvs_csum_add(
			uvs_csum_pseudo(af, s->src, s->dst, IPPROTO_TCP, tcp_len), tcp, tcp_len)));
	p->sport = htons(s->sport);
	p->dport = htons(s->dport);
	p->tcp_flags = s->flags;
	return 0;
}

uint16_t uvs_tcp_mss(const struct uvs_pkt *p)
{
	const uint8_t *tcp = p->frame + p->l4_off;
	uint32_t hlen = (uint32_t)(tcp[offsetof(struct tcphdr, th_flags) - 1] >> 4) * 4;
	const uint8_t *o = tcp + sizeof(struct tcphdr), *end = tcp + hlen;

	if (hlen > p->l4_len)
		return 0;
	while (o < end) {
		if (*o == TCPOPT_EOL)
			break;
		if (*o == TCPOPT_NOP) {
			o++;
			continue;
		}
		if (o + 2 > end || o[1] < 2 || o + o[1] > end)
			break;
		if (o[0] == UVS_TCPOPT_MSS && o[1] == UVS_TCPOLEN_MSS)
			return uvs_get16(o + 2);
		o += o[1];
	}
	return 0;
}

void uvs_tcp_seq_shift(struct uvs_pkt *p, bool ack, uint32_t delta)
{
	uint8_t *tcp = p->frame + p->l4_off;
	uint8_t *field =
		tcp + (ack ? offsetof(struct tcphdr, th_ack) : offsetof(struct tcphdr, th_seq));
	uint8_t old[4];

	memcpy(old, field, sizeof(old));
	uvs_put32(field, uvs_get32(field) + delta);
	uvs_csum_fix(tcp + offsetof(struct tcphdr, th_sum), old, field, sizeof(old));
}
