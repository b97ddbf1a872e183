// SPDX-License-Identifier: GPL-2.0-or-later
#include "lblcache.h"

#include <errno.h>
#include <stdlib.h>

/* ---- the count of underloaded destinations ---- */

static bool underloaded(const struct uvs_dest *d)
{
	return (uint64_t)uvs_dest_active(d) * 2 < uvs_dest_weight(d);
}

/* Re-evaluates d after a change of its weight or counters. */
static void recount(struct uvs_lbl *t, struct uvs_dest *d)
{
	int now = underloaded(d);

	if (now == d->sched_pos[1])
		return;
	if (now)
		t->underloaded++;
	else
		t->underloaded--;
	d->sched_pos[1] = now;
}

/* ---- the cache ---- */

static unsigned bucket_of(int af, const union uvs_addr *addr)
{
	return (uvs_addr_fold(af, addr) * 2654435761u) & (UVS_LBL_BUCKETS - 1);
}

struct uvs_lbl_entry *uvs_lbl_find(const struct uvs_lbl *t, int af, const union uvs_addr *addr)
{
	struct uvs_lbl_entry *e;

	for (e = t->bucket[bucket_of(af, addr)]; e; e = e->next) {
		if (e->af == af && uvs_addr_eq(&e->addr, addr))
			return e;
	}
	return NULL;
}

void uvs_lbl_insert(struct uvs_lbl *t, struct uvs_lbl_entry *e)
{
	unsigned b = bucket_of(e->af, &e->addr);

	e->next = t->bucket[b];
	t->bucket[b] = e;
	t->entries++;
}

/* Drops the entries of bucket b unused for timeout at now; returns how many. */
static size_t expire_bucket(struct uvs_lbl *t, unsigned b, uvs_time_t now, uvs_time_t timeout)
{
	struct uvs_lbl_entry **pp = &t->bucket[b], *e;
	size_t dropped = 0;

	while ((e = *pp)) {
		if (now < e->lastuse + timeout) {
			pp = &e->next;
			continue;
		}
		*pp = e->next;
		t->cls->free_entry(e);
		dropped++;
	}
	t->entries -= dropped;
	return dropped;
}

static void full_check(struct uvs_lbl *t, uvs_time_t now, uvs_time_t expiration)
{
	for (unsigned b = 0; b < UVS_LBL_BUCKETS; b++)
		expire_bucket(t, b, now, expiration);
}

/* Too many entries: drop ones idle for UVS_LBL_ENTRY_TIMEOUT, bucket by bucket from the
 * rover, until 4/3 of the excess (at most half the size limit) are gone. */
static void trim(struct uvs_lbl *t, uvs_time_t now)
{
	size_t goal = (t->entries - UVS_LBL_MAX_SIZE) * 4 / 3;
	size_t dropped = 0;
	unsigned b = t->rover;

	if (goal > UVS_LBL_MAX_SIZE / 2)
		goal = UVS_LBL_MAX_SIZE / 2;
	for (unsigned i = 0; i < UVS_LBL_BUCKETS && dropped < goal; i++) {
		b = (b + 1) & (UVS_LBL_BUCKETS - 1);
		dropped += expire_bucket(t, b, now, UVS_LBL_ENTRY_TIMEOUT);
	}
	t->rover = b;
}

/*
 * Ticks fall at next_gc, next_gc + 60 s, ... The ones that came due while no packet
 * arrived could not have seen the cache change in between, so only the counting and the
 * last full check among them matter; the last due tick then runs as the kernel's would.
 * (A kernel tick that trims does not count towards the 30; among missed ticks, uvs
 * counts them all.)
 */
void uvs_lbl_gc(struct uvs_lbl *t, uvs_time_t now, uvs_time_t expiration)
{
	uint64_t ticks, full;
	uvs_time_t first;

	if (!t->gc_started) {
		/* The kernel starts its timer with the service; we first hear of time now. */
		t->gc_started = true;
		t->next_gc = now + UVS_LBL_GC_INTERVAL;
		return;
	}
	if (now < t->next_gc)
		return;
	first = t->next_gc;
	ticks = (now - first) / UVS_LBL_GC_INTERVAL + 1;
	t->next_gc = first + ticks * UVS_LBL_GC_INTERVAL;

	/* Tick i (from 0) sees the counter at gc_count + i until a full check resets it. */
	if (t->gc_count + ticks - 1 >= UVS_LBL_FULL_CHECK_RUN) {
		full = UVS_LBL_FULL_CHECK_RUN - t->gc_count;
		full += (ticks - 1 - full) / UVS_LBL_FULL_CHECK_RUN * UVS_LBL_FULL_CHECK_RUN;
		full_check(t, first + full * UVS_LBL_GC_INTERVAL, expiration);
		t->gc_count = 1;
		ticks -= full + 1;
		if (!ticks)
			return;
	}
	t->gc_count += (unsigned)(ticks - 1);
	if (t->entries <= UVS_LBL_MAX_SIZE)
		t->gc_count++;
	else
		trim(t, now);
}

/* ---- scheduler ops ---- */

int uvs_lbl_sched_init(struct uvs_service *svc, const struct uvs_lbl_class *cls)
{
	struct uvs_lbl *t = calloc(1, sizeof(*t));
	struct uvs_dest *d;

	if (!t)
		return -ENOMEM;
	/* Touches no destination unless it succeeds, so a failure leaves the previous
	 * scheduler's positions alone. */
	if (uvs_loadheap_init(&t->wlc, &uvs_wlc_rule, 0, svc) < 0) {
		free(t);
		return -ENOMEM;
	}
	t->cls = cls;
	t->gc_count = 1;
	uvs_for_each_dest(d, svc) {
		d->sched_pos[1] = 0;
		recount(t, d);
	}
	svc->sched_data = t;
	return 0;
}

void uvs_lbl_sched_done(struct uvs_service *svc)
{
	struct uvs_lbl *t = svc->sched_data;

	for (unsigned b = 0; b < UVS_LBL_BUCKETS; b++) {
		struct uvs_lbl_entry *e = t->bucket[b], *next;
		for (; e; e = next) {
			next = e->next;
			t->cls->free_entry(e);
		}
	}
	uvs_loadheap_free(&t->wlc);
	free(t);
}

int uvs_lbl_sched_add(struct uvs_service *svc, struct uvs_dest *d)
{
	struct uvs_lbl *t = svc->sched_data;

	if (uvs_loadheap_add(&t->wlc, svc, d) < 0)
		return -ENOMEM;
	d->sched_pos[1] = 0;
	recount(t, d);
	return 0;
}

void uvs_lbl_sched_del(struct uvs_service *svc, struct uvs_dest *d)
{
	struct uvs_lbl *t = svc->sched_data;

	uvs_loadheap_del(&t->wlc, d);
	if (d->sched_pos[1])
		t->underloaded--;
	d->sched_pos[1] = 0;
	/* Control side, O(entries): the kernel keeps a reference instead, but nothing here
	 * may point at a destination once it has left. */
	for (unsigned b = 0; b < UVS_LBL_BUCKETS; b++) {
		for (struct uvs_lbl_entry *e = t->bucket[b]; e; e = e->next)
			t->cls->forget(e, d);
	}
}

void uvs_lbl_sched_load(struct uvs_service *svc, struct uvs_dest *d)
{
	struct uvs_lbl *t = svc->sched_data;

	uvs_loadheap_update(&t->wlc, d);
	recount(t, d);
}

int uvs_lbl_sched_upd(struct uvs_service *svc, struct uvs_dest *d)
{
	uvs_lbl_sched_load(svc, d);
	return 0;
}
