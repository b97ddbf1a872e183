/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Test scaffolding for the ipvsadm language: apply rules, take the save text of a
 * model, and check that a refused rules text leaves the model as it was. Include
 * after <cmocka.h>. */
#ifndef UVS_TEST_ADM_HELPERS_H
#define UVS_TEST_ADM_HELPERS_H

#include "adm/list.h"
#include "adm/rules.h"
#include "adm/save.h"
#include "helpers.h"

/* The model's `ipvsadm -S -n` text; the caller frees it. */
char *test_save_text(struct test_env *env);

/* Applies text; asserts success. */
void test_apply_ok(struct test_env *env, struct uvs_timeouts *t, const char *text);

/*
 * Applies text, expects -errnum with a message containing `msg`, and asserts that the
 * save text is the same before and after.
 */
void test_apply_refused(struct test_env *env, struct uvs_timeouts *t, const char *text, int errnum,
			const char *msg);

/* The listing of env's model with o; the caller frees it. */
char *test_list_text(struct test_env *env, const struct uvs_adm_list_opts *o);

/* Asserts that two strings are equal and shows both, with visible line ends, if not. */
void test_text_equal(const char *got, const char *want);

#endif
