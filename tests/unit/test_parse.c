// SPDX-License-Identifier: GPL-2.0-or-later
/* The frame parser: every header it knows, each refusal with its reason, no read past
 * the frame at any truncation, checksums against a reference implementation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "frames.h"
#include "pkt/csum.h"
#include "pkt/parse.h"

static uint8_t buf[2048];

static const struct frame_spec tcp4 = {
	.af = AF_INET,
	.src = "172.16.0.5",
	.dst = "10.0.0.1",
	.protocol = IPPROTO_TCP,
	.sport = 51514,
	.dport = 80,
	.tcp_flags = 0x02,
};

static void assert_addr(int af, const union uvs_addr *a, const char *text)
{
	union uvs_addr want;
	assert_int_equal(uvs_addr_parse(af, text, &want), 0);
	assert_true(uvs_addr_eq(a, &want));
}

static void test_tcp4(void **state)
{
	struct uvs_pkt p;
	size_t len = frame_build(buf, &tcp4);

	(void)state;
	assert_int_equal(uvs_pkt_parse(buf, (uint32_t)len, &p), UVS_PKT_OK);
	assert_int_equal(p.af, AF_INET);
	assert_int_equal(p.protocol, IPPROTO_TCP);
	assert_int_equal(p.l3_off, 14);
	assert_int_equal(p.l4_off, 34);
	assert_int_equal(p.l3_len, 40);
	assert_int_equal(p.l4_len, 20);
	assert_int_equal(p.ttl, 64);
	assert_int_equal(ntohs(p.sport), 51514);
	assert_int_equal(ntohs(p.dport), 80);
	assert_int_equal(p.tcp_flags, 0x02);
	assert_addr(AF_INET, &p.saddr, "172.16.0.5");
	assert_addr(AF_INET, &p.daddr, "10.0.0.1");
	assert_true(uvs_pkt_l4_csum_ok(&p));
	buf[len - 1] ^= 0x40; /* the TCP urgent pointer: checksum now wrong */
	assert_false(uvs_pkt_l4_csum_ok(&p));
}

static void test_vlan_options_padding(void **state)
{
	struct frame_spec s = tcp4;
	struct uvs_pkt p;
	uint8_t payload[3] = { 1, 2, 3 };

	(void)state;
	s.vlan = 42;
	s.ip4_option_words = 2;
	s.protocol = IPPROTO_UDP;
	s.payload = payload;
	s.payload_len = sizeof(payload);
	size_t len = frame_build(buf, &s);
	/* Ethernet pads short frames: trailing bytes beyond the IP length are ignored. */
	assert_int_equal(uvs_pkt_parse(buf, (uint32_t)len + 10, &p), UVS_PKT_OK);
	assert_true(p.has_vlan);
	assert_int_equal(p.vlan_tci, 42);
	assert_int_equal(p.l3_off, 18);
	assert_int_equal(p.l4_off, 18 + 28);
	assert_int_equal(p.l4_len, 11);
	assert_true(uvs_pkt_l4_csum_ok(&p));
}

static void test_ip6_ext_headers(void **state)
{
	struct frame_spec s = { .af = AF_INET6,
				.src = "2001:db8::5",
				.dst = "2001:db8::1",
				.protocol = IPPROTO_UDP,
				.sport = 5353,
				.dport = 53,
				.ip6_ext_headers = 2 };
	uint8_t payload[5] = "hello";
	struct uvs_pkt p;

	(void)state;
	s.payload = payload;
	s.payload_len = 5;
	size_t len = frame_build(buf, &s);
	assert_int_equal(uvs_pkt_parse(buf, (uint32_t)len, &p), UVS_PKT_OK);
	assert_int_equal(p.af, AF_INET6);
	assert_int_equal(p.protocol, IPPROTO_UDP);
	assert_int_equal(p.l4_off, 14 + 40 + 16);
	assert_int_equal(p.l4_len, 13);
	assert_int_equal(ntohs(p.dport), 53);
	assert_addr(AF_INET6, &p.daddr, "2001:db8::1");
	assert_true(uvs_pkt_l4_csum_ok(&p));
	buf[len - 1] ^= 1;
	assert_false(uvs_pkt_l4_csum_ok(&p));
}

