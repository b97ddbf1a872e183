// SPDX-License-Identifier: GPL-2.0-or-later
/* The hashing schedulers dh, sh and mh, and the SipHash they rest on. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "sched/hashsched.h"
#include "sched/siphash.h"

#define SVC "10.0.0.1:80"
#define M   UVS_MH_TAB_SIZE

static int setup(void **state)
{
	static struct test_env env;
	test_env_init(&env);
	*state = &env;
	return 0;
}

static int teardown(void **state)
{
	test_env_fini(*state);
	return 0;
}

/* Edits service vip to scheduler sched with flags; returns the result. */
static int edit_svc_at(struct test_env *env, const char *vip, const char *sched, uint32_t flags)
{
	struct uvs_svc_conf c = test_svc_conf(vip, sched);
	struct uvs_error err = { { 0 } };

	c.flags = flags;
	return uvs_svc_edit(&env->m, &c, &err);
}

static int edit_svc(struct test_env *env, const char *sched, uint32_t flags)
{
	return edit_svc_at(env, SVC, sched, flags);
}

/* Sets an upper threshold of 1 on d and binds one connection, so d is overloaded. */
static void make_overloaded(struct test_env *env, struct uvs_service *svc, struct uvs_dest *d)
{
	struct uvs_dest_conf c = d->conf;
	struct uvs_error err = { { 0 } };

	c.u_threshold = 1;
	assert_int_equal(uvs_dest_edit(&env->m, &svc->key, &c, &err), 0);
	rcu_read_lock();
	uvs_dest_bind(d, 0, 0);
	rcu_read_unlock();
	assert_true(uvs_dest_overloaded(d));
}

static void clear_threshold(struct test_env *env, struct uvs_service *svc, struct uvs_dest *d)
{
	struct uvs_dest_conf c = d->conf;
	struct uvs_error err = { { 0 } };

	c.u_threshold = 0;
	assert_int_equal(uvs_dest_edit(&env->m, &svc->key, &c, &err), 0);
	assert_false(uvs_dest_overloaded(d));
}

/* Schedules a TCP connection from client to vaddr (host-order IPv4 addresses). */
static struct uvs_dest *pick_v4(struct uvs_service *svc, uint32_t client, uint16_t sport,
				uint32_t vaddr)
{
	struct uvs_sched_pkt pkt;
	struct uvs_dest *d;

	memset(&pkt, 0, sizeof(pkt));
	pkt.af = AF_INET;
	pkt.protocol = IPPROTO_TCP;
	pkt.saddr.ip = htonl(client);
	pkt.sport = htons(sport);
	pkt.daddr.ip = htonl(vaddr);
	pkt.dport = svc->key.port;
	rcu_read_lock();
	d = uvs_svc_schedule(svc, &pkt, 0, 0);
	rcu_read_unlock();
	return d;
}

static int del_dest(struct test_env *env, struct uvs_service *svc, struct uvs_dest *d)
{
	struct uvs_error err = { { 0 } };

	return uvs_dest_del(&env->m, &svc->key, d->conf.af, &d->conf.addr, d->conf.port, &err);
}

static const char *nth_addr(char *buf, size_t len, unsigned i)
{
	snprintf(buf, len, "192.168.%u.%u:80", i / 250, i % 250 + 1);
	return buf;
}

/* ---- SipHash ---- */

static void test_siphash24_vectors(void **state)
{
	/* The SipHash paper's key 00 01 .. 0f, read as two little-endian words. */
	const struct uvs_siphash_key key = { 0x0706050403020100ull, 0x0f0e0d0c0b0a0908ull };
	uint8_t msg[15];

	(void)state;
	for (unsigned i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)i;
	assert_int_equal(uvs_siphash24(&key, msg, 0), 0x726fdb47dd0e0e31ull);
	assert_int_equal(uvs_siphash24(&key, msg, 15), 0xa129ca6149be45e5ull);
}

