// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The IPVS sysctl table (core/sysctl.h): every kernel name is there with its default,
 * the ones without meaning in uvs are refused with a reason, values are read as the
 * kernel's proc handlers read them, at the edges of their ranges, all or nothing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "core/sysctl.h"

/* Every file of the kernel's /proc/sys/net/ipv4/vs/ (ip_vs_ctl.c's vs_vars, with
 * CONFIG_IP_VS_NFCT and CONFIG_IP_VS_DEBUG, and lblc's and lblcr's), in name order,
 * with its default as /proc shows it; NULL for the ones uvs refuses. */
static const struct {
	const char *name, *def;
} kernel[] = {
	{ "am_droprate", "10" },
	{ "amemthresh", "1024" },
	{ "backup_only", "0" },
	{ "cache_bypass", "0" },
	{ "conn_reuse_mode", "1" },
	{ "conntrack", NULL },
	{ "debug_level", NULL },
	{ "drop_entry", "0" },
	{ "drop_packet", "0" },
	{ "est_cpulist", NULL },
	{ "est_nice", NULL },
	{ "expire_nodest_conn", "0" },
	{ "expire_quiescent_template", "0" },
	{ "ignore_tunneled", NULL },
	{ "lblc_expiration", "86400" },
	{ "lblcr_expiration", "86400" },
	{ "nat_icmp_send", "0" },
	{ "pmtu_disc", "1" },
	{ "run_estimation", "1" },
	{ "schedule_icmp", "0" },
	{ "secure_tcp", "0" },
	{ "sloppy_sctp", "0" },
	{ "sloppy_tcp", "0" },
	{ "snat_reroute", NULL },
	{ "sync_persist_mode", "0" },
	{ "sync_ports", "1" },
	{ "sync_qlen_max", "8192" }, /* 1/32 of the pages given to uvs_sysctl_init */
	{ "sync_refresh_period", "0" },
	{ "sync_retries", "0" },
	{ "sync_sock_size", "0" },
	{ "sync_threshold", "3\t50" },
	{ "sync_version", "1" },
};
#define NKERNEL (sizeof(kernel) / sizeof(kernel[0]))

static struct uvs_sysctl s;

static int setup(void **state)
{
	(void)state;
	uvs_sysctl_init(&s, 8192 * 32);
	return 0;
}

/* Sets name to text, expecting ret; on failure checks that nothing changed and that
 * the message contains want (if not NULL). */
static void set_expect(const char *name, const char *text, int ret, const char *want)
{
	struct uvs_sysctl before;
	struct uvs_error err = { "" };

	memcpy(&before, &s, sizeof(s));
	assert_int_equal(uvs_sysctl_set(&s, name, text, &err), ret);
	if (ret) {
		assert_memory_equal(&before, &s, sizeof(s));
		if (want && !strstr(err.msg, want))
			fail_msg("%s = '%s': message '%s' lacks '%s'", name, text, err.msg, want);
	}
}

static void assert_value(const char *name, const char *want)
{
	char buf[UVS_SYSCTL_VALUE_MAX];

	assert_int_equal(uvs_sysctl_get(&s, name, buf, NULL), 0);
	assert_string_equal(buf, want);
}

static void test_every_kernel_name_in_order(void **state)
{
	(void)state;
	assert_int_equal(uvs_sysctl_ndefs, NKERNEL);
	for (size_t i = 0; i < NKERNEL; i++) {
		const struct uvs_sysctl_def *d = &uvs_sysctl_defs[i];
		assert_string_equal(d->name, kernel[i].name);
		assert_non_null(d->note);
		assert_true(d->note[0]);
		assert_int_equal(d->use == UVS_SYSCTL_REFUSED, kernel[i].def == NULL);
		assert_ptr_equal(uvs_sysctl_find(d->name), d);
	}
}

/* Each value has its own place in struct uvs_sysctl, and the places fill it (it has no
 * padding): no value lacks its entry. */
static void test_values_do_not_overlap(void **state)
{
	unsigned char used[sizeof(struct uvs_sysctl)] = { 0 };
	size_t total = 0;

	(void)state;
	for (size_t i = 0; i < uvs_sysctl_ndefs; i++) {
		const struct uvs_sysctl_def *d = &uvs_sysctl_defs[i];
		size_t size = d->type == UVS_SYSCTL_ULONG  ? sizeof(unsigned long)
			      : d->type == UVS_SYSCTL_PAIR ? 2 * sizeof(int)
							   : sizeof(int);
		if (d->use == UVS_SYSCTL_REFUSED)
			continue;
		assert_true(d->offset + size <= sizeof(used));
		for (size_t b = d->offset; b < d->offset + size; b++)
			assert_int_equal(used[b]++, 0);
		total += size;
	}
	assert_int_equal(total, sizeof(struct uvs_sysctl));
}

static void test_defaults(void **state)
{
	(void)state;
	for (size_t i = 0; i < NKERNEL; i++)
		if (kernel[i].def)
			assert_value(kernel[i].name, kernel[i].def);
	/* The default queue length follows the memory, as the kernel's. */
	uvs_sysctl_init(&s, 1u << 20);
	assert_value("sync_qlen_max", "32768");
	uvs_sysctl_init(&s, 0);
	assert_value("sync_qlen_max", "8192");
}

