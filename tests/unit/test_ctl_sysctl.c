// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The IPVS sysctls over the control socket: the client's get, list and set against a
 * server thread (a round trip through the model), their refusals with uvsd's reason
 * and errno, malformed SYSCTL requests fed directly, and uvsadm --sysctl's listing,
 * output and messages.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/sysctl.h"
#include "ctl/client.h"
#include "ctl_fixture.h"
#include "uvsadm/cli.h"

static struct ctl_fixture fx;
static struct uvs_ctl_client *client;

static int setup_thread(void **state)
{
	ctl_fixture_start(&fx, (gid_t)-1);
	assert_int_equal(uvs_ctl_client_open(fx.path, 10, &client), 0);
	setenv("UVSD_SOCKET", fx.path, 1);
	*state = &fx;
	return 0;
}

static int teardown_thread(void **state)
{
	uvs_ctl_client_close(client);
	client = NULL;
	ctl_fixture_fini(*state);
	return 0;
}

static int setup_fed(void **state)
{
	ctl_fixture_init(&fx);
	*state = &fx;
	return 0;
}

static int teardown_fed(void **state)
{
	ctl_fixture_fini(*state);
	return 0;
}

/* The server thread's value of a sysctl (written there with relaxed stores). */
static int model_int(const int *field)
{
	return uvs_load_relaxed(field);
}

struct listing {
	char text[4096];
	size_t len;
};

static int collect(void *arg, const struct uvs_ctl_sysctl *s)
{
	struct listing *l = arg;

	l->len += (size_t)snprintf(l->text + l->len, sizeof(l->text) - l->len, "%s=%s\n", s->name,
				   s->value);
	assert_true(l->len < sizeof(l->text));
	return 0;
}

/* The listing is the table without the refused names, with each one's value. */
static void test_list_all(void **state)
{
	struct uvs_error err;
	struct listing got = { "", 0 }, want = { "", 0 };
	struct uvs_sysctl defaults;

	(void)state;
	uvs_sysctl_init(&defaults, 0);
	for (size_t i = 0; i < uvs_sysctl_ndefs; i++) {
		struct uvs_ctl_sysctl one;
		if (uvs_sysctl_defs[i].use == UVS_SYSCTL_REFUSED)
			continue;
		snprintf(one.name, sizeof(one.name), "%s", uvs_sysctl_defs[i].name);
		uvs_sysctl_format(&defaults, &uvs_sysctl_defs[i], one.value);
		collect(&want, &one);
	}
	assert_int_equal(uvs_ctl_sysctl_list(client, collect, &got, &err), 0);
	assert_string_equal(got.text, want.text);
	assert_non_null(strstr(got.text, "\nsync_threshold=3\t50\n"));
	assert_null(strstr(got.text, "conntrack"));
}

static void test_get_set_round_trip(void **state)
{
	char value[UVS_CTL_SYSCTL_MAX];
	struct uvs_error err;

	(void)state;
	assert_int_equal(uvs_ctl_sysctl_get(client, "conn_reuse_mode", value, &err), 0);
	assert_string_equal(value, "1");
	assert_int_equal(uvs_ctl_sysctl_set(client, "net.ipv4.vs.conn_reuse_mode", "2\n", &err), 0);
	assert_int_equal(model_int(&fx.env.m.sysctl.conn_reuse_mode), 2);
	assert_int_equal(uvs_ctl_sysctl_get(client, "net.ipv4.vs.conn_reuse_mode", value, &err), 0);
	assert_string_equal(value, "2");
	assert_int_equal(uvs_ctl_sysctl_set(client, "sync_threshold", "10 100", &err), 0);
	assert_int_equal(uvs_ctl_sysctl_get(client, "sync_threshold", value, &err), 0);
	assert_string_equal(value, "10\t100");
	assert_int_equal(uvs_ctl_sysctl_set(client, "net/ipv4/vs/sync_threshold", "20", &err), 0);
	assert_int_equal(uvs_ctl_sysctl_get(client, "sync_threshold", value, &err), 0);
	assert_string_equal(value, "20\t100");
	assert_int_equal(uvs_ctl_sysctl_set(client, "sync_qlen_max", "18446744073709551615", &err),
			 0);
	assert_int_equal(uvs_ctl_sysctl_get(client, "sync_qlen_max", value, &err), 0);
	assert_string_equal(value, "18446744073709551615");
}

