// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The full-table hand-over (src/sync/handover*.c). Its frames: the request read back
 * and each way of getting one wrong; the reader fed a stream byte by byte and in one
 * piece, and each malformation named. Its threads over loopback: director b asks a
 * for a table of flows that were never sent on the group (no master ran) and makes
 * every one, an FTP connection's sequence adjustment with it; a peer of the wrong address is
 * refused, a bad request aborted; a peer that sends garbage, a short table, or closes at once
 * leaves b's table as it was, each counted; a fetch refused (the peer not up yet) is
 * tried again, and gets the table once the peer listens.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "helpers.h"
#include "sync_director.h"
#include "sync/handover_wire.h"
#include "sync/msg.h"
#include "sync/rx.h"
#include "sync/sync.h"

#define FLOWS 300 /* more than one message's 255 records */

/* ---- the frames ---- */

static void test_request(void **state)
{
	uint8_t req[UVS_HANDOVER_SMALL_FRAME], bad[UVS_HANDOVER_SMALL_FRAME];

	(void)state;
	uvs_handover_put_request(req);
	assert_int_equal(uvs_handover_read_request(req, sizeof(req)), UVS_HANDOVER_WIRE_OK);
	assert_int_equal(uvs_handover_read_request(req, sizeof(req) - 1),
			 UVS_HANDOVER_WIRE_BAD_LENGTH);
	assert_int_equal(uvs_handover_read_request(req, 3), UVS_HANDOVER_WIRE_BAD_LENGTH);
	memcpy(bad, req, sizeof(bad));
	bad[0] = UVS_HANDOVER_END;
	assert_int_equal(uvs_handover_read_request(bad, sizeof(bad)), UVS_HANDOVER_WIRE_BAD_TYPE);
	memcpy(bad, req, sizeof(bad));
	bad[2] = 1;
	assert_int_equal(uvs_handover_read_request(bad, sizeof(bad)), UVS_HANDOVER_WIRE_BAD_HEADER);
	memcpy(bad, req, sizeof(bad));
	bad[7] = 9; /* the length */
	assert_int_equal(uvs_handover_read_request(bad, sizeof(bad)), UVS_HANDOVER_WIRE_BAD_LENGTH);
	memcpy(bad, req, sizeof(bad));
	bad[8] = 'X';
	assert_int_equal(uvs_handover_read_request(bad, sizeof(bad)), UVS_HANDOVER_WIRE_BAD_MAGIC);
	memcpy(bad, req, sizeof(bad));
	bad[15] = 2;
	assert_int_equal(uvs_handover_read_request(bad, sizeof(bad)),
			 UVS_HANDOVER_WIRE_BAD_VERSION);
	assert_string_equal(uvs_handover_wire_error_name(UVS_HANDOVER_WIRE_BAD_MAGIC), "bad_magic");
}

struct got {
	unsigned n;
	size_t len[8];
	uint8_t first[8];
};

static void on_msg(void *arg, const uint8_t *msg, size_t len)
{
	struct got *g = arg;

	if (g->n < 8) {
		g->len[g->n] = len;
		g->first[g->n] = msg[0];
	}
	g->n++;
}

/* Two MESSAGE frames (of 20 and 300 bytes) and END(7) into out; returns the length. */
static size_t stream(uint8_t *out)
{
	size_t len = 0;
	static const size_t sizes[2] = { 20, 300 };

	for (int i = 0; i < 2; i++) {
		uvs_handover_put_hdr(out + len, UVS_HANDOVER_MESSAGE, (uint32_t)sizes[i]);
		len += sizeof(struct uvs_handover_hdr);
		memset(out + len, 0xa0 + i, sizes[i]);
		len += sizes[i];
	}
	uvs_handover_put_end(out + len, 7);
	return len + UVS_HANDOVER_SMALL_FRAME;
}

static struct uvs_handover_reader reader; /* 64 KiB: not on the stack */

static void test_reader_pieces(void **state)
{
	uint8_t buf[512];
	size_t len = stream(buf);

	(void)state;
	for (int whole = 0; whole < 2; whole++) {
		struct got g = { 0 };
		uvs_handover_reader_init(&reader, on_msg, &g);
		if (whole) {
			assert_int_equal(uvs_handover_read(&reader, buf, len),
					 UVS_HANDOVER_WIRE_OK);
		} else {
			for (size_t i = 0; i < len; i++) {
				assert_int_equal(reader.ended, 0);
				assert_int_equal(uvs_handover_read(&reader, buf + i, 1),
						 UVS_HANDOVER_WIRE_OK);
			}
		}
		assert_int_equal(g.n, 2);
		assert_int_equal(g.len[0], 20);
		assert_int_equal(g.first[0], 0xa0);
		assert_int_equal(g.len[1], 300);
		assert_int_equal(g.first[1], 0xa1);
		assert_int_equal(reader.ended, 1);
		assert_int_equal(reader.end_count, 7);
		/* Nothing may follow END. */
		assert_int_equal(uvs_handover_read(&reader, buf, 1), UVS_HANDOVER_WIRE_AFTER_END);
	}
}

