/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Asks the kernel to resolve the neighbours of real servers as soon as they are
 * configured, so that the first frame to a new real server finds its MAC address
 * instead of being dropped while ARP or neighbour discovery runs (a lost SYN costs
 * the client a 1 s retransmission).
 *
 * Control thread only. Each pass walks the configuration only if it changed since
 * the last complete pass and resolves at most UVSD_PRIME_PER_PASS addresses not yet
 * asked about. After a pass that took t, the next waits UVSD_PRIME_DUTY * t: priming
 * takes at most about a tenth of the control thread, so loading 100,000 rules one by
 * one is not slowed by walking them 100,000 times, and a small configuration (a pass
 * of microseconds) is primed right after each change.
 */
#ifndef UVSD_PRIME_H
#define UVSD_PRIME_H

#include <stdbool.h>
#include <stdint.h>

#include "core/model.h"

#define UVSD_PRIME_PER_PASS 256
#define UVSD_PRIME_GAP_MS   100 /* the longest a caller waits to call again */
#define UVSD_PRIME_DUTY	    9

struct uvsd_prime;

/* Returns 0 or a negative errno. */
int uvsd_prime_open(struct uvsd_prime **out);
void uvsd_prime_close(struct uvsd_prime *p);

/* Forgets which addresses were asked about, so that the next passes ask about every
 * destination again (their neighbours are gone with a link that was made again). */
void uvsd_prime_forget(struct uvsd_prime *p);

/* One pass over m, which only the calling (control) thread changes. Returns true if
 * work is left: call again within UVSD_PRIME_GAP_MS. */
bool uvsd_prime_pass(struct uvsd_prime *p, struct uvs_model *m);

#endif
