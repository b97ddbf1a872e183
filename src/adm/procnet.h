/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The text of the kernel's /proc/net/ip_vs* files (net/netfilter/ipvs: ip_vs_ctl.c's
 * ip_vs_info_seq_show, ip_vs_stats_show, ip_vs_stats_percpu_show; ip_vs_conn.c's
 * ip_vs_conn_seq_show), written from what uvsd reports: one implementation for the
 * preload library's /proc/net files and `uvsadm --proc`. The formatters are pure;
 * uvs_procnet_write() fetches over a control connection first.
 *
 * Where uvs has no such number the text says what uvs has instead (docs/decisions.md):
 * the totals are the sums over the services there are, and the per-CPU file has one
 * row (CPU 0) holding them, since uvsd's per-worker counters are not reported.
 */
#ifndef UVS_ADM_PROCNET_H
#define UVS_ADM_PROCNET_H

#include <stdint.h>
#include <stdio.h>

#include "core/snap.h"
#include "ctl/client.h"
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

/* What /proc/net/ip_vs_stats shows: the counters and rates summed over the services
 * of snap. Also what uvsd's node_ipvs_*_total metrics report. */
struct uvs_procnet_totals {
	struct uvs_counters c;
	uint64_t cps, inpps, outpps, inbps, outbps;
};
void uvs_procnet_sum(const struct uvs_snap *snap, struct uvs_procnet_totals *out);

/* The files, by their names under /proc/net: "ip_vs", "ip_vs_conn", "ip_vs_stats",
 * "ip_vs_stats_percpu". Returns whether name is one. */
bool uvs_procnet_known(const char *name);
/*
 * Writes file `name` (uvs_procnet_known) to f from what uvsd answers on c, as the
 * kernel makes the file when it is read. Returns 0, or a negative errno (-ENOENT for
 * an unknown name) with the reason in *err, which may be NULL; f may then hold part
 * of the text.
 */
int uvs_procnet_write(struct uvs_ctl_client *c, const char *name, FILE *f, struct uvs_error *err);

#endif
