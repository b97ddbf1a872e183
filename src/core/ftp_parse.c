// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The FTP text the helper reads and writes (ftp_parse.h). The rules are the kernel's
 * ip_vs_ftp_get_addrport(): a pattern at the segment's start, a skip character before
 * the numbers, the old comma format or RFC 2428's delimited one.
 */
#include "ftp_parse.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Which reply or command the extended format is read for: only an EPSV reply may
 * leave out the family and the address. */
enum ext_mode { EXT_EPRT, EXT_EPSV };

static bool is_digit(uint8_t c)
{
	return c >= '0' && c <= '9';
}

/*
 * Whether data starts with pattern (plen bytes, any case). A segment shorter than
 * the pattern that starts as it does is BAD: the rest may be in the next segment,
 * which the helper never joins to this one.
 */
static enum uvs_ftp_match starts_with(const uint8_t *data, size_t len, const char *pattern,
				      size_t plen)
{
	if (len == 0)
		return UVS_FTP_NONE;
	if (len < plen)
		return strncasecmp((const char *)data, pattern, len) ? UVS_FTP_NONE : UVS_FTP_BAD;
	return strncasecmp((const char *)data, pattern, plen) ? UVS_FTP_NONE : UVS_FTP_FOUND;
}

/*
 * From offset s, past the text before the numbers: up to and over a run of skip
 * characters, or (old format only) up to the first digit if it comes first. Returns
 * the offset of what follows, or len if the segment ends first.
 */
static size_t skip_to(const uint8_t *data, size_t len, size_t s, uint8_t skip, bool digit_ends)
{
	bool found = false;

	for (; s < len; s++) {
		if (!found) {
			if (digit_ends && is_digit(data[s]))
				break;
			if (data[s] == skip)
				found = true;
		} else if (data[s] != skip) {
			break;
		}
	}
	return s;
}

/* "h1,h2,h3,h4,p1,p2" from offset s, ended by any other character within len. */
static enum uvs_ftp_match six_numbers(const uint8_t *data, size_t len, size_t s,
				      struct uvs_ftp_addr *out)
{
	uint8_t n[6] = { 0 };
	unsigned i = 0;
	size_t t;

	for (t = s;; t++) {
		if (t == len)
			return UVS_FTP_BAD; /* no end in this segment */
		if (is_digit(data[t])) {
			unsigned v = n[i] * 10u + (unsigned)(data[t] - '0');
			if (v > 255)
				return UVS_FTP_BAD;
			n[i] = (uint8_t)v;
		} else if (data[t] == ',' && i < 5) {
			i++;
		} else {
			break;
		}
	}
	if (i != 5)
		return UVS_FTP_BAD;
	memset(&out->addr, 0, sizeof(out->addr));
	memcpy(&out->addr.ip, n, 4);
	memcpy(&out->port, n + 4, 2);
	out->start = (uint32_t)s;
	out->end = (uint32_t)t;
	return UVS_FTP_FOUND;
}

/* The old format after pattern: "227 " and "PORT". */
static enum uvs_ftp_match old_format(const uint8_t *data, size_t len, const char *pattern,
				     uint8_t skip, struct uvs_ftp_addr *out)
{
	size_t plen = strlen(pattern), s;
	enum uvs_ftp_match m = starts_with(data, len, pattern, plen);

	if (m != UVS_FTP_FOUND)
		return m;
	s = skip_to(data, len, plen, skip, true);
	if (s == len)
		return UVS_FTP_BAD;
	return six_numbers(data, len, s, out);
}

/*
 * An address of family af at offset s, ended by delim within len (inet_pton's
 * syntax). Returns the offset of the delimiter, or 0 if there is no such address.
 */
static size_t address_to(const uint8_t *data, size_t len, size_t s, int af, uint8_t delim,
			 union uvs_addr *a)
{
	char text[INET6_ADDRSTRLEN];
	const uint8_t *end = memchr(data + s, delim, len - s);
	size_t n = end ? (size_t)(end - (data + s)) : 0;
	union uvs_addr parsed;

	if (!end || n == 0 || n >= sizeof(text))
		return 0;
	memcpy(text, data + s, n);
	text[n] = 0;
	memset(&parsed, 0, sizeof(parsed));
	if (inet_pton(af, text, &parsed) != 1)
		return 0;
	*a = parsed;
	return s + n;
}

