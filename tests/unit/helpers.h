/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared test scaffolding: a model with a fake clock, and short ways to add services
 * and destinations from text. Include after <cmocka.h>. */
#ifndef UVS_TEST_HELPERS_H
#define UVS_TEST_HELPERS_H

#include <netinet/in.h>

#include "core/model.h"
#include "sched/sched.h"

struct test_env {
	struct uvs_model m;
	uvs_time_t now;
};

/* Sets up env with one stats slot and a clock that reads env->now. The calling thread
 * is registered with RCU. */
void test_env_init(struct test_env *env);
/* The same with nworkers stats slots per object. */
void test_env_init_workers(struct test_env *env, unsigned nworkers);
void test_env_fini(struct test_env *env);
/* cmocka setup and teardown of a test_env (test_env_init's) as the test's state. */
int test_env_setup(void **state);
int test_env_teardown(void **state);

struct uvs_route;

/* An engine's route callback for tests that look at no next hop: every address on
 * link 2 (MTU 1500), itself the next hop and the source; returns 0. */
int test_route_one_link(void *arg, int af, const union uvs_addr *nh, struct uvs_route *r);

/* A TCP service key from "addr:port" text ("[v6]:port" for IPv6). */
struct uvs_svc_key test_key(const char *addr_port);
/* A service conf with ipvsadm's defaults for key and scheduler sched. */
struct uvs_svc_conf test_svc_conf(const char *addr_port, const char *sched);
/* A destination conf for "addr:port" with weight w (masquerading). */
struct uvs_dest_conf test_dest_conf(const char *addr_port, int64_t w);

/* Adds a service; asserts success. Returns it. */
struct uvs_service *test_add_svc(struct test_env *env, const char *addr_port, const char *sched);
/* Adds a destination to svc; asserts success. Returns it. */
struct uvs_dest *test_add_dest(struct test_env *env, struct uvs_service *svc, const char *addr_port,
			       int64_t weight);
/* Sets a destination's weight; asserts success. */
void test_set_weight(struct test_env *env, struct uvs_service *svc, struct uvs_dest *d,
		     int64_t weight);

/* Schedules one new connection from client "addr:port" (active unless flags say
 * otherwise) and returns the destination, NULL if none. The connection stays bound. */
struct uvs_dest *test_pick(struct uvs_service *svc, const char *client, uint32_t conn_flags);

/* The last octet (IPv4) or last byte (IPv6) of d's address: a short name in tests. */
int test_dest_id(const struct uvs_dest *d);

#endif
