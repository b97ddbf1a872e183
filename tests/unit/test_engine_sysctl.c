// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The IPVS sysctls the frame path acts on, set as uvsadm and the preload library set
 * them: SET_SYSCTL requests to a control server over the engine's model. Each change
 * applies to the next packet: expire_nodest_conn, conn_reuse_mode (both bits),
 * sloppy_tcp, expire_quiescent_template.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/server.h"
#include "engine_fixture.h"

struct fixture {
	struct eng_fixture *eng;
	struct uvs_ctl_server *srv;
};

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	struct uvs_error err;
	void *eng;

	eng_setup(&eng);
	fx->eng = eng;
	struct uvs_ctl_config c = { .group = (gid_t)-1, .model = &fx->eng->env.m };
	if (uvs_ctl_server_open(&fx->srv, &c, &err))
		fail_msg("server: %s", err.msg);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	void *eng = fx->eng;

	uvs_ctl_server_close(fx->srv);
	eng_teardown(&eng);
	free(fx);
	return 0;
}

/* The error of the NLMSG_ERROR among a reply's messages (0: an ack; 1: none seen). */
static void take_result(void *arg, const void *buf, size_t len)
{
	const struct nlmsghdr *nlh = buf;
	int rem = (int)len;

	for (; mnl_nlmsg_ok(nlh, rem); nlh = mnl_nlmsg_next(nlh, &rem))
		if (nlh->nlmsg_type == NLMSG_ERROR)
			*(int *)arg = ((const struct nlmsgerr *)mnl_nlmsg_get_payload(nlh))->error;
}

/* SET_SYSCTL name=value through the server; returns its answer (0 or -errno). */
static int ctl_set(struct fixture *fx, const char *name, const char *value)
{
	union {
		char buf[512];
		uint64_t align_;
	} req;
	struct uvs_ctl_msg w;
	int result = 1;

	uvs_ctl_msg_start(&w, req.buf, sizeof(req.buf), NLM_F_REQUEST | NLM_F_ACK, 7,
			  UVS_CMD_SET_SYSCTL);
	uvs_ctl_put_sysctl(&w, name, value);
	assert_false(w.full);
	uvs_ctl_server_feed(fx->srv, req.buf, w.nlh->nlmsg_len, take_result, &result);
	assert_int_not_equal(result, 1);
	return result;
}

/* The real server a frame sent by DR went to: the last byte of its MAC. */
static int dr_target(struct fixture *fx)
{
	return fx->eng->f.data[5];
}

/* A connection whose real server was deleted: dropped packets keep it by default;
 * with expire_nodest_conn its next packet ends it. */
static void test_expire_nodest_conn(void **state)
{
	struct fixture *fx = *state;
	struct eng_fixture *e = fx->eng;
	struct uvs_service *svc = test_add_svc(&e->env, "10.0.0.1:80", "rr");
	struct uvs_dest *d = eng_add_dest(e, svc, "192.168.0.11:80", 1, UVS_FWD_MASQ);
	struct frame_spec s = frame_tcp("172.16.0.5", 40000, "10.0.0.1", 80, TH_SYN);
	struct uvs_dest_conf dc = d->conf;

	assert_int_equal(eng_send(e, &s), UVS_VERDICT_TX);
	assert_int_equal(uvs_dest_del(&e->env.m, &svc->key, AF_INET, &dc.addr, dc.port, NULL), 0);
	s.tcp_flags = TH_ACK;
	assert_int_equal(eng_send(e, &s), UVS_VERDICT_DROP);
	assert_int_equal(e->f.reason, UVS_R_NODEST_CONN);
	assert_int_equal(uvs_engine_conn_count(&e->e), 1);

	assert_int_equal(ctl_set(fx, "net.ipv4.vs.expire_nodest_conn", "1"), 0);
	assert_int_equal(eng_send(e, &s), UVS_VERDICT_DROP);
	assert_int_equal(e->f.reason, UVS_R_NODEST_CONN);
	assert_int_equal(uvs_engine_conn_count(&e->e), 0);
	/* Its next packet finds no connection at all. */
	assert_int_equal(eng_send(e, &s), UVS_VERDICT_PASS);
	assert_int_equal(e->f.reason, UVS_R_NO_CONN);
}

