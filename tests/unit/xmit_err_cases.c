// SPDX-License-Identifier: GPL-2.0-or-later
/* ICMP and ICMPv6 errors built in place: headers field by field (RFC 792, 1191, 1812,
 * 4443), the quote a prefix of the offending packet cut at 576 / 1280 bytes. */
#include <errno.h>

#include "xmit_test.h"

static struct tframe tf, orig;
static uint8_t big[1400];

/* The offending packet, from the client to the VIP, payload_len bytes long; makes an
 * error of it and checks it. */
static void err_case(int af, uint8_t proto, size_t payload_len, int vlan, uint8_t type,
		     uint8_t code, uint32_t info, const char *what)
{
	const struct addrs *a = addrs(af);
	union uvs_addr src = ua(af, a->dir), client = ua(af, a->client);
	struct frame_spec s = flow(af, proto, a->client, a->vip, 40000, 80);
	uint32_t hlen = (af == AF_INET6 ? 40 : 20) + 8, max = af == AF_INET6 ? 1280 : 576;
	struct uvs_pkt inner;

	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 7 + 1);
	if (payload_len) {
		s.payload = big;
		s.payload_len = payload_len;
	}
	s.vlan = vlan;
	tf_build(&tf, &s, ROOM);
	tf_build(&orig, &s, ROOM);
	uint32_t l2 = orig.p.l3_off, l3_len = orig.p.l3_len;
	uint32_t quote = l3_len < max - hlen ? l3_len : max - hlen;

	assert_int_equal(uvs_icmp_error(&tf.f, &tf.p, &src, type, code, info), 0);
	assert_ptr_equal(tf.f.data, tf.mem + GUARD + ROOM - hlen);
	assert_int_equal(tf.f.len, l2 + hlen + quote);
	assert_room(&tf);
	if (l3_len > max - hlen)
		assert_int_equal(tf.f.len - l2, max);

	const uint8_t *d = tf.f.data, *ip = d + l2, *m = ip + hlen - 8;
	/* Back where it came from: addresses swapped, tag and type kept. */
	assert_memory_equal(d, orig.f.data + 6, 6);
	assert_memory_equal(d + 6, orig.f.data, 6);
	assert_memory_equal(d + 12, orig.f.data + 12, l2 - 12);
	if (af == AF_INET) {
		assert_int_equal(ip[0], 0x45);
		assert_int_equal(ip[1], 0xc0);
		assert_int_equal(get16(ip + 2), hlen + quote);
		assert_int_equal(get16(ip + 4), 0x1234); /* the offending packet's id */
		assert_int_equal(get16(ip + 6), 0);
		assert_int_equal(ip[8], 64);
		assert_int_equal(ip[9], IPPROTO_ICMP);
		assert_memory_equal(ip + 12, &src.ip, 4);
		assert_memory_equal(ip + 16, &client.ip, 4);
		assert_int_equal(ref_csum(ip, 20, 0), 0);
	} else {
		assert_int_equal(ip[0], 0x60); /* traffic class 0, flow label 0 */
		assert_int_equal(ip[1], 0);
		assert_int_equal(get16(ip + 4), 8 + quote);
		assert_int_equal(ip[6], IPPROTO_ICMPV6);
		assert_int_equal(ip[7], 64);
		assert_memory_equal(ip + 8, src.ip6, 16);
		assert_memory_equal(ip + 24, client.ip6, 16);
	}
	assert_int_equal(m[0], type);
	assert_int_equal(m[1], code);
	assert_int_equal(get16(m + 4), info >> 16);
	assert_int_equal(get16(m + 6), info & 0xffff);
	assert_memory_equal(m + 8, orig.f.data + l2, quote);
	ref_check_ip(ip, tf.f.len - l2);

	assert_reparse(&tf, UVS_PKT_OK);
	assert_true(uvs_pkt_is_icmp_error(&tf.p));
	assert_int_equal(uvs_pkt_parse_icmp_inner(&tf.p, &inner), UVS_PKT_OK);
	assert_true(uvs_addr_eq(&inner.saddr, &orig.p.saddr));
	assert_true(uvs_addr_eq(&inner.daddr, &orig.p.daddr));
	assert_int_equal(inner.sport, orig.p.sport);
	assert_int_equal(inner.dport, orig.p.dport);
	keep(&tf, what);
}

