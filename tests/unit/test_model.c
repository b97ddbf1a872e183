// SPDX-License-Identifier: GPL-2.0-or-later
/* The service model: validation and errors, an unchanged configuration after a
 * refused change, the trash, overload thresholds, lookups and the workers' cache of
 * them, stats and rates. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "helpers.h"

static void test_add_find_delete(void **state)
{
	struct test_env *env = *state;
	struct uvs_service *svc = test_add_svc(env, "10.0.0.1:80", "rr");
	struct uvs_svc_key k = test_key("10.0.0.1:80");
	struct uvs_error err;

	assert_non_null(svc);
	assert_ptr_equal(uvs_svc_find(&env->m, &k), svc);
	assert_int_equal(env->m.num_services, 1);
	assert_int_equal(uvs_svc_del(&env->m, &k, &err), 0);
	assert_null(uvs_svc_find(&env->m, &k));
	assert_int_equal(uvs_svc_del(&env->m, &k, &err), -ESRCH);
	assert_string_equal(err.msg, "No such service");
}

/* Tries to add c, expects -errnum with a message containing `msg`, and checks that the
 * model still holds only the one service it had, unchanged. */
static void expect_svc_refused(struct test_env *env, struct uvs_svc_conf *c, int errnum,
			       const char *msg)
{
	struct uvs_error err = { { 0 } };
	struct uvs_svc_key k0 = test_key("10.0.0.1:80");
	struct uvs_service *existing = uvs_svc_find(&env->m, &k0);

	assert_int_equal(uvs_svc_add(&env->m, c, &err), -errnum);
	if (!strstr(err.msg, msg))
		fail_msg("message \"%s\" lacks \"%s\"", err.msg, msg);
	assert_int_equal(env->m.num_services, 1);
	assert_non_null(existing);
	assert_string_equal(existing->sched->name, "wrr");
}

static void test_service_errors(void **state)
{
	struct test_env *env = *state;
	struct uvs_svc_conf c;

	test_add_svc(env, "10.0.0.1:80", "wrr");

	c = test_svc_conf("10.0.0.1:80", "rr");
	expect_svc_refused(env, &c, EEXIST, "Service already exists");

	c = test_svc_conf("10.0.0.2:80", "nosuch");
	expect_svc_refused(env, &c, ENOENT, "Scheduler not found: nosuch");
	/* No default here: ipvsadm and the rules language fill in wlc, the kernel does not. */
	c = test_svc_conf("10.0.0.2:80", "");
	expect_svc_refused(env, &c, ENOENT, "Scheduler not found: (empty name)");

	c = test_svc_conf("10.0.0.2:0", "rr");
	expect_svc_refused(env, &c, EINVAL, "Zero port specified for non-persistent service");

	c = test_svc_conf("10.0.0.2:80", "rr");
	c.flags = UVS_SVC_F_ONEPACKET;
	expect_svc_refused(env, &c, EINVAL, "only for UDP");

	c = test_svc_conf("10.0.0.2:80", "rr");
	c.flags = UVS_SVC_F_PERSISTENT;
	c.timeout = UVS_PERSIST_TIMEOUT_MAX + 1;
	expect_svc_refused(env, &c, EINVAL, "persistence timeout");

	c = test_svc_conf("[2001:db8::1]:80", "rr");
	c.flags = UVS_SVC_F_PERSISTENT;
	c.timeout = 300;
	c.netmask = 129;
	expect_svc_refused(env, &c, EINVAL, "prefix");

	c = test_svc_conf("10.0.0.2:80", "rr");
	c.key.protocol = 47;
	expect_svc_refused(env, &c, EINVAL, "protocol 47");

	c = test_svc_conf("10.0.0.2:80", "rr");
	c.key.af = 99;
	expect_svc_refused(env, &c, EAFNOSUPPORT, "family");

	c = test_svc_conf("10.0.0.2:80", "rr");
	c.flags = 0x40000;
	expect_svc_refused(env, &c, EINVAL, "unknown service flags");

	c = test_svc_conf("10.0.0.2:80", "rr");
	strcpy(c.pe_name, "sip");
	expect_svc_refused(env, &c, ENOENT, "Persistence engine not found");

	/* A persistent port-0 service, one-packet on UDP, and a fwmark service are fine. */
	c = test_svc_conf("10.0.0.2:0", "rr");
	c.flags = UVS_SVC_F_PERSISTENT;
	c.timeout = 360;
	assert_int_equal(uvs_svc_add(&env->m, &c, NULL), 0);
	c = test_svc_conf("10.0.0.2:53", "rr");
	c.key.protocol = IPPROTO_UDP;
	c.flags = UVS_SVC_F_ONEPACKET;
	assert_int_equal(uvs_svc_add(&env->m, &c, NULL), 0);
	c = test_svc_conf("10.0.0.2:53", "wlc");
	uvs_svc_key_fwmark(&c.key, AF_INET, 7);
	assert_int_equal(uvs_svc_add(&env->m, &c, NULL), 0);
	assert_string_equal(uvs_svc_find(&env->m, &c.key)->sched->name, "wlc");
	assert_int_equal(env->m.num_services, 4);
}