/* Refusals come back with the errno a write to /proc would get and uvsd's reason. */
static void test_refusals(void **state)
{
	static const struct {
		const char *name, *value;
		int ret;
		const char *msg;
	} cases[] = {
		{ "conntrack", "1", -ENOENT,
		  "net.ipv4.vs.conntrack: uvs has no netfilter conntrack to keep entries in" },
		{ "snat_reroute", "1", -ENOENT, "net.ipv4.vs.snat_reroute: uvs routes" },
		{ "nosuch", "1", -ENOENT, "net.ipv4.vs.nosuch: no such IPVS sysctl" },
		{ "sync_retries", "4", -EINVAL,
		  "net.ipv4.vs.sync_retries: 4 is out of its range 0..3" },
		{ "drop_packet", "4", -EINVAL,
		  "net.ipv4.vs.drop_packet: 4 is out of its range 0..3" },
		{ "cache_bypass", "1", -EINVAL, "0 only: uvs cannot forward" },
		{ "expire_nodest_conn", "on", -EINVAL, "'on' is not an integer" },
		{ "sync_ports", "6", -EINVAL, "6 is not a power of 2" },
	};
	char value[UVS_CTL_SYSCTL_MAX], name[100];
	struct uvs_error err;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err.msg[0] = 0;
		assert_int_equal(uvs_ctl_sysctl_set(client, cases[i].name, cases[i].value, &err),
				 cases[i].ret);
		if (!strstr(err.msg, cases[i].msg))
			fail_msg("%s=%s: '%s' lacks '%s'", cases[i].name, cases[i].value, err.msg,
				 cases[i].msg);
	}
	assert_int_equal(uvs_ctl_sysctl_get(client, "est_nice", value, &err), -ENOENT);
	assert_non_null(strstr(err.msg, "no estimation kernel threads"));
	/* Nothing changed on the way. */
	assert_int_equal(model_int(&fx.env.m.sysctl.sync_retries), 0);
	assert_int_equal(model_int(&fx.env.m.sysctl.sync_ports), 1);
	/* Too long for the attribute: refused before it is sent. */
	memset(name, 'a', sizeof(name) - 1);
	name[sizeof(name) - 1] = 0;
	assert_int_equal(uvs_ctl_sysctl_get(client, name, value, &err), -ENOENT);
	assert_int_equal(uvs_ctl_sysctl_set(client, "amemthresh", name, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "more than 63 characters"));
	/* The connection is still good. */
	assert_int_equal(uvs_ctl_sysctl_get(client, "amemthresh", value, &err), 0);
	assert_string_equal(value, "1024");
}

/* Feeds a request of cmd with a SYSCTL nest of name and value (none without a name,
 * no VALUE without a value) and expects -errnum with part in the message. */
static void fed_refused(uint8_t cmd, uint16_t flags, const char *name, const char *value,
			int errnum, const char *part)
{
	union {
		char buf[UVS_CTL_REQ_MAX];
		uint64_t align_;
	} req;
	struct uvs_ctl_msg w;
	struct ctl_replies r;
	char msg[200];
	int got;

	uvs_ctl_msg_start(&w, req.buf, sizeof(req.buf), NLM_F_REQUEST | flags, 5, cmd);
	if (name)
		uvs_ctl_put_sysctl(&w, name, value);
	ctl_feed(&fx, req.buf, w.nlh->nlmsg_len, &r);
	got = ctl_replies_result(&r, 5, msg, sizeof(msg));
	if (got != -errnum || !strstr(msg, part))
		fail_msg("expected %d \"%s\", got %d \"%s\"", -errnum, part, got, msg);
	assert_int_equal(ctl_replies_count(&r), 0);
	ctl_replies_free(&r);
}

static void test_malformed_requests(void **state)
{
	char longname[UVS_CTL_SYSCTL_MAX + 1];

	(void)state;
	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = 0;
	fed_refused(UVS_CMD_SET_SYSCTL, NLM_F_ACK, NULL, NULL, EINVAL, "needs a SYSCTL");
	fed_refused(UVS_CMD_SET_SYSCTL, NLM_F_ACK, "sloppy_tcp", NULL, EINVAL, "VALUE missing");
	fed_refused(UVS_CMD_SET_SYSCTL, NLM_F_DUMP, NULL, NULL, EOPNOTSUPP, "cannot be dumped");
	fed_refused(UVS_CMD_GET_SYSCTL, NLM_F_ACK, NULL, NULL, EINVAL, "needs a SYSCTL");
	fed_refused(UVS_CMD_GET_SYSCTL, NLM_F_ACK, "sloppy_tcp", "1", EINVAL, "none goes");
	fed_refused(UVS_CMD_GET_SYSCTL, NLM_F_DUMP, "sloppy_tcp", NULL, EINVAL, "no SYSCTL");
	fed_refused(UVS_CMD_SET_SYSCTL, NLM_F_ACK, longname, "1", EINVAL, "SYSCTL");
	fed_refused(UVS_CMD_SET_SYSCTL, NLM_F_ACK, "sloppy_tcp", longname, EINVAL, "SYSCTL");
	fed_refused(UVS_CMD_SET_SYSCTL, NLM_F_ACK, "debug_level", "0", ENOENT, "debug levels");
	assert_int_equal(fx.env.m.sysctl.sloppy_tcp, 0);
}

/* uvsadm, run in-process with the words after arg (NULL-terminated); returns its
 * status, output and errors (the caller frees them). */
