// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Writes a connection table file (src/daemon/conns_file.h) of N established TCP NAT
 * connections to VIP:80, spread over the real servers given (port 80), each with 900 s
 * left: what a stopping uvsd with N connections leaves, for bench/restart.sh to start
 * a uvsd with a table of that size without making N connections through the lab.
 * Clients: 100.64.0.0/10 addresses, 50,000 ports each from 10000.
 * Usage: conns_gen FILE N VIP RS...   (IPv4)
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon/conns_file.h"

#define PORTS_PER_CLIENT 50000

struct gen {
	uint64_t n, at;
	union uvs_addr vip;
	union uvs_addr rs[16];
	unsigned nrs;
};

static size_t next(void *arg, struct uvsd_conns_entry *out, size_t max)
{
	struct gen *g = arg;
	size_t k = 0;

	for (; k < max && g->at < g->n; k++, g->at++) {
		struct uvs_sync_conn *c = &out[k].conn;

		memset(&out[k], 0, sizeof(out[k]));
		c->af = AF_INET;
		c->protocol = IPPROTO_TCP;
		c->caddr.ip = htonl(0x64400000u + (uint32_t)(g->at / PORTS_PER_CLIENT));
		c->cport = htons((uint16_t)(10000 + g->at % PORTS_PER_CLIENT));
		c->vaddr = g->vip;
		c->vport = htons(80);
		c->daddr = g->rs[g->at % g->nrs];
		c->dport = htons(80);
		c->state = UVS_TCP_S_ESTABLISHED;
		c->timeout = 900;
		out[k].left_ms = 900000;
	}
	return k;
}

int main(int argc, char **argv)
{
	static struct gen g;
	struct uvs_error err;
	struct timespec ts;
	uint64_t count;

	if (argc < 5 || argc - 4 > 16) {
		fprintf(stderr, "usage: conns_gen FILE N VIP RS... (IPv4, at most 16)\n");
		return 2;
	}
	g.n = strtoull(argv[2], NULL, 10);
	if (inet_pton(AF_INET, argv[3], &g.vip.ip) != 1)
		return fprintf(stderr, "conns_gen: %s is not an IPv4 address\n", argv[3]), 2;
	for (int i = 4; i < argc; i++, g.nrs++)
		if (inet_pton(AF_INET, argv[i], &g.rs[g.nrs].ip) != 1)
			return fprintf(stderr, "conns_gen: %s is not an IPv4 address\n", argv[i]),
			       2;
	clock_gettime(CLOCK_REALTIME, &ts);
	if (uvsd_conns_file_write(argv[1], (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec, next,
				  &g, &count, &err) < 0) {
		fprintf(stderr, "conns_gen: %s\n", err.msg);
		return 1;
	}
	printf("%llu connections written to %s\n", (unsigned long long)count, argv[1]);
	return 0;
}
