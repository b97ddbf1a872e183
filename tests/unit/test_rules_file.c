// SPDX-License-Identifier: GPL-2.0-or-later
/* uvsd's rules file: applied whole, reloaded by differences, and a file that cannot
 * be used (missing, refused, not text, not a regular file) leaves the running
 * configuration alone with a log line saying what is wrong and where. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "adm_helpers.h"
#include "daemon/log.h"
#include "daemon/rules_file.h"

struct fixture {
	struct test_env env;
	struct uvs_engine e;
	char path[64];
	char *declared; /* what the file declared at its last load */
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
	free(fx->declared);
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
	assert_int_equal(uvsd_rules_file_apply(&fx->e, fx->path, &fx->declared), 0);
	char *saved = test_save_text(&fx->env);
	test_text_equal(saved, "-A -t 10.0.0.1:80 -s rr\n"
			       "-a -t 10.0.0.1:80 -r 192.168.0.11:80 -m -w 1\n");
	free(saved);
	struct uvs_svc_key k = test_key("10.0.0.1:80");
	struct uvs_service *svc = uvs_svc_find(&fx->env.m, &k);

	write_file(fx->path, second, strlen(second));
	assert_int_equal(uvsd_rules_file_apply(&fx->e, fx->path, &fx->declared), 0);
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
	assert_int_equal(uvsd_rules_file_apply(&fx->e, fx->path, &fx->declared), 0);
	char *before = test_save_text(&fx->env);

	write_file(fx->path, refused, strlen(refused));
	assert_int_equal(uvsd_rules_file_apply(&fx->e, fx->path, &fx->declared), -EINVAL);
	write_file(fx->path, binary, sizeof(binary) - 1);
	assert_int_equal(uvsd_rules_file_apply(&fx->e, fx->path, &fx->declared), -EINVAL);
	assert_int_equal(uvsd_rules_file_apply(&fx->e, "/nonexistent/uvs-rules", &fx->declared),
			 -ENOENT);

	char *after = test_save_text(&fx->env);
	test_text_equal(after, before);
	free(before);
	free(after);
}

/* Applies path and returns what uvsd logged meanwhile (stderr), for the caller to
 * free; the return value in *ret. A read that blocks ends the test (SIGALRM). */
static char *apply_logged(struct fixture *fx, const char *path, int *ret)
{
	FILE *log = tmpfile();
	int saved = dup(STDERR_FILENO);
	char *text = calloc(1, 4096);

	assert_non_null(log);
	assert_non_null(text);
	assert_true(saved >= 0);
	fflush(stderr);
	assert_true(dup2(fileno(log), STDERR_FILENO) >= 0);
	uvs_log_set_level(LOG_DEBUG);
	alarm(10);
	*ret = uvsd_rules_file_apply(&fx->e, path, &fx->declared);
	alarm(0);
	uvs_log_set_level(LOG_CRIT);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	assert_true(pread(fileno(log), text, 4095, 0) >= 0);
	fclose(log);
	return text;
}

static void expect_logged(struct fixture *fx, const char *path, int want_ret, const char *want)
{
	int ret;
	char *log = apply_logged(fx, path, &ret);

	if (ret != want_ret || strcmp(log, want))
		fail_msg("%s: returned %d, logged '%s'; wanted %d, '%s'", path, ret, log, want_ret,
			 want);
	free(log);
}

/* What is not a regular text file is refused with a message saying what it is (and
 * where, for a NUL byte); a FIFO without a writer never blocks the reload. */
static void test_not_text_files(void **state)
{
	struct fixture *fx = *state;
	static const char good[] = "-A -u 10.0.0.1:53 -s rr\n";
	static const char nul[] = "-A -t 10.0.0.3:80\n-A -t 10.0.0.4:80\n\n-D -u 10.0.0.1:53 \0\n";
	char dir[] = "/tmp/uvs-rules-dir-XXXXXX", fifo[64], want[256];

	write_file(fx->path, good, strlen(good));
	assert_int_equal(uvsd_rules_file_apply(&fx->e, fx->path, &fx->declared), 0);
	char *before = test_save_text(&fx->env);

	assert_non_null(mkdtemp(dir));
	snprintf(want, sizeof(want),
		 "level=error msg=\"rules %s: a directory, not a regular file; configuration "
		 "unchanged\"\n",
		 dir);
	expect_logged(fx, dir, -EISDIR, want);
	snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	snprintf(want, sizeof(want),
		 "level=error msg=\"rules %s: a FIFO, not a regular file; configuration "
		 "unchanged\"\n",
		 fifo);
	expect_logged(fx, fifo, -EINVAL, want);
	unlink(fifo);
	rmdir(dir);

	write_file(fx->path, nul, sizeof(nul) - 1);
	snprintf(want, sizeof(want),
		 "level=error msg=\"rules %s: line 4: a NUL byte: not a text file; configuration "
		 "unchanged\"\n",
		 fx->path);
	expect_logged(fx, fx->path, -EINVAL, want);

	char *after = test_save_text(&fx->env);
	test_text_equal(after, before);
	free(before);
	free(after);
}

/* A file without rules removes what the file declared before: allowed, but said at
 * warning level when it removes services. */
