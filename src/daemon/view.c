// SPDX-License-Identifier: GPL-2.0-or-later
#include "view.h"

#include <string.h>

void uvsd_view_init(struct uvsd_view *v)
{
	memset(v, 0, sizeof(*v));
	v->backend = "none";
	pthread_mutex_init(&v->sync_lock, NULL);
}

void uvsd_view_destroy(struct uvsd_view *v)
{
	pthread_mutex_destroy(&v->sync_lock);
}

void uvsd_view_publish_sync(struct uvsd_view *v, const struct uvs_ctl_daemon *d, unsigned n,
			    const struct uvs_ctl_counter *c, size_t nc)
{
	pthread_mutex_lock(&v->sync_lock);
	v->nsync = n > 2 ? 2 : n;
	memcpy(v->sync, d, v->nsync * sizeof(*d));
	v->nsync_counters = nc > UVSD_VIEW_SYNC_COUNTERS ? UVSD_VIEW_SYNC_COUNTERS : nc;
	memcpy(v->sync_counters, c, v->nsync_counters * sizeof(*c));
	pthread_mutex_unlock(&v->sync_lock);
}

unsigned uvsd_view_sync(struct uvsd_view *v, struct uvs_ctl_daemon out[2])
{
	unsigned n;

	pthread_mutex_lock(&v->sync_lock);
	n = v->nsync;
	memcpy(out, v->sync, n * sizeof(*out));
	pthread_mutex_unlock(&v->sync_lock);
	return n;
}

size_t uvsd_view_sync_counters(struct uvsd_view *v, struct uvs_ctl_counter *out)
{
	size_t n;

	pthread_mutex_lock(&v->sync_lock);
	n = v->nsync_counters;
	memcpy(out, v->sync_counters, n * sizeof(*out));
	pthread_mutex_unlock(&v->sync_lock);
	return n;
}
