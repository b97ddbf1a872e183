// SPDX-License-Identifier: GPL-2.0-or-later
/* The connection table and the timer wheel: lookups both ways, the limit, unhashing
 * once, expiry on time with lazily refreshed timers, templates that wait. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/conn.h"
#include "helpers.h"

struct fixture {
	struct uvs_conn_table t;
	struct uvs_conn_pool pool;
};

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	rcu_register_thread();
	assert_int_equal(uvs_conn_table_init(&fx->t, 10, 100), 0);
	uvs_conn_pool_init(&fx->pool, 0);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	uvs_conn_pool_destroy(&fx->pool);
	uvs_conn_table_destroy(&fx->t);
	free(fx);
	rcu_unregister_thread();
	return 0;
}

static union uvs_addr v4(const char *s)
{
	union uvs_addr a;

	assert_int_equal(uvs_addr_parse(AF_INET, s, &a), 0);
	return a;
}

/* A hashed connection client:1000 -> 10.0.0.1:80, real server 192.168.0.n:8080. */
static struct uvs_conn *add(struct fixture *fx, int n, uint32_t fwd, uvs_time_t expires)
{
	struct uvs_conn *c = uvs_conn_alloc(&fx->pool);
	char rs[32];

	assert_non_null(c);
	snprintf(rs, sizeof(rs), "192.168.0.%d", n);
	c->af = c->daf = AF_INET;
	c->protocol = IPPROTO_TCP;
	c->caddr = v4("172.16.0.1");
	c->cport = htons((uint16_t)(1000 + n));
	c->vaddr = v4("10.0.0.1");
	c->vport = htons(80);
	c->daddr = v4(rs);
	c->dport = htons(8080);
	c->flags = (uint16_t)fwd;
	c->expires = expires;
	assert_true(uvs_conn_reserve(&fx->t));
	uvs_conn_hash(&fx->t, c);
	uvs_conn_wheel_add(&fx->pool, c);
	return c;
}

static struct uvs_conn *find_in(struct fixture *fx, int n)
{
	union uvs_addr ca = v4("172.16.0.1"), va = v4("10.0.0.1");

	return uvs_conn_in_get(&fx->t, AF_INET, IPPROTO_TCP, &ca, htons((uint16_t)(1000 + n)), &va,
			       htons(80), false);
}

static struct uvs_conn *find_out(struct fixture *fx, int n)
{
	union uvs_addr ca = v4("172.16.0.1"), da;
	char rs[32];

	snprintf(rs, sizeof(rs), "192.168.0.%d", n);
	da = v4(rs);
	return uvs_conn_out_get(&fx->t, AF_INET, IPPROTO_TCP, &da, htons(8080), &ca,
				htons((uint16_t)(1000 + n)));
}

static void test_lookup_both_ways(void **state)
{
	struct fixture *fx = *state;

	rcu_read_lock();
	struct uvs_conn *nat = add(fx, 1, UVS_FWD_MASQ, 1);
	struct uvs_conn *dr = add(fx, 2, UVS_FWD_DROUTE, 1);
	assert_ptr_equal(find_in(fx, 1), nat);
	assert_ptr_equal(find_in(fx, 2), dr);
	assert_ptr_equal(find_out(fx, 1), nat);
	assert_null(find_out(fx, 2)); /* only NAT replies come back through the director */
	assert_null(find_in(fx, 3));
	/* A template with the same addresses is a different entry. */
	union uvs_addr ca = v4("172.16.0.1"), va = v4("10.0.0.1");
	assert_null(uvs_conn_in_get(&fx->t, AF_INET, IPPROTO_TCP, &ca, htons(1001), &va, htons(80),
				    true));
	/* Unhashing happens once, and the entry is gone both ways. */
	assert_true(uvs_conn_unhash(&fx->t, nat));
	assert_false(uvs_conn_unhash(&fx->t, nat));
	assert_null(find_in(fx, 1));
	assert_null(find_out(fx, 1));
	assert_ptr_equal(find_in(fx, 2), dr);
	assert_int_equal(fx->t.count, 1);
	rcu_read_unlock();
}

