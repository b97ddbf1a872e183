// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Real servers on the director itself (core/local.c): a destination at a loopback
 * address or at one of the host's addresses is Local whatever method it was given;
 * its connections' packets come out as UVS_VERDICT_LOCAL, the IP packet as it came
 * (no rewrite, TTL kept), counted as "local", and only when they are addressed to one
 * of the host's addresses (local_not_host otherwise). Other destinations of the same
 * service are forwarded as before; the listing marks exactly the local ones.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <netinet/tcp.h>
#include <string.h>

#include "core/snap.h"
#include "engine_fixture.h"

/* The host's addresses: its link's, and the VIPs a keepalived would put there. */
static void host_addrs(struct eng_fixture *fx)
{
	static const char *const a[] = { "192.168.0.2", "10.0.0.1", "2001:db8:1::2",
					 "2001:db8::1" };
	struct uvs_host_addr h[4];

	for (int i = 0; i < 4; i++) {
		h[i].af = strchr(a[i], ':') ? AF_INET6 : AF_INET;
		assert_int_equal(uvs_addr_parse(h[i].af, a[i], &h[i].addr), 0);
	}
	assert_int_equal(uvs_engine_set_host_addrs(&fx->e, h, 4), 0);
}

/* A frame of spec s comes out as the IP packet it was, for the host's stack. */
static void assert_local(struct eng_fixture *fx, const struct frame_spec *s)
{
	uint8_t want[2048];
	size_t len = frame_build(want, s), l3 = frame_l3_off(s);

	assert_int_equal(eng_send(fx, s), UVS_VERDICT_LOCAL);
	assert_int_equal(fx->f.reason, UVS_R_LOCAL);
	assert_int_equal(fx->f.len, len - l3);
	assert_memory_equal(fx->f.data, want + l3, len - l3);
	assert_true(fx->f.headroom >= UVS_FRAME_HEADROOM + l3);
}

static void test_loopback_masq(void **state)
{
	struct eng_fixture *fx = *state;
	struct uvs_service *svc = test_add_svc(&fx->env, "10.0.0.1:80", "rr");
	struct frame_spec syn = frame_tcp("172.16.0.5", 40000, "10.0.0.1", 80, TH_SYN);
	struct frame_spec ack = frame_tcp("172.16.0.5", 40000, "10.0.0.1", 80, TH_ACK);

	host_addrs(fx);
	/* -m 127.0.0.1:8080: Local, delivered to the VIP's port as it came. */
	eng_add_dest(fx, svc, "127.0.0.1:8080", 1, UVS_FWD_MASQ);
	assert_local(fx, &syn);
	assert_local(fx, &ack);
	assert_int_equal(uvs_engine_conn_count(&fx->e), 1);
	assert_int_equal(eng_counter(fx, UVS_R_LOCAL), 2);
}

static void test_host_address_dr_v6(void **state)
{
	struct eng_fixture *fx = *state;
	struct uvs_service *svc = test_add_svc(&fx->env, "[2001:db8::1]:80", "rr");
	struct frame_spec syn = frame_tcp("2001:db8:c::2", 40000, "2001:db8::1", 80, TH_SYN);
	struct frame_spec dgram = frame_udp("2001:db8:c::2", 5353, "2001:db8::1", 53);
	struct uvs_service *lo6;

	host_addrs(fx);
	eng_add_dest(fx, svc, "[2001:db8:1::2]:80", 1, UVS_FWD_DROUTE);
	assert_local(fx, &syn);
	/* ::1, in a UDP service, by a tunnel: Local as well. */
	struct uvs_svc_conf udp = test_svc_conf("[2001:db8::1]:53", "rr");
	udp.key.protocol = IPPROTO_UDP;
	assert_int_equal(uvs_svc_add(&fx->env.m, &udp, NULL), 0);
	rcu_read_lock();
	lo6 = uvs_svc_find(&fx->env.m, &udp.key);
	rcu_read_unlock();
	assert_non_null(lo6);
	eng_add_dest(fx, lo6, "[::1]:53", 1, UVS_FWD_TUNNEL);
	assert_local(fx, &dgram);
}

