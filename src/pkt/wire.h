/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Header fields by name. A frame is a byte buffer whose headers sit at any offset: after
 * the 14-byte Ethernet header an IP header is only 2-byte aligned, and a VLAN tag or an
 * IPv6 extension header moves what follows again. So no header is ever reached through
 * a cast pointer (a misaligned access, and an access to bytes through another type).
 * Instead a field is read or written in place at offsetof(<the system's struct for
 * that header>, <field>) through the loads and stores below, or a short header (16
 * bytes at most) is copied whole between the frame and a local struct. memcpy of a
 * constant size compiles to plain loads and stores; a longer header is not copied
 * because GCC then builds or copies it through the stack (measured: about 10 more
 * instructions a frame for an IPv4 header) instead of touching only the fields used.
 *
 * The names are the BSD ones glibc declares (ip_off, th_flags, uh_sum, icmp6_cksum), the
 * family IP_DF, TH_SYN and the IPv6 structs belong to.
 */
#ifndef UVS_WIRE_H
#define UVS_WIRE_H

#include <arpa/inet.h>
#include <endian.h>
#include <net/ethernet.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip6.h>
#include <netinet/ip_icmp.h>
#include <netinet/tcp.h>
#include <netinet/udp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* A 16-bit network-order field at p, at any alignment, in host order. */
static inline uint16_t uvs_get16(const void *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return ntohs(v);
}

/* A 32-bit network-order field at p, at any alignment, in host order. */
static inline uint32_t uvs_get32(const void *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return ntohl(v);
}

/* Stores host-order v as a 16-bit network-order field at p, at any alignment. */
static inline void uvs_put16(void *p, uint16_t v)
{
	v = htons(v);
	memcpy(p, &v, sizeof(v));
}

/* Stores host-order v as a 32-bit network-order field at p, at any alignment. */
static inline void uvs_put32(void *p, uint32_t v)
{
	v = htonl(v);
	memcpy(p, &v, sizeof(v));
}

/* The version (ip_v) and header length in bytes (ip_hl) of the IPv4 header at ip: two
 * bit-fields of its first byte, which offsetof cannot name. */
static inline uint8_t uvs_ip4_version(const uint8_t *ip)
{
	return ip[0] >> 4;
}

static inline uint32_t uvs_ip4_hlen(const uint8_t *ip)
{
	return (uint32_t)(ip[0] & 0x0f) * 4;
}

/* Sets that first byte: version 4, a header of hlen bytes. */
static inline void uvs_ip4_set_version_hlen(uint8_t *ip, uint32_t hlen)
{
	ip[0] = (uint8_t)(IPVERSION << 4 | hlen / 4);
}

/* The header length in bytes of the TCP header at th: its data offset (th_off), the
 * high 4 bits of the byte before th_flags, a bit-field offsetof cannot name. */
static inline uint32_t uvs_tcp_hlen(const uint8_t *th)
{
	return (uint32_t)(th[offsetof(struct tcphdr, th_flags) - 1] >> 4) * 4;
}

/*
 * An IEEE 802.1Q tag: it follows the Ethernet addresses where the EtherType would be
 * (that EtherType being ETHERTYPE_VLAN) and carries the tag control (priority, VLAN id)
 * and the EtherType of what follows. No userspace header declares it.
 */
struct uvs_vlan_tag {
	uint16_t tci;
	uint16_t ethertype;
};

/* The EtherType of an 802.1ad service tag (QinQ's outer tag); 802.1Q's is
 * ETHERTYPE_VLAN. */
#define UVS_ETHERTYPE_QINQ 0x88a8
/* Tags uvs walks before the L3 header: a service tag and a customer tag. */
#define UVS_VLAN_TAGS_MAX 2

static inline bool uvs_ethertype_is_vlan(uint16_t ethertype)
{
	return ethertype == ETHERTYPE_VLAN || ethertype == UVS_ETHERTYPE_QINQ;
}

/* The EtherType that names the L3 header is the last field before it, with or without
 * VLAN tags. */
_Static_assert(offsetof(struct ether_header, ether_type) + 2 == sizeof(struct ether_header),
	       "EtherType ends the Ethernet header");
_Static_assert(offsetof(struct uvs_vlan_tag, ethertype) + 2 == sizeof(struct uvs_vlan_tag),
	       "EtherType ends the VLAN tag");

/* The EtherType field of the frame whose L3 header starts at l3_off. */
static inline uint8_t *uvs_l3_ethertype(uint8_t *frame, uint32_t l3_off)
{
	return frame + l3_off - sizeof(uint16_t);
}

/* The first 32-bit word of an IPv6 header (ip6_flow): version, traffic class, flow
 * label (RFC 8200 3). */
#define UVS_IP6_VERSION	       6
#define UVS_IP6_VERSION_SHIFT  28
#define UVS_IP6_TCLASS_SHIFT   20
#define UVS_IP6_FLOWLABEL_MASK 0x000fffffu

/* SCTP's common header (RFC 9260 3.1): ports, verification tag, then the CRC32c
 * checksum, which goes on the wire least significant byte first; then the chunks, each
 * with a 4-byte header (type, flags, length). No userspace header declares them. */
#define UVS_SCTP_HLEN	    12
#define UVS_SCTP_CSUM_OFF   8
#define UVS_SCTP_CHUNK_HLEN 4

/* TCP, UDP and SCTP headers all begin with the source and destination ports. */
struct uvs_l4_ports {
	uint16_t sport;
	uint16_t dport;
};

_Static_assert(offsetof(struct tcphdr, th_sport) == offsetof(struct uvs_l4_ports, sport) &&
		       offsetof(struct tcphdr, th_dport) == offsetof(struct uvs_l4_ports, dport) &&
		       offsetof(struct udphdr, uh_sport) == offsetof(struct uvs_l4_ports, sport) &&
		       offsetof(struct udphdr, uh_dport) == offsetof(struct uvs_l4_ports, dport),
	       "TCP and UDP begin with the ports");

/*
 * ICMP and ICMPv6 messages begin alike: type, code, checksum, then a 32-bit word whose
 * meaning depends on the type (echo identifier and sequence, an MTU, a pointer). struct
 * icmp6_hdr is exactly those 8 bytes (struct icmp is longer: it includes what follows),
 * so it serves both families.
 */
_Static_assert(sizeof(struct icmp6_hdr) == ICMP_MINLEN &&
		       offsetof(struct icmp, icmp_type) == offsetof(struct icmp6_hdr, icmp6_type) &&
		       offsetof(struct icmp, icmp_code) == offsetof(struct icmp6_hdr, icmp6_code) &&
		       offsetof(struct icmp, icmp_cksum) ==
			       offsetof(struct icmp6_hdr, icmp6_cksum) &&
		       offsetof(struct icmp, icmp_id) == offsetof(struct icmp6_hdr, icmp6_id) &&
		       offsetof(struct icmp, icmp_void) == offsetof(struct icmp6_hdr, icmp6_data32),
	       "ICMP and ICMPv6 share their first 8 bytes");

/* Where the checksum field of an L4 header of protocol lies: TCP, UDP, ICMP, ICMPv6;
 * -1 for others. */
static inline int uvs_l4_csum_off(uint8_t protocol)
{
	switch (protocol) {
	case IPPROTO_TCP:
		return offsetof(struct tcphdr, th_sum);
	case IPPROTO_UDP:
		return offsetof(struct udphdr, uh_sum);
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		return offsetof(struct icmp6_hdr, icmp6_cksum);
	default:
		return -1;
	}
}

#endif
