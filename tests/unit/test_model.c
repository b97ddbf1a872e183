// SPDX-License-Identifier: GPL-2.0-or-later
/* The service model: validation, errors, unchanged configuration on failure, trash,
 * overload thresholds, lookups. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "helpers.h"

static int setup(void **state)
{
	static struct test_env env;
	test_env_init(&env);
	*state = &env;
	return 0;
}

static int teardown(void **state)
{
	test_env_fini(*state);
	return 0;
}

static void test_add_find_delete(void **state)
{
	struct test_env *env = *state;
	struct uvs_service *svc = test_add_svc(env, "10.0.0.1:80", "rr");
	struct uvs_svc_key k = test_key("10.0.0.1:80");
	struct uvs_error err;

	assert_non_null(svc);
	assert_ptr_equal(uvs_svc_find(&env->m, &k), svc);
	assert_int_equal(env->m.num_services, 1);
	assert_int_equal(uvs_svc_del(&env->m, &k, &err), 0);
	assert_null(uvs_svc_find(&env->m, &k));
	assert_int_equal(uvs_svc_del(&env->m, &k, &err), -ESRCH);
	assert_string_equal(err.msg, "No such service");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_add_find_delete, setup, teardown),
	};
	return cmocka_run_group_tests_name("model", tests, NULL, NULL);
}
