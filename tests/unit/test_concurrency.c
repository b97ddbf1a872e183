// SPDX-License-Identifier: GPL-2.0-or-later
/* Workers look services up and schedule connections without a global lock while the
 * control side adds, edits and deletes services and destinations under them. Run
 * under ASan (make test) this catches use-after-free in the RCU publication; the
 * counters must come back to zero once every connection is unbound. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "helpers.h"

#define WORKERS	    2
#define ITERATIONS  200000
#define OUTSTANDING 64
#define VIPS	    4

static struct test_env env;
static volatile int stop_control;

struct bound {
	struct uvs_dest *d;
	uint32_t flags;
};

static void *worker(void *arg)
{
	unsigned id = (unsigned)(uintptr_t)arg;
	struct bound ring[OUTSTANDING] = { { 0 } };
	struct uvs_sched_pkt pkt = { .af = AF_INET, .protocol = IPPROTO_TCP };
	/* A worker's cache of lookups, as the engine's: services come and go under it. */
	static __thread struct uvs_svc_cache cache;
	union uvs_addr vip;
	unsigned picked = 0;

	rcu_register_thread();
	for (unsigned i = 0; i < ITERATIONS; i++) {
		char text[32];
		snprintf(text, sizeof(text), "10.0.0.%u", i % VIPS + 1);
		uvs_addr_parse(AF_INET, text, &vip);
		pkt.saddr.ip = htonl(0xac100000u + (i * 7919u + id) % 65536);
		pkt.sport = htons((uint16_t)(1024 + i % 50000));
		pkt.daddr = vip;
		pkt.dport = htons(80);
		pkt.now = i * 1000ull;

		struct bound *slot = &ring[i % OUTSTANDING];
		rcu_read_lock();
		if (slot->d) {
			uvs_dest_unbind(slot->d, id, slot->flags);
			slot->d = NULL;
		}
		struct uvs_service *svc = uvs_svc_lookup_cached(&env.m, &cache, AF_INET,
								IPPROTO_TCP, &vip, htons(80), 0);
		if (svc) {
			uint32_t flags = i % 3 ? 0 : UVS_CONN_F_INACTIVE;
			slot->d = uvs_svc_schedule(svc, &pkt, id, flags);
			slot->flags = flags;
			if (slot->d) {
				picked++;
				uvs_stats_in(&slot->d->stats, id, 60);
				if (i % 5 == 0 && !(flags & UVS_CONN_F_INACTIVE)) {
					uvs_dest_set_active(slot->d, id, false);
					slot->flags = UVS_CONN_F_INACTIVE;
				}
			}
		}
		rcu_read_unlock();
		/* Quiescent points between batches, as a worker has. */
		if (i % 64 == 0)
			rcu_quiescent_state();
	}
	rcu_read_lock();
	for (unsigned i = 0; i < OUTSTANDING; i++)
		if (ring[i].d)
			uvs_dest_unbind(ring[i].d, id, ring[i].flags);
	rcu_read_unlock();
	rcu_unregister_thread();
	return (void *)(uintptr_t)picked;
}

