// SPDX-License-Identifier: GPL-2.0-or-later
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adm_helpers.h"

char *test_save_text(struct test_env *env)
{
	char *text = uvs_adm_save_string(&env->m);

	assert_non_null(text);
	return text;
}

void test_apply_ok(struct test_env *env, struct uvs_timeouts *t, const char *text)
{
	struct uvs_adm_error err;
	int ret = uvs_adm_apply(&env->m, t, text, &err);

	if (ret != 0)
		fail_msg("applying rules failed (%d): %s", ret, err.msg);
}

void test_apply_refused(struct test_env *env, struct uvs_timeouts *t, const char *text, int errnum,
			const char *msg)
{
	struct uvs_adm_error err;
	char *before = test_save_text(env), *after;
	int ret = uvs_adm_apply(&env->m, t, text, &err);

	if (ret != -errnum)
		fail_msg("expected %d, got %d (%s) for:\n%s", -errnum, ret, err.msg, text);
	if (!strstr(err.msg, msg))
		fail_msg("message \"%s\" lacks \"%s\"", err.msg, msg);
	after = test_save_text(env);
	test_text_equal(after, before);
	free(before);
	free(after);
}

char *test_list_text(struct test_env *env, const struct uvs_adm_list_opts *o)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(uvs_adm_list(f, &env->m, o, NULL), 0);
	assert_int_equal(fclose(f), 0);
	return buf;
}

/* Prints s with '$' at each line end, so that trailing spaces show. */
static void show(const char *title, const char *s)
{
	print_error("%s:\n", title);
	for (const char *p = s; *p; p++) {
		if (*p == '\n')
			print_error("$\n");
		else
			print_error("%c", *p);
	}
}

void test_text_equal(const char *got, const char *want)
{
	if (strcmp(got, want) == 0)
		return;
	show("got", got);
	show("wanted", want);
	fail_msg("texts differ");
}
