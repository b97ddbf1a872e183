// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Sync between two engines on threads, as uvsd runs it: director a's two workers queue
 * entries on their rings while a consumer thread turns them into messages and applies
 * them to director b (its receive path, on a worker of its own), b's own worker
 * forwards packets of the same flows meanwhile (touching entries the receive path
 * owns), and the control thread stops and restarts a's master and runs b's sync
 * timers. Afterwards every entry on b is counted once on its real server, and once
 * the clock moves on every connection expires and every counter returns to zero.
 * Run under ThreadSanitizer by `make test`.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/atomic.h"
#include "frames.h"
#include "helpers.h"
#include "sync/rx.h"
#include "sync/tx.h"

#define FLOWS 600 /* per worker of a */
#define S     UVS_NS_PER_SEC

struct director {
	struct uvs_model m;
	struct uvs_engine e;
	struct uvs_worker w[2];
	struct uvs_dest *d[2];
};

static struct director a, b;
static struct uvs_sync_rx rx;
static struct uvs_sync_out *rings;
static struct uvs_sync_tx *tx;
static uint64_t clock_now = 1000 * S; /* atomic: the control thread moves it at the end */
static uint32_t stop, doorbells, a_done;

static uvs_time_t shared_clock(void *arg)
{
	(void)arg;
	return uvs_load_relaxed(&clock_now); /* relaxed: a time, publishing nothing */
}

static void director_init(struct director *x, unsigned nworkers)
{
	struct uvs_engine_config c;
	struct uvs_service *svc;

	assert_int_equal(uvs_model_init(&x->m, 3), 0);
	uvs_model_set_clock(&x->m, shared_clock, NULL);
	struct uvs_svc_conf sc = test_svc_conf("10.0.0.1:53", "rr");
	sc.key.protocol = IPPROTO_UDP;
	assert_int_equal(uvs_svc_add(&x->m, &sc, NULL), 0);
	svc = uvs_svc_find(&x->m, &sc.key);
	for (int i = 0; i < 2; i++) {
		struct uvs_dest_conf dc =
			test_dest_conf(i ? "192.168.0.12:53" : "192.168.0.11:53", 1);
		assert_int_equal(uvs_dest_add(&x->m, &sc.key, &dc, NULL), 0);
		x->d[i] = uvs_dest_find(svc, AF_INET, &dc.addr, dc.port);
	}
	uvs_engine_config_default(&c);
	c.table_bits = 12;
	c.max_conns = 100000;
	c.nworkers = nworkers;
	c.route = test_route_one_link;
	assert_int_equal(uvs_engine_init(&x->e, &x->m, &c), 0);
}

static void udp(struct uvs_worker *w, int flow)
{
	uint8_t buf[UVS_FRAME_HEADROOM + 2048]; /* frame_build() takes 2048 */
	char src[32];
	struct frame_spec s = { .af = AF_INET,
				.src = src,
				.dst = "10.0.0.1",
				.protocol = IPPROTO_UDP,
				.sport = (uint16_t)(1024 + flow % 60000),
				.dport = 53 };
	size_t len;

	snprintf(src, sizeof(src), "172.16.%d.%d", flow / 250 % 250, flow % 250 + 1);
	len = frame_build(buf + UVS_FRAME_HEADROOM, &s);
	struct uvs_frame f = { .data = buf + UVS_FRAME_HEADROOM,
			       .len = (uint32_t)len,
			       .headroom = UVS_FRAME_HEADROOM,
			       .tailroom = (uint32_t)(sizeof(buf) - UVS_FRAME_HEADROOM - len) };
	uvs_engine_process(w, &f, 1, shared_clock(NULL));
}

/* a's worker i: three datagrams of each of its flows (the third is sent). */
static void *a_worker(void *arg)
{
	unsigned i = (unsigned)(uintptr_t)arg;

	rcu_register_thread();
	assert_int_equal(uvs_worker_init(&a.w[i], &a.e, i), 0);
	for (int k = 0; k < 3; k++)
		for (int f = 0; f < FLOWS; f++)
			udp(&a.w[i], (int)i * FLOWS + f);
	uvs_add_seq_cst(&a_done, 1);
	rcu_unregister_thread();
	return NULL;
}

/* b's data worker: datagrams of a's flows, synced or not yet (then b schedules them
 * itself, and the synced entry meets b's own). */
static void *b_worker(void *arg)
{
	(void)arg;
	rcu_register_thread();
	assert_int_equal(uvs_worker_init(&b.w[0], &b.e, 0), 0);
	for (int f = 0; !uvs_load_acquire(&stop); f = (f + 7) % (2 * FLOWS))
		udp(&b.w[0], f);
	rcu_unregister_thread();
	return NULL;
}

static int deliver(void *arg, unsigned port, const void *buf, size_t len)
{
	(void)arg, (void)port;
	uvs_sync_rx_message(&rx, buf, len, 0);
	return 0;
}

static void doorbell(void *arg)
{
	(void)arg;
	uvs_add_relaxed(&doorbells, 1); /* relaxed: a count */
}

/* The master's thread: a's rings into messages, applied to b. */
static void *consumer(void *arg)
{
	(void)arg;
	rcu_register_thread();
	while (!uvs_load_acquire(&stop))
		uvs_sync_tx_run(tx, rings, shared_clock(NULL));
	uvs_sync_tx_run(tx, rings, shared_clock(NULL));
	uvs_sync_tx_flush(tx);
	rcu_unregister_thread();
	return NULL;
}

