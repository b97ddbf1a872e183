// SPDX-License-Identifier: GPL-2.0-or-later
/* `ipvsadm -S -n`: exact lines, ipvsadm's sort order, and a round trip through the
 * rules parser for every kind of service and destination. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "adm_helpers.h"

static void expect_save(struct test_env *env, const char *want)
{
	char *got = test_save_text(env);

	test_text_equal(got, want);
	free(got);
}

/* Services by fwmark, family, protocol, address, port; destinations by address, port,
 * all compared as numbers. */
static void test_sort_order(void **state)
{
	struct test_env *env = *state;

	test_apply_ok(env, NULL,
		      "-A -f 2 -s rr\n"
		      "-A -f 1 -6 -s rr\n"
		      "-A -f 1 -s rr\n"
		      "-A -u 10.0.0.1:53 -s rr\n"
		      "-A -t [2001:db8::1]:80 -s rr\n"
		      "-A -t [2001:db8::]:80 -s rr\n"
		      "-A -t 10.0.0.2:80 -s rr\n"
		      "-A -t 10.0.0.1:443 -s rr\n"
		      "-A -t 10.0.0.1:80 -s rr\n"
		      "-A -t 9.255.255.255:80 -s rr\n"
		      "-A --sctp-service 10.0.0.1:80 -s rr\n"
		      "-a -t 10.0.0.1:80 -r 192.168.0.20:80 -m\n"
		      "-a -t 10.0.0.1:80 -r 192.168.0.3:8080 -m\n"
		      "-a -t 10.0.0.1:80 -r 192.168.0.3:80 -m\n"
		      "-a -t 10.0.0.1:80 -r [2001:db8::3]:80 -i\n"
		      "-a -t 10.0.0.1:80 -r 192.168.0.100:80 -m\n");
	expect_save(env, "-A -t 9.255.255.255:80 -s rr\n"
			 "-A -t 10.0.0.1:80 -s rr\n"
			 "-a -t 10.0.0.1:80 -r 192.168.0.3:80 -m -w 1\n"
			 "-a -t 10.0.0.1:80 -r 192.168.0.3:8080 -m -w 1\n"
			 "-a -t 10.0.0.1:80 -r 192.168.0.20:80 -m -w 1\n"
			 "-a -t 10.0.0.1:80 -r 192.168.0.100:80 -m -w 1\n"
			 "-a -t 10.0.0.1:80 -r [2001:db8::3]:80 -i -w 1 --tun-type ipip\n"
			 "-A -t 10.0.0.1:443 -s rr\n"
			 "-A -t 10.0.0.2:80 -s rr\n"
			 "-A -u 10.0.0.1:53 -s rr\n"
			 "-A --sctp-service 10.0.0.1:80 -s rr\n"
			 "-A -t [2001:db8::]:80 -s rr\n"
			 "-A -t [2001:db8::1]:80 -s rr\n"
			 "-A -f 1 -s rr\n"
			 "-A -f 1 -6 -s rr\n"
			 "-A -f 2 -s rr\n");
}

