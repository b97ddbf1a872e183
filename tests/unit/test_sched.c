// SPDX-License-Identifier: GPL-2.0-or-later
/* Scheduler vectors from the IPVS reference: rr, wrr, lc, wlc, sed, nq, fo, ovf, twos,
 * and rules every registered scheduler must keep (weight 0, overload, no destination). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "base/atomic.h"
#include "helpers.h"

/* Picks n times from svc and writes the chosen ids as text, e.g. "1 1 2". Connections
 * stay bound (active), so load-based schedulers see them. */
static void pick_seq(struct uvs_service *svc, int n, char *out, size_t len)
{
	size_t used = 0;

	out[0] = 0;
	for (int i = 0; i < n; i++) {
		char client[32];
		snprintf(client, sizeof(client), "172.16.%d.%d:%d", i / 250, i % 250 + 1, 1024 + i);
		used += (size_t)snprintf(out + used, len - used, "%s%d", i ? " " : "",
					 test_dest_id(test_pick(svc, client, 0)));
	}
}

static struct uvs_dest_conf conf_of(struct uvs_dest *d)
{
	return d->conf;
}

static void set_u_threshold(struct test_env *env, struct uvs_service *svc, struct uvs_dest *d,
			    uint32_t u)
{
	struct uvs_dest_conf c = conf_of(d);
	c.u_threshold = u;
	assert_int_equal(uvs_dest_edit(&env->m, &svc->key, &c, NULL), 0);
}

static void test_rr(void **state)
{
	struct test_env *env = *state;
	struct uvs_service *svc = test_add_svc(env, "10.0.0.1:80", "rr");
	char seq[256];

	test_add_dest(env, svc, "192.168.0.1:80", 1);
	struct uvs_dest *b = test_add_dest(env, svc, "192.168.0.2:80", 5);
	struct uvs_dest *c = test_add_dest(env, svc, "192.168.0.3:80", 1);
	/* List order is newest first: 3 2 1. Weights do not matter to rr. */
	pick_seq(svc, 7, seq, sizeof(seq));
	assert_string_equal(seq, "3 2 1 3 2 1 3");

	/* Weight 0 and overloaded destinations are skipped. */
	test_set_weight(env, svc, b, 0);
	pick_seq(svc, 4, seq, sizeof(seq));
	assert_string_equal(seq, "1 3 1 3");
	test_set_weight(env, svc, b, 1);
	set_u_threshold(env, svc, c, 1);
	rcu_read_lock();
	uvs_dest_bind(c, 0, 0); /* binding reaches the threshold */
	rcu_read_unlock();
	assert_true(uvs_dest_overloaded(c));
	pick_seq(svc, 3, seq, sizeof(seq));
	assert_string_equal(seq, "2 1 2");

	/* Deleting the cursor's destination (2) moves the cursor to its predecessor (3),
	 * so the walk goes on with the destination after the deleted one. */
	set_u_threshold(env, svc, c, 0);
	assert_false(uvs_dest_overloaded(c));
	struct uvs_dest_conf bc = conf_of(b);
	assert_int_equal(uvs_dest_del(&env->m, &svc->key, bc.af, &bc.addr, bc.port, NULL), 0);
	pick_seq(svc, 3, seq, sizeof(seq));
	assert_string_equal(seq, "1 3 1");
}

/* A pick for a client of its own, by uvs_svc_schedule() as the workers ask. */
static int pick_one(struct uvs_service *svc)
{
	static unsigned n; /* atomic: two threads pick at once below */
	struct uvs_sched_pkt pkt = {
		.af = AF_INET,
		.protocol = IPPROTO_TCP,
		.daddr = svc->key.addr,
		.dport = svc->key.port,
		.sport = htons((uint16_t)(1024 + uvs_add_return_relaxed(&n, 1))),
	};
	struct uvs_dest *d;

	pkt.saddr.ip = htonl(0xac100001u);
	rcu_read_lock();
	d = uvs_svc_schedule(svc, &pkt, 0, 0);
	if (d)
		uvs_dest_unbind(d, 0, 0);
	rcu_read_unlock();
	return test_dest_id(d);
}

/* rr picks without the service's lock (svc->unlocked), and still in the kernel's one
 * round: a destination added at the head is next after a wrap; deleting the one
 * picked last goes on after it; another scheduler takes the lock again, and rr back
 * starts from the head. */
