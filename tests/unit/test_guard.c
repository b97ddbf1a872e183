// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * uvsd's watch over floods (daemon/guard.h): a line for new connections refused at
 * the table's limit, at most one per UVSD_GUARD_LOG_MS with the refusals since the
 * last; a line when an automatic defence mode turns on and off.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/guard.h"
#include "daemon/log.h"
#include "engine_fixture.h"

#define MS 1000000ull

static int capture_fd = -1, saved_stderr = -1;

/* stderr goes to a file until captured_text() */
static void capture_start(void)
{
	char path[] = "/tmp/uvs-guard-XXXXXX";

	capture_fd = mkstemp(path);
	saved_stderr = dup(STDERR_FILENO);
	assert_true(capture_fd >= 0 && saved_stderr >= 0);
	unlink(path);
	fflush(stderr);
	dup2(capture_fd, STDERR_FILENO);
}

/* What was written since capture_start(); the caller frees it. */
static char *captured_text(void)
{
	char *text = calloc(1, 8192);

	fflush(stderr);
	dup2(saved_stderr, STDERR_FILENO);
	close(saved_stderr);
	assert_true(pread(capture_fd, text, 8191, 0) >= 0);
	close(capture_fd);
	return text;
}

static unsigned count_of(const char *text, const char *what)
{
	unsigned n = 0;

	for (const char *p = text; (p = strstr(p, what)); p += strlen(what))
		n++;
	return n;
}

static int syn(struct eng_fixture *fx, uint16_t port)
{
	struct frame_spec s = frame_tcp("172.16.0.5", port, "10.0.0.1", 80, TH_SYN);
	return eng_send(fx, &s);
}

/* A table of 2 entries, full: refusals make one line per 10 s, with their count. */
static void test_conn_limit_line(void **state)
{
	struct eng_fixture *fx = *state;
	struct uvs_service *svc = test_add_svc(&fx->env, "10.0.0.1:80", "rr");
	struct uvsd_guard g;
	uint64_t t = 5000 * 1000 * MS;
	char *text;

	eng_add_dest(fx, svc, "192.168.0.11:80", 1, UVS_FWD_MASQ);
	uvs_log_set_format(UVS_LOG_KV);
	uvsd_guard_init(&g, &fx->e);
	assert_int_equal(syn(fx, 40000), UVS_VERDICT_TX);
	assert_int_equal(syn(fx, 40001), UVS_VERDICT_TX);
	capture_start();
	uvsd_guard_tick(&g, &fx->e, t); /* nothing refused yet */
	for (uint16_t p = 40002; p < 40005; p++)
		syn(fx, p);
	uvsd_guard_tick(&g, &fx->e, t + 1000 * MS);
	for (uint16_t p = 40005; p < 40010; p++)
		syn(fx, p);
	uvsd_guard_tick(&g, &fx->e, t + 2000 * MS); /* within 10 s of the line */
	for (uint16_t p = 40010; p < 40012; p++)
		syn(fx, p);
	uvsd_guard_tick(&g, &fx->e, t + 11000 * MS); /* the 7 since the last line */
	uvsd_guard_tick(&g, &fx->e, t + 22000 * MS); /* no more refusals: no line */
	text = captured_text();
	assert_int_equal(count_of(text, "reason=conn_limit"), 2);
	assert_int_equal(count_of(text, "refused=3"), 1);
	assert_int_equal(count_of(text, "refused=7"), 1);
	assert_non_null(strstr(text, "--max-conns 2, 2 entries now"));
	free(text);
}

/* drop_entry 1 turns on below amemthresh (line), and off again (line). */
static void test_mode_lines(void **state)
{
	struct eng_fixture *fx = *state;
	struct uvsd_guard g;
	char *text;

	uvsd_guard_init(&g, &fx->e);
	fx->env.m.sysctl.drop_entry = 1;
	fx->env.m.sysctl.amemthresh = 1 << 20; /* more than any table of 1000 has */
	capture_start();
	uvsd_guard_tick(&g, &fx->e, 1000 * MS);
	uvsd_guard_tick(&g, &fx->e, 2000 * MS); /* stays on: no line */
	fx->env.m.sysctl.amemthresh = 1;
	uvsd_guard_tick(&g, &fx->e, 3000 * MS);
	text = captured_text();
	assert_int_equal(fx->env.m.sysctl.drop_entry, 1);
	assert_int_equal(count_of(text, "drop_entry on"), 1);
	assert_int_equal(count_of(text, "drop_entry off"), 1);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_conn_limit_line, eng_setup_small,
						eng_teardown),
		cmocka_unit_test_setup_teardown(test_mode_lines, eng_setup, eng_teardown),
	};
	return cmocka_run_group_tests_name("guard", tests, NULL, NULL);
}