static void test_names_with_prefix(void **state)
{
	(void)state;
	set_expect("net.ipv4.vs.sloppy_tcp", "1", 0, NULL);
	set_expect("net/ipv4/vs/expire_nodest_conn", "1", 0, NULL);
	assert_int_equal(s.sloppy_tcp, 1);
	assert_int_equal(s.expire_nodest_conn, 1);
	assert_value("net.ipv4.vs.sloppy_tcp", "1");
	assert_null(uvs_sysctl_find("net.ipv4.vs."));
	assert_null(uvs_sysctl_find("net.ipv4.sloppy_tcp"));
	assert_null(uvs_sysctl_find("SLOPPY_TCP"));
}

/* Names uvs refuses: not set, not read, and the message says why. */
static void test_refused_names(void **state)
{
	static const struct {
		const char *name, *why;
	} refused[] = {
		{ "conntrack", "no netfilter conntrack" },
		{ "debug_level", "no IPVS debug levels" },
		{ "est_cpulist", "no estimation kernel threads" },
		{ "est_nice", "no estimation kernel threads" },
		{ "ignore_tunneled", "other protocols (ipip, gre)" },
		{ "snat_reroute", "no netfilter re-routes" },
	};
	char buf[UVS_SYSCTL_VALUE_MAX];
	struct uvs_error err;

	(void)state;
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		set_expect(refused[i].name, "0", -ENOENT, refused[i].why);
		set_expect(refused[i].name, "1", -ENOENT, "net.ipv4.vs.");
		assert_int_equal(uvs_sysctl_get(&s, refused[i].name, buf, &err), -ENOENT);
		assert_non_null(strstr(err.msg, refused[i].why));
	}
	set_expect("nosuch", "1", -ENOENT, "net.ipv4.vs.nosuch: no such IPVS sysctl");
	set_expect("net.ipv4.vs.sync_period", "1", -ENOENT, "no such IPVS sysctl");
	assert_int_equal(uvs_sysctl_get(&s, "nosuch", buf, &err), -ENOENT);
}

/* Text as proc_dointvec reads it. */
static void test_number_syntax(void **state)
{
	(void)state;
	set_expect("amemthresh", "  0x10\n", 0, NULL);
	assert_int_equal(s.amemthresh, 16);
	set_expect("amemthresh", "010", 0, NULL);
	assert_int_equal(s.amemthresh, 8);
	set_expect("amemthresh", "-7", 0, NULL);
	assert_value("amemthresh", "-7");
	set_expect("amemthresh", "+7", -EINVAL, "not an integer");
	set_expect("amemthresh", "7x", -EINVAL, "not an integer");
	set_expect("amemthresh", "08", -EINVAL, "not an integer");
	set_expect("amemthresh", "0x", -EINVAL, "not an integer");
	set_expect("amemthresh", "- 7", -EINVAL, "not an integer");
	set_expect("amemthresh", "", -EINVAL, "no value");
	set_expect("amemthresh", " \n", -EINVAL, "no value");
	set_expect("amemthresh", "1 2", -EINVAL, "more than one value");
	set_expect("amemthresh", "99999999999999999999999", -EINVAL, "not an integer");
}

/* Booleans are ints: any value, non-zero meaning on, shown as written. */
static void test_int_edges(void **state)
{
	(void)state;
	set_expect("expire_nodest_conn", "2147483647", 0, NULL);
	assert_value("expire_nodest_conn", "2147483647");
	set_expect("expire_nodest_conn", "-2147483648", 0, NULL);
	assert_value("expire_nodest_conn", "-2147483648");
	set_expect("expire_nodest_conn", "2147483648", -EINVAL, "not an int");
	set_expect("expire_nodest_conn", "-2147483649", -EINVAL, "not an int");
	set_expect("conn_reuse_mode", "0", 0, NULL);
	set_expect("conn_reuse_mode", "3", 0, NULL);
	assert_int_equal(s.conn_reuse_mode, 3);
}

