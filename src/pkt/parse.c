// SPDX-License-Identifier: GPL-2.0-or-later
#include "parse.h"

#include "crc32c.h"
#include "csum.h"
#include "wire.h"

static const char *const reason_names[] = {
#define X(name, text) text,
	UVS_PKT_REASONS(X)
#undef X
};

const char *uvs_pkt_reason_name(enum uvs_pkt_reason r)
{
	return (unsigned)r < UVS_PKT_REASON_COUNT ? reason_names[r] : "?";
}

/* IPv4 header at p->l3_off. `embedded`: inside an ICMP error, where the packet may be
 * cut short and its checksum is not ours to check. */
/* Whether the IPv4 header of ihl bytes at h sums to zero: without options (20 bytes,
 * nearly every packet), five 32-bit words added in line. */
static inline bool ip4_header_csum_ok(const uint8_t *h, uint32_t ihl)
{
	if (ihl != sizeof(struct ip))
		return uvs_csum_fold(uvs_csum_add(0, h, ihl)) == 0;
	uint64_t acc = 0;
	for (uint32_t i = 0; i < sizeof(struct ip); i += 4)
		acc += uvs_csum_word(h + i);
	return uvs_csum_fold(uvs_csum_fold64(acc)) == 0;
}

/* parse_ip4(), parse_ip6() and parse_l4() are inlined into uvs_pkt_parse() and into
 * the ICMP error's parse, so that each has its own copy with `embedded` a constant. */
static inline __attribute__((always_inline)) enum uvs_pkt_reason
parse_ip4(struct uvs_pkt *p, uint32_t end, bool embedded)
{
	const uint8_t *h = p->frame + p->l3_off;
	uint32_t avail = end - p->l3_off;

	if (avail < sizeof(struct ip))
		return UVS_PKT_IP4_TRUNCATED;
	uint32_t ihl = uvs_ip4_hlen(h);
	if (uvs_ip4_version(h) != IPVERSION || ihl < sizeof(struct ip))
		return UVS_PKT_IP4_BAD_HEADER;
	if (avail < ihl)
		return UVS_PKT_IP4_TRUNCATED;
	uint32_t tot = uvs_get16(h + offsetof(struct ip, ip_len));
	if (tot < ihl || (!embedded && tot > avail))
		return UVS_PKT_IP4_BAD_LENGTH;
	if (!embedded && !ip4_header_csum_ok(h, ihl))
		return UVS_PKT_IP4_BAD_CSUM;
	p->af = AF_INET;
	p->protocol = h[offsetof(struct ip, ip_p)];
	p->ttl = h[offsetof(struct ip, ip_ttl)];
	p->l3_len = tot;
	memset(&p->saddr, 0, sizeof(p->saddr));
	memset(&p->daddr, 0, sizeof(p->daddr));
	memcpy(&p->saddr.ip, h + offsetof(struct ip, ip_src), sizeof(struct in_addr));
	memcpy(&p->daddr.ip, h + offsetof(struct ip, ip_dst), sizeof(struct in_addr));
	p->l4_off = (uint16_t)(p->l3_off + ihl);
	/* More-fragments set, or a non-zero offset: a fragment. */
	uint16_t off = uvs_get16(h + offsetof(struct ip, ip_off));
	if (off & (IP_MF | IP_OFFMASK)) {
		p->frag_off = (uint16_t)((off & IP_OFFMASK) * 8);
		p->frag_more = off & IP_MF;
		p->frag_id = uvs_get16(h + offsetof(struct ip, ip_id));
		return UVS_PKT_FRAGMENT;
	}
	return UVS_PKT_OK;
}

static bool ip6_ext_header(uint8_t nh)
{
	return nh == IPPROTO_HOPOPTS || nh == IPPROTO_ROUTING || nh == IPPROTO_DSTOPTS ||
	       nh == IPPROTO_FRAGMENT || nh == IPPROTO_AH;
}

