// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The sync daemons' send and receive paths without their sockets (src/sync/tx.c,
 * rx.c): a master's messages fill to sync_maxlen and go, a partial one after 2 s; one
 * the socket has no room for waits, up to sync_qlen_max; the sync_version switch;
 * sync_ports; and director a's packets become messages that make director b forward
 * the connection, every outcome of the receiver counted.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>

#include "sync/rx.h"
#include "sync/tx.h"
#include "sync_fixture.h"

#define CLIENT "172.16.0.5"
#define VIP    "10.0.0.1"
#define RS1    "192.168.0.11"

/* What the sender saw: the messages, by port, and what it answers. */
struct sent {
	unsigned n;
	unsigned port[64];
	size_t len[64];
	uint8_t msg[64][1500 + UVS_SYNC_MSG_MIN];
	int answer; /* 0, or the error every send gets */
};

static int capture(void *arg, unsigned port, const void *buf, size_t len)
{
	struct sent *s = arg;

	if (s->answer)
		return s->answer;
	assert_true(s->n < 64);
	s->port[s->n] = port;
	s->len[s->n] = len;
	memcpy(s->msg[s->n++], buf, len);
	return 0;
}

static struct uvs_sync_tx *tx_for(struct sync_fixture *fx, struct sent *s, unsigned nports,
				  size_t maxlen)
{
	struct uvs_sync_tx_config c = {
		.engine = &fx->a.e,
		.nports = nports,
		.maxlen = maxlen,
		.syncid = 9,
		.send = capture,
		.send_arg = s,
	};
	struct uvs_sync_tx *tx;

	assert_int_equal(uvs_sync_tx_create(&c, &tx), 0);
	return tx;
}

static struct uvs_sync_conn conn(int i, int af)
{
	struct uvs_sync_conn e = {
		.af = (uint8_t)af,
		.protocol = IPPROTO_TCP,
		.cport = htons((uint16_t)(20000 + i)),
		.vport = htons(80),
		.dport = htons(80),
		.state = UVS_TCP_S_ESTABLISHED,
		.timeout = 900,
	};

	uvs_addr_parse(af, af == AF_INET ? CLIENT : "2001:db8:c::2", &e.caddr);
	uvs_addr_parse(af, af == AF_INET ? VIP : "2001:db8:f::1", &e.vaddr);
	uvs_addr_parse(af, af == AF_INET ? RS1 : "2001:db8:1::11", &e.daddr);
	return e;
}

static unsigned records_in(const uint8_t *msg, size_t len, int *version)
{
	struct uvs_sync_reader rd;
	struct uvs_sync_record r;
	enum uvs_sync_read_error err;
	unsigned n = 0;

	assert_int_equal(uvs_sync_msg_open(&rd, msg, len, 9), UVS_SYNC_READ_OK);
	*version = rd.version;
	while (uvs_sync_msg_next(&rd, &r, &err) == UVS_SYNC_RECORD)
		n++;
	assert_int_equal(err, UVS_SYNC_READ_OK);
	return n;
}

static uint64_t tx_counter(struct uvs_sync_tx *tx, enum uvs_sync_tx_counter i)
{
	uint64_t c[UVS_SYNC_TX_COUNT];

	uvs_sync_tx_counters(tx, c);
	return c[i];
}

/* 40 records fill a 1472-byte message, which goes at once; the rest after 2 s. */
static void test_full_and_flushed(void **state)
{
	struct sync_fixture *fx = *state;
	struct sent *s = calloc(1, sizeof(*s));
	struct uvs_sync_tx *tx = tx_for(fx, s, 1, 1472);
	uvs_time_t t0 = fx->env.now;
	int version;

	for (int i = 0; i < 45; i++) {
		struct uvs_sync_conn e = conn(i, AF_INET);
		uvs_sync_tx_add(tx, &e, t0);
	}
	assert_int_equal(s->n, 1);
	assert_int_equal(s->len[0], 8 + 40 * 36);
	assert_int_equal(records_in(s->msg[0], s->len[0], &version), 40);
	assert_int_equal(version, 1);
	assert_int_equal(uvs_sync_tx_run(tx, NULL, t0 + S), S);
	assert_int_equal(s->n, 1);
	assert_int_equal(uvs_sync_tx_run(tx, NULL, t0 + 2 * S), UINT64_MAX);
	assert_int_equal(s->n, 2);
	assert_int_equal(records_in(s->msg[1], s->len[1], &version), 5);
	assert_int_equal(tx_counter(tx, UVS_SYNC_TX_MSGS), 2);
	assert_int_equal(tx_counter(tx, UVS_SYNC_TX_CONNS), 45);
	uvs_sync_tx_free(tx);
	free(s);
}

