// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Martian sources (core/martian.h): new connections and ICMP errors from a source no
 * host may have, from the director's own addresses, from a VIP or from one of the
 * service's own real servers are dropped, each by its counter, and make no
 * connection; NAT replies from real servers, clients that are real servers of
 * another service, and sources that stopped being VIPs or real servers are not.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <netinet/ip_icmp.h>
#include <netinet/tcp.h>
#include <string.h>

#include "engine_fixture.h"

/* Client ports: each SYN of a test from a port of its own, so that none meets an
 * earlier connection (whose packets are not checked again). */
static uint16_t next_port = 30000;

/* A SYN from src to dst:80 is dropped for reason why and makes no connection. */
static void assert_martian_syn(struct eng_fixture *fx, const char *src, const char *dst,
			       enum uvs_reason why)
{
	struct frame_spec syn = frame_tcp(src, next_port++, dst, 80, TH_SYN);
	uint32_t conns = uvs_engine_conn_count(&fx->e);

	assert_int_equal(eng_send(fx, &syn), UVS_VERDICT_DROP);
	assert_int_equal(fx->f.reason, why);
	assert_int_equal(uvs_engine_conn_count(&fx->e), conns);
}

static void assert_forwarded_syn(struct eng_fixture *fx, const char *src, const char *dst)
{
	struct frame_spec syn = frame_tcp(src, next_port++, dst, 80, TH_SYN);

	assert_int_equal(eng_send(fx, &syn), UVS_VERDICT_TX);
}

static void test_sources_no_host_has(void **state)
{
	struct eng_fixture *fx = *state;
	static const char *const v4[] = {
		"0.0.0.0",   "0.1.2.3",	    "127.0.0.1", "127.9.9.9",
		"224.0.0.1", "239.255.0.1", "240.0.0.1", "255.255.255.255"
	};
	static const char *const v6[] = {
		"::", "::1", "ff02::1", "ff0e::5", "::ffff:10.1.2.3", "::ffff:127.0.0.1"
	};
	struct uvs_service *s4 = test_add_svc(&fx->env, "10.0.0.1:80", "rr");
	struct uvs_service *s6 = test_add_svc(&fx->env, "[2001:db8::1]:80", "rr");

	eng_add_dest(fx, s4, "192.168.0.11:8080", 1, UVS_FWD_MASQ);
	eng_add_dest(fx, s6, "[2001:db8:1::11]:8080", 1, UVS_FWD_MASQ);
	/* 240.0.0.0/4 is reserved, but Linux's input path lets it through: so does uvs. */
	for (size_t i = 0; i < sizeof(v4) / sizeof(v4[0]); i++) {
		if (!strcmp(v4[i], "240.0.0.1"))
			assert_forwarded_syn(fx, v4[i], "10.0.0.1");
		else
			assert_martian_syn(fx, v4[i], "10.0.0.1", UVS_R_MARTIAN_SRC);
	}
	for (size_t i = 0; i < sizeof(v6) / sizeof(v6[0]); i++)
		assert_martian_syn(fx, v6[i], "2001:db8::1", UVS_R_MARTIAN_SRC);
	assert_int_equal(eng_counter(fx, UVS_R_MARTIAN_SRC), 7 + 6);

	/* UDP too; and honest clients still get through. */
	struct frame_spec dgram = frame_udp("0.0.0.0", 68, "10.0.0.1", 80);
	struct uvs_svc_conf udp = test_svc_conf("10.0.0.1:80", "rr");
	udp.key.protocol = IPPROTO_UDP;
	assert_int_equal(uvs_svc_add(&fx->env.m, &udp, NULL), 0);
	assert_int_equal(eng_send(fx, &dgram), UVS_VERDICT_DROP);
	assert_int_equal(fx->f.reason, UVS_R_MARTIAN_SRC);
	assert_forwarded_syn(fx, "172.16.0.5", "10.0.0.1");
	assert_forwarded_syn(fx, "2001:db8:2::5", "2001:db8::1");
}

/* Any service's address, in any protocol, is martian as a source while a service has
 * it. */
