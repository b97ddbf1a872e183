// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A sync master's side of the engine: when the kernel's rules send a connection (TCP
 * states, sync_threshold and its period, sync_refresh_period and sync_retries,
 * persistence templates and sync_persist_mode, one-packet services, version 0), what
 * the entry holds, a full ring, the doorbell, a re-armed template, and the copy of the
 * whole table.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <netinet/tcp.h>
#include <string.h>

#include "sync_fixture.h"

#define CLIENT "172.16.0.5"
#define VIP    "10.0.0.1"
#define RS1    "192.168.0.11"

static void set(struct sync_node *n, const char *name, const char *value)
{
	struct uvs_error err;

	if (uvs_sysctl_set(&n->m->sysctl, name, value, &err))
		fail_msg("%s", err.msg);
}

/* Sends n client packets of one UDP flow to a; returns how many entries it queued. */
static unsigned udp_packets(struct sync_fixture *fx, int n, uint16_t sport)
{
	struct frame_spec s = frame_udp(CLIENT, sport, VIP, 53);
	struct uvs_sync_conn e[64];
	unsigned queued = 0;

	for (int i = 0; i < n; i++) {
		assert_int_equal(sync_send(fx, &fx->a, &s), UVS_VERDICT_TX);
		queued += sync_take(&fx->a, e, 64);
	}
	return queued;
}

static struct sync_fixture *udp_master(void **state)
{
	struct sync_fixture *fx = *state;
	struct uvs_service *svc = sync_add_svc(&fx->a, VIP ":53", true, 0, 0);

	sync_add_dest(&fx->a, svc, RS1 ":53", UVS_FWD_MASQ);
	sync_master_start(&fx->a, 64);
	return fx;
}

/* TCP: nothing before ESTABLISHED; then the 3rd packet and every 50th after it; a
 * change to a state other than ESTABLISHED at once. */
static void test_tcp_rules(void **state)
{
	struct sync_fixture *fx = *state;
	struct uvs_service *svc = sync_add_svc(&fx->a, VIP ":80", false, 0, 0);
	struct frame_spec syn = frame_tcp(CLIENT, 40000, VIP, 80, TH_SYN);
	struct frame_spec synack = frame_tcp(RS1, 8080, CLIENT, 40000, TH_SYN | TH_ACK);
	struct frame_spec ack = frame_tcp(CLIENT, 40000, VIP, 80, TH_ACK);
	struct frame_spec fin = frame_tcp(CLIENT, 40000, VIP, 80, TH_FIN | TH_ACK);
	struct uvs_sync_conn e[8];

	sync_add_dest(&fx->a, svc, RS1 ":8080", UVS_FWD_MASQ);
	sync_master_start(&fx->a, 64);
	assert_int_equal(sync_send(fx, &fx->a, &syn), UVS_VERDICT_TX);
	assert_int_equal(sync_send(fx, &fx->a, &synack), UVS_VERDICT_TX);
	assert_int_equal(sync_send(fx, &fx->a, &ack), UVS_VERDICT_TX); /* 2: ESTABLISHED */
	assert_int_equal(sync_take(&fx->a, e, 8), 0);
	assert_int_equal(sync_send(fx, &fx->a, &ack), UVS_VERDICT_TX); /* 3 */
	assert_int_equal(sync_take(&fx->a, e, 8), 1);
	assert_int_equal(e[0].af, AF_INET);
	assert_int_equal(e[0].protocol, IPPROTO_TCP);
	sync_assert_addr(AF_INET, &e[0].caddr, CLIENT);
	sync_assert_addr(AF_INET, &e[0].vaddr, VIP);
	sync_assert_addr(AF_INET, &e[0].daddr, RS1);
	assert_int_equal(ntohs(e[0].cport), 40000);
	assert_int_equal(ntohs(e[0].vport), 80);
	assert_int_equal(ntohs(e[0].dport), 8080);
	assert_int_equal(e[0].state, UVS_TCP_S_ESTABLISHED);
	assert_int_equal(e[0].timeout, 900);
	assert_int_equal(e[0].flags, UVS_FWD_MASQ); /* active, a reply seen, not HASHED */
	assert_int_equal(e[0].fwmark, 0);
	for (int i = 4; i <= 52; i++)
		assert_int_equal(sync_send(fx, &fx->a, &ack), UVS_VERDICT_TX);
	assert_int_equal(sync_take(&fx->a, e, 8), 0);
	assert_int_equal(sync_send(fx, &fx->a, &ack), UVS_VERDICT_TX); /* 53 */
	assert_int_equal(sync_take(&fx->a, e, 8), 1);
	/* The client's FIN: CLOSE_WAIT, sent at once; not again in the same state. */
	assert_int_equal(sync_send(fx, &fx->a, &fin), UVS_VERDICT_TX);
	assert_int_equal(sync_take(&fx->a, e, 8), 1);
	assert_int_equal(e[0].state, UVS_TCP_S_CLOSE_WAIT);
	assert_int_equal(e[0].timeout, 60);
	assert_int_equal(sync_send(fx, &fx->a, &ack), UVS_VERDICT_TX);
	assert_int_equal(sync_take(&fx->a, e, 8), 0);
}

