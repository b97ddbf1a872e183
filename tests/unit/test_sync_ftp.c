// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The FTP helper across a sync pair, as the kernel's SEQ_DATA option carries it: a
 * master's entry of an FTP control connection holds its sequence adjustment (and not
 * uvs's own APP flag); through a message, the backup's connection gets the helper and
 * that adjustment, so after the VIP moved the real server's later segments and the
 * client's acknowledgements are moved as the master moved them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>

#include "sync/rx.h"
#include "sync/tx.h"
#include "sync_fixture.h"

#define CLIENT "172.16.0.5"
#define VIP    "10.100.100.100" /* longer than RS: the 227 reply grows by 2 */
#define RS     "192.168.0.11"
#define SEQ0   0x10000000u /* the test frames' sequence number */

/* The one message a master's sender made. */
struct sent {
	unsigned n;
	size_t len;
	uint8_t msg[1500 + UVS_SYNC_MSG_MIN];
};

static int capture(void *arg, unsigned port, const void *buf, size_t len)
{
	struct sent *s = arg;

	(void)port;
	assert_true(len <= sizeof(s->msg));
	s->n++;
	s->len = len;
	memcpy(s->msg, buf, len);
	return 0;
}

static int send_text(struct sync_fixture *fx, struct sync_node *n, const char *src, uint16_t sport,
		     const char *dst, uint16_t dport, const char *text)
{
	struct frame_spec s = frame_tcp(src, sport, dst, dport, TH_ACK | TH_PUSH);

	s.payload = (const uint8_t *)text;
	s.payload_len = strlen(text);
	return sync_send(fx, n, &s);
}

/* A 32-bit field of the TCP header of n's last frame sent, host order (the header
 * need not be aligned). */
static uint32_t out_tcp32(const struct sync_node *n, size_t off)
{
	uint32_t v;

	memcpy(&v, n->out.frame + n->out.l4_off + off, sizeof(v));
	return ntohl(v);
}

static uint32_t out_seq(const struct sync_node *n)
{
	return out_tcp32(n, offsetof(struct tcphdr, th_seq));
}

static uint32_t out_ack(const struct sync_node *n)
{
	return out_tcp32(n, offsetof(struct tcphdr, th_ack));
}