/* One client's connections to three services share a chain: unlinking its first
 * entry and one in the middle keeps the others, and leaves the chain unlocked. */
static void test_one_chain_head_and_middle(void **state)
{
	struct fixture *fx = *state;
	union uvs_addr ca = v4("172.16.0.1"), va = v4("10.0.0.1");
	uint32_t b = uvs_conn_bucket(&fx->t, AF_INET, IPPROTO_TCP, &ca, htons(1001));
	struct uvs_conn *c[3];

	rcu_read_lock();
	for (int i = 0; i < 3; i++) {
		c[i] = add(fx, 1, UVS_FWD_MASQ, 1);
		c[i]->vport = htons((uint16_t)(80 + i)); /* not in the hash: still one chain */
	}
	assert_ptr_equal(uvs_conn_chain(&fx->t, b), c[2]); /* linked at the head */
	assert_true(uvs_conn_unhash(&fx->t, c[2]));
	assert_true(uvs_conn_unhash(&fx->t, c[1]));
	assert_int_equal(fx->t.heads[b] & UVS_WORD_LOCKED, 0);
	assert_ptr_equal(uvs_conn_chain(&fx->t, b), c[0]);
	assert_null(c[0]->next);
	for (int i = 0; i < 3; i++)
		assert_ptr_equal(uvs_conn_in_get(&fx->t, AF_INET, IPPROTO_TCP, &ca, htons(1001),
						 &va, htons((uint16_t)(80 + i)), false),
				 i == 0 ? c[0] : NULL);
	assert_true(uvs_conn_unhash(&fx->t, c[0]));
	assert_int_equal(fx->t.heads[b], 0);
	rcu_read_unlock();
}

/* Two threads link and unlink entries of one chain over and over: the chain's lock
 * must keep each change whole, so that every entry is in the chain once at the end.
 * Without it links are lost or the chain closes on itself (the test then hangs until
 * meson's timeout: checked by taking the lock out). */
#define CHAIN_TURNS   300000
#define CHAIN_ENTRIES 8

struct chain_writer {
	struct uvs_conn_table *t;
	struct uvs_conn_pool pool;
	struct uvs_conn *c[CHAIN_ENTRIES];
};

static void *chain_write(void *arg)
{
	struct chain_writer *cw = arg;

	rcu_register_thread();
	for (unsigned i = 0; i < CHAIN_TURNS; i++) {
		struct uvs_conn *c = cw->c[i % CHAIN_ENTRIES];

		if (uvs_conn_unhash(cw->t, c) && uvs_conn_reserve(cw->t))
			uvs_conn_hash(cw->t, c);
	}
	rcu_unregister_thread();
	return NULL;
}

static void test_one_chain_two_writers(void **state)
{
	struct fixture *fx = *state;
	union uvs_addr ca = v4("172.16.0.1"), va = v4("10.0.0.1");
	uint32_t b = uvs_conn_bucket(&fx->t, AF_INET, IPPROTO_TCP, &ca, htons(1001));
	struct chain_writer cw[2];
	pthread_t th[2];
	unsigned in_chain = 0;

	for (unsigned k = 0; k < 2; k++) {
		cw[k].t = &fx->t;
		uvs_conn_pool_init(&cw[k].pool, (uint8_t)k);
		for (unsigned i = 0; i < CHAIN_ENTRIES; i++) {
			struct uvs_conn *c = uvs_conn_alloc(&cw[k].pool);

			assert_non_null(c);
			c->af = AF_INET;
			c->protocol = IPPROTO_TCP;
			c->caddr = ca;
			c->cport = htons(1001);
			c->vaddr = va;
			c->vport = htons((uint16_t)(1000 + k * CHAIN_ENTRIES + i)); /* one chain */
			assert_true(uvs_conn_reserve(&fx->t));
			uvs_conn_hash(&fx->t, c);
			cw[k].c[i] = c;
		}
	}
	for (unsigned k = 0; k < 2; k++)
		assert_int_equal(pthread_create(&th[k], NULL, chain_write, &cw[k]), 0);
	for (unsigned k = 0; k < 2; k++)
		pthread_join(th[k], NULL);
	rcu_read_lock();
	assert_int_equal(fx->t.heads[b] & UVS_WORD_LOCKED, 0);
	for (struct uvs_conn *c = uvs_conn_chain(&fx->t, b); c; c = c->next)
		in_chain++;
	assert_int_equal(in_chain, 2 * CHAIN_ENTRIES);
	for (unsigned k = 0; k < 2; k++)
		for (unsigned i = 0; i < CHAIN_ENTRIES; i++)
			assert_ptr_equal(uvs_conn_in_get(&fx->t, AF_INET, IPPROTO_TCP, &ca,
							 htons(1001), &va, cw[k].c[i]->vport,
							 false),
					 cw[k].c[i]);
	rcu_read_unlock();
	assert_int_equal(fx->t.count, 2 * CHAIN_ENTRIES);
	for (unsigned k = 0; k < 2; k++)
		uvs_conn_pool_destroy(&cw[k].pool);
}