/* A socket without room: messages wait, in order, up to sync_qlen_max; an error drops
 * the message. */
static void test_waiting_and_qlen(void **state)
{
	struct sync_fixture *fx = *state;
	struct sent *s = calloc(1, sizeof(*s));
	struct uvs_sync_tx *tx = tx_for(fx, s, 1, 8 + 36);
	struct uvs_error err;

	assert_int_equal(uvs_sysctl_set(&fx->a.m->sysctl, "sync_qlen_max", "2", &err), 0);
	s->answer = -EAGAIN;
	/* One record a message: two wait, the third is dropped, the fourth is filling. */
	for (int i = 0; i < 4; i++) {
		struct uvs_sync_conn e = conn(i, AF_INET);
		uvs_sync_tx_add(tx, &e, fx->env.now);
	}
	assert_true(uvs_sync_tx_waiting(tx));
	assert_int_equal(tx_counter(tx, UVS_SYNC_TX_DROPPED), 1);
	s->answer = 0;
	uvs_sync_tx_run(tx, NULL, fx->env.now);
	assert_false(uvs_sync_tx_waiting(tx));
	assert_int_equal(s->n, 2);
	assert_int_equal(s->msg[0][8 + 11], 20000 % 256 + 0); /* cport 20000 first */
	assert_int_equal(s->msg[1][8 + 11], (20001) % 256);
	s->answer = -EPERM;
	uvs_sync_tx_flush(tx); /* the 4th */
	assert_int_equal(tx_counter(tx, UVS_SYNC_TX_ERRORS), 1);
	assert_int_equal(tx_counter(tx, UVS_SYNC_TX_MSGS), 2);
	uvs_sync_tx_free(tx);
	free(s);
}

/* sync_version 0 starts a message of its own and carries no IPv6. */
static void test_version_switch(void **state)
{
	struct sync_fixture *fx = *state;
	struct sent *s = calloc(1, sizeof(*s));
	struct uvs_sync_tx *tx = tx_for(fx, s, 1, 1472);
	struct uvs_sync_conn e4 = conn(1, AF_INET), e6 = conn(2, AF_INET6);
	struct uvs_error err;
	int version;

	uvs_sync_tx_add(tx, &e4, fx->env.now);
	uvs_sync_tx_add(tx, &e6, fx->env.now);
	assert_int_equal(uvs_sysctl_set(&fx->a.m->sysctl, "sync_version", "0", &err), 0);
	uvs_sync_tx_add(tx, &e4, fx->env.now);
	uvs_sync_tx_add(tx, &e6, fx->env.now);
	assert_int_equal(s->n, 1);
	assert_int_equal(records_in(s->msg[0], s->len[0], &version), 2);
	assert_int_equal(version, 1);
	uvs_sync_tx_flush(tx);
	assert_int_equal(s->n, 2);
	assert_int_equal(records_in(s->msg[1], s->len[1], &version), 1);
	assert_int_equal(version, 0);
	assert_int_equal(tx_counter(tx, UVS_SYNC_TX_V0_IPV6), 1);
	uvs_sync_tx_free(tx);
	free(s);
}

/* sync_ports: each connection's entries always on one port, the ports all used. */
static void test_ports(void **state)
{
	struct sync_fixture *fx = *state;
	struct sent *s = calloc(1, sizeof(*s));
	struct uvs_sync_tx *tx = tx_for(fx, s, 4, 8 + 36);
	unsigned used = 0;

	for (int round = 0; round < 2; round++)
		for (int i = 0; i < 16; i++) {
			struct uvs_sync_conn e = conn(i, AF_INET);
			uvs_sync_tx_add(tx, &e, fx->env.now);
		}
	uvs_sync_tx_flush(tx);
	assert_int_equal(s->n, 32);
	for (unsigned k = 0; k < s->n; k++) {
		used |= 1u << s->port[k];
		for (unsigned j = 0; j < k; j++) /* the same record: the same port */
			if (!memcmp(s->msg[j] + 8, s->msg[k] + 8, 36))
				assert_int_equal(s->port[j], s->port[k]);
	}
	assert_int_equal(used, 0xf);
	uvs_sync_tx_free(tx);
	free(s);
}

static uint64_t rx_counter(struct uvs_sync_rx *rx, const char *name)
{
	for (unsigned i = 0; i < UVS_SYNC_RX_COUNT; i++)
		if (!strcmp(uvs_sync_rx_counter_name(i), name))
			return rx->counters[i];
	fail_msg("no counter %s", name);
	return 0;
}

/* Director a's client packets, through its rings and its messages, make director b
 * forward the connection when the VIP moves there. */
