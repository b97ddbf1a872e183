// SPDX-License-Identifier: GPL-2.0-or-later
/* `ipvsadm -L -n` and its variants compared byte for byte, trailing spaces included;
 * numbers summed over workers' slots; ipvsadm's K/M/G/T thresholds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "adm_helpers.h"

static struct test_env env_storage;

static int setup(void **state)
{
	/* Two workers: every counter shown is the sum of two slots. */
	test_env_init_workers(&env_storage, 2);
	*state = &env_storage;
	return 0;
}

static int teardown(void **state)
{
	test_env_fini(*state);
	return 0;
}

static struct uvs_service *svc_of(struct test_env *env, const char *addr_port)
{
	struct uvs_svc_key k = test_key(addr_port);
	struct uvs_service *svc = uvs_svc_find(&env->m, &k);

	assert_non_null(svc);
	return svc;
}

static struct uvs_dest *dest_of(struct test_env *env, const char *svc_ap, const char *dest_ap)
{
	struct uvs_dest_conf c = test_dest_conf(dest_ap, 1);
	struct uvs_dest *d = uvs_dest_find(svc_of(env, svc_ap), c.af, &c.addr, c.port);

	assert_non_null(d);
	return d;
}

/* Services of every kind, added out of order; 192.168.0.11 has connections. */
static void build(struct test_env *env)
{
	struct uvs_dest_conf local = test_dest_conf("127.0.0.1:80", 2);
	struct uvs_dest *d;

	test_apply_ok(env, NULL,
		      "-A -f 8 -6 -s mh -b mh-port -p 60 -M 64\n"
		      "-a -f 8 -6 -r [2001:db8::31]:0 -g -w 3\n"
		      "-A -f 7 -s rr\n"
		      "-A -t [2001:db8::1]:443 -s rr -p 10\n"
		      "-a -t [2001:db8::1]:443 -r [2001:db8::10]:8443 -m -w 10\n"
		      "-A -u 10.0.0.1:53 -s sh -b sh-fallback,sh-port -o\n"
		      "-a -u 10.0.0.1:53 -r 192.168.0.21:53 -i -w 65535\n"
		      "-A -t 10.0.0.1:80 -s wlc -p 300 -M 255.255.255.0\n"
		      "-a -t 10.0.0.1:80 -r 192.168.0.12:80 -m -w 100\n"
		      "-a -t 10.0.0.1:80 -r 192.168.0.11:80 -g -w 1 -x 100 -y 50\n");
	/* The kernel makes a local real server Local; no ipvsadm option does. */
	local.fwd = UVS_FWD_LOCAL;
	assert_int_equal(uvs_dest_add(&env->m, &svc_of(env, "10.0.0.1:80")->key, &local, NULL), 0);
	d = dest_of(env, "10.0.0.1:80", "192.168.0.11:80");
	d->stats.slots[0].n.by_kind[UVS_CONN_ACTIVE] = 12;
	d->stats.slots[0].n.by_kind[UVS_CONN_INACTIVE] = 34;
	d->stats.slots[0].n.by_kind[UVS_CONN_PERSIST] = 5;
}

static char *list(struct test_env *env, enum uvs_adm_list_fmt fmt, bool exact)
{
	struct uvs_adm_list_opts o = { .fmt = fmt, .exact = exact, .conn_tab_size = 4096 };

	return test_list_text(env, &o);
}

static void expect_list(struct test_env *env, enum uvs_adm_list_fmt fmt, bool exact,
			const char *want)
{
	char *got = list(env, fmt, exact);

	test_text_equal(got, want);
	free(got);
}

static const char want_plain[] =
	"IP Virtual Server version 1.2.1 (size=4096)\n"
	"Prot LocalAddress:Port Scheduler Flags\n"
	"  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n"
	"TCP  10.0.0.1:80 wlc persistent 300 mask 255.255.255.0\n"
	"  -> 127.0.0.1:80                 Local   2      0          0         \n"
	"  -> 192.168.0.11:80              Route   1      12         34        \n"
	"  -> 192.168.0.12:80              Masq    100    0          0         \n"
	"UDP  10.0.0.1:53 sh (sh-fallback,sh-port) ops\n"
	"  -> 192.168.0.21:53              Tunnel  65535  0          0         \n"
	"TCP  [2001:db8::1]:443 rr persistent 10\n"
	"  -> [2001:db8::10]:8443          Masq    10     0          0         \n"
	"FWM  7 rr\n"
	"FWM  8 IPv6 mh (mh-port) persistent 60 mask 64\n"
	"  -> [2001:db8::31]:0             Route   3      0          0         \n";

