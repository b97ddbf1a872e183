/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The fail-safe's heartbeat: uvsd's workers show that frames move, and the steering
 * programs take frames only while they do (io/steer.h, uvs_steer_alive_until). Each
 * worker stamps the time at every turn of its loop (after a batch, or after its idle
 * sleep, which is kept short enough: uvsd_heartbeat_wait_ms); every period one of
 * them publishes the deadline: the oldest stamp plus the timeout. The deadline stops
 * moving when any worker stops turning (uvsd killed, stopped, a worker wedged or
 * parked), and the programs leave every frame to the kernel at most the timeout
 * after that. It never moves back.
 *
 * Threading: new and free on the control thread, before the workers start and after
 * they stop; uvsd_heartbeat_beat from worker id only (a trylock decides which worker
 * publishes; the others go on at once, unless back from a pause: then they wait).
 */
#ifndef UVSD_HEARTBEAT_H
#define UVSD_HEARTBEAT_H

#include <stdint.h>

/* Makes until_ns (CLOCK_MONOTONIC, ns) the deadline: 0 or a negative errno. */
typedef int (*uvsd_publish_fn)(void *arg, uint64_t until_ns);

struct uvsd_heartbeat;

/* Timeouts in ms that --steer-timeout takes (0 turns the fail-safe off). */
#define UVSD_HEARTBEAT_MIN_MS 100
#define UVSD_HEARTBEAT_MAX_MS 60000
#define UVSD_HEARTBEAT_DEF_MS 1000

/*
 * A heartbeat for nworkers workers with a timeout of timeout_ms (UVSD_HEARTBEAT_MIN_MS
 * ..MAX_MS), every worker counted as seen at now_ns. Publishes now_ns + timeout at
 * once, through publish(arg, ...), so a worker that never turns is caught too.
 * Returns 0, -EINVAL, -ENOMEM, or publish's error (nothing is made then).
 */
int uvsd_heartbeat_new(unsigned nworkers, uint32_t timeout_ms, uint64_t now_ns,
		       uvsd_publish_fn publish, void *arg, struct uvsd_heartbeat **out);

/* The longest an idle worker may sleep between beats: an eighth of the timeout. */
int uvsd_heartbeat_wait_ms(const struct uvsd_heartbeat *hb);

/*
 * Worker id turned at now_ns (CLOCK_MONOTONIC). If a period has passed since the last
 * publication, or more than two since this worker's last beat (it was stopped or off
 * its CPU, and the deadline may be about to pass), publishes the oldest worker's stamp
 * plus the timeout, when that is later than the last deadline. A failed publication is
 * logged once (and its end).
 */
void uvsd_heartbeat_beat(struct uvsd_heartbeat *hb, unsigned id, uint64_t now_ns);

/* Accepts NULL. */
void uvsd_heartbeat_free(struct uvsd_heartbeat *hb);

#endif
