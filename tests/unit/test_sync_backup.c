// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A sync backup's side of the engine: an entry received becomes a connection bound to
 * the backup's own real server (its method, its counters), which then forwards the
 * client's packets and translates a NAT reply back; a template keeps a client on its
 * real server; entries update, replace or are ignored as the kernel's; every refusal;
 * timeouts; expiry; and director a's queued entries applied to director b.
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
#define RS2    "192.168.0.12"

/* An established NAT connection CLIENT:40000 -> VIP:80 -> rs:8080 as a master sends it. */
static struct uvs_sync_conn entry(const char *rs, uint16_t cport)
{
	struct uvs_sync_conn e = {
		.af = AF_INET,
		.protocol = IPPROTO_TCP,
		.cport = htons(cport),
		.vport = htons(80),
		.dport = htons(8080),
		.state = UVS_TCP_S_ESTABLISHED,
		.timeout = 900,
		.flags = UVS_FWD_MASQ,
	};

	uvs_addr_parse(AF_INET, CLIENT, &e.caddr);
	uvs_addr_parse(AF_INET, VIP, &e.vaddr);
	uvs_addr_parse(AF_INET, rs, &e.daddr);
	return e;
}

/* b serves VIP:80 by NAT with rr over RS1 and RS2, on port 8080. */
static struct uvs_service *backup_service(struct sync_fixture *fx, struct uvs_dest **d1,
					  struct uvs_dest **d2)
{
	struct uvs_service *svc = sync_add_svc(&fx->b, VIP ":80", false, 0, 0);

	*d1 = sync_add_dest(&fx->b, svc, RS1 ":8080", UVS_FWD_MASQ);
	*d2 = sync_add_dest(&fx->b, svc, RS2 ":8080", UVS_FWD_MASQ);
	return svc;
}

/* After the VIP moved: the client's packet goes to the synced real server (not the
 * scheduler's pick), the reply comes back from the VIP. */
static void test_synced_nat_connection_forwards(void **state)
{
	struct sync_fixture *fx = *state;
	struct uvs_dest *d1, *d2;
	struct uvs_sync_conn e = entry(RS2, 40000);

	backup_service(fx, &d1, &d2);
	assert_int_equal(sync_apply(fx, &fx->b, &e), UVS_SYNC_APPLY_NEW);
	assert_int_equal(uvs_engine_conn_count(&fx->b.e), 1);
	assert_int_equal(uvs_dest_active(d2), 1);
	assert_int_equal(uvs_dest_inactive(d2) + uvs_dest_active(d1), 0);
	struct uvs_conn *c = sync_find(&fx->b, IPPROTO_TCP, CLIENT, 40000, VIP, 80, false);
	assert_non_null(c);
	assert_true(uvs_conn_flags(c) & UVS_CONN_F_SYNC);
	assert_int_equal(uvs_conn_owner(c), 1); /* the sync worker's */

	struct frame_spec ack = frame_tcp(CLIENT, 40000, VIP, 80, TH_ACK);
	assert_int_equal(sync_send(fx, &fx->b, &ack), UVS_VERDICT_TX);
	sync_assert_addr(AF_INET, &fx->b.out.daddr, RS2);
	assert_int_equal(ntohs(fx->b.out.dport), 8080);
	struct frame_spec reply = frame_tcp(RS2, 8080, CLIENT, 40000, TH_ACK);
	assert_int_equal(sync_send(fx, &fx->b, &reply), UVS_VERDICT_TX);
	sync_assert_addr(AF_INET, &fx->b.out.saddr, VIP);
	assert_int_equal(ntohs(fx->b.out.sport), 80);
	sync_assert_addr(AF_INET, &fx->b.out.daddr, CLIENT);
	assert_int_equal(uvs_engine_conn_count(&fx->b.e), 1); /* no connection made anew */
}