/* A canonical save text: applying it to an empty model and saving gives it back. */
static const char canonical[] =
	"-A -t 10.0.0.1:0 -s wlc -p 360 -M 255.255.255.0\n"
	"-a -t 10.0.0.1:0 -r 192.168.0.1:0 -g -w 1\n"
	"-A -t 10.0.0.1:80 -s wrr -p 300\n"
	"-a -t 10.0.0.1:80 -r 192.168.0.11:80 -g -w 0\n"
	"-a -t 10.0.0.1:80 -r 192.168.0.12:80 -i -w 65535 --tun-type ipip\n"
	"-a -t 10.0.0.1:80 -r 192.168.0.13:80 -i -w 5 --tun-type gue --tun-port 6080 --tun-csum\n"
	"-a -t 10.0.0.1:80 -r 192.168.0.14:80 -i -w 5 --tun-type gue --tun-port 6081 "
	"--tun-remcsum\n"
	"-a -t 10.0.0.1:80 -r 192.168.0.15:80 -i -w 5 --tun-type gre --tun-nocsum\n"
	"-a -t 10.0.0.1:80 -r 192.168.0.16:80 -i -w 5 --tun-type gre --tun-csum -x 9\n"
	"-a -t 10.0.0.1:80 -r 192.168.0.17:8080 -m -w 2 -x 1000 -y 100\n"
	"-a -t 10.0.0.1:80 -r [2001:db8::17]:80 -i -w 1 --tun-type ipip\n"
	"-A -u 10.0.0.1:53 -s sh -o -b sh-fallback,sh-port\n"
	"-a -u 10.0.0.1:53 -r 192.168.0.21:5353 -m -w 1 -x 7\n"
	"-A -u 10.0.0.1:54 -s mh -b mh-fallback,mh-port\n"
	"-a -u 10.0.0.1:54 -r 192.168.0.22:54 -g -w 4\n"
	"-A -u 10.0.0.1:55 -s rr -b flag-1,flag-2,flag-3\n"
	"-A --sctp-service 10.0.0.1:38412 -s lc\n"
	"-a --sctp-service 10.0.0.1:38412 -r 192.168.0.23:38412 -g -w 1\n"
	"-A -t [2001:db8::1]:443 -s sed -p 3600 -M 64\n"
	"-a -t [2001:db8::1]:443 -r [2001:db8::10]:8443 -m -w 10\n"
	"-a -t [2001:db8::1]:443 -r [2001:db8::11]:443 -g -w 20\n"
	"-A -t [2001:db8::2]:443 -s nq -p 100\n"
	"-A -f 7 -s rr -p 600 -M 255.255.0.0 -o\n"
	"-a -f 7 -r 192.168.0.31:0 -g -w 1\n"
	"-a -f 7 -r 192.168.0.32:8080 -m -w 1\n"
	"-A -f 8 -6 -s lblc -p 60 -M 48\n"
	"-a -f 8 -6 -r [2001:db8::31]:0 -g -w 3\n"
	"-A -f 9 -s twos\n"
	"-A -f 10 -s dh\n"
	"-A -f 11 -s lblcr\n"
	"-A -f 12 -s fo\n"
	"-A -f 13 -s ovf\n";

static void test_round_trip(void **state)
{
	struct test_env *env = *state;
	char *first;

	test_apply_ok(env, NULL, canonical);
	expect_save(env, canonical);

	/* Clear, then restore from the saved text. */
	first = test_save_text(env);
	test_apply_ok(env, NULL, "-C\n");
	expect_save(env, "");
	test_apply_ok(env, NULL, first);
	expect_save(env, canonical);
	free(first);
}

/* The same configuration written the long way, out of order, with defaults left out
 * and "ipvsadm" in front, saves as the canonical text. */
static void test_equivalent_input(void **state)
{
	struct test_env *env = *state;

	test_apply_ok(
		env, NULL,
		"ipvsadm --add-service --fwmark-service 13 --scheduler ovf\n"
		"ipvsadm -A -f 12 -s fo\n"
		"-A -f 11 -s lblcr\n"
		"-A -f 10 -s dh\n"
		"-A -f 9 -s twos\n"
		"-A -6 -f 8 -s lblc --persistent=60 --netmask 48\n"
		"-a -f 8 -6 -r [2001:db8::31] -w3\n"
		"-A -f 7 -s rr -p600 -M 16 --ops\n"
		"-a -f 7 -r 192.168.0.32:8080 --masquerading\n"
		"-a -f 7 -r 192.168.0.31\n"
		"-A -t [2001:db8::2]:443 -s nq -p 100 -M 128\n"
		"-A -t [2001:db8::1]:443 -s sed -p 3600 -M 64\n"
		"-a -t [2001:db8::1]:443 -r [2001:db8::11]:1 -w 20\n"
		"-a -t [2001:db8::1]:443 -r [2001:db8::10]:8443 -m -w 10\n"
		"--add-service --sctp-service 10.0.0.1:38412 --scheduler lc\n"
		"-a --sctp-service 10.0.0.1:38412 -r 192.168.0.23\n"
		"-A -u 10.0.0.1:55 -s rr -b flag-3,flag-2,flag-1\n"
		"-A -u 10.0.0.1:54 -s mh --sched-flags mh-port,mh-fallback\n"
		"-a -u 10.0.0.1:54 -r 192.168.0.22:9999 -w 4\n"
		"-A -u 10.0.0.1:53 -o -s sh -b sh-port,sh-fallback\n"
		"-a -u 10.0.0.1:53 -r 192.168.0.21:5353 -m --u-threshold 7 --l-threshold 0\n"
		"-A -t 10.0.0.1:80 -s wrr -p 300 -M 255.255.255.255\n"
		"-a -t 10.0.0.1:80 -r [2001:db8::17] --ipip\n"
		"-a -t 10.0.0.1:80 -r 192.168.0.17:8080 -m -w 2 -y 100 -x 1000\n"
		"-a -t 10.0.0.1:80 -r 192.168.0.16 -i --tun-type gre --tun-csum -x 9\n"
		"-a -t 10.0.0.1:80 -r 192.168.0.15 -i --tun-type gre -w 5\n"
		"-e -t 10.0.0.1:80 -r 192.168.0.16 -i --tun-type gre --tun-csum -x 9 -w 5\n"
		"-a -t 10.0.0.1:80 -r 192.168.0.14 -i --tun-type gue --tun-port 6081 --tun-remcsum "
		"-w 5\n"
		"-a -t 10.0.0.1:80 -r 192.168.0.13:1 -w 5 --tun-csum --tun-port 6080 --tun-type "
		"gue "
		"-i\n"
		"-a -t 10.0.0.1:80 -r 192.168.0.12 -i -w 65535\n"
		"-a -t 10.0.0.1:80 -r 192.168.0.11 -w 0\n"
		"-A -t 10.0.0.1:0 --persistent -M 24\n"
		"-a -t 10.0.0.1:0 -r 192.168.0.1\n"
		"-A -t 10.0.0.9:80\n"
		"-a -t 10.0.0.9:80 -r 192.168.0.99\n"
		"-D -t 10.0.0.9:80\n");
	expect_save(env, canonical);
}