static void test_many_in_one_table(void **state)
{
	struct fixture *fx = *state;

	/* 100 entries in 1024 buckets: every one found, the 101st refused. */
	rcu_read_lock();
	for (int n = 1; n <= 100; n++)
		add(fx, n, UVS_FWD_MASQ, 1);
	assert_false(uvs_conn_reserve(&fx->t));
	for (int n = 1; n <= 100; n++) {
		assert_non_null(find_in(fx, n));
		assert_ptr_equal(find_in(fx, n), find_out(fx, n));
	}
	rcu_read_unlock();
}

struct expiry_log {
	int calls;
	bool keep;
	struct fixture *fx;
};

static bool expire_cb(void *arg, struct uvs_conn *c, uvs_time_t now)
{
	struct expiry_log *log = arg;

	assert_true(c->expires <= now);
	log->calls++;
	if (log->keep)
		return false;
	return uvs_conn_unhash(&log->fx->t, c);
}

#define S UVS_NS_PER_SEC

static void test_wheel_expires_on_time(void **state)
{
	struct fixture *fx = *state;
	struct expiry_log log = { .fx = fx };
	uvs_time_t t0 = 5000 * S;

	uvs_conn_wheel_run(&fx->pool, t0, expire_cb, &log);
	struct uvs_conn *c = add(fx, 1, UVS_FWD_MASQ, t0 + 10 * S);
	/* Not before its time, and within one tick after it. */
	assert_int_equal(uvs_conn_wheel_run(&fx->pool, t0 + 9 * S, expire_cb, &log), 0);
	assert_int_equal(log.calls, 0);
	assert_true(uvs_conn_hashed(c));
	/* A packet pushes the timer back: only expires changes. */
	c->expires = t0 + 20 * S;
	assert_int_equal(uvs_conn_wheel_run(&fx->pool, t0 + 11 * S, expire_cb, &log), 0);
	assert_int_equal(log.calls, 0);
	assert_int_equal(
		uvs_conn_wheel_run(&fx->pool, t0 + 20 * S + UVS_WHEEL_TICK_NS, expire_cb, &log), 1);
	assert_int_equal(log.calls, 1);
	assert_int_equal(fx->t.count, 0);
}

static void test_wheel_long_timeouts_and_gaps(void **state)
{
	struct fixture *fx = *state;
	struct expiry_log log = { .fx = fx };
	uvs_time_t t0 = 5000 * S;

	uvs_conn_wheel_run(&fx->pool, t0, expire_cb, &log);
	/* Beyond one turn of the wheel (4096 ticks, about 550 s). */
	add(fx, 1, UVS_FWD_MASQ, t0 + 2000 * S);
	add(fx, 2, UVS_FWD_MASQ, t0 + 3 * S);
	for (uvs_time_t t = t0; t < t0 + 1999 * S; t += 7 * S)
		uvs_conn_wheel_run(&fx->pool, t, expire_cb, &log);
	assert_int_equal(log.calls, 1); /* only the short one */
	/* A gap longer than a turn still finds the long one, once. */
	assert_int_equal(uvs_conn_wheel_run(&fx->pool, t0 + 5000 * S, expire_cb, &log), 1);
	assert_int_equal(log.calls, 2);
	assert_int_equal(fx->t.count, 0);
}

