// SPDX-License-Identifier: GPL-2.0-or-later
/* Which VIPs a director announces (src/daemon/announce.c), with the routes recorded by
 * the test: a VIP is announced once one of its services has a real server of weight
 * above 0 and withdrawn when none has; an address of several services stays while any
 * can serve; fwmark services announce nothing; IPv6 takes the same path; a route the
 * kernel refused is tried again; freeing withdraws everything; workers that stop
 * forwarding withdraw everything until they forward again; an update that runs out
 * of memory is done again by the next. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "daemon/announce.h"
#include "helpers.h"

/* malloc fails while this is set (linked with --wrap=malloc). */
static bool fail_malloc;
void *__real_malloc(size_t size);
void *__wrap_malloc(size_t size);
void *__wrap_malloc(size_t size)
{
	return fail_malloc ? NULL : __real_malloc(size);
}

/* The routes as the test's "kernel" holds them, and what it was asked. */
struct routes {
	char have[16][64];
	int n;
	int adds, dels;
	int fail; /* the next calls fail with this while nonzero */
};

static int find(struct routes *r, const char *text)
{
	for (int i = 0; i < r->n; i++)
		if (!strcmp(r->have[i], text))
			return i;
	return -1;
}

static int route(void *arg, bool add, const struct uvsd_vip *vip)
{
	struct routes *r = arg;
	char text[UVS_ADDR_STRLEN];
	int i;

	if (r->fail)
		return r->fail;
	uvs_addr_format(vip->af, &vip->addr, text, sizeof(text));
	i = find(r, text);
	if (add) {
		r->adds++;
		assert_int_equal(i, -1); /* never announced twice */
		assert_true(r->n < 16);
		snprintf(r->have[r->n++], sizeof(r->have[0]), "%s", text);
	} else {
		r->dels++;
		assert_int_not_equal(i, -1); /* only what was announced is withdrawn */
		memcpy(r->have[i], r->have[--r->n], sizeof(r->have[0]));
	}
	return 0;
}

static bool has(struct routes *r, const char *text)
{
	return find(r, text) >= 0;
}

static void test_healthy_only(void **state)
{
	struct test_env *env = *state;
	struct routes r = { .n = 0 };
	struct uvsd_announce *an;
	struct uvs_service *web, *tls;
	struct uvs_dest *d1, *d2;

	assert_int_equal(uvsd_announce_new(route, &r, &an), 0);
	assert_int_equal(uvsd_announce_update(an, &env->m, true, false), 0);
	assert_int_equal(r.n, 0);

	/* A service without real servers, then with one of weight 0: nothing. */
	web = test_add_svc(env, "10.0.0.1:80", "mh");
	assert_int_equal(uvsd_announce_update(an, &env->m, true, false), 0);
	assert_int_equal(r.n, 0);
	d1 = test_add_dest(env, web, "192.168.0.11:80", 0);
	assert_int_equal(uvsd_announce_update(an, &env->m, true, false), 0);
	assert_int_equal(r.n, 0);

	/* Weight 1: announced, once. */
	test_set_weight(env, web, d1, 1);
	assert_int_equal(uvsd_announce_update(an, &env->m, true, false), 0);
	assert_true(has(&r, "10.0.0.1"));
	assert_int_equal(r.adds, 1);
	d2 = test_add_dest(env, web, "192.168.0.12:80", 3);
	assert_int_equal(uvsd_announce_update(an, &env->m, true, false), 0);
	assert_int_equal(r.adds, 1);

	/* A second service on the address: one route; it stays while either serves. */
	tls = test_add_svc(env, "10.0.0.1:443", "rr");
	test_add_dest(env, tls, "192.168.0.11:443", 1);
	assert_int_equal(uvsd_announce_update(an, &env->m, true, false), 0);
	assert_int_equal(r.n, 1);
	test_set_weight(env, web, d1, 0);
	test_set_weight(env, web, d2, 0);
	assert_int_equal(uvsd_announce_update(an, &env->m, true, false), 0);
	assert_true(has(&r, "10.0.0.1"));
	struct uvs_svc_key k = test_key("10.0.0.1:443");
	assert_int_equal(uvs_svc_del(&env->m, &k, NULL), 0);
	assert_int_equal(uvsd_announce_update(an, &env->m, true, false), 0);
	assert_false(has(&r, "10.0.0.1"));
	assert_int_equal(r.dels, 1);

	/* Its last real server deleted: nothing comes back. */
	test_set_weight(env, web, d2, 5);
	assert_int_equal(uvsd_announce_update(an, &env->m, true, false), 0);
	assert_true(has(&r, "10.0.0.1"));
	k = test_key("10.0.0.1:80");
	assert_int_equal(uvs_dest_del(&env->m, &k, AF_INET, &d2->conf.addr, d2->conf.port, NULL),
			 0);
	assert_int_equal(uvs_dest_del(&env->m, &k, AF_INET, &d1->conf.addr, d1->conf.port, NULL),
			 0);
	assert_int_equal(uvsd_announce_update(an, &env->m, true, false), 0);
	assert_int_equal(r.n, 0);
	uvsd_announce_free(an);
}