static void test_siphash13(void **state)
{
	/* CPython 3.11 hashes bytes with SipHash-1-3; with PYTHONHASHSEED=0 its key is all
	 * zeros, so `PYTHONHASHSEED=0 python3 -c 'print(hex(hash(b"a") % 2**64))'` gives
	 * these answers. */
	const struct uvs_siphash_key zero = { 0, 0 }, k1 = { 1, 0 }, k2 = { 0, 1 };
	uint8_t msg[15];
	uint32_t v = 12345;

	(void)state;
	for (unsigned i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)i;
	assert_int_equal(uvs_siphash13(&zero, "a", 1), 0x407448d2b89b1813ull);
	assert_int_equal(uvs_siphash13(&zero, msg, 8), 0xead411e67ebe2eeaull);
	assert_int_equal(uvs_siphash13(&zero, msg, 15), 0xf30eb725bb91c9eaull);
	assert_int_equal(uvs_siphash13(&zero, "uvs maglev", 10), 0x5f4192bf59e01fdfull);

	/* Deterministic; sensitive to the key (each half), the message and its length. */
	uint64_t h = uvs_siphash13(&zero, &v, sizeof(v));
	assert_int_equal(uvs_siphash13(&zero, &v, sizeof(v)), h);
	assert_int_not_equal(uvs_siphash13(&k1, &v, sizeof(v)), h);
	assert_int_not_equal(uvs_siphash13(&k2, &v, sizeof(v)), h);
	assert_int_not_equal(uvs_siphash13(&k1, &v, sizeof(v)), uvs_siphash13(&k2, &v, sizeof(v)));
	v++;
	assert_int_not_equal(uvs_siphash13(&zero, &v, sizeof(v)), h);
	assert_int_not_equal(uvs_siphash13(&zero, msg, 7), uvs_siphash13(&zero, msg, 8));
	/* Trailing zero bytes count through the length byte. */
	uint8_t z[2] = { 0, 0 };
	assert_int_not_equal(uvs_siphash13(&zero, z, 1), uvs_siphash13(&zero, z, 2));
	/* The round counts matter. */
	assert_int_not_equal(uvs_siphash13(&zero, msg, 15), uvs_siphash24(&zero, msg, 15));
}

/* ---- dh ---- */

static unsigned dh_key(uint32_t vaddr)
{
	return (vaddr * 2654435761u) & 255;
}

static void test_dh_layout(void **state)
{
	struct test_env *env = *state;
	struct uvs_service *svc = test_add_svc(env, SVC, "dh");

	for (unsigned i = 0; i < UVS_DH_BUCKETS; i++)
		assert_null(uvs_dh_bucket(svc, i));
	struct uvs_dest *a = test_add_dest(env, svc, "192.168.0.11:80", 1);
	struct uvs_dest *b = test_add_dest(env, svc, "192.168.0.12:80", 5);
	struct uvs_dest *c = test_add_dest(env, svc, "192.168.0.13:80", 0);
	/* List order is newest first: C B A, one bucket each, weight ignored. */
	struct uvs_dest *cba[] = { c, b, a };
	for (unsigned i = 0; i < UVS_DH_BUCKETS; i++)
		assert_ptr_equal(uvs_dh_bucket(svc, i), cba[i % 3]);
	test_set_weight(env, svc, a, 100);
	for (unsigned i = 0; i < UVS_DH_BUCKETS; i++)
		assert_ptr_equal(uvs_dh_bucket(svc, i), cba[i % 3]);

	assert_int_equal(del_dest(env, svc, b), 0);
	struct uvs_dest *ca[] = { c, a };
	for (unsigned i = 0; i < UVS_DH_BUCKETS; i++)
		assert_ptr_equal(uvs_dh_bucket(svc, i), ca[i % 2]);
	assert_null(uvs_dh_bucket(svc, UVS_DH_BUCKETS));
}

