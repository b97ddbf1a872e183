/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The address of uvsd's HTTP listener (--metrics): parsed and written back. */
#ifndef UVSD_HTTP_ADDR_H
#define UVSD_HTTP_ADDR_H

#include <netinet/in.h>
#include <stddef.h>
#include <sys/socket.h>

struct uvsd_http_addr {
	struct sockaddr_storage sa; /* sockaddr_in or sockaddr_in6, the port set */
	socklen_t len;
};

/*
 * Reads "A.B.C.D:PORT", "[IPV6]:PORT" or ":PORT" (every address, IPv6 and IPv4), PORT
 * 1..65535, into *out. Returns 0, or -1 with why (len bytes) saying what is wrong.
 */
int uvsd_http_parse_addr(const char *s, struct uvsd_http_addr *out, char *why, size_t len);

/* "127.0.0.1:9911", "[::1]:9911" into buf (len bytes). Returns buf. */
const char *uvsd_http_addr_text(const struct uvsd_http_addr *a, char *buf, size_t len);

#endif