static void test_service_edit(void **state)
{
	struct test_env *env = *state;
	struct uvs_service *svc = test_add_svc(env, "10.0.0.1:80", "rr");
	struct uvs_svc_conf c = test_svc_conf("10.0.0.1:80", "wrr");
	struct uvs_error err;

	test_add_dest(env, svc, "192.168.0.11:80", 1);
	assert_int_equal(uvs_svc_edit(&env->m, &c, &err), 0);
	assert_string_equal(svc->sched->name, "wrr");
	assert_non_null(test_pick(svc, "172.16.0.5:1000", 0));

	c = test_svc_conf("10.0.0.1:80", "nosuch");
	assert_int_equal(uvs_svc_edit(&env->m, &c, &err), -ENOENT);
	assert_string_equal(svc->sched->name, "wrr");

	c = test_svc_conf("10.0.0.9:80", "rr");
	assert_int_equal(uvs_svc_edit(&env->m, &c, &err), -ESRCH);

	c = test_svc_conf("10.0.0.1:80", "lc");
	c.flags = UVS_SVC_F_PERSISTENT;
	c.timeout = 300;
	c.netmask = htonl(0xffffff00);
	assert_int_equal(uvs_svc_edit(&env->m, &c, &err), 0);
	assert_string_equal(svc->sched->name, "lc");
	assert_int_equal(svc->flags & UVS_SVC_F_PERSISTENT, UVS_SVC_F_PERSISTENT);
	assert_int_equal(svc->timeout, 300);
	assert_int_equal(svc->netmask, htonl(0xffffff00));
	assert_int_equal(svc->num_dests, 1);
}

static void expect_dest_refused(struct test_env *env, struct uvs_service *svc,
				struct uvs_dest_conf *c, int errnum, const char *msg)
{
	struct uvs_error err = { { 0 } };
	struct uvs_dest *first = cds_list_first_entry(&svc->dests, struct uvs_dest, list);
	int64_t weight = first->conf.weight;
	unsigned n = svc->num_dests;

	assert_int_equal(uvs_dest_add(&env->m, &svc->key, c, &err), -errnum);
	if (!strstr(err.msg, msg))
		fail_msg("message \"%s\" lacks \"%s\"", err.msg, msg);
	assert_int_equal(svc->num_dests, n);
	assert_int_equal(first->conf.weight, weight);
}

static void test_dest_errors(void **state)
{
	struct test_env *env = *state;
	struct uvs_service *svc = test_add_svc(env, "10.0.0.1:80", "wlc");
	struct uvs_svc_key missing = test_key("10.0.0.9:80");
	struct uvs_dest_conf c;
	struct uvs_error err;

	test_add_dest(env, svc, "192.168.0.11:80", 5);

	c = test_dest_conf("192.168.0.11:80", 1);
	expect_dest_refused(env, svc, &c, EEXIST, "Destination already exists");
	c = test_dest_conf("192.168.0.12:80", -1);
	expect_dest_refused(env, svc, &c, ERANGE, "weight -1 out of range");
	c = test_dest_conf("192.168.0.12:80", 65536);
	expect_dest_refused(env, svc, &c, ERANGE, "weight 65536 out of range");
	c = test_dest_conf("192.168.0.12:80", 1);
	c.u_threshold = 10;
	c.l_threshold = 11;
	expect_dest_refused(env, svc, &c, ERANGE, "lower threshold");
	c = test_dest_conf("224.0.0.1:80", 1);
	expect_dest_refused(env, svc, &c, EINVAL, "not unicast");
	c = test_dest_conf("0.0.0.0:80", 1);
	expect_dest_refused(env, svc, &c, EINVAL, "not unicast");
	c = test_dest_conf("[2001:db8::11]:80", 1);
	expect_dest_refused(env, svc, &c, EINVAL, "tunnelling");
	c = test_dest_conf("192.168.0.12:80", 1);
	c.fwd = UVS_FWD_TUNNEL;
	c.tun_type = UVS_TUN_TYPE_GUE;
	expect_dest_refused(env, svc, &c, EINVAL, "tunnel port");
	c.tun_port = htons(6080);
	c.tun_flags = UVS_TUN_F_CSUM | UVS_TUN_F_REMCSUM;
	expect_dest_refused(env, svc, &c, EINVAL, "exclude");
	c.tun_type = UVS_TUN_TYPE_GRE;
	c.tun_flags = UVS_TUN_F_REMCSUM;
	expect_dest_refused(env, svc, &c, EINVAL, "remcsum");
	c = test_dest_conf("192.168.0.12:80", 1);
	c.fwd = 9;
	expect_dest_refused(env, svc, &c, EINVAL, "forwarding method");

	c = test_dest_conf("192.168.0.12:80", 1);
	assert_int_equal(uvs_dest_add(&env->m, &missing, &c, &err), -ESRCH);
	assert_int_equal(uvs_dest_edit(&env->m, &svc->key, &c, &err), -ENOENT);
	assert_string_equal(err.msg, "No such destination");
	assert_int_equal(uvs_dest_del(&env->m, &svc->key, AF_INET, &c.addr, c.port, &err), -ENOENT);

	/* A tunnelled IPv6 real server behind an IPv4 service is allowed. */
	c = test_dest_conf("[2001:db8::11]:80", 1);
	c.fwd = UVS_FWD_TUNNEL;
	assert_int_equal(uvs_dest_add(&env->m, &svc->key, &c, &err), 0);

	/* A refused edit leaves the destination as it was. */
	struct uvs_dest_conf first = test_dest_conf("192.168.0.11:80", 0);
	struct uvs_dest *d = uvs_dest_find(svc, AF_INET, &first.addr, first.port);
	c = d->conf;
	c.weight = 70000;
	assert_int_equal(uvs_dest_edit(&env->m, &svc->key, &c, &err), -ERANGE);
	assert_int_equal(d->conf.weight, 5);
}

