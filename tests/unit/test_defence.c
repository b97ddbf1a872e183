// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * IPVS's defences (core/defence.h): update_defense_level()'s modes 0..3 for
 * drop_entry, drop_packet and secure_tcp against the connection table's room, and
 * what each does to frames and entries; and the table at its limit, where
 * established connections go on and new ones are refused.
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

#include "core/defence.h"
#include "engine_fixture.h"

/* Bytes a connection takes of connection memory (defence.c's measure). */
#define CONN_BYTES (UVS_CONN_SLAB_BYTES / UVS_CONN_SLAB)
/* Enough random buckets for a sweep to reach each of the fixture's 1024 many times. */
#define SWEEP_ALL (1024 * 40)

static void sysctl_set(struct eng_fixture *fx, const char *name, const char *value)
{
	struct uvs_error err;

	if (uvs_sysctl_set(&fx->env.m.sysctl, name, value, &err))
		fail_msg("%s=%s: %s", name, value, err.msg);
}

static struct uvs_conn *conn_of(struct eng_fixture *fx, const char *client, uint16_t cport)
{
	union uvs_addr c, v;

	uvs_addr_parse(AF_INET, client, &c);
	uvs_addr_parse(AF_INET, "10.0.0.1", &v);
	return uvs_conn_in_get(&fx->e.conns, AF_INET, IPPROTO_TCP, &c, htons(cport), &v, htons(80),
			       false);
}

static uint8_t state_of(struct eng_fixture *fx, uint16_t cport)
{
	struct uvs_conn *c = conn_of(fx, "172.16.0.5", cport);

	assert_non_null(c);
	return c->state;
}

/* A segment from client port cport to the VIP, or from the real server back to it. */
static int client_seg(struct eng_fixture *fx, uint16_t cport, uint8_t flags)
{
	struct frame_spec s = frame_tcp("172.16.0.5", cport, "10.0.0.1", 80, flags);
	return eng_send(fx, &s);
}

static int server_seg(struct eng_fixture *fx, uint16_t cport, uint8_t flags)
{
	struct frame_spec s = frame_tcp("192.168.0.11", 80, "172.16.0.5", cport, flags);
	return eng_send(fx, &s);
}

static void nat_service(struct eng_fixture *fx)
{
	struct uvs_service *svc = test_add_svc(&fx->env, "10.0.0.1:80", "rr");
	eng_add_dest(fx, svc, "192.168.0.11:80", 1, UVS_FWD_MASQ);
}

/* ---- the levels, without an engine ---- */

static void test_avail_pages(void **state)
{
	(void)state;
	assert_int_equal(uvs_defence_avail_pages(1000, 0), 1000 * CONN_BYTES / 4096);
	assert_int_equal(uvs_defence_avail_pages(1000, 1000), 0);
	assert_int_equal(uvs_defence_avail_pages(10, 12), 0); /* over by a race: none left */
	/* The default table: about 27 connections a page. */
	assert_int_equal(uvs_defence_avail_pages(1u << 22, 0), (1ull << 22) * CONN_BYTES / 4096);
}

/* Modes 0 and 3 do not look at memory; 1 turns on and becomes 2 when memory is short,
 * 2 turns off and becomes 1 when it is back. */
