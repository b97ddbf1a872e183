// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The preload library's files opened for writing (src/preload/vfile_fd.c), with a
 * kind of file of the test's own whose commit records what it is given: a write(2) at
 * offset 0 applied at once and its error returned with errno; a write further on
 * ignored, as the kernel's strict mode does; O_APPEND; what is written past the hooks
 * applied at the last close, once, and not when it was written further on only; a
 * dup'ed copy keeping the file open; O_RDWR holding the value; stdio streams.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "preload/vfile_fd.h"

/* What the commits got: each one's key and text, and how many. */
static struct {
	char key[64];
	char text[128];
	int count;
	int fail; /* 0, or the errno the next commits return */
} got;

static int record(const char *key, const char *text, size_t len, struct uvs_error *err)
{
	snprintf(got.key, sizeof(got.key), "%s", key);
	snprintf(got.text, sizeof(got.text), "%.*s", (int)len, text);
	got.count++;
	if (got.fail)
		return uvs_errorf(err, got.fail, "%s: refused for the test", key);
	return 0;
}

/* The kind of file vfile_fd.c knows; the library's is procsys.c's. */
const struct uvs_vfd_ops uvs_procsys_wops = { "uvs-test:", record };

static int setup(void **state)
{
	(void)state;
	memset(&got, 0, sizeof(got));
	return 0;
}

/* A tracked memory file holding initial, opened with flags (the access mode and
 * O_APPEND), as the provider makes one. */
static int tracked(int flags, const char *initial)
{
	char path[40];
	int mem = memfd_create("uvs-test:sloppy_tcp", MFD_CLOEXEC), fd;

	assert_true(mem >= 0);
	assert_int_equal(write(mem, initial, strlen(initial)), (ssize_t)strlen(initial));
	snprintf(path, sizeof(path), "/proc/self/fd/%d", mem);
	fd = open(path, flags | O_CLOEXEC);
	assert_true(fd >= 0);
	close(mem);
	assert_int_equal(
		uvs_vfd_track(fd, &uvs_procsys_wops, "sloppy_tcp", flags, initial, strlen(initial)),
		0);
	assert_true(uvs_vfd_any());
	assert_true(uvs_vfd_tracked(fd));
	return fd;
}

/* What a program's own write(2) past the hooks does. */
static void unseen_write(int fd, const char *text)
{
	assert_int_equal(syscall(SYS_write, fd, text, strlen(text)), (long)strlen(text));
}

static ssize_t hooked_write(int fd, const char *text)
{
	ssize_t n;

	assert_true(uvs_vfd_write(fd, text, strlen(text), &n));
	return n;
}

static void closed(int fd, int want)
{
	assert_int_equal(uvs_vfd_closing(fd), want);
	assert_false(uvs_vfd_tracked(fd));
	close(fd);
}

static void test_write_at_zero(void **state)
{
	int fd = tracked(O_WRONLY, "");
	ssize_t n;

	(void)state;
	assert_int_equal(hooked_write(fd, "1\n"), 2);
	assert_int_equal(got.count, 1);
	assert_string_equal(got.key, "sloppy_tcp");
	assert_string_equal(got.text, "1\n");
	assert_int_equal(lseek(fd, 0, SEEK_CUR), 2);
	/* Further on: ignored, counted as written. */
	assert_int_equal(hooked_write(fd, "0\n"), 2);
	assert_int_equal(got.count, 1);
	assert_int_equal(lseek(fd, 0, SEEK_CUR), 4);
	/* Back at the start: applied again. */
	lseek(fd, 0, SEEK_SET);
	assert_int_equal(hooked_write(fd, "0\n"), 2);
	assert_int_equal(got.count, 2);
	assert_int_equal(hooked_write(fd, ""), 0);
	assert_int_equal(got.count, 2);
	/* Nothing was written past the hooks: the close applies nothing. */
	closed(fd, 0);
	assert_int_equal(got.count, 2);
	/* Any other fd is not the library's. */
	assert_false(uvs_vfd_write(1, "x", 1, &n));
}

