/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Which VIPs this director announces (--announce-table): the address of every
 * service that has at least one real server with a weight above 0, one route each
 * (net/announce.h), added and withdrawn as services and real servers change, so that
 * the routers' ECMP sends a VIP's flows only to directors that can serve it. An
 * address with several services (TCP 80, TCP 443) is announced while any of them can
 * serve: withdrawing it would take the others away too. fwmark services have no
 * address of their own and announce nothing.
 *
 * How a route is added or deleted is the caller's (ops), so that tests see the calls.
 * Control thread only.
 */
#ifndef UVSD_ANNOUNCE_H
#define UVSD_ANNOUNCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/model.h"

/* One announced address. */
struct uvsd_vip {
	uint16_t af;
	union uvs_addr addr;
};

/* Adds (add) or deletes the route to vip; returns 0 or a negative errno. */
typedef int (*uvsd_announce_route_fn)(void *arg, bool add, const struct uvsd_vip *vip);

struct uvsd_announce;

/* Returns 0 or -ENOMEM. Nothing is announced before the first uvsd_announce_update. */
int uvsd_announce_new(uvsd_announce_route_fn route, void *arg, struct uvsd_announce **out);

/* Withdraws every announced VIP (failures are logged) and frees an. NULL is fine. */
void uvsd_announce_free(struct uvsd_announce *an);

/*
 * Brings the announced VIPs to those of m that can serve while serving (the workers
 * forward), to none while not, if m or serving changed since the last complete
 * update (or force). A route that could not be added or deleted is logged and tried
 * again at the next call. Returns the number of such failures (0: done), or -ENOMEM
 * (nothing changed).
 */
int uvsd_announce_update(struct uvsd_announce *an, struct uvs_model *m, bool serving, bool force);

/* The VIPs announced now, in address order: *n of them. Valid until the next call. */
const struct uvsd_vip *uvsd_announce_list(const struct uvsd_announce *an, size_t *n);

/*
 * The VIPs of m that can serve, sorted and without repeats, into a new array *out
 * (the caller frees it). Returns how many, or -ENOMEM.
 */
long uvsd_announce_healthy(struct uvs_model *m, struct uvsd_vip **out);

#endif