static void test_refusals(void **state)
{
	struct uvs_pkt p;
	size_t len;

	(void)state;
	len = frame_build(buf, &tcp4);
	buf[12] = 0x08, buf[13] = 0x06; /* ARP */
	assert_int_equal(uvs_pkt_parse(buf, (uint32_t)len, &p), UVS_PKT_NOT_IP);

	len = frame_build(buf, &tcp4);
	buf[14 + 10] ^= 1;
	assert_int_equal(uvs_pkt_parse(buf, (uint32_t)len, &p), UVS_PKT_IP4_BAD_CSUM);

	len = frame_build(buf, &tcp4);
	buf[14] = 0x44; /* IHL 4 */
	assert_int_equal(uvs_pkt_parse(buf, (uint32_t)len, &p), UVS_PKT_IP4_BAD_HEADER);

	len = frame_build(buf, &tcp4);
	assert_int_equal(uvs_pkt_parse(buf, (uint32_t)len - 1, &p), UVS_PKT_IP4_BAD_LENGTH);

	struct frame_spec s = tcp4;
	s.protocol = 47; /* GRE */
	len = frame_build(buf, &s);
	assert_int_equal(uvs_pkt_parse(buf, (uint32_t)len, &p), UVS_PKT_L4_UNKNOWN);

	/* A fragment: more-fragments set (the checksum fixed by the reference). */
	len = frame_build(buf, &tcp4);
	buf[14 + 6] = 0x20;
	buf[14 + 10] = buf[14 + 11] = 0;
	uint16_t c = ref_csum(buf + 14, 20, 0);
	buf[14 + 10] = (uint8_t)(c >> 8), buf[14 + 11] = (uint8_t)c;
	assert_int_equal(uvs_pkt_parse(buf, (uint32_t)len, &p), UVS_PKT_FRAGMENT);

	/* UDP length beyond the IP payload. */
	s = tcp4;
	s.protocol = IPPROTO_UDP;
	len = frame_build(buf, &s);
	buf[14 + 20 + 5] = 9;
	assert_int_equal(uvs_pkt_parse(buf, (uint32_t)len, &p), UVS_PKT_UDP_BAD_LENGTH);

	/* TCP data offset beyond the segment. */
	len = frame_build(buf, &tcp4);
	buf[14 + 20 + 12] = 6 << 4;
	assert_int_equal(uvs_pkt_parse(buf, (uint32_t)len, &p), UVS_PKT_TCP_TRUNCATED);

	assert_string_equal(uvs_pkt_reason_name(UVS_PKT_IP4_BAD_CSUM), "ip4_bad_csum");
	assert_string_equal(uvs_pkt_reason_name(UVS_PKT_FRAGMENT), "fragment");
}

static void test_ip6_fragment(void **state)
{
	struct frame_spec s = { .af = AF_INET6,
				.src = "2001:db8::5",
				.dst = "2001:db8::1",
				.protocol = IPPROTO_UDP,
				.sport = 1,
				.dport = 53,
				.ip6_ext_headers = 1 };
	struct uvs_pkt p;
	size_t len = frame_build(buf, &s);

	(void)state;
	/* Turn the hop-by-hop header into a fragment header: atomic first... */
	buf[14 + 6] = IPPROTO_FRAGMENT;
	memset(buf + 14 + 40 + 1, 0, 7);
	assert_int_equal(uvs_pkt_parse(buf, (uint32_t)len, &p), UVS_PKT_OK);
	/* ...then with more fragments to come. */
	buf[14 + 40 + 3] = 1;
	assert_int_equal(uvs_pkt_parse(buf, (uint32_t)len, &p), UVS_PKT_FRAGMENT);
}