/* DR: SYN, ACK, RST leave the entry in CLOSE. A new SYN from the same port is
 * scheduled anew with conn_reuse_mode 1 (the default), goes on the old entry with 0. */
static void test_conn_reuse_mode_off_and_on(void **state)
{
	struct fixture *fx = *state;
	struct eng_fixture *e = fx->eng;
	struct uvs_service *svc = test_add_svc(&e->env, "10.0.0.1:80", "rr");
	struct frame_spec s = frame_tcp("172.16.0.5", 40000, "10.0.0.1", 80, TH_SYN);
	int first;

	eng_add_dest(e, svc, "192.168.0.11:80", 1, UVS_FWD_DROUTE);
	eng_add_dest(e, svc, "192.168.0.12:80", 1, UVS_FWD_DROUTE);
	assert_int_equal(ctl_set(fx, "conn_reuse_mode", "0"), 0);
	assert_int_equal(eng_send(e, &s), UVS_VERDICT_TX);
	first = dr_target(fx);
	s.tcp_flags = TH_ACK;
	eng_send(e, &s);
	s.tcp_flags = TH_RST;
	eng_send(e, &s);
	s.tcp_flags = TH_SYN;
	assert_int_equal(eng_send(e, &s), UVS_VERDICT_TX);
	assert_int_equal(dr_target(fx), first); /* the same entry, the same server */

	assert_int_equal(ctl_set(fx, "conn_reuse_mode", "1"), 0);
	s.tcp_flags = TH_ACK; /* from SYN_RECV back to ESTABLISHED, then CLOSE */
	eng_send(e, &s);
	s.tcp_flags = TH_RST;
	eng_send(e, &s);
	s.tcp_flags = TH_SYN;
	assert_int_equal(eng_send(e, &s), UVS_VERDICT_TX);
	assert_int_not_equal(dr_target(fx), first); /* rescheduled: rr's other server */
	assert_int_equal(uvs_engine_conn_count(&e->e), 1);
}

/* DR sees only the client: its FIN leaves the entry in FIN_WAIT with no reply seen.
 * A SYN then is a reuse only with conn_reuse_mode's bit 2. */
static void test_conn_reuse_mode_fin_wait(void **state)
{
	struct fixture *fx = *state;
	struct eng_fixture *e = fx->eng;
	struct uvs_service *svc = test_add_svc(&e->env, "10.0.0.1:80", "rr");
	int first;

	eng_add_dest(e, svc, "192.168.0.11:80", 1, UVS_FWD_DROUTE);
	eng_add_dest(e, svc, "192.168.0.12:80", 1, UVS_FWD_DROUTE);
	for (uint16_t port = 40000; port <= 40001; port++) {
		struct frame_spec s = frame_tcp("172.16.0.5", port, "10.0.0.1", 80, TH_SYN);
		assert_int_equal(eng_send(e, &s), UVS_VERDICT_TX);
		first = dr_target(fx);
		s.tcp_flags = TH_ACK;
		eng_send(e, &s);
		s.tcp_flags = TH_FIN | TH_ACK;
		eng_send(e, &s);
		union uvs_addr client, vip;
		uvs_addr_parse(AF_INET, "172.16.0.5", &client);
		uvs_addr_parse(AF_INET, "10.0.0.1", &vip);
		struct uvs_conn *c = uvs_conn_in_get(&e->e.conns, AF_INET, IPPROTO_TCP, &client,
						     htons(port), &vip, htons(80), false);
		assert_non_null(c);
		assert_int_equal(c->state, UVS_TCP_S_FIN_WAIT);
		if (port == 40001)
			assert_int_equal(ctl_set(fx, "conn_reuse_mode", "2"), 0);
		s.tcp_flags = TH_SYN;
		assert_int_equal(eng_send(e, &s), UVS_VERDICT_TX);
		if (port == 40000)
			assert_int_equal(dr_target(fx), first); /* mode 1: the old entry */
		else
			assert_int_not_equal(dr_target(fx), first); /* mode 2: scheduled anew */
	}
	assert_int_equal(uvs_engine_conn_count(&e->e), 2);
}

