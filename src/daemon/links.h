/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * uvsd's links (--interface) as the kernel has them. A link that is deleted is logged
 * and given up by steering (its program and sockets went with it); one made again
 * under the same name (a new index) is logged and attached to again: the steering
 * program at once, then, once every link is there, the packet backend on all of them,
 * a fresh start for the next-hop caches and for the real servers' neighbours. Called
 * after each link notification (net/netwatch.h) and, while something is left to do,
 * every 2 s: whatever failed is tried again then, and logged once.
 *
 * Control thread only.
 */
#ifndef UVSD_LINKS_H
#define UVSD_LINKS_H

#include <stdbool.h>

#include "datapath.h"
#include "io/steer.h"
#include "prime.h"

struct uvsd_links;

/* For the links ifnames[0..n) (the caller's, which outlive it), attached now at their
 * current indexes; steer (NULL: --no-steer), dp and prime are the caller's. Returns 0
 * or -ENOMEM. */
int uvsd_links_open(struct uvsd_links **out, const char *const *ifnames, unsigned n,
		    struct uvs_steer *steer, struct uvsd_datapath *dp, struct uvsd_prime *prime);
void uvsd_links_close(struct uvsd_links *l);

/* Looks at every link again: logs one that is gone or back, and attaches to what came
 * back. */
void uvsd_links_check(struct uvsd_links *l);

/* Whether every link is there and attached (false: check again later). */
bool uvsd_links_settled(const struct uvsd_links *l);

#endif