static void test_wheel_keeps_what_expire_keeps(void **state)
{
	struct fixture *fx = *state;
	struct expiry_log log = { .fx = fx, .keep = true };
	uvs_time_t t0 = 5000 * S;

	uvs_conn_wheel_run(&fx->pool, t0, expire_cb, &log);
	struct uvs_conn *c = add(fx, 1, UVS_FWD_MASQ, t0 + S);
	assert_int_equal(uvs_conn_wheel_run(&fx->pool, t0 + 2 * S, expire_cb, &log), 0);
	assert_int_equal(log.calls, 1);
	/* Still due: asked again at the next tick. */
	assert_int_equal(uvs_conn_wheel_run(&fx->pool, t0 + 3 * S, expire_cb, &log), 0);
	assert_true(log.calls >= 2);
	assert_true(uvs_conn_hashed(c));
}

static void test_template_waits_for_its_connections(void **state)
{
	struct fixture *fx = *state;
	struct expiry_log log = { .fx = fx };
	uvs_time_t t0 = 5000 * S;

	uvs_conn_wheel_run(&fx->pool, t0, expire_cb, &log);
	struct uvs_conn *ct = add(fx, 1, UVS_FWD_MASQ, t0 + S);
	ct->flags |= UVS_CONN_F_TEMPLATE;
	uvs_conn_side(ct)->n_control = 1;
	/* Unhashed but still controlling: not freed. */
	assert_int_equal(uvs_conn_wheel_run(&fx->pool, t0 + 2 * S, expire_cb, &log), 0);
	assert_false(uvs_conn_hashed(ct));
	uvs_conn_side(ct)->n_control = 0;
	assert_int_equal(uvs_conn_wheel_run(&fx->pool, t0 + 3 * S, expire_cb, &log), 1);
}

/* A connection's n_control holds the SYN proxy's numbers, not controlled ones: it does
 * not keep the connection. */
static void test_connection_n_control_keeps_nothing(void **state)
{
	struct fixture *fx = *state;
	struct expiry_log log = { .fx = fx };
	uvs_time_t t0 = 5000 * S;

	uvs_conn_wheel_run(&fx->pool, t0, expire_cb, &log);
	struct uvs_conn *c = add(fx, 1, UVS_FWD_MASQ, t0 + S);
	c->flags |= UVS_CONN_F_SYNPROXY | UVS_CONN_F_SYNPROXY_SEQ;
	uvs_conn_side(c)->n_control = 0x12345678;
	assert_int_equal(uvs_conn_wheel_run(&fx->pool, t0 + 2 * S, expire_cb, &log), 1);
}

static void test_freed_entries_are_reused_after_grace(void **state)
{
	struct fixture *fx = *state;
	struct expiry_log log = { .fx = fx };
	uvs_time_t t0 = 5000 * S;

	uvs_conn_wheel_run(&fx->pool, t0, expire_cb, &log);
	for (int round = 0; round < 50; round++) {
		for (int n = 1; n <= 100; n++)
			add(fx, n, UVS_FWD_MASQ, t0 + S);
		t0 += 2 * S;
		assert_int_equal(uvs_conn_wheel_run(&fx->pool, t0, expire_cb, &log), 100);
		rcu_barrier();
	}
	/* 5,000 connections went through a pool that never needed more than a few slabs. */
	assert_int_equal(fx->pool.nslabs, 1);
}

/* Entries beyond the first slab, linked by number: some due soon, the rest late,
 * and some of the second slab's late ones brought forward (moved out of the middle
 * and the head of their slot). Each comes off the wheel when its slot comes. */