/* A template for the client's network keeps its new connections on its real server. */
static void test_synced_template_keeps_client(void **state)
{
	struct sync_fixture *fx = *state;
	struct uvs_service *svc = sync_add_svc(&fx->b, VIP ":80", false, UVS_SVC_F_PERSISTENT, 300);
	struct uvs_dest *d2;
	struct uvs_sync_conn t = entry(RS2, 0);

	sync_add_dest(&fx->b, svc, RS1 ":80", UVS_FWD_MASQ);
	d2 = sync_add_dest(&fx->b, svc, RS2 ":80", UVS_FWD_MASQ);
	uvs_addr_parse(AF_INET, "172.16.0.0", &t.caddr);
	t.dport = htons(80);
	t.state = 0;
	t.timeout = 300;
	t.flags = UVS_CONN_F_TEMPLATE | UVS_FWD_MASQ;
	assert_int_equal(sync_apply(fx, &fx->b, &t), UVS_SYNC_APPLY_NEW);
	assert_int_equal(uvs_dest_persistent(d2), 1);
	/* Every new connection of the client's network: RS2, as the template says. */
	for (int i = 0; i < 3; i++) {
		struct frame_spec syn = frame_tcp(i == 2 ? "172.16.0.77" : CLIENT,
						  (uint16_t)(50000 + i), VIP, 80, TH_SYN);
		assert_int_equal(sync_send(fx, &fx->b, &syn), UVS_VERDICT_TX);
		sync_assert_addr(AF_INET, &fx->b.out.daddr, RS2);
	}
	struct uvs_conn *ct = sync_find(&fx->b, IPPROTO_TCP, "172.16.0.0", 0, VIP, 80, true);
	assert_non_null(ct);
	assert_int_equal(uvs_load_relaxed(&uvs_conn_side(ct)->n_control), 3);
	/* Another network is scheduled, and gets a template of its own. */
	struct frame_spec other = frame_tcp("172.16.9.1", 50009, VIP, 80, TH_SYN);
	assert_int_equal(sync_send(fx, &fx->b, &other), UVS_VERDICT_TX);
	assert_non_null(sync_find(&fx->b, IPPROTO_TCP, "172.16.9.0", 0, VIP, 80, true));
}

/* An update takes the state, the timeout and the activity (moving the counters). */
static void test_update(void **state)
{
	struct sync_fixture *fx = *state;
	struct uvs_dest *d1, *d2;
	struct uvs_sync_conn e = entry(RS1, 40001);

	backup_service(fx, &d1, &d2);
	assert_int_equal(sync_apply(fx, &fx->b, &e), UVS_SYNC_APPLY_NEW);
	assert_int_equal(uvs_dest_active(d1), 1);
	e.state = UVS_TCP_S_FIN_WAIT;
	e.timeout = 120;
	e.flags |= UVS_CONN_F_INACTIVE;
	assert_int_equal(sync_apply(fx, &fx->b, &e), UVS_SYNC_APPLY_UPDATED);
	assert_int_equal(uvs_dest_active(d1), 0);
	assert_int_equal(uvs_dest_inactive(d1), 1);
	struct uvs_conn *c = sync_find(&fx->b, IPPROTO_TCP, CLIENT, 40001, VIP, 80, false);
	assert_int_equal(c->state, UVS_TCP_S_FIN_WAIT);
	assert_int_equal(c->timeout, 120);
	assert_int_equal(uvs_engine_conn_count(&fx->b.e), 1);
	/* It lives its 120 s from the update, then the sync worker's timer ends it. */
	fx->env.now += 119 * S;
	uvs_worker_timers(&fx->b.sw, fx->env.now);
	assert_int_equal(uvs_engine_conn_count(&fx->b.e), 1);
	fx->env.now += 2 * S;
	uvs_worker_timers(&fx->b.sw, fx->env.now);
	assert_int_equal(uvs_engine_conn_count(&fx->b.e), 0);
	assert_int_equal(uvs_dest_inactive(d1), 0);
}

/* Another real server for a connection the backup has: an active entry replaces it, an
 * inactive one is the replaced connection's end, ignored. */
static void test_replaced_and_stale(void **state)
{
	struct sync_fixture *fx = *state;
	struct uvs_dest *d1, *d2;
	struct uvs_sync_conn e = entry(RS1, 40002), moved = entry(RS2, 40002);

	backup_service(fx, &d1, &d2);
	assert_int_equal(sync_apply(fx, &fx->b, &e), UVS_SYNC_APPLY_NEW);
	moved.flags |= UVS_CONN_F_INACTIVE;
	assert_int_equal(sync_apply(fx, &fx->b, &moved), UVS_SYNC_APPLY_STALE);
	assert_int_equal(uvs_dest_active(d1), 1);
	moved.flags &= ~(uint32_t)UVS_CONN_F_INACTIVE;
	assert_int_equal(sync_apply(fx, &fx->b, &moved), UVS_SYNC_APPLY_NEW);
	assert_int_equal(uvs_dest_active(d1), 0);
	assert_int_equal(uvs_dest_active(d2), 1);
	struct uvs_conn *c = sync_find(&fx->b, IPPROTO_TCP, CLIENT, 40002, VIP, 80, false);
	sync_assert_addr(AF_INET, &c->daddr, RS2);
}

