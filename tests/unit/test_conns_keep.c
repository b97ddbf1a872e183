// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The connection table across a planned restart (daemon/conns_keep.h, conns_file.h):
 * director a's table written at its stop and read by director b (the next uvsd) binds
 * each connection to b's real server with the time it had left; entries whose real
 * server is gone, or whose time ran out, are counted; a missing file is a first start;
 * a foreign, newer, cut or corrupted file, and one with a bad record behind valid
 * checksums, is refused whole (nothing loaded) and moved aside.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/conns_file.h"
#include "daemon/conns_keep.h"
#include "pkt/crc32c.h"
#include "sync_fixture.h"

#define CLIENT "172.16.0.5"
#define VIP    "10.0.0.1"
#define RS1    "192.168.0.11"
#define RS2    "192.168.0.12"

/* The fixture's two directors, b's table-restoring sync worker, a file in a temp dir. */
struct keep {
	struct sync_fixture *fx;
	struct uvs_sync *sync; /* b's; closed after b's engine */
	char dir[64], path[96], aside[112];
};

static int keep_setup(void **state)
{
	struct keep *k = calloc(1, sizeof(*k));
	void *fx;

	assert_int_equal(sync_setup(&fx), 0);
	k->fx = fx;
	assert_int_equal(uvs_sync_open(&k->fx->b.e, 2, &k->sync), 0);
	snprintf(k->dir, sizeof(k->dir), "/tmp/uvs-conns-XXXXXX");
	assert_non_null(mkdtemp(k->dir));
	snprintf(k->path, sizeof(k->path), "%s/state.conns", k->dir);
	snprintf(k->aside, sizeof(k->aside), "%s.refused", k->path);
	*state = k;
	return 0;
}

static int keep_teardown(void **state)
{
	struct keep *k = *state;
	void *fx = k->fx;

	uvs_sync_stop_all(k->sync);
	sync_teardown(&fx);
	uvs_sync_close(k->sync);
	unlink(k->path);
	unlink(k->aside);
	rmdir(k->dir);
	free(k);
	return 0;
}

/* VIP:80 by NAT over RS1 (and RS2 if both) on port 8080, on node n. */
static void service(struct sync_node *n, bool both, struct uvs_dest **d1, struct uvs_dest **d2)
{
	struct uvs_service *svc = sync_add_svc(n, VIP ":80", false, 0, 0);

	*d1 = sync_add_dest(n, svc, RS1 ":8080", UVS_FWD_MASQ);
	*d2 = both ? sync_add_dest(n, svc, RS2 ":8080", UVS_FWD_MASQ) : NULL;
}

/* A makes four connections through its data path, two on each real server (rr); the
 * first two are established, the others are SYN_RECV. */
static void traffic(struct sync_fixture *fx)
{
	for (uint16_t i = 0; i < 4; i++) {
		struct frame_spec syn = frame_tcp(CLIENT, (uint16_t)(40000 + i), VIP, 80, TH_SYN);
		assert_int_equal(sync_send(fx, &fx->a, &syn), UVS_VERDICT_TX);
		if (i < 2) {
			struct frame_spec ack =
				frame_tcp(CLIENT, (uint16_t)(40000 + i), VIP, 80, TH_ACK);
			assert_int_equal(sync_send(fx, &fx->a, &ack), UVS_VERDICT_TX);
		}
	}
}

static struct uvs_conn *find(struct sync_node *n, uint16_t cport)
{
	return sync_find(n, IPPROTO_TCP, CLIENT, cport, VIP, 80, false);
}

/* Each connection comes back to the same real server, in the same state, with the same
 * timeout, expiring when it would have; the real servers' counters follow. */
