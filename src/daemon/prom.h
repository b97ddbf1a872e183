/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Prometheus's text exposition format (version 0.0.4), written to a stream: a family's
 * "# HELP" and "# TYPE" lines, then its samples, each "name{label="value",...} value".
 * Label values and help texts are escaped as the format says ('\\', '"' and line
 * breaks). Pure: the caller owns the stream.
 */
#ifndef UVSD_PROM_H
#define UVSD_PROM_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum uvs_prom_type {
	UVS_PROM_COUNTER,
	UVS_PROM_GAUGE,
};

struct uvs_prom_label {
	const char *name;
	const char *value;
};

/* A family's HELP and TYPE lines; its samples follow. */
void uvs_prom_family(FILE *f, const char *name, enum uvs_prom_type type, const char *help);
/* One sample of family name with n labels (n may be 0, labels NULL). */
void uvs_prom_sample(FILE *f, const char *name, const struct uvs_prom_label *labels, size_t n,
		     uint64_t value);
/* The same with a value that is not a whole number (seconds, ...). */
void uvs_prom_sample_real(FILE *f, const char *name, const struct uvs_prom_label *labels, size_t n,
			  double value);
/* A family of one sample without labels. */
void uvs_prom_single(FILE *f, const char *name, enum uvs_prom_type type, const char *help,
		     uint64_t value);

#endif
