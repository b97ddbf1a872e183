// SPDX-License-Identifier: GPL-2.0-or-later
/* The rate estimator's catch-up after a clock jump (uvs_stats_estimate_steps): the
 * same state as that many single steps, from any state, in bounded time. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "core/stats.h"

/* Every field a step reads or writes. */
static void assert_same_state(const struct uvs_stats *a, const struct uvs_stats *b, uint64_t steps)
{
	if (memcmp(&a->last, &b->last, sizeof(a->last)) || a->cps != b->cps ||
	    a->inpps != b->inpps || a->outpps != b->outpps || a->inbps != b->inbps ||
	    a->outbps != b->outbps)
		fail_msg("after %llu steps: cps %lld/%lld inpps %lld/%lld outpps %lld/%lld "
			 "inbps %lld/%lld outbps %lld/%lld",
			 (unsigned long long)steps, (long long)a->cps, (long long)b->cps,
			 (long long)a->inpps, (long long)b->inpps, (long long)a->outpps,
			 (long long)b->outpps, (long long)a->inbps, (long long)b->inbps,
			 (long long)a->outbps, (long long)b->outbps);
}

static uint64_t next_random(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/* Two estimators in one state: averages from `seed` (large, small, negative) and some
 * traffic since the last step, which only the first step of a catch-up sees. */
static void make_pair(struct uvs_stats *a, struct uvs_stats *b, uint64_t seed)
{
	uint64_t x = seed * 0x9E3779B97F4A7C15ull + 1;
	int64_t *avg[] = { &a->cps, &a->inpps, &a->outpps, &a->inbps, &a->outbps };

	assert_int_equal(uvs_stats_init(a, 1), 0);
	assert_int_equal(uvs_stats_init(b, 1), 0);
	for (unsigned i = 0; i < 5; i++) {
		uint64_t v = next_random(&x);
		/* Up to 2^50 (far beyond any real rate), of either sign, or tiny. */
		int64_t m = (int64_t)(v >> (14 + v % 50));
		*avg[i] = v & 1 ? -m : m;
	}
	unsigned conns = (unsigned)(next_random(&x) % 3), pkts = (unsigned)(next_random(&x) % 5);
	for (unsigned i = 0; i < conns; i++) {
		uvs_stats_conn(a, 0);
		uvs_stats_conn(b, 0);
	}
	for (unsigned i = 0; i < pkts; i++) {
		uint64_t bytes = next_random(&x) % 1500;
		uvs_stats_in(a, 0, bytes);
		uvs_stats_in(b, 0, bytes);
		uvs_stats_out(a, 0, bytes / 2);
		uvs_stats_out(b, 0, bytes / 2);
	}
	b->cps = a->cps;
	b->inpps = a->inpps;
	b->outpps = a->outpps;
	b->inbps = a->inbps;
	b->outbps = a->outbps;
}

static void test_steps_equal_single_steps(void **state)
{
	(void)state;
	for (uint64_t seed = 0; seed < 200; seed++) {
		for (uint64_t n = 0; n <= 40; n++) {
			struct uvs_stats one, many;
			make_pair(&one, &many, seed);
			for (uint64_t i = 0; i < n; i++)
				uvs_stats_estimate(&one);
			uvs_stats_estimate_steps(&many, n);
			assert_same_state(&one, &many, n);
			uvs_stats_free(&one);
			uvs_stats_free(&many);
		}
	}
}

/* After enough idle steps nothing moves any more: a jump of any size lands there,
 * exactly where single steps would (2^31 steps is a 2^32 s gap, and would take
 * minutes one by one). */
static void test_long_gap(void **state)
{
	const uint64_t huge[] = { 300, 1ull << 31, UINT64_MAX };

	(void)state;
	for (uint64_t seed = 0; seed < 200; seed++) {
		for (unsigned k = 0; k < sizeof(huge) / sizeof(huge[0]); k++) {
			struct uvs_stats one, many;
			make_pair(&one, &many, seed);
			for (unsigned i = 0; i < 300; i++)
				uvs_stats_estimate(&one);
			uvs_stats_estimate_steps(&many, huge[k]);
			assert_same_state(&one, &many, huge[k]);
			uvs_stats_free(&one);
			uvs_stats_free(&many);
		}
	}
}

/* The extremes an average can hold without the step's own arithmetic overflowing. */
static void test_extremes(void **state)
{
	const int64_t values[] = { INT64_MAX / 2, -(INT64_MAX / 2), 3, -3, 4, -4, 1, -1 };

	(void)state;
	for (unsigned v = 0; v < sizeof(values) / sizeof(values[0]); v++) {
		struct uvs_stats one, many;
		assert_int_equal(uvs_stats_init(&one, 1), 0);
		assert_int_equal(uvs_stats_init(&many, 1), 0);
		one.cps = many.cps = values[v];
		one.outbps = many.outbps = -values[v];
		for (unsigned i = 0; i < 1000; i++)
			uvs_stats_estimate(&one);
		uvs_stats_estimate_steps(&many, 1ull << 40);
		assert_same_state(&one, &many, 1ull << 40);
		uvs_stats_free(&one);
		uvs_stats_free(&many);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_steps_equal_single_steps),
		cmocka_unit_test(test_long_gap),
		cmocka_unit_test(test_extremes),
	};
	return cmocka_run_group_tests_name("stats", tests, NULL, NULL);
}