/* Frag-needed carries the next-hop MTU in the low 16 bits (RFC 1191); its IPv6 peer,
 * packet-too-big, the MTU in all 32. Both about a packet too long to quote whole. */
void test_err_frag_needed(void **state)
{
	(void)state;
	err_case(AF_INET, IPPROTO_TCP, 1400, 0, 3, 4, 1400, "frag needed");
	err_case(AF_INET6, IPPROTO_TCP, 1400, 0, 2, 0, 1280, "packet too big");
	err_case(AF_INET6, IPPROTO_UDP, 1400, 9, 2, 0, 1400, "packet too big, vlan");
}

void test_err_time_exceeded(void **state)
{
	(void)state;
	err_case(AF_INET, IPPROTO_TCP, 0, 0, 11, 0, 0, "time exceeded");
	err_case(AF_INET, IPPROTO_UDP, 1400, 0, 11, 0, 0, "time exceeded, long");
	err_case(AF_INET6, IPPROTO_TCP, 0, 0, 3, 0, 0, "time exceeded v6");
	err_case(AF_INET6, IPPROTO_TCP, 1400, 0, 3, 0, 0, "time exceeded v6, long");
}

void test_err_port_unreachable(void **state)
{
	(void)state;
	err_case(AF_INET, IPPROTO_UDP, 0, 0, 3, 3, 0, "port unreachable");
	err_case(AF_INET, IPPROTO_UDP, 0, 100, 3, 3, 0, "port unreachable, vlan");
	err_case(AF_INET6, IPPROTO_UDP, 0, 0, 1, 4, 0, "port unreachable v6");
}

/* An error from the address the offending packet went to, given as the parse's own
 * field: the port-unreachable a VIP answers with. */
void test_err_from_vip(void **state)
{
	(void)state;
	for (int af = AF_INET; af; af = af == AF_INET ? AF_INET6 : 0) {
		const struct addrs *a = addrs(af);
		union uvs_addr vip = ua(af, a->vip), client = ua(af, a->client);
		struct frame_spec s = flow(af, IPPROTO_UDP, a->client, a->vip, 40000, 80);
		uint8_t type = af == AF_INET6 ? 1 : 3, code = af == AF_INET6 ? 4 : 3;

		tf_build(&tf, &s, ROOM);
		assert_int_equal(uvs_icmp_error(&tf.f, &tf.p, &tf.p.daddr, type, code, 0), 0);
		assert_true(uvs_addr_eq(&tf.p.saddr, &vip));
		assert_true(uvs_addr_eq(&tf.p.daddr, &client));
		assert_reparse(&tf, UVS_PKT_OK);
		ref_check_ip(tf.f.data + tf.p.l3_off, tf.f.len - tf.p.l3_off);
		keep(&tf, "port unreachable from the vip");
	}
}

/* One byte short of the room for the new headers: refused, nothing changed. */
void test_err_enospc(void **state)
{
	(void)state;
	for (int af = AF_INET; af; af = af == AF_INET ? AF_INET6 : 0) {
		const struct addrs *a = addrs(af);
		union uvs_addr src = ua(af, a->dir);
		struct frame_spec s = flow(af, IPPROTO_UDP, a->client, a->vip, 40000, 80);
		uint32_t hlen = (af == AF_INET6 ? 40 : 20) + 8;
		struct uvs_frame f0;
		struct uvs_pkt p0;

		tf_build(&tf, &s, hlen - 1);
		tf_build(&orig, &s, hlen - 1);
		f0 = tf.f;
		p0 = tf.p;
		assert_int_equal(uvs_icmp_error(&tf.f, &tf.p, &src, 3, 3, 0), -ENOSPC);
		assert_memory_equal(&tf.f, &f0, sizeof(f0));
		assert_pkt_eq(&tf.p, &p0);
		assert_memory_equal(tf.mem, orig.mem, sizeof(tf.mem));

		tf_build(&tf, &s, hlen);
		assert_int_equal(uvs_icmp_error(&tf.f, &tf.p, &src, 3, 3, 0), 0);
		assert_int_equal(tf.f.headroom, 0);
		assert_room(&tf);
	}
}
