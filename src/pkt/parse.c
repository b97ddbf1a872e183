// SPDX-License-Identifier: GPL-2.0-or-later
#include "parse.h"

#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip6.h>
#include <netinet/ip_icmp.h>
#include <netinet/tcp.h>
#include <netinet/udp.h>

#include "csum.h"

static const char *const reason_names[] = {
#define X(name, text) text,
	UVS_PKT_REASONS(X)
#undef X
};

const char *uvs_pkt_reason_name(enum uvs_pkt_reason r)
{
	return (unsigned)r < UVS_PKT_REASON_COUNT ? reason_names[r] : "?";
}

static uint16_t get16(const uint8_t *b)
{
	return (uint16_t)(b[0] << 8 | b[1]);
}

/* IPv4 header at p->l3_off. `embedded`: inside an ICMP error, where the packet may be
 * cut short and its checksum is not ours to check. */
static enum uvs_pkt_reason parse_ip4(struct uvs_pkt *p, uint32_t end, bool embedded)
{
	const uint8_t *h = p->frame + p->l3_off;
	uint32_t avail = end - p->l3_off;

	if (avail < 20)
		return UVS_PKT_IP4_TRUNCATED;
	uint32_t ihl = (uint32_t)(h[0] & 0x0f) * 4;
	if ((h[0] >> 4) != 4 || ihl < 20)
		return UVS_PKT_IP4_BAD_HEADER;
	if (avail < ihl)
		return UVS_PKT_IP4_TRUNCATED;
	uint32_t tot = get16(h + 2);
	if (tot < ihl || (!embedded && tot > avail))
		return UVS_PKT_IP4_BAD_LENGTH;
	if (!embedded && uvs_csum_fold(uvs_csum_add(0, h, ihl)) != 0)
		return UVS_PKT_IP4_BAD_CSUM;
	p->af = AF_INET;
	p->protocol = h[9];
	p->ttl = h[8];
	p->l3_len = tot;
	memset(&p->saddr, 0, sizeof(p->saddr));
	memset(&p->daddr, 0, sizeof(p->daddr));
	memcpy(&p->saddr.ip, h + 12, 4);
	memcpy(&p->daddr.ip, h + 16, 4);
	p->l4_off = (uint16_t)(p->l3_off + ihl);
	/* More-fragments set, or a non-zero offset: a fragment. */
	if (get16(h + 6) & 0x3fff)
		return UVS_PKT_FRAGMENT;
	return UVS_PKT_OK;
}

static bool ip6_ext_header(uint8_t nh)
{
	return nh == IPPROTO_HOPOPTS || nh == IPPROTO_ROUTING || nh == IPPROTO_DSTOPTS ||
	       nh == IPPROTO_FRAGMENT || nh == IPPROTO_AH;
}

static enum uvs_pkt_reason parse_ip6(struct uvs_pkt *p, uint32_t end, bool embedded)
{
	const uint8_t *h = p->frame + p->l3_off;
	uint32_t avail = end - p->l3_off;

	if (avail < 40)
		return UVS_PKT_IP6_TRUNCATED;
	if ((h[0] >> 4) != 6)
		return UVS_PKT_IP6_BAD_HEADER;
	uint32_t tot = 40 + (uint32_t)get16(h + 4);
	if (!embedded && tot > avail)
		return UVS_PKT_IP6_BAD_LENGTH;
	p->af = AF_INET6;
	p->ttl = h[7];
	p->l3_len = tot;
	memcpy(&p->saddr, h + 8, 16);
	memcpy(&p->daddr, h + 24, 16);

	/* Walk the extension headers; a bounded number of them. */
	uint8_t nh = h[6];
	uint32_t off = p->l3_off + 40u;
	uint32_t limit = embedded ? end : p->l3_off + tot;
	bool fragment = false;
	for (int n = 0; ip6_ext_header(nh); n++) {
		if (n == 8 || off + 8 > limit)
			return UVS_PKT_IP6_BAD_EXTHDR;
		const uint8_t *e = p->frame + off;
		uint32_t elen;
		if (nh == IPPROTO_FRAGMENT) {
			elen = 8;
			/* Offset or more-fragments: a real fragment, not an atomic one. */
			if (get16(e + 2) & 0xfff9)
				fragment = true;
		} else if (nh == IPPROTO_AH) {
			elen = ((uint32_t)e[1] + 2) * 4;
		} else {
			elen = ((uint32_t)e[1] + 1) * 8;
		}
		if (off + elen > limit)
			return UVS_PKT_IP6_BAD_EXTHDR;
		nh = e[0];
		off += elen;
	}
	p->protocol = nh;
	p->l4_off = (uint16_t)off;
	return fragment ? UVS_PKT_FRAGMENT : UVS_PKT_OK;
}

/* L4 header at p->l4_off, up to end. `embedded`: only the first 8 bytes are promised. */
static enum uvs_pkt_reason parse_l4(struct uvs_pkt *p, uint32_t end, bool embedded)
{
	const uint8_t *l4 = p->frame + p->l4_off;
	uint32_t avail = end > p->l4_off ? end - p->l4_off : 0;

