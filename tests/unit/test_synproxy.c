// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The SYN proxy (core/synproxy.h) through the engine: a SYN answered with a cookie and
 * no entry; an ACK without a valid cookie dropped; a valid one makes the connection
 * and the real server's SYN (the client's number, MSS only); the real server's
 * SYN-ACK answered with the ACK; then the real server's numbers translated both ways
 * for the life of the connection; resets; real servers that are not NAT.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>

#include "core/synproxy.h"
#include "engine_fixture.h"
#include "pkt/wire.h"
#include "xmit/tcp_craft.h"

#define CLIENT	   "172.16.0.5"
#define VIP	   "10.0.0.1"
#define RS	   "192.168.0.11"
#define CPORT	   40000
#define CLIENT_ISN 1000000u
#define RS_ISN	   7000000u

/* Sends one TCP segment with these numbers, the MSS option if mss, and len bytes of
 * payload; returns the verdict (a sent frame is parsed into fx->out). */
static int seg(struct eng_fixture *fx, const char *src, uint16_t sport, const char *dst,
	       uint16_t dport, uint8_t flags, uint32_t seq, uint32_t ack, uint16_t mss, size_t len)
{
	static const uint8_t payload[64] = "GET / HTTP/1.0\r\n\r\n";
	uint8_t *data = fx->buf + UVS_FRAME_HEADROOM;
	struct frame_spec s = frame_tcp(src, sport, dst, dport, flags);
	struct uvs_pkt p;
	uint8_t *t;
	size_t n;

	s.payload = payload;
	s.payload_len = len;
	n = frame_build(data, &s);
	if (mss) { /* 4 bytes of option between the header and the payload */
		assert_int_equal(uvs_pkt_parse(data, (uint32_t)n, &p), UVS_PKT_OK);
		t = data + p.l4_off;
		memmove(t + 24, t + 20, len);
		t[20] = UVS_TCPOPT_MSS;
		t[21] = UVS_TCPOLEN_MSS;
		uvs_put16(t + 22, mss);
		t[12] = 6 << 4;
		n += 4;
		uvs_put16(data + p.l3_off + 2, (uint16_t)(p.l3_len + 4)); /* IPv4 total length */
		uvs_put16(data + p.l3_off + 10, 0);
		uvs_put16(data + p.l3_off + 10, ref_csum(data + p.l3_off, 20, 0));
	}
	assert_int_equal(uvs_pkt_parse(data, (uint32_t)n, &p), UVS_PKT_OK);
	t = data + p.l4_off;
	uvs_put32(t + 4, seq);
	uvs_put32(t + 8, ack);
	uvs_put16(t + 16, 0);
	uvs_put16(t + 16,
		  ref_csum(t, p.l4_len,
			   ref_pseudo_sum(p.af, (const uint8_t *)&p.saddr,
					  (const uint8_t *)&p.daddr, IPPROTO_TCP, p.l4_len)));
	fx->f = (struct uvs_frame){
		.data = data,
		.len = (uint32_t)n,
		.headroom = UVS_FRAME_HEADROOM,
		.tailroom = (uint32_t)(sizeof(fx->buf) - UVS_FRAME_HEADROOM - n),
		.ifindex = 1,
	};
	uvs_engine_process(&fx->w, &fx->f, 1, fx->env.now);
	if (fx->f.verdict == UVS_VERDICT_TX) {
		assert_int_equal(uvs_pkt_parse(fx->f.data, fx->f.len, &fx->out), UVS_PKT_OK);
		assert_true(uvs_pkt_l4_csum_ok(&fx->out));
	}
	return fx->f.verdict;
}

static int from_client(struct eng_fixture *fx, uint8_t flags, uint32_t seq, uint32_t ack,
		       size_t len)
{
	return seg(fx, CLIENT, CPORT, VIP, 80, flags, seq, ack, flags & TH_SYN ? 1460 : 0, len);
}

static int from_rs(struct eng_fixture *fx, uint8_t flags, uint32_t seq, uint32_t ack, size_t len)
{
	return seg(fx, RS, 80, CLIENT, CPORT, flags, seq, ack, flags & TH_SYN ? 1460 : 0, len);
}

static uint32_t out_seq(struct eng_fixture *fx)
{
	return uvs_get32(fx->out.frame + fx->out.l4_off + 4);
}

static uint32_t out_ack(struct eng_fixture *fx)
{
	return uvs_get32(fx->out.frame + fx->out.l4_off + 8);
}

static int setup(void **state)
{
	struct eng_fixture *fx;

	eng_setup(state);
	fx = *state;
	fx->e.defence.syn_proxy = 1;
	return 0;
}

