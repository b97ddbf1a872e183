/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Link settings a packet backend depends on. uvs forwards frames as they are on the
 * wire: a link that merges received segments (GRO, LRO) would hand the backend frames
 * larger than the MTU, which it cannot forward (counted as io_rx_too_big). So the
 * backend turns GRO off on its links while it runs and puts it back when it stops.
 */
#ifndef UVS_IO_LINK_H
#define UVS_IO_LINK_H

#include <stdbool.h>
#include <stdint.h>

/* Turns GRO off on ifname. *was_on tells whether it was on (to restore). Returns 0 or a
 * negative errno (-EOPNOTSUPP: the driver has no GRO setting, nothing to do). */
int uvs_link_gro_off(const char *ifname, bool *was_on);
/* Turns GRO back on. Returns 0 or a negative errno. */
int uvs_link_gro_on(const char *ifname);

/* The MTU of ifname, or a negative errno. */
int uvs_link_mtu(const char *ifname);

/* The largest MTU of the links ifnames[0..n), at least 1500 (a link that cannot be
 * read counts as 1500: opening it fails later with a clearer error). */
uint32_t uvs_links_mtu(const char *const *ifnames, unsigned n);

#endif
