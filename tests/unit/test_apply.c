// SPDX-License-Identifier: GPL-2.0-or-later
/* Applying rules texts: all or nothing. A syntax error changes nothing; a refusal by
 * the model undoes what ran before it, so that the saved configuration, the order of
 * destinations, their counters and the timeouts are as before. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "adm_helpers.h"

/* A configuration the refusal tests start from. */
static const char base_rules[] = "# base\n"
				 "-A -t 10.0.0.1:80 -s wrr\n"
				 "-a -t 10.0.0.1:80 -r 192.168.0.11:80 -m -w 3\n"
				 "-a -t 10.0.0.1:80 -r 192.168.0.12:80 -m -w 2\n"
				 "-a -t 10.0.0.1:80 -r 192.168.0.13:80 -m -w 1\n"
				 "\n"
				 "-A -u 10.0.0.1:53 -s sh -b sh-port -o\n"
				 "-a -u 10.0.0.1:53 -r 192.168.0.21 -g -x 10 -y 5\n"
				 "-A -f 7 -s rr -p 600\n"
				 "-a -f 7 -r 192.168.0.31:0 -i --tun-type gue --tun-port 6080\n";

static const char base_saved[] =
	"-A -t 10.0.0.1:80 -s wrr\n"
	"-a -t 10.0.0.1:80 -r 192.168.0.11:80 -m -w 3\n"
	"-a -t 10.0.0.1:80 -r 192.168.0.12:80 -m -w 2\n"
	"-a -t 10.0.0.1:80 -r 192.168.0.13:80 -m -w 1\n"
	"-A -u 10.0.0.1:53 -s sh -o -b sh-port\n"
	"-a -u 10.0.0.1:53 -r 192.168.0.21:53 -g -w 1 -x 10 -y 5\n"
	"-A -f 7 -s rr -p 600\n"
	"-a -f 7 -r 192.168.0.31:0 -i -w 1 --tun-type gue --tun-port 6080 --tun-nocsum\n";

/* The last octets of svc's destinations in list order (newest first), e.g. "13,12,11". */
static void dest_order(struct test_env *env, const char *addr_port, char *buf, size_t len)
{
	struct uvs_svc_key k = test_key(addr_port);
	struct uvs_service *svc = uvs_svc_find(&env->m, &k);
	struct uvs_dest *d;
	size_t used = 0;

	assert_non_null(svc);
	buf[0] = 0;
	uvs_for_each_dest(d, svc) {
		used += (size_t)snprintf(buf + used, len - used, "%s%d", used ? "," : "",
					 test_dest_id(d));
	}
}

static struct uvs_dest *find_dest(struct test_env *env, const char *svc_ap, const char *dest_ap)
{
	struct uvs_svc_key k = test_key(svc_ap);
	struct uvs_dest_conf c = test_dest_conf(dest_ap, 1);
	struct uvs_service *svc = uvs_svc_find(&env->m, &k);

	assert_non_null(svc);
	return uvs_dest_find(svc, c.af, &c.addr, c.port);
}

static void test_apply_builds_config(void **state)
{
	struct test_env *env = *state;
	char *saved;
	char order[64];

	test_apply_ok(env, NULL, base_rules);
	saved = test_save_text(env);
	test_text_equal(saved, base_saved);
	free(saved);
	dest_order(env, "10.0.0.1:80", order, sizeof(order));
	assert_string_equal(order, "13,12,11");
	assert_int_equal(env->m.num_services, 3);
}

static void test_syntax_error_changes_nothing(void **state)
{
	struct test_env *env = *state;
	struct uvs_adm_error err;

	test_apply_ok(env, NULL, base_rules);
	test_apply_refused(env, NULL,
			   "-A -t 10.0.0.2:80\n"
			   "-C\n"
			   "-a -t 10.0.0.2:80 -r 10.1.1.1 -w 65536\n",
			   EINVAL, "line 3: illegal weight specified: '65536'");
	assert_int_equal(uvs_adm_apply(&env->m, NULL, "\n\n-A -t 10.0.0.3:0\n", &err), -EINVAL);
	assert_int_equal(err.line, 3);
	assert_string_equal(err.msg, "line 3: Zero port specified for non-persistent service");
	test_apply_refused(env, NULL, "-A -t 10.0.0.2:80\n-A -t 10.0.0.2:81 --bogus\n", EINVAL,
			   "line 2: unknown option '--bogus'");
	test_apply_refused(env, NULL, "-A -t 10.0.0.2:80\n-A -s rr\n", EINVAL,
			   "line 2: You need to supply the 'service-address' option");
	test_apply_refused(env, NULL, "-a -t 10.0.0.1:80 -r 10.1.1.300\n", EINVAL,
			   "line 1: illegal real server address");
	/* --set with nowhere to put the timeouts is refused before anything runs. */
	test_apply_refused(env, NULL, "-C\n--set 1 2 3\n", EINVAL, "line 2: --set");
	assert_int_equal(env->m.num_services, 3);
}

