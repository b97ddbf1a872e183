// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The FTP helper's text (core/ftp_parse.h) and its ports option: the kernel's
 * readings of 227, 229, PORT, EPRT, PASV and EPSV, and hostile text (numbers too long
 * or too large, fields missing, a line cut at the segment's end, bytes at random) that
 * is refused or ignored, never read past its end.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/ftp.h"
#include "core/ftp_parse.h"

/* Each parser over a copy of text in a buffer of exactly its length (ASan sees a read
 * past it). */
typedef enum uvs_ftp_match (*parser)(const uint8_t *, size_t, int, struct uvs_ftp_addr *);

static enum uvs_ftp_match p227(const uint8_t *d, size_t n, int af, struct uvs_ftp_addr *o)
{
	(void)af;
	return uvs_ftp_parse_227(d, n, o);
}

static enum uvs_ftp_match pport(const uint8_t *d, size_t n, int af, struct uvs_ftp_addr *o)
{
	(void)af;
	return uvs_ftp_parse_port(d, n, o);
}

static enum uvs_ftp_match run(parser f, const char *text, size_t len, int af,
			      struct uvs_ftp_addr *out)
{
	uint8_t *copy = malloc(len ? len : 1);
	enum uvs_ftp_match m;

	memcpy(copy, text, len);
	memset(out, 0, sizeof(*out));
	m = f(copy, len, af, out);
	if (m == UVS_FTP_FOUND)
		assert_true(out->start <= out->end && out->end <= len);
	free(copy);
	return m;
}

static enum uvs_ftp_match parse(parser f, const char *text, int af, struct uvs_ftp_addr *out)
{
	return run(f, text, strlen(text), af, out);
}

static void assert_v4(const struct uvs_ftp_addr *a, const char *addr, uint16_t port)
{
	union uvs_addr want;

	assert_int_equal(uvs_addr_parse(AF_INET, addr, &want), 0);
	assert_memory_equal(&a->addr, &want, sizeof(want));
	assert_int_equal(ntohs(a->port), port);
}

static void test_227(void **state)
{
	struct uvs_ftp_addr a;
	const char *ok = "227 Entering Passive Mode (192,168,0,12,195,80).\r\n";

	(void)state;
	assert_int_equal(parse(p227, ok, AF_INET, &a), UVS_FTP_FOUND);
	assert_v4(&a, "192.168.0.12", 50000);
	/* The numbers only: what a rewrite replaces. */
	assert_int_equal(a.start, strlen("227 Entering Passive Mode ("));
	assert_int_equal(a.end, a.start + strlen("192,168,0,12,195,80"));
	/* No parenthesis: the numbers start at the first digit. */
	assert_int_equal(parse(p227, "227 =10,0,0,1,4,1\r\n", AF_INET, &a), UVS_FTP_FOUND);
	assert_v4(&a, "10.0.0.1", 1025);
	/* Leading zeros are the same number; a seventh number ends the six. */
	assert_int_equal(parse(p227, "227 (0000000010,0,0,1,0,21)", AF_INET, &a), UVS_FTP_FOUND);
	assert_v4(&a, "10.0.0.1", 21);
	assert_int_equal(parse(p227, "227 (1,2,3,4,5,6,7)", AF_INET, &a), UVS_FTP_FOUND);
	assert_v4(&a, "1.2.3.4", 5 * 256 + 6);
	/* Other replies are not 227s. */
	assert_int_equal(parse(p227, "226 Transfer complete.\r\n", AF_INET, &a), UVS_FTP_NONE);
	assert_int_equal(parse(p227, "150 227 (1,2,3,4,5,6)\r\n", AF_INET, &a), UVS_FTP_NONE);
	assert_int_equal(run(p227, "", 0, AF_INET, &a), UVS_FTP_NONE);
}

static void test_227_hostile(void **state)
{
	struct uvs_ftp_addr a;
	static const char *const bad[] = {
		"227 (192,168,0,256,1,1)\r\n",		       /* a number over 255 */
		"227 (99999999999999999999999,1,1,1,1,1)\r\n", /* far over */
		"227 (1,2,3,4,5)\r\n",			       /* a field missing */
		"227 (1,2,3,4,5,6",			       /* no end within the segment */
		"227 Entering Passive Mode",		       /* no numbers */
		"227 ",					       /* nothing after */
		"22",					       /* cut inside the code */
		"227 (-1,2,3,4,5,6)\r\n",		       /* not a number */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(parse(p227, bad[i], AF_INET, &a), UVS_FTP_BAD);
	/* The kernel reads empty fields as 0. */
	assert_int_equal(parse(p227, "227 (1,2,3,4,,)\r\n", AF_INET, &a), UVS_FTP_FOUND);
	assert_v4(&a, "1.2.3.4", 0);
}

/* A reply cut anywhere before its terminator is never read whole: the helper looks at
 * one segment, and the rest of the line is in the next. */
static void test_227_split(void **state)
{
	const char *line = "227 Entering Passive Mode (192,168,0,12,195,80).\r\n";
	size_t end = strlen("227 Entering Passive Mode (192,168,0,12,195,80");
	struct uvs_ftp_addr a;

	(void)state;
	for (size_t n = 1; n <= end; n++)
		assert_int_equal(run(p227, line, n, AF_INET, &a), UVS_FTP_BAD);
	assert_int_equal(run(p227, line, end + 1, AF_INET, &a), UVS_FTP_FOUND);
	/* And the tail alone is no reply. */
	assert_int_equal(parse(p227, line + 10, AF_INET, &a), UVS_FTP_NONE);
}

static void test_port(void **state)
{
	struct uvs_ftp_addr a;

	(void)state;
	assert_int_equal(parse(pport, "PORT 172,16,0,5,195,83\r\n", AF_INET, &a), UVS_FTP_FOUND);
	assert_v4(&a, "172.16.0.5", 50003);
	assert_int_equal(parse(pport, "port   10,0,0,1,0,20\r\n", AF_INET, &a), UVS_FTP_FOUND);
	assert_v4(&a, "10.0.0.1", 20);
	/* The kernel skips to the first space after the name, whatever comes before. */
	assert_int_equal(parse(pport, "PORTX 1,2,3,4,5,6\r\n", AF_INET, &a), UVS_FTP_FOUND);
	assert_int_equal(parse(pport, "PASV\r\n", AF_INET, &a), UVS_FTP_NONE);
	assert_int_equal(parse(pport, "PORT", AF_INET, &a), UVS_FTP_BAD);
	assert_int_equal(parse(pport, "POR", AF_INET, &a), UVS_FTP_BAD);
	assert_int_equal(parse(pport, "PORT 172,16,0\r\n", AF_INET, &a), UVS_FTP_BAD);
	assert_int_equal(parse(pport, "PORT 172,16,0,5,195,830\r\n", AF_INET, &a), UVS_FTP_BAD);
	assert_int_equal(parse(pport, "PORT 1,2,3,4,5,6", AF_INET, &a), UVS_FTP_BAD);
}

static void test_229(void **state)
{
	struct uvs_ftp_addr a;
	union uvs_addr v6;
	const char *ok = "229 Entering Extended Passive Mode (|||6446|)\r\n";

	(void)state;
	assert_int_equal(parse(uvs_ftp_parse_229, ok, AF_INET, &a), UVS_FTP_FOUND);
	assert_int_equal(ntohs(a.port), 6446);
	assert_true(uvs_addr_is_zero(&a.addr)); /* left as the caller set it */
	assert_int_equal(a.start, strlen("229 Entering Extended Passive Mode ("));
	assert_int_equal(a.end, a.start + strlen("|||6446|"));
	/* Any printable delimiter. */
	assert_int_equal(parse(uvs_ftp_parse_229, "229 (!!!65535!)", AF_INET6, &a), UVS_FTP_FOUND);
	assert_int_equal(ntohs(a.port), 65535);
	/* With the address, of the connection's family only. */
	assert_int_equal(parse(uvs_ftp_parse_229, "229 (|1|192.168.0.11|21|)", AF_INET, &a),
			 UVS_FTP_FOUND);
	assert_v4(&a, "192.168.0.11", 21);
	assert_int_equal(parse(uvs_ftp_parse_229, "229 (|1|192.168.0.11|21|)", AF_INET6, &a),
			 UVS_FTP_BAD);
	assert_int_equal(parse(uvs_ftp_parse_229, "229 (|2|2001:db8:1::11|50000|)", AF_INET6, &a),
			 UVS_FTP_FOUND);
	uvs_addr_parse(AF_INET6, "2001:db8:1::11", &v6);
	assert_memory_equal(&a.addr, &v6, sizeof(v6));
	static const char *const bad[] = {
		"229 (|||0|)",
		"229 (|||65536|)",
		"229 (|||6446)",
		"229 (|||6446",
		"229 (||6446|)",
		"229 (|| |6446|)",
		"229 ( | | |6446|)",
		"229 (|2|2001:db8::zz|1|)",
		"229 (|3|1.2.3.4|1|)",
		"229 (|1|1.2.3|1|)",
		"229 |||6446|",
		"229 (",
		"229 (|2|0000:0000:0000:0000:0000:0000:0000:0000:0000|1|)",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(parse(uvs_ftp_parse_229, bad[i], AF_INET6, &a), UVS_FTP_BAD);
	assert_int_equal(parse(uvs_ftp_parse_229, "227 (|||1|)", AF_INET, &a), UVS_FTP_NONE);
}

static void test_eprt(void **state)
{
	struct uvs_ftp_addr a;
	union uvs_addr v6;

	(void)state;
	/* RFC 2428's examples. */
	assert_int_equal(parse(uvs_ftp_parse_eprt, "EPRT |1|132.235.1.2|6275|\r\n", AF_INET, &a),
			 UVS_FTP_FOUND);
	assert_v4(&a, "132.235.1.2", 6275);
	assert_int_equal(
		parse(uvs_ftp_parse_eprt, "EPRT |2|1080::8:800:200C:417A|5282|\r\n", AF_INET6, &a),
		UVS_FTP_FOUND);
	uvs_addr_parse(AF_INET6, "1080::8:800:200C:417A", &v6);
	assert_memory_equal(&a.addr, &v6, sizeof(v6));
	assert_int_equal(ntohs(a.port), 5282);
	/* Another family than the connection's, or none (only an EPSV reply may). */
	assert_int_equal(parse(uvs_ftp_parse_eprt, "EPRT |1|132.235.1.2|6275|\r\n", AF_INET6, &a),
			 UVS_FTP_BAD);
	assert_int_equal(parse(uvs_ftp_parse_eprt, "EPRT |||6275|\r\n", AF_INET, &a), UVS_FTP_BAD);
	assert_int_equal(
		parse(uvs_ftp_parse_eprt, "EPRT |1|132.235.1.2|99999999999|\r\n", AF_INET, &a),
		UVS_FTP_BAD);
	assert_int_equal(parse(uvs_ftp_parse_eprt, "EPRT |1|132.235.1.2|6275", AF_INET, &a),
			 UVS_FTP_BAD);
	assert_int_equal(parse(uvs_ftp_parse_eprt, "EPRT", AF_INET, &a), UVS_FTP_BAD);
	assert_int_equal(parse(uvs_ftp_parse_eprt, "EPSV\r\n", AF_INET, &a), UVS_FTP_NONE);
}

static enum uvs_ftp_passive passive(const char *text, int af)
{
	size_t len = strlen(text);
	uint8_t *copy = malloc(len ? len : 1);
	enum uvs_ftp_passive r;

	memcpy(copy, text, len);
	r = uvs_ftp_find_passive(copy, len, af);
	free(copy);
	return r;
}

static void test_passive(void **state)
{
	(void)state;
	assert_int_equal(passive("PASV\r\n", AF_INET), UVS_FTP_PASSIVE_PASV);
	assert_int_equal(passive("NOOP\r\npasv\r\n", AF_INET), UVS_FTP_PASSIVE_PASV);
	assert_int_equal(passive("PASV\r\n", AF_INET6), UVS_FTP_PASSIVE_NONE);
	assert_int_equal(passive("PASV\r", AF_INET), UVS_FTP_PASSIVE_NONE);
	assert_int_equal(passive("EPSV\r\n", AF_INET6), UVS_FTP_PASSIVE_EPSV);
	assert_int_equal(passive("EPSV 1\r\n", AF_INET), UVS_FTP_PASSIVE_EPSV);
	assert_int_equal(passive("EPSV 2\r\n", AF_INET6), UVS_FTP_PASSIVE_EPSV);
	assert_int_equal(passive("EPSV 1\r\n", AF_INET6), UVS_FTP_PASSIVE_REFUSED);
	assert_int_equal(passive("EPSV ALL\r\n", AF_INET), UVS_FTP_PASSIVE_REFUSED);
	assert_int_equal(passive("EPSV 1", AF_INET), UVS_FTP_PASSIVE_REFUSED); /* no CR */
	assert_int_equal(passive("xEPSV", AF_INET), UVS_FTP_PASSIVE_NONE);
	assert_int_equal(passive("EPSVX\r\n", AF_INET), UVS_FTP_PASSIVE_NONE);
	assert_int_equal(passive("", AF_INET), UVS_FTP_PASSIVE_NONE);
}

static void test_format(void **state)
{
	char buf[UVS_FTP_TEXT_MAX];
	union uvs_addr a;

	(void)state;
	uvs_addr_parse(AF_INET, "10.0.0.1", &a);
	assert_int_equal(uvs_ftp_format_227(buf, &a, htons(50000)), 15);
	assert_memory_equal(buf, "10,0,0,1,195,80", 15);
	uvs_addr_parse(AF_INET, "255.255.255.255", &a);
	assert_int_equal(uvs_ftp_format_227(buf, &a, htons(65535)), UVS_FTP_TEXT_MAX);
	assert_memory_equal(buf, "255,255,255,255,255,255", UVS_FTP_TEXT_MAX);
	assert_int_equal(uvs_ftp_format_229(buf, htons(65535)), 9);
	assert_memory_equal(buf, "|||65535|", 9);
}

static void test_ports_option(void **state)
{
	uint16_t ports[UVS_FTP_PORTS_MAX];
	struct uvs_error err;
	unsigned n;

	(void)state;
	assert_int_equal(uvs_ftp_ports_parse("21", ports, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(ntohs(ports[0]), 21);
	assert_int_equal(uvs_ftp_ports_parse("21,0,2121", ports, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(ntohs(ports[1]), 2121);
	assert_int_equal(uvs_ftp_ports_parse("0", ports, &n, &err), 0);
	assert_int_equal(n, 0);
	assert_int_equal(uvs_ftp_ports_parse("1,2,3,4,5,6,7,8", ports, &n, &err), 0);
	assert_int_equal(n, UVS_FTP_PORTS_MAX);
	static const char *const bad[] = { "",	  "21,", ",21", "65536",  "-1",
					   " 21", "21 ", "2x",	"100000", "1,2,3,4,5,6,7,8,9" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err.msg[0] = 0;
		assert_int_equal(uvs_ftp_ports_parse(bad[i], ports, &n, &err), -EINVAL);
		assert_true(err.msg[0] != 0);
	}
}

/* Bytes at random, and valid lines with one byte changed: every parser answers within
 * the bytes it was given (ASan checks the reads). */
static void test_random(void **state)
{
	static const char *const seeds[] = {
		"227 Entering Passive Mode (192,168,0,12,195,80).\r\n",
		"229 Entering Extended Passive Mode (|2|2001:db8:1::11|50000|)\r\n",
		"PORT 172,16,0,5,195,83\r\n",
		"EPRT |2|2001:db8:2::5|50001|\r\n",
		"EPSV 2\r\n",
	};
	uint32_t x = 12345;
	uint8_t buf[96];
	struct uvs_ftp_addr a;

	(void)state;
	for (int i = 0; i < 200000; i++) {
		size_t len;
		x = x * 1103515245u + 12345u;
		if (i & 1) {
			const char *s = seeds[(x >> 8) % 5];
			len = strlen(s);
			memcpy(buf, s, len);
			buf[(x >> 16) % len] = (uint8_t)(x >> 24);
			len = (x >> 4) % (len + 1);
		} else {
			len = (x >> 8) % sizeof(buf);
			for (size_t k = 0; k < len; k++) {
				x = x * 1103515245u + 12345u;
				buf[k] = (uint8_t)(x >> 16);
			}
		}
		int af = (x & 1) ? AF_INET : AF_INET6;
		assert_true(run(p227, (const char *)buf, len, af, &a) >= UVS_FTP_BAD);
		assert_true(run(pport, (const char *)buf, len, af, &a) >= UVS_FTP_BAD);
		assert_true(run(uvs_ftp_parse_229, (const char *)buf, len, af, &a) >= UVS_FTP_BAD);
		assert_true(run(uvs_ftp_parse_eprt, (const char *)buf, len, af, &a) >= UVS_FTP_BAD);
		uint8_t *copy = malloc(len ? len : 1);
		memcpy(copy, buf, len);
		assert_true(uvs_ftp_find_passive(copy, len, af) <= UVS_FTP_PASSIVE_REFUSED);
		free(copy);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_227),	     cmocka_unit_test(test_227_hostile),
		cmocka_unit_test(test_227_split),    cmocka_unit_test(test_port),
		cmocka_unit_test(test_229),	     cmocka_unit_test(test_eprt),
		cmocka_unit_test(test_passive),	     cmocka_unit_test(test_format),
		cmocka_unit_test(test_ports_option), cmocka_unit_test(test_random),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