/* UDP, and the two numbers of sync_threshold. */
static void test_udp_threshold_and_period(void **state)
{
	struct sync_fixture *fx = udp_master(state);

	assert_int_equal(udp_packets(fx, 2, 5000), 0);
	assert_int_equal(udp_packets(fx, 1, 5000), 1); /* 3 */
	assert_int_equal(udp_packets(fx, 49, 5000), 0);
	assert_int_equal(udp_packets(fx, 1, 5000), 1); /* 53 */
	/* Threshold 1 without a period: once, at the first packet. */
	set(&fx->a, "sync_threshold", "1 0");
	assert_int_equal(udp_packets(fx, 1, 5001), 1);
	assert_int_equal(udp_packets(fx, 100, 5001), 0);
	/* Threshold 0 of period 10: the 10th, 20th... */
	set(&fx->a, "sync_threshold", "0 10");
	assert_int_equal(udp_packets(fx, 9, 5002), 0);
	assert_int_equal(udp_packets(fx, 1, 5002), 1);
	assert_int_equal(udp_packets(fx, 10, 5002), 1);
}

/* sync_refresh_period: not again until the expiry moved by that much; sync_retries
 * retries after an eighth of the period. */
static void test_refresh_period_and_retries(void **state)
{
	struct sync_fixture *fx = udp_master(state);

	set(&fx->a, "sync_refresh_period", "60");
	assert_int_equal(udp_packets(fx, 3, 6000), 1);
	assert_int_equal(udp_packets(fx, 50, 6000), 0); /* 53: too soon */
	fx->env.now += 61 * S;
	assert_int_equal(udp_packets(fx, 50, 6000), 1); /* 103: moved 61 s */
	/* One retry, no sooner than 7.5 s after. */
	set(&fx->a, "sync_retries", "1");
	fx->env.now += 7 * S;
	assert_int_equal(udp_packets(fx, 50, 6000), 0);
	fx->env.now += 1 * S;
	assert_int_equal(udp_packets(fx, 50, 6000), 1);
	assert_int_equal(udp_packets(fx, 50, 6000), 0); /* the retry is spent */
}

/* A persistent service's template goes at each packet of its connections (the
 * kernel's templates pass the threshold's test; only sync_refresh_period or a period
 * of 0 makes them rarer), and before the connection when that is due; with
 * sync_persist_mode the template alone. */
static void test_persistence_template(void **state)
{
	struct sync_fixture *fx = *state;
	struct uvs_service *svc = sync_add_svc(&fx->a, VIP ":53", true, UVS_SVC_F_PERSISTENT, 300);
	struct uvs_sync_conn e[8];

	sync_add_dest(&fx->a, svc, RS1 ":53", UVS_FWD_MASQ);
	sync_master_start(&fx->a, 64);
	assert_int_equal(udp_packets(fx, 2, 7000), 2);
	struct frame_spec s = frame_udp(CLIENT, 7000, VIP, 53);
	assert_int_equal(sync_send(fx, &fx->a, &s), UVS_VERDICT_TX);
	assert_int_equal(sync_take(&fx->a, e, 8), 2);
	assert_false(e[0].flags & UVS_CONN_F_TEMPLATE);
	assert_true(e[1].flags & UVS_CONN_F_TEMPLATE);
	assert_int_equal(e[1].protocol, IPPROTO_UDP);
	sync_assert_addr(AF_INET, &e[1].caddr, "172.16.0.0"); /* the client's /24 */
	assert_int_equal(e[1].cport, 0);
	assert_int_equal(ntohs(e[1].vport), 53);
	sync_assert_addr(AF_INET, &e[1].daddr, RS1);
	assert_int_equal(e[1].timeout, 300);
	/* Only templates, each time one of its connections has a packet. */
	set(&fx->a, "sync_persist_mode", "1");
	assert_int_equal(sync_send(fx, &fx->a, &s), UVS_VERDICT_TX);
	assert_int_equal(sync_take(&fx->a, e, 8), 1);
	assert_true(e[0].flags & UVS_CONN_F_TEMPLATE);
}