static void test_dh_pick(void **state)
{
	struct test_env *env = *state;
	struct uvs_service *svc = test_add_svc(env, SVC, "dh");
	struct uvs_dest *a = test_add_dest(env, svc, "192.168.0.11:80", 1);
	struct uvs_dest *b = test_add_dest(env, svc, "192.168.0.12:80", 1);
	uint32_t va = 0, vb = 0;

	/* Find a destination address of each bucket owner. */
	for (uint32_t v = 0x0a000001; !va || !vb; v++) {
		if (uvs_dh_bucket(svc, dh_key(v)) == a && !va)
			va = v;
		if (uvs_dh_bucket(svc, dh_key(v)) == b && !vb)
			vb = v;
	}
	/* The key is the destination address: any client, any port, same answer. */
	for (uint32_t client = 0xac100001; client < 0xac100040; client++) {
		assert_ptr_equal(pick_v4(svc, client, (uint16_t)client, va), a);
		assert_ptr_equal(pick_v4(svc, client, (uint16_t)client, vb), b);
	}
	/* A quiescent bucket owner gives nothing, even though b is usable. */
	test_set_weight(env, svc, a, 0);
	assert_null(pick_v4(svc, 0xac100001, 1000, va));
	assert_ptr_equal(pick_v4(svc, 0xac100001, 1000, vb), b);
	test_set_weight(env, svc, a, 1);
	assert_ptr_equal(pick_v4(svc, 0xac100001, 1000, va), a);
	/* So does an overloaded one. */
	make_overloaded(env, svc, a);
	assert_null(pick_v4(svc, 0xac100001, 1000, va));
	assert_ptr_equal(pick_v4(svc, 0xac100001, 1000, vb), b);
	clear_threshold(env, svc, a);
	assert_ptr_equal(pick_v4(svc, 0xac100001, 1000, va), a);
}

/* ---- sh ---- */

static unsigned sh_hash(uint32_t addr, uint16_t port, uint32_t offset)
{
	return (offset + ((uint32_t)port + addr) * 2654435761u) & 255;
}

static void test_sh_fill(void **state)
{
	struct test_env *env = *state;
	struct uvs_service *svc = test_add_svc(env, SVC, "sh");

	for (unsigned i = 0; i < UVS_SH_BUCKETS; i++)
		assert_null(uvs_sh_bucket(svc, i));
	struct uvs_dest *b = test_add_dest(env, svc, "192.168.0.12:80", 1);
	struct uvs_dest *a = test_add_dest(env, svc, "192.168.0.11:80", 3);
	/* List A B (newest first): A A A B, repeating. */
	for (unsigned i = 0; i < UVS_SH_BUCKETS; i++)
		assert_ptr_equal(uvs_sh_bucket(svc, i), i % 4 < 3 ? a : b);
	/* An update rebuilds: A A A B B. */
	test_set_weight(env, svc, b, 2);
	for (unsigned i = 0; i < UVS_SH_BUCKETS; i++)
		assert_ptr_equal(uvs_sh_bucket(svc, i), i % 5 < 3 ? a : b);
	/* Weight 0 still takes one bucket: A B B. */
	test_set_weight(env, svc, a, 0);
	for (unsigned i = 0; i < UVS_SH_BUCKETS; i++)
		assert_ptr_equal(uvs_sh_bucket(svc, i), i % 3 < 1 ? a : b);
	/* Switching schedulers builds from the destinations already there. */
	assert_int_equal(edit_svc(env, "rr", 0), 0);
	assert_null(uvs_sh_bucket(svc, 0));
	test_set_weight(env, svc, a, 2);
	assert_int_equal(edit_svc(env, "sh", 0), 0);
	for (unsigned i = 0; i < UVS_SH_BUCKETS; i++)
		assert_ptr_equal(uvs_sh_bucket(svc, i), i % 4 < 2 ? a : b);
	/* Emptied: every bucket NULL, nothing picked. */
	assert_int_equal(del_dest(env, svc, a), 0);
	for (unsigned i = 0; i < UVS_SH_BUCKETS; i++)
		assert_ptr_equal(uvs_sh_bucket(svc, i), b);
	assert_int_equal(del_dest(env, svc, b), 0);
	for (unsigned i = 0; i < UVS_SH_BUCKETS; i++)
		assert_null(uvs_sh_bucket(svc, i));
	assert_null(test_pick(svc, "172.16.0.5:1234", 0));
}

