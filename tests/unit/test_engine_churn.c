// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The engine over time: every reachable TCP state's timeout and UDP's, driven by the
 * clock, with the defaults and after --set; and upper/lower thresholds with the
 * overload flag under random connection churn, against the reference's rule.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>

#include "engine_fixture.h"

/* Advances the clock by ns and runs the worker's timers. */
static void advance(struct eng_fixture *fx, uvs_time_t ns)
{
	fx->env.now += ns;
	uvs_worker_timers(&fx->w, fx->env.now);
}

/* A connection's steps: which side sends (0 client, 1 real server) with which flags. */
struct step {
	int from_server;
	uint8_t flags;
};

/*
 * Opens a NAT connection from client port cport through the steps, checks it then
 * lives until just before `seconds` and is gone just after (the wheel's tick is
 * 134 ms, so one second either side is exact enough).
 */
static void check_lifetime(struct eng_fixture *fx, uint16_t cport, const struct step *steps, int n,
			   uint32_t seconds, const char *what)
{
	uint32_t before = uvs_engine_conn_count(&fx->e);

	for (int i = 0; i < n; i++) {
		struct frame_spec s =
			steps[i].from_server
				? frame_tcp("192.168.0.11", 80, "172.16.0.5", cport, steps[i].flags)
				: frame_tcp("172.16.0.5", cport, "10.0.0.1", 80, steps[i].flags);
		if (eng_send(fx, &s) != UVS_VERDICT_TX)
			fail_msg("%s: step %d not forwarded", what, i);
	}
	if (uvs_engine_conn_count(&fx->e) != before + 1)
		fail_msg("%s: no connection", what);
	advance(fx, (uvs_time_t)(seconds - 1) * S);
	if (uvs_engine_conn_count(&fx->e) != before + 1)
		fail_msg("%s: gone before %u s", what, seconds);
	advance(fx, 2 * S);
	if (uvs_engine_conn_count(&fx->e) != before)
		fail_msg("%s: still there after %u s", what, seconds);
}

static struct uvs_service *add_udp_svc(struct eng_fixture *fx, const char *addr_port)
{
	struct uvs_svc_conf c = test_svc_conf(addr_port, "rr");

	c.key.protocol = IPPROTO_UDP;
	assert_int_equal(uvs_svc_add(&fx->env.m, &c, NULL), 0);
	return uvs_svc_find(&fx->env.m, &c.key);
}

/* A UDP flow to 10.0.0.1:53 lives `seconds` after its last datagram, a reply counting
 * too. */
static void check_udp_lifetime(struct eng_fixture *fx, uint32_t seconds)
{
	struct frame_spec q = frame_udp("172.16.0.5", 5353, "10.0.0.1", 53);
	struct frame_spec r = frame_udp("192.168.0.12", 53, "172.16.0.5", 5353);
	uint32_t before = uvs_engine_conn_count(&fx->e);

	assert_int_equal(eng_send(fx, &q), UVS_VERDICT_TX);
	advance(fx, (uvs_time_t)(seconds / 2) * S);
	assert_int_equal(eng_send(fx, &r), UVS_VERDICT_TX);
	advance(fx, (uvs_time_t)(seconds - 1) * S);
	assert_int_equal(uvs_engine_conn_count(&fx->e), before + 1);
	advance(fx, 2 * S);
	assert_int_equal(uvs_engine_conn_count(&fx->e), before);
}

#define STEPS(...)                                                                                 \
	(const struct step[]){ __VA_ARGS__ },                                                      \
		sizeof((const struct step[]){ __VA_ARGS__ }) / sizeof(struct step)

static const uint8_t SYN = TH_SYN, SYNACK = TH_SYN | TH_ACK, ACK = TH_ACK, FIN = TH_FIN | TH_ACK,
		     RST = TH_RST;

/* Every state a connection can reach through the tables, with its default timeout.
 * LAST_ACK, LISTEN and SYNACK have no transition into them in IPVS's tables. */
