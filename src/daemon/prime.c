// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/clock.h"
#include "net/route.h"
#include "prime.h"

/* Addresses already asked about, direct-mapped: a collision only means one address
 * is asked about again, which is harmless. */
#define ASKED_SLOTS 65536

struct asked {
	bool used;
	uint8_t af;
	union uvs_addr addr;
};

struct uvsd_prime {
	struct uvs_net *net;
	uint64_t done_generation; /* of the last complete pass; ~0: none yet */
	uint64_t next_us;	  /* no pass before (see prime.h) */
	struct asked asked[ASKED_SLOTS];
};

int uvsd_prime_open(struct uvsd_prime **out)
{
	struct uvsd_prime *p = calloc(1, sizeof(*p));
	int ret;

	if (!p)
		return -ENOMEM;
	if ((ret = uvs_net_open(&p->net)) < 0) {
		free(p);
		return ret;
	}
	p->done_generation = ~0ull;
	*out = p;
	return 0;
}

void uvsd_prime_close(struct uvsd_prime *p)
{
	if (!p)
		return;
	uvs_net_close(p->net);
	free(p);
}

/* Marks (af, a) as asked about; returns false if it already was. */
static bool first_ask(struct uvsd_prime *p, int af, const union uvs_addr *a)
{
	uint32_t h = (a->ip6w[0] ^ a->ip6w[1] ^ a->ip6w[2] ^ a->ip6w[3]) * 0x9e3779b1u;
	struct asked *s = &p->asked[h >> 16];

	_Static_assert(ASKED_SLOTS == 1 << 16, "the slot is the hash's top 16 bits");
	if (s->used && s->af == af && uvs_addr_eq(&s->addr, a))
		return false;
	*s = (struct asked){ .used = true, .af = (uint8_t)af, .addr = *a };
	return true;
}

/* Walks m once; returns false if it asked about every destination not yet asked. */
static bool walk(struct uvsd_prime *p, struct uvs_model *m)
{
	unsigned asked = 0;
	struct uvs_service *svc;
	struct uvs_dest *d;

	cds_list_for_each_entry(svc, &m->services, all) {
		cds_list_for_each_entry(d, &svc->dests, list) {
			struct uvs_route r;

			if (asked == UVSD_PRIME_PER_PASS)
				return true; /* the next pass goes on from here */
			if (!first_ask(p, d->conf.af, &d->conf.addr))
				continue;
			asked++;
			/* The answer does not matter: asking makes the kernel resolve. */
			uvs_net_resolve(p->net, d->conf.af, &d->conf.addr, &r);
		}
	}
	return false;
}

bool uvsd_prime_pass(struct uvsd_prime *p, struct uvs_model *m)
{
	uint64_t generation = m->generation, start = uvs_monotonic_us(), end;
	bool left;

	if (generation == p->done_generation)
		return false;
	if (start < p->next_us)
		return true;
	left = walk(p, m);
	end = uvs_monotonic_us();
	p->next_us = end + UVSD_PRIME_DUTY * (end - start);
	if (!left)
		p->done_generation = generation;
	return left;
}

void uvsd_prime_forget(struct uvsd_prime *p)
{
	memset(p->asked, 0, sizeof(p->asked));
	p->done_generation = ~0ull;
	p->next_us = 0;
}
