// SPDX-License-Identifier: GPL-2.0-or-later
/* lblc and lblcr: locality by destination address, the lblc-overload test, weight 0,
 * deleted destinations, garbage collection, and lblcr's growing and shrinking sets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "helpers.h"
#include "sched/lblcache.h"

#define SEC  UVS_NS_PER_SEC
#define MIN  (60 * SEC)
#define HOUR (60 * MIN)

static int setup(void **state)
{
	static struct test_env env;
	test_env_init(&env);
	*state = &env;
	return 0;
}

static int teardown(void **state)
{
	test_env_fini(*state);
	return 0;
}

static union uvs_addr v4(const char *text)
{
	union uvs_addr a;

	memset(&a, 0, sizeof(a));
	assert_int_equal(uvs_addr_parse(AF_INET, text, &a), 0);
	return a;
}

/* Schedules one active connection for a packet to daddr at time now; it stays bound. */
static struct uvs_dest *pick_at(struct uvs_service *svc, union uvs_addr daddr, uvs_time_t now)
{
	struct uvs_sched_pkt pkt;
	struct uvs_dest *d;

	memset(&pkt, 0, sizeof(pkt));
	pkt.af = AF_INET;
	pkt.protocol = IPPROTO_TCP;
	pkt.saddr = v4("192.168.0.1");
	pkt.sport = htons(40000);
	pkt.daddr = daddr;
	pkt.dport = htons(80);
	pkt.now = now;
	rcu_read_lock();
	d = uvs_svc_schedule(svc, &pkt, 0, 0);
	rcu_read_unlock();
	return d;
}

static int pick_id(struct uvs_service *svc, const char *daddr, uvs_time_t now)
{
	return test_dest_id(pick_at(svc, v4(daddr), now));
}

/* Ends one active connection of d. */
static void drop_conn(struct uvs_dest *d)
{
	rcu_read_lock();
	uvs_dest_unbind(d, 0, 0);
	rcu_read_unlock();
}

static void drop_all(struct uvs_dest *d)
{
	while (uvs_dest_active(d))
		drop_conn(d);
}

static struct uvs_lbl *cache_of(struct uvs_service *svc)
{
	return svc->sched_data;
}

static bool cached(struct uvs_service *svc, const char *daddr)
{
	union uvs_addr a = v4(daddr);
	return uvs_lbl_find(cache_of(svc), AF_INET, &a) != NULL;
}

static void del_dest(struct test_env *env, struct uvs_service *svc, struct uvs_dest *d)
{
	struct uvs_dest_conf c = d->conf;
	struct uvs_error err;

	assert_int_equal(uvs_dest_del(&env->m, &svc->key, c.af, &c.addr, c.port, &err), 0);
}

/* ---- lblc ---- */

static void test_lblc_sticks_until_overloaded(void **state)
{
	struct test_env *env = *state;
	struct uvs_service *svc = test_add_svc(env, "10.0.0.1:80", "lblc");
	struct uvs_dest *a = test_add_dest(env, svc, "10.0.1.11:80", 4);
	struct uvs_dest *b = test_add_dest(env, svc, "10.0.1.12:80", 4);
	uvs_time_t t = 10 * SEC;

	/* Equal loads: wlc takes the newest, b. It then sticks while its load grows far
	 * past a's, up to active 5 > weight 4. */
	for (int i = 0; i < 5; i++)
		assert_int_equal(pick_id(svc, "172.16.0.1", t), 12);
	assert_int_equal(uvs_dest_active(b), 5);

	/* Another address goes by wlc: a (load 0). Two connections leave a at exactly half
	 * its weight, which is not "underloaded" (2 * 2 < 4 is false). */
	assert_int_equal(pick_id(svc, "172.16.0.2", t), 11);
	assert_int_equal(pick_id(svc, "172.16.0.2", t), 11);
	assert_int_equal(uvs_dest_active(a), 2);

	/* b has active > weight, but no destination is under half its weight: stay. */
	assert_int_equal(pick_id(svc, "172.16.0.1", t), 12);
	assert_int_equal(uvs_dest_active(b), 6);

	/* One of a's connections ends: a is now underloaded, so b is lblc-overloaded and
	 * the address moves to the wlc pick, a, and stays there. */
	drop_conn(a);
	assert_int_equal(pick_id(svc, "172.16.0.1", t), 11);
	drop_all(b);
	assert_int_equal(pick_id(svc, "172.16.0.1", t), 11);
	assert_int_equal(uvs_dest_active(b), 0);
}