static void test_families_and_fwmark(void **state)
{
	struct test_env *env = *state;
	struct routes r = { .n = 0 };
	struct uvsd_announce *an;
	struct uvs_svc_conf c;
	struct uvs_dest_conf dc = test_dest_conf("192.168.0.11:80", 1);
	const struct uvsd_vip *list;
	size_t n;

	assert_int_equal(uvsd_announce_new(route, &r, &an), 0);
	test_add_dest(env, test_add_svc(env, "[2001:db8:f::1]:80", "sh"), "[2001:db8:1::11]:80", 1);
	test_add_dest(env, test_add_svc(env, "10.0.0.2:80", "sh"), "192.168.0.11:80", 1);
	memset(&c, 0, sizeof(c));
	c = test_svc_conf("10.0.0.9:80", "rr");
	uvs_svc_key_fwmark(&c.key, AF_INET, 7);
	assert_int_equal(uvs_svc_add(&env->m, &c, NULL), 0);
	assert_int_equal(uvs_dest_add(&env->m, &c.key, &dc, NULL), 0);
	assert_int_equal(uvsd_announce_update(an, &env->m, true, false), 0);
	assert_int_equal(r.n, 2);
	assert_true(has(&r, "2001:db8:f::1"));
	assert_true(has(&r, "10.0.0.2"));
	/* Listed in order: IPv4 first. */
	list = uvsd_announce_list(an, &n);
	assert_int_equal(n, 2);
	assert_int_equal(list[0].af, AF_INET);
	assert_int_equal(list[1].af, AF_INET6);
	/* Freeing withdraws them all. */
	uvsd_announce_free(an);
	assert_int_equal(r.n, 0);
	assert_int_equal(r.dels, 2);
}

static void test_failure_retried(void **state)
{
	struct test_env *env = *state;
	struct routes r = { .n = 0 };
	struct uvsd_announce *an;
	struct uvs_service *svc;
	struct uvs_dest *d;
	size_t n;

	assert_int_equal(uvsd_announce_new(route, &r, &an), 0);
	svc = test_add_svc(env, "10.0.0.1:80", "mh");
	d = test_add_dest(env, svc, "192.168.0.11:80", 1);
	r.fail = -ENOBUFS;
	assert_int_equal(uvsd_announce_update(an, &env->m, true, false), 1);
	uvsd_announce_list(an, &n);
	assert_int_equal(n, 0);
	/* The model did not change, but the failed route is tried again. */
	r.fail = 0;
	assert_int_equal(uvsd_announce_update(an, &env->m, true, false), 0);
	assert_true(has(&r, "10.0.0.1"));
	/* A withdrawal that fails leaves it listed as announced until it succeeds. */
	test_set_weight(env, svc, d, 0);
	r.fail = -EIO;
	assert_int_equal(uvsd_announce_update(an, &env->m, true, false), 1);
	uvsd_announce_list(an, &n);
	assert_int_equal(n, 1);
	r.fail = 0;
	assert_int_equal(uvsd_announce_update(an, &env->m, true, false), 0);
	assert_int_equal(r.n, 0);
	uvsd_announce_list(an, &n);
	assert_int_equal(n, 0);
	uvsd_announce_free(an);
	assert_int_equal(r.dels, 1);
}

/* Workers that stop forwarding (past the fail-safe's deadline) withdraw everything;
 * forwarding again announces it again. */
static void test_not_serving(void **state)
{
	struct test_env *env = *state;
	struct routes r = { .n = 0 };
	struct uvsd_announce *an;

	assert_int_equal(uvsd_announce_new(route, &r, &an), 0);
	test_add_dest(env, test_add_svc(env, "10.0.0.1:80", "mh"), "192.168.0.11:80", 1);
	test_add_dest(env, test_add_svc(env, "[2001:db8:f::1]:80", "mh"), "[2001:db8:1::11]:80", 1);
	assert_int_equal(uvsd_announce_update(an, &env->m, true, false), 0);
	assert_int_equal(r.n, 2);
	/* The model is unchanged: the workers' state alone decides. */
	assert_int_equal(uvsd_announce_update(an, &env->m, false, false), 0);
	assert_int_equal(r.n, 0);
	assert_int_equal(r.dels, 2);
	assert_int_equal(uvsd_announce_update(an, &env->m, false, false), 0);
	assert_int_equal(r.dels, 2);
	assert_int_equal(uvsd_announce_update(an, &env->m, true, false), 0);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.adds, 4);
	uvsd_announce_free(an);
}

/* An update that runs out of memory changes nothing, and the next one does its work
 * even though neither the model nor the workers' state changed since. */
static void test_out_of_memory(void **state)
{
	struct test_env *env = *state;
	struct routes r = { .n = 0 };
	struct uvsd_announce *an;

	assert_int_equal(uvsd_announce_new(route, &r, &an), 0);
	test_add_dest(env, test_add_svc(env, "10.0.0.1:80", "mh"), "192.168.0.11:80", 1);
	assert_int_equal(uvsd_announce_update(an, &env->m, true, false), 0);
	assert_int_equal(r.n, 1);
	fail_malloc = true;
	int ret = uvsd_announce_update(an, &env->m, false, false);
	fail_malloc = false;
	assert_int_equal(ret, -ENOMEM);
	assert_int_equal(r.n, 1);
	assert_int_equal(uvsd_announce_update(an, &env->m, false, false), 0);
	assert_int_equal(r.n, 0);
	uvsd_announce_free(an);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_healthy_only, test_env_setup,
						test_env_teardown),
		cmocka_unit_test_setup_teardown(test_families_and_fwmark, test_env_setup,
						test_env_teardown),
		cmocka_unit_test_setup_teardown(test_failure_retried, test_env_setup,
						test_env_teardown),
		cmocka_unit_test_setup_teardown(test_not_serving, test_env_setup,
						test_env_teardown),
		cmocka_unit_test_setup_teardown(test_out_of_memory, test_env_setup,
						test_env_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
