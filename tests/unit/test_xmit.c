// SPDX-License-Identifier: GPL-2.0-or-later
/* The frame rewrites of src/xmit. Each output is compared byte for byte with a frame
 * the test builder makes from scratch (or field by field where nothing builds it),
 * re-parsed to check that the uvs_pkt still describes it, its checksums verified with
 * the builder's reference RFC 1071 code; at the end tshark dissects every output. */
#include "xmit_test.h"

static struct tframe tf, want;

/* NAT of a client's packet to the real server and of the reply back; with vlan, tagged;
 * with zero, a UDP/IPv4 packet without a checksum, which NAT gives a full one. */
static void nat_case(int af, uint8_t proto, int vlan, bool zero)
{
	const struct addrs *a = addrs(af);
	union uvs_addr rs = ua(af, a->rs), vip = ua(af, a->vip);
	struct frame_spec s = flow(af, proto, a->client, a->vip, 40000, 80);
	struct frame_spec w = flow(af, proto, a->client, a->rs, 40000, 8080);

	s.vlan = w.vlan = vlan;
	tf_build(&tf, &s, ROOM);
	tf_build(&want, &w, ROOM);
	if (zero)
		memset(tf.f.data + tf.p.l4_off + 6, 0, 2);
	uvs_nat_in(&tf.p, &rs, htons(8080));
	assert_frame_eq(&tf, &want);
	assert_reparse(&tf, UVS_PKT_OK);
	ref_check_ip(tf.f.data + tf.p.l3_off, tf.f.len - tf.p.l3_off);
	keep(&tf, "nat in");

	s = flow(af, proto, a->rs, a->client, 8080, 40000);
	w = flow(af, proto, a->vip, a->client, 80, 40000);
	s.vlan = w.vlan = vlan;
	tf_build(&tf, &s, ROOM);
	tf_build(&want, &w, ROOM);
	if (zero)
		memset(tf.f.data + tf.p.l4_off + 6, 0, 2);
	uvs_nat_out(&tf.p, &vip, htons(80));
	assert_frame_eq(&tf, &want);
	assert_reparse(&tf, UVS_PKT_OK);
	ref_check_ip(tf.f.data + tf.p.l3_off, tf.f.len - tf.p.l3_off);
	keep(&tf, "nat out");
}

static void test_nat_tcp4(void **state)
{
	(void)state;
	nat_case(AF_INET, IPPROTO_TCP, 0, false);
}

static void test_nat_udp4(void **state)
{
	(void)state;
	nat_case(AF_INET, IPPROTO_UDP, 0, false);
}

static void test_nat_tcp6(void **state)
{
	(void)state;
	nat_case(AF_INET6, IPPROTO_TCP, 0, false);
}

static void test_nat_udp6(void **state)
{
	(void)state;
	nat_case(AF_INET6, IPPROTO_UDP, 0, false);
}

static void test_nat_udp4_no_csum(void **state)
{
	(void)state;
	nat_case(AF_INET, IPPROTO_UDP, 0, true);
}

static void test_nat_vlan(void **state)
{
	(void)state;
	nat_case(AF_INET, IPPROTO_TCP, 7, false);
	nat_case(AF_INET6, IPPROTO_UDP, 4094, false);
}

/* A UDP checksum that the update makes 0 must go out as 0xffff (0 means none). The
 * builder writes 0xffff for a computed 0; find the port that gives one. */
static void test_nat_udp_csum_ffff(void **state)
{
	(void)state;
	for (int af = AF_INET; af; af = af == AF_INET ? AF_INET6 : 0) {
		const struct addrs *a = addrs(af);
		union uvs_addr rs = ua(af, a->rs);
		struct frame_spec w = flow(af, IPPROTO_UDP, a->client, a->rs, 40000, 0);
		uint32_t port;

		for (port = 1; port < 65536; port++) {
			w.dport = (uint16_t)port;
			tf_build(&want, &w, ROOM);
			if (get16(want.f.data + want.p.l4_off + 6) == 0xffff)
				break;
		}
		assert_true(port < 65536);
		struct frame_spec s = flow(af, IPPROTO_UDP, a->client, a->vip, 40000, 80);

		tf_build(&tf, &s, ROOM);
		uvs_nat_in(&tf.p, &rs, htons((uint16_t)port));
		assert_frame_eq(&tf, &want);
		keep(&tf, "nat udp csum 0xffff");
	}
}

