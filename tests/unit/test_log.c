// SPDX-License-Identifier: GPL-2.0-or-later
/* uvsd's log lines (daemon/log.h): the key=value format and its quoting, the text
 * format, and the per-reason limit of floods. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "daemon/log.h"

static void test_kv_line(void **state)
{
	struct uvs_log_field f[] = {
		{ "uid", "0" },
		{ "change", "-a -t 10.0.0.1:80 -r 192.168.0.11:80 -m -w 1" },
		{ "error", "a \"quoted\" \\ word" },
		{ "empty", "" },
		{ "eq", "a=b" },
	};
	char buf[512];

	(void)state;
	assert_string_equal(uvs_log_line(UVS_LOG_KV, LOG_NOTICE, f, 5, "audit", buf, sizeof(buf)),
			    "level=notice msg=audit uid=0 change=\"-a -t 10.0.0.1:80 -r "
			    "192.168.0.11:80 -m -w 1\" error=\"a \\\"quoted\\\" \\\\ word\" "
			    "empty=\"\" eq=\"a=b\"");
	assert_string_equal(uvs_log_line(UVS_LOG_KV, LOG_WARNING, NULL, 0,
					 "eth0: link gone (ifindex 3)", buf, sizeof(buf)),
			    "level=warning msg=\"eth0: link gone (ifindex 3)\"");
	/* A line break cannot start a forged line. */
	assert_string_equal(
		uvs_log_line(UVS_LOG_KV, LOG_ERR, NULL, 0, "a\nlevel=info msg=x", buf, sizeof(buf)),
		"level=error msg=\"a\\nlevel=info msg=x\"");
	/* Cut to the buffer, still a string. */
	assert_string_equal(uvs_log_line(UVS_LOG_KV, LOG_INFO, NULL, 0, "long message", buf, 16),
			    "level=info msg=");
	assert_int_equal(
		strlen(uvs_log_line(UVS_LOG_KV, LOG_INFO, NULL, 0, "long message", buf, 20)), 19);
}

static void test_text_line(void **state)
{
	struct uvs_log_field f[] = { { "reason", "link_gone" }, { "suppressed", "3" } };
	char buf[256];

	(void)state;
	assert_string_equal(uvs_log_line(UVS_LOG_TEXT, LOG_INFO, NULL, 0, "control socket ready",
					 buf, sizeof(buf)),
			    "uvsd: info: control socket ready");
	assert_string_equal(
		uvs_log_line(UVS_LOG_TEXT, LOG_WARNING, f, 2, "eth0: link gone", buf, sizeof(buf)),
		"uvsd: warning: eth0: link gone (reason=link_gone suppressed=3)");
}

/* Runs fn with stderr going to a file; returns what was written (the caller frees). */
static char *captured(void (*fn)(void))
{
	char path[] = "/tmp/uvs-log-XXXXXX";
	int fd = mkstemp(path), saved = dup(STDERR_FILENO);
	char *text = calloc(1, 8192);

	assert_true(fd >= 0 && saved >= 0 && text);
	fflush(stderr);
	dup2(fd, STDERR_FILENO);
	fn();
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	assert_true(pread(fd, text, 8191, 0) >= 0);
	close(fd);
	unlink(path);
	return text;
}

static unsigned count_of(const char *text, const char *what)
{
	unsigned n = 0;

	for (const char *p = text; (p = strstr(p, what)); p += strlen(what))
		n++;
	return n;
}

static struct uvs_log_limit limit = { .reason = "flap" };

/* A flood of one reason: UVS_LOG_BURST lines in an interval, the rest counted and
 * reported with the reason's next line in a later interval. */
static void flood(void)
{
	for (unsigned i = 0; i < UVS_LOG_BURST + 25; i++)
		uvs_log_limited_at(&limit, 1000 + i, LOG_WARNING, "eth0: link gone (%u)", i);
	/* The next interval: the count first, then the line. */
	assert_true(uvs_log_limited_at(&limit, 1000 + UVS_LOG_INTERVAL_MS + 50, LOG_WARNING,
				       "eth0: link gone (late)"));
	/* Another reason has a limit of its own. */
	UVS_LOG_LIMIT(other, "other");
	assert_true(uvs_log_limited_at(&other, 1100, LOG_WARNING, "something else"));
}

static void test_limit(void **state)
{
	char *text;

	(void)state;
	uvs_log_set_format(UVS_LOG_KV);
	text = captured(flood);
	assert_int_equal(count_of(text, "msg=\"eth0: link gone ("), UVS_LOG_BURST + 1);
	assert_int_equal(count_of(text, "reason=flap"), UVS_LOG_BURST + 2);
	assert_non_null(strstr(text, "level=warning msg=\"25 more lines of this reason were not "
				     "logged (rate limit)\" reason=flap suppressed=25\n"
				     "level=warning msg=\"eth0: link gone (late)\" reason=flap\n"));
	assert_non_null(strstr(text, "level=warning msg=\"something else\" reason=other\n"));
	assert_null(strstr(text, "(10)"));
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kv_line),
		cmocka_unit_test(test_text_line),
		cmocka_unit_test(test_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