static void test_drop_entry_modes(void **state)
{
	struct uvs_sysctl s;
	struct uvs_defence d = { 0 };

	(void)state;
	uvs_sysctl_init(&s, 0);
	assert_int_equal(s.amemthresh, 1024);
	uvs_defence_level(&d, &s, 0);
	assert_false(d.drop_entry);
	assert_false(d.count_pkts);

	s.drop_entry = 3;
	uvs_defence_level(&d, &s, 1 << 20);
	assert_true(d.drop_entry);
	assert_true(d.count_pkts);
	assert_int_equal(s.drop_entry, 3);

	s.drop_entry = 1;
	uvs_defence_level(&d, &s, 1024); /* not below the threshold */
	assert_false(d.drop_entry);
	assert_int_equal(s.drop_entry, 1);
	assert_true(d.count_pkts); /* counting goes on while the mode is set */
	uvs_defence_level(&d, &s, 1023);
	assert_true(d.drop_entry);
	assert_int_equal(s.drop_entry, 2);
	uvs_defence_level(&d, &s, 1000);
	assert_true(d.drop_entry);
	assert_int_equal(s.drop_entry, 2);
	uvs_defence_level(&d, &s, 2000);
	assert_false(d.drop_entry);
	assert_int_equal(s.drop_entry, 1);

	/* A negative threshold is 0: memory is never short. */
	s.amemthresh = -5;
	uvs_defence_level(&d, &s, 0);
	assert_false(d.drop_entry);
	s.drop_entry = 0;
	uvs_defence_level(&d, &s, 0);
	assert_false(d.count_pkts);
}

/* drop_packet: in modes 1 and 2 one in amemthresh / (amemthresh - availmem), in 3
 * one in am_droprate. */
static void test_drop_packet_modes(void **state)
{
	struct uvs_sysctl s;
	struct uvs_defence d = { 0 };

	(void)state;
	uvs_sysctl_init(&s, 0);
	s.drop_packet = 1;
	uvs_defence_level(&d, &s, 5000);
	assert_int_equal(d.drop_rate, 0);
	uvs_defence_level(&d, &s, 768); /* 1024 / 256 */
	assert_int_equal(d.drop_rate, 4);
	assert_int_equal(s.drop_packet, 2);
	uvs_defence_level(&d, &s, 0); /* none left: every one */
	assert_int_equal(d.drop_rate, 1);
	uvs_defence_level(&d, &s, 1024);
	assert_int_equal(d.drop_rate, 0);
	assert_int_equal(s.drop_packet, 1);

	s.drop_packet = 3;
	s.am_droprate = 7;
	uvs_defence_level(&d, &s, 1 << 20);
	assert_int_equal(d.drop_rate, 7);
	assert_int_equal(s.drop_packet, 3);
	s.drop_packet = 0;
	uvs_defence_level(&d, &s, 0);
	assert_int_equal(d.drop_rate, 0);
}

/* secure_tcp: the secure table while the mode's value is 2 or 3; the return says when
 * it changes. */
static void test_secure_tcp_modes(void **state)
{
	struct uvs_sysctl s;
	struct uvs_defence d = { 0 };

	(void)state;
	uvs_sysctl_init(&s, 0);
	assert_false(uvs_defence_level(&d, &s, 0));
	s.secure_tcp = 1;
	assert_false(uvs_defence_level(&d, &s, 4096));
	assert_false(d.secure_tcp);
	assert_true(uvs_defence_level(&d, &s, 10));
	assert_true(d.secure_tcp);
	assert_int_equal(s.secure_tcp, 2);
	assert_false(uvs_defence_level(&d, &s, 10));
	assert_true(uvs_defence_level(&d, &s, 4096));
	assert_false(d.secure_tcp);
	assert_int_equal(s.secure_tcp, 1);
	s.secure_tcp = 3;
	assert_true(uvs_defence_level(&d, &s, 1 << 20));
	assert_true(d.secure_tcp);
	s.secure_tcp = 0;
	assert_true(uvs_defence_level(&d, &s, 0));
	assert_false(d.secure_tcp);
}

static void test_todrop_counts(void **state)
{
	int countdown = 0, dropped = 0;

	(void)state;
	for (int i = 1; i <= 12; i++) {
		bool drop = uvs_defence_todrop(3, &countdown);
		assert_int_equal(drop, i % 3 == 0);
		dropped += drop;
	}
	assert_int_equal(dropped, 4);
	assert_false(uvs_defence_todrop(0, &countdown));
	assert_true(uvs_defence_todrop(1, &countdown));
	assert_true(uvs_defence_todrop(1, &countdown));
	/* A rate lowered below the countdown takes effect at once. */
	countdown = 50;
	assert_false(uvs_defence_todrop(2, &countdown));
	assert_true(uvs_defence_todrop(2, &countdown));
}

