// SPDX-License-Identifier: GPL-2.0-or-later
/* The fail-safe's heartbeat (src/daemon/heartbeat.c) on a clock of the test's: the
 * deadline published is the oldest worker's last beat plus the timeout, at most once a
 * period, never backwards; it stops moving while one worker does not beat and moves
 * again when it does; an idle worker's wait keeps it ahead; a publication that fails
 * is tried again. Then two threads beating at once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <time.h>

#include "base/atomic.h"
#include "daemon/heartbeat.h"

#define MS 1000000ull
#define T0 (1000 * MS) /* the test clock's start */

struct published {
	uint64_t until, calls;
	uint64_t backwards; /* deadlines not later than the one before */
	int fail;	    /* the error publish returns while nonzero */
};

static int publish(void *arg, uint64_t until_ns)
{
	struct published *p = arg;

	uvs_add_relaxed(&p->calls, 1);
	if (p->fail)
		return p->fail;
	/* Relaxed: the threaded test reads them after joining. */
	if (until_ns <= uvs_load_relaxed(&p->until))
		uvs_add_relaxed(&p->backwards, 1);
	uvs_store_relaxed(&p->until, until_ns);
	return 0;
}

static void test_arguments(void **state)
{
	struct published p = { 0 };
	struct uvsd_heartbeat *hb;

	(void)state;
	assert_int_equal(uvsd_heartbeat_new(0, 1000, T0, publish, &p, &hb), -EINVAL);
	assert_int_equal(uvsd_heartbeat_new(1, UVSD_HEARTBEAT_MIN_MS - 1, T0, publish, &p, &hb),
			 -EINVAL);
	assert_int_equal(uvsd_heartbeat_new(1, UVSD_HEARTBEAT_MAX_MS + 1, T0, publish, &p, &hb),
			 -EINVAL);
	assert_int_equal(p.calls, 0);
	/* A first deadline it cannot publish: nothing made. */
	p.fail = -EBADF;
	hb = NULL;
	assert_int_equal(uvsd_heartbeat_new(1, 1000, T0, publish, &p, &hb), -EBADF);
	assert_null(hb);
	uvsd_heartbeat_free(NULL);
}

static void test_oldest_worker(void **state)
{
	struct published p = { 0 };
	struct uvsd_heartbeat *hb;

	(void)state;
	assert_int_equal(uvsd_heartbeat_new(2, 1000, T0, publish, &p, &hb), 0);
	assert_int_equal(p.until, T0 + 1000 * MS); /* at once */
	assert_int_equal(uvsd_heartbeat_wait_ms(hb), 125);
	/* Within a period: nothing published. */
	uvsd_heartbeat_beat(hb, 0, T0 + 100 * MS);
	uvsd_heartbeat_beat(hb, 1, T0 + 100 * MS);
	assert_int_equal(p.calls, 1);
	/* After one: the older stamp (worker 1's) counts. */
	uvsd_heartbeat_beat(hb, 0, T0 + 200 * MS);
	assert_int_equal(p.until, T0 + 1100 * MS);
	assert_int_equal(p.calls, 2);
	/* Worker 1 stops beating: the deadline stays where its last beat put it, however
	 * often worker 0 beats. */
	for (uint64_t t = 300; t <= 3000; t += 50)
		uvsd_heartbeat_beat(hb, 0, T0 + t * MS);
	assert_int_equal(p.until, T0 + 1100 * MS);
	/* It beats again (uvsd resumed, SIGCONT): the deadline moves on, to worker 0's
	 * last beat now the older. */
	uvsd_heartbeat_beat(hb, 1, T0 + 3100 * MS);
	assert_int_equal(p.until, T0 + 4000 * MS);
	uvsd_heartbeat_free(hb);
}

/* Workers that only wake from their idle wait keep the deadline ahead of the clock. */
static void test_idle_workers_stay_ahead(void **state)
{
	struct published p = { 0 };
	struct uvsd_heartbeat *hb;
	uint64_t wait;

	(void)state;
	assert_int_equal(uvsd_heartbeat_new(3, 400, T0, publish, &p, &hb), 0);
	wait = (uint64_t)uvsd_heartbeat_wait_ms(hb) * MS;
	assert_int_equal(wait, 50 * MS);
	/* Each worker wakes every wait, at its own phase, a little late each time. */
	for (uint64_t t = T0; t < T0 + 10000 * MS; t += MS) {
		for (unsigned w = 0; w < 3; w++)
			if ((t - T0) % wait == w * 7 * MS)
				uvsd_heartbeat_beat(hb, w, t + 3 * MS);
		assert_true(p.until > t + 100 * MS);
	}
	uvsd_heartbeat_free(hb);
}

