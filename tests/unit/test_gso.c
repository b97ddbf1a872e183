// SPDX-License-Identifier: GPL-2.0-or-later
/* Cutting unsegmented (GSO) frames into wire-sized ones: each segment is compared byte
 * for byte with a frame the test builder makes from scratch for that slice of the
 * payload (its sequence number, IPv4 id and flags set as the kernel's segmentation
 * sets them, its checksums computed by the builder's reference RFC 1071 code). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "frames.h"
#include "pkt/gso.h"

#define BIG	 70000
#define TCP_FIN	 0x01
#define TCP_PSH	 0x08
#define TCP_ACK	 0x10
#define TCP_CWR	 0x80
#define SEQ0	 0x10000000u /* the builder's sequence number */
#define IP_ID0	 0x1234	     /* the builder's IPv4 id */
#define TCP_HLEN 20

static uint8_t in[BIG], seg[BIG], want[BIG], payload[BIG];

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

static struct frame_spec spec(int af, uint8_t proto, const uint8_t *data, size_t len)
{
	return (struct frame_spec){
		.af = af,
		.src = af == AF_INET6 ? "2001:db8:c::2" : "172.16.0.2",
		.dst = af == AF_INET6 ? "2001:db8:f::1" : "10.0.0.1",
		.protocol = proto,
		.sport = 40000,
		.dport = 80,
		.payload = data,
		.payload_len = len,
	};
}

/* Segment i as the kernel would send it: the slice of the payload at off, the flags
 * given, sequence SEQ0 + off and IPv4 id IP_ID0 + i; checksums by the reference. */
static size_t expected(struct frame_spec s, size_t off, size_t len, uint8_t flags, unsigned i)
{
	uint8_t src[16] = { 0 }, dst[16] = { 0 };
	size_t l3, l4, l4_len, n;

	s.payload = payload + off;
	s.payload_len = len;
	s.tcp_flags = flags;
	n = frame_build(want, &s);
	l3 = frame_l3_off(&s);
	inet_pton(s.af, s.src, src);
	inet_pton(s.af, s.dst, dst);
	if (s.af == AF_INET) {
		size_t ihl = (want[l3] & 0x0f) * 4u;
		put16(want + l3 + 4, (uint16_t)(IP_ID0 + i));
		put16(want + l3 + 10, 0);
		put16(want + l3 + 10, ref_csum(want + l3, ihl, 0));
		l4 = l3 + ihl;
	} else {
		l4 = l3 + 40 + 8 * (size_t)s.ip6_ext_headers;
	}
	if (s.protocol == IPPROTO_TCP) {
		l4_len = n - l4;
		put32(want + l4 + 4, SEQ0 + (uint32_t)off);
		put16(want + l4 + 16, 0);
		put16(want + l4 + 16,
		      ref_csum(want + l4, l4_len,
			       ref_pseudo_sum(s.af, src, dst, IPPROTO_TCP, (uint32_t)l4_len)));
	}
	return n;
}

/* Cuts a frame of spec s (payload len bytes) with segment size mss and checks every
 * segment against expected(); returns how many there were. */
static unsigned cut_and_check(struct frame_spec s, size_t len, uint8_t flags, uint32_t mss,
			      enum uvs_gso_type type)
{
	struct uvs_gso g;
	size_t n, off = 0;
	unsigned i = 0;
	int got;

	for (size_t k = 0; k < len; k++)
		payload[k] = (uint8_t)(k * 7 + k / 251);
	s.payload = payload;
	s.payload_len = len;
	s.tcp_flags = flags;
	n = frame_build(in, &s);
	assert_int_equal(uvs_gso_start(&g, in, (uint32_t)n, type, mss), 0);
	assert_int_equal(uvs_gso_left(&g), len ? (len + mss - 1) / mss : 1);
	while ((got = uvs_gso_next(&g, seg, sizeof(seg))) > 0) {
		size_t part = len - off < mss ? len - off : mss;
		bool last = off + part == len;
		uint8_t f = flags;

		if (!last)
			f &= (uint8_t) ~(TCP_FIN | TCP_PSH);
		if (i)
			f &= (uint8_t)~TCP_CWR;
		size_t w = expected(s, off, part, f, i);
		assert_int_equal((size_t)got, w);
		assert_memory_equal(seg, want, w);
		assert_true((size_t)got <= uvs_gso_max_seg(&g));
		off += part;
		i++;
	}
	assert_int_equal(got, 0);
	assert_int_equal(off, len);
	assert_int_equal(uvs_gso_left(&g), 0);
	return i;
}

