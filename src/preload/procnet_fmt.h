/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The text of the kernel's /proc/net/ip_vs* files (net/netfilter/ipvs: ip_vs_ctl.c's
 * ip_vs_info_seq_show, ip_vs_stats_show, ip_vs_stats_percpu_show; ip_vs_conn.c's
 * ip_vs_conn_seq_show), written from what uvsd reports. Pure: the caller fetches.
 *
 * Where uvs has no such number the text says what uvs has instead (docs/decisions.md):
 * the totals are the sums over the services there are, and the per-CPU file has one
 * row (CPU 0) holding them, since uvsd's per-worker counters are not reported.
 */
#ifndef UVS_PRELOAD_PROCNET_FMT_H
#define UVS_PRELOAD_PROCNET_FMT_H

#include <stdint.h>
#include <stdio.h>

#include "core/snap.h"
#include "ctl/codec.h"

/* The kernel's HZ that the persistence timeout of /proc/net/ip_vs is counted in
 * (jiffies there): Debian's kernels are built with CONFIG_HZ=250. */
#define UVS_PROCNET_HZ 250

/* /proc/net/ip_vs: the version line, the titles, then each service (those by address
 * first, then those by fwmark, as the kernel's two tables) with its real servers. */
void uvs_procnet_info(FILE *f, const struct uvs_snap *snap, uint32_t conn_tab_size);
/* /proc/net/ip_vs_stats: the totals and their rates. */
void uvs_procnet_stats(FILE *f, const struct uvs_snap *snap);
/* /proc/net/ip_vs_stats_percpu. */
void uvs_procnet_stats_percpu(FILE *f, const struct uvs_snap *snap);
/* /proc/net/ip_vs_conn: its title, then one line per connection. */
void uvs_procnet_conn_title(FILE *f);
void uvs_procnet_conn(FILE *f, const struct uvs_ctl_conn *c);

#endif