static void test_every_timeout(void **state)
{
	struct eng_fixture *fx = *state;
	struct uvs_service *svc = test_add_svc(&fx->env, "10.0.0.1:80", "rr");

	eng_add_dest(fx, svc, "192.168.0.11:80", 1, UVS_FWD_MASQ);
	check_lifetime(fx, 40001, STEPS({ 0, SYN }), 60, "SYN_RECV");
	check_lifetime(fx, 40002, STEPS({ 0, SYN }, { 1, SYNACK }, { 0, ACK }), 900, "ESTABLISHED");
	check_lifetime(fx, 40003, STEPS({ 0, SYN }, { 1, SYNACK }, { 0, ACK }, { 0, FIN }), 60,
		       "CLOSE_WAIT");
	check_lifetime(fx, 40004, STEPS({ 0, SYN }, { 1, SYNACK }, { 0, ACK }, { 1, FIN }), 120,
		       "FIN_WAIT");
	check_lifetime(fx, 40005,
		       STEPS({ 0, SYN }, { 1, SYNACK }, { 0, ACK }, { 1, FIN }, { 0, FIN }), 120,
		       "TIME_WAIT");
	check_lifetime(fx, 40006, STEPS({ 0, SYN }, { 1, SYNACK }, { 0, ACK }, { 0, RST }), 10,
		       "CLOSE");
	/* With sloppy_tcp a segment without SYN schedules; one with no flag the tables
	 * know leaves the connection in NONE with the new-connection timeout, and a SYN
	 * from the real server then moves it to SYN_SENT. */
	fx->env.m.sysctl.sloppy_tcp = 1;
	check_lifetime(fx, 40007, STEPS({ 0, TH_URG }), UVS_NEW_CONN_TIMEOUT_S, "NONE");
	check_lifetime(fx, 40008, STEPS({ 0, TH_URG }, { 1, SYN }), 120, "SYN_SENT");
	fx->env.m.sysctl.sloppy_tcp = 0;

	/* UDP: 300 s from the last datagram either way. */
	struct uvs_service *u = add_udp_svc(fx, "10.0.0.1:53");
	eng_add_dest(fx, u, "192.168.0.12:53", 1, UVS_FWD_MASQ);
	check_udp_lifetime(fx, 300);
}

/* --set tcp tcpfin udp changes ESTABLISHED, FIN_WAIT and UDP for what is armed next;
 * a 0 leaves its timeout as it was. */
static void test_set_timeouts(void **state)
{
	struct eng_fixture *fx = *state;
	struct uvs_service *svc = test_add_svc(&fx->env, "10.0.0.1:80", "rr");
	struct uvs_service *u = add_udp_svc(fx, "10.0.0.1:53");

	eng_add_dest(fx, svc, "192.168.0.11:80", 1, UVS_FWD_MASQ);
	eng_add_dest(fx, u, "192.168.0.12:53", 1, UVS_FWD_MASQ);
	uvs_timeouts_set(&fx->e.timeouts, 100, 20, 50);
	check_lifetime(fx, 40002, STEPS({ 0, SYN }, { 1, SYNACK }, { 0, ACK }), 100, "ESTABLISHED");
	check_lifetime(fx, 40004, STEPS({ 0, SYN }, { 1, SYNACK }, { 0, ACK }, { 1, FIN }), 20,
		       "FIN_WAIT");
	check_lifetime(fx, 40005,
		       STEPS({ 0, SYN }, { 1, SYNACK }, { 0, ACK }, { 1, FIN }, { 0, FIN }), 120,
		       "TIME_WAIT");
	check_udp_lifetime(fx, 50);
	uvs_timeouts_set(&fx->e.timeouts, 0, 0, 70);
	check_lifetime(fx, 40006, STEPS({ 0, SYN }, { 1, SYNACK }, { 0, ACK }), 100, "ESTABLISHED");
	check_udp_lifetime(fx, 70);
}

/* The reference's overload rule, kept beside the engine's: bound on a new connection
 * to the destination, unbound when its connection ends. */
struct ref_dest {
	uint32_t total;
	bool overloaded;
	uint32_t u, l;
};

static void ref_bind(struct ref_dest *r)
{
	r->total++;
	if (r->u && r->total >= r->u)
		r->overloaded = true;
}

static void ref_unbind(struct ref_dest *r)
{
	r->total--;
	if (r->l ? r->total < r->l : r->u ? r->total * 4 < r->u * 3 : true)
		r->overloaded = false;
}

/*
 * Real churn through the engine: clients open connections (SYN, SYN-ACK, ACK) and end
 * them with RST (CLOSE, gone 10 s later) in random order while the clock moves. One
 * destination has thresholds, the other none; wlc prefers the thresholded one (weight
 * 3 against 1), so it keeps reaching its upper threshold. After every step the
 * destination's connection count and overload flag equal the reference's, and no new
 * connection lands on it while it is overloaded.
 */