static void test_tcp4_flags(void **state)
{
	(void)state;
	/* CWR stays on the first segment only, FIN and PSH move to the last. */
	assert_int_equal(cut_and_check(spec(AF_INET, IPPROTO_TCP, NULL, 0), 5000,
				       TCP_ACK | TCP_PSH | TCP_FIN | TCP_CWR, 1448, UVS_GSO_TCP),
			 4);
}

static void test_tcp4_64k(void **state)
{
	(void)state;
	/* The largest a sender hands over: 64 KB less the headers. */
	assert_int_equal(cut_and_check(spec(AF_INET, IPPROTO_TCP, NULL, 0), 65535 - 40, TCP_ACK,
				       1448, UVS_GSO_TCP),
			 46);
	/* Jumbo segments. */
	assert_int_equal(cut_and_check(spec(AF_INET, IPPROTO_TCP, NULL, 0), 60000, TCP_ACK, 8948,
				       UVS_GSO_TCP),
			 7);
}

static void test_tcp6_vlan_exthdr(void **state)
{
	struct frame_spec s = spec(AF_INET6, IPPROTO_TCP, NULL, 0);

	(void)state;
	s.vlan = 12;
	s.ip6_ext_headers = 2;
	assert_int_equal(cut_and_check(s, 2 * 1428, TCP_ACK | TCP_PSH, 1428, UVS_GSO_TCP), 2);
	s.vlan = 0;
	s.ip6_ext_headers = 0;
	assert_int_equal(cut_and_check(s, 3001, TCP_ACK, 1000, UVS_GSO_TCP), 4);
}

static void test_header_only(void **state)
{
	(void)state;
	/* A bare ACK marked for segmentation: one segment, itself. */
	assert_int_equal(
		cut_and_check(spec(AF_INET, IPPROTO_TCP, NULL, 0), 0, TCP_ACK, 1448, UVS_GSO_TCP),
		1);
}

static void test_udp_l4(void **state)
{
	(void)state;
	for (int af = AF_INET; af; af = af == AF_INET ? AF_INET6 : 0) {
		struct frame_spec s = spec(af, IPPROTO_UDP, NULL, 0);
		/* Each datagram's UDP length and checksum are the builder's own. */
		assert_int_equal(cut_and_check(s, 4000, 0, 1400, UVS_GSO_UDP_L4), 3);
	}
}

static void test_refused(void **state)
{
	struct frame_spec s = spec(AF_INET, IPPROTO_TCP, payload, 3000);
	struct uvs_gso g;
	size_t n = frame_build(in, &s);

	(void)state;
	assert_int_equal(uvs_gso_start(&g, in, (uint32_t)n, UVS_GSO_UDP_L4, 1000), -EINVAL);
	assert_int_equal(uvs_gso_start(&g, in, (uint32_t)n, UVS_GSO_TCP, 0), -EINVAL);
	assert_int_equal(uvs_gso_start(&g, in, (uint32_t)n, UVS_GSO_TCP, 1), 0);
	assert_int_equal(uvs_gso_left(&g), 3000);
	in[14 + 10] ^= 1; /* the IPv4 header checksum: the parser refuses the frame */
	assert_int_equal(uvs_gso_start(&g, in, (uint32_t)n, UVS_GSO_TCP, 1000), -EINVAL);
	assert_int_equal(uvs_gso_start(&g, in, 20, UVS_GSO_TCP, 1000), -EINVAL);
}

static void test_no_room(void **state)
{
	struct frame_spec s = spec(AF_INET, IPPROTO_TCP, payload, 3000);
	struct uvs_gso g;
	size_t n = frame_build(in, &s);

	(void)state;
	assert_int_equal(uvs_gso_start(&g, in, (uint32_t)n, UVS_GSO_TCP, 1448), 0);
	assert_int_equal(uvs_gso_max_seg(&g), 14 + 20 + TCP_HLEN + 1448);
	assert_int_equal(uvs_gso_next(&g, seg, 14 + 20 + TCP_HLEN + 1447), -ENOSPC);
	assert_int_equal(uvs_gso_left(&g), 3); /* nothing consumed */
	assert_int_equal(uvs_gso_next(&g, seg, sizeof(seg)), 14 + 20 + TCP_HLEN + 1448);
	assert_int_equal(uvs_gso_left(&g), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tcp4_flags),	 cmocka_unit_test(test_tcp4_64k),
		cmocka_unit_test(test_tcp6_vlan_exthdr), cmocka_unit_test(test_header_only),
		cmocka_unit_test(test_udp_l4),		 cmocka_unit_test(test_refused),
		cmocka_unit_test(test_no_room),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