static void test_not_to_a_host_address(void **state)
{
	struct eng_fixture *fx = *state;
	struct uvs_service *svc = test_add_svc(&fx->env, "10.0.0.9:80", "rr");
	struct frame_spec syn = frame_tcp("172.16.0.5", 40000, "10.0.0.9", 80, TH_SYN);

	/* 10.0.0.9 is only routed to the director: its stack would send it on. */
	host_addrs(fx);
	eng_add_dest(fx, svc, "192.168.0.2:80", 1, UVS_FWD_DROUTE);
	assert_int_equal(eng_send(fx, &syn), UVS_VERDICT_DROP);
	assert_int_equal(fx->f.reason, UVS_R_LOCAL_NOT_HOST);
	assert_int_equal(eng_counter(fx, UVS_R_LOCAL_NOT_HOST), 1);
}

/* rr over the director and a remote server: every other connection each way. */
static void test_mixed_service(void **state)
{
	struct eng_fixture *fx = *state;
	struct uvs_service *svc = test_add_svc(&fx->env, "10.0.0.1:80", "rr");
	unsigned local = 0, sent = 0;

	host_addrs(fx);
	eng_add_dest(fx, svc, "192.168.0.2:80", 1, UVS_FWD_MASQ);
	eng_add_dest(fx, svc, "192.168.0.11:80", 1, UVS_FWD_MASQ);
	for (uint16_t port = 40000; port < 40010; port++) {
		struct frame_spec syn = frame_tcp("172.16.0.5", port, "10.0.0.1", 80, TH_SYN);
		int v = eng_send(fx, &syn);

		if (v == UVS_VERDICT_LOCAL) {
			local++;
		} else {
			assert_int_equal(v, UVS_VERDICT_TX);
			eng_assert_addr(AF_INET, &fx->out.daddr, "192.168.0.11");
			sent++;
		}
	}
	assert_int_equal(local, 5);
	assert_int_equal(sent, 5);
}

/* The listing's Local: the destinations at the host's addresses and at loopback ones,
 * whatever their method; the others as configured. A host address that goes away
 * takes the Local with it. */
static void test_snap_mark_local(void **state)
{
	struct eng_fixture *fx = *state;
	struct uvs_service *svc = test_add_svc(&fx->env, "10.0.0.1:80", "rr");
	struct uvs_snap snap;
	unsigned nlocal = 0;

	host_addrs(fx);
	eng_add_dest(fx, svc, "192.168.0.2:80", 1, UVS_FWD_MASQ);
	eng_add_dest(fx, svc, "127.0.0.2:80", 1, UVS_FWD_DROUTE);
	eng_add_dest(fx, svc, "192.168.0.11:80", 1, UVS_FWD_MASQ);
	eng_add_dest(fx, svc, "192.168.0.12:80", 1, UVS_FWD_DROUTE);
	assert_int_equal(uvs_snap_take(&fx->env.m, NULL, true, &snap), 0);
	uvs_snap_mark_local(&snap, &fx->e);
	for (unsigned i = 0; i < snap.svcs[0].ndests; i++) {
		const struct uvs_dest_conf *c = &snap.svcs[0].dests[i].conf;
		char a[UVS_ADDR_STRLEN];

		uvs_addr_format(c->af, &c->addr, a, sizeof(a));
		if (!strcmp(a, "192.168.0.2") || !strcmp(a, "127.0.0.2")) {
			assert_int_equal(c->fwd, UVS_FWD_LOCAL);
			nlocal++;
		} else {
			assert_int_equal(c->fwd,
					 strcmp(a, "192.168.0.11") ? UVS_FWD_DROUTE : UVS_FWD_MASQ);
		}
	}
	assert_int_equal(nlocal, 2);
	uvs_snap_free(&snap);

	assert_int_equal(uvs_engine_set_host_addrs(&fx->e, NULL, 0), 0);
	assert_int_equal(uvs_snap_take(&fx->env.m, NULL, true, &snap), 0);
	uvs_snap_mark_local(&snap, &fx->e);
	nlocal = 0;
	for (unsigned i = 0; i < snap.svcs[0].ndests; i++)
		nlocal += snap.svcs[0].dests[i].conf.fwd == UVS_FWD_LOCAL;
	assert_int_equal(nlocal, 1); /* 127.0.0.2 */
	uvs_snap_free(&snap);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_loopback_masq, eng_setup, eng_teardown),
		cmocka_unit_test_setup_teardown(test_host_address_dr_v6, eng_setup, eng_teardown),
		cmocka_unit_test_setup_teardown(test_not_to_a_host_address, eng_setup,
						eng_teardown),
		cmocka_unit_test_setup_teardown(test_mixed_service, eng_setup, eng_teardown),
		cmocka_unit_test_setup_teardown(test_snap_mark_local, eng_setup, eng_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