static void test_write_refused(void **state)
{
	int fd = tracked(O_WRONLY, "");

	(void)state;
	got.fail = EINVAL;
	errno = 0;
	assert_int_equal(hooked_write(fd, "abc\n"), -1);
	assert_int_equal(errno, EINVAL);
	assert_string_equal(got.text, "abc\n");
	/* The position stays: a retry is at offset 0 again, as with the kernel. */
	assert_int_equal(lseek(fd, 0, SEEK_CUR), 0);
	assert_int_equal(hooked_write(fd, "abc\n"), -1);
	assert_int_equal(got.count, 2);
	got.fail = 0;
	assert_int_equal(hooked_write(fd, "1\n"), 2);
	closed(fd, 0);
}

static void test_append(void **state)
{
	int fd = tracked(O_WRONLY | O_APPEND, "");

	(void)state;
	assert_int_equal(hooked_write(fd, "1\n"), 2);
	assert_int_equal(hooked_write(fd, "2\n"), 2);
	assert_int_equal(got.count, 2);
	assert_string_equal(got.text, "2\n");
	closed(fd, 0);
}

static void test_unseen_at_close(void **state)
{
	int fd = tracked(O_WRONLY, ""), copy;

	(void)state;
	unseen_write(fd, "5\n");
	assert_int_equal(got.count, 0);
	/* A copy keeps the file open: its close is the last. */
	copy = dup(fd);
	uvs_vfd_dup(fd, copy);
	assert_true(uvs_vfd_tracked(copy));
	assert_int_equal(uvs_vfd_closing(fd), 0);
	close(fd);
	assert_int_equal(got.count, 0);
	closed(copy, 0);
	assert_int_equal(got.count, 1);
	assert_string_equal(got.text, "5\n");
}

static void test_unseen_refused(void **state)
{
	int fd = tracked(O_WRONLY, "");

	(void)state;
	got.fail = EINVAL;
	unseen_write(fd, "x\n");
	closed(fd, -EINVAL);
	assert_int_equal(got.count, 1);
}

static void test_unseen_past_zero(void **state)
{
	int fd = tracked(O_WRONLY, "");

	(void)state;
	assert_int_equal(hooked_write(fd, "1\n"), 2);
	/* At offset 2, after a write through the hooks: a hole at 0, ignored. */
	unseen_write(fd, "7\n");
	closed(fd, 0);
	assert_int_equal(got.count, 1);
	assert_string_equal(got.text, "1\n");
}

static void test_read_write(void **state)
{
	char buf[8] = "";
	int fd = tracked(O_RDWR, "1\n");

	(void)state;
	assert_int_equal(read(fd, buf, sizeof(buf)), 2);
	assert_string_equal(buf, "1\n");
	closed(fd, 0);
	assert_int_equal(got.count, 0); /* read, not changed: nothing applied */
	fd = tracked(O_RDWR, "1\n");
	unseen_write(fd, "3\n");
	closed(fd, 0);
	assert_int_equal(got.count, 1);
	assert_string_equal(got.text, "3\n");
}

static void test_stream(void **state)
{
	int fd = tracked(O_WRONLY, "");
	FILE *f = uvs_vfd_fopen(fd, "w");

	(void)state;
	assert_non_null(f);
	assert_true(fprintf(f, "%d\n", 2) > 0);
	assert_int_equal(got.count, 0); /* in stdio's buffer */
	assert_int_equal(fclose(f), 0);
	assert_int_equal(got.count, 1);
	assert_string_equal(got.text, "2\n");
	assert_false(uvs_vfd_tracked(fd));

	fd = tracked(O_WRONLY, "");
	f = uvs_vfd_fopen(fd, "w");
	got.fail = EINVAL;
	fprintf(f, "bad\n");
	errno = 0;
	assert_int_equal(fclose(f), EOF);
	assert_int_equal(errno, EINVAL);
	assert_false(uvs_vfd_tracked(fd));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_write_at_zero, setup),
		cmocka_unit_test_setup(test_write_refused, setup),
		cmocka_unit_test_setup(test_append, setup),
		cmocka_unit_test_setup(test_unseen_at_close, setup),
		cmocka_unit_test_setup(test_unseen_refused, setup),
		cmocka_unit_test_setup(test_unseen_past_zero, setup),
		cmocka_unit_test_setup(test_read_write, setup),
		cmocka_unit_test_setup(test_stream, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
