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

/* Turns GRO off on ifname. *was_on tells whether it was on (to restore). Returns 0 or a
 * negative errno (-EOPNOTSUPP: the driver has no GRO setting, nothing to do). */
int uvs_link_gro_off(const char *ifname, bool *was_on);
/* Turns GRO back on. Returns 0 or a negative errno. */
int uvs_link_gro_on(const char *ifname);

#endif
