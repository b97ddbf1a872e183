/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The registry of what uvsd's /metrics shows: sources, each writing its families in
 * Prometheus's text format (prom.h) when a scrape asks. A subsystem shows its series
 * by adding a source (uvsd.c adds the director's: metrics_sources.h); a sync daemon or
 * the SYN-flood defences add theirs the same way, each a function that reads counters
 * safe to read from any thread (relaxed atomics, copies under a lock of their own).
 *
 * Threading: add sources before uvsd_metrics_write() may run (before the HTTP listener
 * opens), or from any thread (a lock guards the list). Sources run on the HTTP thread,
 * one scrape at a time, in the order added; they must not block on the control
 * thread.
 */
#ifndef UVSD_METRICS_H
#define UVSD_METRICS_H

#include <stdio.h>

struct uvsd_metrics;

/* Writes the source's families to f. */
typedef void (*uvsd_metrics_fn)(void *arg, FILE *f);

/* Returns a registry without sources, or NULL without memory. */
struct uvsd_metrics *uvsd_metrics_new(void);
/* Accepts NULL. No scrape may be running. */
void uvsd_metrics_free(struct uvsd_metrics *m);
/* Adds fn(arg); name says what it is (for the log). Returns 0 or -ENOMEM. */
int uvsd_metrics_add(struct uvsd_metrics *m, const char *name, uvsd_metrics_fn fn, void *arg);
/* Writes every source's families to f. */
void uvsd_metrics_write(struct uvsd_metrics *m, FILE *f);

#endif