/* The count of underloaded destinations follows weight changes and deletions. */
static void test_lblc_underload_count(void **state)
{
	struct test_env *env = *state;
	struct uvs_service *svc = test_add_svc(env, "10.0.0.1:80", "lblc");
	struct uvs_dest *b, *c;

	test_add_dest(env, svc, "10.0.1.11:80", 1);
	c = test_add_dest(env, svc, "10.0.1.13:80", 1);
	b = test_add_dest(env, svc, "10.0.1.12:80", 10);
	test_set_weight(env, svc, b, 0);

	assert_int_equal(pick_id(svc, "172.16.0.2", SEC), 13);
	for (int i = 0; i < 3; i++)
		assert_int_equal(pick_id(svc, "172.16.0.1", SEC), 11);
	/* 11 has active 3 > weight 1; 13 (1 of 1) is not underloaded and b has weight 0:
	 * 11 keeps the address. b's weight makes it underloaded, but it is deleted before
	 * the next pick, so 11 still keeps it. */
	test_set_weight(env, svc, b, 10);
	del_dest(env, svc, b);
	assert_int_equal(pick_id(svc, "172.16.0.1", SEC), 11);
	/* An idle 13 is underloaded: now the address moves. */
	drop_all(c);
	assert_int_equal(pick_id(svc, "172.16.0.1", SEC), 13);
}

static void test_lblc_overload_flag_not_consulted(void **state)
{
	struct test_env *env = *state;
	struct uvs_service *svc = test_add_svc(env, "10.0.0.1:80", "lblc");
	struct uvs_dest_conf c;
	struct uvs_error err;
	struct uvs_dest *b;

	test_add_dest(env, svc, "10.0.1.11:80", 10);
	b = test_add_dest(env, svc, "10.0.1.12:80", 10);
	/* b may hold 2 connections before its overload flag is set. */
	c = b->conf;
	c.u_threshold = 2;
	assert_int_equal(uvs_dest_edit(&env->m, &svc->key, &c, &err), 0);

	assert_int_equal(pick_id(svc, "172.16.0.1", SEC), 12);
	assert_int_equal(pick_id(svc, "172.16.0.1", SEC), 12);
	assert_true(uvs_dest_overloaded(b));
	/* The cached b is still used: only active > weight counts for lblc... */
	assert_int_equal(pick_id(svc, "172.16.0.1", SEC), 12);
	/* ...but wlc, for a new address, skips the flagged b. */
	assert_int_equal(pick_id(svc, "172.16.0.2", SEC), 11);
}

static void test_lblc_spreads_by_wlc(void **state)
{
	struct test_env *env = *state;
	struct uvs_service *svc = test_add_svc(env, "10.0.0.1:80", "lblc");
	const char *addrs[] = { "172.16.0.1", "172.16.0.2", "172.16.0.3", "172.16.0.4" };
	int first[4], seen[256] = { 0 };

	test_add_dest(env, svc, "10.0.1.11:80", 1);
	test_add_dest(env, svc, "10.0.1.12:80", 1);
	test_add_dest(env, svc, "10.0.1.13:80", 2);

	/* wlc order with weights 1, 1, 2: 13 (newest), then 12, 11, then 13 again (1/2). */
	for (int i = 0; i < 4; i++) {
		first[i] = pick_id(svc, addrs[i], SEC);
		seen[first[i]]++;
	}
	assert_int_equal(first[0], 13);
	assert_int_equal(first[1], 12);
	assert_int_equal(first[2], 11);
	assert_int_equal(first[3], 13);
	assert_int_equal(seen[11] + seen[12] + seen[13], 4);
	/* Each address keeps its server. */
	for (int round = 0; round < 3; round++)
		for (int i = 0; i < 4; i++)
			assert_int_equal(pick_id(svc, addrs[i], 2 * SEC), first[i]);
	assert_int_equal(cache_of(svc)->entries, 4);
}