static void test_restart_keeps_table(void **state)
{
	struct keep *k = *state;
	struct sync_fixture *fx = k->fx;
	struct uvs_dest *a1, *a2, *b1, *b2;
	struct uvsd_conns_restored r;
	struct stat st;

	service(&fx->a, true, &a1, &a2);
	service(&fx->b, true, &b1, &b2);
	traffic(fx);
	fx->env.now += 7 * S; /* time passes before the stop */
	assert_int_equal(uvsd_conns_keep_save(&fx->a.e, k->path), 0);
	assert_int_equal(stat(k->path, &st), 0);
	assert_int_equal(st.st_size, UVSD_CONNS_HDR_LEN + 4 * UVSD_CONNS_REC_LEN);

	assert_int_equal(uvsd_conns_keep_load(&fx->b.e, k->sync, k->path, &r), 0);
	assert_int_equal(r.read, 4);
	assert_int_equal(r.restored, 4);
	assert_int_equal(r.no_dest + r.expired + r.dropped + r.refused, 0);
	assert_int_equal(uvs_engine_conn_count(&fx->b.e), 4);
	for (uint16_t i = 0; i < 4; i++) {
		struct uvs_conn *ca = find(&fx->a, (uint16_t)(40000 + i));
		struct uvs_conn *cb = find(&fx->b, (uint16_t)(40000 + i));

		assert_non_null(cb);
		assert_true(uvs_addr_eq(&ca->daddr, &cb->daddr));
		assert_ptr_equal(cb->dest, ca->dest == a1 ? b1 : b2);
		assert_int_equal(cb->state, ca->state);
		assert_int_equal(cb->timeout, ca->timeout);
		/* Written and read within the same real-time millisecond or a few: the
		 * expiry is the old one, less what passed in real time. */
		assert_true(cb->expires <= ca->expires);
		assert_true(ca->expires - cb->expires < 1 * S);
		assert_false(uvs_conn_flags(cb) & UVS_CONN_F_SYNC);
	}
	assert_int_equal(uvs_dest_active(b1), uvs_dest_active(a1));
	assert_int_equal(uvs_dest_inactive(b1), uvs_dest_inactive(a1));
	assert_int_equal(uvs_dest_active(b2) + uvs_dest_inactive(b2), 2);
	/* Read once: the file is gone, so a start after a crash does not take it again. */
	assert_int_equal(stat(k->path, &st), -1);

	/* The restored connection forwards to its real server, and it expires on time. */
	struct frame_spec ack = frame_tcp(CLIENT, 40001, VIP, 80, TH_ACK);
	assert_int_equal(sync_send(fx, &fx->b, &ack), UVS_VERDICT_TX);
	assert_true(uvs_addr_eq(&fx->b.out.daddr, &find(&fx->a, 40001)->daddr));
	assert_int_equal(uvs_engine_conn_count(&fx->b.e), 4); /* none made anew */
	struct uvs_conn *syn_recv = find(&fx->b, 40002);
	fx->env.now = syn_recv->expires + 1;
	uvs_sync_tick(k->sync);
	assert_null(find(&fx->b, 40002));
}

/* A real server that is no longer there loses its connections, counted; one that ran
 * out of time while no uvsd ran is counted as expired. */
static void test_gone_and_expired(void **state)
{
	struct keep *k = *state;
	struct sync_fixture *fx = k->fx;
	struct uvs_dest *a1, *a2, *b1, *b2;
	struct uvsd_conns_restored r;

	service(&fx->a, true, &a1, &a2);
	service(&fx->b, false, &b1, &b2); /* RS2 is gone in b */
	traffic(fx);
	assert_int_equal(uvsd_conns_keep_save(&fx->a.e, k->path), 0);
	assert_int_equal(uvsd_conns_keep_load(&fx->b.e, k->sync, k->path, &r), 0);
	assert_int_equal(r.read, 4);
	assert_int_equal(r.restored, 2);
	assert_int_equal(r.no_dest, 2);
	for (uint16_t i = 0; i < 4; i++)
		assert_true(!find(&fx->b, (uint16_t)(40000 + i)) ==
			    (find(&fx->a, (uint16_t)(40000 + i))->dest != a1));
	assert_int_equal(uvs_dest_active(b1) + uvs_dest_inactive(b1), 2);
}

/* Entries given straight to the writer, with the time they had left. */
struct given {
	const struct uvsd_conns_entry *e;
	size_t n, at;
};

static size_t give(void *arg, struct uvsd_conns_entry *out, size_t max)
{
	struct given *g = arg;
	size_t n = 0;

	while (g->at < g->n && n < max)
		out[n++] = g->e[g->at++];
	return n;
}

static struct uvsd_conns_entry established(const char *rs, uint16_t cport, uint64_t left_ms)
{
	struct uvsd_conns_entry e = { .left_ms = left_ms };

