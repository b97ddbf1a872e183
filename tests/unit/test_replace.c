// SPDX-License-Identifier: GPL-2.0-or-later
/* Replacing the configuration with a rules text (a reload): the result equals a fresh
 * load of the text, only differences are applied, what stays keeps its objects and
 * counters, and a bad text changes nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "adm/replace.h"
#include "adm_helpers.h"

static const char old_rules[] = "-A -t 10.0.0.1:80 -s wrr\n"
				"-a -t 10.0.0.1:80 -r 192.168.0.11:80 -m -w 3\n"
				"-a -t 10.0.0.1:80 -r 192.168.0.12:80 -m -w 2\n"
				"-a -t 10.0.0.1:80 -r 192.168.0.13:80 -m -w 1\n"
				"-A -u 10.0.0.1:53 -s rr\n"
				"-a -u 10.0.0.1:53 -r 192.168.0.21:53 -m\n"
				"-A -f 7 -s rr -p 60\n"
				"-a -f 7 -r 192.168.0.31:0 -g\n";

/* 10.0.0.1:80: .12 reweighted, .13 gone, .14 new; :53 gone; fwmark 7 unchanged except
 * its scheduler; a new IPv6 service; the UDP timeout set. */
static const char new_rules[] = "-A -t 10.0.0.1:80 -s wrr\n"
				"-a -t 10.0.0.1:80 -r 192.168.0.11:80 -m -w 3\n"
				"-a -t 10.0.0.1:80 -r 192.168.0.12:80 -m -w 5\n"
				"-a -t 10.0.0.1:80 -r 192.168.0.14:80 -m -w 1\n"
				"-A -f 7 -s wlc -p 60\n"
				"-a -f 7 -r 192.168.0.31:0 -g\n"
				"-A -t [2001:db8::1]:443 -s mh -b mh-port\n"
				"-a -t [2001:db8::1]:443 -r [2001:db8:1::11]:443 -m\n"
				"--set 0 0 77\n";

static void test_plan_is_the_difference(void **state)
{
	struct test_env *env = *state;
	struct uvs_timeouts t;
	struct uvs_adm_error err;
	char *plan;

	uvs_timeouts_default(&t);
	test_apply_ok(env, &t, old_rules);
	assert_int_equal(uvs_adm_replace_plan(&env->m, &t, new_rules, &plan, &err), 0);
	test_text_equal(plan, "-D -u 10.0.0.1:53\n"
			      "-d -t 10.0.0.1:80 -r 192.168.0.13:80\n"
			      "-e -t 10.0.0.1:80 -r 192.168.0.12:80 -m -w 5\n"
			      "-a -t 10.0.0.1:80 -r 192.168.0.14:80 -m -w 1\n"
			      "-E -f 7 -s wlc -p 60\n"
			      "-A -t [2001:db8::1]:443 -s mh -b mh-port\n"
			      "-a -t [2001:db8::1]:443 -r [2001:db8:1::11]:443 -m -w 1\n"
			      "--set 900 120 77\n");
	free(plan);
	/* Nothing differs: an empty plan. */
	assert_int_equal(uvs_adm_replace_plan(&env->m, &t, old_rules, &plan, &err), 0);
	assert_string_equal(plan, "");
	free(plan);
}

static void test_result_equals_a_fresh_load(void **state)
{
	struct test_env *env = *state;
	struct uvs_model fresh;
	struct uvs_timeouts t, t_fresh;
	struct uvs_adm_error err;

	uvs_timeouts_default(&t);
	test_apply_ok(env, &t, old_rules);
	struct uvs_svc_key k = test_key("10.0.0.1:80");
	struct uvs_service *web = uvs_svc_find(&env->m, &k);
	struct uvs_dest_conf d11 = test_dest_conf("192.168.0.11:80", 3);
	struct uvs_dest *kept = uvs_dest_find(web, d11.af, &d11.addr, d11.port);
	assert_non_null(kept);
	uvs_stats_in(&kept->stats, 0, 1000);

	assert_int_equal(uvs_adm_replace(&env->m, &t, new_rules, &err), 0);

	assert_int_equal(uvs_model_init(&fresh, 1), 0);
	uvs_timeouts_default(&t_fresh);
	assert_int_equal(uvs_adm_apply(&fresh, &t_fresh, new_rules, &err), 0);
	char *got = test_save_text(env), *want = uvs_adm_save_string(&fresh);
	test_text_equal(got, want);
	assert_memory_equal(&t, &t_fresh, sizeof(t));
	free(got);
	free(want);
	uvs_model_destroy(&fresh);

	/* The service and the destination that stayed are the same objects, with their
	 * counters, so their connections carry on. */
	assert_ptr_equal(uvs_svc_find(&env->m, &k), web);
	assert_ptr_equal(uvs_dest_find(web, d11.af, &d11.addr, d11.port), kept);
	struct uvs_counters c;
	uvs_stats_read(&kept->stats, &c);
	assert_int_equal(c.inbytes, 1000);
}

static void test_bad_text_changes_nothing(void **state)
{
	struct test_env *env = *state;
	struct uvs_timeouts t;
	struct uvs_adm_error err;

	uvs_timeouts_default(&t);
	test_apply_ok(env, &t, old_rules);
	char *before = test_save_text(env);
	/* A syntax error on line 3, and a model refusal (a duplicate) on line 4. */
	assert_int_equal(
		uvs_adm_replace(&env->m, &t, "-A -t 10.0.0.9:80\n\n-a -t 10.0.0.9:80\n", &err),
		-EINVAL);
	assert_int_equal(err.line, 3);
	assert_int_equal(uvs_adm_replace(&env->m, &t,
					 "-A -t 10.0.0.9:80\n-A -u 10.0.0.9:53\n--set 1 2 3\n"
					 "-A -t 10.0.0.9:80\n",
					 &err),
			 -EEXIST);
	assert_int_equal(err.line, 4);
	char *after = test_save_text(env);
	test_text_equal(after, before);
	struct uvs_timeouts def;
	uvs_timeouts_default(&def);
	assert_memory_equal(&t, &def, sizeof(t));
	free(before);
	free(after);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, test_env_setup, test_env_teardown)
	const struct CMUnitTest tests[] = {
		T(test_plan_is_the_difference),
		T(test_result_equals_a_fresh_load),
		T(test_bad_text_changes_nothing),
	};
#undef T
	return cmocka_run_group_tests_name("replace", tests, NULL, NULL);
}