/* What the backup refuses, each by its name, leaving nothing behind. */
static void test_refusals(void **state)
{
	struct sync_fixture *fx = *state;
	struct uvs_dest *d1, *d2;
	struct uvs_sync_conn e = entry(RS1, 40003);

	backup_service(fx, &d1, &d2);
	e.protocol = IPPROTO_ICMP;
	assert_int_equal(sync_apply(fx, &fx->b, &e), UVS_SYNC_APPLY_BAD_PROTOCOL);
	e = entry(RS1, 40003);
	e.state = UVS_TCP_S_COUNT;
	assert_int_equal(sync_apply(fx, &fx->b, &e), UVS_SYNC_APPLY_BAD_STATE);
	e = entry(RS1, 40003);
	e.flags |= UVS_CONN_F_NO_CPORT;
	assert_int_equal(sync_apply(fx, &fx->b, &e), UVS_SYNC_APPLY_NO_CPORT);
	e = entry("192.168.0.99", 40003); /* no such real server */
	assert_int_equal(sync_apply(fx, &fx->b, &e), UVS_SYNC_APPLY_NO_DEST);
	e = entry(RS1, 40003);
	uvs_addr_parse(AF_INET, "10.0.0.2", &e.vaddr); /* no such service */
	assert_int_equal(sync_apply(fx, &fx->b, &e), UVS_SYNC_APPLY_NO_DEST);
	assert_int_equal(uvs_engine_conn_count(&fx->b.e), 0);
	assert_int_equal(uvs_dest_active(d1) + uvs_dest_inactive(d1), 0);
	/* A template's state and protocol are not checked (the kernel's neither). */
	e = entry(RS1, 0);
	e.flags = UVS_CONN_F_TEMPLATE;
	e.dport = htons(8080);
	e.state = 7;
	assert_int_equal(sync_apply(fx, &fx->b, &e), UVS_SYNC_APPLY_NEW);
	assert_int_equal(uvs_dest_persistent(d1), 1);
}

/* The table's limit, and what the method of the backup's real server decides. */
static void test_limit_and_method(void **state)
{
	struct sync_fixture *fx = *state;
	struct uvs_service *svc = sync_add_svc(&fx->b, VIP ":80", false, 0, 0);
	struct uvs_dest *dr = sync_add_dest(&fx->b, svc, RS1 ":80", UVS_FWD_DROUTE);
	struct uvs_sync_conn e = entry(RS1, 40004);
	int made = 0;

	e.dport = htons(80);
	e.flags = UVS_FWD_MASQ | UVS_CONN_F_NOOUTPUT; /* the master's NAT */
	assert_int_equal(sync_apply(fx, &fx->b, &e), UVS_SYNC_APPLY_NEW);
	struct uvs_conn *c = sync_find(&fx->b, IPPROTO_TCP, CLIENT, 40004, VIP, 80, false);
	/* Direct routing here: its method, and NOOUTPUT as the kernel's DR entries. */
	assert_int_equal(uvs_conn_flags(c) & UVS_CONN_F_FWD_MASK, UVS_FWD_DROUTE);
	assert_true(uvs_conn_flags(c) & UVS_CONN_F_NOOUTPUT);
	for (int i = 1; i < 1100; i++) {
		e.cport = htons((uint16_t)(40004 + i));
		enum uvs_sync_apply_result r = sync_apply(fx, &fx->b, &e);
		if (r == UVS_SYNC_APPLY_CONN_LIMIT)
			break;
		assert_int_equal(r, UVS_SYNC_APPLY_NEW);
		made++;
	}
	assert_int_equal(uvs_engine_conn_count(&fx->b.e), 1000);
	assert_int_equal(made, 999);
	assert_int_equal(uvs_dest_active(dr), 1000);
}

/* Version 0 carries no timeout: the state's, or 180 s for a template. */
static void test_default_timeouts(void **state)
{
	struct sync_fixture *fx = *state;
	struct uvs_dest *d1, *d2;
	struct uvs_sync_conn e = entry(RS1, 40005), t = entry(RS1, 0);

	backup_service(fx, &d1, &d2);
	e.timeout = 0;
	e.state = UVS_TCP_S_TIME_WAIT;
	assert_int_equal(sync_apply(fx, &fx->b, &e), UVS_SYNC_APPLY_NEW);
	assert_int_equal(sync_find(&fx->b, IPPROTO_TCP, CLIENT, 40005, VIP, 80, false)->timeout,
			 120);
	t.timeout = 0;
	t.flags = UVS_CONN_F_TEMPLATE;
	assert_int_equal(sync_apply(fx, &fx->b, &t), UVS_SYNC_APPLY_NEW);
	assert_int_equal(sync_find(&fx->b, IPPROTO_TCP, CLIENT, 0, VIP, 80, true)->timeout, 180);
}

/* What a master queues is what a backup needs: a's entries applied to b, then the VIP
 * moves to b. IPv6 too. */
