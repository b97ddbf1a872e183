// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The FTP helper in the engine (core/ftp.h), where the packet fixtures do not reach:
 * a data connection the table has no room for, a rewritten reply too big for the
 * path, a control connection kept while a data connection it made lives (the
 * kernel's rule for any connection that controls others), the sequence state the
 * sync daemon carries, and connections the helper does not serve.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <netinet/tcp.h>
#include <string.h>

#include "engine_fixture.h"

#define CLIENT "172.16.0.5"

static int send_text(struct eng_fixture *fx, const char *src, uint16_t sport, const char *dst,
		     uint16_t dport, const char *text)
{
	struct frame_spec s = frame_tcp(src, sport, dst, dport, TH_ACK | TH_PUSH);

	s.payload = (const uint8_t *)text;
	s.payload_len = strlen(text);
	return eng_send(fx, &s);
}

static int send_flags(struct eng_fixture *fx, const char *src, uint16_t sport, const char *dst,
		      uint16_t dport, uint8_t flags)
{
	struct frame_spec s = frame_tcp(src, sport, dst, dport, flags);

	return eng_send(fx, &s);
}

/* A control connection from CLIENT:cport to vip:21 on real server rs:21, ESTABLISHED. */
static void open_control(struct eng_fixture *fx, uint16_t cport, const char *vip, const char *rs)
{
	assert_int_equal(send_flags(fx, CLIENT, cport, vip, 21, TH_SYN), UVS_VERDICT_TX);
	assert_int_equal(send_flags(fx, rs, 21, CLIENT, cport, TH_SYN | TH_ACK), UVS_VERDICT_TX);
	assert_int_equal(send_flags(fx, CLIENT, cport, vip, 21, TH_ACK), UVS_VERDICT_TX);
}

/* The payload of the frame the engine sent, as text of its length. */
static void assert_sent_text(struct eng_fixture *fx, const char *want)
{
	const uint8_t *th = fx->out.frame + fx->out.l4_off;
	uint32_t hlen = (uint32_t)(th[offsetof(struct tcphdr, th_flags) - 1] >> 4) * 4;

	assert_int_equal(fx->out.l4_len - hlen, strlen(want));
	assert_memory_equal(th + hlen, want, strlen(want));
}

static struct uvs_conn *control_conn(struct eng_fixture *fx, uint16_t cport, const char *vip)
{
	union uvs_addr c, v;

	uvs_addr_parse(AF_INET, CLIENT, &c);
	uvs_addr_parse(AF_INET, vip, &v);
	return uvs_conn_in_get(&fx->e.conns, AF_INET, IPPROTO_TCP, &c, htons(cport), &v, htons(21),
			       false);
}

/* No room in the table for the data connection: the 227 is dropped, as the kernel
 * drops it when ip_vs_conn_new() fails. */
static void test_table_full(void **state)
{
	struct eng_fixture *fx = *state; /* a table of 2 */
	struct uvs_service *svc = test_add_svc(&fx->env, "10.0.0.1:21", "rr");

	eng_add_dest(fx, svc, "192.168.0.11:21", 1, UVS_FWD_MASQ);
	open_control(fx, 40001, "10.0.0.1", "192.168.0.11");
	assert_int_equal(send_text(fx, CLIENT, 40001, "10.0.0.1", 21, "PASV\r\n"), UVS_VERDICT_TX);
	assert_int_equal(send_text(fx, "192.168.0.11", 21, CLIENT, 40001,
				   "227 Entering Passive Mode (192,168,0,11,195,80).\r\n"),
			 UVS_VERDICT_TX);
	assert_sent_text(fx, "227 Entering Passive Mode (10,0,0,1,195,80).\r\n");
	assert_int_equal(uvs_engine_conn_count(&fx->e), 2);
	assert_int_equal(send_text(fx, CLIENT, 40001, "10.0.0.1", 21, "PASV\r\n"), UVS_VERDICT_TX);
	assert_int_equal(send_text(fx, "192.168.0.11", 21, CLIENT, 40001,
				   "227 Entering Passive Mode (192,168,0,11,195,81).\r\n"),
			 UVS_VERDICT_DROP);
	assert_int_equal(fx->f.reason, UVS_R_FTP_NO_CONN);
	/* A PORT likewise. */
	assert_int_equal(send_text(fx, CLIENT, 40001, "10.0.0.1", 21, "PORT 172,16,0,5,195,83\r\n"),
			 UVS_VERDICT_DROP);
	assert_int_equal(fx->f.reason, UVS_R_FTP_NO_CONN);
	assert_int_equal(eng_counter(fx, UVS_R_FTP_NO_CONN), 2);
	assert_int_equal(eng_counter(fx, UVS_R_FTP_REWRITTEN), 1);
	assert_int_equal(uvs_engine_conn_count(&fx->e), 2);
}

/* A 227 that grows past the path's MTU (DF set) is dropped, not sent too big. */
static void test_too_big(void **state)
{
	struct eng_fixture *fx = *state;
	struct uvs_service *svc = test_add_svc(&fx->env, "10.100.100.100:21", "rr");
	const char *reply = "227 Entering Passive Mode (192,168,0,11,195,80).\r\n";
	const char *sent = "227 Entering Passive Mode (10,100,100,100,195,80).\r\n";
	uint32_t len = 20 + 20 + (uint32_t)strlen(reply);

	eng_add_dest(fx, svc, "192.168.0.11:21", 1, UVS_FWD_MASQ);
	open_control(fx, 40001, "10.100.100.100", "192.168.0.11");
	assert_int_equal(send_text(fx, CLIENT, 40001, "10.100.100.100", 21, "PASV\r\n"),
			 UVS_VERDICT_TX);
	fx->mtu = len + 1; /* fits as it is, not 2 bytes longer */
	assert_int_equal(send_text(fx, "192.168.0.11", 21, CLIENT, 40001, reply), UVS_VERDICT_DROP);
	assert_int_equal(fx->f.reason, UVS_R_FTP_NO_ROOM);
	fx->mtu = len + 2;
	assert_int_equal(send_text(fx, CLIENT, 40001, "10.100.100.100", 21, "PASV\r\n"),
			 UVS_VERDICT_TX);
	assert_int_equal(send_text(fx, "192.168.0.11", 21, CLIENT, 40001, reply), UVS_VERDICT_TX);
	assert_sent_text(fx, sent);
	assert_int_equal(fx->out.l3_len, len + 2);
	assert_int_equal(eng_counter(fx, UVS_R_FTP_NO_ROOM), 1);
}

/* The control connection stays while a data connection it made lives: closed by a
 * RST (10 s), it still carries packets 30 s later; once the data connection has
 * expired (LISTEN, 120 s) it goes, 60 s after its last re-arming. */
static void test_control_outlives_its_timeout(void **state)
{
	struct eng_fixture *fx = *state;
	struct uvs_service *svc = test_add_svc(&fx->env, "10.0.0.1:21", "rr");

	eng_add_dest(fx, svc, "192.168.0.11:21", 1, UVS_FWD_MASQ);
	open_control(fx, 40001, "10.0.0.1", "192.168.0.11");
	assert_int_equal(send_text(fx, CLIENT, 40001, "10.0.0.1", 21, "PASV\r\n"), UVS_VERDICT_TX);
	assert_int_equal(send_text(fx, "192.168.0.11", 21, CLIENT, 40001,
				   "227 Entering Passive Mode (192,168,0,11,195,80).\r\n"),
			 UVS_VERDICT_TX);
	assert_int_equal(send_flags(fx, CLIENT, 40001, "10.0.0.1", 21, TH_RST), UVS_VERDICT_TX);
	fx->env.now += 30 * S;
	assert_int_equal(send_flags(fx, CLIENT, 40001, "10.0.0.1", 21, TH_ACK), UVS_VERDICT_TX);
	/* At 130 s the data connection has gone; the control connection, re-armed for
	 * 60 s from then, goes when that runs out. */
	fx->env.now += 100 * S;
	uvs_worker_timers(&fx->w, fx->env.now);
	assert_int_equal(uvs_engine_conn_count(&fx->e), 1);
	fx->env.now += 70 * S;
	assert_int_equal(send_flags(fx, CLIENT, 40001, "10.0.0.1", 21, TH_ACK), UVS_VERDICT_PASS);
	assert_int_equal(fx->f.reason, UVS_R_NO_CONN);
	assert_int_equal(uvs_engine_conn_count(&fx->e), 0);
}

/* What the sync daemon reads and writes: the kernel's two ip_vs_seq and their flags. */
static void test_seq_state(void **state)
{
	struct eng_fixture *fx = *state;
	struct uvs_service *svc = test_add_svc(&fx->env, "10.100.100.100:21", "rr");
	struct uvs_seq in, out, in2 = { 7, 8, 9 }, out2 = { 10, 11, 12 };
	struct uvs_conn *c;
	uint16_t flags;

	eng_add_dest(fx, svc, "192.168.0.11:21", 1, UVS_FWD_MASQ);
	open_control(fx, 40001, "10.100.100.100", "192.168.0.11");
	rcu_read_lock();
	c = control_conn(fx, 40001, "10.100.100.100");
	assert_non_null(c);
	assert_false(uvs_conn_seq_get(c, &flags, &in, &out));
	assert_int_equal(flags, 0);
	rcu_read_unlock();
	assert_int_equal(send_text(fx, CLIENT, 40001, "10.100.100.100", 21, "PASV\r\n"),
			 UVS_VERDICT_TX);
	assert_int_equal(send_text(fx, "192.168.0.11", 21, CLIENT, 40001,
				   "227 Entering Passive Mode (192,168,0,11,195,80).\r\n"),
			 UVS_VERDICT_TX);
	rcu_read_lock();
	assert_true(uvs_conn_seq_get(c, &flags, &in, &out));
	assert_int_equal(flags, UVS_CONN_F_OUT_SEQ);
	assert_int_equal(out.delta, 2); /* "10,100,100,100" for "192,168,0,11" */
	assert_int_equal(out.previous_delta, 0);
	assert_int_equal(out.init_seq, 0x10000000); /* the test frames' sequence number */
	assert_int_equal(in.delta, 0);
	/* A backup's connection takes what its master sent. */
	assert_true(uvs_conn_seq_set(c, UVS_CONN_F_SEQ_MASK, &in2, &out2));
	assert_true(uvs_conn_seq_get(c, &flags, &in, &out));
	assert_int_equal(flags, UVS_CONN_F_SEQ_MASK);
	assert_memory_equal(&in, &in2, sizeof(in));
	assert_memory_equal(&out, &out2, sizeof(out));
	rcu_read_unlock();
}

/* Not served: a NAT service on another port, and a direct-routing one on port 21. */
static void test_not_served(void **state)
{
	struct eng_fixture *fx = *state;
	struct uvs_service *web = test_add_svc(&fx->env, "10.0.0.1:80", "rr");
	struct uvs_service *dr = test_add_svc(&fx->env, "10.0.0.2:21", "rr");
	const char *reply = "227 Entering Passive Mode (192,168,0,11,195,80).\r\n";
	struct uvs_conn *c;

	eng_add_dest(fx, web, "192.168.0.11:80", 1, UVS_FWD_MASQ);
	eng_add_dest(fx, dr, "192.168.0.12:21", 1, UVS_FWD_DROUTE);
	assert_int_equal(send_flags(fx, CLIENT, 40001, "10.0.0.1", 80, TH_SYN), UVS_VERDICT_TX);
	assert_int_equal(send_flags(fx, "192.168.0.11", 80, CLIENT, 40001, TH_SYN | TH_ACK),
			 UVS_VERDICT_TX);
	assert_int_equal(send_text(fx, CLIENT, 40001, "10.0.0.1", 80, "PASV\r\n"), UVS_VERDICT_TX);
	assert_int_equal(send_text(fx, "192.168.0.11", 80, CLIENT, 40001, reply), UVS_VERDICT_TX);
	assert_sent_text(fx, reply);
	assert_int_equal(send_flags(fx, CLIENT, 40002, "10.0.0.2", 21, TH_SYN), UVS_VERDICT_TX);
	rcu_read_lock();
	c = control_conn(fx, 40002, "10.0.0.2");
	assert_non_null(c);
	assert_false(uvs_conn_flags(c) & UVS_CONN_F_APP);
	rcu_read_unlock();
	assert_int_equal(eng_counter(fx, UVS_R_FTP_REWRITTEN), 0);
	assert_int_equal(eng_counter(fx, UVS_R_FTP_DATA_CONN), 0);
}

/* FTP by direct routing with persistence: a passive data connection finds the port-21
 * service and its template, and keeps its own port (ip_vs_sched_persist() takes the
 * real server's port only for the service's own). */
static void test_dr_data_port(void **state)
{
	struct eng_fixture *fx = *state;
	struct uvs_svc_conf sc = test_svc_conf("10.0.0.3:21", "rr");
	struct uvs_service *svc;
	union uvs_addr c, v;
	struct uvs_conn *data;

	sc.flags |= UVS_SVC_F_PERSISTENT;
	sc.timeout = 300;
	assert_int_equal(uvs_svc_add(&fx->env.m, &sc, NULL), 0);
	svc = uvs_svc_find(&fx->env.m, &sc.key);
	eng_add_dest(fx, svc, "192.168.0.13:21", 1, UVS_FWD_DROUTE);
	eng_add_dest(fx, svc, "192.168.0.14:21", 1, UVS_FWD_DROUTE);
	assert_int_equal(send_flags(fx, CLIENT, 40001, "10.0.0.3", 21, TH_SYN), UVS_VERDICT_TX);
	assert_int_equal(send_flags(fx, CLIENT, 40002, "10.0.0.3", 50000, TH_SYN), UVS_VERDICT_TX);
	uvs_addr_parse(AF_INET, CLIENT, &c);
	uvs_addr_parse(AF_INET, "10.0.0.3", &v);
	rcu_read_lock();
	data = uvs_conn_in_get(&fx->e.conns, AF_INET, IPPROTO_TCP, &c, htons(40002), &v,
			       htons(50000), false);
	assert_non_null(data);
	assert_int_equal(ntohs(data->dport), 50000);
	assert_ptr_equal(data->dest, control_conn(fx, 40001, "10.0.0.3")->dest);
	rcu_read_unlock();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_table_full, eng_setup_small, eng_teardown),
		cmocka_unit_test_setup_teardown(test_too_big, eng_setup, eng_teardown),
		cmocka_unit_test_setup_teardown(test_control_outlives_its_timeout, eng_setup,
						eng_teardown),
		cmocka_unit_test_setup_teardown(test_seq_state, eng_setup, eng_teardown),
		cmocka_unit_test_setup_teardown(test_not_served, eng_setup, eng_teardown),
		cmocka_unit_test_setup_teardown(test_dr_data_port, eng_setup, eng_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