/* uvsd stopped (SIGSTOP) shortly after worker 0's last beat, and resumed just before
 * the deadline that beat gave: worker 1 beats first and publishes from worker 0's old
 * stamp, a deadline a few ms ahead; worker 0's beat right after must move it on at
 * once, not a period later (the programs would leave the frames to the kernel
 * meanwhile, with every worker turning). */
static void test_resumed_worker_publishes(void **state)
{
	struct published p = { 0 };
	struct uvsd_heartbeat *hb;

	(void)state;
	assert_int_equal(uvsd_heartbeat_new(2, 500, T0, publish, &p, &hb), 0);
	for (uint64_t t = 50; t <= 1000; t += 50) {
		uvsd_heartbeat_beat(hb, 1, T0 + t * MS);
		uvsd_heartbeat_beat(hb, 0, T0 + (t + 5) * MS);
	}
	/* Stopped from 1010 ms to 1490 ms. */
	uvsd_heartbeat_beat(hb, 1, T0 + 1490 * MS);
	assert_int_equal(p.until, T0 + 1505 * MS);
	uvsd_heartbeat_beat(hb, 0, T0 + 1490 * MS + 1000);
	assert_int_equal(p.until, T0 + 1990 * MS);
	uvsd_heartbeat_free(hb);
}

/* The same, worker 0 resuming while worker 1 publishes from its old stamp: worker 0
 * waits for the lock instead of going on, and publishes after it. */
struct resume_race {
	struct published p;
	struct uvsd_heartbeat *hb;
	pthread_t thread;
	bool started;
	int done; /* atomic: worker 0's beat returned */
};

static void *resume_worker0(void *arg)
{
	struct resume_race *r = arg;

	uvsd_heartbeat_beat(r->hb, 0, T0 + 1490 * MS + 1000);
	uvs_store_release(&r->done, 1);
	return NULL;
}

static int publish_racing(void *arg, uint64_t until_ns)
{
	struct resume_race *r = arg;
	struct timespec ms = { 0, (long)MS };

	/* The publication from worker 0's old stamp (worker 1's, under the lock): worker
	 * 0 beats meanwhile; given at most 200 ms to return (it does at once if it does
	 * not wait for the lock). */
	if (until_ns == T0 + 1505 * MS && !r->started) {
		r->started = true;
		assert_int_equal(pthread_create(&r->thread, NULL, resume_worker0, r), 0);
		for (int i = 0; i < 200 && !uvs_load_acquire(&r->done); i++)
			nanosleep(&ms, NULL);
	}
	return publish(&r->p, until_ns);
}

static void test_resumed_worker_waits_for_lock(void **state)
{
	struct resume_race r = { 0 };

	(void)state;
	assert_int_equal(uvsd_heartbeat_new(2, 500, T0, publish_racing, &r, &r.hb), 0);
	for (uint64_t t = 50; t <= 1000; t += 50) {
		uvsd_heartbeat_beat(r.hb, 1, T0 + t * MS);
		uvsd_heartbeat_beat(r.hb, 0, T0 + (t + 5) * MS);
	}
	uvsd_heartbeat_beat(r.hb, 1, T0 + 1490 * MS);
	assert_true(r.started);
	pthread_join(r.thread, NULL);
	assert_int_equal(r.p.until, T0 + 1990 * MS);
	assert_int_equal(r.p.backwards, 0);
	uvsd_heartbeat_free(r.hb);
}