static struct uvs_service *nat_service(struct eng_fixture *fx, uint32_t fwd)
{
	struct uvs_service *svc = test_add_svc(&fx->env, VIP ":80", "rr");
	eng_add_dest(fx, svc, RS ":80", 1, fwd);
	return svc;
}

/* The SYN-ACK of a client's SYN: from the VIP, the cookie as its number, MSS only. */
static uint32_t handshake_client(struct eng_fixture *fx)
{
	uint32_t cookie;

	assert_int_equal(from_client(fx, TH_SYN, CLIENT_ISN, 0, 0), UVS_VERDICT_TX);
	assert_int_equal(fx->out.tcp_flags, TH_SYN | TH_ACK);
	eng_assert_addr(AF_INET, &fx->out.saddr, VIP);
	eng_assert_addr(AF_INET, &fx->out.daddr, CLIENT);
	assert_int_equal(ntohs(fx->out.sport), 80);
	assert_int_equal(ntohs(fx->out.dport), CPORT);
	assert_int_equal(out_ack(fx), CLIENT_ISN + 1);
	assert_int_equal(uvs_tcp_mss(&fx->out), 1460);
	assert_int_equal(fx->out.l4_len, 24); /* no option but the MSS, no payload */
	cookie = out_seq(fx);
	assert_int_equal(uvs_engine_conn_count(&fx->e), 0);
	return cookie;
}

/* SYN, cookie, ACK: the real server gets a SYN with the client's number. */
static uint32_t to_rs_syn(struct eng_fixture *fx)
{
	uint32_t cookie = handshake_client(fx);

	assert_int_equal(from_client(fx, TH_ACK, CLIENT_ISN + 1, cookie + 1, 0), UVS_VERDICT_TX);
	assert_int_equal(fx->out.tcp_flags, TH_SYN);
	eng_assert_addr(AF_INET, &fx->out.daddr, RS);
	eng_assert_addr(AF_INET, &fx->out.saddr, CLIENT);
	assert_int_equal(out_seq(fx), CLIENT_ISN);
	assert_int_equal(uvs_tcp_mss(&fx->out), 1460);
	assert_int_equal(uvs_engine_conn_count(&fx->e), 1);
	return cookie;
}

static void test_syn_answered_without_entry(void **state)
{
	struct eng_fixture *fx = *state;

	nat_service(fx, UVS_FWD_MASQ);
	handshake_client(fx);
	assert_int_equal(eng_counter(fx, UVS_R_SYNPROXY_COOKIE), 1);
	/* The same SYN again gets the same cookie (within its minute). */
	uint32_t first = out_seq(fx);
	assert_int_equal(from_client(fx, TH_SYN, CLIENT_ISN, 0, 0), UVS_VERDICT_TX);
	assert_int_equal(out_seq(fx), first);
	/* A flood of SYNs from many sources: answered, no entry, nothing to the RS. */
	for (int i = 0; i < 50; i++) {
		char src[32];
		snprintf(src, sizeof(src), "198.18.%d.%d", i / 200, i % 200 + 1);
		assert_int_equal(seg(fx, src, (uint16_t)(2000 + i), VIP, 80, TH_SYN, (uint32_t)i, 0,
				     1460, 0),
				 UVS_VERDICT_TX);
		eng_assert_addr(AF_INET, &fx->out.daddr, src);
	}
	assert_int_equal(uvs_engine_conn_count(&fx->e), 0);
}

static void test_bad_cookie_dropped(void **state)
{
	struct eng_fixture *fx = *state;
	uint32_t cookie;

	nat_service(fx, UVS_FWD_MASQ);
	cookie = handshake_client(fx);
	assert_int_equal(from_client(fx, TH_ACK, CLIENT_ISN + 1, cookie + 2, 0), UVS_VERDICT_DROP);
	assert_int_equal(fx->f.reason, UVS_R_SYNPROXY_BAD_COOKIE);
	/* Another client number: the MAC covers it. */
	assert_int_equal(from_client(fx, TH_ACK, CLIENT_ISN + 2, cookie + 1, 0), UVS_VERDICT_DROP);
	/* Too old: two minutes later. */
	fx->env.now += 2 * UVS_SYNPROXY_PERIOD_S * S;
	assert_int_equal(from_client(fx, TH_ACK, CLIENT_ISN + 1, cookie + 1, 0), UVS_VERDICT_DROP);
	assert_int_equal(eng_counter(fx, UVS_R_SYNPROXY_BAD_COOKIE), 3);
	assert_int_equal(uvs_engine_conn_count(&fx->e), 0);
}