/* An idle entry with 1..8 client packets is dropped once in its count; a recent one,
 * one without packets counted, or one with more, never. */
static void test_todrop_entry(void **state)
{
	struct uvs_defence d = { 0 };
	uvs_time_t now = 1000 * S;

	(void)state;
	assert_false(uvs_defence_todrop_entry(&d, now - 59 * S, 1, now));
	assert_true(uvs_defence_todrop_entry(&d, now - 60 * S, 1, now));
	assert_true(uvs_defence_todrop_entry(&d, now - 60 * S, 1, now));
	assert_false(uvs_defence_todrop_entry(&d, now - 90 * S, 0, now));
	assert_false(uvs_defence_todrop_entry(&d, now - 90 * S, 9, now));
	/* Class 3: the first, then every third. */
	int dropped = 0;
	for (int i = 0; i < 7; i++)
		dropped += uvs_defence_todrop_entry(&d, now - 90 * S, 3, now);
	assert_int_equal(dropped, 3);
}

/* ---- through the engine ---- */

/* drop_packet 3: one in am_droprate new connections' SYNs is dropped and counted;
 * packets of existing connections never. */
static void test_engine_drop_packet(void **state)
{
	struct eng_fixture *fx = *state;
	int sent = 0;

	nat_service(fx);
	sysctl_set(fx, "drop_packet", "3");
	sysctl_set(fx, "am_droprate", "3");
	uvs_engine_defend(&fx->e, fx->env.now);
	for (uint16_t port = 40001; port <= 40009; port++)
		sent += client_seg(fx, port, TH_SYN) == UVS_VERDICT_TX;
	assert_int_equal(sent, 6);
	assert_int_equal(eng_counter(fx, UVS_R_DEFENCE_DROP_PACKET), 3);
	assert_int_equal(uvs_engine_conn_count(&fx->e), 6);
	for (int i = 0; i < 5; i++)
		assert_int_equal(client_seg(fx, 40001, TH_ACK), UVS_VERDICT_TX);
	assert_int_equal(eng_counter(fx, UVS_R_DEFENCE_DROP_PACKET), 3);

	sysctl_set(fx, "drop_packet", "0");
	uvs_engine_defend(&fx->e, fx->env.now);
	for (uint16_t port = 40011; port <= 40015; port++)
		assert_int_equal(client_seg(fx, port, TH_SYN), UVS_VERDICT_TX);
}

/* secure_tcp on a NAT connection: the client's ACK alone leaves it in SYN_RECV; it is
 * ESTABLISHED once the real server has answered. Without it, the ACK establishes. */
static void test_engine_secure_tcp_nat(void **state)
{
	struct eng_fixture *fx = *state;

	nat_service(fx);
	sysctl_set(fx, "secure_tcp", "3");
	uvs_engine_defend(&fx->e, fx->env.now);
	assert_int_equal(client_seg(fx, 40000, TH_SYN), UVS_VERDICT_TX);
	assert_int_equal(state_of(fx, 40000), UVS_TCP_S_SYN_RECV);
	assert_int_equal(client_seg(fx, 40000, TH_ACK), UVS_VERDICT_TX);
	assert_int_equal(state_of(fx, 40000), UVS_TCP_S_SYN_RECV);
	assert_int_equal(server_seg(fx, 40000, TH_SYN | TH_ACK), UVS_VERDICT_TX);
	assert_int_equal(state_of(fx, 40000), UVS_TCP_S_SYNACK);
	assert_int_equal(client_seg(fx, 40000, TH_ACK), UVS_VERDICT_TX);
	assert_int_equal(state_of(fx, 40000), UVS_TCP_S_SYNACK);
	assert_int_equal(server_seg(fx, 40000, TH_ACK), UVS_VERDICT_TX);
	assert_int_equal(state_of(fx, 40000), UVS_TCP_S_ESTABLISHED);

	sysctl_set(fx, "secure_tcp", "0");
	uvs_engine_defend(&fx->e, fx->env.now);
	assert_int_equal(client_seg(fx, 40001, TH_SYN), UVS_VERDICT_TX);
	assert_int_equal(client_seg(fx, 40001, TH_ACK), UVS_VERDICT_TX);
	assert_int_equal(state_of(fx, 40001), UVS_TCP_S_ESTABLISHED);
}

