// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Scheduler benchmark: nanoseconds per new connection for every registered scheduler
 * at 10 and 10,000 destinations, in steady state.
 *
 * "pick+bind+unbind" is the data path's cost: uvs_svc_schedule() (lock, pick, bind)
 * plus uvs_dest_unbind() of the connection bound ring-size picks earlier, so that the
 * number of outstanding connections, and thus every destination's load, stays steady.
 * "pick" is the scheduler's schedule op alone, called on that steady state with
 * svc->lock held (taken once per batch) and nothing bound.
 *
 * Each figure is the median of RUNS timed runs of at least min_time seconds each.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/model.h"
#include "sched/sched.h"

#define NPKTS	 65536u /* power of two: indexed with a mask */
#define NDADDRS	 4096u	/* destination addresses seen by locality schedulers */
#define RING_MAX 100000u
#define BATCH	 1024u
#define RUNS	 5
#define VIP	 0xc0000201u /* 192.0.2.1 */
#define VPORT	 80
#define NSIZES	 2

static const unsigned sizes[NSIZES] = { 10, 10000 };

/* Schedulers that choose by destination address: they see many of them, not the VIP. */
static const char *const by_daddr[] = { "dh", "lblc", "lblcr", NULL };

struct result {
	bool ok;
	unsigned n; /* destinations measured: fewer than asked when the scheduler caps them */
	double pick_ns;
	double bind_ns;
};

struct bench {
	struct uvs_model m;
	struct uvs_service *svc;
	struct uvs_sched_pkt *pkts;
	struct uvs_dest **ring;
	unsigned ring_size;
	unsigned ring_pos;
	unsigned pkt_pos;
	double min_time;
};

static volatile uintptr_t sink;

