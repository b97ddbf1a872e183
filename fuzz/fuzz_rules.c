// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer harness for the rules language (what uvs-replay and `uvsadm -R` read).
 * Each input is a rules text applied to a model that already holds a service. Checks:
 * - a refused text leaves the configuration and the timeouts exactly as they were
 *   (compared through `ipvsadm -S -n` output);
 * - an accepted text saves to a text that applies cleanly to an empty model and saves
 *   back to itself (save/restore round trip);
 * - every listing format prints without error.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adm/list.h"
#include "adm/rules.h"
#include "adm/save.h"

static struct uvs_model model, copy;
static FILE *devnull;
static uvs_time_t now;

/* Each input is 200 s after the last, so the trash of deleted destinations empties. */
static uvs_time_t fuzz_clock(void *arg)
{
	(void)arg;
	return now;
}

static const char base_rules[] = "-A -t 10.0.0.1:80 -s wlc\n"
				 "-a -t 10.0.0.1:80 -r 192.168.0.11:80 -m -w 2\n";

static void setup(void)
{
	rcu_register_thread();
	if (uvs_model_init(&model, 1) < 0 || uvs_model_init(&copy, 1) < 0)
		abort();
	uvs_model_set_clock(&model, fuzz_clock, NULL);
	uvs_model_set_clock(&copy, fuzz_clock, NULL);
	devnull = fopen("/dev/null", "w");
	if (!devnull)
		abort();
}

static char *save_or_die(struct uvs_model *m)
{
	char *s = uvs_adm_save_string(m);
	if (!s)
		abort();
	return s;
}

static void apply_or_die(struct uvs_model *m, struct uvs_timeouts *t, const char *text)
{
	struct uvs_adm_error err;
	if (uvs_adm_apply(m, t, text, &err) < 0) {
		fprintf(stderr, "fuzz_rules: a text that must apply was refused: %s\n%s", err.msg,
			text);
		abort();
	}
}

/* Every listing, over every format; none may fail on a valid model. */
static void list_all(struct uvs_model *m, const struct uvs_timeouts *t)
{
	for (int fmt = UVS_ADM_LIST_PLAIN; fmt <= UVS_ADM_LIST_PERSISTENT; fmt++) {
		struct uvs_adm_list_opts o = { .fmt = fmt,
					       .exact = fmt & 1,
					       .conn_tab_size = 4096 };
		struct uvs_error err;
		if (uvs_adm_list(devnull, m, &o, &err) < 0)
			abort();
	}
	uvs_adm_list_timeouts(devnull, t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct uvs_timeouts t, t_before, t_copy;
	struct uvs_adm_error err;

	if (!devnull)
		setup();
	if (size > 4096)
		return 0;
	char *text = malloc(size + 1);
	if (!text)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';

	now += 200 * UVS_NS_PER_SEC;
	uvs_model_expire_trash(&model);
	uvs_model_expire_trash(&copy);
	uvs_timeouts_default(&t);
	apply_or_die(&model, &t, "-C\n");
	apply_or_die(&model, &t, base_rules);
	t_before = t;
	char *before = save_or_die(&model);

	if (uvs_adm_apply(&model, &t, text, &err) < 0) {
		char *after = save_or_die(&model);
		if (strcmp(before, after) || memcmp(&t, &t_before, sizeof(t))) {
			fprintf(stderr,
				"fuzz_rules: refused text (%s) changed the model:\n%s--\n%s",
				err.msg, before, after);
			abort();
		}
		free(after);
	} else {
		char *saved = save_or_die(&model);
		uvs_timeouts_default(&t_copy);
		apply_or_die(&copy, &t_copy, "-C\n");
		apply_or_die(&copy, &t_copy, saved);
		char *again = save_or_die(&copy);
		if (strcmp(saved, again)) {
			fprintf(stderr, "fuzz_rules: save/restore differs:\n%s--\n%s", saved,
				again);
			abort();
		}
		list_all(&model, &t);
		free(again);
		free(saved);
	}
	free(before);
	free(text);
	return 0;
}
