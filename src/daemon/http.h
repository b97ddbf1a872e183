/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * uvsd's HTTP listener (--metrics), on libmicrohttpd's own thread, which sleeps in
 * poll() between requests: GET /metrics (Prometheus's text format, metrics.h),
 * GET / (the status page) and GET /status.json (its data, status_json.h); HEAD too.
 * Anything else is 404, another method 405. At most a few connections at a time,
 * each closed after 10 s of silence.
 *
 * Threading: open and close on the control thread; the requests are answered on the
 * listener's thread, which reads the director through the view only.
 */
#ifndef UVSD_HTTP_H
#define UVSD_HTTP_H

#include "base/error.h"
#include "http_addr.h"
#include "metrics.h"
#include "view.h"

struct uvsd_http;

/* At most this many connections at a time (Prometheus keeps one open). */
#define UVSD_HTTP_CONNECTIONS 16
#define UVSD_HTTP_TIMEOUT_S   10

/*
 * Listens on addr (uvsd_http_parse_addr) and serves m and v, which outlive the
 * listener. Returns 0 with *out set, or a negative errno with the reason in *err
 * (the address in use, ...).
 */
int uvsd_http_open(const char *addr, struct uvsd_metrics *m, struct uvsd_view *v,
		   struct uvsd_http **out, struct uvs_error *err);
/* Stops the thread and closes the socket. Accepts NULL. */
void uvsd_http_close(struct uvsd_http *h);

#endif