/* RFC 2428's "<d>af<d>address<d>port<d>" after pattern and a run of skip characters. */
static enum uvs_ftp_match ext_format(const uint8_t *data, size_t len, const char *pattern,
				     uint8_t skip, enum ext_mode mode, int af,
				     struct uvs_ftp_addr *out)
{
	size_t plen = strlen(pattern), s;
	enum uvs_ftp_match m = starts_with(data, len, pattern, plen);
	uint32_t port = 0;
	uint8_t delim;

	if (m != UVS_FTP_FOUND)
		return m;
	s = skip_to(data, len, plen, skip, false);
	if (s == len)
		return UVS_FTP_BAD;
	out->start = (uint32_t)s;
	delim = data[s++];
	if (delim < 33 || delim > 126 || s == len)
		return UVS_FTP_BAD;
	if (data[s] == delim) {
		/* No family: then no address either (an EPSV reply's usual form). */
		if (mode != EXT_EPSV || ++s == len || data[s] != delim)
			return UVS_FTP_BAD;
		s++;
	} else {
		if (data[s] != (af == AF_INET6 ? '2' : '1'))
			return UVS_FTP_BAD; /* only the control connection's family */
		if (++s == len || data[s] != delim || ++s == len)
			return UVS_FTP_BAD;
		s = address_to(data, len, s, af, delim, &out->addr);
		if (!s)
			return UVS_FTP_BAD;
		s++; /* the delimiter after it */
	}
	for (; s < len && is_digit(data[s]); s++) {
		port = port * 10 + (uint32_t)(data[s] - '0');
		if (port > 65535)
			return UVS_FTP_BAD;
	}
	if (s == len || port == 0 || data[s] != delim)
		return UVS_FTP_BAD;
	out->end = (uint32_t)(s + 1);
	out->port = htons((uint16_t)port);
	return UVS_FTP_FOUND;
}

enum uvs_ftp_match uvs_ftp_parse_227(const uint8_t *data, size_t len, struct uvs_ftp_addr *out)
{
	return old_format(data, len, "227 ", '(', out);
}

enum uvs_ftp_match uvs_ftp_parse_229(const uint8_t *data, size_t len, int af,
				     struct uvs_ftp_addr *out)
{
	return ext_format(data, len, "229 ", '(', EXT_EPSV, af, out);
}

enum uvs_ftp_match uvs_ftp_parse_port(const uint8_t *data, size_t len, struct uvs_ftp_addr *out)
{
	return old_format(data, len, "PORT", ' ', out);
}

enum uvs_ftp_match uvs_ftp_parse_eprt(const uint8_t *data, size_t len, int af,
				      struct uvs_ftp_addr *out)
{
	return ext_format(data, len, "EPRT", ' ', EXT_EPRT, af, out);
}

enum uvs_ftp_passive uvs_ftp_find_passive(const uint8_t *data, size_t len, int af)
{
	for (size_t t = 0; t + 6 <= len; t++) {
		const char *at = (const char *)data + t;

		if (af == AF_INET && !strncasecmp(at, "PASV\r\n", 6))
			return UVS_FTP_PASSIVE_PASV;
		if (strncasecmp(at, "EPSV", 4) || (at[4] != ' ' && at[4] != '\r'))
			continue;
		if (at[4] == ' ') {
			/* "EPSV 1" or "EPSV 2", the connection's own family, then CR. */
			char net = at[5];
			if (t + 7 > len || at[6] != '\r')
				return UVS_FTP_PASSIVE_REFUSED;
			if (net != (af == AF_INET6 ? '2' : '1'))
				return UVS_FTP_PASSIVE_REFUSED;
		}
		return UVS_FTP_PASSIVE_EPSV;
	}
	return UVS_FTP_PASSIVE_NONE;
}

size_t uvs_ftp_format_227(char *buf, const union uvs_addr *a, uint16_t port)
{
	char text[UVS_FTP_TEXT_MAX + 1];
	const uint8_t *b = (const uint8_t *)&a->ip;
	uint16_t p = ntohs(port);
	int n = snprintf(text, sizeof(text), "%u,%u,%u,%u,%u,%u", b[0], b[1], b[2], b[3], p >> 8,
			 p & 0xff);

	memcpy(buf, text, (size_t)n);
	return (size_t)n;
}

size_t uvs_ftp_format_229(char *buf, uint16_t port)
{
	char text[UVS_FTP_TEXT_MAX + 1];
	int n = snprintf(text, sizeof(text), "|||%u|", ntohs(port));

	memcpy(buf, text, (size_t)n);
	return (size_t)n;
}