/* With sloppy_tcp any TCP packet but a RST may start a connection. */
static void test_sloppy_tcp(void **state)
{
	struct fixture *fx = *state;
	struct eng_fixture *e = fx->eng;
	struct uvs_service *svc = test_add_svc(&e->env, "10.0.0.1:80", "rr");
	struct frame_spec s = frame_tcp("172.16.0.5", 40000, "10.0.0.1", 80, TH_ACK);

	eng_add_dest(e, svc, "192.168.0.11:80", 1, UVS_FWD_MASQ);
	assert_int_equal(eng_send(e, &s), UVS_VERDICT_PASS);
	assert_int_equal(e->f.reason, UVS_R_NO_CONN);
	assert_int_equal(ctl_set(fx, "sloppy_tcp", "1"), 0);
	assert_int_equal(eng_send(e, &s), UVS_VERDICT_TX);
	eng_assert_addr(AF_INET, &e->out.daddr, "192.168.0.11");
	s.tcp_flags = TH_RST;
	s.sport = 40001;
	assert_int_equal(eng_send(e, &s), UVS_VERDICT_PASS);
}

/* A persistent client whose real server goes to weight 0 stays with it; with
 * expire_quiescent_template its template ends and it is scheduled elsewhere. */
static void test_expire_quiescent_template(void **state)
{
	struct fixture *fx = *state;
	struct eng_fixture *e = fx->eng;
	struct uvs_svc_conf sc = test_svc_conf("10.0.0.1:80", "rr");

	sc.flags |= UVS_SVC_F_PERSISTENT;
	sc.timeout = 300;
	sc.netmask = htonl(0xffffffff);
	assert_int_equal(uvs_svc_add(&e->env.m, &sc, NULL), 0);
	struct uvs_service *svc = uvs_svc_find(&e->env.m, &sc.key);
	struct uvs_dest *a = eng_add_dest(e, svc, "192.168.0.11:80", 1, UVS_FWD_MASQ);
	struct uvs_dest *b = eng_add_dest(e, svc, "192.168.0.12:80", 1, UVS_FWD_MASQ);
	struct frame_spec s = frame_tcp("172.16.0.5", 40000, "10.0.0.1", 80, TH_SYN);

	assert_int_equal(eng_send(e, &s), UVS_VERDICT_TX);
	struct uvs_dest *used = e->out.daddr.ip6[3] == 11 ? a : b;
	test_set_weight(&e->env, svc, used, 0);
	s.sport = 40001;
	assert_int_equal(eng_send(e, &s), UVS_VERDICT_TX);
	assert_int_equal(e->out.daddr.ip6[3], test_dest_id(used));
	assert_int_equal(ctl_set(fx, "expire_quiescent_template", "1"), 0);
	s.sport = 40002;
	assert_int_equal(eng_send(e, &s), UVS_VERDICT_TX);
	assert_int_not_equal(e->out.daddr.ip6[3], test_dest_id(used));
}

/* A refused write changes nothing the engine reads. */
static void test_refused_write_changes_nothing(void **state)
{
	struct fixture *fx = *state;
	struct uvs_sysctl before;

	memcpy(&before, &fx->eng->env.m.sysctl, sizeof(before));
	assert_int_equal(ctl_set(fx, "conntrack", "1"), -ENOENT);
	assert_int_equal(ctl_set(fx, "expire_nodest_conn", "1x"), -EINVAL);
	assert_int_equal(ctl_set(fx, "secure_tcp", "4"), -EINVAL);
	assert_memory_equal(&before, &fx->eng->env.m.sysctl, sizeof(before));
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_expire_nodest_conn),	   T(test_conn_reuse_mode_off_and_on),
		T(test_conn_reuse_mode_fin_wait),  T(test_sloppy_tcp),
		T(test_expire_quiescent_template), T(test_refused_write_changes_nothing),
	};
#undef T
	return cmocka_run_group_tests_name("engine_sysctl", tests, NULL, NULL);
}