static void test_master_to_backup(void **state)
{
	struct sync_fixture *fx = *state;
	const char *c6 = "2001:db8:c::2", *v6 = "2001:db8:f::1";
	struct uvs_service *sa = sync_add_svc(&fx->a, "[2001:db8:f::1]:80", false, 0, 0);
	struct uvs_service *sb = sync_add_svc(&fx->b, "[2001:db8:f::1]:80", false, 0, 0);
	struct uvs_sync_conn e[8];
	unsigned n;

	sync_add_dest(&fx->a, sa, "[2001:db8:1::11]:80", UVS_FWD_MASQ);
	sync_add_dest(&fx->a, sa, "[2001:db8:1::12]:80", UVS_FWD_MASQ);
	sync_add_dest(&fx->b, sb, "[2001:db8:1::12]:80", UVS_FWD_MASQ);
	sync_add_dest(&fx->b, sb, "[2001:db8:1::11]:80", UVS_FWD_MASQ);
	sync_master_start(&fx->a, 64);
	struct frame_spec syn = frame_tcp(c6, 43000, v6, 80, TH_SYN);
	struct frame_spec ack = frame_tcp(c6, 43000, v6, 80, TH_ACK);
	assert_int_equal(sync_send(fx, &fx->a, &syn), UVS_VERDICT_TX);
	char rs[UVS_ADDR_STRLEN];
	uvs_addr_format(AF_INET6, &fx->a.out.daddr, rs, sizeof(rs));
	struct frame_spec synack = frame_tcp(rs, 80, c6, 43000, TH_SYN | TH_ACK);
	assert_int_equal(sync_send(fx, &fx->a, &synack), UVS_VERDICT_TX);
	assert_int_equal(sync_send(fx, &fx->a, &ack), UVS_VERDICT_TX);
	assert_int_equal(sync_send(fx, &fx->a, &ack), UVS_VERDICT_TX);
	n = sync_take(&fx->a, e, 8);
	assert_int_equal(n, 1);
	assert_int_equal(sync_apply(fx, &fx->b, &e[0]), UVS_SYNC_APPLY_NEW);
	assert_int_equal(sync_send(fx, &fx->b, &ack), UVS_VERDICT_TX);
	sync_assert_addr(AF_INET6, &fx->b.out.daddr, rs);
	struct frame_spec reply = frame_tcp(rs, 80, c6, 43000, TH_ACK);
	assert_int_equal(sync_send(fx, &fx->b, &reply), UVS_VERDICT_TX);
	sync_assert_addr(AF_INET6, &fx->b.out.saddr, v6);
}

/* backup_only: while a backup runs, every frame is left to the kernel. */
static void test_backup_only(void **state)
{
	struct sync_fixture *fx = *state;
	struct uvs_dest *d1, *d2;
	struct frame_spec syn = frame_tcp(CLIENT, 40006, VIP, 80, TH_SYN);
	struct uvs_error err;

	backup_service(fx, &d1, &d2);
	assert_int_equal(uvs_sysctl_set(&fx->b.m->sysctl, "backup_only", "1", &err), 0);
	assert_int_equal(sync_send(fx, &fx->b, &syn), UVS_VERDICT_TX); /* no backup runs */
	uvs_engine_set_sync_backup(&fx->b.e, true);
	assert_int_equal(sync_send(fx, &fx->b, &syn), UVS_VERDICT_PASS);
	assert_int_equal(fx->b.f.reason, UVS_R_BACKUP_ONLY);
	assert_int_equal(sync_counter(&fx->b, UVS_R_BACKUP_ONLY), 1);
	assert_int_equal(uvs_sysctl_set(&fx->b.m->sysctl, "backup_only", "0", &err), 0);
	assert_int_equal(sync_send(fx, &fx->b, &syn), UVS_VERDICT_TX); /* the sysctl off */
	assert_int_equal(uvs_sysctl_set(&fx->b.m->sysctl, "backup_only", "1", &err), 0);
	uvs_engine_set_sync_backup(&fx->b.e, false);
	assert_int_equal(sync_send(fx, &fx->b, &syn), UVS_VERDICT_TX); /* the backup gone */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_synced_nat_connection_forwards, sync_setup,
						sync_teardown),
		cmocka_unit_test_setup_teardown(test_synced_template_keeps_client, sync_setup,
						sync_teardown),
		cmocka_unit_test_setup_teardown(test_update, sync_setup, sync_teardown),
		cmocka_unit_test_setup_teardown(test_replaced_and_stale, sync_setup, sync_teardown),
		cmocka_unit_test_setup_teardown(test_refusals, sync_setup, sync_teardown),
		cmocka_unit_test_setup_teardown(test_limit_and_method, sync_setup, sync_teardown),
		cmocka_unit_test_setup_teardown(test_default_timeouts, sync_setup, sync_teardown),
		cmocka_unit_test_setup_teardown(test_master_to_backup, sync_setup, sync_teardown),
		cmocka_unit_test_setup_teardown(test_backup_only, sync_setup, sync_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