static void test_never_backwards(void **state)
{
	struct published p = { 0 };
	struct uvsd_heartbeat *hb;
	uint64_t calls;

	(void)state;
	assert_int_equal(uvsd_heartbeat_new(2, 1000, T0, publish, &p, &hb), 0);
	/* Worker 0 has not beaten since the start: nothing later to publish. */
	uvsd_heartbeat_beat(hb, 1, T0 + 600 * MS);
	assert_int_equal(p.calls, 1);
	uvsd_heartbeat_beat(hb, 0, T0 + 800 * MS);
	assert_int_equal(p.until, T0 + 1600 * MS);
	/* Worker 1 stores a time it read long ago: the oldest stamp is older than the one
	 * published from, and the deadline stays. */
	uvsd_heartbeat_beat(hb, 1, T0 + 300 * MS);
	calls = p.calls;
	uvsd_heartbeat_beat(hb, 0, T0 + 1000 * MS);
	assert_int_equal(p.calls, calls);
	assert_int_equal(p.until, T0 + 1600 * MS);
	/* Its next beat is 800 ms after that stamp: back from a pause, it publishes at
	 * once, from worker 0's beat at 1000 ms. */
	uvsd_heartbeat_beat(hb, 1, T0 + 1100 * MS);
	assert_int_equal(p.until, T0 + 2000 * MS);
	uvsd_heartbeat_beat(hb, 0, T0 + 1300 * MS);
	assert_int_equal(p.until, T0 + 2100 * MS);
	uvsd_heartbeat_free(hb);
}

static void test_failure_retried(void **state)
{
	struct published p = { 0 };
	struct uvsd_heartbeat *hb;

	(void)state;
	assert_int_equal(uvsd_heartbeat_new(1, 1000, T0, publish, &p, &hb), 0);
	p.fail = -ENOMEM;
	uvsd_heartbeat_beat(hb, 0, T0 + 200 * MS);
	assert_int_equal(p.until, T0 + 1000 * MS);
	assert_int_equal(p.calls, 2);
	/* Within the period: not tried again yet. */
	uvsd_heartbeat_beat(hb, 0, T0 + 250 * MS);
	assert_int_equal(p.calls, 2);
	p.fail = 0;
	uvsd_heartbeat_beat(hb, 0, T0 + 400 * MS);
	assert_int_equal(p.until, T0 + 1400 * MS);
	uvsd_heartbeat_free(hb);
}

struct beater {
	struct uvsd_heartbeat *hb;
	unsigned id;
	uint64_t *clock;
	pthread_barrier_t *go;
};

static void *beat_thread(void *arg)
{
	struct beater *b = arg;

	pthread_barrier_wait(b->go);
	for (int i = 0; i < 20000; i++)
		uvsd_heartbeat_beat(b->hb, b->id, uvs_add_return_relaxed(b->clock, MS / 4));
	return NULL;
}

/* Two workers beating at once on a shared clock (under ThreadSanitizer in make test):
 * publish is never called with a deadline that is not later than the one before, and
 * once both have beaten again the last deadline is the older one's plus the timeout. */
static void test_threads(void **state)
{
	struct published p = { 0 };
	struct uvsd_heartbeat *hb;
	uint64_t clock = T0;
	pthread_barrier_t go;
	pthread_t t[2];
	struct beater b[2];

	(void)state;
	pthread_barrier_init(&go, NULL, 2);
	assert_int_equal(uvsd_heartbeat_new(2, 100, T0, publish, &p, &hb), 0);
	for (unsigned i = 0; i < 2; i++) {
		b[i] = (struct beater){ hb, i, &clock, &go };
		assert_int_equal(pthread_create(&t[i], NULL, beat_thread, &b[i]), 0);
	}
	for (unsigned i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&go);
	assert_int_equal(p.backwards, 0);
	uvsd_heartbeat_beat(hb, 1, clock + 20 * MS);
	uvsd_heartbeat_beat(hb, 0, clock + 40 * MS);
	assert_int_equal(p.until, clock + 120 * MS);
	assert_int_equal(p.backwards, 0);
	uvsd_heartbeat_free(hb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_arguments),
		cmocka_unit_test(test_oldest_worker),
		cmocka_unit_test(test_idle_workers_stay_ahead),
		cmocka_unit_test(test_resumed_worker_publishes),
		cmocka_unit_test(test_resumed_worker_waits_for_lock),
		cmocka_unit_test(test_never_backwards),
		cmocka_unit_test(test_failure_retried),
		cmocka_unit_test(test_threads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
