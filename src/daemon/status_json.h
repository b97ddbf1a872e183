/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The status page's data (/status.json): the services with their real servers,
 * weights, connections, counters and rates, the totals, the connection table, the
 * drops and passes by reason, the workers, the sync daemons. One JSON object; the
 * field names are in status_json.c. HTTP thread (view.h).
 */
#ifndef UVSD_STATUS_JSON_H
#define UVSD_STATUS_JSON_H

#include <stdio.h>

#include "view.h"

/* Writes the object to f. Returns 0, or -ENOMEM (f may hold part of it). */
int uvsd_status_json(struct uvsd_view *v, FILE *f);

/* The status page (/): HTML with its style and script inline, which shows
 * /status.json and asks for it again every two seconds. */
extern const char uvsd_status_page[];

#endif