static void test_dest_list_order_and_edit(void **state)
{
	struct test_env *env = *state;
	struct uvs_service *svc = test_add_svc(env, "10.0.0.1:80", "rr");
	struct uvs_dest *a = test_add_dest(env, svc, "192.168.0.1:80", 1);
	struct uvs_dest *b = test_add_dest(env, svc, "192.168.0.2:80", 1);
	struct uvs_dest *d;
	int ids[2], i = 0;

	/* Newest first, as in the kernel. */
	cds_list_for_each_entry(d, &svc->dests, list)
		ids[i++] = test_dest_id(d);
	assert_int_equal(ids[0], 2);
	assert_int_equal(ids[1], 1);
	assert_true(b->seq > a->seq);

	test_set_weight(env, svc, a, 7);
	assert_int_equal(a->conf.weight, 7);
	assert_int_equal(a->last_weight, 7);
	test_set_weight(env, svc, a, 0);
	assert_int_equal(a->last_weight, 7); /* the last non-zero weight */
}

static void test_overload_thresholds(void **state)
{
	struct test_env *env = *state;
	struct uvs_service *svc = test_add_svc(env, "10.0.0.1:80", "rr");
	struct uvs_dest *d = test_add_dest(env, svc, "192.168.0.1:80", 1);
	struct uvs_dest_conf c = d->conf;

	c.u_threshold = 4;
	assert_int_equal(uvs_dest_edit(&env->m, &svc->key, &c, NULL), 0);
	for (int i = 0; i < 3; i++)
		assert_ptr_equal(test_pick(svc, "172.16.0.5:1", i ? UVS_CONN_F_INACTIVE : 0), d);
	assert_false(uvs_dest_overloaded(d));
	/* Templates do not count towards the threshold. */
	rcu_read_lock();
	uvs_dest_bind(d, 0, UVS_CONN_F_TEMPLATE);
	rcu_read_unlock();
	assert_false(uvs_dest_overloaded(d));
	assert_int_equal(uvs_dest_persistent(d), 1);
	assert_ptr_equal(test_pick(svc, "172.16.0.5:2", 0), d);
	assert_true(uvs_dest_overloaded(d)); /* 4 >= 4 */
	assert_null(test_pick(svc, "172.16.0.5:3", 0));

	/* No lower threshold: cleared once total * 4 < upper * 3, i.e. at 2. */
	rcu_read_lock();
	uvs_dest_unbind(d, 0, 0);
	assert_true(uvs_dest_overloaded(d)); /* 3 */
	uvs_dest_unbind(d, 0, UVS_CONN_F_INACTIVE);
	assert_false(uvs_dest_overloaded(d)); /* 2 */
	rcu_read_unlock();

	/* With a lower threshold: cleared only below it. */
	c.l_threshold = 2;
	assert_int_equal(uvs_dest_edit(&env->m, &svc->key, &c, NULL), 0);
	test_pick(svc, "172.16.0.5:4", 0);
	test_pick(svc, "172.16.0.5:5", 0);
	assert_true(uvs_dest_overloaded(d)); /* 4 */
	rcu_read_lock();
	uvs_dest_unbind(d, 0, 0);
	uvs_dest_unbind(d, 0, 0);
	assert_true(uvs_dest_overloaded(d)); /* 2, not below 2 */
	uvs_dest_unbind(d, 0, 0);
	assert_false(uvs_dest_overloaded(d)); /* 1 */
	rcu_read_unlock();

	/* Raising the upper threshold lifts an overload at once. */
	c.l_threshold = 0;
	c.u_threshold = 1;
	assert_int_equal(uvs_dest_edit(&env->m, &svc->key, &c, NULL), 0);
	test_pick(svc, "172.16.0.5:6", 0);
	assert_true(uvs_dest_overloaded(d));
	c.u_threshold = 10;
	assert_int_equal(uvs_dest_edit(&env->m, &svc->key, &c, NULL), 0);
	assert_false(uvs_dest_overloaded(d));
	assert_int_equal(uvs_dest_active(d), 1);
	assert_int_equal(uvs_dest_inactive(d), 1);

	/* A TCP state change moves a connection between the counters. */
	rcu_read_lock();
	uvs_dest_set_active(d, 0, false);
	rcu_read_unlock();
	assert_int_equal(uvs_dest_active(d), 0);
	assert_int_equal(uvs_dest_inactive(d), 2);
	rcu_read_lock();
	uvs_dest_unbind(d, 0, UVS_CONN_F_INACTIVE);
	uvs_dest_unbind(d, 0, UVS_CONN_F_INACTIVE);
	uvs_dest_unbind(d, 0, UVS_CONN_F_TEMPLATE);
	rcu_read_unlock();
	assert_int_equal(uvs_dest_refs(d), 0);
}

