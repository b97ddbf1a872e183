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

#include "helpers.h"
#include "sync_director.h"

#define FLOWS 100

static struct sync_director a, b;

static void *a_worker(void *arg)
{
	(void)arg;
	rcu_register_thread();
	if (uvs_worker_init(&a.w, &a.e, 0) == 0) {
		for (int k = 0; k < 3; k++) /* the third datagram of each flow is sent */
			for (int f = 0; f < FLOWS; f++) {
				char src[32];
				snprintf(src, sizeof(src), "172.16.0.%d", f + 1);
				sync_director_dns(&a, src);
			}
	}
	rcu_unregister_thread();
	return NULL;
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
	sync_director_init(&a, 2, false);
	sync_director_init(&b, 2, false);
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
	assert_int_equal(sync_director_counter(a.sync, "sync_tx_conns"), FLOWS);
	assert_true(sync_director_counter(a.sync, "sync_tx_msgs") >= 1);
	assert_int_equal(sync_director_counter(b.sync, "sync_rx_new"), FLOWS);
	assert_int_equal(sync_director_counter(b.sync, "sync_rx_syncid"), 0);

	assert_int_equal(uvs_sync_stop(a.sync, UVS_SYNC_MASTER), 0);
	assert_int_equal(uvs_sync_stop(a.sync, UVS_SYNC_MASTER), -ESRCH);
	assert_int_equal(uvs_sync_stop(b.sync, UVS_SYNC_BACKUP), 0);
	/* The counters of a master that stopped stay. */
	assert_int_equal(sync_director_counter(a.sync, "sync_tx_conns"), FLOWS);
	uvs_sync_stop_all(b.sync);
	sync_director_fini(&a);
	sync_director_fini(&b);
	rcu_unregister_thread();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_master_to_backup_over_loopback),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
