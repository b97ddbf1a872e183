/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One address type for IPv4 and IPv6, so that every path that handles an address is
 * written once. Addresses are in network byte order; an IPv4 address uses the first
 * word and leaves the other three zero, so that comparing all 16 bytes is correct for
 * both families.
 */
#ifndef UVS_PKT_ADDR_H
#define UVS_PKT_ADDR_H

#include <arpa/inet.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

union uvs_addr {
	uint32_t ip;
	uint32_t ip6w[4];
	uint8_t ip6[16];
};

/* Longest text uvs_addr_format writes, including the NUL. */
#define UVS_ADDR_STRLEN INET6_ADDRSTRLEN

static inline bool uvs_addr_eq(const union uvs_addr *a, const union uvs_addr *b)
{
	return memcmp(a, b, sizeof(*a)) == 0;
}

static inline bool uvs_addr_is_zero(const union uvs_addr *a)
{
	return (a->ip6w[0] | a->ip6w[1] | a->ip6w[2] | a->ip6w[3]) == 0;
}

/* The 32-bit host-order value IPVS's hashing schedulers use: the IPv4 address, or the
 * XOR of an IPv6 address's four words. */
static inline uint32_t uvs_addr_fold(int af, const union uvs_addr *a)
{
	if (af == AF_INET6)
		return ntohl(a->ip6w[0] ^ a->ip6w[1] ^ a->ip6w[2] ^ a->ip6w[3]);
	return ntohl(a->ip);
}

/* Parses a numeric address of family af. Returns 0, or -1 if text is not one. */
int uvs_addr_parse(int af, const char *text, union uvs_addr *out);

/* Writes the numeric form into buf (at least UVS_ADDR_STRLEN bytes); returns buf. */
const char *uvs_addr_format(int af, const union uvs_addr *a, char *buf, size_t len);

/* Applies an IPv4 netmask (network order) or an IPv6 prefix length to a. */
void uvs_addr_mask(int af, union uvs_addr *a, uint32_t mask_or_prefix);

/* Compares two addresses of family af in numeric order: <0, 0 or >0. */
int uvs_addr_cmp(int af, const union uvs_addr *a, const union uvs_addr *b);

/* True for a unicast address: not unspecified, not multicast, not the IPv4 limited
 * broadcast. */
bool uvs_addr_is_unicast(int af, const union uvs_addr *a);

/*
 * True for an address the kernel takes as a new real server (ip_vs_new_dest): for
 * IPv4 not in 0.0.0.0/8, not multicast, not 255.255.255.255; for IPv6 not unspecified,
 * multicast, link-local (fe80::/10) or IPv4-mapped (::ffff:0:0/96). The kernel's
 * checks that need the host's routes and addresses are not made (docs/decisions.md).
 */
bool uvs_addr_can_be_real_server(int af, const union uvs_addr *a);

/* "a.b.c.d:port" or "[v6]:port" (port in network order) into buf; returns buf. */
const char *uvs_addrport(int af, const union uvs_addr *addr, uint16_t port, char *buf, size_t len);
/* Longest text uvs_addrport() writes, with the NUL. */
#define UVS_ADDRPORT_LEN (UVS_ADDR_STRLEN + 8)

/* True for a source address no host may send from, which Linux's input path drops as
 * martian: IPv4 0.0.0.0/8, 127.0.0.0/8, multicast and 255.255.255.255; IPv6 ::, ::1,
 * multicast and IPv4-mapped (::ffff:0:0/96). */
bool uvs_addr_is_martian_source(int af, const union uvs_addr *a);

#endif
