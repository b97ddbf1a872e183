// SPDX-License-Identifier: GPL-2.0-or-later
#include "prom.h"

#include <inttypes.h>
#include <string.h>

/* s with '\\' and line breaks escaped, and '"' too in a label value. */
static void put_escaped(FILE *f, const char *s, int quote)
{
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\\\", f);
		else if (*s == '\n')
			fputs("\\n", f);
		else if (*s == '"' && quote)
			fputs("\\\"", f);
		else
			fputc(*s, f);
	}
}

void uvs_prom_family(FILE *f, const char *name, enum uvs_prom_type type, const char *help)
{
	fprintf(f, "# HELP %s ", name);
	put_escaped(f, help, 0);
	fprintf(f, "\n# TYPE %s %s\n", name, type == UVS_PROM_COUNTER ? "counter" : "gauge");
}

static void put_name(FILE *f, const char *name, const struct uvs_prom_label *labels, size_t n)
{
	fputs(name, f);
	if (!n)
		return;
	/* In name order, as Prometheus's client libraries write them: a sample reads the
	 * same whichever order its caller listed the labels in. */
	const char *last = NULL;

	fputc('{', f);
	for (size_t k = 0; k < n; k++) {
		const struct uvs_prom_label *next = NULL;

		for (size_t i = 0; i < n; i++)
			if ((!last || strcmp(labels[i].name, last) > 0) &&
			    (!next || strcmp(labels[i].name, next->name) < 0))
				next = &labels[i];
		if (!next)
			break; /* a name given twice is written once */
		fprintf(f, "%s%s=\"", k ? "," : "", next->name);
		put_escaped(f, next->value, 1);
		fputc('"', f);
		last = next->name;
	}
	fputc('}', f);
}

void uvs_prom_sample(FILE *f, const char *name, const struct uvs_prom_label *labels, size_t n,
		     uint64_t value)
{
	put_name(f, name, labels, n);
	fprintf(f, " %" PRIu64 "\n", value);
}

void uvs_prom_sample_real(FILE *f, const char *name, const struct uvs_prom_label *labels, size_t n,
			  double value)
{
	put_name(f, name, labels, n);
	/* Enough digits to read back the same double. */
	fprintf(f, " %.17g\n", value);
}

void uvs_prom_single(FILE *f, const char *name, enum uvs_prom_type type, const char *help,
		     uint64_t value)
{
	uvs_prom_family(f, name, type, help);
	uvs_prom_sample(f, name, NULL, 0, value);
}