static void test_empty_file_warns(void **state)
{
	struct fixture *fx = *state;
	static const char two[] = "-A -u 10.0.0.1:53 -s rr\n-A -t 10.0.0.1:80\n";
	static const char blank[] = "# nothing here\n\n   \n";
	char want[256];

	write_file(fx->path, two, strlen(two));
	snprintf(want, sizeof(want), "level=info msg=\"rules %s applied\"\n", fx->path);
	expect_logged(fx, fx->path, 0, want);
	write_file(fx->path, blank, strlen(blank));
	snprintf(want, sizeof(want),
		 "level=warning msg=\"rules %s holds no rules: the 2 service(s) it declared before "
		 "removed\"\n",
		 fx->path);
	expect_logged(fx, fx->path, 0, want);
	char *saved = test_save_text(&fx->env);
	test_text_equal(saved, "");
	free(saved);
	/* Nothing to remove: nothing to warn about. */
	snprintf(want, sizeof(want), "level=info msg=\"rules %s applied\"\n", fx->path);
	expect_logged(fx, fx->path, 0, want);
}

/* What the file declared is its to change and remove; what was added at run time (by
 * uvsadm, keepalived) is left alone, but for a service the file removes. */
static void test_reload_changes_only_what_the_file_declared(void **state)
{
	struct fixture *fx = *state;
	static const char runtime_before[] = "-A -t 10.0.0.9:80 -s rr\n"
					     "-a -t 10.0.0.9:80 -r 192.168.0.91:80 -m\n";
	static const char first[] = "-A -t 10.0.0.1:80 -s rr\n"
				    "-a -t 10.0.0.1:80 -r 192.168.0.11:80 -m\n"
				    "-a -t 10.0.0.1:80 -r 192.168.0.12:80 -m\n"
				    "-A -t 10.0.0.2:80 -s rr\n"
				    "-a -t 10.0.0.2:80 -r 192.168.0.21:80 -m\n";
	static const char runtime_after[] = "-A -u 10.0.0.3:53 -s rr\n"
					    "-a -u 10.0.0.3:53 -r 192.168.0.31:53 -m\n"
					    "-a -t 10.0.0.1:80 -r 192.168.0.13:80 -m -w 7\n"
					    "-e -t 10.0.0.1:80 -r 192.168.0.11:80 -m -w 5\n"
					    "-E -t 10.0.0.2:80 -s wlc\n";
	/* 10.0.0.1:80: its scheduler edited, .12 no longer declared; 10.0.0.2:80 gone. */
	static const char second[] = "-A -t 10.0.0.1:80 -s wrr\n"
				     "-a -t 10.0.0.1:80 -r 192.168.0.11:80 -m\n"
				     "-A -t 10.0.0.4:80 -s rr\n";

	test_apply_ok(&fx->env, &fx->e.timeouts, runtime_before);
	write_file(fx->path, first, strlen(first));
	assert_int_equal(uvsd_rules_file_apply(&fx->e, fx->path, &fx->declared), 0);
	test_apply_ok(&fx->env, &fx->e.timeouts, runtime_after);
	write_file(fx->path, second, strlen(second));
	assert_int_equal(uvsd_rules_file_apply(&fx->e, fx->path, &fx->declared), 0);
	char *saved = test_save_text(&fx->env);
	/* .11 is the file's weight again; .13 and the services added at run time stay. */
	test_text_equal(saved, "-A -t 10.0.0.1:80 -s wrr\n"
			       "-a -t 10.0.0.1:80 -r 192.168.0.11:80 -m -w 1\n"
			       "-a -t 10.0.0.1:80 -r 192.168.0.13:80 -m -w 7\n"
			       "-A -t 10.0.0.4:80 -s rr\n"
			       "-A -t 10.0.0.9:80 -s rr\n"
			       "-a -t 10.0.0.9:80 -r 192.168.0.91:80 -m -w 1\n"
			       "-A -u 10.0.0.3:53 -s rr\n"
			       "-a -u 10.0.0.3:53 -r 192.168.0.31:53 -m -w 1\n");
	free(saved);
	test_text_equal(fx->declared, "-A -t 10.0.0.1:80 -s wrr\n"
				      "-a -t 10.0.0.1:80 -r 192.168.0.11:80 -m -w 1\n"
				      "-A -t 10.0.0.4:80 -s rr\n");
}

/* A file without rules removes only what it declared before: the run-time service
 * stays, with the warning. */
static void test_empty_file_keeps_runtime_services(void **state)
{
	struct fixture *fx = *state;
	static const char one[] = "-A -t 10.0.0.1:80 -s rr\n";
	char want[256];

	write_file(fx->path, one, strlen(one));
	assert_int_equal(uvsd_rules_file_apply(&fx->e, fx->path, &fx->declared), 0);
	test_apply_ok(&fx->env, &fx->e.timeouts, "-A -t 10.0.0.9:80 -s rr\n");
	write_file(fx->path, "", 0);
	snprintf(want, sizeof(want),
		 "level=warning msg=\"rules %s holds no rules: the 1 service(s) it declared before "
		 "removed\"\n",
		 fx->path);
	expect_logged(fx, fx->path, 0, want);
	char *saved = test_save_text(&fx->env);
	test_text_equal(saved, "-A -t 10.0.0.9:80 -s rr\n");
	free(saved);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_load_and_reload),
		T(test_unusable_files_change_nothing),
		T(test_not_text_files),
		T(test_empty_file_warns),
		T(test_reload_changes_only_what_the_file_declared),
		T(test_empty_file_keeps_runtime_services),
	};
#undef T
	return cmocka_run_group_tests_name("rules_file", tests, NULL, NULL);
}
