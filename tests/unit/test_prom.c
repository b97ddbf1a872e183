// SPDX-License-Identifier: GPL-2.0-or-later
/* Prometheus's text format as uvsd writes it (daemon/prom.h), and node_exporter's
 * label values (daemon/metrics_labels.h): addresses as Go prints them. */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "daemon/metrics_labels.h"
#include "daemon/prom.h"

/* What fn wrote to a stream; the caller frees it. */
static char *text_of(void (*fn)(FILE *))
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	fn(f);
	fclose(f);
	return buf;
}

static void write_family(FILE *f)
{
	const struct uvs_prom_label lb[] = {
		{ "reason", "a \"quoted\"\\ word\nand a line" },
		{ "a_first", "x" },
	};

	uvs_prom_family(f, "uvs_test_total", UVS_PROM_COUNTER, "Help with \\ and\na line");
	uvs_prom_sample(f, "uvs_test_total", lb, 2, 18446744073709551615ull);
	uvs_prom_sample(f, "uvs_test_total", NULL, 0, 0);
	uvs_prom_sample_real(f, "uvs_test_seconds", lb + 1, 1, 0.25);
}

static void test_format(void **state)
{
	char *t = text_of(write_family);

	(void)state;
	assert_string_equal(t,
			    "# HELP uvs_test_total Help with \\\\ and\\na line\n"
			    "# TYPE uvs_test_total counter\n"
			    "uvs_test_total{a_first=\"x\",reason=\"a \\\"quoted\\\"\\\\ word\\nand "
			    "a line\"} 18446744073709551615\n"
			    "uvs_test_total 0\n"
			    "uvs_test_seconds{a_first=\"x\"} 0.25\n");
	free(t);
}

static const char *go(const char *text, char *buf)
{
	union uvs_addr a;
	int af = strchr(text, ':') ? AF_INET6 : AF_INET;

	memset(&a, 0, sizeof(a));
	assert_int_equal(inet_pton(af, text, &a), 1);
	return uvsd_go_addr(af, &a, buf, 48);
}

/* Go's net.IP.String(): RFC 5952, an IPv4-mapped address as IPv4 (glibc's inet_ntop
 * writes ::ffff:1.2.3.4 and ::1.2.3.4 with dots, Go only the first, without ::ffff:). */
static void test_go_addresses(void **state)
{
	char b[48];

	(void)state;
	assert_string_equal(go("10.0.0.1", b), "10.0.0.1");
	assert_string_equal(go("2001:0db8:0000:0000:0000:0000:0000:0001", b), "2001:db8::1");
	assert_string_equal(go("::", b), "::");
	assert_string_equal(go("::1", b), "::1");
	assert_string_equal(go("1::", b), "1::");
	assert_string_equal(go("::ffff:1.2.3.4", b), "1.2.3.4");
	assert_string_equal(go("::1.2.3.4", b), "::102:304");
	/* One zero group is not shortened; the first of two equal runs is. */
	assert_string_equal(go("2001:db8:0:1:1:1:1:1", b), "2001:db8:0:1:1:1:1:1");
	assert_string_equal(go("2001:0:0:1:0:0:1:1", b), "2001::1:0:0:1:1");
	assert_string_equal(go("2001:0:0:1:0:0:0:1", b), "2001:0:0:1::1");
	assert_string_equal(go("fe80::ABCD:ef01", b), "fe80::abcd:ef01");
}

static void test_labels(void **state)
{
	struct uvs_snap_svc svc;
	struct uvs_snap_dest d;
	struct uvsd_ipvs_labels l;

	(void)state;
	memset(&svc, 0, sizeof(svc));
	memset(&d, 0, sizeof(d));
	svc.conf.key.af = AF_INET;
	svc.conf.key.fwmark = 100;
	d.conf.af = AF_INET6;
	inet_pton(AF_INET6, "2001:db8::5", &d.conf.addr);
	d.conf.port = htons(0);
	uvsd_ipvs_labels(&svc, &d, &l);
	assert_string_equal(l.local_address, "");
	assert_string_equal(l.local_port, "0");
	assert_string_equal(l.local_mark, "00000064");
	assert_string_equal(l.proto, "FWM");
	assert_string_equal(l.remote_address, "2001:db8::5");
	assert_string_equal(l.remote_port, "0");

	memset(&svc, 0, sizeof(svc));
	svc.conf.key.af = AF_INET;
	svc.conf.key.protocol = IPPROTO_UDP;
	inet_pton(AF_INET, "192.0.2.1", &svc.conf.key.addr);
	svc.conf.key.port = htons(53);
	uvsd_ipvs_labels(&svc, NULL, &l);
	assert_string_equal(l.local_address, "192.0.2.1");
	assert_string_equal(l.local_port, "53");
	assert_string_equal(l.local_mark, "");
	assert_string_equal(l.proto, "UDP");
	assert_string_equal(l.family, "ipv4");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_go_addresses),
		cmocka_unit_test(test_labels),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