static void test_lblc_weight_zero_moves(void **state)
{
	struct test_env *env = *state;
	struct uvs_service *svc = test_add_svc(env, "10.0.0.1:80", "lblc");
	struct uvs_dest *a = test_add_dest(env, svc, "10.0.1.11:80", 1);
	struct uvs_dest *b = test_add_dest(env, svc, "10.0.1.12:80", 1);

	assert_int_equal(pick_id(svc, "172.16.0.1", SEC), 12);
	test_set_weight(env, svc, b, 0);
	assert_int_equal(pick_id(svc, "172.16.0.1", SEC), 11);
	/* The entry now names 11; b's weight coming back does not move it back. */
	test_set_weight(env, svc, b, 5);
	assert_int_equal(pick_id(svc, "172.16.0.1", SEC), 11);
	/* a's weight going to 0 moves it to b; with no weight anywhere, NULL. */
	test_set_weight(env, svc, a, 0);
	assert_int_equal(pick_id(svc, "172.16.0.1", SEC), 12);
	test_set_weight(env, svc, b, 0);
	assert_null(pick_at(svc, v4("172.16.0.1"), SEC));
	assert_null(pick_at(svc, v4("172.16.0.77"), SEC));
}

static void test_lblc_deleted_dest_leaves_cache(void **state)
{
	struct test_env *env = *state;
	struct uvs_service *svc = test_add_svc(env, "10.0.0.1:80", "lblc");
	struct uvs_dest *b;

	test_add_dest(env, svc, "10.0.1.11:80", 10);
	b = test_add_dest(env, svc, "10.0.1.12:80", 1);
	assert_int_equal(pick_id(svc, "172.16.0.1", SEC), 12);
	assert_int_equal(pick_id(svc, "172.16.0.2", SEC), 11);
	drop_all(b);

	/* Delete b and let the trash free it: a cache that kept the pointer would read
	 * freed memory below (ASan reports it) or return garbage. */
	del_dest(env, svc, b);
	env->now += UVS_DEST_TRASH_NS + SEC;
	uvs_model_expire_trash(&env->m);
	rcu_barrier();
	assert_true(cds_list_empty(&env->m.trash));

	assert_int_equal(pick_id(svc, "172.16.0.1", 2 * SEC), 11);
	assert_int_equal(pick_id(svc, "172.16.0.2", 2 * SEC), 11);
	/* The address now sticks to 11, even when a new server comes. */
	test_add_dest(env, svc, "10.0.1.12:80", 1);
	assert_int_equal(pick_id(svc, "172.16.0.1", 3 * SEC), 11);
	assert_int_equal(cache_of(svc)->entries, 2);
}

