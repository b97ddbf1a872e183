// SPDX-License-Identifier: GPL-2.0-or-later
#include "notify.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>
#include <time.h>

#include "log.h"

bool uvsd_notify_enabled(void)
{
	return getenv("NOTIFY_SOCKET") != NULL;
}

void uvsd_status_text(struct uvs_model *m, unsigned nlinks, unsigned nworkers, char *buf,
		      size_t len)
{
	const struct uvs_service *svc;
	unsigned services, dests = 0;

	pthread_mutex_lock(&m->ctl_lock);
	services = m->num_services;
	cds_list_for_each_entry(svc, &m->services, all)
		dests += svc->num_dests;
	pthread_mutex_unlock(&m->ctl_lock);
	if (nlinks)
		snprintf(buf, len, "services: %u, real servers: %u, links: %u, workers: %u",
			 services, dests, nlinks, nworkers);
	else
		snprintf(buf, len,
			 "services: %u, real servers: %u, control plane only (no --interface)",
			 services, dests);
}

void uvsd_notify(const char *state, const char *status)
{
	static bool warned;
	char msg[512];
	int ret;

	snprintf(msg, sizeof(msg), "%s%s%s%s", state ? state : "", state && status ? "\n" : "",
		 status ? "STATUS=" : "", status ? status : "");
	/* 0: no $NOTIFY_SOCKET, nobody to tell. */
	ret = sd_notify(0, msg);
	if (ret < 0 && !warned) {
		uvs_log(LOG_WARNING, "cannot tell systemd '%s': %s", state ? state : "STATUS",
			strerror(-ret));
		warned = true;
	}
}

void uvsd_notify_reloading(void)
{
	struct timespec now;
	char state[64];

	clock_gettime(CLOCK_MONOTONIC, &now);
	snprintf(state, sizeof(state), "RELOADING=1\nMONOTONIC_USEC=%llu",
		 (unsigned long long)now.tv_sec * 1000000ull +
			 (unsigned long long)now.tv_nsec / 1000);
	uvsd_notify(state, NULL);
}