static void test_wheel_links_span_slabs(void **state)
{
	struct fixture *fx = *state;
	struct expiry_log log = { .fx = fx };
	uvs_time_t t0 = 5000 * S;
	unsigned n = UVS_CONN_SLAB + 300, soon = 0, moved = 0;
	struct uvs_conn **c = calloc(n, sizeof(*c));

	assert_non_null(c);
	uvs_conn_wheel_run(&fx->pool, t0, expire_cb, &log);
	for (unsigned i = 0; i < n; i++) {
		c[i] = uvs_conn_alloc(&fx->pool);
		assert_non_null(c[i]);
		c[i]->expires = t0 + (i % 3 == 0 ? 1 : 100) * S;
		soon += i % 3 == 0;
		uvs_conn_wheel_add(&fx->pool, c[i]);
	}
	assert_int_equal(fx->pool.nslabs, 2);
	assert_true(uvs_conn_slab_of(c[n - 1]) != uvs_conn_slab_of(c[0]));
	/* The last late one added is first in its slot; the others are in the middle. */
	for (unsigned i = UVS_CONN_SLAB; i < n; i++) {
		if (i % 3 == 0 || (i % 7 != 0 && i != n - 2))
			continue;
		c[i]->expires = t0 + 1 * S;
		uvs_conn_wheel_refile(&fx->pool, c[i]);
		moved++;
	}
	/* None is hashed, so each is freed when its slot comes round. */
	assert_int_equal(uvs_conn_wheel_run(&fx->pool, t0 + 2 * S, expire_cb, &log), soon + moved);
	assert_int_equal(uvs_conn_wheel_run(&fx->pool, t0 + 200 * S, expire_cb, &log),
			 n - soon - moved);
	rcu_barrier();
	/* All came back: as many again need no third slab. */
	for (unsigned i = 0; i < n; i++)
		assert_non_null(uvs_conn_alloc(&fx->pool));
	assert_int_equal(fx->pool.nslabs, 2);
	free(c);
}

/* A worker's reservations: a batch far from the limit, one at a time near it, the
 * spares given back once the count comes near, and exactly max_conns in all. */
static void test_reserve_spares(void **state)
{
	struct uvs_conn_table t;
	uint32_t a = 0, b = 0;
	unsigned got = 0;

	(void)state;
	assert_int_equal(uvs_conn_table_init(&t, 10, UVS_CONN_BATCH_MARGIN + 100), 0);
	assert_true(uvs_conn_reserve_spare(&t, &a));
	assert_int_equal(t.count, UVS_CONN_BATCH);
	assert_int_equal(a, UVS_CONN_BATCH - 1);
	assert_true(uvs_conn_reserve_spare(&t, &a)); /* from the spares */
	assert_int_equal(t.count, UVS_CONN_BATCH);
	assert_int_equal(a, UVS_CONN_BATCH - 2);
	uvs_conn_spares_back(&t, &a, false); /* far from the limit: kept */
	assert_int_equal(a, UVS_CONN_BATCH - 2);
	/* Worker b takes the rest, batch by batch and then one by one. */
	while (uvs_conn_reserve_spare(&t, &b))
		got++;
	assert_int_equal(t.count, t.max_conns);
	assert_int_equal(b, 0);
	/* a's spares were counted: b got all but those and a's two. */
	assert_int_equal(got, t.max_conns - UVS_CONN_BATCH);
	uvs_conn_spares_back(&t, &a, false); /* near the limit: given back */
	assert_int_equal(a, 0);
	assert_int_equal(t.count, t.max_conns - (UVS_CONN_BATCH - 2));
	assert_true(uvs_conn_reserve_spare(&t, &b));
	uvs_conn_table_destroy(&t);

	/* A small table never batches. */
	assert_int_equal(uvs_conn_table_init(&t, 10, 100), 0);
	assert_true(uvs_conn_reserve_spare(&t, &a));
	assert_int_equal(t.count, 1);
	assert_int_equal(a, 0);
	uvs_conn_table_destroy(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_lookup_both_ways, setup, teardown),
		cmocka_unit_test(test_reserve_spares),
		cmocka_unit_test_setup_teardown(test_many_in_one_table, setup, teardown),
		cmocka_unit_test_setup_teardown(test_one_chain_head_and_middle, setup, teardown),
		cmocka_unit_test_setup_teardown(test_one_chain_two_writers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wheel_expires_on_time, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wheel_links_span_slabs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wheel_long_timeouts_and_gaps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wheel_keeps_what_expire_keeps, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_template_waits_for_its_connections, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_connection_n_control_keeps_nothing, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_freed_entries_are_reused_after_grace, setup,
						teardown),
	};
	return cmocka_run_group_tests_name("conn", tests, NULL, NULL);
}
