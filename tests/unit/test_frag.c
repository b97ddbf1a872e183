// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The reassembly table (core/frag.h): datagrams put back together from fragments in
 * any order, byte for byte; the kernel's rules for duplicates, overlaps and ends; the
 * memory bound per family, and the timeout that gives the memory back; two threads
 * adding the fragments of the same datagrams, each datagram completed exactly once.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/frag.h"
#include "frames.h"
#include "pkt/wire.h"

#define S UVS_NS_PER_SEC

static uint8_t whole[2048], got[65600];
static size_t whole_len;

/* A UDP datagram of n payload bytes from 172.16.0.5 (IPv4) or 2001:db8:2::5, id-free. */
static void make_whole(int af, size_t n, uint16_t sport)
{
	static uint8_t data[1500];
	struct frame_spec s = {
		.af = af,
		.src = af == AF_INET ? "172.16.0.5" : "2001:db8:2::5",
		.dst = af == AF_INET ? "10.0.0.1" : "2001:db8::1",
		.protocol = IPPROTO_UDP,
		.sport = sport,
		.dport = 53,
		.no_df = 1,
		.payload = data,
		.payload_len = n,
	};

	for (size_t i = 0; i < n; i++)
		data[i] = (uint8_t)(i * 13 + sport);
	whole_len = frame_build(whole, &s);
}

/*
 * The fragment of the datagram in whole holding its payload bytes [off, off + len)
 * (the IP payload: UDP header included), parsed into *p from buf. IPv4 gets offset and
 * MF in its header (id), IPv6 a fragment header (id) after the fixed header.
 */
static void make_frag(uint8_t *buf, struct uvs_pkt *p, uint32_t id, uint32_t off, uint32_t len,
		      bool more)
{
	bool v6 = (whole[14] >> 4) == 6;
	uint32_t hl = v6 ? 40 : 20, flen;
	uint8_t *ip = buf + 14;

	memcpy(buf, whole, 14 + hl);
	if (v6) {
		struct ip6_frag fh = { .ip6f_nxt = whole[14 + 6],
				       .ip6f_offlg = htons((uint16_t)(off | (more ? 1 : 0))),
				       .ip6f_ident = htonl(id) };
		ip[6] = IPPROTO_FRAGMENT;
		memcpy(ip + 40, &fh, 8);
		memcpy(ip + 48, whole + 14 + hl + off, len);
		uvs_put16(ip + 4, (uint16_t)(8 + len));
		flen = 14 + 48 + len;
	} else {
		memcpy(ip + 20, whole + 14 + hl + off, len);
		uvs_put16(ip + 2, (uint16_t)(20 + len));
		uvs_put16(ip + 4, (uint16_t)id);
		uvs_put16(ip + 6, (uint16_t)((more ? IP_MF : 0) | off / 8));
		uvs_put16(ip + 10, 0);
		uvs_put16(ip + 10, ref_csum(ip, 20, 0));
		flen = 14 + 20 + len;
	}
	assert_int_equal(uvs_pkt_parse(buf, flen, p), UVS_PKT_FRAGMENT);
}

static enum uvs_frag_result add(struct uvs_frag_table *t, uint32_t id, uint32_t off, uint32_t len,
				bool more, uvs_time_t now)
{
	uint8_t buf[2048];
	struct uvs_pkt p;
	struct uvs_frag_done done = { .buf = got, .room = sizeof(got) };

	make_frag(buf, &p, id, off, len, more);
	return uvs_frag_add(t, &p, 7, now, &done);
}

/* The reassembled frame equals the datagram, but for the IPv4 header's id. */
static void assert_whole(int af)
{
	uint8_t want[2048];

	memcpy(want, whole, whole_len);
	if (af == AF_INET) {
		memcpy(want + 14 + 4, got + 14 + 4, 2);
		uvs_put16(want + 14 + 10, 0);
		uvs_put16(want + 14 + 10, ref_csum(want + 14, 20, 0));
	}
	assert_memory_equal(got, want, whole_len);
}