static void churn(struct eng_fixture *fx, uint32_t u, uint32_t l)
{
	struct uvs_service *svc = test_add_svc(&fx->env, "10.0.0.1:80", "wlc");
	struct uvs_dest_conf dc = test_dest_conf("192.168.0.11:80", 3);
	struct ref_dest ref = { .u = u, .l = l };
	enum { NCLIENTS = 40 };
	int open[NCLIENTS] = { 0 }; /* 0 none, 1 on A, 2 on B, 3/4 closing from A/B */
	uvs_time_t closed_at[NCLIENTS] = { 0 };
	unsigned landed_a = 0, overloaded_seen = 0;

	dc.u_threshold = u;
	dc.l_threshold = l;
	assert_int_equal(uvs_dest_add(&fx->env.m, &svc->key, &dc, NULL), 0);
	struct uvs_dest *a = uvs_dest_find(svc, dc.af, &dc.addr, dc.port);
	struct uvs_dest *b = eng_add_dest(fx, svc, "192.168.0.12:80", 1, UVS_FWD_MASQ);
	srandom(7);
	for (int step = 0; step < 3000; step++) {
		int i = (int)(random() % NCLIENTS);
		uint16_t cport = (uint16_t)(30000 + i);
		struct frame_spec s = frame_tcp("172.16.0.5", cport, "10.0.0.1", 80, TH_SYN);

		/* A connection in CLOSE ends within one wheel tick after its 10 s: while one
		 * is in that window, the engine and the reference may differ, so the step
		 * only lets time pass. */
		bool settling = false;
		for (int j = 0; j < NCLIENTS; j++)
			settling |= open[j] >= 3 && fx->env.now - closed_at[j] >= 10 * S;
		if (settling) {
			/* nothing */
		} else if (open[i] == 0) {
			bool was_overloaded = ref.overloaded;
			assert_int_equal(eng_send(fx, &s), UVS_VERDICT_TX);
			bool on_a = fx->out.daddr.ip == a->conf.addr.ip;
			if (on_a && was_overloaded)
				fail_msg("step %d: new connection on an overloaded destination",
					 step);
			struct frame_spec r = frame_tcp(on_a ? "192.168.0.11" : "192.168.0.12", 80,
							"172.16.0.5", cport, TH_SYN | TH_ACK);
			assert_int_equal(eng_send(fx, &r), UVS_VERDICT_TX);
			s.tcp_flags = TH_ACK;
			assert_int_equal(eng_send(fx, &s), UVS_VERDICT_TX);
			open[i] = on_a ? 1 : 2;
			if (on_a) {
				ref_bind(&ref);
				landed_a++;
			}
		} else if (open[i] <= 2) {
			s.tcp_flags = TH_RST;
			assert_int_equal(eng_send(fx, &s), UVS_VERDICT_TX);
			open[i] = open[i] == 1 ? 3 : 4;
			closed_at[i] = fx->env.now;
		}
		if (!settling) {
			uint32_t total = uvs_dest_active(a) + uvs_dest_inactive(a);
			if (total != ref.total || uvs_dest_overloaded(a) != ref.overloaded)
				fail_msg("step %d: destination has %u connections, overloaded %d; "
					 "the reference %u, %d",
					 step, total, uvs_dest_overloaded(a), ref.total,
					 ref.overloaded);
			if (u)
				assert_true(total <= u);
		}
		overloaded_seen += ref.overloaded;
		/* Time moves 0.2 s a step, 600 s in all, so no established connection
		 * times out. */
		advance(fx, S / 5);
		for (int j = 0; j < NCLIENTS; j++)
			if (open[j] >= 3 &&
			    fx->env.now - closed_at[j] >= 10 * S + UVS_WHEEL_TICK_NS) {
				if (open[j] == 3)
					ref_unbind(&ref);
				open[j] = 0;
			}
	}
	print_message("A: %u connections, overloaded in %u steps\n", landed_a, overloaded_seen);
	/* The run must have exercised both sides of the rule. */
	assert_true(landed_a > 100);
	assert_true(overloaded_seen > 100 && overloaded_seen < 2900);
	assert_true(uvs_dest_active(b) + uvs_dest_inactive(b) > 0);
}

static void test_thresholds_upper_and_lower(void **state)
{
	churn(*state, 8, 3);
}

static void test_thresholds_upper_only(void **state)
{
	churn(*state, 8, 0);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, eng_setup, eng_teardown)
	const struct CMUnitTest tests[] = {
		T(test_every_timeout),
		T(test_set_timeouts),
		T(test_thresholds_upper_and_lower),
		T(test_thresholds_upper_only),
	};
#undef T
	return cmocka_run_group_tests_name("engine_churn", tests, NULL, NULL);
}
