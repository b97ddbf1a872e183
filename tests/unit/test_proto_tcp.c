// SPDX-License-Identifier: GPL-2.0-or-later
/* The TCP state machine: all 3 x 4 x 11 transitions against the reference's tables as
 * text, typical connection lives, and the timeouts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <netinet/tcp.h>
#include <string.h>

#include "core/proto_tcp.h"

/* ipvs-reference.md section 2, as written there: one row per table and event. */
static const char *const reference[3][4] = {
	{ "SR ES ES SR SR SR SR SR SR SR SR", "CL CW SS TW TW TW CL CW LA LI TW",
	  "ES ES SS ES FW TW CL CW CL LI ES", "CL CL CL SR CL CL CL CL LA LI SR" },
	{ "SS ES SS SR SS SS SS SS SS LI SR", "TW FW SS TW FW TW CL TW LA LI TW",
	  "ES ES SS ES FW TW CL CW LA ES ES", "CL CL SS CL CL TW CL CL CL CL CL" },
	{ "SR ES ES SR SR SR SR SR SR SR SR", "CL FW SS TW FW TW CL CW LA LI TW",
	  "ES ES SS ES FW TW CL CW CL LI ES", "CL CL CL SR CL CL CL CL LA LI CL" },
};

static enum uvs_tcp_state from_abbrev(const char *a)
{
	static const char *const abbrevs[] = { "NO", "ES", "SS", "SR", "FW", "TW",
					       "CL", "CW", "LA", "LI", "SA" };
	for (int i = 0; i < UVS_TCP_S_COUNT; i++)
		if (strncmp(a, abbrevs[i], 2) == 0)
			return (enum uvs_tcp_state)i;
	fail_msg("bad abbreviation %.2s", a);
	return UVS_TCP_S_NONE;
}

static void test_every_transition(void **state)
{
	(void)state;
	for (int dir = 0; dir < 3; dir++)
		for (int ev = 0; ev < 4; ev++)
			for (int s = 0; s < UVS_TCP_S_COUNT; s++) {
				enum uvs_tcp_state want = from_abbrev(reference[dir][ev] + 3 * s);
				enum uvs_tcp_state got = uvs_tcp_next(s, dir, ev);
				if (got != want)
					fail_msg("dir %d event %d from %s: %s, want %s", dir, ev,
						 uvs_tcp_state_name(s), uvs_tcp_state_name(got),
						 uvs_tcp_state_name(want));
			}
	/* No flag: no transition. */
	for (int s = 0; s < UVS_TCP_S_COUNT; s++)
		assert_int_equal(uvs_tcp_next(s, UVS_TCP_DIR_INPUT, uvs_tcp_event(0)), s);
}

static void test_events(void **state)
{
	(void)state;
	assert_int_equal(uvs_tcp_event(TH_SYN), UVS_TCP_EV_SYN);
	assert_int_equal(uvs_tcp_event(TH_SYN | TH_ACK), UVS_TCP_EV_SYN);
	assert_int_equal(uvs_tcp_event(TH_RST | TH_SYN), UVS_TCP_EV_RST);
	assert_int_equal(uvs_tcp_event(TH_FIN | TH_ACK), UVS_TCP_EV_FIN);
	assert_int_equal(uvs_tcp_event(TH_ACK | TH_PUSH), UVS_TCP_EV_ACK);
	assert_int_equal(uvs_tcp_event(TH_URG), UVS_TCP_EV_NONE);
}

/* Walks a connection through (dir, flags) steps and checks the states. */
static void walk(const int steps[][2], const enum uvs_tcp_state *want, int n)
{
	enum uvs_tcp_state s = UVS_TCP_S_NONE;
	for (int i = 0; i < n; i++) {
		s = uvs_tcp_next(s, steps[i][0], uvs_tcp_event((uint8_t)steps[i][1]));
		if (s != want[i])
			fail_msg("step %d: %s, want %s", i, uvs_tcp_state_name(s),
				 uvs_tcp_state_name(want[i]));
	}
}