static void test_sh_sticky(void **state)
{
	struct test_env *env = *state;
	struct uvs_service *svc = test_add_svc(env, SVC, "sh");
	unsigned seen[256] = { 0 };
	unsigned distinct = 0;

	test_add_dest(env, svc, "192.168.0.11:80", 1);
	test_add_dest(env, svc, "192.168.0.12:80", 2);
	test_add_dest(env, svc, "192.168.0.13:80", 3);
	for (uint32_t client = 0xac100001; client < 0xac100101; client++) {
		struct uvs_dest *d = pick_v4(svc, client, 1000, 0x0a000001);
		assert_non_null(d);
		assert_ptr_equal(d, uvs_sh_bucket(svc, sh_hash(client, 0, 0)));
		/* Same client, other port, other virtual address: same destination. */
		assert_ptr_equal(pick_v4(svc, client, 2000, 0x0a000002), d);
		assert_ptr_equal(pick_v4(svc, client, 1000, 0x0a000001), d);
		if (!seen[test_dest_id(d)]++)
			distinct++;
	}
	assert_int_equal(distinct, 3);
}

static void test_sh_port(void **state)
{
	struct test_env *env = *state;
	struct uvs_service *svc = test_add_svc(env, SVC, "sh");
	const uint32_t client = 0xac100005;
	bool differs = false;

	test_add_dest(env, svc, "192.168.0.11:80", 1);
	test_add_dest(env, svc, "192.168.0.12:80", 1);
	test_add_dest(env, svc, "192.168.0.13:80", 1);
	struct uvs_dest *first = pick_v4(svc, client, 1000, 0x0a000001);
	for (uint16_t port = 1001; port < 1100; port++)
		assert_ptr_equal(pick_v4(svc, client, port, 0x0a000001), first);

	/* The flag is read at schedule time; no scheduler op runs on a service edit. */
	assert_int_equal(edit_svc(env, "sh", UVS_SVC_F_SCHED_SH_PORT), 0);
	for (uint16_t port = 1000; port < 1100; port++) {
		struct uvs_dest *d = pick_v4(svc, client, port, 0x0a000001);
		assert_ptr_equal(d, uvs_sh_bucket(svc, sh_hash(client, port, 0)));
		assert_ptr_equal(pick_v4(svc, client, port, 0x0a000001), d);
		differs |= d != first;
	}
	assert_true(differs);
}

/* The sh-fallback rule, restated: the bucket's owner if usable, else the first usable
 * owner along the probe sequence. */
static struct uvs_dest *sh_walk(struct uvs_service *svc, uint32_t addr)
{
	unsigned ihash = sh_hash(addr, 0, 0);

	if (uvs_sh_bucket(svc, ihash) && uvs_dest_usable(uvs_sh_bucket(svc, ihash)))
		return uvs_sh_bucket(svc, ihash);
	for (unsigned off = 0; off < 256; off++) {
		struct uvs_dest *d = uvs_sh_bucket(svc, sh_hash(addr, 0, (off + ihash) % 256));
		if (!d)
			return NULL;
		if (uvs_dest_usable(d))
			return d;
	}
	return NULL;
}