/* secure_tcp on direct routing, where only the client is seen: its SYN makes SYNACK. */
static void test_engine_secure_tcp_dr(void **state)
{
	struct eng_fixture *fx = *state;
	struct uvs_service *svc = test_add_svc(&fx->env, "10.0.0.1:80", "rr");

	eng_add_dest(fx, svc, "192.168.0.11:80", 1, UVS_FWD_DROUTE);
	sysctl_set(fx, "secure_tcp", "3");
	uvs_engine_defend(&fx->e, fx->env.now);
	assert_int_equal(client_seg(fx, 40000, TH_SYN), UVS_VERDICT_TX);
	assert_int_equal(state_of(fx, 40000), UVS_TCP_S_SYNACK);
	assert_int_equal(client_seg(fx, 40000, TH_ACK), UVS_VERDICT_TX);
	assert_int_equal(state_of(fx, 40000), UVS_TCP_S_ESTABLISHED);
}

/* drop_entry 3: half-open entries go at the first sweep; an established one only once
 * idle for 60 s with few client packets; a busy one stays. */
static void test_engine_drop_entry(void **state)
{
	struct eng_fixture *fx = *state;

	nat_service(fx);
	sysctl_set(fx, "drop_entry", "3");
	uvs_engine_defend(&fx->e, fx->env.now); /* counting starts */
	for (uint16_t port = 41000; port < 41020; port++)
		assert_int_equal(client_seg(fx, port, TH_SYN), UVS_VERDICT_TX);
	/* 40000: 2 client packets; 40001: 12. */
	for (uint16_t port = 40000; port <= 40001; port++) {
		assert_int_equal(client_seg(fx, port, TH_SYN), UVS_VERDICT_TX);
		assert_int_equal(server_seg(fx, port, TH_SYN | TH_ACK), UVS_VERDICT_TX);
		for (int i = 0; i < (port == 40000 ? 1 : 11); i++)
			assert_int_equal(client_seg(fx, port, TH_ACK), UVS_VERDICT_TX);
		assert_int_equal(state_of(fx, port), UVS_TCP_S_ESTABLISHED);
	}
	assert_int_equal(uvs_engine_conn_count(&fx->e), 22);
	assert_int_equal(uvs_defence_sweep(&fx->e, SWEEP_ALL, fx->env.now), 20);
	assert_int_equal(uvs_engine_conn_count(&fx->e), 2);
	assert_int_equal(eng_counter(fx, UVS_R_DEFENCE_DROP_ENTRY), 20);
	assert_null(conn_of(fx, "172.16.0.5", 41000));

	fx->env.now += 61 * S;
	assert_int_equal(uvs_defence_sweep(&fx->e, SWEEP_ALL, fx->env.now), 1);
	assert_null(conn_of(fx, "172.16.0.5", 40000));
	assert_non_null(conn_of(fx, "172.16.0.5", 40001));
	/* The one left still forwards. */
	assert_int_equal(client_seg(fx, 40001, TH_ACK), UVS_VERDICT_TX);
	assert_int_equal(eng_counter(fx, UVS_R_DEFENCE_DROP_ENTRY), 21);
}

/* drop_entry 1 against a real table: a flood of half-open entries leaves less room
 * than amemthresh, the mode becomes 2 and sweeps each second until room is back, then
 * returns to 1 and stops. */
