// SPDX-License-Identifier: GPL-2.0-or-later
/* Tunnel encapsulation: every type over each outer family with each inner family,
 * checked header field by header field against the formats (RFC 2003, 2473, 2784,
 * 6040, GUE draft v0), the inner packet unchanged after them. */
#include <errno.h>

#include "xmit_test.h"

static struct tframe tf, orig;

/* The inner packet of the cases: DSCP 46 with ECN CE, which the outer must copy, and a
 * TTL the outer must take. */
static struct frame_spec inner_spec(int af, bool no_df)
{
	const struct addrs *a = addrs(af);
	struct frame_spec s = flow(af, IPPROTO_TCP, a->client, a->vip, 40000, 80);

	s.tos = 0xbb;
	s.ttl = 63;
	s.no_df = no_df;
	return s;
}

static uint32_t expect_overhead(int outer, uint8_t type, uint16_t flags)
{
	uint32_t n = outer == AF_INET6 ? 40 : 20;

	if (type == UVS_TUN_TYPE_GUE)
		return n + 8 + 4;
	if (type == UVS_TUN_TYPE_GRE)
		return n + 4 + (flags & UVS_TUN_F_CSUM ? 4 : 0);
	return n;
}

static void check_outer_ip(const uint8_t *ip, int outer, int inner, bool no_df, uint8_t proto,
			   uint32_t l4_len)
{
	const struct addrs *a = addrs(outer);
	union uvs_addr src = ua(outer, a->dir), dst = ua(outer, a->rs);

	if (outer == AF_INET) {
		bool df = inner == AF_INET6 || !no_df;

		assert_int_equal(ip[0], 0x45);
		assert_int_equal(ip[1], 0xbb);
		assert_int_equal(get16(ip + 2), 20 + l4_len);
		assert_int_equal(get16(ip + 6), df ? 0x4000 : 0);
		/* Without DF the outer may be fragmented: it takes the inner id. */
		if (!df)
			assert_int_equal(get16(ip + 4), 0x1234);
		assert_int_equal(ip[8], 63);
		assert_int_equal(ip[9], proto);
		assert_memory_equal(ip + 12, &src.ip, 4);
		assert_memory_equal(ip + 16, &dst.ip, 4);
		assert_int_equal(ref_csum(ip, 20, 0), 0);
	} else {
		assert_int_equal(ip[0] >> 4, 6);
		assert_int_equal((ip[0] & 0x0f) << 4 | ip[1] >> 4, 0xbb);
		assert_int_equal(get16(ip + 4), l4_len);
		assert_int_equal(ip[6], proto);
		assert_int_equal(ip[7], 63);
		assert_memory_equal(ip + 8, src.ip6, 16);
		assert_memory_equal(ip + 24, dst.ip6, 16);
	}
}