static void test_master_messages_make_backup_forward(void **state)
{
	struct sync_fixture *fx = *state;
	struct sent *s = calloc(1, sizeof(*s));
	struct uvs_service *sa = sync_add_svc(&fx->a, VIP ":80", false, 0, 0);
	struct uvs_service *sb = sync_add_svc(&fx->b, VIP ":80", false, 0, 0);
	struct frame_spec syn = frame_tcp(CLIENT, 44000, VIP, 80, TH_SYN);
	struct frame_spec ack = frame_tcp(CLIENT, 44000, VIP, 80, TH_ACK);
	/* Its worker is b's until b's engine goes, in the teardown. */
	static struct uvs_sync_rx rx;

	sync_add_dest(&fx->a, sa, RS1 ":80", UVS_FWD_DROUTE);
	sync_add_dest(&fx->b, sb, "192.168.0.12:80", UVS_FWD_DROUTE);
	sync_add_dest(&fx->b, sb, RS1 ":80", UVS_FWD_DROUTE);
	sync_master_start(&fx->a, 64);
	struct uvs_sync_tx *tx = tx_for(fx, s, 1, 1472);
	assert_int_equal(uvs_sync_rx_init(&rx, &fx->b.e, 2), 0);

	assert_int_equal(sync_send(fx, &fx->a, &syn), UVS_VERDICT_TX);
	for (int i = 0; i < 2; i++)
		assert_int_equal(sync_send(fx, &fx->a, &ack), UVS_VERDICT_TX);
	assert_int_equal(uvs_sync_tx_run(tx, fx->a.so, fx->env.now), 2 * S);
	assert_int_equal(s->n, 0);
	fx->env.now += 2 * S;
	uvs_sync_tx_run(tx, fx->a.so, fx->env.now);
	assert_int_equal(s->n, 1);
	uvs_sync_rx_message(&rx, s->msg[0], s->len[0], 9);
	assert_int_equal(rx_counter(&rx, "msgs"), 1);
	assert_int_equal(rx_counter(&rx, "new"), 1);
	struct uvs_conn *c = sync_find(&fx->b, IPPROTO_TCP, CLIENT, 44000, VIP, 80, false);
	assert_non_null(c);
	assert_int_equal(uvs_conn_owner(c), 2);
	assert_int_equal(sync_send(fx, &fx->b, &ack), UVS_VERDICT_TX);
	assert_int_equal(fx->b.f.data[5], 11); /* RS1's MAC: the synced real server */

	/* The same message again updates; another sync ID is not read; a cut one is
	 * refused; a record with persistence engine data is skipped. */
	uvs_sync_rx_message(&rx, s->msg[0], s->len[0], 9);
	assert_int_equal(rx_counter(&rx, "updated"), 1);
	uvs_sync_rx_message(&rx, s->msg[0], s->len[0], 8);
	assert_int_equal(rx_counter(&rx, "syncid"), 1);
	uvs_sync_rx_message(&rx, s->msg[0], s->len[0] - 1, 0);
	assert_int_equal(rx_counter(&rx, "bad_size"), 1);
	struct uvs_sync_record r = { .conn = conn(5, AF_INET), .pe_data_len = 1 };
	assert_int_equal(uvs_sync_rx_record(&rx, &r), UVS_SYNC_APPLY_COUNT);
	assert_int_equal(rx_counter(&rx, "pe"), 1);
	r.pe_data_len = 0;
	uvs_addr_parse(AF_INET, "192.168.0.99", &r.conn.daddr);
	assert_int_equal(uvs_sync_rx_record(&rx, &r), UVS_SYNC_APPLY_NO_DEST);
	assert_int_equal(rx_counter(&rx, "no_dest"), 1);
	assert_int_equal(rx_counter(&rx, "msgs"), 2);
	/* What the backup made expires on its timers. */
	fx->env.now += 901 * S;
	uvs_sync_rx_timers(&rx);
	uvs_worker_timers(&fx->b.w, fx->env.now);
	assert_int_equal(uvs_engine_conn_count(&fx->b.e), 0);
	uvs_sync_tx_free(tx);
	uvs_sync_rx_fini(&rx);
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_full_and_flushed, sync_setup, sync_teardown),
		cmocka_unit_test_setup_teardown(test_waiting_and_qlen, sync_setup, sync_teardown),
		cmocka_unit_test_setup_teardown(test_version_switch, sync_setup, sync_teardown),
		cmocka_unit_test_setup_teardown(test_ports, sync_setup, sync_teardown),
		cmocka_unit_test_setup_teardown(test_master_messages_make_backup_forward,
						sync_setup, sync_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
