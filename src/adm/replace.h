/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Replacing the whole configuration with a rules text, or the part a rules file
 * declares (uvsd's reload), without disturbing what stays: services and destinations
 * present in both keep their objects, counters and connections; only the differences
 * are applied.
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

/*
 * A reload of a rules file that declares a part of the configuration (uvsd --rules,
 * SIGHUP): the commands that make m hold what `text` declares (its services and real
 * servers added, or edited to the text's, and its --set) and remove what `old`
 * declared and text no longer does. Services and real servers that neither declares
 * are left alone, whoever added them; a service removed goes with all its real
 * servers. old is the *declared of the previous reload ("" or NULL: nothing declared
 * before).
 *
 * Returns 0 with the commands in *plan ("" if nothing differs), the text's
 * declaration in *declared (rules as uvs_adm_save_in_order writes them, for the next
 * reload) and the count of services the plan removes in *removed (may be NULL), all
 * for the caller to free; or a negative errno with *err set: the text refused (its
 * line), old refused (line 0), out of memory. Changes nothing itself.
 */
int uvs_adm_reload_plan(struct uvs_model *m, const struct uvs_timeouts *t, const char *old,
			const char *text, char **plan, char **declared, unsigned *removed,
			struct uvs_adm_error *err);

#endif
