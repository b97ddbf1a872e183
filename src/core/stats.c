// SPDX-License-Identifier: GPL-2.0-or-later
#include "stats.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

int uvs_stats_init(struct uvs_stats *s, unsigned nslots)
{
	memset(s, 0, sizeof(*s));
	if (nslots == 0)
		nslots = 1;
	s->slots = aligned_alloc(64, sizeof(*s->slots) * nslots);
	if (!s->slots)
		return -ENOMEM;
	memset(s->slots, 0, sizeof(*s->slots) * nslots);
	s->nslots = nslots;
	return 0;
}

void uvs_stats_free(struct uvs_stats *s)
{
	free(s->slots);
	s->slots = NULL;
}

static void sum_slots(const struct uvs_stats *s, struct uvs_counters *out)
{
	/* Relaxed: added atomically from any thread, read racily like the slots. */
	out->conns = uvs_load_relaxed(&s->shared.conns);
	out->inpkts = uvs_load_relaxed(&s->shared.inpkts);
	out->outpkts = uvs_load_relaxed(&s->shared.outpkts);
	out->inbytes = uvs_load_relaxed(&s->shared.inbytes);
	out->outbytes = uvs_load_relaxed(&s->shared.outbytes);
	for (unsigned i = 0; i < s->nslots; i++) {
		const struct uvs_counters *c = &s->slots[i].c;
		/* Relaxed: each slot has one writer and is read racily by design. */
		out->conns += uvs_load_relaxed(&c->conns);
		out->inpkts += uvs_load_relaxed(&c->inpkts);
		out->outpkts += uvs_load_relaxed(&c->outpkts);
		out->inbytes += uvs_load_relaxed(&c->inbytes);
		out->outbytes += uvs_load_relaxed(&c->outbytes);
	}
}

void uvs_stats_read(const struct uvs_stats *s, struct uvs_counters *out)
{
	sum_slots(s, out);
	out->conns -= s->base.conns;
	out->inpkts -= s->base.inpkts;
	out->outpkts -= s->base.outpkts;
	out->inbytes -= s->base.inbytes;
	out->outbytes -= s->base.outbytes;
}

void uvs_stats_zero(struct uvs_stats *s)
{
	sum_slots(s, &s->base);
	s->last = s->base;
	s->cps = s->inpps = s->outpps = s->inbps = s->outbps = 0;
}

/* One EWMA step with weight 1/4: avg += (sample - avg) / 4, on signed values so that a
 * falling rate decays as in the kernel. */
static void ewma(int64_t *avg, uint64_t delta, int shift)
{
	*avg += ((int64_t)(delta << shift) - *avg) >> 2;
}

void uvs_stats_estimate(struct uvs_stats *s)
{
	struct uvs_counters now;

	sum_slots(s, &now);
	/* Over a 2 s interval, delta << 9 is the per-second rate scaled by 2^10, and
	 * delta << 4 the byte rate scaled by 2^5. */
	ewma(&s->cps, now.conns - s->last.conns, 9);
	ewma(&s->inpps, now.inpkts - s->last.inpkts, 9);
	ewma(&s->outpps, now.outpkts - s->last.outpkts, 9);
	ewma(&s->inbps, now.inbytes - s->last.inbytes, 4);
	ewma(&s->outbps, now.outbytes - s->last.outbytes, 4);
	s->last = now;
}

/* A step that sees no traffic: each average moves a quarter of the way to 0 (rounded
 * as ewma() rounds), and `last` stays. Returns whether any average changed. */
static bool idle_step(struct uvs_stats *s)
{
	int64_t *avg[] = { &s->cps, &s->inpps, &s->outpps, &s->inbps, &s->outbps };
	bool changed = false;

	for (unsigned i = 0; i < sizeof(avg) / sizeof(avg[0]); i++) {
		int64_t before = *avg[i];
		ewma(avg[i], 0, 0);
		changed |= *avg[i] != before;
	}
	return changed;
}

void uvs_stats_estimate_steps(struct uvs_stats *s, uint64_t steps)
{
	if (!steps)
		return;
	uvs_stats_estimate(s);
	/* An idle step depends on the averages alone, so once one changes nothing, no
	 * later one does: stopping there is exact. Each idle step takes at least a
	 * quarter off an average's distance to where it stops (0, or -1..-3 from below),
	 * so from any int64 value that takes at most about 160 steps. */
	for (uint64_t i = 1; i < steps; i++)
		if (!idle_step(s))
			break;
}

void uvs_stats_estimate_restart(struct uvs_stats *s)
{
	sum_slots(s, &s->last);
}

static uint32_t shown(int64_t v, int64_t round, int shift)
{
	return v <= 0 ? 0 : (uint32_t)((v + round) >> shift);
}

void uvs_stats_rates(const struct uvs_stats *s, struct uvs_rates *out)
{
	out->cps = shown(s->cps, 0x1FF, 10);
	out->inpps = shown(s->inpps, 0x1FF, 10);
	out->outpps = shown(s->outpps, 0x1FF, 10);
	out->inbps = shown(s->inbps, 0xF, 5);
	out->outbps = shown(s->outbps, 0xF, 5);
}