/* Encapsulates the inner packet of family inner over outer and checks every byte. */
static void tun_case(uint8_t type, uint16_t flags, int outer, int inner, bool no_df)
{
	const struct addrs *a = addrs(outer);
	union uvs_addr src = ua(outer, a->dir), dst = ua(outer, a->rs);
	struct uvs_tun t = { .type = type, .port = htons(6080), .flags = flags };
	struct frame_spec s = inner_spec(inner, no_df);
	uint32_t oh = expect_overhead(outer, type, flags), hlen = outer == AF_INET6 ? 40 : 20;
	uint8_t inner_proto = inner == AF_INET6 ? IPPROTO_IPV6 : IPPROTO_IPIP;
	uint8_t proto = type == UVS_TUN_TYPE_GUE   ? IPPROTO_UDP
			: type == UVS_TUN_TYPE_GRE ? IPPROTO_GRE
						   : inner_proto;

	tf_build(&tf, &s, ROOM);
	tf_build(&orig, &s, ROOM);
	uint32_t l2 = orig.p.l3_off, inner_len = orig.p.l3_len, l4_len = oh - hlen + inner_len;

	assert_int_equal(uvs_tun_overhead(outer, &t), oh);
	assert_int_equal(uvs_tun_encap(&tf.f, &tf.p, outer, &src, &dst, &t), 0);
	assert_ptr_equal(tf.f.data, tf.mem + GUARD + ROOM - oh);
	assert_int_equal(tf.f.len, l2 + oh + inner_len);
	assert_room(&tf);

	const uint8_t *d = tf.f.data, *ip = d + l2, *l4 = ip + hlen;
	/* Ethernet as it was, but for the type; the inner packet untouched after it all. */
	assert_memory_equal(d, orig.f.data, l2 - 2);
	assert_int_equal(get16(d + l2 - 2), outer == AF_INET6 ? 0x86dd : 0x0800);
	assert_memory_equal(d + l2 + oh, orig.f.data + l2, inner_len);
	check_outer_ip(ip, outer, inner, no_df, proto, l4_len);

	if (type == UVS_TUN_TYPE_GUE) {
		bool csum = outer == AF_INET6 || (flags & (UVS_TUN_F_CSUM | UVS_TUN_F_REMCSUM));
		const uint8_t gue[4] = { 0, inner_proto, 0, 0 };

		assert_true(get16(l4) >= 49152);
		assert_int_equal(get16(l4 + 2), 6080);
		assert_int_equal(get16(l4 + 4), l4_len);
		if (csum)
			assert_int_not_equal(get16(l4 + 6), 0);
		else
			assert_int_equal(get16(l4 + 6), 0);
		assert_memory_equal(l4 + 8, gue, 4);
		assert_int_equal(tf.p.sport, htons(get16(l4)));
		assert_int_equal(tf.p.dport, htons(6080));
	} else if (type == UVS_TUN_TYPE_GRE) {
		bool csum = flags & UVS_TUN_F_CSUM;

		assert_int_equal(get16(l4), csum ? 0x8000 : 0);
		assert_int_equal(get16(l4 + 2), inner == AF_INET6 ? 0x86dd : 0x0800);
		if (csum) {
			assert_int_equal(get16(l4 + 6), 0); /* reserved1 */
			assert_int_equal(ref_csum(l4, l4_len, 0), 0);
		}
	}
	ref_check_ip(ip, tf.f.len - l2);
	ref_check_ip(d + l2 + oh, inner_len);
	assert_reparse(&tf, type == UVS_TUN_TYPE_GUE ? UVS_PKT_OK : UVS_PKT_L4_UNKNOWN);
	keep(&tf, type == UVS_TUN_TYPE_GUE ? "gue" : type == UVS_TUN_TYPE_GRE ? "gre" : "ipip");
}

/* Every outer family with every inner family, for each given flags value. */
static void tun_matrix(uint8_t type, const uint16_t *flags, size_t nflags)
{
	for (size_t i = 0; i < nflags; i++)
		for (int o = 0; o < 2; o++)
			for (int in = 0; in < 2; in++)
				tun_case(type, flags[i], o ? AF_INET6 : AF_INET,
					 in ? AF_INET6 : AF_INET, false);
}

void test_tun_ipip(void **state)
{
	const uint16_t flags[] = { 0 };

	(void)state;
	tun_matrix(UVS_TUN_TYPE_IPIP, flags, 1);
}

void test_tun_gue(void **state)
{
	/* REMCSUM is sent as a plain checksum (xmit/tun.c says why). */
	const uint16_t flags[] = { UVS_TUN_F_NOCSUM, UVS_TUN_F_CSUM, UVS_TUN_F_REMCSUM };

	(void)state;
	tun_matrix(UVS_TUN_TYPE_GUE, flags, 3);
}

void test_tun_gre(void **state)
{
	const uint16_t flags[] = { UVS_TUN_F_NOCSUM, UVS_TUN_F_CSUM };

	(void)state;
	tun_matrix(UVS_TUN_TYPE_GRE, flags, 2);
}

/* DF follows the inner IPv4 packet, whichever it is; IPv6 inner always sets it (the
 * cases of the matrices cover DF set and IPv6). */
void test_tun_df(void **state)
{
	(void)state;
	for (uint8_t type = UVS_TUN_TYPE_IPIP; type <= UVS_TUN_TYPE_GRE; type++)
		tun_case(type, UVS_TUN_F_CSUM, AF_INET, AF_INET, true);
	tun_case(UVS_TUN_TYPE_IPIP, 0, AF_INET6, AF_INET, true);
}

/* One byte short of the overhead: refused, nothing changed; exactly the overhead: done,
 * with the guards before the room untouched. */