static void *control(void *arg)
{
	static const char *const scheds[] = { "wlc", "rr", "wrr",  "lc", "nq",
					      "sh",  "mh", "lblc", "dh" };
	const unsigned nscheds = sizeof(scheds) / sizeof(scheds[0]);
	unsigned round = 0;

	(void)arg;
	rcu_register_thread();
	while (!__atomic_load_n(&stop_control, __ATOMIC_ACQUIRE)) {
		char vip[32], rs[32];
		unsigned v = round % VIPS + 1;
		snprintf(vip, sizeof(vip), "10.0.0.%u:80", v);
		struct uvs_svc_conf c = test_svc_conf(vip, scheds[round % nscheds]);
		struct uvs_svc_key k = c.key;

		switch (round % 4) {
		case 0: { /* (re)create with real servers */
			/* 8, or 20 (lc, wlc and nq index a service that large, and
			 * scan it again once the deletions leave 8). */
			unsigned n = (round / 4) % 2 ? 20 : 8;
			uvs_svc_del(&env.m, &k, NULL);
			if (uvs_svc_add(&env.m, &c, NULL) == 0) {
				for (unsigned r = 1; r <= n; r++) {
					snprintf(rs, sizeof(rs), "192.168.%u.%u:80", v, r);
					struct uvs_dest_conf dc = test_dest_conf(rs, r % 4);
					uvs_dest_add(&env.m, &k, &dc, NULL);
				}
				for (unsigned r = 9; (round / 8) % 2 && r <= n; r++) {
					snprintf(rs, sizeof(rs), "192.168.%u.%u:80", v, r);
					struct uvs_dest_conf dc = test_dest_conf(rs, r % 4);
					uvs_dest_del(&env.m, &k, dc.af, &dc.addr, dc.port, NULL);
				}
			}
			break;
		}
		case 1: /* switch scheduler */
			uvs_svc_edit(&env.m, &c, NULL);
			break;
		case 2: { /* delete, edit and re-add a real server */
			snprintf(rs, sizeof(rs), "192.168.%u.%u:80", v, round % 8 + 1);
			struct uvs_dest_conf dc = test_dest_conf(rs, round % 5);
			uvs_dest_del(&env.m, &k, dc.af, &dc.addr, dc.port, NULL);
			uvs_dest_add(&env.m, &k, &dc, NULL);
			dc.weight = (round / 4) % 3;
			dc.u_threshold = round % 7 == 0 ? 3 : 0;
			uvs_dest_edit(&env.m, &k, &dc, NULL);
			break;
		}
		default:
			uvs_model_estimate(&env.m);
			env.now += UVS_DEST_TRASH_NS / 4;
			uvs_model_expire_trash(&env.m);
			break;
		}
		round++;
	}
	rcu_unregister_thread();
	return (void *)(uintptr_t)round;
}

static void test_workers_against_control(void **state)
{
	pthread_t w[WORKERS], ctl;
	unsigned picked = 0;
	void *ret;

	(void)state;
	test_env_init_workers(&env, WORKERS);
	stop_control = 0;
	assert_int_equal(pthread_create(&ctl, NULL, control, NULL), 0);
	for (unsigned i = 0; i < WORKERS; i++)
		assert_int_equal(pthread_create(&w[i], NULL, worker, (void *)(uintptr_t)i), 0);
	for (unsigned i = 0; i < WORKERS; i++) {
		pthread_join(w[i], &ret);
		picked += (unsigned)(uintptr_t)ret;
	}
	__atomic_store_n(&stop_control, 1, __ATOMIC_RELEASE);
	pthread_join(ctl, &ret);
	print_message("workers scheduled %u connections while the control side made %u "
		      "changes\n",
		      picked, (unsigned)(uintptr_t)ret);
	assert_true(picked > 0);
	assert_true((uintptr_t)ret > 10);

	/* Every connection is gone: no counter may be left over anywhere. */
	struct uvs_service *svc;
	struct uvs_dest *d;
	cds_list_for_each_entry(svc, &env.m.services, all) {
		uvs_for_each_dest(d, svc) {
			assert_int_equal(uvs_dest_active(d), 0);
			assert_int_equal(uvs_dest_inactive(d), 0);
			assert_int_equal(uvs_dest_refs(d), 0);
			assert_false(uvs_dest_overloaded(d));
		}
	}
	cds_list_for_each_entry(d, &env.m.trash, trash_node) {
		assert_int_equal(uvs_dest_active(d), 0);
		assert_int_equal(uvs_dest_inactive(d), 0);
		assert_int_equal(uvs_dest_refs(d), 0);
	}
	test_env_fini(&env);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_workers_against_control),
	};
	return cmocka_run_group_tests_name("concurrency", tests, NULL, NULL);
}
