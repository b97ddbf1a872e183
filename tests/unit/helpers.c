// SPDX-License-Identifier: GPL-2.0-or-later
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "xmit/xmit.h"

static uvs_time_t fake_clock(void *arg)
{
	return ((struct test_env *)arg)->now;
}

void test_env_init(struct test_env *env)
{
	test_env_init_workers(env, 1);
}

void test_env_init_workers(struct test_env *env, unsigned nworkers)
{
	rcu_register_thread();
	assert_int_equal(uvs_model_init(&env->m, nworkers), 0);
	env->now = 1000 * UVS_NS_PER_SEC;
	uvs_model_set_clock(&env->m, fake_clock, env);
}

void test_env_fini(struct test_env *env)
{
	uvs_model_destroy(&env->m);
	rcu_unregister_thread();
}

int test_env_setup(void **state)
{
	struct test_env *env = test_malloc(sizeof(*env));

	test_env_init(env);
	*state = env;
	return 0;
}

int test_env_teardown(void **state)
{
	test_env_fini(*state);
	test_free(*state);
	return 0;
}

/* Splits "a.b.c.d:port" or "[v6]:port" into family, address and port. */
static void parse_addr_port(const char *text, int *af, union uvs_addr *addr, uint16_t *port)
{
	char buf[128];
	char *colon;
	const char *host = buf;

	snprintf(buf, sizeof(buf), "%s", text);
	*af = buf[0] == '[' ? AF_INET6 : AF_INET;
	colon = strrchr(buf, ':');
	*port = 0;
	if (colon && (*af == AF_INET || colon[-1] == ']')) {
		*colon = 0;
		*port = htons((uint16_t)atoi(colon + 1));
	}
	if (*af == AF_INET6) {
		host = buf + 1;
		char *end = strchr(buf, ']');
		if (end)
			*end = 0;
	}
	assert_int_equal(uvs_addr_parse(*af, host, addr), 0);
}

struct uvs_svc_key test_key(const char *addr_port)
{
	struct uvs_svc_key k;
	union uvs_addr a;
	uint16_t port;
	int af;

	parse_addr_port(addr_port, &af, &a, &port);
	uvs_svc_key_inet(&k, af, IPPROTO_TCP, &a, port);
	return k;
}

struct uvs_svc_conf test_svc_conf(const char *addr_port, const char *sched)
{
	struct uvs_svc_conf c;

	memset(&c, 0, sizeof(c));
	c.key = test_key(addr_port);
	snprintf(c.sched_name, sizeof(c.sched_name), "%s", sched);
	c.netmask = c.key.af == AF_INET6 ? 128 : 0xffffffffu;
	return c;
}

struct uvs_dest_conf test_dest_conf(const char *addr_port, int64_t w)
{
	struct uvs_dest_conf c;
	int af;

	memset(&c, 0, sizeof(c));
	parse_addr_port(addr_port, &af, &c.addr, &c.port);
	c.af = (uint16_t)af;
	c.fwd = UVS_FWD_MASQ;
	c.weight = w;
	return c;
}

struct uvs_service *test_add_svc(struct test_env *env, const char *addr_port, const char *sched)
{
	struct uvs_svc_conf c = test_svc_conf(addr_port, sched);
	struct uvs_error err = { { 0 } };

	if (uvs_svc_add(&env->m, &c, &err) != 0)
		fail_msg("adding service %s (%s): %s", addr_port, sched, err.msg);
	return uvs_svc_find(&env->m, &c.key);
}

struct uvs_dest *test_add_dest(struct test_env *env, struct uvs_service *svc, const char *addr_port,
			       int64_t weight)
{
	struct uvs_dest_conf c = test_dest_conf(addr_port, weight);
	struct uvs_error err = { { 0 } };

	if (uvs_dest_add(&env->m, &svc->key, &c, &err) != 0)
		fail_msg("adding destination %s: %s", addr_port, err.msg);
	return uvs_dest_find(svc, c.af, &c.addr, c.port);
}

void test_set_weight(struct test_env *env, struct uvs_service *svc, struct uvs_dest *d,
		     int64_t weight)
{
	struct uvs_dest_conf c = d->conf;
	struct uvs_error err = { { 0 } };

	c.weight = weight;
	if (uvs_dest_edit(&env->m, &svc->key, &c, &err) != 0)
		fail_msg("setting weight %lld: %s", (long long)weight, err.msg);
}

struct uvs_dest *test_pick(struct uvs_service *svc, const char *client, uint32_t conn_flags)
{
	struct uvs_sched_pkt pkt;
	struct uvs_dest *d;
	int af;

	memset(&pkt, 0, sizeof(pkt));
	parse_addr_port(client, &af, &pkt.saddr, &pkt.sport);
	pkt.af = (uint16_t)af;
	pkt.protocol = IPPROTO_TCP;
	pkt.daddr = svc->key.addr;
	pkt.dport = svc->key.port;
	rcu_read_lock();
	d = uvs_svc_schedule(svc, &pkt, 0, conn_flags);
	rcu_read_unlock();
	return d;
}

int test_dest_id(const struct uvs_dest *d)
{
	if (!d)
		return -1;
	return d->conf.af == AF_INET6 ? d->conf.addr.ip6[15] : (int)(ntohl(d->conf.addr.ip) & 0xff);
}

int test_route_one_link(void *arg, int af, const union uvs_addr *nh, struct uvs_route *r)
{
	(void)arg, (void)af;
	memset(r, 0, sizeof(*r));
	r->ifindex = 2;
	r->mtu = 1500;
	r->src = *nh;
	return 0;
}
