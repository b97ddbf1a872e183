// SPDX-License-Identifier: GPL-2.0-or-later
#include "frames.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

uint16_t ref_csum(const uint8_t *b, size_t len, uint32_t initial)
{
	uint32_t sum = initial;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(b[i] << 8 | b[i + 1]);
	if (len & 1)
		sum += (uint32_t)b[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

uint32_t ref_crc32c(const uint8_t *b, size_t len)
{
	uint32_t r = 0xffffffffu;

	/* Bit by bit from the reflected polynomial: slow, and nothing like uvs's tables. */
	for (size_t i = 0; i < len; i++) {
		r ^= b[i];
		for (int bit = 0; bit < 8; bit++)
			r = r & 1 ? (r >> 1) ^ 0x82F63B78u : r >> 1;
	}
	return ~r;
}

void ref_sctp_csum_set(uint8_t *sctp, size_t len)
{
	uint32_t c;

	memset(sctp + 8, 0, 4);
	c = ref_crc32c(sctp, len);
	/* Least significant byte first (RFC 9260 appendix A). */
	for (int i = 0; i < 4; i++)
		sctp[8 + i] = (uint8_t)(c >> (8 * i));
}

static void put16(uint8_t *b, uint16_t v)
{
	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
}

size_t frame_l3_off(const struct frame_spec *s)
{
	return 14 + (s->vlan > 0 ? 4 : 0);
}

/* Sum of the pseudo header, in host-order words. */
uint32_t ref_pseudo_sum(int af, const uint8_t *src, const uint8_t *dst, uint8_t proto, uint32_t len)
{
	size_t alen = af == AF_INET6 ? 16 : 4;
	uint32_t sum = 0;

	for (size_t i = 0; i < alen; i += 2) {
		sum += (uint32_t)(src[i] << 8 | src[i + 1]);
		sum += (uint32_t)(dst[i] << 8 | dst[i + 1]);
	}
	return sum + proto + (len >> 16) + (len & 0xffff);
}

size_t frame_build(uint8_t *buf, const struct frame_spec *s)
{
	uint8_t src[16] = { 0 }, dst[16] = { 0 };
	size_t off = 0, l3, l4, l4_len, hdr_len;
	uint8_t nh = s->protocol;

	inet_pton(s->af, s->src, src);
	inet_pton(s->af, s->dst, dst);
	memset(buf, 0, 2048);
	/* Ethernet: dst 02:00:00:00:00:02, src 02:00:00:00:00:01. */
	buf[0] = 2, buf[5] = 2, buf[6] = 2, buf[11] = 1;
	off = 12;
	if (s->vlan > 0) {
		put16(buf + off, 0x8100);
		put16(buf + off + 2, (uint16_t)s->vlan);
		off += 4;
	}
	put16(buf + off, s->af == AF_INET6 ? 0x86dd : 0x0800);
	l3 = off + 2;

	switch (s->protocol) {
	case IPPROTO_TCP:
		hdr_len = 20;
		break;
	case IPPROTO_UDP:
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		hdr_len = 8;
		break;
	case IPPROTO_SCTP:
		hdr_len = 12; /* the chunks are the payload */
		break;
	default:
		hdr_len = 0;
	}
	l4_len = hdr_len + s->payload_len;

	if (s->af == AF_INET) {
		size_t ihl = 20 + 4 * (size_t)s->ip4_option_words;
		uint8_t *h = buf + l3;
		h[0] = (uint8_t)(0x40 | ihl / 4);
		h[1] = s->tos;
		put16(h + 2, (uint16_t)(ihl + l4_len));
		put16(h + 4, 0x1234);
		put16(h + 6, s->no_df ? 0 : 0x4000); /* DF */
		h[8] = s->ttl ? s->ttl : 64;
		h[9] = s->protocol;
		memcpy(h + 12, src, 4);
		memcpy(h + 16, dst, 4);
		memset(h + 20, 1, ihl - 20); /* NOP options */
		put16(h + 10, ref_csum(h, ihl, 0));
		l4 = l3 + ihl;
	} else {
		uint8_t *h = buf + l3;
		size_t ext = 8 * (size_t)s->ip6_ext_headers;
		h[0] = (uint8_t)(0x60 | s->tos >> 4);
		h[1] = (uint8_t)(s->tos << 4);
		put16(h + 4, (uint16_t)(ext + l4_len));
		h[6] = s->ip6_ext_headers ? IPPROTO_HOPOPTS : s->protocol;
		h[7] = s->ttl ? s->ttl : 64;
		memcpy(h + 8, src, 16);
		memcpy(h + 24, dst, 16);
		for (int i = 0; i < s->ip6_ext_headers; i++) {
			uint8_t *e = h + 40 + 8 * i;
			e[0] = i + 1 < s->ip6_ext_headers ? IPPROTO_DSTOPTS : s->protocol;
			e[1] = 0;
			e[2] = 1; /* PadN with 4 bytes of padding */
			e[3] = 4;
		}
		l4 = l3 + 40 + ext;
	}
	(void)nh;

	uint8_t *t = buf + l4;
	if (s->payload_len)
		memcpy(t + hdr_len, s->payload, s->payload_len);
	if (s->protocol == IPPROTO_TCP) {
		put16(t, s->sport);
		put16(t + 2, s->dport);
		uint32_t seq = s->tcp_seq ? s->tcp_seq : 0x10000000u;
		put16(t + 4, (uint16_t)(seq >> 16));
		put16(t + 6, (uint16_t)seq);
		put16(t + 8, (uint16_t)(s->tcp_ack >> 16));
		put16(t + 10, (uint16_t)s->tcp_ack);
		t[12] = 5 << 4;
		t[13] = s->tcp_flags;
		put16(t + 14, 65535);
		put16(t + 16,
		      ref_csum(t, l4_len,
			       ref_pseudo_sum(s->af, src, dst, s->protocol, (uint32_t)l4_len)));
	} else if (s->protocol == IPPROTO_UDP) {
		put16(t, s->sport);
		put16(t + 2, s->dport);
		put16(t + 4, (uint16_t)l4_len);
		uint16_t c = ref_csum(
			t, l4_len, ref_pseudo_sum(s->af, src, dst, s->protocol, (uint32_t)l4_len));
		put16(t + 6, c ? c : 0xffff);
	} else if (s->protocol == IPPROTO_SCTP) {
		put16(t, s->sport);
		put16(t + 2, s->dport);
		put16(t + 4, 0x5a5a); /* verification tag */
		put16(t + 6, 0x0102);
		ref_sctp_csum_set(t, l4_len);
	} else if (s->protocol == IPPROTO_ICMP || s->protocol == IPPROTO_ICMPV6) {
		t[0] = s->icmp_type;
		t[1] = s->icmp_code;
		put16(t + 4, s->sport); /* echo identifier */
		uint32_t init =
			s->protocol == IPPROTO_ICMPV6
				? ref_pseudo_sum(s->af, src, dst, s->protocol, (uint32_t)l4_len)
				: 0;
		put16(t + 2, ref_csum(t, l4_len, init));
	}
	return l4 + l4_len;
}

struct frame_spec frame_tcp(const char *src, uint16_t sport, const char *dst, uint16_t dport,
			    uint8_t flags)
{
	return (struct frame_spec){
		.af = strchr(src, ':') ? AF_INET6 : AF_INET,
		.src = src,
		.dst = dst,
		.protocol = IPPROTO_TCP,
		.sport = sport,
		.dport = dport,
		.tcp_flags = flags,
	};
}

struct frame_spec frame_udp(const char *src, uint16_t sport, const char *dst, uint16_t dport)
{
	struct frame_spec s = frame_tcp(src, sport, dst, dport, 0);

	s.protocol = IPPROTO_UDP;
	return s;
}