/* The IPv4 checksum's update for the TTL, against the header built afresh with the
 * TTL one less: every TOS and TTL, so that the header's sum takes nearly every value
 * (the end-around carry, 0x0000 and 0xffff among them). */
static void test_ttl_every_sum(void **state)
{
	(void)state;
	const struct addrs *a = addrs(AF_INET);
	struct frame_spec s = flow(AF_INET, IPPROTO_TCP, a->client, a->vip, 40000, 80);

	for (unsigned tos = 0; tos < 256; tos++)
		for (unsigned ttl = 2; ttl < 256; ttl++) {
			struct frame_spec w = s;

			s.tos = w.tos = (uint8_t)tos;
			s.ttl = (uint8_t)ttl;
			w.ttl = (uint8_t)(ttl - 1);
			tf_build(&tf, &s, ROOM);
			tf_build(&want, &w, ROOM);
			assert_int_equal(uvs_ttl_dec(&tf.p), 0);
			assert_frame_eq(&tf, &want);
		}
}

static void test_ttl(void **state)
{
	(void)state;
	for (int af = AF_INET; af; af = af == AF_INET ? AF_INET6 : 0) {
		const struct addrs *a = addrs(af);
		struct frame_spec s = flow(af, IPPROTO_TCP, a->client, a->vip, 40000, 80);
		struct frame_spec w = s;

		w.ttl = 63;
		tf_build(&tf, &s, ROOM);
		tf_build(&want, &w, ROOM);
		assert_int_equal(uvs_ttl_dec(&tf.p), 0);
		assert_int_equal(tf.p.ttl, 63);
		assert_frame_eq(&tf, &want);
		assert_reparse(&tf, UVS_PKT_OK);
		keep(&tf, "ttl 64 -> 63");

		/* At 1 the frame must not change: the caller answers time-exceeded. */
		s.ttl = 1;
		tf_build(&tf, &s, ROOM);
		tf_build(&want, &s, ROOM);
		assert_int_equal(uvs_ttl_dec(&tf.p), -1);
		assert_int_equal(tf.p.ttl, 1);
		assert_frame_eq(&tf, &want);
		assert_reparse(&tf, UVS_PKT_OK);
	}
}

static void test_eth_set(void **state)
{
	const struct uvs_route r = {
		.ifindex = 3,
		.mtu = 1500,
		.src_mac = { 0x02, 0xaa, 0, 0, 0, 0x01 },
		.dst_mac = { 0x02, 0xbb, 0, 0, 0, 0x02 },
	};

	(void)state;
	for (int vlan = 0; vlan <= 42; vlan += 42) {
		struct frame_spec s = flow(AF_INET6, IPPROTO_UDP, A6.client, A6.vip, 40000, 9999);

		s.vlan = vlan;
		tf_build(&tf, &s, ROOM);
		tf_build(&want, &s, ROOM);
		memcpy(want.f.data, r.dst_mac, 6);
		memcpy(want.f.data + 6, r.src_mac, 6);
		uvs_eth_set(&tf.p, &r);
		assert_frame_eq(&tf, &want);
		assert_reparse(&tf, UVS_PKT_OK);
		assert_int_equal(tf.p.has_vlan, vlan != 0);
		keep(&tf, "eth set");
	}
}

/* Relays an error about a NAT connection; the whole result must be the error the
 * builder makes about the rewritten packet. in: the error came from the client's side
 * about VIP -> client, the outer destination and the embedded source become the real
 * server. out: it came from the real server's side about client -> RS, the outer
 * source and the embedded destination become the VIP. l4_quote: how much of the
 * embedded L4 header and payload the error holds, 0 for all. */