static void test_sh_fallback(void **state)
{
	struct test_env *env = *state;
	struct uvs_service *svc = test_add_svc(env, SVC, "sh");
	struct uvs_dest *a = test_add_dest(env, svc, "192.168.0.11:80", 1);
	struct uvs_dest *b = test_add_dest(env, svc, "192.168.0.12:80", 1);
	struct uvs_dest *c = test_add_dest(env, svc, "192.168.0.13:80", 1);
	unsigned tried = 0;

	test_set_weight(env, svc, a, 0);
	/* Clients whose bucket is a's: nothing without the fallback, b or c with it. */
	for (uint32_t client = 0xac100001; client < 0xac100400; client++) {
		if (uvs_sh_bucket(svc, sh_hash(client, 0, 0)) != a)
			continue;
		tried++;
		assert_int_equal(edit_svc(env, "sh", 0), 0);
		assert_null(pick_v4(svc, client, 1000, 0x0a000001));
		assert_int_equal(edit_svc(env, "sh", UVS_SVC_F_SCHED_SH_FALLBACK), 0);
		struct uvs_dest *d = pick_v4(svc, client, 1000, 0x0a000001);
		assert_true(d == b || d == c);
		assert_ptr_equal(d, sh_walk(svc, client));
	}
	assert_true(tried > 0);

	/* An overloaded owner is skipped the same way; a usable one is kept. */
	test_set_weight(env, svc, a, 1);
	make_overloaded(env, svc, b);
	tried = 0;
	for (uint32_t client = 0xac100001; client < 0xac100400; client++) {
		struct uvs_dest *owner = uvs_sh_bucket(svc, sh_hash(client, 0, 0));
		struct uvs_dest *d = pick_v4(svc, client, 1000, 0x0a000001);
		if (owner == b) {
			tried++;
			assert_true(d == a || d == c);
		} else {
			assert_ptr_equal(d, owner);
		}
	}
	assert_true(tried > 0);

	/* Nothing usable at all: the walk gives up. */
	test_set_weight(env, svc, a, 0);
	test_set_weight(env, svc, c, 0);
	assert_null(pick_v4(svc, 0xac100001, 1000, 0x0a000001));
}

/* ---- mh ---- */

/* Counts each destination's slots into counts[test_dest_id]. */
static void mh_counts(struct uvs_service *svc, unsigned counts[256])
{
	memset(counts, 0, 256 * sizeof(counts[0]));
	for (unsigned i = 0; i < M; i++) {
		struct uvs_dest *d = uvs_mh_slot(svc, i);
		assert_non_null(d);
		counts[test_dest_id(d)]++;
	}
	assert_null(uvs_mh_slot(svc, M));
}

static void mh_snapshot(struct uvs_service *svc, struct uvs_dest **tab)
{
	for (unsigned i = 0; i < M; i++)
		tab[i] = uvs_mh_slot(svc, i);
}

/* Asserts each of ids' slot share is within 1% of the table of its weight share. */
static void check_shares(struct uvs_service *svc, const int *ids, const int *weights, unsigned n)
{
	unsigned counts[256];
	double total = 0;

	mh_counts(svc, counts);
	for (unsigned i = 0; i < n; i++)
		total += weights[i];
	for (unsigned i = 0; i < n; i++) {
		double want = weights[i] / total, got = (double)counts[ids[i]] / M;
		if (got - want > 0.01 || want - got > 0.01)
			fail_msg("destination .%d: %u slots, share %.4f, weight share %.4f", ids[i],
				 counts[ids[i]], got, want);
	}
}

static void test_mh_shares(void **state)
{
	struct test_env *env = *state;
	struct uvs_service *svc = test_add_svc(env, SVC, "mh");
	const int ids[] = { 11, 12, 13, 14, 15, 16, 17, 18, 19, 20 };
	const int w1234[] = { 1, 2, 3, 4 }, w300[] = { 300, 600, 900, 1200 };
	const int eq[10] = { 5, 5, 5, 5, 5, 5, 5, 5, 5, 5 };
	struct uvs_dest *d[10];
	char buf[32];

	for (unsigned i = 0; i < M; i++)
		assert_null(uvs_mh_slot(svc, i));
	for (unsigned i = 0; i < 4; i++) {
		snprintf(buf, sizeof(buf), "192.168.0.%d:80", ids[i]);
		d[i] = test_add_dest(env, svc, buf, w1234[i]);
	}
	check_shares(svc, ids, w1234, 4);
	/* Large weights with a common divisor: the same shares. */
	for (unsigned i = 0; i < 4; i++)
		test_set_weight(env, svc, d[i], w300[i]);
	check_shares(svc, ids, w300, 4);

	for (unsigned i = 4; i < 10; i++) {
		snprintf(buf, sizeof(buf), "192.168.0.%d:80", ids[i]);
		d[i] = test_add_dest(env, svc, buf, 5);
	}
	for (unsigned i = 0; i < 4; i++)
		test_set_weight(env, svc, d[i], 5);
	check_shares(svc, ids, eq, 10);
}