	p->l4_len = p->l3_off + p->l3_len > p->l4_off ? p->l3_off + p->l3_len - p->l4_off : 0;
	p->sport = p->dport = 0;
	p->tcp_flags = 0;
	switch (p->protocol) {
	case IPPROTO_TCP:
		if (embedded) {
			if (avail < 8)
				return UVS_PKT_TCP_TRUNCATED;
		} else {
			if (p->l4_len < 20 || avail < 20)
				return UVS_PKT_TCP_TRUNCATED;
			uint32_t doff = (uint32_t)(l4[12] >> 4) * 4;
			if (doff < 20 || doff > p->l4_len)
				return UVS_PKT_TCP_TRUNCATED;
			p->tcp_flags = l4[13];
		}
		memcpy(&p->sport, l4, 2);
		memcpy(&p->dport, l4 + 2, 2);
		return UVS_PKT_OK;
	case IPPROTO_UDP:
	case IPPROTO_SCTP:
		if (avail < 8 || (!embedded && p->l4_len < 8))
			return UVS_PKT_UDP_TRUNCATED;
		if (p->protocol == IPPROTO_UDP && !embedded) {
			/* Shorter than the IP payload is padding, as Linux trims it. */
			uint32_t ulen = get16(l4 + 4);
			if (ulen < 8 || ulen > p->l4_len)
				return UVS_PKT_UDP_BAD_LENGTH;
			p->l4_len = ulen;
		}
		memcpy(&p->sport, l4, 2);
		memcpy(&p->dport, l4 + 2, 2);
		return UVS_PKT_OK;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		if ((p->protocol == IPPROTO_ICMP) != (p->af == AF_INET))
			return UVS_PKT_L4_UNKNOWN;
		if (avail < 8 || (!embedded && p->l4_len < 8))
			return UVS_PKT_ICMP_TRUNCATED;
		p->icmp_type = l4[0];
		p->icmp_code = l4[1];
		if (!uvs_pkt_is_icmp_error(p))
			memcpy(&p->sport, l4 + 4, 2); /* echo identifier */
		return UVS_PKT_OK;
	default:
		return UVS_PKT_L4_UNKNOWN;
	}
}

enum uvs_pkt_reason uvs_pkt_parse(uint8_t *frame, uint32_t len, struct uvs_pkt *p)
{
	enum uvs_pkt_reason r;

	memset(p, 0, sizeof(*p));
	p->frame = frame;
	p->frame_len = len;
	if (len < UVS_ETH_HLEN)
		return UVS_PKT_ETH_TRUNCATED;
	p->ethertype = get16(frame + 12);
	p->l3_off = UVS_ETH_HLEN;
	if (p->ethertype == 0x8100) {
		if (len < UVS_ETH_HLEN + UVS_VLAN_HLEN)
			return UVS_PKT_ETH_TRUNCATED;
		p->has_vlan = true;
		p->vlan_tci = get16(frame + 14);
		p->ethertype = get16(frame + 16);
		p->l3_off += UVS_VLAN_HLEN;
	}
	if (p->ethertype == 0x0800)
		r = parse_ip4(p, len, false);
	else if (p->ethertype == 0x86dd)
		r = parse_ip6(p, len, false);
	else
		return UVS_PKT_NOT_IP;
	if (r != UVS_PKT_OK)
		return r;
	return parse_l4(p, p->l3_off + p->l3_len, false);
}

bool uvs_pkt_is_icmp_error(const struct uvs_pkt *p)
{
	if (p->protocol == IPPROTO_ICMP)
		return p->icmp_type == ICMP_DEST_UNREACH || p->icmp_type == ICMP_SOURCE_QUENCH ||
		       p->icmp_type == ICMP_TIME_EXCEEDED || p->icmp_type == ICMP_PARAMETERPROB;
	if (p->protocol == IPPROTO_ICMPV6)
		return p->icmp_type < 128;
	return false;
}

enum uvs_pkt_reason uvs_pkt_parse_icmp_inner(const struct uvs_pkt *p, struct uvs_pkt *inner)
{
	uint32_t end = p->l3_off + p->l3_len;
	enum uvs_pkt_reason r;

	memset(inner, 0, sizeof(*inner));
	inner->frame = p->frame;
	inner->frame_len = p->frame_len;
	inner->l3_off = (uint16_t)(p->l4_off + 8);
	if (inner->l3_off >= end)
		return UVS_PKT_ICMP_TRUNCATED;
	r = p->af == AF_INET ? parse_ip4(inner, end, true) : parse_ip6(inner, end, true);
	if (r != UVS_PKT_OK)
		return r;
	return parse_l4(inner, end, true);
}

void uvs_pkt_l4_csum_fill(struct uvs_pkt *p)
{
	uint8_t *l4 = p->frame + p->l4_off;
	uint32_t off = p->protocol == IPPROTO_TCP ? 16 : 6;
	uint16_t sum;

	if ((p->protocol != IPPROTO_TCP && p->protocol != IPPROTO_UDP) || p->l4_len < off + 2)
		return;
	memset(l4 + off, 0, 2);
	sum = uvs_csum_fold(
		uvs_csum_add(uvs_csum_pseudo(p->af, &p->saddr, &p->daddr, p->protocol, p->l4_len),
			     l4, p->l4_len));
	if (sum == 0 && p->protocol == IPPROTO_UDP)
		sum = 0xffff; /* 0 would mean "no checksum" */
	memcpy(l4 + off, &sum, 2);
}

bool uvs_pkt_l4_csum_ok(const struct uvs_pkt *p)
{
	const uint8_t *l4 = p->frame + p->l4_off;
	uint32_t sum = 0;

	if (p->protocol == IPPROTO_UDP && p->af == AF_INET && get16(l4 + 6) == 0)
		return true;
	if (p->protocol != IPPROTO_ICMP)
		sum = uvs_csum_pseudo(p->af, &p->saddr, &p->daddr, p->protocol, p->l4_len);
	return uvs_csum_fold(uvs_csum_add(sum, l4, p->l4_len)) == 0;
}