/* Feeds one frame header of type and length; returns what the reader says. */
static enum uvs_handover_wire_error feed_hdr(uint8_t type, uint32_t length, uint8_t zero1)
{
	uint8_t h[8];
	struct got g = { 0 };

	uvs_handover_put_hdr(h, type, length);
	h[1] = zero1;
	uvs_handover_reader_init(&reader, on_msg, &g);
	return uvs_handover_read(&reader, h, sizeof(h));
}

static void test_reader_malformed(void **state)
{
	(void)state;
	assert_int_equal(feed_hdr(UVS_HANDOVER_MESSAGE, 100, 0), UVS_HANDOVER_WIRE_OK);
	assert_int_equal(feed_hdr(UVS_HANDOVER_REQUEST, 8, 0), UVS_HANDOVER_WIRE_BAD_TYPE);
	assert_int_equal(feed_hdr(0, 8, 0), UVS_HANDOVER_WIRE_BAD_TYPE);
	assert_int_equal(feed_hdr(99, 8, 0), UVS_HANDOVER_WIRE_BAD_TYPE);
	assert_int_equal(feed_hdr(UVS_HANDOVER_MESSAGE, 100, 1), UVS_HANDOVER_WIRE_BAD_HEADER);
	assert_int_equal(feed_hdr(UVS_HANDOVER_MESSAGE, UVS_HANDOVER_BODY_MAX + 1, 0),
			 UVS_HANDOVER_WIRE_BAD_LENGTH);
	assert_int_equal(feed_hdr(UVS_HANDOVER_MESSAGE, 0xffffffffu, 0),
			 UVS_HANDOVER_WIRE_BAD_LENGTH);
	assert_int_equal(feed_hdr(UVS_HANDOVER_MESSAGE, 3, 0), UVS_HANDOVER_WIRE_BAD_LENGTH);
	assert_int_equal(feed_hdr(UVS_HANDOVER_END, 9, 0), UVS_HANDOVER_WIRE_BAD_LENGTH);
	assert_int_equal(feed_hdr(UVS_HANDOVER_END, 0, 0), UVS_HANDOVER_WIRE_BAD_LENGTH);
}

/* ---- the threads ---- */

static struct sync_director a, b;

/* A director with the FTP service too; data worker 0 registered by this thread, the
 * sync daemons' worker 1, worker 2 for a test's own receive path. */
static void director_init(struct sync_director *x)
{
	sync_director_init(x, 3, true);
	assert_int_equal(uvs_worker_init(&x->w, &x->e, 0), 0);
}

/* One datagram of each of FLOWS flows through a's data worker (this thread). */
static void a_flows(void)
{
	for (int f = 0; f < FLOWS; f++) {
		char src[32];
		snprintf(src, sizeof(src), "172.16.%d.%d", f / 200, f % 200 + 1);
		sync_director_dns(&a, src);
	}
}

static struct sockaddr_in loopback(const char *addr, uint16_t port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };

	inet_pton(AF_INET, addr, &sa.sin_addr);
	return sa;
}

static void set_peer(struct sync_director *x, const char *addr, uint16_t port)
{
	struct sockaddr_in sa = loopback(addr, port);
	struct uvs_error err;

	assert_int_equal(uvs_sync_set_peer(x->sync, (struct sockaddr *)&sa, sizeof(sa), 0, &err),
			 0);
}