static inline __attribute__((always_inline)) enum uvs_pkt_reason
parse_ip6(struct uvs_pkt *p, uint32_t end, bool embedded)
{
	const uint8_t *h = p->frame + p->l3_off;
	uint32_t avail = end - p->l3_off;

	if (avail < sizeof(struct ip6_hdr))
		return UVS_PKT_IP6_TRUNCATED;
	if (h[offsetof(struct ip6_hdr, ip6_vfc)] >> 4 != UVS_IP6_VERSION)
		return UVS_PKT_IP6_BAD_HEADER;
	uint32_t tot = sizeof(struct ip6_hdr) +
		       (uint32_t)uvs_get16(h + offsetof(struct ip6_hdr, ip6_plen));
	if (!embedded && tot > avail)
		return UVS_PKT_IP6_BAD_LENGTH;
	p->af = AF_INET6;
	p->ttl = h[offsetof(struct ip6_hdr, ip6_hlim)];
	p->l3_len = tot;
	memcpy(&p->saddr, h + offsetof(struct ip6_hdr, ip6_src), sizeof(struct in6_addr));
	memcpy(&p->daddr, h + offsetof(struct ip6_hdr, ip6_dst), sizeof(struct in6_addr));

	/* Walk the extension headers as the kernel's ipv6_find_hdr() does (hop-by-hop,
	 * routing, fragment, authentication, destination options; no other, and an
	 * ESP or "no next header" ends the walk), at most 8 of them (more: dropped as
	 * ip6_bad_exthdr, where the kernel's walk has no bound but the packet's end). */
	uint8_t nh = h[offsetof(struct ip6_hdr, ip6_nxt)];
	uint32_t off = p->l3_off + (uint32_t)sizeof(struct ip6_hdr);
	uint32_t limit = embedded ? end : p->l3_off + tot;
	bool fragment = false;
	for (int n = 0; ip6_ext_header(nh); n++) {
		union {
			struct ip6_ext ext;   /* next header, length: every one has them */
			struct ip6_frag frag; /* 8 bytes, the least any of them has */
		} e;
		uint32_t elen;

		if (n == 8 || off + sizeof(e) > limit)
			return UVS_PKT_IP6_BAD_EXTHDR;
		memcpy(&e, p->frame + off, sizeof(e));
		if (nh == IPPROTO_FRAGMENT) {
			elen = sizeof(e.frag);
			/* Offset or more-fragments: a real fragment, not an atomic one. The
			 * masks are in network order, as the field. */
			/* The first fragment header is the datagram's: one inside its
			 * data is the reassembled datagram's business. */
			if (!fragment && e.frag.ip6f_offlg & (IP6F_OFF_MASK | IP6F_MORE_FRAG)) {
				fragment = true;
				p->frag_off = ntohs(e.frag.ip6f_offlg & IP6F_OFF_MASK);
				p->frag_more = e.frag.ip6f_offlg & IP6F_MORE_FRAG;
				p->frag_id = ntohl(e.frag.ip6f_ident);
				p->frag_hdr = (uint16_t)off;
			}
			/* After the first fragment comes data, not headers: the walk ends
			 * here with the header that follows, as ipv6_find_hdr() ends. */
			if (e.frag.ip6f_offlg & IP6F_OFF_MASK) {
				nh = e.frag.ip6f_nxt;
				off += elen;
				break;
			}
		} else if (nh == IPPROTO_AH) {
			elen = ((uint32_t)e.ext.ip6e_len + 2) * 4; /* 4-byte units less 2 */
		} else {
			elen = ((uint32_t)e.ext.ip6e_len + 1) * 8; /* 8-byte units less 1 */
		}
		if (off + elen > limit)
			return UVS_PKT_IP6_BAD_EXTHDR;
		nh = e.ext.ip6e_nxt;
		off += elen;
	}
	p->protocol = nh;
	p->l4_off = (uint16_t)off;
	return fragment ? UVS_PKT_FRAGMENT : UVS_PKT_OK;
}

/* An ICMP error quotes at least the first 8 bytes of the offending packet's L4 header
 * (RFC 792): the ports and, for TCP, the sequence number. */
#define QUOTED_L4_MIN 8

/* The ports of TCP, UDP or SCTP at l4, in network order. */
static void load_ports(struct uvs_pkt *p, const uint8_t *l4)
{
	struct uvs_l4_ports ports;

	memcpy(&ports, l4, sizeof(ports));
	p->sport = ports.sport;
	p->dport = ports.dport;
}

