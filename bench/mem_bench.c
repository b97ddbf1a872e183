// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The host's memory as the engine's table meets it: how long one load from a random
 * line of a large table takes (latency), and how many such loads a core keeps in
 * flight (loads a nanosecond with k independent chains of them). An established frame
 * over 1M flows reads a bucket head and its entry's two lines from a table far larger
 * than the caches, so these two numbers bound what the batch's prefetching can hide:
 * with L ns a miss and at most M in flight, a frame of n lines costs at least n * L / M
 * however its work overlaps.
 *
 * Usage: mem_bench [--mib N] (256 by default: larger than any cache, huge pages as the
 * table's slabs ask for).
 */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>

#define LINE	   64
#define MAX_CHAINS 32

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* splitmix64: the order of the lines, the same on every run. */
static uint64_t next_random(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

int main(int argc, char **argv)
{
	static const struct option long_opts[] = { { "mib", required_argument, NULL, 'm' },
						   { NULL, 0, NULL, 0 } };
	size_t mib = 256;
	int opt;

	while ((opt = getopt_long(argc, argv, "", long_opts, NULL)) != -1) {
		if (opt != 'm' || (mib = strtoul(optarg, NULL, 10)) < 64 || mib > 4096) {
			fprintf(stderr, "usage: mem_bench [--mib 64..4096]\n");
			return 2;
		}
	}
	size_t bytes = mib << 20, lines = bytes / LINE;
	uint64_t *table =
		mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint32_t *order = malloc(lines * sizeof(*order));

	if (table == MAP_FAILED || !order) {
		perror("mem_bench");
		return 1;
	}
	madvise(table, bytes, MADV_HUGEPAGE);
	/* One cycle through every line in a random order: each line's first word is the
	 * index of the next line's, so a chain's loads depend on each other. */
	uint64_t seed = 12345;
	for (size_t i = 0; i < lines; i++)
		order[i] = (uint32_t)i;
	for (size_t i = lines - 1; i > 0; i--) {
		size_t j = next_random(&seed) % (i + 1);
		uint32_t t = order[i];
		order[i] = order[j];
		order[j] = t;
	}
	for (size_t i = 0; i < lines; i++)
		table[(size_t)order[i] * (LINE / 8)] =
			(uint64_t)order[(i + 1) % lines] * (LINE / 8);

	printf("memory: %zu MiB table, random lines; chains of dependent loads run side by "
	       "side\n",
	       mib);
	printf("%8s %14s %14s\n", "chains", "ns per load", "ns per chain");
	for (unsigned k = 1; k <= MAX_CHAINS; k *= 2) {
		uint64_t at[MAX_CHAINS];
		size_t steps = 4000000 / k;

		for (unsigned c = 0; c < k; c++) /* k places far apart on the one cycle */
			at[c] = (uint64_t)order[c * (lines / k)] * (LINE / 8);
		double t0 = now_ns();
		for (size_t s = 0; s < steps; s++)
			for (unsigned c = 0; c < k; c++)
				at[c] = table[at[c]];
		double ns = now_ns() - t0;
		uint64_t sink = 0;
		for (unsigned c = 0; c < k; c++)
			sink += at[c];
		__asm__ volatile("" : : "r"(sink));
		printf("%8u %14.1f %14.1f\n", k, ns / (double)(steps * k), ns / (double)steps);
	}
	free(order);
	munmap(table, bytes);
	return 0;
}
