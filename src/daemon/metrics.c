// SPDX-License-Identifier: GPL-2.0-or-later
#include "metrics.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

struct source {
	const char *name;
	uvsd_metrics_fn fn;
	void *arg;
};

struct uvsd_metrics {
	pthread_mutex_t lock; /* the list, and one scrape at a time */
	struct source *sources;
	size_t n;
};

struct uvsd_metrics *uvsd_metrics_new(void)
{
	struct uvsd_metrics *m = calloc(1, sizeof(*m));

	if (m)
		pthread_mutex_init(&m->lock, NULL);
	return m;
}

void uvsd_metrics_free(struct uvsd_metrics *m)
{
	if (!m)
		return;
	pthread_mutex_destroy(&m->lock);
	free(m->sources);
	free(m);
}

int uvsd_metrics_add(struct uvsd_metrics *m, const char *name, uvsd_metrics_fn fn, void *arg)
{
	struct source *more;

	pthread_mutex_lock(&m->lock);
	more = realloc(m->sources, (m->n + 1) * sizeof(*more));
	if (more) {
		m->sources = more;
		m->sources[m->n++] = (struct source){ name, fn, arg };
	}
	pthread_mutex_unlock(&m->lock);
	return more ? 0 : -ENOMEM;
}

void uvsd_metrics_write(struct uvsd_metrics *m, FILE *f)
{
	pthread_mutex_lock(&m->lock);
	for (size_t i = 0; i < m->n; i++)
		m->sources[i].fn(m->sources[i].arg, f);
	pthread_mutex_unlock(&m->lock);
}