/* A connection is counted in the slot of the worker that owns it, so that workers making
 * connections to one destination write lines of their own; reads sum the slots. */
static void test_counts_per_worker_slot(void **state)
{
	struct test_env *env = *state;
	struct uvs_service *svc = test_add_svc(env, "10.0.0.1:80", "wlc");
	struct uvs_dest *d = test_add_dest(env, svc, "192.168.0.1:80", 1);
	struct uvs_conn_counts *n0 = &d->stats.slots[0].n, *n2 = &d->stats.slots[2].n;

	assert_int_equal(d->stats.nslots, 3);
	rcu_read_lock();
	uvs_dest_bind(d, 0, 0);
	uvs_dest_bind(d, 2, UVS_CONN_F_INACTIVE);
	uvs_dest_bind(d, 2, UVS_CONN_F_TEMPLATE);
	rcu_read_unlock();
	assert_int_equal(n0->by_kind[UVS_CONN_ACTIVE], 1);
	assert_int_equal(n0->by_kind[UVS_CONN_INACTIVE], 0);
	assert_int_equal(n2->by_kind[UVS_CONN_INACTIVE], 1);
	assert_int_equal(n2->by_kind[UVS_CONN_PERSIST], 1);
	assert_int_equal(d->stats.slots[1].n.binds, 0); /* worker 1 made none: untouched */
	assert_int_equal(uvs_dest_active(d), 1);
	assert_int_equal(uvs_dest_inactive(d), 1);
	assert_int_equal(uvs_dest_persistent(d), 1);
	assert_int_equal(uvs_dest_overhead(d), (1 << 8) + 1);
	assert_int_equal(uvs_dest_refs(d), 3);

	/* Worker 2's connection becomes active (its slot, whoever sees the packet). */
	rcu_read_lock();
	uvs_dest_set_active(d, 2, true);
	rcu_read_unlock();
	assert_int_equal(uvs_dest_active(d), 2);
	assert_int_equal(uvs_dest_inactive(d), 0);
	assert_int_equal(uvs_dest_overhead(d), 2 << 8);

	/* A sum caught between a move's two halves in different slots is never below 0. */
	n0->by_kind[UVS_CONN_INACTIVE] = (uint32_t)-1;
	assert_int_equal(uvs_dest_inactive(d), 0);
	assert_int_equal(uvs_dest_overhead(d), 2 << 8);
	n0->by_kind[UVS_CONN_INACTIVE] = 0;

	/* References: each unbind in its own slot; the trash keeps d until none is left. */
	assert_int_equal(
		uvs_dest_del(&env->m, &svc->key, d->conf.af, &d->conf.addr, d->conf.port, NULL), 0);
	rcu_read_lock();
	uvs_dest_unbind(d, 0, 0);
	uvs_dest_unbind(d, 2, 0);
	rcu_read_unlock();
	assert_int_equal(uvs_dest_refs(d), 1);
	env->now += UVS_DEST_TRASH_NS + 1;
	uvs_model_expire_trash(&env->m);
	assert_false(cds_list_empty(&env->m.trash));
	rcu_read_lock();
	uvs_dest_unbind(d, 2, UVS_CONN_F_TEMPLATE);
	rcu_read_unlock();
	assert_int_equal(uvs_dest_refs(d), 0);
	assert_int_equal(uvs_dest_active(d), 0);
	assert_int_equal(uvs_dest_persistent(d), 0);
	uvs_model_expire_trash(&env->m);
	assert_true(cds_list_empty(&env->m.trash));
}