/* proc_dointvec_minmax's ranges and the sync handlers' rules. */
static void test_ranges_and_rules(void **state)
{
	static const struct {
		const char *name;
		int lo, hi;
	} ranges[] = { { "sync_retries", 0, 3 }, { "sync_version", 0, 1 } };

	(void)state;
	for (size_t i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++) {
		char t[16];
		snprintf(t, sizeof(t), "%d", ranges[i].lo);
		set_expect(ranges[i].name, t, 0, NULL);
		assert_value(ranges[i].name, t);
		snprintf(t, sizeof(t), "%d", ranges[i].hi);
		set_expect(ranges[i].name, t, 0, NULL);
		assert_value(ranges[i].name, t);
		snprintf(t, sizeof(t), "%d", ranges[i].lo - 1);
		set_expect(ranges[i].name, t, -EINVAL, "out of its range");
		snprintf(t, sizeof(t), "%d", ranges[i].hi + 1);
		set_expect(ranges[i].name, t, -EINVAL, "out of its range");
	}
	set_expect("sync_ports", "1", 0, NULL);
	set_expect("sync_ports", "1024", 0, NULL);
	set_expect("sync_ports", "1073741824", 0, NULL);
	set_expect("sync_ports", "3", -EINVAL, "not a power of 2");
	set_expect("sync_ports", "0", -EINVAL, "out of its range 1..");
	set_expect("sync_ports", "-2", -EINVAL, "out of its range");
	assert_int_equal(s.sync_ports, 1073741824);
	/* jiffies handlers: seconds up to INT_MAX / HZ (250), either sign. */
	set_expect("lblc_expiration", "8589934", 0, NULL);
	set_expect("lblc_expiration", "-8589934", 0, NULL);
	set_expect("lblc_expiration", "8589935", -EINVAL, "out of its range");
	set_expect("sync_refresh_period", "-8589935", -EINVAL, "out of its range");
	assert_int_equal(s.lblc_expiration, -8589934);
	/* unsigned long: no sign. */
	set_expect("sync_qlen_max", "18446744073709551615", 0, NULL);
	assert_value("sync_qlen_max", "18446744073709551615");
	set_expect("sync_qlen_max", "18446744073709551616", -EINVAL, "not an unsigned");
	set_expect("sync_qlen_max", "-1", -EINVAL, "out of its range");
	set_expect("sync_qlen_max", "0", 0, NULL);
}

/* sync_threshold: one or two numbers (one keeps the period), the threshold below a
 * period that is not 0. */
static void test_sync_threshold(void **state)
{
	(void)state;
	set_expect("sync_threshold", "49 50", 0, NULL);
	assert_value("sync_threshold", "49\t50");
	set_expect("sync_threshold", "10", 0, NULL);
	assert_value("sync_threshold", "10\t50");
	set_expect("sync_threshold", "7\t0\n", 0, NULL);
	assert_value("sync_threshold", "7\t0");
	set_expect("sync_threshold", "0 0", 0, NULL);
	set_expect("sync_threshold", "60", 0, NULL); /* any threshold with a period of 0 */
	assert_value("sync_threshold", "60\t0");
	set_expect("sync_threshold", "50 50", -EINVAL, "below the period");
	set_expect("sync_threshold", "3 50", 0, NULL);
	set_expect("sync_threshold", "60", -EINVAL, "below the period");
	set_expect("sync_threshold", "-1 50", -EINVAL, "negative");
	set_expect("sync_threshold", "1 -50", -EINVAL, "negative");
	set_expect("sync_threshold", "1 2 3", -EINVAL, "more than two");
	set_expect("sync_threshold", "1 x", -EINVAL, "one or two integers");
	assert_int_equal(s.sync_threshold[0], 3);
	assert_int_equal(s.sync_threshold[1], 50);
}

/* Values that would ask for what uvs does not do are refused, saying so; the value
 * of uvs's behaviour is taken. */
static void test_fixed_values(void **state)
{
	(void)state;
	for (const char *const *n =
		     (const char *const[]){ "drop_entry", "drop_packet", "secure_tcp", NULL };
	     *n; n++) {
		/* The defences take the kernel's modes 0..3, and nothing else. */
		set_expect(*n, "1", 0, NULL);
		set_expect(*n, "3", 0, NULL);
		assert_value(*n, "3");
		set_expect(*n, "4", -EINVAL, "out of its range 0..3");
		set_expect(*n, "-1", -EINVAL, "out of its range 0..3");
		set_expect(*n, "0", 0, NULL);
	}
	set_expect("cache_bypass", "1", -EINVAL, "0 only");
	set_expect("nat_icmp_send", "1", -EINVAL, "0 only");
	set_expect("schedule_icmp", "-1", -EINVAL, "0 only");
	set_expect("pmtu_disc", "0", -EINVAL, "frag-needed");
	set_expect("pmtu_disc", "5", 0, NULL);
	assert_value("pmtu_disc", "5");
}

/* The control thread writes, any thread reads: a failed write changes nothing (checked
 * by set_expect), a good one changes only its own value. */
static void test_one_value_changes(void **state)
{
	struct uvs_sysctl before;

	(void)state;
	memcpy(&before, &s, sizeof(s));
	set_expect("sloppy_sctp", "1", 0, NULL);
	before.sloppy_sctp = 1;
	assert_memory_equal(&before, &s, sizeof(s));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_every_kernel_name_in_order, setup),
		cmocka_unit_test_setup(test_values_do_not_overlap, setup),
		cmocka_unit_test_setup(test_defaults, setup),
		cmocka_unit_test_setup(test_names_with_prefix, setup),
		cmocka_unit_test_setup(test_refused_names, setup),
		cmocka_unit_test_setup(test_number_syntax, setup),
		cmocka_unit_test_setup(test_int_edges, setup),
		cmocka_unit_test_setup(test_ranges_and_rules, setup),
		cmocka_unit_test_setup(test_sync_threshold, setup),
		cmocka_unit_test_setup(test_fixed_values, setup),
		cmocka_unit_test_setup(test_one_value_changes, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