static void test_table_over_loopback(void **state)
{
	(void)state;
	rcu_register_thread();
	director_init(&a);
	director_init(&b);
	a_flows();
	assert_int_equal(uvs_engine_conn_count(&a.e), FLOWS);
	set_peer(&a, "127.0.0.1", 1); /* a asks nobody here */
	set_peer(&b, "127.0.0.1", uvs_sync_handover_port(a.sync));
	assert_int_equal(uvs_engine_conn_count(&b.e), 0);

	uvs_sync_handover_fetch(b.sync);
	assert_int_equal(uvs_sync_handover_wait(b.sync, 10000), 0);
	assert_int_equal(uvs_engine_conn_count(&b.e), FLOWS);
	assert_int_equal(sync_director_counter(b.sync, "sync_handover_fetched"), 1);
	assert_int_equal(sync_director_counter(b.sync, "sync_handover_received"), FLOWS);
	assert_int_equal(sync_director_counter(b.sync, "sync_rx_new"), FLOWS);
	assert_int_equal(sync_director_counter(a.sync, "sync_handover_served"), 1);
	assert_int_equal(sync_director_counter(a.sync, "sync_handover_sent"), FLOWS);
	/* Asked again: the same entries update what b has. */
	uvs_sync_handover_fetch(b.sync);
	assert_int_equal(uvs_sync_handover_wait(b.sync, 10000), 0);
	assert_int_equal(sync_director_counter(b.sync, "sync_rx_updated"), FLOWS);
	assert_int_equal(uvs_engine_conn_count(&b.e), FLOWS);
	/* The counters outlive the hand-over's stop. */
	uvs_sync_stop_all(b.sync);
	assert_int_equal(sync_director_counter(b.sync, "sync_handover_fetched"), 2);
	sync_director_fini(&b);
	sync_director_fini(&a);
	rcu_unregister_thread();
}

/* b asks before its peer a listens (refused: a port bound, not listening): the fetch
 * fails and b's wait ends; a starts on that port, and b's retry gets the table. */
static void test_fetch_retried(void **state)
{
	struct sockaddr_in sa = loopback("127.0.0.1", 0);
	socklen_t len = sizeof(sa);
	struct uvs_error err;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	(void)state;
	rcu_register_thread();
	director_init(&a);
	director_init(&b);
	a_flows();
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	set_peer(&b, "127.0.0.1", ntohs(sa.sin_port));

	uvs_sync_handover_fetch(b.sync);
	assert_int_equal(uvs_sync_handover_wait(b.sync, 10000), 0);
	assert_int_equal(sync_director_counter(b.sync, "sync_handover_failed"), 1);
	assert_int_equal(sync_director_counter(b.sync, "sync_handover_fetched"), 0);
	assert_int_equal(uvs_engine_conn_count(&b.e), 0);

	close(fd);
	struct sockaddr_in b_addr = loopback("127.0.0.1", uvs_sync_handover_port(b.sync));
	assert_int_equal(uvs_sync_set_peer(a.sync, (struct sockaddr *)&b_addr, sizeof(b_addr),
					   ntohs(sa.sin_port), &err),
			 0);
	for (int i = 0; i < 200 && sync_director_counter(b.sync, "sync_handover_fetched") == 0; i++)
		usleep(50000); /* the retry comes UVS_HANDOVER_RETRY_MS after the failure */
	assert_int_equal(sync_director_counter(b.sync, "sync_handover_fetched"), 1);
	assert_int_equal(sync_director_counter(b.sync, "sync_handover_failed"), 1);
	assert_int_equal(uvs_engine_conn_count(&b.e), FLOWS);
	assert_int_equal(sync_director_counter(a.sync, "sync_handover_served"), 1);
	sync_director_fini(&b);
	sync_director_fini(&a);
	rcu_unregister_thread();
}

/* An FTP control connection's entry with the helper's sequence adjustment. */
static struct uvs_sync_record ftp_record(void)
{
	struct uvs_sync_record r;

	memset(&r, 0, sizeof(r));
	r.conn.af = AF_INET;
	r.conn.protocol = IPPROTO_TCP;
	inet_pton(AF_INET, "172.16.5.5", &r.conn.caddr.ip);
	inet_pton(AF_INET, "10.0.0.1", &r.conn.vaddr.ip);
	inet_pton(AF_INET, "192.168.0.11", &r.conn.daddr.ip);
	r.conn.cport = htons(40000);
	r.conn.vport = r.conn.dport = htons(21);
	r.conn.state = 1; /* ESTABLISHED */
	r.conn.timeout = 900;
	r.conn.flags = UVS_FWD_MASQ | UVS_CONN_F_IN_SEQ | UVS_CONN_F_OUT_SEQ;
	r.has_seq = true;
	r.in_seq = (struct uvs_sync_seq){ 1000, 7, 3 };
	r.out_seq = (struct uvs_sync_seq){ 5000, 11, 5 };
	return r;
}