static void relay_case(int af, uint8_t proto, bool in, size_t l4_quote)
{
	const struct addrs *a = addrs(af);
	union uvs_addr to = ua(af, in ? a->rs : a->vip);
	uint16_t port = in ? 8080 : 80;
	struct frame_spec e, ew, s, w;
	static uint8_t ebuf[2048], ewbuf[2048];
	struct uvs_pkt ep, inner, q;
	size_t elen;

	if (in) {
		e = flow(af, proto, a->vip, a->client, 80, 40000);
		ew = flow(af, proto, a->rs, a->client, 8080, 40000);
	} else {
		e = flow(af, proto, a->client, a->rs, 40000, 8080);
		ew = flow(af, proto, a->client, a->vip, 40000, 80);
	}
	frame_build(ebuf, &e);
	elen = frame_build(ewbuf, &ew);
	assert_int_equal(uvs_pkt_parse(ebuf, (uint32_t)elen, &ep), UVS_PKT_OK);
	elen = l4_quote ? ep.l4_off - ep.l3_off + l4_quote : ep.l3_len;

	s = (struct frame_spec){ .af = af,
				 .protocol = af == AF_INET6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP };
	/* Port unreachable for UDP, time exceeded for TCP. */
	if (af == AF_INET6)
		s.icmp_type = proto == IPPROTO_UDP ? 1 : 3,
		s.icmp_code = proto == IPPROTO_UDP ? 4 : 0;
	else
		s.icmp_type = proto == IPPROTO_UDP ? 3 : 11,
		s.icmp_code = proto == IPPROTO_UDP ? 3 : 0;
	s.payload_len = elen;
	w = s;
	s.payload = ebuf + ep.l3_off;
	w.payload = ewbuf + ep.l3_off;
	s.src = in ? a->router : a->rs;
	s.dst = in ? a->vip : a->client;
	w.src = in ? a->router : a->vip;
	w.dst = in ? a->rs : a->client;
	tf_build(&tf, &s, ROOM);
	tf_build(&want, &w, ROOM);

	assert_true(uvs_pkt_is_icmp_error(&tf.p));
	assert_int_equal(uvs_pkt_parse_icmp_inner(&tf.p, &inner), UVS_PKT_OK);
	if (in)
		uvs_icmp_relay_in(&tf.p, &inner, &to, htons(port));
	else
		uvs_icmp_relay_out(&tf.p, &inner, &to, htons(port));
	assert_frame_eq(&tf, &want);
	assert_reparse(&tf, UVS_PKT_OK);
	assert_int_equal(uvs_pkt_parse_icmp_inner(&tf.p, &q), UVS_PKT_OK);
	assert_pkt_eq(&inner, &q);
	assert_true(uvs_addr_eq(in ? &q.saddr : &q.daddr, &to));
	assert_int_equal(in ? q.sport : q.dport, htons(port));
	ref_check_ip(tf.f.data + tf.p.l3_off, tf.f.len - tf.p.l3_off);
	keep(&tf, in ? "relay in" : "relay out");
}

static void relay_all(bool in)
{
	for (int af = AF_INET; af; af = af == AF_INET ? AF_INET6 : 0) {
		relay_case(af, IPPROTO_TCP, in, 0);
		relay_case(af, IPPROTO_UDP, in, 0);
		/* Eight bytes: the UDP checksum is quoted, the TCP one is not. */
		relay_case(af, IPPROTO_TCP, in, 8);
		relay_case(af, IPPROTO_UDP, in, 8);
	}
}

static void test_relay_in(void **state)
{
	(void)state;
	relay_all(true);
}

static void test_relay_out(void **state)
{
	(void)state;
	relay_all(false);
}

/*
 * Frames at an odd address. A frame's headers sit wherever the frame does, so the
 * rewrites reach fields through memcpy (pkt/wire.h), never through a typed pointer.
 * Each operation runs on a frame as the other cases place it and on a copy one byte
 * off; both must give the same bytes. In the sanitizer build (-fsanitize=alignment,
 * halting on error) a typed access to a misaligned header stops the test.
 */
enum odd_op { ODD_NAT, ODD_GUE, ODD_GRE, ODD_ERROR, ODD_OPS };