/* A one-packet service: no connection is ever sent, its template is. */
static void test_one_packet(void **state)
{
	struct sync_fixture *fx = *state;
	struct uvs_service *svc = sync_add_svc(&fx->a, VIP ":53", true,
					       UVS_SVC_F_PERSISTENT | UVS_SVC_F_ONEPACKET, 300);
	struct uvs_sync_conn e[8];

	sync_add_dest(&fx->a, svc, RS1 ":53", UVS_FWD_MASQ);
	sync_master_start(&fx->a, 64);
	for (int i = 0; i < 2; i++) {
		struct frame_spec s = frame_udp(CLIENT, (uint16_t)(8000 + i), VIP, 53);
		assert_int_equal(sync_send(fx, &fx->a, &s), UVS_VERDICT_TX);
		assert_int_equal(sync_take(&fx->a, e, 8), 1);
		assert_true(e[0].flags & UVS_CONN_F_TEMPLATE);
	}
	/* Version 0 sends a template only with its connection: never here. */
	set(&fx->a, "sync_version", "0");
	struct frame_spec s = frame_udp(CLIENT, 8100, VIP, 53);
	assert_int_equal(sync_send(fx, &fx->a, &s), UVS_VERDICT_TX);
	assert_int_equal(sync_take(&fx->a, e, 8), 0);
}

/* Version 0 carries IPv4 only. */
static void test_version0_ipv4_only(void **state)
{
	struct sync_fixture *fx = *state;
	struct uvs_service *s4 = sync_add_svc(&fx->a, VIP ":53", true, 0, 0);
	struct uvs_service *s6 = sync_add_svc(&fx->a, "[2001:db8:f::1]:53", true, 0, 0);
	struct uvs_sync_conn e[8];
	unsigned n = 0;

	sync_add_dest(&fx->a, s4, RS1 ":53", UVS_FWD_MASQ);
	sync_add_dest(&fx->a, s6, "[2001:db8:1::11]:53", UVS_FWD_MASQ);
	sync_master_start(&fx->a, 64);
	set(&fx->a, "sync_version", "0");
	for (int i = 0; i < 3; i++) {
		struct frame_spec a = frame_udp("2001:db8:c::2", 9000, "2001:db8:f::1", 53);
		assert_int_equal(sync_send(fx, &fx->a, &a), UVS_VERDICT_TX);
		n += sync_take(&fx->a, e, 8);
	}
	assert_int_equal(n, 0);
	assert_int_equal(udp_packets(fx, 3, 9000), 1);
	/* Version 1 carries IPv6. */
	set(&fx->a, "sync_version", "1");
	for (int i = 0; i < 50; i++) {
		struct frame_spec a = frame_udp("2001:db8:c::2", 9000, "2001:db8:f::1", 53);
		assert_int_equal(sync_send(fx, &fx->a, &a), UVS_VERDICT_TX);
		n += sync_take(&fx->a, e, 8);
	}
	assert_int_equal(n, 1);
	assert_int_equal(e[0].af, AF_INET6);
	sync_assert_addr(AF_INET6, &e[0].daddr, "2001:db8:1::11");
}