void test_tun_enospc(void **state)
{
	(void)state;
	for (uint8_t type = UVS_TUN_TYPE_IPIP; type <= UVS_TUN_TYPE_GRE; type++) {
		for (int outer = AF_INET; outer; outer = outer == AF_INET ? AF_INET6 : 0) {
			const struct addrs *a = addrs(outer);
			union uvs_addr src = ua(outer, a->dir), dst = ua(outer, a->rs);
			struct uvs_tun t = { .type = type, .port = htons(6080), .flags = 1 };
			struct frame_spec s = inner_spec(AF_INET6, false);
			uint32_t oh = uvs_tun_overhead(outer, &t);
			struct uvs_frame f0;
			struct uvs_pkt p0;

			tf_build(&tf, &s, oh - 1);
			tf_build(&orig, &s, oh - 1);
			f0 = tf.f;
			p0 = tf.p;
			assert_int_equal(uvs_tun_encap(&tf.f, &tf.p, outer, &src, &dst, &t),
					 -ENOSPC);
			assert_memory_equal(&tf.f, &f0, sizeof(f0));
			assert_pkt_eq(&tf.p, &p0);
			assert_memory_equal(tf.mem, orig.mem, sizeof(tf.mem));

			tf_build(&tf, &s, oh);
			assert_int_equal(uvs_tun_encap(&tf.f, &tf.p, outer, &src, &dst, &t), 0);
			assert_int_equal(tf.f.headroom, 0);
			assert_room(&tf);
		}
	}
}

/* An unknown type, and an outer packet past 65535 bytes, are refused with nothing
 * changed. */
void test_tun_refused(void **state)
{
	union uvs_addr src = ua(AF_INET, A4.dir), dst = ua(AF_INET, A4.rs);
	struct uvs_tun bad = { .type = UVS_TUN_TYPE_GRE + 1 };
	struct uvs_tun gre = { .type = UVS_TUN_TYPE_GRE };
	struct frame_spec s = inner_spec(AF_INET, false);

	(void)state;
	tf_build(&tf, &s, ROOM);
	tf_build(&orig, &s, ROOM);
	assert_int_equal(uvs_tun_encap(&tf.f, &tf.p, AF_INET, &src, &dst, &bad), -EINVAL);
	assert_memory_equal(tf.mem, orig.mem, sizeof(tf.mem));
	/* Claims a longest inner packet; refused before anything is read past the frame. */
	tf.p.l3_len = 65535 - 20;
	assert_int_equal(uvs_tun_encap(&tf.f, &tf.p, AF_INET, &src, &dst, &gre), -EMSGSIZE);
	assert_memory_equal(tf.mem, orig.mem, sizeof(tf.mem));
}

/* Ethernet padding after a short inner packet is not carried into the tunnel. */
void test_tun_padding(void **state)
{
	union uvs_addr src = ua(AF_INET, A4.dir), dst = ua(AF_INET, A4.rs);
	struct uvs_tun t = { .type = UVS_TUN_TYPE_GRE };
	struct frame_spec s = inner_spec(AF_INET, false);

	(void)state;
	s.payload_len = 0;
	tf_build(&tf, &s, ROOM);
	uint32_t ip_end = tf.f.len;
	tf.f.len = 60; /* the Ethernet minimum, zero-padded */
	tf.f.tailroom -= 60 - ip_end;
	assert_int_equal(uvs_pkt_parse(tf.f.data, tf.f.len, &tf.p), UVS_PKT_OK);
	assert_int_equal(uvs_tun_encap(&tf.f, &tf.p, AF_INET, &src, &dst, &t), 0);
	assert_int_equal(tf.f.len, ip_end + 24);
	assert_room(&tf);
	assert_reparse(&tf, UVS_PKT_L4_UNKNOWN);
	keep(&tf, "gre, padding dropped");
}

/* The gue source port is the same for every packet of a flow and spreads flows. */
void test_tun_flow_hash(void **state)
{
	union uvs_addr src = ua(AF_INET6, A6.dir), dst = ua(AF_INET6, A6.rs);
	struct uvs_tun t = { .type = UVS_TUN_TYPE_GUE, .port = htons(6080) };
	uint16_t ports[16];
	uint32_t labels[16];
	int distinct = 0;

	(void)state;
	for (int i = 0; i < 32; i++) {
		struct frame_spec s = inner_spec(AF_INET, false);

		s.sport = (uint16_t)(40000 + i % 16);
		tf_build(&tf, &s, ROOM);
		assert_int_equal(uvs_tun_encap(&tf.f, &tf.p, AF_INET6, &src, &dst, &t), 0);
		const uint8_t *ip = tf.f.data + 14;
		uint32_t label = (uint32_t)(ip[1] & 0x0f) << 16 | get16(ip + 2);
		if (i < 16) {
			ports[i] = tf.p.sport;
			labels[i] = label;
		} else {
			assert_int_equal(ports[i % 16], tf.p.sport);
			assert_int_equal(labels[i % 16], label);
		}
	}
	for (int i = 0; i < 16; i++) {
		bool seen = false;
		for (int j = 0; j < i; j++)
			seen |= ports[j] == ports[i];
		distinct += !seen;
	}
	assert_true(distinct >= 12);
	assert_int_not_equal(labels[0], labels[1]);
}