static const char want_thresholds[] =
	"IP Virtual Server version 1.2.1 (size=4096)\n"
	"Prot LocalAddress:Port            Uthreshold Lthreshold ActiveConn InActConn \n"
	"  -> RemoteAddress:Port\n"
	"TCP  10.0.0.1:80 wlc persistent 300 mask 255.255.255.0\n"
	"  -> 127.0.0.1:80                 0          0          0          0         \n"
	"  -> 192.168.0.11:80              100        50         12         34        \n"
	"  -> 192.168.0.12:80              0          0          0          0         \n"
	"UDP  10.0.0.1:53 sh (sh-fallback,sh-port) ops\n"
	"  -> 192.168.0.21:53              0          0          0          0         \n"
	"TCP  [2001:db8::1]:443 rr persistent 10\n"
	"  -> [2001:db8::10]:8443          0          0          0          0         \n"
	"FWM  7 rr\n"
	"FWM  8 IPv6 mh (mh-port) persistent 60 mask 64\n"
	"  -> [2001:db8::31]:0             0          0          0          0         \n";

static const char want_persistent[] =
	"IP Virtual Server version 1.2.1 (size=4096)\n"
	"Prot LocalAddress:Port            Weight    PersistConn ActiveConn InActConn \n"
	"  -> RemoteAddress:Port\n"
	"TCP  10.0.0.1:80 wlc persistent 300 mask 255.255.255.0\n"
	"  -> 127.0.0.1:80                 2         0           0          0         \n"
	"  -> 192.168.0.11:80              1         5           12         34        \n"
	"  -> 192.168.0.12:80              100       0           0          0         \n"
	"UDP  10.0.0.1:53 sh (sh-fallback,sh-port) ops\n"
	"  -> 192.168.0.21:53              65535     0           0          0         \n"
	"TCP  [2001:db8::1]:443 rr persistent 10\n"
	"  -> [2001:db8::10]:8443          10        0           0          0         \n"
	"FWM  7 rr\n"
	"FWM  8 IPv6 mh (mh-port) persistent 60 mask 64\n"
	"  -> [2001:db8::31]:0             3         0           0          0         \n";

static const char want_stats[] =
	"IP Virtual Server version 1.2.1 (size=4096)\n"
	"Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes\n"
	"  -> RemoteAddress:Port\n"
	"TCP  10.0.0.1:80                       123     4567        0  987654K   12345M\n"
	"  -> 127.0.0.1:80                        0        0        0        0        0\n"
	"  -> 192.168.0.11:80                   123     4567        0  987654K   12345M\n"
	"  -> 192.168.0.12:80                     0        0        0        0        0\n"
	"UDP  10.0.0.1:53                         0        0        0        0        0\n"
	"  -> 192.168.0.21:53                     0        0        0        0        0\n"
	"TCP  [2001:db8::1]:443                   0        0        0        0        0\n"
	"  -> [2001:db8::10]:8443                 0        0        0        0        0\n"
	"FWM  7                                   0        0        0        0        0\n"
	"FWM  8 IPv6                              0        0        0        0        0\n"
	"  -> [2001:db8::31]:0                    0        0        0        0        0\n";

static const char want_stats_exact[] =
	"IP Virtual Server version 1.2.1 (size=4096)\n"
	"Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes\n"
	"  -> RemoteAddress:Port\n"
	"TCP  10.0.0.1:80                       123     4567        0 987654321 12345678901\n"
	"  -> 127.0.0.1:80                        0        0        0        0        0\n"
	"  -> 192.168.0.11:80                   123     4567        0 987654321 12345678901\n"
	"  -> 192.168.0.12:80                     0        0        0        0        0\n"
	"UDP  10.0.0.1:53                         0        0        0        0        0\n"
	"  -> 192.168.0.21:53                     0        0        0        0        0\n"
	"TCP  [2001:db8::1]:443                   0        0        0        0        0\n"
	"  -> [2001:db8::10]:8443                 0        0        0        0        0\n"
	"FWM  7                                   0        0        0        0        0\n"
	"FWM  8 IPv6                              0        0        0        0        0\n"
	"  -> [2001:db8::31]:0                    0        0        0        0        0\n";