static int env_setup_3_workers(void **state)
{
	struct test_env *env = test_malloc(sizeof(*env));

	test_env_init_workers(env, 3);
	*state = env;
	return 0;
}

/* Makes svc's lock error-checking and takes it: a lock of it by this thread then
 * fails with EDEADLK instead of waiting, and an unlock releases ours. */
static void hold_checked_lock(struct uvs_service *svc)
{
	pthread_mutexattr_t attr;

	pthread_mutexattr_init(&attr);
	pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ERRORCHECK);
	pthread_mutex_destroy(&svc->lock);
	pthread_mutex_init(&svc->lock, &attr);
	pthread_mutexattr_destroy(&attr);
	assert_int_equal(pthread_mutex_lock(&svc->lock), 0);
}

/* A connection's state change, a template's bind and an end on d: true if they took
 * svc's lock. The lock, made error-checking and held here, shows whether anything took
 * it (a lock taken would fail with EDEADLK and its unlock release ours). */
static bool counts_took_the_lock(struct uvs_service *svc, struct uvs_dest *d)
{
	int ret;

	assert_ptr_equal(test_pick(svc, "172.16.0.5:1", 0), d);
	hold_checked_lock(svc);
	rcu_read_lock();
	uvs_dest_set_active(d, 0, false);
	uvs_dest_bind(d, 0, UVS_CONN_F_TEMPLATE);
	uvs_dest_unbind(d, 0, UVS_CONN_F_TEMPLATE);
	uvs_dest_unbind(d, 0, UVS_CONN_F_INACTIVE);
	rcu_read_unlock();
	ret = pthread_mutex_unlock(&svc->lock);
	assert_int_equal(uvs_dest_active(d), 0);
	assert_int_equal(uvs_dest_inactive(d), 0);
	assert_int_equal(uvs_dest_persistent(d), 0);
	if (ret == EPERM)
		return true;	  /* taken and released */
	assert_int_equal(ret, 0); /* still ours */
	return false;
}

/* With a scheduler that only reads the counters (rr), and with wlc on a service small
 * enough to be scanned for each pick, the counters change without the service's lock,
 * as the kernel's change without one. wlc on a larger service follows the load in
 * indexes, under the lock, until the service is small again; lblc always does. */
static void test_counts_change_without_the_lock(void **state)
{
	struct test_env *env = *state;
	struct uvs_service *svc = test_add_svc(env, "10.0.0.1:80", "rr");
	struct uvs_dest *d = test_add_dest(env, svc, "192.168.0.1:80", 1);

	assert_false(counts_took_the_lock(svc, d));

	struct uvs_service *w = test_add_svc(env, "10.0.0.2:80", "wlc");
	struct uvs_dest *dw = test_add_dest(env, w, "192.168.0.2:80", 1);
	struct uvs_dest *more[16];
	char addr[32];

	assert_false(counts_took_the_lock(w, dw));
	assert_non_null(w->unlocked); /* its pick takes no lock either */
	for (unsigned i = 0; i < 16; i++) {
		snprintf(addr, sizeof(addr), "192.168.1.%u:80", i + 1);
		more[i] = test_add_dest(env, w, addr, 1);
		/* Busy, so that dw stays wlc's pick. */
		rcu_read_lock();
		uvs_dest_bind(more[i], 0, 0);
		rcu_read_unlock();
	}
	assert_int_equal(w->num_dests, 17);
	assert_true(counts_took_the_lock(w, dw));
	assert_null(w->unlocked);
	for (unsigned i = 0; i < 8; i++) {
		struct uvs_dest_conf c = more[i]->conf;
		assert_int_equal(uvs_dest_del(&env->m, &w->key, c.af, &c.addr, c.port, NULL), 0);
	}
	assert_int_equal(w->num_dests, 9);
	assert_true(counts_took_the_lock(w, dw)); /* not yet: a margin against flapping */
	struct uvs_dest_conf c = more[8]->conf;
	assert_int_equal(uvs_dest_del(&env->m, &w->key, c.af, &c.addr, c.port, NULL), 0);
	assert_false(counts_took_the_lock(w, dw));
	assert_non_null(w->unlocked);

	struct uvs_service *l = test_add_svc(env, "10.0.0.3:80", "lblc");
	struct uvs_dest *dl = test_add_dest(env, l, "192.168.0.3:80", 1);

	assert_true(counts_took_the_lock(l, dl));
}

