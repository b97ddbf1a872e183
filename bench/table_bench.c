// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The connection table's write path alone: ns per connection linked
 * (uvs_conn_reserve_spare + uvs_conn_hash) by one thread, then by two at once, each
 * from its own pool into one table of 2^21 chains, as two workers making new
 * connections do. What the engine adds around it (parsing, scheduling, NAT) is left
 * out, so what the second thread costs the first (lines both write) shows.
 *   table_bench [--conns N] [--rounds R]
 * Prints, per thread count, the median over R rounds of each thread's ns per link, and
 * the two threads' links a second against one's.
 */
#include <getopt.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <urcu.h>

#include "core/conn.h"

struct run {
	struct uvs_conn_table *table;
	pthread_barrier_t *start;
	unsigned cpu;
	uint32_t conns;
	double ns; /* per link, out */
};

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* Made before the clock starts: conns entries of random clients to one VIP. */
static struct uvs_conn **make_conns(struct uvs_conn_pool *pool, uint32_t conns, uint32_t seed)
{
	struct uvs_conn **c = calloc(conns, sizeof(*c));

	for (uint32_t i = 0; c && i < conns; i++) {
		c[i] = uvs_conn_alloc(pool);
		if (!c[i]) {
			free(c);
			return NULL;
		}
		seed = seed * 1664525u + 1013904223u; /* an LCG: clients spread over chains */
		c[i]->af = AF_INET;
		c[i]->protocol = IPPROTO_TCP;
		c[i]->caddr.ip = seed;
		c[i]->cport = (uint16_t)(seed >> 16);
		c[i]->vaddr.ip = htonl(0x0a000001);
		c[i]->vport = htons(80);
	}
	return c;
}

static void *link_all(void *arg)
{
	struct run *r = arg;
	struct uvs_conn_pool pool;
	struct uvs_conn **c;
	uint32_t spare = 0;
	cpu_set_t cpus;

	CPU_ZERO(&cpus);
	CPU_SET(r->cpu, &cpus);
	pthread_setaffinity_np(pthread_self(), sizeof(cpus), &cpus); /* a hint: may fail */
	rcu_register_thread();
	uvs_conn_pool_init(&pool, (uint8_t)r->cpu);
	c = make_conns(&pool, r->conns, 7919 * (r->cpu + 1));
	pthread_barrier_wait(r->start);
	if (c) {
		double t0 = now_ns();
		for (uint32_t i = 0; i < r->conns; i++) {
			if (!uvs_conn_reserve_spare(r->table, &spare))
				break;
			uvs_conn_hash(r->table, c[i]);
		}
		r->ns = (now_ns() - t0) / r->conns;
	}
	pthread_barrier_wait(r->start); /* nobody unlinks while the other still links */
	for (uint32_t i = 0; c && i < r->conns; i++)
		uvs_conn_unhash(r->table, c[i]);
	free(c);
	uvs_conn_spares_back(r->table, &spare, true);
	uvs_conn_pool_destroy(&pool);
	rcu_unregister_thread();
	return NULL;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* One round with n threads: each one's ns per link, in ns[0..n-1]. */
static int round_of(struct uvs_conn_table *t, unsigned n, uint32_t conns, double *ns)
{
	pthread_barrier_t start;
	pthread_t th[2];
	struct run r[2];

	pthread_barrier_init(&start, NULL, n);
	for (unsigned i = 0; i < n; i++) {
		r[i] = (struct run){
			.table = t, .start = &start, .cpu = i, .conns = conns, .ns = -1
		};
		if (pthread_create(&th[i], NULL, link_all, &r[i]))
			return -1;
	}
	for (unsigned i = 0; i < n; i++)
		pthread_join(th[i], NULL);
	pthread_barrier_destroy(&start);
	for (unsigned i = 0; i < n; i++) {
		if (r[i].ns < 0)
			return -1;
		ns[i] = r[i].ns;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "conns", required_argument, NULL, 'c' },
		{ "rounds", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	uint32_t conns = 3000000;
	unsigned rounds = 5;
	struct uvs_conn_table t;
	double median[3] = { 0 };
	int o;

	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (o == 'c')
			conns = (uint32_t)strtoul(optarg, NULL, 10);
		else if (o == 'r')
			rounds = (unsigned)strtoul(optarg, NULL, 10);
		else
			return 2;
	}
	if (!conns || !rounds || rounds > 99) {
		fprintf(stderr, "usage: table_bench [--conns N] [--rounds 1..99]\n");
		return 2;
	}
	if (uvs_conn_table_init(&t, 21, 2 * conns + 2 * UVS_CONN_BATCH)) {
		fprintf(stderr, "table_bench: no memory for the table\n");
		return 1;
	}
	printf("table: %u connections a thread, 2^21 chains, %u round(s), medians; ns per "
	       "connection linked, per thread\n",
	       conns, rounds);
	for (unsigned n = 1; n <= 2; n++) {
		double ns[2][99];

		for (unsigned i = 0; i < rounds; i++) {
			double one[2];

			if (round_of(&t, n, conns, one)) {
				fprintf(stderr, "table_bench: a thread could not run\n");
				return 1;
			}
			for (unsigned k = 0; k < n; k++)
				ns[k][i] = one[k];
		}
		printf("threads %u:", n);
		for (unsigned k = 0; k < n; k++) {
			qsort(ns[k], rounds, sizeof(double), cmp_double);
			median[n] += 1 / ns[k][rounds / 2];
			printf(" %.1f", ns[k][rounds / 2]);
		}
		printf(" ns\n");
	}
	printf("two threads link %.2f x as many a second as one\n", median[2] / median[1]);
	uvs_conn_table_destroy(&t);
	return 0;
}