static uint64_t bound_on(struct director *x)
{
	uint64_t n = 0;

	for (int i = 0; i < 2; i++)
		n += uvs_dest_active(x->d[i]) + uvs_dest_inactive(x->d[i]) +
		     uvs_dest_persistent(x->d[i]);
	return n;
}

static void test_two_directors_on_threads(void **state)
{
	pthread_t ta[2], tb, tc;
	struct uvs_sync_tx_config tcfg = {
		.engine = &a.e, .nports = 2, .maxlen = 1472, .send = deliver
	};
	uint64_t lost[UVS_R_COUNT], sent;

	(void)state;
	rcu_register_thread();
	director_init(&a, 3);
	director_init(&b, 2);
	assert_int_equal(uvs_sync_rx_init(&rx, &b.e, 1), 0);
	/* Every datagram is sent: the rings fill, and the doorbell rings. */
	assert_int_equal(uvs_sysctl_set(&a.m.sysctl, "sync_threshold", "0 1", NULL), 0);
	assert_int_equal(uvs_sync_out_create(&a.e, 2048, doorbell, NULL, &rings), 0);
	assert_int_equal(uvs_sync_tx_create(&tcfg, &tx), 0);
	uvs_engine_set_sync_out(&a.e, rings);

	assert_int_equal(pthread_create(&tc, NULL, consumer, NULL), 0);
	assert_int_equal(pthread_create(&tb, NULL, b_worker, NULL), 0);
	for (uintptr_t i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&ta[i], NULL, a_worker, (void *)i), 0);
	/* The control thread: the master off and on, b's timers, while they run. */
	for (int round = 0; uvs_load_seq_cst(&a_done) < 2; round++) {
		if (round % 50 == 25)
			uvs_engine_set_sync_out(&a.e, NULL);
		if (round % 50 == 30)
			uvs_engine_set_sync_out(&a.e, rings);
		uvs_sync_rx_timers(&rx);
	}
	for (int i = 0; i < 2; i++)
		pthread_join(ta[i], NULL);
	uvs_engine_set_sync_out(&a.e, rings);
	uvs_store_release(&stop, 1);
	pthread_join(tc, NULL);
	pthread_join(tb, NULL);

	uvs_engine_counters(&a.e, lost, &sent);
	printf("# %u entries on b, %llu lost on full rings, %u doorbells\n",
	       uvs_engine_conn_count(&b.e), (unsigned long long)lost[UVS_R_SYNC_QUEUE_FULL],
	       uvs_load_relaxed(&doorbells));
	assert_int_equal(uvs_engine_conn_count(&a.e), 2 * FLOWS);
	assert_int_equal(bound_on(&b), uvs_engine_conn_count(&b.e));

	/* One more datagram of every flow, the master on and nothing else running: each
	 * is sent (sync_threshold 0 1), and b takes each, whatever it had. */
	uint64_t before = 0, after = 0;
	for (unsigned r = 0; r < UVS_SYNC_APPLY_COUNT; r++)
		before += rx.counters[UVS_SYNC_RX_APPLY_BASE + r];
	for (int f = 0; f < 2 * FLOWS; f++)
		udp(&a.w[0], f);
	uvs_sync_tx_run(tx, rings, shared_clock(NULL));
	uvs_sync_tx_flush(tx);
	for (unsigned r = 0; r < UVS_SYNC_APPLY_COUNT; r++)
		after += rx.counters[UVS_SYNC_RX_APPLY_BASE + r];
	assert_int_equal(after - before, 2 * FLOWS);
	for (unsigned r = UVS_SYNC_APPLY_BAD_PROTOCOL; r < UVS_SYNC_APPLY_COUNT; r++)
		assert_int_equal(rx.counters[UVS_SYNC_RX_APPLY_BASE + r], 0);
	/* Each of a's flows on b now. One that b's worker and the receive path both found
	 * missing at the same moment has two entries, as in the kernel (neither looks for
	 * one again before it hashes its own). */
	assert_true(uvs_engine_conn_count(&b.e) >= 2 * FLOWS);
	assert_int_equal(bound_on(&b), uvs_engine_conn_count(&b.e));

	/* Everything expires, b's entries on its receive path's worker too. */
	uvs_store_relaxed(&clock_now, uvs_load_relaxed(&clock_now) + 3600 * S);
	uvs_sync_rx_timers(&rx);
	uvs_engine_set_sync_out(&a.e, NULL);
	for (int i = 0; i < 2; i++) {
		struct director *x = i ? &b : &a;
		for (int k = 0; k < (i ? 1 : 2); k++)
			uvs_worker_timers(&x->w[k], shared_clock(NULL));
		assert_int_equal(uvs_engine_conn_count(&x->e), 0);
		assert_int_equal(bound_on(x), 0);
	}
	uvs_sync_tx_free(tx);
	uvs_sync_out_free(rings);
	uvs_engine_destroy(&a.e);
	uvs_engine_destroy(&b.e);
	uvs_sync_rx_fini(&rx);
	uvs_model_destroy(&a.m);
	uvs_model_destroy(&b.m);
	rcu_unregister_thread();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_two_directors_on_threads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