static void odd_run(enum odd_op op, struct uvs_frame *f, struct uvs_pkt *p)
{
	const struct addrs *a = addrs(p->af);
	union uvs_addr rs = ua(p->af, a->rs), dir = ua(p->af, a->dir);
	const struct uvs_route r = { .ifindex = 3,
				     .mtu = 1500,
				     .src_mac = { 2, 0xaa, 0, 0, 0, 1 } };
	struct uvs_tun gue = { .type = UVS_TUN_TYPE_GUE, .port = htons(6080), .flags = 0 };
	struct uvs_tun gre = { .type = UVS_TUN_TYPE_GRE, .flags = UVS_TUN_F_CSUM };
	union uvs_addr dir4 = ua(AF_INET, A4.dir), rs4 = ua(AF_INET, A4.rs);
	union uvs_addr dir6 = ua(AF_INET6, A6.dir), rs6 = ua(AF_INET6, A6.rs);
	struct uvs_pkt inner;

	switch (op) {
	case ODD_NAT:
		uvs_nat_in(p, &rs, htons(8080));
		assert_int_equal(uvs_ttl_dec(p), 0);
		uvs_eth_set(p, &r);
		break;
	case ODD_GUE: /* over IPv4, whatever the inner family */
		assert_int_equal(uvs_tun_encap(f, p, AF_INET, &dir4, &rs4, &gue), 0);
		break;
	case ODD_GRE: /* over IPv6, with the GRE checksum */
		assert_int_equal(uvs_tun_encap(f, p, AF_INET6, &dir6, &rs6, &gre), 0);
		break;
	default: /* an error about the frame, then relayed as if about a NAT connection */
		assert_int_equal(uvs_icmp_error(f, p, &dir, p->af == AF_INET6 ? 2 : 3,
						p->af == AF_INET6 ? 0 : 4, 1280),
				 0);
		assert_int_equal(uvs_pkt_parse_icmp_inner(p, &inner), UVS_PKT_OK);
		uvs_icmp_relay_out(p, &inner, &rs, htons(8080));
		break;
	}
}

static void odd_case(const struct frame_spec *s)
{
	static uint8_t mem[ROOM + SPACE + 8] __attribute__((aligned(8)));
	uint8_t *odd = mem + ROOM + 1;
	struct uvs_frame f;
	struct uvs_pkt p;

	for (enum odd_op op = ODD_NAT; op < ODD_OPS; op++) {
		tf_build(&tf, s, ROOM);
		memcpy(odd, tf.f.data, tf.f.len);
		f = (struct uvs_frame){ .data = odd,
					.len = tf.f.len,
					.headroom = ROOM,
					.tailroom =
						(uint32_t)(mem + sizeof(mem) - odd) - tf.f.len };
		assert_int_equal(uvs_pkt_parse(f.data, f.len, &p), UVS_PKT_OK);
		assert_true(((uintptr_t)p.frame + p.l3_off) % 2 == 1);

		odd_run(op, &tf.f, &tf.p);
		odd_run(op, &f, &p);
		assert_int_equal(f.len, tf.f.len);
		assert_memory_equal(f.data, tf.f.data, f.len);
		assert_int_equal(p.l3_off, tf.p.l3_off);
		assert_int_equal(p.l4_off, tf.p.l4_off);
		assert_int_equal(p.l3_len, tf.p.l3_len);
		ref_check_ip(f.data + p.l3_off, f.len - p.l3_off);
	}
}

static void test_odd_address(void **state)
{
	(void)state;
	for (int af = AF_INET; af; af = af == AF_INET ? AF_INET6 : 0) {
		const struct addrs *a = addrs(af);
		struct frame_spec tcp = flow(af, IPPROTO_TCP, a->client, a->vip, 40000, 80);
		struct frame_spec udp = flow(af, IPPROTO_UDP, a->client, a->vip, 40000, 53);

		odd_case(&tcp);
		tcp.vlan = 7;
		odd_case(&tcp);
		/* Options and extension headers move L4 by 4 or 8 bytes per word or header. */
		udp.ip4_option_words = 1;
		udp.ip6_ext_headers = 2;
		odd_case(&udp);
	}
}

/* Runs last: tshark over every frame the cases above produced. */
static void test_tshark(void **state)
{
	const char *path = getenv("XMIT_PCAP");

	(void)state;
	assert_true(capture_count() >= 60);
	assert_int_equal(capture_check(path ? path : "xmit.pcap"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nat_tcp4),
		cmocka_unit_test(test_nat_udp4),
		cmocka_unit_test(test_nat_tcp6),
		cmocka_unit_test(test_nat_udp6),
		cmocka_unit_test(test_nat_udp4_no_csum),
		cmocka_unit_test(test_nat_vlan),
		cmocka_unit_test(test_nat_udp_csum_ffff),
		cmocka_unit_test(test_ttl),
		cmocka_unit_test(test_ttl_every_sum),
		cmocka_unit_test(test_eth_set),
		cmocka_unit_test(test_relay_in),
		cmocka_unit_test(test_relay_out),
		cmocka_unit_test(test_odd_address),
		XMIT_TUN_TESTS,
		XMIT_ERR_TESTS,
		cmocka_unit_test(test_tshark),
	};

	return cmocka_run_group_tests_name("xmit", tests, NULL, NULL);
}
