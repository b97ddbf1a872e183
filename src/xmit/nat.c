// SPDX-License-Identifier: GPL-2.0-or-later
/* NAT (masquerading): the destination of inbound packets becomes the real server, the
 * source of its replies becomes the virtual service. */
#include "xmit-internal.h"
#include "xmit.h"

/* Offset of the checksum in the L4 header if it covers the addresses, else -1; and
 * whether the header has ports to rewrite. */
static int l4_csum_off(uint8_t protocol, bool *ports)
{
	*ports = protocol == IPPROTO_TCP || protocol == IPPROTO_UDP || protocol == IPPROTO_SCTP;
	/* ICMP has no pseudo header: nothing covers the addresses. (ICMPv6's does.) SCTP's
	 * CRC32c covers no address and cannot be updated: it is computed afresh. */
	if (protocol == IPPROTO_ICMP)
		return -1;
	return uvs_l4_csum_off(protocol);
}

/* uvs_nat_rewrite() for addresses of alen bytes: inlined with a constant, so that each
 * family's copies and checksum differences are straight-line code. */
static inline __attribute__((always_inline)) void rewrite(struct uvs_pkt *p, bool src,
							  const union uvs_addr *a, uint16_t port,
							  uint32_t end, size_t alen)
{
	uint8_t *ip = p->frame + p->l3_off, *l4 = p->frame + p->l4_off;
	union uvs_addr *pa = src ? &p->saddr : &p->daddr;
	uint16_t *pport = src ? &p->sport : &p->dport;
	uint8_t *field, *pfield;
	bool ports;
	int coff;

	if (p->af == AF_INET6)
		field = ip + (src ? offsetof(struct ip6_hdr, ip6_src)
				  : offsetof(struct ip6_hdr, ip6_dst));
	else
		field = ip + (src ? offsetof(struct ip, ip_src) : offsetof(struct ip, ip_dst));
	pfield = l4 + (src ? offsetof(struct uvs_l4_ports, sport)
			   : offsetof(struct uvs_l4_ports, dport));

	coff = l4_csum_off(p->protocol, &ports);
	/* One RFC 1624 difference for the address, plus the port's for L4: each checksum
	 * folded once. */
	uint64_t addr_diff = uvs_csum_diff(field, a, alen);
	if (coff >= 0 && p->l4_off + (uint32_t)coff + sizeof(uint16_t) <= end) {
		uint8_t *c = l4 + coff;
		bool udp = p->protocol == IPPROTO_UDP;

		/* UDP over IPv4 may carry no checksum at all: 0 stays 0. */
		if (!(udp && p->af == AF_INET && uvs_get16(c) == 0)) {
			uint64_t diff = addr_diff;
			uint16_t old_port;

			if (ports) {
				memcpy(&old_port, pfield, sizeof(old_port));
				diff += uvs_csum_diff16(old_port, port);
			}
			uvs_csum_apply(c, diff);
			/* For UDP, 0 means none: send the other zero. */
			if (udp && uvs_get16(c) == 0)
				uvs_put16(c, 0xffff);
		}
	}
	if (p->af == AF_INET)
		uvs_csum_apply(ip + offsetof(struct ip, ip_sum), addr_diff);
	memcpy(field, a, alen);
	memset(pa, 0, sizeof(*pa));
	memcpy(pa, field, alen);
	if (ports) {
		memcpy(pfield, &port, sizeof(port));
		*pport = port;
	}
	/* An SCTP packet quoted whole in an ICMP error gets its CRC too; a cut one keeps
	 * the CRC it was quoted with. */
	if (p->protocol == IPPROTO_SCTP && p->l4_len >= UVS_SCTP_HLEN &&
	    p->l4_off + p->l4_len <= end) {
		uint32_t crc = uvs_pkt_sctp_csum(p);
		memcpy(l4 + UVS_SCTP_CSUM_OFF, &crc, sizeof(crc));
	}
}

/* uvs_nat_rewrite() inlined, so that a caller with a constant src gets one direction's
 * straight-line code. */
static inline __attribute__((always_inline)) void
rewrite_af(struct uvs_pkt *p, bool src, const union uvs_addr *a, uint16_t port, uint32_t end)
{
	if (p->af == AF_INET6)
		rewrite(p, src, a, port, end, 16);
	else
		rewrite(p, src, a, port, end, 4);
}

void uvs_nat_rewrite(struct uvs_pkt *p, bool src, const union uvs_addr *a, uint16_t port,
		     uint32_t end)
{
	rewrite_af(p, src, a, port, end);
}

/* A whole packet's rewrite. A UDP/IPv4 datagram sent without a checksum (0) gets a
 * full one, as the kernel's UDP NAT handlers compute one when the field is 0. Inlined
 * into each direction's caller with src constant. */
static inline __attribute__((always_inline)) void nat(struct uvs_pkt *p, bool src,
						      const union uvs_addr *a, uint16_t port)
{
	uint8_t *l4 = p->frame + p->l4_off;
	uint8_t *csum = l4 + offsetof(struct udphdr, uh_sum);
	bool none = p->protocol == IPPROTO_UDP && p->af == AF_INET && uvs_get16(csum) == 0;

	rewrite_af(p, src, a, port, p->l3_off + p->l3_len);
	if (none) {
		uint32_t sum =
			uvs_csum_pseudo(AF_INET, &p->saddr, &p->daddr, IPPROTO_UDP, p->l4_len);
		uint16_t c = uvs_csum_fold(uvs_csum_add(sum, l4, p->l4_len));

		uvs_csum_store(csum, c ? c : 0xffff);
	}
}

void uvs_nat_in(struct uvs_pkt *p, const union uvs_addr *daddr, uint16_t dport)
{
	nat(p, false, daddr, dport);
}

void uvs_nat_out(struct uvs_pkt *p, const union uvs_addr *saddr, uint16_t sport)
{
	nat(p, true, saddr, sport);
}