/* Every prefix of every kind of frame: parsed or refused, never read out of bounds
 * (ASan watches the copy, which ends exactly at the prefix). */
static void test_truncations(void **state)
{
	struct frame_spec specs[4] = { tcp4, tcp4, tcp4, tcp4 };
	uint8_t payload[40];

	(void)state;
	memset(payload, 0x45, sizeof(payload));
	specs[1].af = AF_INET6, specs[1].src = "2001:db8::5", specs[1].dst = "2001:db8::1";
	specs[1].ip6_ext_headers = 2;
	specs[2].protocol = IPPROTO_ICMP, specs[2].icmp_type = 3;
	specs[2].payload = payload, specs[2].payload_len = sizeof(payload);
	specs[3].vlan = 7, specs[3].protocol = IPPROTO_UDP;
	for (int i = 0; i < 4; i++) {
		size_t len = frame_build(buf, &specs[i]);
		for (size_t cut = 0; cut < len; cut++) {
			uint8_t *copy = malloc(cut ? cut : 1);
			struct uvs_pkt p, inner;
			memcpy(copy, buf, cut);
			enum uvs_pkt_reason r = uvs_pkt_parse(copy, (uint32_t)cut, &p);
			if (r == UVS_PKT_OK && uvs_pkt_is_icmp_error(&p))
				uvs_pkt_parse_icmp_inner(&p, &inner);
			free(copy);
			if (r == UVS_PKT_OK)
				fail_msg("frame %d cut to %zu of %zu bytes parsed as whole", i, cut,
					 len);
		}
	}
}

static void test_icmp_error_inner(void **state)
{
	uint8_t inner_frame[2048];
	struct uvs_pkt p, inner;

	(void)state;
	/* A port-unreachable from the real server about a reply to the client. */
	struct frame_spec orig = { .af = AF_INET,
				   .src = "10.0.0.1",
				   .dst = "172.16.0.5",
				   .protocol = IPPROTO_UDP,
				   .sport = 53,
				   .dport = 40000 };
	size_t olen = frame_build(inner_frame, &orig);
	struct frame_spec err = { .af = AF_INET,
				  .src = "172.16.0.5",
				  .dst = "10.0.0.1",
				  .protocol = IPPROTO_ICMP,
				  .icmp_type = 3,
				  .icmp_code = 3,
				  .payload = inner_frame + 14,
				  .payload_len = olen - 14 };
	size_t len = frame_build(buf, &err);

	assert_int_equal(uvs_pkt_parse(buf, (uint32_t)len, &p), UVS_PKT_OK);
	assert_true(uvs_pkt_is_icmp_error(&p));
	assert_true(uvs_pkt_l4_csum_ok(&p));
	assert_int_equal(uvs_pkt_parse_icmp_inner(&p, &inner), UVS_PKT_OK);
	assert_int_equal(inner.protocol, IPPROTO_UDP);
	assert_int_equal(inner.l3_off, 14 + 20 + 8);
	assert_int_equal(ntohs(inner.sport), 53);
	assert_int_equal(ntohs(inner.dport), 40000);
	assert_addr(AF_INET, &inner.saddr, "10.0.0.1");

	/* An echo request is not an error; its identifier stands in for a port. */
	struct frame_spec echo = { .af = AF_INET,
				   .src = "172.16.0.5",
				   .dst = "10.0.0.1",
				   .protocol = IPPROTO_ICMP,
				   .icmp_type = 8,
				   .sport = 777 };
	len = frame_build(buf, &echo);
	assert_int_equal(uvs_pkt_parse(buf, (uint32_t)len, &p), UVS_PKT_OK);
	assert_false(uvs_pkt_is_icmp_error(&p));
	assert_int_equal(ntohs(p.sport), 777);

	/* ICMPv6 packet-too-big with its pseudo-header checksum. */
	struct frame_spec v6 = { .af = AF_INET6,
				 .src = "2001:db8::9",
				 .dst = "2001:db8::1",
				 .protocol = IPPROTO_ICMPV6,
				 .icmp_type = 2,
				 .payload = inner_frame,
				 .payload_len = 48 };
	len = frame_build(buf, &v6);
	assert_int_equal(uvs_pkt_parse(buf, (uint32_t)len, &p), UVS_PKT_OK);
	assert_true(uvs_pkt_is_icmp_error(&p));
	assert_true(uvs_pkt_l4_csum_ok(&p));
}