static void test_mh_remove_one(void **state)
{
	struct test_env *env = *state;
	struct uvs_service *svc = test_add_svc(env, SVC, "mh");
	static struct uvs_dest *before[M];
	struct uvs_dest *gone = NULL;
	unsigned moved = 0, others = 0;
	char buf[32];

	for (unsigned i = 0; i < 10; i++) {
		snprintf(buf, sizeof(buf), "192.168.0.%u:80", 11 + i);
		struct uvs_dest *d = test_add_dest(env, svc, buf, 1);
		if (i == 4)
			gone = d;
	}
	mh_snapshot(svc, before);
	assert_int_equal(del_dest(env, svc, gone), 0);
	for (unsigned i = 0; i < M; i++) {
		struct uvs_dest *now = uvs_mh_slot(svc, i);
		assert_non_null(now);
		assert_ptr_not_equal(now, gone);
		if (before[i] == gone)
			continue;
		others++;
		moved += now != before[i];
	}
	/*
	 * Maglev is not perfectly minimal: the survivors claim the freed slots in rounds,
	 * which shifts a few of their later claims. With M = 4093 and 10 destinations
	 * about 1.3% of the other slots move (1.0-1.7% over each choice of the removed
	 * destination, 1.6% here; a simulation with random permutations gives the same), where
	 * modulo hashing would move about 90%. Bound it at 2%.
	 */
	print_message("mh: removing 1 of 10 moved %u of %u other slots\n", moved, others);
	assert_true(moved * 50 <= others);
}

static void test_mh_quiesce(void **state)
{
	struct test_env *env = *state;
	struct uvs_service *svc = test_add_svc(env, SVC, "mh");
	static struct uvs_dest *before[M];
	struct uvs_dest *x = NULL, *got[64];
	uint32_t xclient = 0;
	char buf[32];

	for (unsigned i = 0; i < 5; i++) {
		snprintf(buf, sizeof(buf), "192.168.0.%u:80", 11 + i);
		struct uvs_dest *d = test_add_dest(env, svc, buf, (int64_t)i + 1);
		if (i == 2)
			x = d;
	}
	for (uint32_t c = 0; c < 64; c++) {
		got[c] = pick_v4(svc, 0xac100001 + c, 1000, 0x0a000001);
		assert_non_null(got[c]);
		if (got[c] == x && !xclient)
			xclient = 0xac100001 + c;
	}
	assert_true(xclient != 0);
	mh_snapshot(svc, before);

	test_set_weight(env, svc, x, 0);
	assert_int_equal(x->last_weight, 3);
	for (unsigned i = 0; i < M; i++)
		assert_ptr_equal(uvs_mh_slot(svc, i), before[i]);
	assert_null(pick_v4(svc, xclient, 1000, 0x0a000001));
	for (uint32_t c = 0; c < 64; c++)
		if (got[c] != x)
			assert_ptr_equal(pick_v4(svc, 0xac100001 + c, 1000, 0x0a000001), got[c]);

	assert_int_equal(edit_svc(env, "mh", UVS_SVC_F_SCHED_MH_FALLBACK), 0);
	struct uvs_dest *alt = pick_v4(svc, xclient, 1000, 0x0a000001);
	assert_non_null(alt);
	assert_ptr_not_equal(alt, x);
	assert_true(uvs_dest_usable(alt));
	/* Fallback leaves clients of usable destinations where they were. */
	for (uint32_t c = 0; c < 64; c++)
		if (got[c] != x)
			assert_ptr_equal(pick_v4(svc, 0xac100001 + c, 1000, 0x0a000001), got[c]);
	/* An overloaded owner is skipped too. */
	test_set_weight(env, svc, x, 3);
	make_overloaded(env, svc, x);
	alt = pick_v4(svc, xclient, 1000, 0x0a000001);
	assert_non_null(alt);
	assert_ptr_not_equal(alt, x);
	assert_int_equal(edit_svc(env, "mh", 0), 0);
	assert_null(pick_v4(svc, xclient, 1000, 0x0a000001));

	/* Back in service: the same table, the same destination. */
	clear_threshold(env, svc, x);
	for (unsigned i = 0; i < M; i++)
		assert_ptr_equal(uvs_mh_slot(svc, i), before[i]);
	assert_ptr_equal(pick_v4(svc, xclient, 1000, 0x0a000001), x);
}