/* Every kind of command runs, then a later line is refused: all of it is undone. */
static void test_refusal_undoes_everything(void **state)
{
	struct test_env *env = *state;
	char order[64];

	test_apply_ok(env, NULL, base_rules);
	test_apply_refused(env, NULL,
			   "-E -t 10.0.0.1:80 -s lc -p 30\n"
			   "-e -t 10.0.0.1:80 -r 192.168.0.12:80 -m -w 9 -x 100\n"
			   "-d -t 10.0.0.1:80 -r 192.168.0.12:80\n"
			   "-a -t 10.0.0.1:80 -r 192.168.0.14:80 -m\n"
			   "-D -u 10.0.0.1:53\n"
			   "-A -t 10.0.0.2:80 -s rr\n"
			   "-a -t 10.0.0.2:80 -r 192.168.0.41\n"
			   "-A -t 10.0.0.2:80\n",
			   EEXIST, "line 8: Service already exists");
	dest_order(env, "10.0.0.1:80", order, sizeof(order));
	assert_string_equal(order, "13,12,11");
	assert_int_equal(env->m.num_services, 3);

	/* A clear, then a refusal: everything comes back, in order. */
	test_apply_refused(env, NULL,
			   "-C\n"
			   "-A -t 10.0.0.1:80 -s rr\n"
			   "-a -t 10.0.0.1:80 -r 192.168.0.11:80 -m -w 3\n"
			   "-a -t 10.0.0.9:80 -r 192.168.0.11:80\n",
			   ESRCH, "line 4: Service not defined");
	dest_order(env, "10.0.0.1:80", order, sizeof(order));
	assert_string_equal(order, "13,12,11");
	struct uvs_svc_key k = test_key("10.0.0.1:80");
	assert_string_equal(uvs_svc_find(&env->m, &k)->sched->name, "wrr");
}

/* A deleted destination comes back at its place in the list, with its connections. */
static void test_undo_keeps_order_and_counters(void **state)
{
	struct test_env *env = *state;
	struct uvs_svc_key k = test_key("10.0.0.1:80");
	struct uvs_dest *d;
	char order[64];

	test_apply_ok(env, NULL, base_rules);
	d = find_dest(env, "10.0.0.1:80", "192.168.0.11:80");
	assert_non_null(d);
	rcu_read_lock();
	uvs_dest_bind(d, 0, 0);
	uvs_dest_bind(d, 0, UVS_CONN_F_INACTIVE);
	rcu_read_unlock();
	test_apply_refused(env, NULL,
			   "-d -t 10.0.0.1:80 -r 192.168.0.11:80\n"
			   "-d -t 10.0.0.1:80 -r 192.168.0.12:80\n"
			   "-a -t 10.0.0.1:80 -r 192.168.0.11:80 -m -w 3\n"
			   "-a -t 10.0.0.1:80 -r 192.168.0.11:80 -m -w 2\n",
			   EEXIST, "line 4: Destination already exists");
	dest_order(env, "10.0.0.1:80", order, sizeof(order));
	assert_string_equal(order, "13,12,11");
	d = find_dest(env, "10.0.0.1:80", "192.168.0.11:80");
	assert_int_equal(uvs_dest_active(d), 1);
	assert_int_equal(uvs_dest_inactive(d), 1);
	rcu_read_lock();
	uvs_dest_unbind(d, 0, 0);
	uvs_dest_unbind(d, 0, UVS_CONN_F_INACTIVE);
	rcu_read_unlock();
	/* The service itself is the same object: deleting destinations did not touch it. */
	assert_non_null(uvs_svc_find(&env->m, &k));
}