/* Direct routing and tunnels take the service's port, as ipvsadm gives it; a
 * threshold above INT_MAX is refused (it could not be saved and restored). */
static void test_dest_normalized(void **state)
{
	struct test_env *env = *state;
	struct uvs_service *svc = test_add_svc(env, "10.0.0.1:80", "wlc");
	struct uvs_dest_conf c = test_dest_conf("192.168.0.11:8080", 1);
	struct uvs_error err;

	c.fwd = UVS_FWD_DROUTE;
	assert_int_equal(uvs_dest_add(&env->m, &svc->key, &c, &err), 0);
	assert_non_null(uvs_dest_find(svc, c.af, &c.addr, htons(80)));
	assert_null(uvs_dest_find(svc, c.af, &c.addr, htons(8080)));
	c.port = htons(8081);
	c.fwd = UVS_FWD_TUNNEL;
	expect_dest_refused(env, svc, &c, EEXIST, "Destination already exists");
	c = test_dest_conf("192.168.0.12:80", 1);
	c.u_threshold = 0x80000000u;
	expect_dest_refused(env, svc, &c, ERANGE, "threshold out of range");
}

static void test_trash_keeps_counters(void **state)
{
	struct test_env *env = *state;
	struct uvs_service *svc = test_add_svc(env, "10.0.0.1:80", "wlc");
	struct uvs_dest *d = test_add_dest(env, svc, "192.168.0.1:80", 3);
	struct uvs_dest_conf c = d->conf;
	struct uvs_counters cnt;

	assert_ptr_equal(test_pick(svc, "172.16.0.5:1", 0), d);
	uvs_stats_conn(&d->stats, 0);
	uvs_stats_in(&d->stats, 0, 100);
	assert_int_equal(uvs_dest_del(&env->m, &svc->key, c.af, &c.addr, c.port, NULL), 0);
	assert_int_equal(svc->num_dests, 0);
	assert_null(test_pick(svc, "172.16.0.5:2", 0));

	/* The connection still holds it: even past the trash period it stays. */
	env->now += UVS_DEST_TRASH_NS + 1;
	uvs_model_expire_trash(&env->m);
	c.weight = 2;
	assert_int_equal(uvs_dest_add(&env->m, &svc->key, &c, NULL), 0);
	assert_ptr_equal(uvs_dest_find(svc, c.af, &c.addr, c.port), d);
	assert_int_equal(d->conf.weight, 2);
	assert_int_equal(uvs_dest_active(d), 1);
	uvs_stats_read(&d->stats, &cnt);
	assert_int_equal(cnt.inbytes, 100);

	/* Deleting the service trashes its destinations too; the same key restores. */
	rcu_read_lock();
	uvs_dest_unbind(d, 0, 0);
	rcu_read_unlock();
	assert_int_equal(uvs_svc_del(&env->m, &svc->key, NULL), 0);
	svc = test_add_svc(env, "10.0.0.1:80", "rr");
	assert_int_equal(uvs_dest_add(&env->m, &svc->key, &c, NULL), 0);
	struct uvs_dest *again = uvs_dest_find(svc, c.af, &c.addr, c.port);
	uvs_stats_read(&again->stats, &cnt);
	assert_int_equal(cnt.inbytes, 100);

	/* Once expired and unused, a re-added destination starts from zero. */
	assert_int_equal(uvs_dest_del(&env->m, &svc->key, c.af, &c.addr, c.port, NULL), 0);
	env->now += UVS_DEST_TRASH_NS;
	uvs_model_expire_trash(&env->m);
	assert_true(cds_list_empty(&env->m.trash));
	assert_int_equal(uvs_dest_add(&env->m, &svc->key, &c, NULL), 0);
	again = uvs_dest_find(svc, c.af, &c.addr, c.port);
	uvs_stats_read(&again->stats, &cnt);
	assert_int_equal(cnt.inbytes, 0);
	assert_int_equal(cnt.conns, 0);
}