static void test_mh_zero_weight_added(void **state)
{
	struct test_env *env = *state;
	struct uvs_service *svc = test_add_svc(env, SVC, "mh");
	struct uvs_dest *z = test_add_dest(env, svc, "192.168.0.11:80", 0);

	/* Never weighted: no turns, so an empty table. */
	for (unsigned i = 0; i < M; i++)
		assert_null(uvs_mh_slot(svc, i));
	assert_null(test_pick(svc, "172.16.0.5:1234", 0));
	assert_int_equal(edit_svc(env, "mh", UVS_SVC_F_SCHED_MH_FALLBACK), 0);
	assert_null(test_pick(svc, "172.16.0.5:1234", 0));
	/* Another one takes every slot. */
	struct uvs_dest *a = test_add_dest(env, svc, "192.168.0.12:80", 1);
	for (unsigned i = 0; i < M; i++)
		assert_ptr_equal(uvs_mh_slot(svc, i), a);
	test_set_weight(env, svc, z, 1);
	unsigned counts[256];
	mh_counts(svc, counts);
	assert_true(counts[11] > M / 2 - M / 100 && counts[11] < M / 2 + M / 100);
}

/* The lookup hash, restated from the reference: SipHash-1-3 of the u32
 * offset + port + address under key1. */
static unsigned mh_lookup_slot(uint32_t addr, uint16_t port)
{
	const struct uvs_siphash_key key1 = { 2654435761u, 2654435761u };
	uint32_t v = port + addr;

	return (unsigned)(uvs_siphash13(&key1, &v, sizeof(v)) % M);
}

static void test_mh_port(void **state)
{
	struct test_env *env = *state;
	struct uvs_service *svc = test_add_svc(env, SVC, "mh");
	const uint32_t client = 0xac100005;
	bool differs = false;

	test_add_dest(env, svc, "192.168.0.11:80", 1);
	test_add_dest(env, svc, "192.168.0.12:80", 1);
	test_add_dest(env, svc, "192.168.0.13:80", 1);
	struct uvs_dest *first = pick_v4(svc, client, 1000, 0x0a000001);
	assert_ptr_equal(first, uvs_mh_slot(svc, mh_lookup_slot(client, 0)));
	for (uint16_t port = 1001; port < 1100; port++)
		assert_ptr_equal(pick_v4(svc, client, port, 0x0a000001), first);

	assert_int_equal(edit_svc(env, "mh", UVS_SVC_F_SCHED_MH_PORT), 0);
	for (uint16_t port = 1000; port < 1100; port++) {
		struct uvs_dest *d = pick_v4(svc, client, port, 0x0a000001);
		assert_ptr_equal(d, uvs_mh_slot(svc, mh_lookup_slot(client, port)));
		assert_ptr_equal(pick_v4(svc, client, port, 0x0a000001), d);
		differs |= d != first;
	}
	assert_true(differs);
}