static void test_model_refusals(void **state)
{
	struct test_env *env = *state;

	test_apply_ok(env, NULL, base_rules);
	test_apply_refused(env, NULL, "-A -t 10.0.0.2:80 -s rr\n-A -t 10.0.0.3:80 -s nosuch\n",
			   ENOENT, "line 2: Scheduler not found: nosuch");
	test_apply_refused(env, NULL, "-E -t 10.0.0.1:80 -s nosuch\n", ENOENT,
			   "line 1: Scheduler not found");
	test_apply_refused(env, NULL,
			   "-A -t 10.0.0.2:80\n"
			   "-a -t 10.0.0.2:80 -r 10.1.1.1 -m -x 10 -y 20\n",
			   ERANGE, "line 2: lower threshold 20 is higher than upper threshold 10");
	test_apply_refused(env, NULL,
			   "-a -t 10.0.0.1:80 -r 192.168.0.14:80 -m\n"
			   "-a -t 10.0.0.1:80 -r 192.168.0.11:80 -m\n",
			   EEXIST, "line 2: Destination already exists");
	test_apply_refused(env, NULL, "-A -t 10.0.0.1:80\n", EEXIST,
			   "line 1: Service already exists");
	test_apply_refused(env, NULL, "-D -t 10.0.0.9:80\n", ESRCH, "line 1: No such service");
	test_apply_refused(env, NULL, "-E -t 10.0.0.9:80\n", ESRCH, "line 1: No such service");
	test_apply_refused(env, NULL, "-a -t 10.0.0.9:80 -r 10.1.1.1\n", ESRCH,
			   "line 1: Service not defined");
	test_apply_refused(env, NULL, "-e -t 10.0.0.1:80 -r 10.1.1.1 -m\n", ENOENT,
			   "line 1: No such destination");
	test_apply_refused(env, NULL, "-d -t 10.0.0.1:80 -r 10.1.1.1\n", ENOENT,
			   "line 1: No such destination");
	test_apply_refused(env, NULL, "-A -t 10.0.0.2:80 -p --pe sip\n", ENOENT,
			   "line 1: Persistence engine not found: sip");
	test_apply_refused(env, NULL, "-a -t 10.0.0.1:80 -r 0.0.0.0 -m\n", EINVAL,
			   "line 1: real server address is not unicast");
	assert_int_equal(env->m.num_services, 3);
}

static void test_timeouts(void **state)
{
	struct test_env *env = *state;
	struct uvs_timeouts t, before;
	struct uvs_ctl_req cmd;
	struct uvs_error err;

	uvs_timeouts_default(&t);
	test_apply_ok(env, &t, "--set 1000 0 200\n");
	assert_int_equal(t.tcp[UVS_TCP_S_ESTABLISHED], 1000);
	assert_int_equal(t.tcp[UVS_TCP_S_FIN_WAIT], 120);
	assert_int_equal(t.udp, 200);

	/* A refusal after --set puts the timeouts back. */
	before = t;
	test_apply_refused(env, &t, "--set 5 6 7\n-A -t 10.0.0.1:80 -s nosuch\n", ENOENT,
			   "line 2: Scheduler not found");
	assert_memory_equal(&t, &before, sizeof(t));

	/* One command at a time. */
	assert_int_equal(uvs_adm_parse_line("-A -t 10.0.0.1:80 -s rr", &cmd, &err), 0);
	assert_int_equal(uvs_adm_exec(&env->m, NULL, &cmd, &err), 0);
	assert_int_equal(uvs_adm_exec(&env->m, NULL, &cmd, &err), -EEXIST);
	assert_string_equal(err.msg, "Service already exists");
	assert_int_equal(uvs_adm_parse_line("--set 1 2 3", &cmd, &err), 0);
	assert_int_equal(uvs_adm_exec(&env->m, NULL, &cmd, &err), -EINVAL);
	assert_int_equal(uvs_adm_exec(&env->m, &t, &cmd, &err), 0);
	assert_int_equal(t.udp, 3);
}

/* An empty text, or one with only comments, is fine and changes nothing. */
static void test_empty_texts(void **state)
{
	struct test_env *env = *state;
	char *saved;

	test_apply_ok(env, NULL, "");
	test_apply_ok(env, NULL, "# nothing\n\n   \n");
	saved = test_save_text(env);
	assert_string_equal(saved, "");
	free(saved);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_apply_builds_config, test_env_setup,
						test_env_teardown),
		cmocka_unit_test_setup_teardown(test_syntax_error_changes_nothing, test_env_setup,
						test_env_teardown),
		cmocka_unit_test_setup_teardown(test_refusal_undoes_everything, test_env_setup,
						test_env_teardown),
		cmocka_unit_test_setup_teardown(test_undo_keeps_order_and_counters, test_env_setup,
						test_env_teardown),
		cmocka_unit_test_setup_teardown(test_model_refusals, test_env_setup,
						test_env_teardown),
		cmocka_unit_test_setup_teardown(test_timeouts, test_env_setup, test_env_teardown),
		cmocka_unit_test_setup_teardown(test_empty_texts, test_env_setup,
						test_env_teardown),
	};
	return cmocka_run_group_tests_name("apply", tests, NULL, NULL);
}