static const char want_rate[] =
	"IP Virtual Server version 1.2.1 (size=4096)\n"
	"Prot LocalAddress:Port                 CPS    InPPS   OutPPS    InBPS   OutBPS\n"
	"  -> RemoteAddress:Port\n"
	"TCP  10.0.0.1:80                        12        0        0        0        0\n"
	"  -> 127.0.0.1:80                        0        0        0        0        0\n"
	"  -> 192.168.0.11:80                     1 99999999  100000K  150000K    4294M\n"
	"  -> 192.168.0.12:80                     0        0        0        0        0\n"
	"UDP  10.0.0.1:53                         0        0        0        0        0\n"
	"  -> 192.168.0.21:53                     0        0        0        0        0\n"
	"TCP  [2001:db8::1]:443                   0        0        0        0        0\n"
	"  -> [2001:db8::10]:8443                 0        0        0        0        0\n"
	"FWM  7                                   0        0        0        0        0\n"
	"FWM  8 IPv6                              0        0        0        0        0\n"
	"  -> [2001:db8::31]:0                    0        0        0        0        0\n";

static void test_plain(void **state)
{
	struct test_env *env = *state;

	build(env);
	expect_list(env, UVS_ADM_LIST_PLAIN, false, want_plain);
}

static void test_thresholds_and_persistent(void **state)
{
	struct test_env *env = *state;

	build(env);
	expect_list(env, UVS_ADM_LIST_THRESHOLDS, false, want_thresholds);
	expect_list(env, UVS_ADM_LIST_PERSISTENT, false, want_persistent);
}

/* Puts v into an object's counters split over both workers' slots. */
static void set_counters(struct uvs_stats *s, const uint64_t v[5])
{
	for (int w = 0; w < 2; w++) {
		struct uvs_counters *c = &s->slots[w].c;
		uint64_t part[5];
		for (int i = 0; i < 5; i++)
			part[i] = w == 0 ? v[i] / 3 : v[i] - v[i] / 3;
		c->conns = part[0];
		c->inpkts = part[1];
		c->outpkts = part[2];
		c->inbytes = part[3];
		c->outbytes = part[4];
	}
}

static void test_stats(void **state)
{
	struct test_env *env = *state;
	static const uint64_t v[5] = { 123, 4567, 0, 987654321, 12345678901ull };

	build(env);
	set_counters(&svc_of(env, "10.0.0.1:80")->stats, v);
	set_counters(&dest_of(env, "10.0.0.1:80", "192.168.0.11:80")->stats, v);
	expect_list(env, UVS_ADM_LIST_STATS, false, want_stats);
	expect_list(env, UVS_ADM_LIST_STATS, true, want_stats_exact);

	/* -Z: zeroing shows through. */
	assert_int_equal(uvs_model_zero(&env->m, NULL, NULL), 0);
	char *got = list(env, UVS_ADM_LIST_STATS, false);
	assert_null(strstr(got, "987654K"));
	free(got);
}

static void test_rate(void **state)
{
	struct test_env *env = *state;
	struct uvs_service *svc;
	struct uvs_dest *d;

	build(env);
	svc = svc_of(env, "10.0.0.1:80");
	/* 100 new connections over one 2 s interval: (100 << 9) / 4 = 12800, shown 12. */
	for (int i = 0; i < 100; i++)
		uvs_stats_conn(&svc->stats, i % 2);
	uvs_model_estimate(&env->m);
	/* Estimator state at the edges of the number formats, in its scaled units. */
	d = dest_of(env, "10.0.0.1:80", "192.168.0.11:80");
	d->stats.cps = 1 << 10;
	d->stats.inpps = 99999999ll << 10;
	d->stats.outpps = 100000000ll << 10;
	d->stats.inbps = 150000000ll << 5;
	d->stats.outbps = 4294967295ll << 5;
	expect_list(env, UVS_ADM_LIST_RATE, false, want_rate);
}

