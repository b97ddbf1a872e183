// SPDX-License-Identifier: GPL-2.0-or-later
#include "http_addr.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* PORT: digits only, 1..65535. */
static int port_of(const char *s, uint16_t *out)
{
	unsigned long v;

	if (!s[0] || strlen(s) > 5 || strspn(s, "0123456789") != strlen(s))
		return -1;
	v = strtoul(s, NULL, 10);
	if (v < 1 || v > 65535)
		return -1;
	*out = (uint16_t)v;
	return 0;
}

int uvsd_http_parse_addr(const char *s, struct uvsd_http_addr *out, char *why, size_t len)
{
	const char *colon = strrchr(s, ':');
	char host[64];
	uint16_t port;
	size_t hlen;

	memset(out, 0, sizeof(*out));
	if (!colon || port_of(colon + 1, &port) < 0) {
		snprintf(why, len, "not ADDRESS:PORT with a port in 1..65535");
		return -1;
	}
	hlen = (size_t)(colon - s);
	if (hlen >= sizeof(host)) {
		snprintf(why, len, "the address is too long");
		return -1;
	}
	memcpy(host, s, hlen);
	host[hlen] = '\0';
	if (!hlen || (hlen > 2 && host[0] == '[' && host[hlen - 1] == ']')) {
		struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&out->sa;

		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons(port);
		if (hlen) {
			host[hlen - 1] = '\0';
			if (inet_pton(AF_INET6, host + 1, &a6->sin6_addr) != 1) {
				snprintf(why, len, "%s is not an IPv6 address", host + 1);
				return -1;
			}
		} /* else in6addr_any: every address */
		out->len = sizeof(*a6);
		return 0;
	}
	struct sockaddr_in *a4 = (struct sockaddr_in *)&out->sa;

	a4->sin_family = AF_INET;
	a4->sin_port = htons(port);
	if (inet_pton(AF_INET, host, &a4->sin_addr) != 1) {
		snprintf(why, len, "%s is not an IPv4 address (an IPv6 one goes in brackets)",
			 host);
		return -1;
	}
	out->len = sizeof(*a4);
	return 0;
}

const char *uvsd_http_addr_text(const struct uvsd_http_addr *a, char *buf, size_t len)
{
	char host[INET6_ADDRSTRLEN];

	if (a->sa.ss_family == AF_INET6) {
		const struct sockaddr_in6 *a6 = (const struct sockaddr_in6 *)&a->sa;
		inet_ntop(AF_INET6, &a6->sin6_addr, host, sizeof(host));
		snprintf(buf, len, "[%s]:%u", host, ntohs(a6->sin6_port));
	} else {
		const struct sockaddr_in *a4 = (const struct sockaddr_in *)&a->sa;
		inet_ntop(AF_INET, &a4->sin_addr, host, sizeof(host));
		snprintf(buf, len, "%s:%u", host, ntohs(a4->sin_port));
	}
	return buf;
}
