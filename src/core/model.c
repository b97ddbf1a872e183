// SPDX-License-Identifier: GPL-2.0-or-later
/* The model's life cycle and the work that spans all services: zeroing, the rate
 * estimator, trash expiry. */
#include "model.h"
#include "model-internal.h"
#include "rcu-handoff.h"

#include <errno.h>
#include <stdlib.h>
#include <time.h>

unsigned long uvs_rcu_handoffs;

static uvs_time_t monotonic_clock(void *arg)
{
	struct timespec ts;

	(void)arg;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uvs_time_t)ts.tv_sec * UVS_NS_PER_SEC + (uvs_time_t)ts.tv_nsec;
}

int uvs_model_init(struct uvs_model *m, unsigned nworkers)
{
	memset(m, 0, sizeof(*m));
	pthread_mutex_init(&m->ctl_lock, NULL);
	CDS_INIT_LIST_HEAD(&m->services);
	CDS_INIT_LIST_HEAD(&m->trash);
	m->nworkers = nworkers ? nworkers : 1;
	m->seed = 0x9E3779B97F4A7C15ull;
	m->svc_gen = 1;
	m->clock = monotonic_clock;
	uvs_sysctl_init(&m->sysctl, 0);
	m->estimating = true;
	/* Start with the kernel's default table size; the table grows by itself. */
	m->svc_table = cds_lfht_new(256, 256, 0, CDS_LFHT_AUTO_RESIZE | CDS_LFHT_ACCOUNTING, NULL);
	m->addr_table = cds_lfht_new(256, 256, 0, CDS_LFHT_AUTO_RESIZE | CDS_LFHT_ACCOUNTING, NULL);
	if (!m->svc_table || !m->addr_table || uvs_stats_init(&m->stats, m->nworkers) < 0) {
		if (m->svc_table)
			cds_lfht_destroy(m->svc_table, NULL);
		if (m->addr_table)
			cds_lfht_destroy(m->addr_table, NULL);
		return -ENOMEM;
	}
	return 0;
}

void uvs_model_destroy(struct uvs_model *m)
{
	struct uvs_dest *d, *tmp;

	uvs_svc_flush(m);
	/* Wait for the services' deferred frees before the table goes. */
	rcu_barrier();
	pthread_mutex_lock(&m->ctl_lock);
	cds_list_for_each_entry_safe(d, tmp, &m->trash, trash_node) {
		cds_list_del(&d->trash_node);
		uvs_dest_free(d);
	}
	pthread_mutex_unlock(&m->ctl_lock);
	cds_lfht_destroy(m->svc_table, NULL);
	/* Empty: every service and destination took its addresses out, and the
	 * barrier above ran their frees. */
	cds_lfht_destroy(m->addr_table, NULL);
	uvs_stats_free(&m->stats);
	pthread_mutex_destroy(&m->ctl_lock);
}

void uvs_model_set_clock(struct uvs_model *m, uvs_clock_fn fn, void *arg)
{
	m->clock = fn ? fn : monotonic_clock;
	m->clock_arg = arg;
}

uvs_time_t uvs_model_now(const struct uvs_model *m)
{
	return m->clock(m->clock_arg);
}

static void zero_service(struct uvs_service *svc)
{
	struct uvs_dest *d;

	uvs_stats_zero(&svc->stats);
	cds_list_for_each_entry(d, &svc->dests, list)
		uvs_stats_zero(&d->stats);
}

int uvs_model_zero(struct uvs_model *m, const struct uvs_svc_key *k, struct uvs_error *err)
{
	struct uvs_service *svc;
	int ret = 0;

	pthread_mutex_lock(&m->ctl_lock);
	if (k) {
		svc = uvs_svc_find(m, k);
		if (svc)
			zero_service(svc);
		else
			ret = uvs_errorf(err, ESRCH, "No such service");
	} else {
		cds_list_for_each_entry(svc, &m->services, all)
			zero_service(svc);
		uvs_stats_zero(&m->stats);
	}
	pthread_mutex_unlock(&m->ctl_lock);
	return ret;
}

/* Calls fn(stats, arg) for the director's, every service's and every destination's
 * stats, under ctl_lock. */
static void for_each_stats(struct uvs_model *m, void (*fn)(struct uvs_stats *, uint64_t),
			   uint64_t arg)
{
	struct uvs_service *svc;
	struct uvs_dest *d;

	pthread_mutex_lock(&m->ctl_lock);
	fn(&m->stats, arg);
	cds_list_for_each_entry(svc, &m->services, all) {
		fn(&svc->stats, arg);
		cds_list_for_each_entry(d, &svc->dests, list)
			fn(&d->stats, arg);
	}
	pthread_mutex_unlock(&m->ctl_lock);
}

void uvs_model_estimate_steps(struct uvs_model *m, uint64_t steps)
{
	for_each_stats(m, uvs_stats_estimate_steps, steps);
}

void uvs_model_estimate(struct uvs_model *m)
{
	uvs_model_estimate_steps(m, 1);
}

static void restart(struct uvs_stats *s, uint64_t unused)
{
	(void)unused;
	uvs_stats_estimate_restart(s);
}

void uvs_model_estimate_tick(struct uvs_model *m)
{
	/* Relaxed: a setting read on its own; this thread is its only writer. */
	bool on = uvs_load_relaxed(&m->sysctl.run_estimation) != 0;

	if (on && m->estimating)
		uvs_model_estimate(m);
	else if (on)
		for_each_stats(m, restart, 0);
	m->estimating = on;
}

void uvs_model_expire_trash(struct uvs_model *m)
{
	struct uvs_dest *d, *tmp;
	uvs_time_t now = uvs_model_now(m);

	pthread_mutex_lock(&m->ctl_lock);
	cds_list_for_each_entry_safe(d, tmp, &m->trash, trash_node) {
		if (uvs_dest_refs(d) != 0) /* a connection still holds it */
			continue;
		if (now - d->trash_since < UVS_DEST_TRASH_NS)
			continue;
		cds_list_del(&d->trash_node);
		uvs_dest_free_deferred(d);
	}
	pthread_mutex_unlock(&m->ctl_lock);
}