static void test_orders(void **state)
{
	static const int orders[][3] = { { 0, 1, 2 }, { 2, 1, 0 }, { 1, 2, 0 }, { 2, 0, 1 } };
	struct uvs_frag_table t;

	(void)state;
	for (int af = 0; af < 2; af++) {
		make_whole(af ? AF_INET6 : AF_INET, 1000, 40000);
		assert_int_equal(uvs_frag_table_init(&t, 8, UVS_FRAG_MEM_DEFAULT), 0);
		for (unsigned k = 0; k < 4; k++) {
			/* 1008 bytes of UDP: 400 + 400 + 208. */
			uint32_t offs[3] = { 0, 400, 800 }, lens[3] = { 400, 400, 208 };
			for (int i = 0; i < 3; i++) {
				int j = orders[k][i];
				enum uvs_frag_result r = add(&t, 9 + k, offs[j], lens[j], j < 2, 0);
				assert_int_equal(r, i < 2 ? UVS_FRAG_HELD : UVS_FRAG_DONE);
			}
			assert_whole(af ? AF_INET6 : AF_INET);
		}
		assert_int_equal(t.mem[af], 0);
		uvs_frag_table_destroy(&t);
	}
}

/* Duplicates are dropped alone; an overlap, a second end or an empty fragment drop
 * the datagram; a misaligned IPv6 fragment is dropped alone. */
static void test_kernel_rules(void **state)
{
	struct uvs_frag_table t;

	(void)state;
	make_whole(AF_INET, 1000, 40001);
	assert_int_equal(uvs_frag_table_init(&t, 8, UVS_FRAG_MEM_DEFAULT), 0);
	assert_int_equal(add(&t, 1, 0, 400, true, 0), UVS_FRAG_HELD);
	assert_int_equal(add(&t, 1, 400, 400, true, 0), UVS_FRAG_HELD);
	assert_int_equal(add(&t, 1, 0, 400, true, 0), UVS_FRAG_DUP);
	assert_int_equal(add(&t, 1, 200, 400, true, 0), UVS_FRAG_DUP); /* inside the run */
	assert_int_equal(add(&t, 1, 800, 208, false, 0), UVS_FRAG_DONE);
	assert_whole(AF_INET);

	assert_int_equal(add(&t, 2, 0, 400, true, 0), UVS_FRAG_HELD);
	assert_int_equal(add(&t, 2, 392, 400, true, 0), UVS_FRAG_OVERLAP);
	assert_int_equal(t.queues, 0); /* the datagram went with it */

	assert_int_equal(add(&t, 3, 800, 208, false, 0), UVS_FRAG_HELD);
	assert_int_equal(add(&t, 3, 0, 400, true, 0), UVS_FRAG_HELD);
	assert_int_equal(add(&t, 3, 800, 200, false, 0), UVS_FRAG_BAD); /* another end */
	assert_int_equal(t.queues, 0);

	assert_int_equal(add(&t, 4, 0, 400, true, 0), UVS_FRAG_HELD);
	assert_int_equal(add(&t, 4, 800, 208, false, 0), UVS_FRAG_HELD);
	assert_int_equal(add(&t, 4, 1008, 16, true, 0), UVS_FRAG_BAD); /* beyond the end */
	assert_int_equal(t.queues, 0);

	/* A non-last IPv4 fragment of 404 bytes is cut to 400 (8-byte units). */
	assert_int_equal(add(&t, 5, 0, 404, true, 0), UVS_FRAG_HELD);
	assert_int_equal(add(&t, 5, 400, 608, false, 0), UVS_FRAG_DONE);
	assert_whole(AF_INET);
	uvs_frag_table_destroy(&t);

	make_whole(AF_INET6, 1000, 40002);
	assert_int_equal(uvs_frag_table_init(&t, 8, UVS_FRAG_MEM_DEFAULT), 0);
	assert_int_equal(add(&t, 6, 0, 400, true, 0), UVS_FRAG_HELD);
	assert_int_equal(add(&t, 6, 400, 404, true, 0), UVS_FRAG_BAD); /* misaligned */
	assert_int_equal(t.queues, 1);				       /* kept */
	assert_int_equal(add(&t, 6, 400, 608, false, 0), UVS_FRAG_DONE);
	assert_whole(AF_INET6);
	uvs_frag_table_destroy(&t);
}

