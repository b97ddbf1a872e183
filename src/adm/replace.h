/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Replacing the whole configuration with a rules text, as a daemon's reload does,
 * without disturbing what stays: services and destinations present in both keep
 * their objects, counters and connections; only the differences are applied.
 */
#ifndef UVS_ADM_REPLACE_H
#define UVS_ADM_REPLACE_H

#include "adm/rules.h"

/*
 * Makes m's configuration (and *t, if the text has --set) what `ipvsadm -C` followed
 * by `ipvsadm -R < text` would make it, by the smallest set of -D, -A, -E, -d, -a, -e
 * commands: removed services first, then each service of the text in its order.
 * The text is checked whole first, on a scratch model: an error there names the
 * text's line and changes nothing. The differences then go through uvs_adm_apply(),
 * so a refusal is undone. Returns 0 or a negative errno with *err (may be NULL) set.
 *
 * The same contract as uvs_adm_apply: the caller serialises control-side writers;
 * workers may see intermediate states unless the caller pauses them.
 */
int uvs_adm_replace(struct uvs_model *m, struct uvs_timeouts *t, const char *text,
		    struct uvs_adm_error *err);

/* The commands uvs_adm_replace would run, as a rules text in *out that the caller
 * frees ("" if nothing differs). Returns 0, or a negative errno with *err set (the
 * text refused, or out of memory). For tests and dry runs. */
int uvs_adm_replace_plan(struct uvs_model *m, const struct uvs_timeouts *t, const char *text,
			 char **out, struct uvs_adm_error *err);

#endif
