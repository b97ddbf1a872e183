/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The FTP text the helper (core/ftp.h) reads and writes, as the kernel's ip_vs_ftp
 * reads it: only within one TCP segment, a command or reply only at the segment's
 * start (PASV and EPSV anywhere in it), names compared without case. Pure functions
 * over bytes that never read outside them and never fail otherwise than by saying so.
 */
#ifndef UVS_FTP_PARSE_H
#define UVS_FTP_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "pkt/addr.h"

/* What a segment's start holds. */
enum uvs_ftp_match {
	UVS_FTP_BAD = -1, /* the command or reply, cut short or malformed */
	UVS_FTP_NONE = 0, /* something else */
	UVS_FTP_FOUND = 1,
};

/* An address and port in a line, and where the text a rewrite replaces lies. */
struct uvs_ftp_addr {
	union uvs_addr addr;
	uint16_t port;	/* network order */
	uint32_t start; /* offset of the first byte replaced */
	uint32_t end;	/* offset just after the last */
};

/*
 * "227 <text>(h1,h2,h3,h4,p1,p2)": a PASV reply. The parenthesis is optional (the
 * numbers start at the first digit after "227 " if it comes first); each number at
 * most 255; the numbers end at any other character, which must be within len.
 * start..end span the six numbers.
 */
enum uvs_ftp_match uvs_ftp_parse_227(const uint8_t *data, size_t len, struct uvs_ftp_addr *out);

/*
 * "229 <text>(<d><d><d>port<d>)" (RFC 2428), d any printable character but space: an
 * EPSV reply. Also "(<d>af<d>address<d>port<d>)" with af 1 (IPv4) or 2 (IPv6) matching
 * af, the family of the control connection; without an address out->addr is left as
 * the caller set it. Port 1..65535. start..end span the delimiters and what they
 * enclose.
 */
enum uvs_ftp_match uvs_ftp_parse_229(const uint8_t *data, size_t len, int af,
				     struct uvs_ftp_addr *out);

/* "PORT h1,h2,h3,h4,p1,p2\r": an active mode command, numbers as in a 227. */
enum uvs_ftp_match uvs_ftp_parse_port(const uint8_t *data, size_t len, struct uvs_ftp_addr *out);

/* "EPRT <d>af<d>address<d>port<d>" (RFC 2428), af matching af. */
enum uvs_ftp_match uvs_ftp_parse_eprt(const uint8_t *data, size_t len, int af,
				      struct uvs_ftp_addr *out);

/* A passive mode command in a client's segment. */
enum uvs_ftp_passive {
	UVS_FTP_PASSIVE_NONE,	 /* none: look for PORT and EPRT */
	UVS_FTP_PASSIVE_PASV,	 /* "PASV\r\n", on an IPv4 connection */
	UVS_FTP_PASSIVE_EPSV,	 /* "EPSV\r", or "EPSV 1\r" / "EPSV 2\r" of af's family */
	UVS_FTP_PASSIVE_REFUSED, /* an EPSV the helper does not take ("EPSV ALL", the other
				  * family): the segment is left alone */
};

/* Looks for PASV or EPSV at every offset of a client's segment, as the kernel does. */
enum uvs_ftp_passive uvs_ftp_find_passive(const uint8_t *data, size_t len, int af);

/* The longest text the two below write ("255,255,255,255,255,255"). */
#define UVS_FTP_TEXT_MAX 23

/* The numbers of a 227 reply for IPv4 address a and port (network order), into buf
 * (UVS_FTP_TEXT_MAX bytes, not terminated). Returns their length. */
size_t uvs_ftp_format_227(char *buf, const union uvs_addr *a, uint16_t port);

/* "|||port|", a 229 reply's, into buf (UVS_FTP_TEXT_MAX bytes). Returns its length. */
size_t uvs_ftp_format_229(char *buf, uint16_t port);

#endif