static void test_rr_unlocked(void **state)
{
	struct test_env *env = *state;
	struct uvs_service *svc = test_add_svc(env, "10.0.0.1:80", "rr");

	test_add_dest(env, svc, "192.168.0.1:80", 1);
	struct uvs_dest *b = test_add_dest(env, svc, "192.168.0.2:80", 1);
	test_add_dest(env, svc, "192.168.0.3:80", 1);
	assert_non_null(svc->unlocked);
	assert_int_equal(pick_one(svc), 3);
	assert_int_equal(pick_one(svc), 2);
	struct uvs_dest_conf bc = conf_of(b);
	assert_int_equal(uvs_dest_del(&env->m, &svc->key, bc.af, &bc.addr, bc.port, NULL), 0);
	assert_int_equal(pick_one(svc), 1);
	test_add_dest(env, svc, "192.168.0.4:80", 1);
	assert_int_equal(pick_one(svc), 4);
	assert_int_equal(pick_one(svc), 3);

	struct uvs_svc_conf c = test_svc_conf("10.0.0.1:80", "wrr");
	assert_int_equal(uvs_svc_edit(&env->m, &c, NULL), 0);
	assert_null(svc->unlocked);
	c = test_svc_conf("10.0.0.1:80", "rr");
	assert_int_equal(uvs_svc_edit(&env->m, &c, NULL), 0);
	assert_non_null(svc->unlocked);
	assert_int_equal(pick_one(svc), 4);
}

struct rr_race {
	struct uvs_service *svc;
	int picks[2000];
};

static void *rr_racer(void *arg)
{
	struct rr_race *r = arg;

	rcu_register_thread();
	for (unsigned i = 0; i < 2000; i++)
		r->picks[i] = pick_one(r->svc);
	rcu_unregister_thread();
	return NULL;
}

/* Two threads picking at once share the one round: between them, every destination
 * is picked equally often, as under the kernel's lock (each compare-and-swap that
 * moves the cursor is one step of the round). */
/* The kernel's rr over a list of ids (head first): the cursor is an index, -1 the
 * list's head; a deleted cursor's destination moves it to its predecessor. */
struct rr_kernel {
	int ids[64];
	int n, cursor;
	bool usable[256];
};

static int rr_kernel_pick(struct rr_kernel *k)
{
	for (int step = 1; step <= k->n; step++) {
		int j = k->cursor < 0 ? step - 1 : (k->cursor + step) % k->n;
		if (k->usable[k->ids[j]]) {
			k->cursor = j;
			return k->ids[j];
		}
	}
	return -1;
}

/* Random picks, adds (at the head), deletions and weights against the kernel's rr: each
 * pick the same destination, whichever walk's starting point the last pick left (the
 * hint) and whatever deletions came in between. */
static void test_rr_random_against_kernel(void **state)
{
	struct test_env *env = *state;
	struct uvs_service *svc = test_add_svc(env, "10.0.0.1:80", "rr");
	struct uvs_dest *dest[256] = { 0 };
	struct rr_kernel k = { .cursor = -1 };
	uint64_t x = 0x9e3779b97f4a7c15ull;
	unsigned picks = 0, adds = 0, dels = 0;

	for (int step = 0; step < 20000; step++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		unsigned op = (unsigned)(x % 100), id = (unsigned)(x >> 32) % 200 + 1;
		char addr[32];

		snprintf(addr, sizeof(addr), "192.168.0.%u:80", id);
		if (op < 15 && k.n < 60 && !dest[id]) {
			dest[id] = test_add_dest(env, svc, addr, 1);
			memmove(&k.ids[1], &k.ids[0], (size_t)k.n * sizeof(k.ids[0]));
			k.ids[0] = (int)id;
			k.n++;
			if (k.cursor >= 0)
				k.cursor++;
			k.usable[id] = true;
			adds++;
		} else if (op < 30 && k.n > 0) {
			int j = (int)(id % (unsigned)k.n);
			struct uvs_dest_conf c = dest[k.ids[j]]->conf;
			assert_int_equal(
				uvs_dest_del(&env->m, &svc->key, c.af, &c.addr, c.port, NULL), 0);
			dest[k.ids[j]] = NULL;
			if (k.cursor == j)
				k.cursor = j - 1;
			else if (k.cursor > j)
				k.cursor--;
			memmove(&k.ids[j], &k.ids[j + 1], (size_t)(k.n - j - 1) * sizeof(k.ids[0]));
			k.n--;
			dels++;
		} else if (op < 40 && k.n > 0) {
			int that = k.ids[id % (unsigned)k.n];
			bool usable = !k.usable[that];
			test_set_weight(env, svc, dest[that], usable);
			k.usable[that] = usable;
		} else {
			assert_int_equal(pick_one(svc), rr_kernel_pick(&k));
			picks++;
		}
	}
	print_message("%u picks, %u adds, %u deletions\n", picks, adds, dels);
	assert_true(picks > 10000 && adds > 100 && dels > 100);
}