/* Each family holds at most its limit; past it fragments are dropped; the timeout
 * (30 s IPv4, 60 s IPv6) gives everything back. */
static void test_memory_bound(void **state)
{
	const size_t limit = 64 * 1024;
	struct uvs_frag_table t;
	unsigned held = 0;

	(void)state;
	assert_int_equal(uvs_frag_table_init(&t, 6, limit), 0);
	make_whole(AF_INET, 1400, 40003);
	for (uint32_t id = 1;; id++) {
		enum uvs_frag_result r = add(&t, id, 0, 1000, true, 0);
		assert_true(t.mem[0] <= limit);
		if (r == UVS_FRAG_NO_MEMORY)
			break;
		assert_int_equal(r, UVS_FRAG_HELD);
		held++;
		assert_true(held < 1000);
	}
	assert_true(held >= 50); /* 64 KiB of 1000-byte fragments, less their overhead */
	assert_int_equal(t.queues, held);
	/* The other family has its own. */
	make_whole(AF_INET6, 1400, 40004);
	assert_int_equal(add(&t, 1, 0, 1000, true, 0), UVS_FRAG_HELD);
	make_whole(AF_INET, 1400, 40003);
	assert_int_equal(add(&t, 99999, 0, 1000, true, 29 * S), UVS_FRAG_NO_MEMORY);
	assert_int_equal(uvs_frag_expire(&t, 29 * S, 0, uvs_frag_buckets(&t)), 0);
	assert_int_equal(uvs_frag_expire(&t, 30 * S, 0, uvs_frag_buckets(&t)), held);
	assert_int_equal(t.mem[0], 0);
	assert_int_equal(uvs_frag_expire(&t, 60 * S, 0, uvs_frag_buckets(&t)), 1);
	assert_int_equal(t.mem[1], 0);
	assert_int_equal(t.queues, 0);
	assert_int_equal(add(&t, 99999, 0, 1000, true, 61 * S), UVS_FRAG_HELD);
	uvs_frag_table_destroy(&t);
}

/* Two threads, each with half of every datagram's fragments: every datagram is
 * completed once, by one of them, and nothing is left. */
struct racer {
	struct uvs_frag_table *t;
	int half;
	unsigned done;
};

#define RACE_DATAGRAMS 2000

static void *race(void *arg)
{
	struct racer *r = arg;
	static __thread uint8_t out[2048];

	for (uint32_t id = 1; id <= RACE_DATAGRAMS; id++) {
		uint8_t buf[2048];
		struct uvs_pkt p;
		struct uvs_frag_done done = { .buf = out, .room = sizeof(out) };

		if (r->half == 0)
			make_frag(buf, &p, id, 0, 400, true);
		else
			make_frag(buf, &p, id, 400, 608, false);
		if (uvs_frag_add(r->t, &p, 0, 0, &done) == UVS_FRAG_DONE)
			r->done++;
	}
	return NULL;
}

static void test_two_threads(void **state)
{
	struct uvs_frag_table t;
	struct racer r[2];
	pthread_t th[2];

	(void)state;
	make_whole(AF_INET, 1000, 40005);
	assert_int_equal(uvs_frag_table_init(&t, 10, UVS_FRAG_MEM_DEFAULT), 0);
	for (int i = 0; i < 2; i++) {
		r[i] = (struct racer){ .t = &t, .half = i };
		assert_int_equal(pthread_create(&th[i], NULL, race, &r[i]), 0);
	}
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	assert_int_equal(r[0].done + r[1].done, RACE_DATAGRAMS);
	assert_int_equal(t.queues, 0);
	assert_int_equal(t.mem[0], 0);
	uvs_frag_table_destroy(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_orders),
		cmocka_unit_test(test_kernel_rules),
		cmocka_unit_test(test_memory_bound),
		cmocka_unit_test(test_two_threads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