static void test_vip_as_source(void **state)
{
	struct eng_fixture *fx = *state;
	struct uvs_service *web = test_add_svc(&fx->env, "10.0.0.1:80", "rr");
	struct uvs_svc_conf dns = test_svc_conf("10.0.0.2:53", "rr");
	struct uvs_svc_conf tls = test_svc_conf("10.0.0.2:443", "rr");

	dns.key.protocol = IPPROTO_UDP;
	assert_int_equal(uvs_svc_add(&fx->env.m, &dns, NULL), 0);
	assert_int_equal(uvs_svc_add(&fx->env.m, &tls, NULL), 0);
	eng_add_dest(fx, web, "192.168.0.11:8080", 1, UVS_FWD_MASQ);

	assert_martian_syn(fx, "10.0.0.1", "10.0.0.1", UVS_R_MARTIAN_SRC_VIP);
	assert_martian_syn(fx, "10.0.0.2", "10.0.0.1", UVS_R_MARTIAN_SRC_VIP);
	/* 10.0.0.2 is still the address of the TLS service. */
	assert_int_equal(uvs_svc_del(&fx->env.m, &dns.key, NULL), 0);
	assert_martian_syn(fx, "10.0.0.2", "10.0.0.1", UVS_R_MARTIAN_SRC_VIP);
	assert_int_equal(uvs_svc_del(&fx->env.m, &tls.key, NULL), 0);
	assert_forwarded_syn(fx, "10.0.0.2", "10.0.0.1");
	assert_int_equal(eng_counter(fx, UVS_R_MARTIAN_SRC_VIP), 3);
	uvs_svc_flush(&fx->env.m);
	assert_false(uvs_model_is_vip(&fx->env.m, AF_INET, &web->key.addr));
}

/* A service's own real server cannot be its client (the answer would not come back
 * through the director); its NAT replies come from that address, and it may be a
 * client of another service. */
static void test_real_server_as_client(void **state)
{
	struct eng_fixture *fx = *state;
	struct uvs_service *a = test_add_svc(&fx->env, "10.0.0.1:80", "rr");
	struct uvs_service *b = test_add_svc(&fx->env, "10.0.0.2:80", "rr");

	eng_add_dest(fx, a, "192.168.0.11:8080", 1, UVS_FWD_MASQ);
	eng_add_dest(fx, a, "192.168.0.11:8081", 1, UVS_FWD_MASQ);
	eng_add_dest(fx, a, "192.168.0.13:8080", 1, UVS_FWD_MASQ);
	eng_add_dest(fx, b, "192.168.0.12:8080", 1, UVS_FWD_MASQ);

	assert_martian_syn(fx, "192.168.0.11", "10.0.0.1", UVS_R_MARTIAN_SRC_RS);
	assert_martian_syn(fx, "192.168.0.13", "10.0.0.1", UVS_R_MARTIAN_SRC_RS);
	assert_forwarded_syn(fx, "192.168.0.11", "10.0.0.2");

	/* The connection's NAT reply comes from the real server's address. */
	struct frame_spec syn = frame_tcp("172.16.0.5", 41000, "10.0.0.1", 80, TH_SYN);
	assert_int_equal(eng_send(fx, &syn), UVS_VERDICT_TX);
	char rs[UVS_ADDR_STRLEN];
	uvs_addr_format(AF_INET, &fx->out.daddr, rs, sizeof(rs));
	struct frame_spec reply =
		frame_tcp(rs, ntohs(fx->out.dport), "172.16.0.5", 41000, TH_SYN | TH_ACK);
	assert_int_equal(eng_send(fx, &reply), UVS_VERDICT_TX);

	/* One of two ports gone: still a real server of a; both gone: a client. */
	union uvs_addr a11;
	uvs_addr_parse(AF_INET, "192.168.0.11", &a11);
	assert_int_equal(uvs_dest_del(&fx->env.m, &a->key, AF_INET, &a11, htons(8080), NULL), 0);
	assert_martian_syn(fx, "192.168.0.11", "10.0.0.1", UVS_R_MARTIAN_SRC_RS);
	assert_int_equal(uvs_dest_del(&fx->env.m, &a->key, AF_INET, &a11, htons(8081), NULL), 0);
	assert_forwarded_syn(fx, "192.168.0.11", "10.0.0.1");
	/* Back from the trash: a real server again. */
	eng_add_dest(fx, a, "192.168.0.11:8080", 1, UVS_FWD_MASQ);
	assert_martian_syn(fx, "192.168.0.11", "10.0.0.1", UVS_R_MARTIAN_SRC_RS);
	assert_int_equal(eng_counter(fx, UVS_R_MARTIAN_SRC_RS), 4);
}