static void test_lblc_gc_expires_after_a_day(void **state)
{
	struct test_env *env = *state;
	struct uvs_service *svc = test_add_svc(env, "10.0.0.1:80", "lblc");
	uvs_time_t t0 = 5000 * SEC;

	test_add_dest(env, svc, "10.0.1.11:80", 100);
	test_add_dest(env, svc, "10.0.1.12:80", 100);
	pick_id(svc, "172.16.0.1", t0); /* the first packet starts the 60 s ticks */
	pick_id(svc, "172.16.0.2", t0 + 10 * SEC);
	assert_int_equal(cache_of(svc)->entries, 2);

	/* Keep .1 in use; .2 idles. Full checks fall every 30 minutes from t0. */
	pick_id(svc, "172.16.0.1", t0 + 23 * HOUR);
	/* At t0 + 24 h the full check saw .2 idle for 24 h - 10 s: kept. */
	pick_id(svc, "172.16.0.1", t0 + 24 * HOUR + 29 * MIN);
	assert_true(cached(svc, "172.16.0.2"));
	assert_int_equal(cache_of(svc)->entries, 2);
	/* At t0 + 24 h 30 min it had been idle long enough. */
	pick_id(svc, "172.16.0.1", t0 + 24 * HOUR + 31 * MIN);
	assert_false(cached(svc, "172.16.0.2"));
	assert_true(cached(svc, "172.16.0.1"));
	assert_int_equal(cache_of(svc)->entries, 1);

	/* A long silence: every entry idle for days goes at the next packet, which then
	 * makes its own entry. */
	pick_id(svc, "172.16.0.3", t0 + 24 * 10 * HOUR);
	assert_false(cached(svc, "172.16.0.1"));
	assert_true(cached(svc, "172.16.0.3"));
	assert_int_equal(cache_of(svc)->entries, 1);
}

/* lblc_expiration (1 h) is how long an unused entry lives; lblcr's does not count. */
static void test_lblc_expiration_sysctl(void **state)
{
	struct test_env *env = *state;
	struct uvs_service *svc = test_add_svc(env, "10.0.0.1:80", "lblc");
	uvs_time_t t0 = 5000 * SEC;

	assert_int_equal(uvs_sysctl_set(&env->m.sysctl, "lblc_expiration", "3600", NULL), 0);
	assert_int_equal(uvs_sysctl_set(&env->m.sysctl, "lblcr_expiration", "1", NULL), 0);
	test_add_dest(env, svc, "10.0.1.11:80", 100);
	pick_id(svc, "172.16.0.1", t0);
	pick_id(svc, "172.16.0.2", t0 + 10 * SEC);
	/* The full checks at t0 + 30 min and t0 + 60 min see .2 idle for less than 1 h. */
	pick_id(svc, "172.16.0.1", t0 + 89 * MIN);
	assert_true(cached(svc, "172.16.0.2"));
	/* The one at t0 + 90 min does not. */
	pick_id(svc, "172.16.0.1", t0 + 91 * MIN);
	assert_false(cached(svc, "172.16.0.2"));
	assert_true(cached(svc, "172.16.0.1"));
}

static void test_lblc_gc_trims_when_full(void **state)
{
	struct test_env *env = *state;
	struct uvs_service *svc = test_add_svc(env, "10.0.0.1:80", "lblc");
	const size_t n = UVS_LBL_MAX_SIZE + 100;
	uvs_time_t t0 = 5000 * SEC;
	char keep[32];
	size_t before, dropped;

	test_add_dest(env, svc, "10.0.1.11:80", 1);
	for (size_t i = 0; i < n; i++) {
		char a[32];
		snprintf(a, sizeof(a), "10.%zu.%zu.%zu", 100 + i / 65536, i / 256 % 256, i % 256);
		assert_non_null(pick_at(svc, v4(a), t0));
	}
	assert_int_equal(cache_of(svc)->entries, n);
	snprintf(keep, sizeof(keep), "10.100.0.7");

	/* Ticks at 1..5 min: too many entries, but none idle for 6 minutes yet. */
	pick_id(svc, keep, t0 + 5 * MIN);
	assert_int_equal(cache_of(svc)->entries, n);

	/* At 6.5 min: a trim drops idle entries, bucket by bucket, until 4/3 of the
	 * excess (133) are gone, not every idle one. The entry used at 5 min stays. */
	pick_id(svc, keep, t0 + 6 * MIN + 30 * SEC);
	dropped = n - cache_of(svc)->entries;
	assert_true(dropped >= 100 * 4 / 3);
	assert_true(dropped < 1000);
	assert_true(cached(svc, keep));

	/* Back under the limit: the next ticks drop nothing though all are idle. */
	before = cache_of(svc)->entries;
	assert_true(before <= UVS_LBL_MAX_SIZE);
	pick_id(svc, keep, t0 + 9 * MIN + 30 * SEC);
	assert_int_equal(cache_of(svc)->entries, before);
}