static void test_seq_data_to_backup(void **state)
{
	struct sync_fixture *fx = *state;
	struct uvs_service *sa = sync_add_svc(&fx->a, VIP ":21", false, 0, 0);
	struct uvs_service *sb = sync_add_svc(&fx->b, VIP ":21", false, 0, 0);
	struct sent *s = calloc(1, sizeof(*s));
	struct uvs_sync_tx_config tc = {
		.engine = &fx->a.e,
		.nports = 1,
		.maxlen = 1472,
		.syncid = 9,
		.send = capture,
		.send_arg = s,
	};
	/* Its worker is b's until b's engine goes, in the teardown. */
	static struct uvs_sync_rx rx;
	struct uvs_sync_tx *tx;
	struct uvs_sync_conn e;
	struct uvs_seq in, out;
	struct uvs_conn *c;
	uint16_t flags;

	sync_add_dest(&fx->a, sa, RS ":21", UVS_FWD_MASQ);
	sync_add_dest(&fx->b, sb, RS ":21", UVS_FWD_MASQ);
	struct frame_spec syn = frame_tcp(CLIENT, 40000, VIP, 21, TH_SYN);
	struct frame_spec synack = frame_tcp(RS, 21, CLIENT, 40000, TH_SYN | TH_ACK);
	struct frame_spec ack = frame_tcp(CLIENT, 40000, VIP, 21, TH_ACK);
	assert_int_equal(sync_send(fx, &fx->a, &syn), UVS_VERDICT_TX);
	assert_int_equal(sync_send(fx, &fx->a, &synack), UVS_VERDICT_TX);
	assert_int_equal(sync_send(fx, &fx->a, &ack), UVS_VERDICT_TX);
	assert_int_equal(send_text(fx, &fx->a, CLIENT, 40000, VIP, 21, "PASV\r\n"), UVS_VERDICT_TX);
	assert_int_equal(send_text(fx, &fx->a, RS, 21, CLIENT, 40000,
				   "227 Entering Passive Mode (192,168,0,11,195,80).\r\n"),
			 UVS_VERDICT_TX);
	assert_int_equal(sync_counter(&fx->a, UVS_R_FTP_REWRITTEN), 1);

	/* The master's entry: the real server's adjustment, and no APP bit. */
	/* Asserts outside the read-side section: a failed one leaves the test there. */
	rcu_read_lock();
	c = sync_find(&fx->a, IPPROTO_TCP, CLIENT, 40000, VIP, 21, false);
	flags = c ? uvs_conn_flags(c) : 0;
	if (c)
		uvs_sync_conn_fill(c, &e);
	rcu_read_unlock();
	assert_non_null(c);
	assert_true(flags & UVS_CONN_F_APP);
	assert_int_equal(e.flags & (UVS_CONN_F_SEQ_MASK | UVS_CONN_F_APP), UVS_CONN_F_OUT_SEQ);
	assert_int_equal(e.out_seq.init_seq, SEQ0);
	assert_int_equal(e.out_seq.delta, 2);
	assert_int_equal(e.in_seq.delta, 0);

	/* A master whose rewrite came 1000 bytes earlier in the connection, through a
	 * message to the backup. */
	e.out_seq.init_seq = SEQ0 - 1000;
	assert_int_equal(uvs_sync_tx_create(&tc, &tx), 0);
	assert_int_equal(uvs_sync_rx_init(&rx, &fx->b.e, 2), 0);
	uvs_sync_tx_add(tx, &e, fx->env.now);
	fx->env.now += 2 * S;
	uvs_sync_tx_run(tx, NULL, fx->env.now);
	assert_int_equal(s->n, 1);
	uvs_sync_rx_message(&rx, s->msg, s->len, 9);
	rcu_read_lock();
	c = sync_find(&fx->b, IPPROTO_TCP, CLIENT, 40000, VIP, 21, false);
	uint16_t bflags = c ? uvs_conn_flags(c) : 0;
	bool seq = c && uvs_conn_seq_get(c, &flags, &in, &out);
	rcu_read_unlock();
	assert_non_null(c);
	assert_true(bflags & UVS_CONN_F_APP);
	assert_true(seq);
	assert_int_equal(flags, UVS_CONN_F_OUT_SEQ);
	assert_memory_equal(&out, &e.out_seq, sizeof(out));

	/* The VIP moved: the real server's segment after the rewrite comes out 2 later,
	 * the client's acknowledgement of it goes in 2 earlier. */
	struct frame_spec data = frame_tcp(RS, 21, CLIENT, 40000, TH_ACK);
	data.tcp_seq = SEQ0;
	assert_int_equal(sync_send(fx, &fx->b, &data), UVS_VERDICT_TX);
	assert_int_equal(out_seq(&fx->b), SEQ0 + 2);
	ack.tcp_ack = SEQ0 + 2;
	assert_int_equal(sync_send(fx, &fx->b, &ack), UVS_VERDICT_TX);
	assert_int_equal(out_ack(&fx->b), SEQ0);

	/* A later entry with another adjustment replaces it, as the kernel copies it. */
	e.out_seq.delta = 6;
	assert_int_equal(uvs_sync_rx_record(&rx,
					    &(struct uvs_sync_record){
						    .conn = e,
						    .has_seq = true,
						    .out_seq = { SEQ0 - 1000, 6, 0 },
					    }),
			 UVS_SYNC_APPLY_UPDATED);
	assert_int_equal(sync_send(fx, &fx->b, &data), UVS_VERDICT_TX);
	assert_int_equal(out_seq(&fx->b), SEQ0 + 6);
	uvs_sync_tx_free(tx);
	uvs_sync_rx_fini(&rx);
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_seq_data_to_backup, sync_setup, sync_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