static uint64_t xorshift(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*s = x;
	return x;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static bool wants_daddrs(const char *name)
{
	for (unsigned i = 0; by_daddr[i]; i++)
		if (strcmp(by_daddr[i], name) == 0)
			return true;
	return false;
}

/* Clients with pseudo-random addresses and ports; same sequence for every scheduler. */
static struct uvs_sched_pkt *make_pkts(bool vary_daddr)
{
	struct uvs_sched_pkt *pkts = calloc(NPKTS, sizeof(*pkts));
	uint64_t seed = 0x9e3779b97f4a7c15ull;

	if (!pkts)
		return NULL;
	for (unsigned i = 0; i < NPKTS; i++) {
		struct uvs_sched_pkt *p = &pkts[i];
		uint64_t r = xorshift(&seed);

		p->af = AF_INET;
		p->protocol = IPPROTO_TCP;
		p->saddr.ip = htonl((uint32_t)r);
		p->sport = htons((uint16_t)(1024 + (r >> 32) % 64512));
		p->daddr.ip = htonl(VIP);
		if (vary_daddr)
			p->daddr.ip = htonl(0xc6120000u + (uint32_t)((r >> 48) % NDADDRS));
		p->dport = htons(VPORT);
	}
	return pkts;
}

static void set_pkt_time(struct bench *b)
{
	uvs_time_t t = uvs_model_now(&b->m);

	for (unsigned i = 0; i < NPKTS; i++)
		b->pkts[i].now = t;
}

/* A fresh model holding one TCP service with scheduler name and n destinations. */
static int setup(struct bench *b, const char *name, unsigned n)
{
	struct uvs_svc_conf sc;
	struct uvs_error err = { { 0 } };
	union uvs_addr vip = { .ip = htonl(VIP) };
	int rc;

	rc = uvs_model_init(&b->m, 1);
	if (rc)
		return rc;
	memset(&sc, 0, sizeof(sc));
	uvs_svc_key_inet(&sc.key, AF_INET, IPPROTO_TCP, &vip, htons(VPORT));
	snprintf(sc.sched_name, sizeof(sc.sched_name), "%s", name);
	sc.netmask = 0xffffffffu;
	rc = uvs_svc_add(&b->m, &sc, &err);
	if (rc) {
		fprintf(stderr, "sched_bench: %s: adding service: %s\n", name, err.msg);
		return rc;
	}
	for (unsigned i = 0; i < n; i++) {
		struct uvs_dest_conf dc;

		memset(&dc, 0, sizeof(dc));
		dc.af = AF_INET;
		dc.addr.ip = htonl(0x0a000001u + i); /* 10.0.0.1 onwards */
		dc.port = htons(VPORT);
		dc.fwd = UVS_FWD_MASQ;
		dc.weight = 1 + i % 10;
		rc = uvs_dest_add(&b->m, &sc.key, &dc, &err);
		if (rc) {
			fprintf(stderr, "sched_bench: %s: adding destination %u of %u: %s\n", name,
				i + 1, n, err.msg);
			return rc;
		}
	}
	rcu_read_lock();
	b->svc = uvs_svc_find(&b->m, &sc.key);
	rcu_read_unlock();
	return b->svc ? 0 : -ENOENT;
}

/* count iterations of pick, bind, and unbind of the connection ring_size picks ago. */
static void churn(struct bench *b, unsigned count)
{
	struct uvs_service *svc = b->svc;
	unsigned pos = b->ring_pos, p = b->pkt_pos;
	uintptr_t acc = 0;

	rcu_read_lock();
	for (unsigned i = 0; i < count; i++) {
		struct uvs_dest *d = uvs_svc_schedule(svc, &b->pkts[p], 0, 0);
		struct uvs_dest *old = b->ring[pos];

		if (old)
			uvs_dest_unbind(old, 0, 0);
		b->ring[pos] = d;
		acc ^= (uintptr_t)d;
		if (++pos == b->ring_size)
			pos = 0;
		p = (p + 1) & (NPKTS - 1);
	}
	rcu_read_unlock();
	b->ring_pos = pos;
	b->pkt_pos = p;
	sink ^= acc;
}

/* count calls of the schedule op alone, nothing bound. */
static void pick(struct bench *b, unsigned count)
{
	struct uvs_service *svc = b->svc;
	unsigned p = b->pkt_pos;
	uintptr_t acc = 0;

	rcu_read_lock();
	pthread_mutex_lock(&svc->lock);
	for (unsigned i = 0; i < count; i++) {
		acc ^= (uintptr_t)svc->sched->schedule(svc, &b->pkts[p]);
		p = (p + 1) & (NPKTS - 1);
	}
	pthread_mutex_unlock(&svc->lock);
	rcu_read_unlock();
	b->pkt_pos = p;
	sink ^= acc;
}

/* ns per iteration of fn over one run of at least b->min_time seconds. */
static double time_run(struct bench *b, void (*fn)(struct bench *, unsigned))
{
	double start, elapsed;
	uint64_t iters = 0;

	set_pkt_time(b);
	start = now_s();
	do {
		fn(b, BATCH);
		iters += BATCH;
		elapsed = now_s() - start;
	} while (elapsed < b->min_time);
	return elapsed * 1e9 / (double)iters;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median_run(struct bench *b, void (*fn)(struct bench *, unsigned))
{
	double v[RUNS];

	for (unsigned i = 0; i < RUNS; i++)
		v[i] = time_run(b, fn);
	qsort(v, RUNS, sizeof(v[0]), cmp_double);
	return v[RUNS / 2];
}

static void release_ring(struct bench *b)
{
	rcu_read_lock();
	for (unsigned i = 0; i < b->ring_size; i++) {
		if (b->ring[i])
			uvs_dest_unbind(b->ring[i], 0, 0);
		b->ring[i] = NULL;
	}
	rcu_read_unlock();
}

static struct result bench_one(const struct uvs_sched_ops *ops, unsigned n, double min_time)
{
	const char *name = ops->name;
	struct result r = { 0 };
	struct bench b;

	if (ops->max_dests && n > ops->max_dests)
		n = ops->max_dests;
	r.n = n;
	memset(&b, 0, sizeof(b));
	b.min_time = min_time;
	b.ring_size = 4 * n < RING_MAX ? 4 * n : RING_MAX;
	b.ring = calloc(b.ring_size, sizeof(*b.ring));
	b.pkts = make_pkts(wants_daddrs(name));
	if (!b.ring || !b.pkts) {
		fprintf(stderr, "sched_bench: out of memory\n");
		free(b.ring);
		free(b.pkts);
		return r;
	}
	if (setup(&b, name, n) == 0) {
		/* Fill the ring, and go round it once more, before timing. */
		set_pkt_time(&b);
		churn(&b, 2 * b.ring_size);
		r.bind_ns = median_run(&b, churn);
		r.pick_ns = median_run(&b, pick);
		r.ok = true;
		release_ring(&b);
	}
	uvs_model_destroy(&b.m);
	free(b.ring);
	free(b.pkts);
	return r;
}

static void print_cell(bool ok, double ns)
{
	if (ok)
		printf(" %12.1f", ns);
	else
		printf(" %12s", "n/a");
}

static void print_ratio(bool ok, double small, double large)
{
	if (ok && small > 0)
		printf(" %7.1fx", large / small);
	else
		printf(" %8s", "n/a");
}

static void print_header(void)
{
	printf("%-9s %12s %12s %8s   %12s %12s %8s\n", "", "pick ns", "pick ns", "", "pick+bind+",
	       "pick+bind+", "");
	printf("%-9s %12s %12s %8s   %12s %12s %8s\n", "", "", "", "", "unbind ns", "unbind ns",
	       "");
	printf("%-9s %12s %12s %8s   %12s %12s %8s\n", "scheduler", "N=10", "N=10000", "ratio",
	       "N=10", "N=10000", "ratio");
}

static void print_row(const char *name, const struct result res[NSIZES])
{
	bool ok = res[0].ok && res[1].ok;
	char label[32];

	/* A star marks a row whose large size was capped at the scheduler's maximum. */
	snprintf(label, sizeof(label), "%s%s", name, res[1].n < sizes[1] ? "*" : "");
	printf("%-9s", label);
	print_cell(res[0].ok, res[0].pick_ns);
	print_cell(res[1].ok, res[1].pick_ns);
	print_ratio(ok, res[0].pick_ns, res[1].pick_ns);
	printf("  ");
	print_cell(res[0].ok, res[0].bind_ns);
	print_cell(res[1].ok, res[1].bind_ns);
	print_ratio(ok, res[0].bind_ns, res[1].bind_ns);
	printf("\n");
	fflush(stdout);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: sched_bench [--quick] [--sched NAME]\n"
		   "  --quick       short runs, for a smoke test\n"
		   "  --sched NAME  benchmark only scheduler NAME\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "quick", no_argument, NULL, 'q' },
		{ "sched", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *only = NULL;
	double min_time = 0.2;
	int c, status = 0;

	while ((c = getopt_long(argc, argv, "qs:h", opts, NULL)) != -1) {
		switch (c) {
		case 'q':
			min_time = 0.01;
			break;
		case 's':
			only = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	if (only && !uvs_sched_find(only)) {
		fprintf(stderr, "sched_bench: no scheduler named %s\n", only);
		return 2;
	}

	rcu_register_thread();
	printf("uvs scheduler benchmark: ns per new connection, median of %d runs of >= %.2f s;\n"
	       "weights 1..10, ring of min(4N, %u) outstanding connections, %u clients\n\n",
	       RUNS, min_time, RING_MAX, NPKTS);
	print_header();
	for (unsigned i = 0; uvs_schedulers[i]; i++) {
		const struct uvs_sched_ops *ops = uvs_schedulers[i];
		const char *name = ops->name;
		struct result res[NSIZES];

		if (only && strcmp(only, name) != 0)
			continue;
		for (unsigned s = 0; s < NSIZES; s++) {
			res[s] = bench_one(ops, sizes[s], min_time);
			if (!res[s].ok)
				status = 1;
		}
		print_row(name, res);
	}
	for (unsigned i = 0; uvs_schedulers[i]; i++) {
		const struct uvs_sched_ops *ops = uvs_schedulers[i];

		if ((!only || strcmp(only, ops->name) == 0) && ops->max_dests &&
		    ops->max_dests < sizes[NSIZES - 1])
			printf("* %s: measured at %u destinations, the most it allows\n", ops->name,
			       ops->max_dests);
	}
	rcu_unregister_thread();
	return status;
}