static void test_lookup_order(void **state)
{
	struct test_env *env = *state;
	struct uvs_svc_conf c;
	union uvs_addr vip;
	struct uvs_service *exact, *port0, *mark, *found;

	uvs_addr_parse(AF_INET, "10.0.0.1", &vip);
	exact = test_add_svc(env, "10.0.0.1:80", "rr");
	c = test_svc_conf("10.0.0.1:0", "rr");
	c.flags = UVS_SVC_F_PERSISTENT;
	c.timeout = 360;
	assert_int_equal(uvs_svc_add(&env->m, &c, NULL), 0);
	port0 = uvs_svc_find(&env->m, &c.key);
	c = test_svc_conf("10.0.0.1:0", "rr");
	uvs_svc_key_fwmark(&c.key, AF_INET, 7);
	assert_int_equal(uvs_svc_add(&env->m, &c, NULL), 0);
	mark = uvs_svc_find(&env->m, &c.key);

	rcu_read_lock();
	found = uvs_svc_lookup(&env->m, AF_INET, IPPROTO_TCP, &vip, htons(80), 7);
	assert_ptr_equal(found, mark);
	found = uvs_svc_lookup(&env->m, AF_INET, IPPROTO_TCP, &vip, htons(80), 0);
	assert_ptr_equal(found, exact);
	found = uvs_svc_lookup(&env->m, AF_INET, IPPROTO_TCP, &vip, htons(443), 8);
	assert_ptr_equal(found, port0);
	found = uvs_svc_lookup(&env->m, AF_INET, IPPROTO_UDP, &vip, htons(80), 0);
	assert_null(found);
	found = uvs_svc_lookup(&env->m, AF_INET6, IPPROTO_TCP, &vip, htons(80), 7);
	assert_null(found);
	rcu_read_unlock();
}

/* Looks vip:port up through cache and directly; both must give want. */
static void expect_cached(struct test_env *env, struct uvs_svc_cache *cache, uint16_t port,
			  struct uvs_service *want)
{
	union uvs_addr vip;

	uvs_addr_parse(AF_INET, "10.0.0.1", &vip);
	rcu_read_lock();
	assert_ptr_equal(uvs_svc_lookup(&env->m, AF_INET, IPPROTO_TCP, &vip, htons(port), 0), want);
	assert_ptr_equal(
		uvs_svc_lookup_cached(&env->m, cache, AF_INET, IPPROTO_TCP, &vip, htons(port), 0),
		want);
	rcu_read_unlock();
}

/* A worker's cache never answers with a service that is gone or one that a newer,
 * more exact service has replaced. */
static void test_cached_lookup_follows_changes(void **state)
{
	struct test_env *env = *state;
	struct uvs_svc_cache cache;
	struct uvs_service *exact, *port0;
	struct uvs_svc_key k = test_key("10.0.0.1:80");
	struct uvs_svc_conf c = test_svc_conf("10.0.0.1:0", "rr");

	memset(&cache, 0, sizeof(cache));
	c.flags = UVS_SVC_F_PERSISTENT;
	c.timeout = 360;
	assert_int_equal(uvs_svc_add(&env->m, &c, NULL), 0);
	port0 = uvs_svc_find(&env->m, &c.key);
	/* More ports than the cache has slots, twice: hits and collisions alike. */
	for (int round = 0; round < 2; round++)
		for (uint16_t port = 1; port <= 200; port++)
			expect_cached(env, &cache, port, port0);
	expect_cached(env, &cache, 80, port0); /* now in its slot */
	exact = test_add_svc(env, "10.0.0.1:80", "rr");
	expect_cached(env, &cache, 80, exact);
	expect_cached(env, &cache, 80, exact);
	expect_cached(env, &cache, 81, port0);
	assert_int_equal(uvs_svc_del(&env->m, &k, NULL), 0);
	expect_cached(env, &cache, 80, port0);
	assert_int_equal(uvs_svc_del(&env->m, &c.key, NULL), 0);
	expect_cached(env, &cache, 80, NULL);
	expect_cached(env, &cache, 81, NULL);
}