/* ---- lblcr ---- */

static void test_lblcr_set_grows_and_shrinks(void **state)
{
	struct test_env *env = *state;
	struct uvs_service *svc = test_add_svc(env, "10.0.0.1:80", "lblcr");
	struct uvs_dest *a = test_add_dest(env, svc, "10.0.1.11:80", 10);
	struct uvs_dest *b = test_add_dest(env, svc, "10.0.1.12:80", 10);
	struct uvs_dest *c = test_add_dest(env, svc, "10.0.1.13:80", 10);
	const char *x = "172.16.0.1";
	uvs_time_t t1 = 100 * SEC;

	/* The set starts as {c}, the wlc pick, and c serves until it is lblc-overloaded
	 * (active 11 > 10 while a and b are idle). */
	for (int i = 0; i < 11; i++)
		assert_int_equal(pick_id(svc, x, t1), 13);
	/* Now wlc picks b (newest of the idle ones) and it joins: {c, b}. */
	assert_int_equal(pick_id(svc, x, t1), 12);
	/* Another address gives a load of 5 to a. */
	for (int i = 0; i < 5; i++)
		assert_int_equal(pick_id(svc, "172.16.0.2", t1), 11);
	assert_int_equal(uvs_dest_active(a), 5);

	/* x keeps to its set: b (less loaded than c) even past a's load, which wlc would
	 * choose. */
	for (int i = 0; i < 8; i++)
		assert_int_equal(pick_id(svc, x, t1 + HOUR), 12);
	assert_int_equal(uvs_dest_active(b), 9);

	/* c becomes idle: the set's least loaded member is c again, until c reaches b's
	 * load, where the newer member, b, wins the tie. No shrinking before 24 h. */
	drop_all(c);
	for (int i = 0; i < 9; i++)
		assert_int_equal(pick_id(svc, x, t1 + 23 * HOUR), 13);
	assert_int_equal(pick_id(svc, x, t1 + 23 * HOUR), 12);
	assert_int_equal(uvs_dest_active(b), 10);
	assert_int_equal(uvs_dest_active(c), 9);

	/* 24 h after the last change of the set: it sheds its most loaded member, b, and
	 * the least loaded, c, serves. */
	assert_int_equal(pick_id(svc, x, t1 + 24 * HOUR + SEC), 13);
	/* c now at b's load of 10: were b still a member it would win the tie. */
	assert_int_equal(uvs_dest_active(c), 10);
	assert_int_equal(pick_id(svc, x, t1 + 24 * HOUR + 2 * SEC), 13);
	/* A set of one member is never shrunk, however old: were it emptied, wlc would
	 * pick a (load 5 against c's 11 and 12). */
	assert_int_equal(pick_id(svc, x, t1 + 40 * HOUR), 13);
	assert_int_equal(pick_id(svc, x, t1 + 49 * HOUR), 13);
	assert_int_equal(pick_id(svc, x, t1 + 49 * HOUR + SEC), 13);
	assert_int_equal(uvs_dest_active(c), 14);
	(void)a;
}