static void test_lives(void **state)
{
	(void)state;
	/* NAT: handshake, data, client closes first. */
	const int nat[][2] = { { 0, TH_SYN }, { 1, TH_SYN | TH_ACK },
			       { 0, TH_ACK }, { 0, TH_FIN | TH_ACK },
			       { 1, TH_ACK }, { 1, TH_FIN | TH_ACK },
			       { 0, TH_ACK } };
	const enum uvs_tcp_state nat_want[] = {
		UVS_TCP_S_SYN_RECV,   UVS_TCP_S_SYN_RECV,   UVS_TCP_S_ESTABLISHED,
		UVS_TCP_S_CLOSE_WAIT, UVS_TCP_S_CLOSE_WAIT, UVS_TCP_S_TIME_WAIT,
		UVS_TCP_S_TIME_WAIT,
	};
	walk(nat, nat_want, 7);

	/* Direct routing: only the client's side is seen. */
	const int dr[][2] = { { 2, TH_SYN }, { 2, TH_ACK }, { 2, TH_FIN | TH_ACK }, { 2, TH_ACK } };
	const enum uvs_tcp_state dr_want[] = { UVS_TCP_S_SYN_RECV, UVS_TCP_S_ESTABLISHED,
					       UVS_TCP_S_FIN_WAIT, UVS_TCP_S_FIN_WAIT };
	walk(dr, dr_want, 4);

	/* A reset from the real server closes at once. */
	const int rst[][2] = { { 0, TH_SYN }, { 1, TH_RST } };
	const enum uvs_tcp_state rst_want[] = { UVS_TCP_S_SYN_RECV, UVS_TCP_S_CLOSE };
	walk(rst, rst_want, 2);

	assert_true(uvs_tcp_state_active(UVS_TCP_S_SYN_RECV));
	assert_true(uvs_tcp_state_active(UVS_TCP_S_ESTABLISHED));
	assert_false(uvs_tcp_state_active(UVS_TCP_S_CLOSE_WAIT));
	assert_false(uvs_tcp_state_active(UVS_TCP_S_NONE));
	assert_string_equal(uvs_tcp_state_name(UVS_TCP_S_TIME_WAIT), "TIME_WAIT");
}

static void test_timeouts(void **state)
{
	struct uvs_timeouts t;

	(void)state;
	uvs_timeouts_default(&t);
	assert_int_equal(t.tcp[UVS_TCP_S_ESTABLISHED], 900);
	assert_int_equal(t.tcp[UVS_TCP_S_SYN_RECV], 60);
	assert_int_equal(t.tcp[UVS_TCP_S_CLOSE], 10);
	assert_int_equal(t.tcp[UVS_TCP_S_LAST_ACK], 30);
	assert_int_equal(t.tcp[UVS_TCP_S_NONE], 2);
	assert_int_equal(t.udp, 300);
	uvs_timeouts_set(&t, 3600, 0, 60);
	assert_int_equal(t.tcp[UVS_TCP_S_ESTABLISHED], 3600);
	assert_int_equal(t.tcp[UVS_TCP_S_FIN_WAIT], 120);
	assert_int_equal(t.udp, 60);
}

/* A SYN and an ACK open a connection in an active state by every table a client's
 * first packet may use (SYN_RECV, ESTABLISHED); a FIN and a RST close it. */
static void test_opening_active(void **state)
{
	(void)state;
	assert_int_equal(uvs_tcp_opening_active_events(),
			 1u << UVS_TCP_EV_SYN | 1u << UVS_TCP_EV_ACK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_transition),
		cmocka_unit_test(test_events),
		cmocka_unit_test(test_lives),
		cmocka_unit_test(test_timeouts),
		cmocka_unit_test(test_opening_active),
	};
	return cmocka_run_group_tests_name("proto_tcp", tests, NULL, NULL);
}