/* The whole life: handshakes, data both ways translated, the client's data before
 * the real server answered dropped, a retransmitted SYN-ACK answered again. */
static void test_connection_translated(void **state)
{
	struct eng_fixture *fx = *state;
	uint32_t cookie, delta;

	nat_service(fx, UVS_FWD_MASQ);
	cookie = to_rs_syn(fx);
	delta = cookie - RS_ISN;
	/* The client's request before the real server answered: its first segment, so
	 * the SYN goes again in its place (its data is lost; the client sends it again);
	 * a later segment is dropped. */
	assert_int_equal(from_client(fx, TH_ACK | TH_PUSH, CLIENT_ISN + 1, cookie + 1, 18),
			 UVS_VERDICT_TX);
	assert_int_equal(fx->out.tcp_flags, TH_SYN);
	assert_int_equal(out_seq(fx), CLIENT_ISN);
	assert_int_equal(fx->out.l4_len, 24);
	assert_int_equal(from_client(fx, TH_ACK | TH_PUSH, CLIENT_ISN + 19, cookie + 1, 18),
			 UVS_VERDICT_DROP);
	assert_int_equal(fx->f.reason, UVS_R_SYNPROXY_WAIT);

	/* The real server's SYN-ACK: the director's ACK to it, from the client. */
	assert_int_equal(from_rs(fx, TH_SYN | TH_ACK, RS_ISN, CLIENT_ISN + 1, 0), UVS_VERDICT_TX);
	assert_int_equal(fx->out.tcp_flags, TH_ACK);
	eng_assert_addr(AF_INET, &fx->out.saddr, CLIENT);
	eng_assert_addr(AF_INET, &fx->out.daddr, RS);
	assert_int_equal(ntohs(fx->out.sport), CPORT);
	assert_int_equal(out_seq(fx), CLIENT_ISN + 1);
	assert_int_equal(out_ack(fx), RS_ISN + 1);
	assert_int_equal(eng_counter(fx, UVS_R_SYNPROXY_HANDSHAKE), 1);

	/* The request again: its acknowledgement in the real server's numbers. */
	assert_int_equal(from_client(fx, TH_ACK | TH_PUSH, CLIENT_ISN + 1, cookie + 1, 18),
			 UVS_VERDICT_TX);
	eng_assert_addr(AF_INET, &fx->out.daddr, RS);
	assert_int_equal(out_seq(fx), CLIENT_ISN + 1);
	assert_int_equal(out_ack(fx), RS_ISN + 1);
	assert_int_equal(fx->out.l4_len, 20 + 18);
	/* The answer: from the VIP, in the cookie's numbers. */
	assert_int_equal(from_rs(fx, TH_ACK | TH_PUSH, RS_ISN + 1, CLIENT_ISN + 19, 40),
			 UVS_VERDICT_TX);
	eng_assert_addr(AF_INET, &fx->out.saddr, VIP);
	assert_int_equal(out_seq(fx), cookie + 1);
	assert_int_equal(out_seq(fx), RS_ISN + 1 + delta);
	assert_int_equal(out_ack(fx), CLIENT_ISN + 19);

	/* A SYN-ACK sent again (the ACK was lost) is answered again, the offset kept. */
	assert_int_equal(from_rs(fx, TH_SYN | TH_ACK, RS_ISN, CLIENT_ISN + 1, 0), UVS_VERDICT_TX);
	assert_int_equal(out_ack(fx), RS_ISN + 1);
	assert_int_equal(from_rs(fx, TH_ACK | TH_FIN, RS_ISN + 41, CLIENT_ISN + 19, 0),
			 UVS_VERDICT_TX);
	assert_int_equal(out_seq(fx), cookie + 41);
	assert_int_equal(from_client(fx, TH_ACK | TH_FIN, CLIENT_ISN + 19, cookie + 42, 0),
			 UVS_VERDICT_TX);
	assert_int_equal(out_ack(fx), RS_ISN + 42);
	assert_int_equal(from_rs(fx, TH_ACK, RS_ISN + 42, CLIENT_ISN + 20, 0), UVS_VERDICT_TX);
	assert_int_equal(out_seq(fx), cookie + 42);
}

/* The real server refuses: the client gets a reset at the number it expects. */
static void test_rs_reset(void **state)
{
	struct eng_fixture *fx = *state;
	uint32_t cookie;

	nat_service(fx, UVS_FWD_MASQ);
	cookie = to_rs_syn(fx);
	assert_int_equal(from_rs(fx, TH_RST | TH_ACK, 0, CLIENT_ISN + 1, 0), UVS_VERDICT_TX);
	assert_true(fx->out.tcp_flags & TH_RST);
	eng_assert_addr(AF_INET, &fx->out.saddr, VIP);
	assert_int_equal(out_seq(fx), cookie + 1);
}