static void test_one_service(void **state)
{
	struct test_env *env = *state;
	struct uvs_svc_key k = test_key("10.0.0.9:80");
	struct uvs_adm_list_opts o = { .fmt = UVS_ADM_LIST_PLAIN, .conn_tab_size = 4096 };
	struct uvs_error err;
	char *got;

	build(env);
	o.only = &svc_of(env, "[2001:db8::1]:443")->key;
	got = test_list_text(env, &o);
	/* No version line when one service is asked for. */
	test_text_equal(got,
			"Prot LocalAddress:Port Scheduler Flags\n"
			"  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n"
			"TCP  [2001:db8::1]:443 rr persistent 10\n"
			"  -> [2001:db8::10]:8443          Masq    10     0          0         \n");
	free(got);
	o.only = &k;
	assert_int_equal(uvs_adm_list(stdout, &env->m, &o, &err), -ESRCH);
	assert_string_equal(err.msg, "No such service");
}

static void test_nosort_and_empty(void **state)
{
	struct test_env *env = *state;
	struct uvs_adm_list_opts o = { .fmt = UVS_ADM_LIST_PLAIN, .conn_tab_size = 256 };
	char *got;

	got = test_list_text(env, &o);
	test_text_equal(got,
			"IP Virtual Server version 1.2.1 (size=256)\n"
			"Prot LocalAddress:Port Scheduler Flags\n"
			"  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n");
	free(got);
	/* --nosort: services oldest first, destinations newest first. */
	test_apply_ok(env, NULL,
		      "-A -t 10.0.0.2:80 -s rr\n"
		      "-a -t 10.0.0.2:80 -r 192.168.0.1 -m\n"
		      "-a -t 10.0.0.2:80 -r 192.168.0.2 -m\n"
		      "-A -t 10.0.0.1:80 -s rr\n");
	o.nosort = true;
	got = test_list_text(env, &o);
	test_text_equal(got,
			"IP Virtual Server version 1.2.1 (size=256)\n"
			"Prot LocalAddress:Port Scheduler Flags\n"
			"  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n"
			"TCP  10.0.0.2:80 rr\n"
			"  -> 192.168.0.2:80               Masq    1      0          0         \n"
			"  -> 192.168.0.1:80               Masq    1      0          0         \n"
			"TCP  10.0.0.1:80 rr\n");
	free(got);
}

static void test_timeouts(void **state)
{
	struct uvs_timeouts t;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	uvs_timeouts_default(&t);
	assert_int_equal(uvs_adm_list_timeouts(f, &t), 0);
	uvs_timeouts_set(&t, 1000, 0, 5);
	assert_int_equal(uvs_adm_list_timeouts(f, &t), 0);
	fclose(f);
	assert_string_equal(buf, "Timeout (tcp tcpfin udp): 900 120 300\n"
				 "Timeout (tcp tcpfin udp): 1000 120 5\n");
	free(buf);
}

static void expect_num(uint64_t v, bool exact, const char *want)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	uvs_adm_print_largenum(f, v, exact);
	fclose(f);
	if (strcmp(buf, want) != 0)
		fail_msg("%llu: got \"%s\", wanted \"%s\"", (unsigned long long)v, buf, want);
	free(buf);
}

static void test_largenum(void **state)
{
	(void)state;
	expect_num(0, false, "        0");
	expect_num(99999999ull, false, " 99999999");
	expect_num(100000000ull, false, "  100000K");
	expect_num(999999999ull, false, "  999999K");
	expect_num(1000000000ull, false, "    1000M");
	expect_num(99999999999ull, false, "   99999M");
	expect_num(100000000000ull, false, "     100G");
	expect_num(99999999999999ull, false, "   99999G");
	expect_num(100000000000000ull, false, "     100T");
	expect_num(UINT64_MAX, false, "18446744T");
	expect_num(0, true, "        0");
	expect_num(12345678ull, true, " 12345678");
	expect_num(123456789ull, true, " 123456789");
	expect_num(UINT64_MAX, true, " 18446744073709551615");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_plain, setup, teardown),
		cmocka_unit_test_setup_teardown(test_thresholds_and_persistent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stats, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_one_service, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nosort_and_empty, setup, teardown),
		cmocka_unit_test(test_timeouts),
		cmocka_unit_test(test_largenum),
	};
	return cmocka_run_group_tests_name("list", tests, NULL, NULL);
}