static void test_csum_incremental(void **state)
{
	struct uvs_pkt p;
	size_t len = frame_build(buf, &tcp4);
	union uvs_addr rs;

	(void)state;
	assert_int_equal(uvs_pkt_parse(buf, (uint32_t)len, &p), UVS_PKT_OK);
	/* NAT-style: new destination address and port, checksums updated in place. */
	uvs_addr_parse(AF_INET, "192.168.0.11", &rs);
	uint8_t *ip = buf + p.l3_off, *tcp = buf + p.l4_off;
	uint16_t *ipsum = (uint16_t *)(ip + 10), *tcpsum = (uint16_t *)(tcp + 16);
	uint16_t port = htons(8080);
	uvs_csum_replace(ipsum, ip + 16, &rs.ip, 4);
	uvs_csum_replace(tcpsum, ip + 16, &rs.ip, 4);
	uvs_csum_replace(tcpsum, tcp + 2, &port, 2);
	memcpy(ip + 16, &rs.ip, 4);
	memcpy(tcp + 2, &port, 2);
	assert_int_equal(ref_csum(ip, 20, 0), 0);
	assert_int_equal(uvs_pkt_parse(buf, (uint32_t)len, &p), UVS_PKT_OK);
	assert_true(uvs_pkt_l4_csum_ok(&p));

	/* The full sum agrees with the reference on odd lengths and every alignment. */
	uint8_t data[301];
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 37 + 11);
	for (size_t off = 0; off < 8; off++)
		for (size_t n = 0; n + off <= sizeof(data); n += 7)
			assert_int_equal(ntohs(uvs_csum_fold(uvs_csum_add(0, data + off, n))),
					 ref_csum(data + off, n, 0));
	/* Every word all ones, where each addition carries, and a partial sum to start
	 * from: the same as summing the partial's bytes first. */
	uint8_t ones[300 + 2];
	memset(ones, 0xff, sizeof(ones));
	for (size_t n = 0; n <= 300; n += 5)
		assert_int_equal(ntohs(uvs_csum_fold(uvs_csum_add(0, ones, n))),
				 ref_csum(ones, n, 0));
	/* Two words of ones and a third that is 1 on a little-endian host: the low half of
	 * the wide sum is all ones, the carry out of it 1, so their sum carries again. */
	ones[16] = 1;
	memset(ones + 17, 0, 7);
	assert_int_equal(ntohs(uvs_csum_fold(uvs_csum_add(0, ones, 24))), ref_csum(ones, 24, 0));
	for (size_t n = 0; n <= 300; n += 6) {
		uint8_t both[2 + sizeof(data)];
		uint32_t partial = uvs_csum_add(0, data + 1, 2);

		memcpy(both, data + 1, 2);
		memcpy(both + 2, data, n);
		assert_int_equal(ntohs(uvs_csum_fold(uvs_csum_add(partial, data, n))),
				 ref_csum(both, n + 2, 0));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tcp4),
		cmocka_unit_test(test_vlan_options_padding),
		cmocka_unit_test(test_ip6_ext_headers),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_ip6_fragment),
		cmocka_unit_test(test_truncations),
		cmocka_unit_test(test_icmp_error_inner),
		cmocka_unit_test(test_csum_incremental),
	};
	return cmocka_run_group_tests_name("parse", tests, NULL, NULL);
}
