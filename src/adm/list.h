/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `ipvsadm -L -n` and its variants, byte for byte. */
#ifndef UVS_ADM_LIST_H
#define UVS_ADM_LIST_H

#include <stdbool.h>
#include <stdio.h>

#include "core/engine.h"
#include "core/snap.h"
#include "core/model.h"
#include "core/proto_tcp.h"

enum uvs_adm_list_fmt {
	UVS_ADM_LIST_PLAIN,	 /* -L -n */
	UVS_ADM_LIST_STATS,	 /* --stats */
	UVS_ADM_LIST_RATE,	 /* --rate */
	UVS_ADM_LIST_THRESHOLDS, /* --thresholds */
	UVS_ADM_LIST_PERSISTENT, /* --persistent-conn */
	UVS_ADM_LIST_TUN_INFO,	 /* --tun-info */
};

struct uvs_adm_list_opts {
	enum uvs_adm_list_fmt fmt;
	bool exact;			/* -X/--exact: whole numbers in --stats and --rate */
	bool nosort;			/* --nosort: the model's order */
	bool names;			/* without -n: host and service names */
	unsigned conn_tab_size;		/* shown as "(size=N)" in the first line */
	const struct uvs_svc_key *only; /* list this service only (-t/-u/-f); NULL: all */
	/* The engine whose host addresses make a real server Local in the listing, as the
	 * kernel's IPVS reports it (uvs_snap_mark_local); NULL: as configured. */
	struct uvs_engine *local_engine;
};

/*
 * Writes the listing of m to f: the version line (left out when listing one service,
 * as ipvsadm does), the format's title, and the services with their destinations. Returns 0, -ESRCH
 * ("No such service" in *err, nothing written) if o->only does not exist, -ENOMEM, or -EIO if
 * writing failed.
 */
int uvs_adm_list(FILE *f, struct uvs_model *m, const struct uvs_adm_list_opts *o,
		 struct uvs_error *err);

/*
 * The same from a snapshot s (in the order it has; o->nosort is not looked at): the
 * version line unless o->only is set, the title, and every service of s. Returns 0 or
 * -EIO.
 */
int uvs_adm_list_snap(FILE *f, const struct uvs_snap *s, const struct uvs_adm_list_opts *o);

/* `ipvsadm -L --timeout`: "Timeout (tcp tcpfin udp): 900 120 300". */
int uvs_adm_list_timeouts(FILE *f, const struct uvs_timeouts *t);

/*
 * ipvsadm's number column: 9 characters, "%9llu" below 10^8, else scaled with a
 * K (10^3, below 10^9), M (10^6, below 10^11), G (10^9, below 10^14) or T suffix; with
 * exact, the whole number right-aligned in 9 characters or, if longer, after one space.
 */
void uvs_adm_print_largenum(FILE *f, uint64_t v, bool exact);

#endif