/* Edits show in the save text; a service edited to persistence gains -p and -M. */
static void test_edits(void **state)
{
	struct test_env *env = *state;

	test_apply_ok(env, NULL,
		      "-A -t 10.0.0.1:80 -s rr\n"
		      "-a -t 10.0.0.1:80 -r 192.168.0.11 -m\n"
		      "-E -t 10.0.0.1:80 -s wlc -p 20 -M 255.255.255.128\n"
		      "-e -t 10.0.0.1:80 -r 192.168.0.11 -w 7\n");
	/* -e without -m sets the default, -g, as ipvsadm does; the port is then forced. */
	expect_save(env, "-A -t 10.0.0.1:80 -s wlc -p 20 -M 255.255.255.128\n"
			 "-a -t 10.0.0.1:80 -r 192.168.0.11:80 -g -w 7\n");
	test_apply_ok(env, NULL, "-E -t 10.0.0.1:80\n-d -t 10.0.0.1:80 -r 192.168.0.11\n");
	expect_save(env, "-A -t 10.0.0.1:80 -s wlc\n");
}

/* A destination the kernel made Local is written as -g, as ipvsadm does. */
static void test_local_is_written_as_gatewaying(void **state)
{
	struct test_env *env = *state;
	struct uvs_service *svc = test_add_svc(env, "10.0.0.1:80", "rr");
	struct uvs_dest_conf c = test_dest_conf("127.0.0.1:80", 2);

	c.fwd = UVS_FWD_LOCAL;
	assert_int_equal(uvs_dest_add(&env->m, &svc->key, &c, NULL), 0);
	expect_save(env, "-A -t 10.0.0.1:80 -s rr\n"
			 "-a -t 10.0.0.1:80 -r 127.0.0.1:80 -g -w 2\n");
}

static void test_save_to_file(void **state)
{
	struct test_env *env = *state;
	FILE *f = tmpfile();
	char buf[256];
	size_t n;

	assert_non_null(f);
	test_apply_ok(env, NULL, "-A -u 10.0.0.1:53 -s rr\n");
	assert_int_equal(uvs_adm_save(f, &env->m), 0);
	rewind(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = 0;
	fclose(f);
	assert_string_equal(buf, "-A -u 10.0.0.1:53 -s rr\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_sort_order, test_env_setup, test_env_teardown),
		cmocka_unit_test_setup_teardown(test_round_trip, test_env_setup, test_env_teardown),
		cmocka_unit_test_setup_teardown(test_equivalent_input, test_env_setup,
						test_env_teardown),
		cmocka_unit_test_setup_teardown(test_edits, test_env_setup, test_env_teardown),
		cmocka_unit_test_setup_teardown(test_local_is_written_as_gatewaying, test_env_setup,
						test_env_teardown),
		cmocka_unit_test_setup_teardown(test_save_to_file, test_env_setup,
						test_env_teardown),
	};
	return cmocka_run_group_tests_name("save", tests, NULL, NULL);
}