static void test_engine_drop_entry_automatic(void **state)
{
	struct eng_fixture *fx = *state;
	/* The fixture's 1000 entries: the threshold is short once 33 are used. */
	long full = uvs_defence_avail_pages(1000, 0);
	char thresh[24];
	int runs = 0;

	nat_service(fx);
	snprintf(thresh, sizeof(thresh), "%ld", full - 1);
	sysctl_set(fx, "amemthresh", thresh);
	sysctl_set(fx, "drop_entry", "1");
	uvs_engine_defend(&fx->e, fx->env.now);
	assert_int_equal(fx->env.m.sysctl.drop_entry, 1);
	for (uint16_t port = 41000; port < 41060; port++)
		assert_int_equal(client_seg(fx, port, TH_SYN), UVS_VERDICT_TX);
	assert_true(uvs_defence_avail_pages(1000, 60) < full - 1);

	uvs_engine_defend(&fx->e, fx->env.now);
	assert_int_equal(fx->env.m.sysctl.drop_entry, 2);
	while (fx->env.m.sysctl.drop_entry == 2 && runs++ < 5000) {
		fx->env.now += S / 100; /* the half-open entries' 60 s is not reached */
		uvs_engine_defend(&fx->e, fx->env.now);
	}
	assert_int_equal(fx->env.m.sysctl.drop_entry, 1);
	uint32_t left = uvs_engine_conn_count(&fx->e);
	assert_true(uvs_defence_avail_pages(1000, left) >= full - 1);
	assert_true(left < 60);
	assert_int_equal(eng_counter(fx, UVS_R_DEFENCE_DROP_ENTRY), 60 - left);
}

/* At the table's limit: established connections keep forwarding both ways, a new one
 * is refused as conn_limit, and once an entry ends a new one gets in. */
static void test_engine_at_conn_limit(void **state)
{
	struct eng_fixture *fx = *state;

	nat_service(fx);
	for (uint16_t port = 40000; port <= 40001; port++) {
		assert_int_equal(client_seg(fx, port, TH_SYN), UVS_VERDICT_TX);
		assert_int_equal(server_seg(fx, port, TH_SYN | TH_ACK), UVS_VERDICT_TX);
		assert_int_equal(client_seg(fx, port, TH_ACK), UVS_VERDICT_TX);
	}
	for (int i = 0; i < 3; i++) {
		assert_int_equal(client_seg(fx, (uint16_t)(40002 + i), TH_SYN), UVS_VERDICT_DROP);
		assert_int_equal(fx->f.reason, UVS_R_CONN_LIMIT);
		assert_int_equal(client_seg(fx, 40000, TH_ACK | TH_PUSH), UVS_VERDICT_TX);
		assert_int_equal(server_seg(fx, 40001, TH_ACK | TH_PUSH), UVS_VERDICT_TX);
	}
	assert_int_equal(eng_counter(fx, UVS_R_CONN_LIMIT), 3);
	/* 40000 is reset; its CLOSE lasts 10 s, then there is room again. */
	assert_int_equal(client_seg(fx, 40000, TH_RST), UVS_VERDICT_TX);
	fx->env.now += 11 * S;
	assert_int_equal(client_seg(fx, 40002, TH_SYN), UVS_VERDICT_TX);
	assert_int_equal(server_seg(fx, 40001, TH_ACK), UVS_VERDICT_TX);
	assert_int_equal(eng_counter(fx, UVS_R_CONN_LIMIT), 3);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, eng_setup, eng_teardown)
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_avail_pages),
		cmocka_unit_test(test_drop_entry_modes),
		cmocka_unit_test(test_drop_packet_modes),
		cmocka_unit_test(test_secure_tcp_modes),
		cmocka_unit_test(test_todrop_counts),
		cmocka_unit_test(test_todrop_entry),
		T(test_engine_drop_packet),
		T(test_engine_secure_tcp_nat),
		T(test_engine_secure_tcp_dr),
		T(test_engine_drop_entry),
		T(test_engine_drop_entry_automatic),
		cmocka_unit_test_setup_teardown(test_engine_at_conn_limit, eng_setup_small,
						eng_teardown),
	};
#undef T
	return cmocka_run_group_tests_name("defence", tests, NULL, NULL);
}