/* L4 header at p->l4_off, up to end. `embedded`: only the first 8 bytes are promised. */
static inline __attribute__((always_inline)) enum uvs_pkt_reason
parse_l4(struct uvs_pkt *p, uint32_t end, bool embedded)
{
	const uint8_t *l4 = p->frame + p->l4_off;
	uint32_t avail = end > p->l4_off ? end - p->l4_off : 0;

	p->l4_len = p->l3_off + p->l3_len > p->l4_off ? p->l3_off + p->l3_len - p->l4_off : 0;
	p->sport = p->dport = 0;
	p->tcp_flags = 0;
	switch (p->protocol) {
	case IPPROTO_TCP:
		if (embedded) {
			if (avail < QUOTED_L4_MIN)
				return UVS_PKT_TCP_TRUNCATED;
		} else {
			if (p->l4_len < sizeof(struct tcphdr) || avail < sizeof(struct tcphdr))
				return UVS_PKT_TCP_TRUNCATED;
			uint32_t doff = uvs_tcp_hlen(l4);
			if (doff < sizeof(struct tcphdr) || doff > p->l4_len)
				return UVS_PKT_TCP_TRUNCATED;
			p->tcp_flags = l4[offsetof(struct tcphdr, th_flags)];
		}
		load_ports(p, l4);
		return UVS_PKT_OK;
	case IPPROTO_UDP: {
		struct udphdr uh;

		if (avail < sizeof(uh) || (!embedded && p->l4_len < sizeof(uh)))
			return UVS_PKT_UDP_TRUNCATED;
		if (!embedded) {
			memcpy(&uh, l4, sizeof(uh));
			/* Shorter than the IP payload is padding, as Linux trims it. */
			uint32_t ulen = ntohs(uh.uh_ulen);
			if (ulen < sizeof(uh) || ulen > p->l4_len)
				return UVS_PKT_UDP_BAD_LENGTH;
			p->l4_len = ulen;
		}
		load_ports(p, l4);
		return UVS_PKT_OK;
	}
	case IPPROTO_SCTP: {
		/* The common header and at least one chunk's header (RFC 9260 3): the
		 * first chunk is the state's event. A quote holds the ports and tag. */
		uint32_t need = embedded ? QUOTED_L4_MIN : UVS_SCTP_HLEN + UVS_SCTP_CHUNK_HLEN;

		if (avail < need || (!embedded && p->l4_len < need))
			return UVS_PKT_SCTP_TRUNCATED;
		load_ports(p, l4);
		return UVS_PKT_OK;
	}
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6: {
		struct icmp6_hdr icmp; /* ICMP's first 8 bytes too (wire.h) */

		if ((p->protocol == IPPROTO_ICMP) != (p->af == AF_INET))
			return UVS_PKT_L4_UNKNOWN;
		if (avail < sizeof(icmp) || (!embedded && p->l4_len < sizeof(icmp)))
			return UVS_PKT_ICMP_TRUNCATED;
		memcpy(&icmp, l4, sizeof(icmp));
		p->icmp_type = icmp.icmp6_type;
		p->icmp_code = icmp.icmp6_code;
		if (!uvs_pkt_is_icmp_error(p))
			p->sport = icmp.icmp6_id; /* echo identifier */
		return UVS_PKT_OK;
	}
	default:
		return UVS_PKT_L4_UNKNOWN;
	}
}

/*
 * Up to two VLAN tags before the L3 header: 802.1Q, or an 802.1ad (QinQ) service tag
 * and the 802.1Q tag inside it. They stay in the frame and go out with it. Returns
 * false if a tag is cut short. Kept out of line: untagged frames are the common case.
 */
static __attribute__((noinline)) bool skip_vlan_tags(struct uvs_pkt *p)
{
	for (int n = 0; n < UVS_VLAN_TAGS_MAX && uvs_ethertype_is_vlan(p->ethertype); n++) {
		struct uvs_vlan_tag tag;

		if (p->frame_len < p->l3_off + sizeof(tag))
			return false;
		memcpy(&tag, p->frame + p->l3_off, sizeof(tag));
		if (!p->has_vlan)
			p->vlan_tci = ntohs(tag.tci);
		p->has_vlan = true;
		p->ethertype = ntohs(tag.ethertype);
		p->l3_off += sizeof(tag);
	}
	return true;
}

enum uvs_pkt_reason uvs_pkt_parse(uint8_t *frame, uint32_t len, struct uvs_pkt *p)
{
	struct ether_header eth;
	enum uvs_pkt_reason r;

