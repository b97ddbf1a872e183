// SPDX-License-Identifier: GPL-2.0-or-later
#include "addr.h"

#include <stdio.h>

int uvs_addr_parse(int af, const char *text, union uvs_addr *out)
{
	memset(out, 0, sizeof(*out));
	return inet_pton(af, text, out) == 1 ? 0 : -1;
}

const char *uvs_addr_format(int af, const union uvs_addr *a, char *buf, size_t len)
{
	if (!inet_ntop(af, a, buf, (socklen_t)len))
		snprintf(buf, len, "?");
	return buf;
}

void uvs_addr_mask(int af, union uvs_addr *a, uint32_t mask_or_prefix)
{
	if (af != AF_INET6) {
		a->ip &= mask_or_prefix;
		return;
	}
	uint32_t prefix = mask_or_prefix > 128 ? 128 : mask_or_prefix;
	for (int i = 0; i < 16; i++) {
		uint32_t bits = prefix > 8 ? 8 : prefix;
		a->ip6[i] &= (uint8_t)(0xff00u >> bits);
		prefix -= bits;
	}
}

int uvs_addr_cmp(int af, const union uvs_addr *a, const union uvs_addr *b)
{
	/* Network byte order compares numerically byte by byte. */
	return memcmp(a, b, af == AF_INET6 ? 16 : 4);
}

bool uvs_addr_is_unicast(int af, const union uvs_addr *a)
{
	if (uvs_addr_is_zero(a))
		return false;
	if (af == AF_INET6)
		return a->ip6[0] != 0xff;
	uint32_t h = ntohl(a->ip);
	return (h >> 28) != 0xe && h != 0xffffffffu;
}

bool uvs_addr_can_be_real_server(int af, const union uvs_addr *a)
{
	/* ::ffff:0:0/96, which ipv6_addr_type() does not call unicast. */
	static const uint8_t v4mapped[12] = { [10] = 0xff, [11] = 0xff };

	if (uvs_addr_is_zero(a))
		return false;
	if (af == AF_INET6)
		return a->ip6[0] != 0xff && !(a->ip6[0] == 0xfe && (a->ip6[1] & 0xc0) == 0x80) &&
		       memcmp(a->ip6, v4mapped, sizeof(v4mapped)) != 0;
	/* What inet_addr_type() finds without a route: 0.0.0.0/8 and 255.255.255.255 are
	 * broadcast, 224.0.0.0/4 multicast. */
	uint32_t h = ntohl(a->ip);
	return (h >> 24) != 0 && (h >> 28) != 0xe && h != 0xffffffffu;
}

const char *uvs_addrport(int af, const union uvs_addr *addr, uint16_t port, char *buf, size_t len)
{
	char a[UVS_ADDR_STRLEN];

	uvs_addr_format(af, addr, a, sizeof(a));
	if (af == AF_INET6)
		snprintf(buf, len, "[%s]:%u", a, ntohs(port));
	else
		snprintf(buf, len, "%s:%u", a, ntohs(port));
	return buf;
}

bool uvs_addr_is_martian_source(int af, const union uvs_addr *a)
{
	if (af == AF_INET6) {
		bool high_zero = (a->ip6w[0] | a->ip6w[1]) == 0;

		return uvs_addr_is_zero(a) || a->ip6[0] == 0xff ||
		       (high_zero && a->ip6w[2] == 0 && a->ip6w[3] == htonl(1)) ||
		       (high_zero && a->ip6w[2] == htonl(0xffff));
	}
	uint8_t first = (uint8_t)(ntohl(a->ip) >> 24);
	return first == 0 || first == 127 || (first >> 4) == 0xe || a->ip == 0xffffffffu;
}