static void test_director_addresses(void **state)
{
	struct eng_fixture *fx = *state;
	struct uvs_service *s4 = test_add_svc(&fx->env, "10.0.0.1:80", "rr");
	struct uvs_service *s6 = test_add_svc(&fx->env, "[2001:db8::1]:80", "rr");
	struct uvs_host_addr host[4];
	const char *text[4] = { "192.168.0.2", "192.168.0.255", "2001:db8:1::2", "192.168.0.2" };

	eng_add_dest(fx, s4, "192.168.0.11:8080", 1, UVS_FWD_MASQ);
	eng_add_dest(fx, s6, "[2001:db8:1::11]:8080", 1, UVS_FWD_MASQ);
	for (int i = 0; i < 4; i++) {
		host[i].af = strchr(text[i], ':') ? AF_INET6 : AF_INET;
		uvs_addr_parse(host[i].af, text[i], &host[i].addr);
	}
	assert_forwarded_syn(fx, "192.168.0.2", "10.0.0.1");
	assert_int_equal(uvs_engine_set_host_addrs(&fx->e, host, 4), 0);
	assert_martian_syn(fx, "192.168.0.2", "10.0.0.1", UVS_R_MARTIAN_SRC_LOCAL);
	assert_martian_syn(fx, "192.168.0.255", "10.0.0.1", UVS_R_MARTIAN_SRC_LOCAL);
	assert_martian_syn(fx, "2001:db8:1::2", "2001:db8::1", UVS_R_MARTIAN_SRC_LOCAL);
	/* The same bytes in the other family are another address. */
	assert_forwarded_syn(fx, "::c0a8:2", "2001:db8::1");
	assert_forwarded_syn(fx, "192.168.0.3", "10.0.0.1");
	/* Replaced whole: an address the director no longer has is a client's. */
	assert_int_equal(uvs_engine_set_host_addrs(&fx->e, host + 2, 1), 0);
	assert_forwarded_syn(fx, "192.168.0.2", "10.0.0.1");
	assert_martian_syn(fx, "2001:db8:1::2", "2001:db8::1", UVS_R_MARTIAN_SRC_LOCAL);
	assert_int_equal(eng_counter(fx, UVS_R_MARTIAN_SRC_LOCAL), 4);
}

/* Sends an ICMP port unreachable from src to dst quoting q; returns the verdict. */
static int send_error(struct eng_fixture *fx, const char *src, const char *dst,
		      const struct frame_spec *q)
{
	uint8_t quoted[2048];
	size_t qlen = frame_build(quoted, q);
	struct frame_spec e = { .af = AF_INET,
				.src = src,
				.dst = dst,
				.protocol = IPPROTO_ICMP,
				.icmp_type = ICMP_DEST_UNREACH,
				.icmp_code = ICMP_PORT_UNREACH,
				.payload = quoted + frame_l3_off(q),
				.payload_len = qlen - frame_l3_off(q) };

	return eng_send(fx, &e);
}

/* ICMP errors about a connection are relayed only from a source a host may have: the
 * real server itself may send one about a packet uvs sent it. */
static void test_icmp_errors(void **state)
{
	struct eng_fixture *fx = *state;
	struct uvs_service *svc = test_add_svc(&fx->env, "10.0.0.1:80", "rr");
	struct uvs_host_addr host = { .af = AF_INET };
	struct frame_spec s = frame_tcp("172.16.0.5", 40000, "10.0.0.1", 80, TH_SYN);
	struct frame_spec to_rs = frame_tcp("172.16.0.5", 40000, "192.168.0.11", 8080, TH_SYN);
	struct frame_spec to_client =
		frame_tcp("10.0.0.1", 80, "172.16.0.5", 40000, TH_SYN | TH_ACK);

	eng_add_dest(fx, svc, "192.168.0.11:8080", 1, UVS_FWD_MASQ);
	uvs_addr_parse(AF_INET, "192.168.0.2", &host.addr);
	assert_int_equal(uvs_engine_set_host_addrs(&fx->e, &host, 1), 0);
	assert_int_equal(eng_send(fx, &s), UVS_VERDICT_TX);

	assert_int_equal(send_error(fx, "10.0.0.1", "10.0.0.1", &to_client), UVS_VERDICT_DROP);
	assert_int_equal(fx->f.reason, UVS_R_MARTIAN_SRC_VIP);
	assert_int_equal(send_error(fx, "255.255.255.255", "10.0.0.1", &to_client),
			 UVS_VERDICT_DROP);
	assert_int_equal(fx->f.reason, UVS_R_MARTIAN_SRC);
	assert_int_equal(send_error(fx, "192.168.0.2", "172.16.0.5", &to_rs), UVS_VERDICT_DROP);
	assert_int_equal(fx->f.reason, UVS_R_MARTIAN_SRC_LOCAL);
	assert_int_equal(send_error(fx, "192.168.0.11", "172.16.0.5", &to_rs), UVS_VERDICT_TX);
	assert_int_equal(send_error(fx, "172.16.0.1", "10.0.0.1", &to_client), UVS_VERDICT_TX);
	/* An error about no connection of uvs's is the kernel's, whatever its source. */
	struct frame_spec other = frame_tcp("10.0.0.1", 80, "172.16.0.6", 40000, TH_SYN | TH_ACK);
	assert_int_equal(send_error(fx, "0.0.0.0", "10.0.0.1", &other), UVS_VERDICT_PASS);
	assert_int_equal(fx->f.reason, UVS_R_ICMP_UNRELATED);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, eng_setup, eng_teardown)
	const struct CMUnitTest tests[] = {
		T(test_sources_no_host_has), T(test_vip_as_source), T(test_real_server_as_client),
		T(test_director_addresses),  T(test_icmp_errors),
	};
#undef T
	return cmocka_run_group_tests_name("martian", tests, NULL, NULL);
}