	memset(p, 0, sizeof(*p));
	p->frame = frame;
	p->frame_len = len;
	if (len < sizeof(eth))
		return UVS_PKT_ETH_TRUNCATED;
	memcpy(&eth, frame, sizeof(eth));
	p->ethertype = ntohs(eth.ether_type);
	p->l3_off = sizeof(eth);
	if (uvs_ethertype_is_vlan(p->ethertype) && !skip_vlan_tags(p))
		return UVS_PKT_ETH_TRUNCATED;
	if (p->ethertype == ETHERTYPE_IP)
		r = parse_ip4(p, len, false);
	else if (p->ethertype == ETHERTYPE_IPV6)
		r = parse_ip6(p, len, false);
	else
		return UVS_PKT_NOT_IP;
	if (r == UVS_PKT_FRAGMENT && !p->frag_off && uvs_pkt_has_ports(p) &&
	    p->l4_off + sizeof(struct uvs_l4_ports) <= p->l3_off + p->l3_len)
		load_ports(p, frame + p->l4_off); /* for the marks of the datagram */
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
	inner->l3_off = (uint16_t)(p->l4_off + sizeof(struct icmp6_hdr));
	if (inner->l3_off >= end)
		return UVS_PKT_ICMP_TRUNCATED;
	r = p->af == AF_INET ? parse_ip4(inner, end, true) : parse_ip6(inner, end, true);
	if (r != UVS_PKT_OK)
		return r;
	return parse_l4(inner, end, true);
}

uint32_t uvs_pkt_sctp_csum(const struct uvs_pkt *p)
{
	const uint8_t *l4 = p->frame + p->l4_off;
	static const uint8_t zero[4];
	uint32_t crc;

	crc = uvs_crc32c(0, l4, UVS_SCTP_CSUM_OFF);
	crc = uvs_crc32c(crc, zero, sizeof(zero));
	crc = uvs_crc32c(crc, l4 + UVS_SCTP_HLEN, p->l4_len - UVS_SCTP_HLEN);
	return htole32(crc); /* the CRC goes on the wire least significant byte first */
}

bool uvs_pkt_l4_csum_fill(struct uvs_pkt *p)
{
	uint8_t *l4 = p->frame + p->l4_off;
	int off = uvs_l4_csum_off(p->protocol);
	uint16_t sum;

	if (p->protocol == IPPROTO_SCTP) {
		uint32_t crc = uvs_pkt_sctp_csum(p);
		memcpy(l4 + UVS_SCTP_CSUM_OFF, &crc, sizeof(crc));
		return true;
	}
	if ((p->protocol != IPPROTO_TCP && p->protocol != IPPROTO_UDP) ||
	    p->l4_len < (uint32_t)off + sizeof(sum))
		return false;
	memset(l4 + off, 0, sizeof(sum));
	sum = uvs_csum_fold(
		uvs_csum_add(uvs_csum_pseudo(p->af, &p->saddr, &p->daddr, p->protocol, p->l4_len),
			     l4, p->l4_len));
	if (sum == 0 && p->protocol == IPPROTO_UDP)
		sum = 0xffff; /* 0 would mean "no checksum" */
	memcpy(l4 + off, &sum, sizeof(sum));
	return true;
}

bool uvs_pkt_l4_csum_ok(const struct uvs_pkt *p)
{
	const uint8_t *l4 = p->frame + p->l4_off;
	uint32_t sum = 0;

	if (p->protocol == IPPROTO_UDP && p->af == AF_INET &&
	    uvs_get16(l4 + offsetof(struct udphdr, uh_sum)) == 0)
		return true;
	if (p->protocol == IPPROTO_SCTP) {
		uint32_t field;
		memcpy(&field, l4 + UVS_SCTP_CSUM_OFF, sizeof(field));
		return field == uvs_pkt_sctp_csum(p);
	}
	if (p->protocol != IPPROTO_ICMP)
		sum = uvs_csum_pseudo(p->af, &p->saddr, &p->daddr, p->protocol, p->l4_len);
	return uvs_csum_fold(uvs_csum_add(sum, l4, p->l4_len)) == 0;
}

bool uvs_pkt_df(const struct uvs_pkt *p)
{
	const uint8_t *ip = p->frame + p->l3_off;

	return p->af == AF_INET6 || (uvs_get16(ip + offsetof(struct ip, ip_off)) & IP_DF);
}