static void test_stats_and_rates(void **state)
{
	struct test_env *env = *state;
	struct uvs_service *svc = test_add_svc(env, "10.0.0.1:80", "rr");
	struct uvs_counters c;
	struct uvs_rates r;

	/* 100 connections, 1000 packets and 64000 bytes every 2 s. */
	for (int step = 0; step < 40; step++) {
		for (int i = 0; i < 100; i++)
			uvs_stats_conn(&svc->stats, 0);
		for (int i = 0; i < 1000; i++)
			uvs_stats_in(&svc->stats, 0, 64);
		uvs_model_estimate(&env->m);
		if (step == 0) {
			/* One step: cps = (100 << 9) / 4 = 12800, shown (12800 + 511) >> 10. */
			uvs_stats_rates(&svc->stats, &r);
			assert_int_equal(svc->stats.cps, 12800);
			assert_int_equal(r.cps, 12);
			assert_int_equal(svc->stats.inbps, (64000 << 4) / 4);
		}
	}
	uvs_stats_rates(&svc->stats, &r);
	assert_int_equal(r.cps, 50);
	assert_int_equal(r.inpps, 500);
	assert_int_equal(r.inbps, 32000);
	assert_int_equal(r.outpps, 0);

	/* Traffic stops: the rates decay towards zero. */
	for (int step = 0; step < 60; step++)
		uvs_model_estimate(&env->m);
	uvs_stats_rates(&svc->stats, &r);
	assert_int_equal(r.cps, 0);
	assert_int_equal(r.inbps, 0);

	uvs_stats_read(&svc->stats, &c);
	assert_int_equal(c.conns, 4000);
	assert_int_equal(c.inbytes, 40 * 64000);
	assert_int_equal(uvs_model_zero(&env->m, &svc->key, NULL), 0);
	uvs_stats_read(&svc->stats, &c);
	assert_int_equal(c.conns, 0);
	uvs_stats_in(&svc->stats, 0, 10);
	uvs_stats_read(&svc->stats, &c);
	assert_int_equal(c.inpkts, 1);
	assert_int_equal(c.inbytes, 10);
	struct uvs_svc_key none = test_key("10.0.0.9:80");
	assert_int_equal(uvs_model_zero(&env->m, &none, NULL), -ESRCH);
}

/* uvsd's estimator tick follows run_estimation: off, the rates stay as they were; on
 * again, the first tick starts afresh, so the pause's traffic is not one step's. */
static void test_estimate_tick_run_estimation(void **state)
{
	struct test_env *env = *state;
	struct uvs_service *svc = test_add_svc(env, "10.0.0.1:80", "rr");
	struct uvs_rates r;

	for (int i = 0; i < 100; i++)
		uvs_stats_conn(&svc->stats, 0);
	uvs_model_estimate_tick(&env->m);
	assert_int_equal(svc->stats.cps, (100 << 9) / 4);

	assert_int_equal(uvs_sysctl_set(&env->m.sysctl, "run_estimation", "0", NULL), 0);
	for (int i = 0; i < 1000; i++)
		uvs_stats_conn(&svc->stats, 0);
	for (int tick = 0; tick < 5; tick++)
		uvs_model_estimate_tick(&env->m);
	assert_int_equal(svc->stats.cps, (100 << 9) / 4);

	assert_int_equal(uvs_sysctl_set(&env->m.sysctl, "run_estimation", "1", NULL), 0);
	uvs_model_estimate_tick(&env->m); /* starts afresh: the 1000 are not a step's */
	assert_int_equal(svc->stats.cps, (100 << 9) / 4);
	uvs_model_estimate_tick(&env->m); /* a step without traffic since */
	assert_int_equal(svc->stats.cps, (100 << 9) / 4 - ((100 << 9) / 4 >> 2));
	uvs_stats_rates(&svc->stats, &r);
	assert_int_equal(r.cps, 9);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_add_find_delete, test_env_setup,
						test_env_teardown),
		cmocka_unit_test_setup_teardown(test_service_errors, test_env_setup,
						test_env_teardown),
		cmocka_unit_test_setup_teardown(test_service_edit, test_env_setup,
						test_env_teardown),
		cmocka_unit_test_setup_teardown(test_dest_errors, test_env_setup,
						test_env_teardown),
		cmocka_unit_test_setup_teardown(test_dest_list_order_and_edit, test_env_setup,
						test_env_teardown),
		cmocka_unit_test_setup_teardown(test_overload_thresholds, test_env_setup,
						test_env_teardown),
		cmocka_unit_test_setup_teardown(test_counts_per_worker_slot, env_setup_3_workers,
						test_env_teardown),
		cmocka_unit_test_setup_teardown(test_counts_change_without_the_lock, test_env_setup,
						test_env_teardown),
		cmocka_unit_test_setup_teardown(test_dest_normalized, test_env_setup,
						test_env_teardown),
		cmocka_unit_test_setup_teardown(test_trash_keeps_counters, test_env_setup,
						test_env_teardown),
		cmocka_unit_test_setup_teardown(test_lookup_order, test_env_setup,
						test_env_teardown),
		cmocka_unit_test_setup_teardown(test_cached_lookup_follows_changes, test_env_setup,
						test_env_teardown),
		cmocka_unit_test_setup_teardown(test_estimate_tick_run_estimation, test_env_setup,
						test_env_teardown),
		cmocka_unit_test_setup_teardown(test_stats_and_rates, test_env_setup,
						test_env_teardown),
	};
	return cmocka_run_group_tests_name("model", tests, NULL, NULL);
}
