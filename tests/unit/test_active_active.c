// SPDX-License-Identifier: GPL-2.0-or-later
/* Active-active directors behind ECMP (issue 19): two engines, each over its own model
 * built by the same commands, stand for two directors. mh and sh build the same table
 * on both and so pick the same real server for every flow (over IPv4 and IPv6); with
 * sloppy_tcp a flow's mid-stream ACK that ECMP moved to the other director makes a
 * connection there to that same server, while without it the ACK finds nothing; after
 * the same real server is removed from both, they still agree, and the flows of the
 * servers that stay keep theirs on the director that has their connections. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>

#include "engine_fixture.h"
#include "sched/hashsched.h"

#define FLOWS 300
#define NRS   5

struct pair {
	struct eng_fixture *a, *b;
};

static int pair_setup(void **state)
{
	struct pair *p = calloc(1, sizeof(*p));
	void *s;

	eng_setup(&s);
	p->a = s;
	/* Each fixture registers the thread with RCU once: one registration for both. */
	rcu_unregister_thread();
	eng_setup(&s);
	p->b = s;
	*state = p;
	return 0;
}

static int pair_teardown(void **state)
{
	struct pair *p = *state;
	void *s = p->a;

	eng_teardown(&s);
	rcu_register_thread();
	s = p->b;
	eng_teardown(&s);
	free(p);
	return 0;
}

/* The same service and real servers on both directors, in the same order. */
/* Returns the services: out[0] on a, out[1] on b. */
static void configure(struct pair *p, const char *vip_port, const char *sched, bool v6,
		      struct uvs_service **out)
{
	struct eng_fixture *fx[2] = { p->a, p->b };
	char rs[64];

	for (int k = 0; k < 2; k++) {
		struct uvs_service *svc = out[k] = test_add_svc(&fx[k]->env, vip_port, sched);

		for (int i = 1; i <= NRS; i++) {
			if (v6)
				snprintf(rs, sizeof(rs), "[2001:db8:1::%x]:80", 10 + i);
			else
				snprintf(rs, sizeof(rs), "192.168.0.%d:80", 10 + i);
			eng_add_dest(fx[k], svc, rs, i == 2 ? 3 : 1, UVS_FWD_MASQ);
		}
	}
}

/* Client i's address (several of them) and port. */
static const char *client(int i, bool v6, char *buf, size_t len)
{
	if (v6)
		snprintf(buf, len, "2001:db8:c::%x:%x", i % 3, 2 + i / 3);
	else
		snprintf(buf, len, "172.16.%d.%d", i % 3, 2 + i / 3);
	return buf;
}

/* The real server fx sends flow i to (its last byte), with the flags given. */
static int forward(struct eng_fixture *fx, int i, bool v6, const char *vip, uint8_t flags)
{
	char src[64];
	struct frame_spec s = frame_tcp(client(i, v6, src, sizeof(src)), (uint16_t)(20000 + i * 7),
					vip, 80, flags);

	if (eng_send(fx, &s) != UVS_VERDICT_TX)
		return -1;
	return v6 ? fx->out.daddr.ip6[15] : (int)(ntohl(fx->out.daddr.ip) & 0xff);
}

static void same_choice(void **state, const char *sched, bool v6)
{
	struct pair *p = *state;
	const char *vip = v6 ? "2001:db8:f::1" : "10.0.0.1";
	const char *vip_port = v6 ? "[2001:db8:f::1]:80" : "10.0.0.1:80";
	int on_a[FLOWS], seen[256] = { 0 };

	struct uvs_service *svcs[2];

	configure(p, vip_port, sched, v6, svcs);
	/* The tables themselves are the same, slot by slot. */
	struct uvs_service *sa = svcs[0], *sb = svcs[1];
	unsigned slots = !strcmp(sched, "mh") ? UVS_MH_TAB_SIZE : UVS_SH_BUCKETS;
	for (unsigned i = 0; i < slots; i++) {
		struct uvs_dest *da =
			!strcmp(sched, "mh") ? uvs_mh_slot(sa, i) : uvs_sh_bucket(sa, i);
		struct uvs_dest *db =
			!strcmp(sched, "mh") ? uvs_mh_slot(sb, i) : uvs_sh_bucket(sb, i);
		assert_int_equal(test_dest_id(da), test_dest_id(db));
	}

	/* Every flow starts on a; on b, with sloppy_tcp, its next ACK goes to the same
	 * server. Without sloppy_tcp that ACK would find no connection. */
	assert_int_equal(forward(p->b, 0, v6, vip, TH_ACK), -1);
	assert_int_equal(eng_counter(p->b, UVS_R_NO_CONN), 1);
	p->b->env.m.sysctl.sloppy_tcp = 1;
	for (int i = 0; i < FLOWS; i++) {
		on_a[i] = forward(p->a, i, v6, vip, TH_SYN);
		assert_true(on_a[i] > 10 && on_a[i] <= 10 + NRS);
		seen[on_a[i]]++;
		assert_int_equal(forward(p->b, i, v6, vip, TH_ACK), on_a[i]);
	}
	/* Flows went to every server: the agreement is not that of a single choice. */
	for (int i = 1; i <= NRS; i++)
		assert_true(seen[10 + i] > 0);

	/* The same real server removed from both: they agree again, and on a, whose
	 * connections stay, no flow of the others moves. */
	char rs[64];
	union uvs_addr gone;
	snprintf(rs, sizeof(rs), v6 ? "2001:db8:1::%x" : "192.168.0.%d", 13);
	assert_int_equal(uvs_addr_parse(v6 ? AF_INET6 : AF_INET, rs, &gone), 0);
	assert_int_equal(uvs_dest_del(&p->a->env.m, &sa->key, v6 ? AF_INET6 : AF_INET, &gone,
				      htons(80), NULL),
			 0);
	assert_int_equal(uvs_dest_del(&p->b->env.m, &sb->key, v6 ? AF_INET6 : AF_INET, &gone,
				      htons(80), NULL),
			 0);
	for (int i = 0; i < FLOWS; i++) {
		if (on_a[i] == 13)
			continue;
		assert_int_equal(forward(p->a, i, v6, vip, TH_ACK), on_a[i]);
	}
	for (int i = FLOWS; i < 2 * FLOWS; i++) {
		int d = forward(p->a, i, v6, vip, TH_SYN);
		assert_true(d != 13 && d > 10);
		assert_int_equal(forward(p->b, i, v6, vip, TH_ACK), d);
	}
}

static void test_mh_v4(void **state)
{
	same_choice(state, "mh", false);
}

static void test_mh_v6(void **state)
{
	same_choice(state, "mh", true);
}

static void test_sh_v4(void **state)
{
	same_choice(state, "sh", false);
}

static void test_sh_v6(void **state)
{
	same_choice(state, "sh", true);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_mh_v4, pair_setup, pair_teardown),
		cmocka_unit_test_setup_teardown(test_mh_v6, pair_setup, pair_teardown),
		cmocka_unit_test_setup_teardown(test_sh_v4, pair_setup, pair_teardown),
		cmocka_unit_test_setup_teardown(test_sh_v6, pair_setup, pair_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