static void test_rr_two_threads_one_round(void **state)
{
	struct test_env *env = *state;
	struct uvs_service *svc = test_add_svc(env, "10.0.0.1:80", "rr");
	struct rr_race r[2] = { { .svc = svc }, { .svc = svc } };
	pthread_t t[2];
	unsigned count[4] = { 0 };

	for (int i = 1; i <= 3; i++) {
		char rs[32];
		snprintf(rs, sizeof(rs), "192.168.0.%d:80", i);
		test_add_dest(env, svc, rs, 1);
	}
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&t[i], NULL, rr_racer, &r[i]), 0);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	for (int i = 0; i < 2; i++)
		for (unsigned k = 0; k < 2000; k++)
			count[r[i].picks[k]]++;
	/* 4000 picks over 3 destinations: 1334, 1333, 1333 in the round's order. */
	assert_int_equal(count[3], 1334);
	assert_int_equal(count[2], 1333);
	assert_int_equal(count[1], 1333);
}

static void test_wrr_vector(void **state)
{
	struct test_env *env = *state;
	struct uvs_service *svc = test_add_svc(env, "10.0.0.1:80", "wrr");
	char seq[256];

	/* Added C, B, A so that the list reads A B C. A=4, B=3, C=2 (ids 1 2 3). */
	test_add_dest(env, svc, "192.168.0.3:80", 2);
	test_add_dest(env, svc, "192.168.0.2:80", 3);
	struct uvs_dest *a = test_add_dest(env, svc, "192.168.0.1:80", 4);
	/* As in the kernel, the first destination (weight 2) set cw to 1 and later
	 * additions keep it: one pass at weight >= 1, then the cycle from the top. */
	pick_seq(svc, 30, seq, sizeof(seq));
	assert_string_equal(seq, "1 2 3 "
				 "1 1 2 1 2 3 1 2 3 "
				 "1 1 2 1 2 3 1 2 3 "
				 "1 1 2 1 2 3 1 2 3");

	/* An overloaded destination is skipped; the others keep their proportions. */
	set_u_threshold(env, svc, a, 1);
	rcu_read_lock();
	uvs_dest_bind(a, 0, 0);
	rcu_read_unlock();
	pick_seq(svc, 5, seq, sizeof(seq));
	assert_string_equal(seq, "2 3 2 2 3"); /* cw was 1: B C, then from the top */
	set_u_threshold(env, svc, a, 0);

	/* Weight 0 is never picked; the others share 3:2; all weights 0: nothing. */
	test_set_weight(env, svc, a, 0);
	int count[4] = { 0 };
	for (int i = 0; i < 50; i++)
		count[test_dest_id(test_pick(svc, "172.16.0.1:1", 0))]++;
	assert_int_equal(count[1], 0);
	assert_int_equal(count[2], 30);
	assert_int_equal(count[3], 20);
	struct uvs_dest *d;
	uvs_for_each_dest(d, svc)
		test_set_weight(env, svc, d, 0);
	assert_null(test_pick(svc, "172.16.0.1:1", 0));
}

static void test_wrr_gcd(void **state)
{
	struct test_env *env = *state;
	struct uvs_service *svc = test_add_svc(env, "10.0.0.1:80", "wrr");
	int count[3] = { 0 };

	/* Weights 6 and 4 (gcd 2) share picks 3:2 in every cycle of 5. */
	test_add_dest(env, svc, "192.168.0.2:80", 4);
	test_add_dest(env, svc, "192.168.0.1:80", 6);
	for (int i = 0; i < 500; i++)
		count[test_dest_id(test_pick(svc, "172.16.0.1:1", 0))]++;
	assert_int_equal(count[1], 300);
	assert_int_equal(count[2], 200);
}