	e.conn = (struct uvs_sync_conn){
		.af = AF_INET,
		.protocol = IPPROTO_TCP,
		.cport = htons(cport),
		.vport = htons(80),
		.dport = htons(8080),
		.state = UVS_TCP_S_ESTABLISHED,
		.timeout = 900,
	};
	uvs_addr_parse(AF_INET, CLIENT, &e.conn.caddr);
	uvs_addr_parse(AF_INET, VIP, &e.conn.vaddr);
	uvs_addr_parse(AF_INET, rs, &e.conn.daddr);
	return e;
}

static void write_entries(struct keep *k, const struct uvsd_conns_entry *e, size_t n,
			  uint64_t written_ns)
{
	struct given g = { e, n, 0 };
	struct uvs_error err;
	uint64_t count;

	assert_int_equal(uvsd_conns_file_write(k->path, written_ns, give, &g, &count, &err), 0);
	assert_int_equal(count, n);
}

static uint64_t realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * S + (uint64_t)ts.tv_nsec;
}

/* The time between the write and the read comes off each entry's time left. */
static void test_downtime_counts(void **state)
{
	struct keep *k = *state;
	struct sync_fixture *fx = k->fx;
	struct uvs_dest *b1, *b2;
	struct uvsd_conns_restored r;
	struct uvsd_conns_entry e[2] = { established(RS1, 41000, 5000),
					 established(RS1, 41001, 600000) };

	service(&fx->b, true, &b1, &b2);
	write_entries(k, e, 2, realtime_ns() - 60 * S); /* written a minute ago */
	assert_int_equal(uvsd_conns_keep_load(&fx->b.e, k->sync, k->path, &r), 0);
	assert_int_equal(r.expired, 1);
	assert_int_equal(r.restored, 1);
	struct uvs_conn *c = find(&fx->b, 41001);
	assert_non_null(c);
	assert_int_equal(c->timeout, 900);
	uvs_time_t left = c->expires - fx->env.now;
	assert_true(left <= 540 * S && left > 530 * S);
}

/* Reads the file into *len bytes (malloc'd). */
static uint8_t *slurp(const char *path, size_t *len)
{
	struct stat st;
	uint8_t *buf;
	int fd = open(path, O_RDONLY);

	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	buf = malloc((size_t)st.st_size);
	assert_int_equal(read(fd, buf, (size_t)st.st_size), st.st_size);
	close(fd);
	*len = (size_t)st.st_size;
	return buf;
}

static void spill(const char *path, const uint8_t *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, buf, len), (ssize_t)len);
	close(fd);
}

/* Sets both checksums of a file's bytes right again (after a record was changed). */
static void reseal(uint8_t *buf, size_t len)
{
	uint32_t crc = htole32(uvs_crc32c(0, buf + UVSD_CONNS_HDR_LEN, len - UVSD_CONNS_HDR_LEN));

	memcpy(buf + 32, &crc, 4);
	crc = htole32(uvs_crc32c(0, buf, 40));
	memcpy(buf + 40, &crc, 4);
}

/* The file as spoiled is refused whole: nothing loaded, the file moved aside. */
static void assert_refused(struct keep *k, const uint8_t *buf, size_t len)
{
	struct uvsd_conns_restored r;
	struct stat st;

	spill(k->path, buf, len);
	assert_int_equal(uvsd_conns_keep_load(&k->fx->b.e, k->sync, k->path, &r), -1);
	assert_int_equal(r.refused, 1);
	assert_int_equal(r.restored, 0);
	assert_int_equal(uvs_engine_conn_count(&k->fx->b.e), 0);
	assert_int_equal(stat(k->path, &st), -1);
	assert_int_equal(stat(k->aside, &st), 0);
	unlink(k->aside);
}

