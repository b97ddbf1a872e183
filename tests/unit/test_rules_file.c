// SPDX-License-Identifier: GPL-2.0-or-later
/* uvsd's rules file: applied whole, reloaded by differences, and a file that cannot
 * be used (missing, refused, not text) leaves the running configuration alone. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "adm_helpers.h"
#include "daemon/log.h"
#include "daemon/rules_file.h"

struct fixture {
	struct test_env env;
	struct uvs_engine e;
	char path[64];
};

static int route(void *arg, int af, const union uvs_addr *nh, struct uvs_route *r)
{
	(void)arg, (void)af, (void)nh, (void)r;
	return -EHOSTUNREACH;
}

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	struct uvs_engine_config c;

	test_env_init(&fx->env);
	uvs_engine_config_default(&c);
	c.table_bits = 8;
	c.route = route;
	assert_int_equal(uvs_engine_init(&fx->e, &fx->env.m, &c), 0);
	strcpy(fx->path, "/tmp/uvs-rules-XXXXXX");
	int fd = mkstemp(fx->path);
	assert_true(fd >= 0);
	close(fd);
	uvs_log_set_level(LOG_CRIT); /* the refusals below are expected */
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	unlink(fx->path);
	uvs_engine_destroy(&fx->e);
	test_env_fini(&fx->env);
	free(fx);
	return 0;
}

static void write_file(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static void test_load_and_reload(void **state)
{
	struct fixture *fx = *state;
	static const char first[] = "-A -t 10.0.0.1:80 -s rr\n"
				    "-a -t 10.0.0.1:80 -r 192.168.0.11:80 -m\n";
	static const char second[] = "-A -t 10.0.0.1:80 -s rr\n"
				     "-a -t 10.0.0.1:80 -r 192.168.0.11:80 -m\n"
				     "-a -t 10.0.0.1:80 -r 192.168.0.12:80 -m -w 2\n"
				     "--set 0 0 60\n";

	write_file(fx->path, first, strlen(first));
	assert_int_equal(uvsd_rules_file_apply(&fx->e, fx->path), 0);
	char *saved = test_save_text(&fx->env);
	test_text_equal(saved, "-A -t 10.0.0.1:80 -s rr\n"
			       "-a -t 10.0.0.1:80 -r 192.168.0.11:80 -m -w 1\n");
	free(saved);
	struct uvs_svc_key k = test_key("10.0.0.1:80");
	struct uvs_service *svc = uvs_svc_find(&fx->env.m, &k);

	write_file(fx->path, second, strlen(second));
	assert_int_equal(uvsd_rules_file_apply(&fx->e, fx->path), 0);
	saved = test_save_text(&fx->env);
	test_text_equal(saved, "-A -t 10.0.0.1:80 -s rr\n"
			       "-a -t 10.0.0.1:80 -r 192.168.0.11:80 -m -w 1\n"
			       "-a -t 10.0.0.1:80 -r 192.168.0.12:80 -m -w 2\n");
	free(saved);
	assert_ptr_equal(uvs_svc_find(&fx->env.m, &k), svc); /* kept, not rebuilt */
	assert_int_equal(fx->e.timeouts.udp, 60);
}

static void test_unusable_files_change_nothing(void **state)
{
	struct fixture *fx = *state;
	static const char good[] = "-A -u 10.0.0.1:53 -s rr\n";
	static const char refused[] = "-A -t 10.0.0.2:80\n-a -t 10.0.0.2:80 -r 1.2.3.4 -w 70000\n";
	static const char binary[] = "-A -t 10.0.0.3:80\n\0-D -u 10.0.0.1:53\n";

	write_file(fx->path, good, strlen(good));
	assert_int_equal(uvsd_rules_file_apply(&fx->e, fx->path), 0);
	char *before = test_save_text(&fx->env);

	write_file(fx->path, refused, strlen(refused));
	assert_int_equal(uvsd_rules_file_apply(&fx->e, fx->path), -EINVAL);
	write_file(fx->path, binary, sizeof(binary) - 1);
	assert_int_equal(uvsd_rules_file_apply(&fx->e, fx->path), -EINVAL);
	assert_int_equal(uvsd_rules_file_apply(&fx->e, "/nonexistent/uvs-rules"), -ENOENT);

	char *after = test_save_text(&fx->env);
	test_text_equal(after, before);
	free(before);
	free(after);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_load_and_reload),
		T(test_unusable_files_change_nothing),
	};
#undef T
	return cmocka_run_group_tests_name("rules_file", tests, NULL, NULL);
}