/* A ring that fills loses entries, counted; the doorbell rings once as it fills. */
static void test_full_ring_and_doorbell(void **state)
{
	struct sync_fixture *fx = udp_master(state);
	struct uvs_sync_conn e[64];

	for (int f = 0; f < 70; f++) {
		struct frame_spec s = frame_udp(CLIENT, (uint16_t)(10000 + f), VIP, 53);
		for (int i = 0; i < 3; i++)
			assert_int_equal(sync_send(fx, &fx->a, &s), UVS_VERDICT_TX);
		if (f == UVS_SYNC_WAKE_AT - 2)
			assert_int_equal(fx->a.wakes, 0);
	}
	assert_int_equal(fx->a.wakes, 1);
	assert_int_equal(sync_counter(&fx->a, UVS_R_SYNC_QUEUE_FULL), 70 - 64);
	assert_int_equal(sync_take(&fx->a, e, 64), 64);
	assert_int_equal(ntohs(e[63].cport), 10063); /* the oldest kept, the newest lost */
}

/* A template that controls a connection when it expires lives 60 s more, and is sent
 * with that timeout. */
static void test_template_rearmed(void **state)
{
	struct sync_fixture *fx = *state;
	struct uvs_service *svc = sync_add_svc(&fx->a, VIP ":80", false, UVS_SVC_F_PERSISTENT, 5);
	struct frame_spec syn = frame_tcp(CLIENT, 41000, VIP, 80, TH_SYN);
	struct uvs_sync_conn e[8];

	sync_add_dest(&fx->a, svc, RS1 ":80", UVS_FWD_DROUTE);
	sync_master_start(&fx->a, 64);
	assert_int_equal(sync_send(fx, &fx->a, &syn), UVS_VERDICT_TX); /* SYN_RECV, 60 s */
	assert_int_equal(sync_take(&fx->a, e, 8), 1);		       /* the template */
	assert_int_equal(e[0].timeout, 5);
	fx->env.now += 10 * S;
	uvs_worker_timers(&fx->a.w, fx->env.now);
	assert_int_equal(sync_take(&fx->a, e, 8), 1);
	assert_true(e[0].flags & UVS_CONN_F_TEMPLATE);
	assert_int_equal(e[0].timeout, 60);
	assert_int_equal(e[0].flags & UVS_FWD_MASK, UVS_FWD_DROUTE);
}

/* The whole table, in calls of at most max entries. */
static void test_dump(void **state)
{
	struct sync_fixture *fx = *state;
	struct uvs_service *svc = sync_add_svc(&fx->a, VIP ":80", false, UVS_SVC_F_PERSISTENT, 300);
	struct uvs_sync_conn e[2];
	uint64_t cursor = 0;
	size_t n, total = 0, templates = 0;

	sync_add_dest(&fx->a, svc, RS1 ":80", UVS_FWD_MASQ);
	for (int i = 0; i < 5; i++) {
		struct frame_spec syn = frame_tcp(CLIENT, (uint16_t)(42000 + i), VIP, 80, TH_SYN);
		assert_int_equal(sync_send(fx, &fx->a, &syn), UVS_VERDICT_TX);
	}
	while ((n = uvs_sync_dump(&fx->a.e, &cursor, e, 2)) > 0) {
		assert_true(n <= 2);
		for (size_t i = 0; i < n; i++) {
			templates += !!(e[i].flags & UVS_CONN_F_TEMPLATE);
			assert_int_equal(e[i].flags & UVS_CONN_F_HASHED, 0);
		}
		total += n;
	}
	assert_int_equal(total, 6);
	assert_int_equal(templates, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_tcp_rules, sync_setup, sync_teardown),
		cmocka_unit_test_setup_teardown(test_udp_threshold_and_period, sync_setup,
						sync_teardown),
		cmocka_unit_test_setup_teardown(test_refresh_period_and_retries, sync_setup,
						sync_teardown),
		cmocka_unit_test_setup_teardown(test_persistence_template, sync_setup,
						sync_teardown),
		cmocka_unit_test_setup_teardown(test_one_packet, sync_setup, sync_teardown),
		cmocka_unit_test_setup_teardown(test_version0_ipv4_only, sync_setup, sync_teardown),
		cmocka_unit_test_setup_teardown(test_full_ring_and_doorbell, sync_setup,
						sync_teardown),
		cmocka_unit_test_setup_teardown(test_template_rearmed, sync_setup, sync_teardown),
		cmocka_unit_test_setup_teardown(test_dump, sync_setup, sync_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