static int run_v(char **out, char **err, const char *arg, va_list ap)
{
	char *argv[12] = { "uvsadm" };
	int argc = 1, status;
	size_t olen, elen;
	FILE *o = open_memstream(out, &olen), *e = open_memstream(err, &elen);

	for (const char *a = arg; a && argc < 12; a = va_arg(ap, const char *))
		argv[argc++] = (char *)a;
	status = uvs_adm_cli_main(argc, argv, stdin, o, e);
	fclose(o);
	fclose(e);
	return status;
}

static int uvsadm(char **out, char **err, const char *arg, ...)
{
	va_list ap;
	int status;

	va_start(ap, arg);
	status = run_v(out, err, arg, ap);
	va_end(ap);
	return status;
}

static void expect_uvsadm(int status, const char *out, const char *err, const char *arg, ...)
{
	char *o, *e;
	va_list ap;
	int got;

	va_start(ap, arg);
	got = run_v(&o, &e, arg, ap);
	va_end(ap);
	if (got != status)
		fail_msg("%s: status %d, wanted %d; stderr: %s", arg, got, status, e);
	test_text_equal(o, out);
	test_text_equal(e, err);
	free(o);
	free(e);
}

/* `uvsadm --sysctl` lists as `sysctl -a` would: every name uvsd has, in order. */
static void test_uvsadm_listing(void **state)
{
	char *out, *err;
	struct listing want = { "", 0 };

	(void)state;
	for (size_t i = 0; i < uvs_sysctl_ndefs; i++) {
		const struct uvs_sysctl_def *d = &uvs_sysctl_defs[i];
		char value[UVS_SYSCTL_VALUE_MAX];
		if (d->use == UVS_SYSCTL_REFUSED)
			continue;
		uvs_sysctl_format(&fx.env.m.sysctl, d, value);
		want.len += (size_t)snprintf(want.text + want.len, sizeof(want.text) - want.len,
					     "net.ipv4.vs.%s = %s\n", d->name, value);
	}
	assert_int_equal(uvsadm(&out, &err, "--sysctl", NULL), 0);
	test_text_equal(out, want.text);
	test_text_equal(err, "");
	assert_non_null(strstr(out, "net.ipv4.vs.am_droprate = 10\n"));
	assert_non_null(strstr(out, "net.ipv4.vs.sync_threshold = 3\t50\n"));
	assert_non_null(strstr(out, "net.ipv4.vs.sync_version = 1\n"));
	free(out);
	free(err);
}

/* NAME prints one, NAME=VALUE sets and prints it as sysctl -w; a failing word is
 * reported, the others still run, and the status is 255. */
static void test_uvsadm_get_and_set(void **state)
{
	(void)state;
	expect_uvsadm(0, "net.ipv4.vs.expire_nodest_conn = 0\n", "", "--sysctl",
		      "expire_nodest_conn", NULL);
	expect_uvsadm(0, "net.ipv4.vs.expire_nodest_conn = 1\n", "", "--sysctl",
		      "net.ipv4.vs.expire_nodest_conn=1", NULL);
	assert_int_equal(model_int(&fx.env.m.sysctl.expire_nodest_conn), 1);
	expect_uvsadm(0,
		      "net.ipv4.vs.sync_threshold = 5 60\n"
		      "net.ipv4.vs.sync_threshold = 5\t60\n",
		      "", "--sysctl", "sync_threshold = 5 60", "sync_threshold", NULL);
	expect_uvsadm(255, "net.ipv4.vs.sloppy_tcp = 1\n",
		      "net.ipv4.vs.conntrack: uvs has no netfilter conntrack to keep entries in\n"
		      "net.ipv4.vs.secure_tcp: 5 is out of its range 0..3\n",
		      "--sysctl", "conntrack=1", "secure_tcp=5", "sloppy_tcp=1", NULL);
	assert_int_equal(model_int(&fx.env.m.sysctl.sloppy_tcp), 1);
	assert_int_equal(model_int(&fx.env.m.sysctl.secure_tcp), 0);
	/* ipvsadm's rules for a command: no options, at most four words. */
	expect_uvsadm(2, "", "Illegal 'numeric' option with the 'sysctl' command\n", "--sysctl",
		      "-n", NULL);
	expect_uvsadm(2, "", "unexpected argument e\n", "--sysctl", "a", "b", "c", "d", "e", NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_list_all, setup_thread, teardown_thread),
		cmocka_unit_test_setup_teardown(test_get_set_round_trip, setup_thread,
						teardown_thread),
		cmocka_unit_test_setup_teardown(test_refusals, setup_thread, teardown_thread),
		cmocka_unit_test_setup_teardown(test_malformed_requests, setup_fed, teardown_fed),
		cmocka_unit_test_setup_teardown(test_uvsadm_listing, setup_thread, teardown_thread),
		cmocka_unit_test_setup_teardown(test_uvsadm_get_and_set, setup_thread,
						teardown_thread),
	};

	return cmocka_run_group_tests_name("ctl_sysctl", tests, NULL, NULL);
}