/* The sequence adjustment goes with the table, as with the group's messages. */
static void test_table_keeps_ftp_seq(void **state)
{
	struct uvs_sync_rx rx;
	struct uvs_sync_record r = ftp_record();
	struct uvs_sync_conn got[8];
	uint64_t cursor = 0;
	size_t n;

	(void)state;
	rcu_register_thread();
	director_init(&a);
	director_init(&b);
	assert_int_equal(uvs_sync_rx_init(&rx, &a.e, 2), 0);
	assert_int_equal(uvs_sync_rx_record(&rx, &r), UVS_SYNC_APPLY_NEW);
	set_peer(&a, "127.0.0.1", 1);
	set_peer(&b, "127.0.0.1", uvs_sync_handover_port(a.sync));
	uvs_sync_handover_fetch(b.sync);
	assert_int_equal(uvs_sync_handover_wait(b.sync, 10000), 0);
	assert_int_equal(sync_director_counter(b.sync, "sync_handover_fetched"), 1);
	n = uvs_sync_dump(&b.e, &cursor, got, 8);
	assert_int_equal(n, 1);
	assert_int_equal(got[0].flags & UVS_CONN_F_SEQ_MASK, UVS_CONN_F_SEQ_MASK);
	assert_int_equal(got[0].in_seq.init_seq, 1000);
	assert_int_equal(got[0].in_seq.delta, 7);
	assert_int_equal(got[0].in_seq.previous_delta, 3);
	assert_int_equal(got[0].out_seq.init_seq, 5000);
	assert_int_equal(got[0].out_seq.delta, 11);
	assert_int_equal(got[0].out_seq.previous_delta, 5);
	sync_director_fini(&b);
	sync_director_fini(&a);
	uvs_sync_rx_fini(&rx);
	rcu_unregister_thread();
}