static void test_bad_files_refused(void **state)
{
	struct keep *k = *state;
	struct uvs_dest *b1, *b2;
	struct uvsd_conns_restored r;
	struct uvsd_conns_entry e[3] = { established(RS1, 42000, 1000),
					 established(RS2, 42001, 1000),
					 established(RS1, 42002, 1000) };
	size_t len;
	uint8_t *good, *bad;

	service(&k->fx->b, true, &b1, &b2);
	write_entries(k, e, 3, realtime_ns());
	good = slurp(k->path, &len);
	bad = malloc(len + 8);

	/* No file: a first start. */
	unlink(k->path);
	assert_int_equal(uvsd_conns_keep_load(&k->fx->b.e, k->sync, k->path, &r), 0);
	assert_int_equal(r.read + r.refused, 0);
	/* Empty, cut in the header, cut in a record, one byte more. */
	assert_refused(k, good, 0);
	assert_refused(k, good, 20);
	assert_refused(k, good, len - 1);
	memcpy(bad, good, len);
	bad[len] = 0;
	assert_refused(k, bad, len + 1);
	/* Every single bit flipped is caught (magic, header fields, checksums, records). */
	for (size_t i = 0; i < len; i += 7) {
		memcpy(bad, good, len);
		bad[i] ^= 0x10;
		assert_refused(k, bad, len);
	}
	/* A foreign file, and a newer version with valid checksums. */
	assert_refused(k, (const uint8_t *)"uvsd-state 1\n[services]\n", 24);
	memcpy(bad, good, len);
	bad[8] = 2;
	reseal(bad, len);
	assert_refused(k, bad, len);
	/* Records that no uvsd writes, behind valid checksums. */
	static const struct {
		size_t off;
		uint8_t v;
	} spoil[] = {
		{ 54, 5 },    /* family */
		{ 55, 47 },   /* protocol GRE */
		{ 56, 99 },   /* TCP state */
		{ 59, 0x80 }, /* a flag outside the mask */
		{ 4, 1 },     /* a byte beyond the IPv4 client address */
		{ 64, 0 },    /* timeout 0 (its low byte: 900 = 0x384) */
		{ 75, 1 },    /* more time left than its timeout */
	};
	for (size_t s = 0; s < sizeof(spoil) / sizeof(spoil[0]); s++) {
		memcpy(bad, good, len);
		bad[UVSD_CONNS_HDR_LEN + UVSD_CONNS_REC_LEN + spoil[s].off] = spoil[s].v;
		if (spoil[s].off == 64)
			bad[UVSD_CONNS_HDR_LEN + UVSD_CONNS_REC_LEN + 65] = 0;
		reseal(bad, len);
		assert_refused(k, bad, len);
	}
	/* The good file still loads whole after all that. */
	spill(k->path, good, len);
	assert_int_equal(uvsd_conns_keep_load(&k->fx->b.e, k->sync, k->path, &r), 0);
	assert_int_equal(r.restored, 3);
	free(good);
	free(bad);
}

/* The check on its own: header fields and the first bad record are named. */
static void test_check_says_why(void **state)
{
	struct keep *k = *state;
	struct uvsd_conns_entry e[2] = { established(RS1, 43000, 1000),
					 established(RS1, 43001, 1000) };
	struct uvs_error err;
	uint64_t count, written;
	size_t len;
	uint8_t *buf;

	write_entries(k, e, 2, 12345);
	buf = slurp(k->path, &len);
	assert_int_equal(uvsd_conns_check(buf, len, &count, &written, &err), 0);
	assert_int_equal(count, 2);
	assert_int_equal(written, 12345);
	buf[UVSD_CONNS_HDR_LEN + UVSD_CONNS_REC_LEN + 55] = 47;
	reseal(buf, len);
	assert_int_equal(uvsd_conns_check(buf, len, &count, &written, &err), -EINVAL);
	assert_string_equal(err.msg, "connection 2: a protocol other than TCP, UDP, SCTP (or IP "
				     "for a fwmark template)");
	assert_int_equal(uvsd_conns_check(buf, 10, &count, &written, &err), -EINVAL);
	assert_string_equal(err.msg, "not a uvsd connection table (no UVSCONNS header)");
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_restart_keeps_table, keep_setup,
						keep_teardown),
		cmocka_unit_test_setup_teardown(test_gone_and_expired, keep_setup, keep_teardown),
		cmocka_unit_test_setup_teardown(test_downtime_counts, keep_setup, keep_teardown),
		cmocka_unit_test_setup_teardown(test_bad_files_refused, keep_setup, keep_teardown),
		cmocka_unit_test_setup_teardown(test_check_says_why, keep_setup, keep_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