static void test_lc_family_rules(void **state)
{
	struct test_env *env = *state;
	char seq[256];

	/* lc: least (active << 8) + inactive; ties go to the newest (list head). */
	struct uvs_service *lc = test_add_svc(env, "10.0.0.1:80", "lc");
	test_add_dest(env, lc, "192.168.0.1:80", 1);
	test_add_dest(env, lc, "192.168.0.2:80", 9);
	pick_seq(lc, 4, seq, sizeof(seq));
	assert_string_equal(seq, "2 1 2 1");
	/* 255 inactive connections weigh less than one active one. */
	struct uvs_dest *z = test_add_dest(env, lc, "192.168.0.3:80", 1);
	for (int i = 0; i < 255 + 2 * 256; i++)
		test_pick(lc, "172.16.0.1:1", i < 255 ? UVS_CONN_F_INACTIVE : 0);
	assert_int_equal(uvs_dest_inactive(z), 255);

	/* wlc: least overhead / weight; weight 3 takes three for every one of weight 1. */
	struct uvs_service *wlc = test_add_svc(env, "10.0.0.2:80", "wlc");
	test_add_dest(env, wlc, "192.168.0.1:80", 1);
	test_add_dest(env, wlc, "192.168.0.2:80", 3);
	pick_seq(wlc, 8, seq, sizeof(seq));
	assert_string_equal(seq, "2 1 2 2 2 1 2 2");

	/* sed: (active + 1) / weight: 1/3 2/3 3/3 (a tie with 1/1 keeps the list head),
	 * then 4/3 > 1/1. */
	struct uvs_service *sed = test_add_svc(env, "10.0.0.3:80", "sed");
	test_add_dest(env, sed, "192.168.0.1:80", 1);
	test_add_dest(env, sed, "192.168.0.2:80", 3);
	pick_seq(sed, 6, seq, sizeof(seq));
	assert_string_equal(seq, "2 2 2 1 2 2");

	/* nq: an idle server first, in list order, whatever its weight. */
	struct uvs_service *nq = test_add_svc(env, "10.0.0.4:80", "nq");
	test_add_dest(env, nq, "192.168.0.1:80", 1);
	test_add_dest(env, nq, "192.168.0.2:80", 10);
	test_add_dest(env, nq, "192.168.0.3:80", 1);
	pick_seq(nq, 6, seq, sizeof(seq));
	assert_string_equal(seq, "3 2 1 2 2 2");

	/* fo: the highest weight, newest on a tie; overloaded fails over. */
	struct uvs_service *fo = test_add_svc(env, "10.0.0.5:80", "fo");
	test_add_dest(env, fo, "192.168.0.1:80", 5);
	struct uvs_dest *top = test_add_dest(env, fo, "192.168.0.2:80", 8);
	test_add_dest(env, fo, "192.168.0.3:80", 8);
	pick_seq(fo, 2, seq, sizeof(seq));
	assert_string_equal(seq, "3 3");
	test_set_weight(env, fo, top, 9);
	pick_seq(fo, 2, seq, sizeof(seq));
	assert_string_equal(seq, "2 2");
	set_u_threshold(env, fo, top, 1);
	rcu_read_lock();
	uvs_dest_bind(top, 0, 0);
	rcu_read_unlock();
	pick_seq(fo, 1, seq, sizeof(seq));
	assert_string_equal(seq, "3");

	/* ovf: the highest weight until its active connections exceed its weight. */
	struct uvs_service *ovf = test_add_svc(env, "10.0.0.6:80", "ovf");
	test_add_dest(env, ovf, "192.168.0.1:80", 1);
	test_add_dest(env, ovf, "192.168.0.2:80", 2);
	pick_seq(ovf, 6, seq, sizeof(seq));
	assert_string_equal(seq, "2 2 2 1 1 -1");
}

static void test_twos(void **state)
{
	struct test_env *env = *state;
	struct uvs_service *svc = test_add_svc(env, "10.0.0.1:80", "twos");
	int count[4] = { 0 };

	test_add_dest(env, svc, "192.168.0.1:80", 1);
	test_add_dest(env, svc, "192.168.0.2:80", 3);
	struct uvs_dest *off = test_add_dest(env, svc, "192.168.0.3:80", 0);
	for (int i = 0; i < 4000; i++) {
		struct uvs_dest *d = test_pick(svc, "172.16.0.1:1", 0);
		count[test_dest_id(d)]++;
		/* Keep loads steady: each connection ends at once. */
		rcu_read_lock();
		uvs_dest_unbind(d, 0, 0);
		rcu_read_unlock();
	}
	assert_int_equal(count[3], 0);
	/* With equal loads the first draw wins. It is uniform over 0..total inclusive
	 * (5 values for weights 3 and 1), so the list head gets 4 of 5, as in the kernel. */
	assert_in_range(count[2], 3100, 3300);
	assert_int_equal(count[1] + count[2], 4000);
	(void)off;
}

/* Rules every registered scheduler keeps: nothing usable gives NULL; a quiescent or
 * overloaded destination is never picked (except lblc's cached one); a usable one is. */
