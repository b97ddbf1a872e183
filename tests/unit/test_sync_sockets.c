// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The sync daemons' threads and sockets (src/sync/sync.c) over the loopback link, on
 * a port of the test's own: director a's master sends what its worker thread's
 * packets make due; director b's backup, on its thread, makes the connections; b runs
 * a master beside its backup, as the kernel allows; a second start of a daemon is
 * EEXIST, a stop of none ESRCH, a link that does not exist ENODEV. Run under
 * ThreadSanitizer by `make test`.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "frames.h"
#include "helpers.h"
#include "sync/sync.h"

#define FLOWS 100

struct director {
	struct uvs_model m;
	struct uvs_engine e;
	struct uvs_worker w;
	struct uvs_sync *sync;
};

static struct director a, b;

static int route(void *arg, int af, const union uvs_addr *nh, struct uvs_route *r)
{
	(void)arg, (void)af;
	memset(r, 0, sizeof(*r));
	r->ifindex = 2;
	r->mtu = 1500;
	r->src = *nh;
	return 0;
}

/* A director with UDP 10.0.0.1:53 by NAT to one real server, its data worker id 0
 * (registered by its thread) and its sync daemons' worker id 1. */
static void director_init(struct director *x)
{
	struct uvs_engine_config c;
	struct uvs_svc_conf sc = test_svc_conf("10.0.0.1:53", "rr");
	struct uvs_dest_conf dc = test_dest_conf("192.168.0.11:53", 1);

	assert_int_equal(uvs_model_init(&x->m, 2), 0);
	sc.key.protocol = IPPROTO_UDP;
	assert_int_equal(uvs_svc_add(&x->m, &sc, NULL), 0);
	assert_int_equal(uvs_dest_add(&x->m, &sc.key, &dc, NULL), 0);
	uvs_engine_config_default(&c);
	c.table_bits = 10;
	c.max_conns = 1000;
	c.nworkers = 2;
	c.route = route;
	assert_int_equal(uvs_engine_init(&x->e, &x->m, &c), 0);
	assert_int_equal(uvs_sync_open(&x->e, 1, &x->sync), 0);
}

static void *a_worker(void *arg)
{
	(void)arg;
	rcu_register_thread();
	if (uvs_worker_init(&a.w, &a.e, 0) == 0) {
		for (int k = 0; k < 3; k++) /* the third datagram of each flow is sent */
			for (int f = 0; f < FLOWS; f++) {
				uint8_t buf[UVS_FRAME_HEADROOM +
					    2048]; /* frame_build() takes 2048 */
				char src[32];
				snprintf(src, sizeof(src), "172.16.0.%d", f + 1);
				struct frame_spec s = { .af = AF_INET,
							.src = src,
							.dst = "10.0.0.1",
							.protocol = IPPROTO_UDP,
							.sport = 5000,
							.dport = 53 };
				size_t len = frame_build(buf + UVS_FRAME_HEADROOM, &s);
				struct uvs_frame fr = {
					.data = buf + UVS_FRAME_HEADROOM,
					.len = (uint32_t)len,
					.headroom = UVS_FRAME_HEADROOM,
					.tailroom =
						(uint32_t)(sizeof(buf) - UVS_FRAME_HEADROOM - len),
				};
				uvs_engine_process(&a.w, &fr, 1, uvs_model_now(&a.m));
			}
	}
	rcu_unregister_thread();
	return NULL;
}

static uint64_t counter(struct uvs_sync *s, const char *name)
{
	const char *names[128];
	uint64_t values[128];
	size_t n = uvs_sync_counters(s, names, values, 128);

	for (size_t i = 0; i < n && i < 128; i++)
		if (!strcmp(names[i], name))
			return values[i];
	fail_msg("no counter %s", name);
	return 0;
}

static struct uvs_sync_config config(int state, const char *ifname, uint16_t port)
{
	struct uvs_sync_config c = { .state = state, .syncid = 9, .mcast_port = port };

	snprintf(c.ifname, sizeof(c.ifname), "%s", ifname);
	return c;
}

static void test_master_to_backup_over_loopback(void **state)
{
	/* A port of this run's own: other tests on this host use the same group. */
	uint16_t port = (uint16_t)(20000 + getpid() % 20000);
	struct uvs_sync_config m = config(UVS_SYNC_MASTER, "lo", port);
	struct uvs_sync_config bk = config(UVS_SYNC_BACKUP, "lo", port);
	struct uvs_sync_config none = config(UVS_SYNC_MASTER, "nosuch0", port);
	struct uvs_error err;
	pthread_t t;

	(void)state;
	rcu_register_thread();
	director_init(&a);
	director_init(&b);
	assert_int_equal(uvs_sync_config_complete(&none, &err), -ENODEV);
	assert_int_equal(uvs_sync_config_complete(&m, &err), 0);
	assert_int_equal(m.sync_maxlen, 1472);
	assert_int_equal(uvs_sync_config_complete(&bk, &err), 0);
	assert_int_equal(bk.sync_maxlen, 65535 - 28); /* lo's MTU: 65536 */
	assert_int_equal(uvs_sync_start(b.sync, &bk, &err), 0);
	assert_int_equal(uvs_sync_start(b.sync, &bk, &err), -EEXIST);
	/* b is a master too (its own traffic would go to another director). */
	struct uvs_sync_config bm = config(UVS_SYNC_MASTER, "lo", (uint16_t)(port + 1));
	assert_int_equal(uvs_sync_config_complete(&bm, &err), 0);
	assert_int_equal(uvs_sync_start(b.sync, &bm, &err), 0);
	assert_int_equal(uvs_sync_start(a.sync, &m, &err), 0);

	assert_int_equal(pthread_create(&t, NULL, a_worker, NULL), 0);
	pthread_join(t, NULL);
	/* A partial message goes out within 2 s (and a second for the thread's check). */
	for (int i = 0; i < 60 && uvs_engine_conn_count(&b.e) < FLOWS; i++)
		nanosleep(&(struct timespec){ .tv_nsec = 100000000 }, NULL);
	assert_int_equal(uvs_engine_conn_count(&b.e), FLOWS);
	assert_int_equal(counter(a.sync, "sync_tx_conns"), FLOWS);
	assert_true(counter(a.sync, "sync_tx_msgs") >= 1);
	assert_int_equal(counter(b.sync, "sync_rx_new"), FLOWS);
	assert_int_equal(counter(b.sync, "sync_rx_syncid"), 0);

	assert_int_equal(uvs_sync_stop(a.sync, UVS_SYNC_MASTER), 0);
	assert_int_equal(uvs_sync_stop(a.sync, UVS_SYNC_MASTER), -ESRCH);
	assert_int_equal(uvs_sync_stop(b.sync, UVS_SYNC_BACKUP), 0);
	/* The counters of a master that stopped stay. */
	assert_int_equal(counter(a.sync, "sync_tx_conns"), FLOWS);
	uvs_sync_stop_all(b.sync);
	for (int i = 0; i < 2; i++) {
		struct director *x = i ? &b : &a;
		uvs_sync_stop_all(x->sync);
		uvs_engine_destroy(&x->e);
		uvs_sync_close(x->sync);
		uvs_model_destroy(&x->m);
	}
	rcu_unregister_thread();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_master_to_backup_over_loopback),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