/* By direct routing the real server's numbers never pass: the client is reset. */
static void test_not_nat_reset(void **state)
{
	struct eng_fixture *fx = *state;
	uint32_t cookie;

	nat_service(fx, UVS_FWD_DROUTE);
	cookie = handshake_client(fx);
	assert_int_equal(from_client(fx, TH_ACK, CLIENT_ISN + 1, cookie + 1, 0), UVS_VERDICT_TX);
	assert_int_equal(fx->out.tcp_flags, TH_RST);
	eng_assert_addr(AF_INET, &fx->out.daddr, CLIENT);
	assert_int_equal(out_seq(fx), cookie + 1);
	assert_int_equal(eng_counter(fx, UVS_R_SYNPROXY_NOT_NAT), 1);
	assert_int_equal(uvs_engine_conn_count(&fx->e), 0);
}

/* The FTP helper's port (21 by default) is left to the helper: scheduled as ever. */
static void test_ftp_port_left_alone(void **state)
{
	struct eng_fixture *fx = *state;
	struct uvs_service *svc = test_add_svc(&fx->env, VIP ":21", "rr");

	eng_add_dest(fx, svc, RS ":21", 1, UVS_FWD_MASQ);
	assert_int_equal(seg(fx, CLIENT, CPORT, VIP, 21, TH_SYN, CLIENT_ISN, 0, 1460, 0),
			 UVS_VERDICT_TX);
	eng_assert_addr(AF_INET, &fx->out.daddr, RS);
	assert_int_equal(out_seq(fx), CLIENT_ISN);
	assert_int_equal(eng_counter(fx, UVS_R_SYNPROXY_COOKIE), 0);
}

/* Off (the default): SYNs are scheduled as ever. */
static void test_off(void **state)
{
	struct eng_fixture *fx = *state;

	fx->e.defence.syn_proxy = 0;
	nat_service(fx, UVS_FWD_MASQ);
	assert_int_equal(from_client(fx, TH_SYN, CLIENT_ISN, 0, 0), UVS_VERDICT_TX);
	eng_assert_addr(AF_INET, &fx->out.daddr, RS);
	assert_int_equal(out_seq(fx), CLIENT_ISN);
	assert_int_equal(uvs_engine_conn_count(&fx->e), 1);
}

static void test_cookie_rules(void **state)
{
	struct uvs_siphash_key k = { 1, 2 }, other = { 1, 3 };
	struct uvs_pkt p = { .af = AF_INET, .sport = htons(1234), .dport = htons(80) };
	uint16_t mss = 0;
	uint32_t c;

	(void)state;
	p.saddr.ip = htonl(0xac100005);
	p.daddr.ip = htonl(0x0a000001);
	c = uvs_synproxy_cookie(&k, &p, 42, 1000, 1400);
	assert_int_equal(c & 3, 1); /* 1220: the largest not above 1400 */
	assert_true(uvs_synproxy_cookie_ok(&k, &p, 42, c, 1000, &mss));
	assert_int_equal(mss, 1220);
	assert_true(uvs_synproxy_cookie_ok(&k, &p, 42, c, 1001, &mss));
	assert_false(uvs_synproxy_cookie_ok(&k, &p, 42, c, 1002, &mss));
	assert_false(uvs_synproxy_cookie_ok(&k, &p, 42, c, 999, &mss));
	assert_false(uvs_synproxy_cookie_ok(&other, &p, 42, c, 1000, &mss));
	assert_false(uvs_synproxy_cookie_ok(&k, &p, 43, c, 1000, &mss));
	p.sport = htons(1235);
	assert_false(uvs_synproxy_cookie_ok(&k, &p, 42, c, 1000, &mss));
	assert_int_equal(uvs_synproxy_cookie(&k, &p, 42, 1000, 100) & 3, 0);
	assert_int_equal(uvs_synproxy_cookie(&k, &p, 42, 1000, 9000) & 3, 3);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, eng_teardown)
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cookie_rules),
		T(test_syn_answered_without_entry),
		T(test_bad_cookie_dropped),
		T(test_connection_translated),
		T(test_rs_reset),
		T(test_not_nat_reset),
		T(test_ftp_port_left_alone),
		T(test_off),
	};
#undef T
	return cmocka_run_group_tests_name("synproxy", tests, NULL, NULL);
}