/* IPv6 clients hash by the XOR of their address's four words. */
static void test_hash_ipv6(void **state)
{
	struct test_env *env = *state;
	struct uvs_service *svc = test_add_svc(env, "[2001:db8::1]:80", "sh");
	struct uvs_dest *first = NULL;
	bool differs = false;
	char client[64];

	test_add_dest(env, svc, "[2001:db8::11]:80", 1);
	test_add_dest(env, svc, "[2001:db8::12]:80", 1);
	test_add_dest(env, svc, "[2001:db8::13]:80", 1);
	for (uint32_t k = 0; k < 32; k++) {
		uint32_t fold = 0x20010db8u ^ (0x100 + k);
		snprintf(client, sizeof(client), "[2001:db8::%x]:1234", 0x100 + k);
		struct uvs_dest *d = test_pick(svc, client, 0);
		assert_ptr_equal(d, uvs_sh_bucket(svc, sh_hash(fold, 0, 0)));
		first = first ? first : d;
		differs |= d != first;
	}
	assert_true(differs);

	assert_int_equal(edit_svc_at(env, "[2001:db8::1]:80", "mh", 0), 0);
	first = NULL;
	differs = false;
	for (uint32_t k = 0; k < 32; k++) {
		uint32_t fold = 0x20010db8u ^ (0x100 + k);
		snprintf(client, sizeof(client), "[2001:db8::%x]:1234", 0x100 + k);
		struct uvs_dest *d = test_pick(svc, client, 0);
		assert_ptr_equal(d, uvs_mh_slot(svc, mh_lookup_slot(fold, 0)));
		first = first ? first : d;
		differs |= d != first;
	}
	assert_true(differs);
}

static void test_mh_max_dests(void **state)
{
	struct test_env *env = *state;
	struct uvs_service *svc = test_add_svc(env, SVC, "mh");
	static struct uvs_dest *before[M];
	struct uvs_error err = { { 0 } };
	unsigned counts[256];
	char buf[32];

	for (unsigned i = 0; i < M; i++)
		test_add_dest(env, svc, nth_addr(buf, sizeof(buf), i), 1);
	assert_int_equal(svc->num_dests, M);
	mh_counts(svc, counts); /* every slot owned */
	mh_snapshot(svc, before);

	struct uvs_dest_conf c = test_dest_conf(nth_addr(buf, sizeof(buf), M), 1);
	assert_int_equal(uvs_dest_add(&env->m, &svc->key, &c, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "at most 4093"));
	assert_int_equal(svc->num_dests, M);
	assert_null(uvs_dest_find(svc, c.af, &c.addr, c.port));
	for (unsigned i = 0; i < M; i++)
		assert_ptr_equal(uvs_mh_slot(svc, i), before[i]);
	assert_non_null(test_pick(svc, "172.16.0.5:1234", 0));
}

static void test_mh_edit_too_many(void **state)
{
	struct test_env *env = *state;
	struct uvs_service *svc = test_add_svc(env, SVC, "rr");
	struct uvs_dest *last = NULL;
	char buf[32];

	for (unsigned i = 0; i <= M; i++)
		last = test_add_dest(env, svc, nth_addr(buf, sizeof(buf), i), 1);
	assert_int_equal(svc->num_dests, M + 1);
	assert_int_equal(edit_svc(env, "mh", 0), -EINVAL);
	assert_ptr_equal(svc->sched, uvs_sched_find("rr"));
	assert_null(uvs_mh_slot(svc, 0));
	assert_non_null(test_pick(svc, "172.16.0.5:1234", 0));

	/* One fewer fits. */
	assert_int_equal(del_dest(env, svc, last), 0);
	assert_int_equal(edit_svc(env, "mh", 0), 0);
	assert_ptr_equal(svc->sched, &uvs_sched_mh);
	for (unsigned i = 0; i < M; i++)
		assert_non_null(uvs_mh_slot(svc, i));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_siphash24_vectors),
		cmocka_unit_test(test_siphash13),
		cmocka_unit_test_setup_teardown(test_dh_layout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dh_pick, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sh_fill, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sh_sticky, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sh_port, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sh_fallback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mh_shares, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mh_remove_one, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mh_quiesce, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mh_zero_weight_added, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mh_port, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hash_ipv6, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mh_max_dests, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mh_edit_too_many, setup, teardown),
	};
	return cmocka_run_group_tests_name("sched_hash", tests, NULL, NULL);
}