/* Connects to a's hand-over from 127.0.0.1, sends len bytes, and waits for a to close. */
static void poke(const void *bytes, size_t len)
{
	struct sockaddr_in sa = loopback("127.0.0.1", uvs_sync_handover_port(a.sync));
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	char c;

	assert_true(fd >= 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	if (len)
		assert_int_equal(send(fd, bytes, len, 0), (ssize_t)len);
	shutdown(fd, SHUT_WR);
	while (recv(fd, &c, 1, 0) > 0) {
	}
	close(fd);
}

static void test_server_refuses(void **state)
{
	uint8_t req[UVS_HANDOVER_SMALL_FRAME];

	(void)state;
	rcu_register_thread();
	director_init(&a);
	set_peer(&a, "127.0.0.2", 1); /* the peer is not 127.0.0.1 */
	uvs_handover_put_request(req);
	poke(req, sizeof(req));
	assert_int_equal(sync_director_counter(a.sync, "sync_handover_refused"), 1);
	assert_int_equal(sync_director_counter(a.sync, "sync_handover_served"), 0);
	sync_director_fini(&a);

	director_init(&a);
	set_peer(&a, "127.0.0.1", 1);
	memcpy(req + 8, "HTTP", 4);
	poke(req, sizeof(req));
	assert_int_equal(sync_director_counter(a.sync, "sync_handover_bad_magic"), 1);
	assert_int_equal(sync_director_counter(a.sync, "sync_handover_aborted"), 1);
	poke(NULL, 0); /* connects and leaves */
	assert_int_equal(sync_director_counter(a.sync, "sync_handover_aborted"), 2);
	assert_int_equal(sync_director_counter(a.sync, "sync_handover_served"), 0);
	sync_director_fini(&a);
	rcu_unregister_thread();
}

/* A peer of the test's own: it answers one request with the bytes given. */
struct fake_peer {
	int fd;
	const uint8_t *bytes;
	size_t len;
};

static void *fake_main(void *arg)
{
	struct fake_peer *p = arg;
	uint8_t req[UVS_HANDOVER_SMALL_FRAME];
	int c = accept(p->fd, NULL, NULL);

	if (c < 0)
		return NULL;
	if (recv(c, req, sizeof(req), MSG_WAITALL) == (ssize_t)sizeof(req) && p->len)
		(void)!send(c, p->bytes, p->len, MSG_NOSIGNAL);
	close(c);
	return NULL;
}

/* b asks a fake peer that answers bytes[0..len); returns after b's fetch ended. */
static void fetch_from_fake(const uint8_t *bytes, size_t len)
{
	struct sockaddr_in sa = loopback("127.0.0.1", 0);
	socklen_t sl = sizeof(sa);
	struct fake_peer p = { .bytes = bytes, .len = len };
	pthread_t t;

	p.fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(bind(p.fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(p.fd, 1), 0);
	assert_int_equal(getsockname(p.fd, (struct sockaddr *)&sa, &sl), 0);
	director_init(&b);
	set_peer(&b, "127.0.0.1", ntohs(sa.sin_port));
	assert_int_equal(pthread_create(&t, NULL, fake_main, &p), 0);
	uvs_sync_handover_fetch(b.sync);
	assert_int_equal(uvs_sync_handover_wait(b.sync, 10000), 0);
	pthread_join(t, NULL);
	close(p.fd);
}

/* One MESSAGE with one record of a UDP flow to b's service, into out. */
static size_t one_message(uint8_t *out)
{
	struct uvs_sync_writer w;
	struct uvs_sync_record r;
	size_t len;

	memset(&r, 0, sizeof(r));
	r.conn.af = AF_INET;
	r.conn.protocol = IPPROTO_UDP;
	inet_pton(AF_INET, "172.16.9.9", &r.conn.caddr.ip);
	inet_pton(AF_INET, "10.0.0.1", &r.conn.vaddr.ip);
	inet_pton(AF_INET, "192.168.0.11", &r.conn.daddr.ip);
	r.conn.cport = htons(5000);
	r.conn.vport = r.conn.dport = htons(53);
	r.conn.timeout = 300;
	uvs_sync_msg_start(&w, out + 8, 1400, 1, 0);
	assert_int_equal(uvs_sync_msg_add(&w, &r), 0);
	len = uvs_sync_msg_finish(&w);
	uvs_handover_put_hdr(out, UVS_HANDOVER_MESSAGE, (uint32_t)len);
	return 8 + len;
}

static void test_bad_peer(void **state)
{
	uint8_t buf[2048];
	size_t len;

	(void)state;
	rcu_register_thread();
	/* Garbage: counted, nothing made. */
	memcpy(buf, "HTTP/1.1 400 Bad Request\r\n\r\n", 28);
	fetch_from_fake(buf, 28);
	assert_int_equal(sync_director_counter(b.sync, "sync_handover_bad_header"), 1);
	assert_int_equal(sync_director_counter(b.sync, "sync_handover_failed"), 1);
	assert_int_equal(sync_director_counter(b.sync, "sync_handover_fetched"), 0);
	assert_int_equal(uvs_engine_conn_count(&b.e), 0);
	sync_director_fini(&b);

	/* A record, then END saying 5: short (the one record stands, as a group's would). */
	len = one_message(buf);
	uvs_handover_put_end(buf + len, 5);
	fetch_from_fake(buf, len + UVS_HANDOVER_SMALL_FRAME);
	assert_int_equal(sync_director_counter(b.sync, "sync_handover_received"), 1);
	assert_int_equal(sync_director_counter(b.sync, "sync_handover_short"), 1);
	assert_int_equal(sync_director_counter(b.sync, "sync_handover_failed"), 1);
	assert_int_equal(uvs_engine_conn_count(&b.e), 1);
	sync_director_fini(&b);

	/* The same record, END saying 1, then more: after_end. */
	len = one_message(buf);
	uvs_handover_put_end(buf + len, 1);
	buf[len + UVS_HANDOVER_SMALL_FRAME] = 0;
	fetch_from_fake(buf, len + UVS_HANDOVER_SMALL_FRAME + 1);
	assert_int_equal(sync_director_counter(b.sync, "sync_handover_after_end"), 1);
	assert_int_equal(sync_director_counter(b.sync, "sync_handover_failed"), 1);
	sync_director_fini(&b);

	/* A peer that closes at once, and a whole good one. */
	fetch_from_fake(NULL, 0);
	assert_int_equal(sync_director_counter(b.sync, "sync_handover_failed"), 1);
	assert_int_equal(sync_director_counter(b.sync, "sync_handover_received"), 0);
	sync_director_fini(&b);
	len = one_message(buf);
	uvs_handover_put_end(buf + len, 1);
	fetch_from_fake(buf, len + UVS_HANDOVER_SMALL_FRAME);
	assert_int_equal(sync_director_counter(b.sync, "sync_handover_fetched"), 1);
	assert_int_equal(sync_director_counter(b.sync, "sync_handover_failed"), 0);
	assert_int_equal(uvs_engine_conn_count(&b.e), 1);
	sync_director_fini(&b);
	rcu_unregister_thread();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_request),		 cmocka_unit_test(test_reader_pieces),
		cmocka_unit_test(test_reader_malformed), cmocka_unit_test(test_table_over_loopback),
		cmocka_unit_test(test_fetch_retried),	 cmocka_unit_test(test_table_keeps_ftp_seq),
		cmocka_unit_test(test_server_refuses),	 cmocka_unit_test(test_bad_peer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