/* lblcr_expiration (1 h): a set unchanged for that long sheds its most loaded member. */
static void test_lblcr_expiration_sysctl(void **state)
{
	struct test_env *env = *state;
	struct uvs_service *svc = test_add_svc(env, "10.0.0.1:80", "lblcr");
	const char *x = "172.16.0.1";
	uvs_time_t t1 = 100 * SEC;

	assert_int_equal(uvs_sysctl_set(&env->m.sysctl, "lblcr_expiration", "3600", NULL), 0);
	test_add_dest(env, svc, "10.0.1.11:80", 10);
	test_add_dest(env, svc, "10.0.1.12:80", 10);
	struct uvs_dest *c = test_add_dest(env, svc, "10.0.1.13:80", 10);
	/* {c} until c is lblc-overloaded, then {c, b}, changed last at t1. */
	for (int i = 0; i < 11; i++)
		assert_int_equal(pick_id(svc, x, t1), 13);
	assert_int_equal(pick_id(svc, x, t1), 12);
	/* c idle again: c, then at equal loads the newer member, b. */
	drop_all(c);
	assert_int_equal(pick_id(svc, x, t1 + 30 * MIN), 13);
	assert_int_equal(pick_id(svc, x, t1 + 30 * MIN), 12);
	/* An hour after the set's last change it sheds b (2 against c's 1): c serves,
	 * also at equal loads, where b would win. */
	assert_int_equal(pick_id(svc, x, t1 + HOUR + SEC), 13);
	assert_int_equal(pick_id(svc, x, t1 + HOUR + 2 * SEC), 13);
}

static void test_lblcr_deleted_member_leaves_set(void **state)
{
	struct test_env *env = *state;
	struct uvs_service *svc = test_add_svc(env, "10.0.0.1:80", "lblcr");
	struct uvs_dest *a = test_add_dest(env, svc, "10.0.1.11:80", 2);
	struct uvs_dest *b = test_add_dest(env, svc, "10.0.1.12:80", 2);
	const char *x = "172.16.0.1";

	/* {b} then, once b is lblc-overloaded, {b, a}. */
	for (int i = 0; i < 3; i++)
		assert_int_equal(pick_id(svc, x, SEC), 12);
	assert_int_equal(pick_id(svc, x, SEC), 11);
	drop_all(a);
	drop_all(b);

	del_dest(env, svc, b);
	env->now += UVS_DEST_TRASH_NS + SEC;
	uvs_model_expire_trash(&env->m);
	rcu_barrier();
	assert_true(cds_list_empty(&env->m.trash));
	/* Only a remains in the set; its picks never touch freed memory. */
	for (int i = 0; i < 3; i++)
		assert_int_equal(pick_id(svc, x, 2 * SEC), 11);

	/* Delete a too: the set is empty, and the next pick goes by wlc to a new server,
	 * which joins the set. */
	drop_all(a);
	del_dest(env, svc, a);
	assert_null(pick_at(svc, v4(x), 3 * SEC));
	test_add_dest(env, svc, "10.0.1.13:80", 1);
	assert_int_equal(pick_id(svc, x, 4 * SEC), 13);
	assert_int_equal(pick_id(svc, x, 4 * SEC), 13);
	assert_int_equal(cache_of(svc)->entries, 1);
}

static void test_lblcr_gc_expires(void **state)
{
	struct test_env *env = *state;
	struct uvs_service *svc = test_add_svc(env, "10.0.0.1:80", "lblcr");

	test_add_dest(env, svc, "10.0.1.11:80", 1);
	pick_id(svc, "172.16.0.1", SEC);
	pick_id(svc, "172.16.0.2", SEC);
	assert_int_equal(cache_of(svc)->entries, 2);
	pick_id(svc, "172.16.0.2", 2 * 24 * HOUR);
	assert_false(cached(svc, "172.16.0.1"));
	assert_true(cached(svc, "172.16.0.2"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_lblc_sticks_until_overloaded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lblc_underload_count, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lblc_overload_flag_not_consulted, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_lblc_spreads_by_wlc, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lblc_weight_zero_moves, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lblc_deleted_dest_leaves_cache, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_lblc_gc_expires_after_a_day, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lblc_expiration_sysctl, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lblc_gc_trims_when_full, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lblcr_expiration_sysctl, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lblcr_set_grows_and_shrinks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lblcr_deleted_member_leaves_set, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_lblcr_gc_expires, setup, teardown),
	};
	return cmocka_run_group_tests_name("sched_lblc", tests, NULL, NULL);
}