static void test_all_schedulers_common_rules(void **state)
{
	struct test_env *env = *state;

	for (unsigned i = 0; uvs_schedulers[i]; i++) {
		const char *name = uvs_schedulers[i]->name;
		char vip[32];
		snprintf(vip, sizeof(vip), "10.0.1.%u:80", i + 1);
		struct uvs_service *svc = test_add_svc(env, vip, name);

		assert_null(test_pick(svc, "172.16.0.1:1", 0)); /* no destinations */
		struct uvs_dest *a = test_add_dest(env, svc, "192.168.0.1:80", 0);
		struct uvs_dest *b = test_add_dest(env, svc, "192.168.0.2:80", 0);
		for (int n = 0; n < 20; n++) {
			char client[32];
			snprintf(client, sizeof(client), "172.16.0.%d:%d", n + 1, 1000 + n);
			if (test_pick(svc, client, 0))
				fail_msg("%s picked a destination of weight 0", name);
		}
		/* Only b usable: any pick is b (hashing schedulers may find none). */
		test_set_weight(env, svc, b, 1);
		int got_b = 0;
		for (int n = 0; n < 20; n++) {
			char client[32];
			snprintf(client, sizeof(client), "172.16.0.%d:%d", n + 1, 1000 + n);
			struct uvs_dest *d = test_pick(svc, client, 0);
			if (d == a)
				fail_msg("%s picked a quiescent destination", name);
			got_b += d == b;
		}
		/* dh hashes the packet's destination, the same service address for every
		 * pick here, and has no fallback: its one bucket may belong to a. */
		if (got_b == 0 && strcmp(name, "dh") != 0)
			fail_msg("%s never picked the only usable destination", name);
		/* b overloaded: nothing. lblc alone keeps a cached destination over its
		 * threshold: the kernel does not consult the overload flag there. */
		set_u_threshold(env, svc, b, 1);
		rcu_read_lock();
		uvs_dest_bind(b, 0, 0);
		rcu_read_unlock();
		assert_true(uvs_dest_overloaded(b));
		for (int n = 0; n < 20; n++) {
			char client[32];
			snprintf(client, sizeof(client), "172.16.0.%d:%d", n + 1, 1000 + n);
			struct uvs_dest *d = test_pick(svc, client, 0);
			if (strcmp(name, "lblc") == 0) {
				if (d != b)
					fail_msg("lblc left its cached destination");
			} else if (d) {
				fail_msg("%s picked an overloaded destination", name);
			}
		}
	}
}

/* Scheduler changes by edit keep working and leave no stale state behind. */
static void test_switch_schedulers(void **state)
{
	struct test_env *env = *state;
	struct uvs_service *svc = test_add_svc(env, "10.0.0.1:80", "rr");

	for (int i = 1; i <= 5; i++) {
		char rs[32];
		snprintf(rs, sizeof(rs), "192.168.0.%d:80", i);
		test_add_dest(env, svc, rs, i);
	}
	for (int round = 0; round < 2; round++) {
		for (unsigned i = 0; uvs_schedulers[i]; i++) {
			struct uvs_svc_conf c =
				test_svc_conf("10.0.0.1:80", uvs_schedulers[i]->name);
			assert_int_equal(uvs_svc_edit(&env->m, &c, NULL), 0);
			assert_ptr_equal(svc->sched, uvs_schedulers[i]);
			for (int n = 0; n < 10; n++) {
				char client[32];
				snprintf(client, sizeof(client), "172.16.0.%d:%d", n + 1, 2000 + n);
				struct uvs_dest *d = test_pick(svc, client, 0);
				if (!d)
					fail_msg("%s found nothing among 5 usable destinations",
						 uvs_schedulers[i]->name);
				rcu_read_lock();
				uvs_dest_unbind(d, 0, 0);
				rcu_read_unlock();
			}
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_rr, test_env_setup, test_env_teardown),
		cmocka_unit_test_setup_teardown(test_rr_unlocked, test_env_setup,
						test_env_teardown),
		cmocka_unit_test_setup_teardown(test_rr_random_against_kernel, test_env_setup,
						test_env_teardown),
		cmocka_unit_test_setup_teardown(test_rr_two_threads_one_round, test_env_setup,
						test_env_teardown),
		cmocka_unit_test_setup_teardown(test_wrr_vector, test_env_setup, test_env_teardown),
		cmocka_unit_test_setup_teardown(test_wrr_gcd, test_env_setup, test_env_teardown),
		cmocka_unit_test_setup_teardown(test_lc_family_rules, test_env_setup,
						test_env_teardown),
		cmocka_unit_test_setup_teardown(test_twos, test_env_setup, test_env_teardown),
		cmocka_unit_test_setup_teardown(test_all_schedulers_common_rules, test_env_setup,
						test_env_teardown),
		cmocka_unit_test_setup_teardown(test_switch_schedulers, test_env_setup,
						test_env_teardown),
	};
	return cmocka_run_group_tests_name("sched", tests, NULL, NULL);
}
