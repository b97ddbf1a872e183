// SPDX-License-Identifier: GPL-2.0-or-later
/* The steering map's keys built from a model (uvs_steer_keys_of, no BPF): services by
 * destination, NAT destinations by source, port 0, IPv6, no key for DR/TUN replies or
 * fwmark services, FTP services by address, sorted and without duplicates; the same keys read
 * straight from the model (steer_model_keys); the set of keys a sync compares them with
 * (steer_set); the address filter's bits (steer_addr_bits). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adm_helpers.h"
#include "io/steer-internal.h"

/* The keys of env's model, after rules text; *n is how many. */
static struct uvs_steer_key *keys_after(struct test_env *env, const char *text, int *n)
{
	struct uvs_snap snap = { 0 };
	struct uvs_steer_key *keys = NULL;

	if (text)
		test_apply_ok(env, NULL, text);
	assert_int_equal(uvs_snap_take(&env->m, NULL, false, &snap), 0);
	*n = uvs_steer_keys_of(&snap, &keys);
	uvs_snap_free(&snap);
	assert_true(*n >= 0);
	for (int i = 1; i < *n; i++)
		assert_true(memcmp(&keys[i - 1], &keys[i], sizeof(*keys)) < 0);
	return keys;
}

static struct uvs_steer_key key(int af, int protocol, int kind, const char *addr, int port)
{
	struct uvs_steer_key k;
	union uvs_addr a;

	assert_int_equal(uvs_addr_parse(af, addr, &a), 0);
	memset(&k, 0, sizeof(k));
	k.family = (uint8_t)af;
	k.protocol = (uint8_t)protocol;
	k.kind = (uint8_t)kind;
	k.port = htons((uint16_t)port);
	memcpy(k.addr, &a, sizeof(k.addr));
	return k;
}

static bool has(const struct uvs_steer_key *keys, int n, struct uvs_steer_key k)
{
	for (int i = 0; i < n; i++)
		if (!memcmp(&keys[i], &k, sizeof(k)))
			return true;
	return false;
}

static void test_empty(void **state)
{
	struct uvs_snap none = { 0 };
	struct uvs_steer_key *keys;
	int n;

	keys = keys_after(*state, NULL, &n);
	assert_int_equal(n, 0);
	free(keys);
	keys = NULL;
	assert_int_equal(uvs_steer_keys_of(&none, &keys), 0);
	free(keys);
}

static void test_nat_and_dr(void **state)
{
	struct uvs_steer_key *keys;
	int n;

	keys = keys_after(*state,
			  "-A -t 10.0.0.1:80 -s rr\n"
			  "-a -t 10.0.0.1:80 -r 192.168.0.11:8080 -m\n"
			  "-a -t 10.0.0.1:80 -r 192.168.0.12:80 -g\n"
			  "-a -t 10.0.0.1:80 -r 192.168.0.13:80 -i\n"
			  "-A -u 10.0.0.1:53 -s rr\n"
			  "-a -u 10.0.0.1:53 -r 192.168.0.11:53 -m\n",
			  &n);
	assert_int_equal(n, 6);
	assert_true(has(keys, n, key(AF_INET, IPPROTO_TCP, UVS_STEER_SERVICE, "10.0.0.1", 80)));
	/* Fragments by address: to the VIP, from the NAT real server; any protocol. */
	assert_true(has(keys, n, key(AF_INET, 0, UVS_STEER_SERVICE_ADDR, "10.0.0.1", 0)));
	assert_true(has(keys, n, key(AF_INET, 0, UVS_STEER_REPLY_ADDR, "192.168.0.11", 0)));
	assert_false(has(keys, n, key(AF_INET, 0, UVS_STEER_REPLY_ADDR, "192.168.0.12", 0)));
	assert_true(has(keys, n, key(AF_INET, IPPROTO_TCP, UVS_STEER_REPLY, "192.168.0.11", 8080)));
	assert_true(has(keys, n, key(AF_INET, IPPROTO_UDP, UVS_STEER_SERVICE, "10.0.0.1", 53)));
	assert_true(has(keys, n, key(AF_INET, IPPROTO_UDP, UVS_STEER_REPLY, "192.168.0.11", 53)));
	/* DR and tunnel replies never come back through the director. */
	assert_false(has(keys, n, key(AF_INET, IPPROTO_TCP, UVS_STEER_REPLY, "192.168.0.12", 80)));
	free(keys);
}

static bool bit_set(const __u64 *bits, const struct uvs_steer_key k)
{
	uint32_t b = uvs_steer_addr_bit(k.addr);

	return bits[b / 64] >> (b % 64) & 1;
}

/* The address filter's bits (steer-key.h): one for the address of every key, of both
 * families, and, here, none for an address without keys. */
static void test_addr_bits(void **state)
{
	static __u64 bits[UVS_STEER_ADDR_BITS / 64];
	struct uvs_steer_key *keys;
	struct uvs_steer_key none = key(AF_INET, IPPROTO_TCP, UVS_STEER_SERVICE, "10.0.0.9", 80);
	unsigned set = 0;
	int n;

	keys = keys_after(*state,
			  "-A -t 10.0.0.1:80 -s rr\n"
			  "-a -t 10.0.0.1:80 -r 192.168.0.11:8080 -m\n"
			  "-a -t 10.0.0.1:80 -r 192.168.0.12:80 -g\n"
			  "-A -t [2001:db8::1]:443 -s rr\n"
			  "-a -t [2001:db8::1]:443 -r [2001:db8:1::11]:443 -m\n",
			  &n);
	steer_addr_bits(keys, (size_t)n, bits);
	for (int i = 0; i < n; i++)
		assert_true(bit_set(bits, keys[i]));
	for (size_t i = 0; i < UVS_STEER_ADDR_BITS / 64; i++)
		set += (unsigned)__builtin_popcountll(bits[i]);
	assert_true(set >= 1 && set <= 4); /* 4 addresses, bits may coincide */
	assert_false(bit_set(bits, key(AF_INET, 0, 0, "192.168.0.12", 0))); /* DR: no key */
	assert_false(bit_set(bits, none));
	/* The IPv4 address in the first four bytes: the same bit as its key's. */
	assert_true(bit_set(bits, key(AF_INET, IPPROTO_UDP, UVS_STEER_SERVICE, "10.0.0.1", 53)));
	free(keys);
}

static void test_port_zero_ipv6_sctp(void **state)
{
	struct uvs_steer_key *keys;
	int n;

	keys = keys_after(*state,
			  "-A -t 10.0.0.2:0 -s rr -p 300\n"
			  "-a -t 10.0.0.2:0 -r 192.168.0.13 -m\n"
			  "-A -t [2001:db8::1]:443 -s rr\n"
			  "-a -t [2001:db8::1]:443 -r [2001:db8:1::11]:8443 -m\n"
			  "-A --sctp-service 10.0.0.3:9 -s rr\n",
			  &n);
	assert_int_equal(n, 10);
	assert_true(has(keys, n, key(AF_INET6, 0, UVS_STEER_REPLY_ADDR, "2001:db8:1::11", 0)));
	assert_true(has(keys, n, key(AF_INET, IPPROTO_TCP, UVS_STEER_SERVICE, "10.0.0.2", 0)));
	assert_true(has(keys, n, key(AF_INET, IPPROTO_TCP, UVS_STEER_REPLY, "192.168.0.13", 0)));
	assert_true(
		has(keys, n, key(AF_INET6, IPPROTO_TCP, UVS_STEER_SERVICE, "2001:db8::1", 443)));
	assert_true(
		has(keys, n, key(AF_INET6, IPPROTO_TCP, UVS_STEER_REPLY, "2001:db8:1::11", 8443)));
	assert_true(has(keys, n, key(AF_INET, IPPROTO_SCTP, UVS_STEER_SERVICE, "10.0.0.3", 9)));
	free(keys);
}

static void test_fwmark_and_duplicates(void **state)
{
	struct uvs_steer_key *keys;
	int n;

	/* fwmark services are marked after tc ingress: nothing to steer, not even their
	 * NAT replies. One real server in two services is one reply key. */
	keys = keys_after(*state,
			  "-A -f 1 -s rr\n"
			  "-a -f 1 -r 192.168.0.14:80 -m\n"
			  "-A -t 10.0.0.1:80 -s rr\n"
			  "-a -t 10.0.0.1:80 -r 192.168.0.11:80 -m\n"
			  "-A -t 10.0.0.4:80 -s rr\n"
			  "-a -t 10.0.0.4:80 -r 192.168.0.11:80 -m\n",
			  &n);
	assert_int_equal(n, 6);
	assert_false(has(keys, n, key(AF_INET, IPPROTO_TCP, UVS_STEER_REPLY, "192.168.0.14", 80)));
	assert_true(has(keys, n, key(AF_INET, IPPROTO_TCP, UVS_STEER_REPLY, "192.168.0.11", 80)));
	free(keys);

	keys = keys_after(*state, "-C\n", &n);
	assert_int_equal(n, 0);
	free(keys);
}

/* An FTP service's data connections go to other ports of its VIP and come back from
 * other ports of its NAT servers: its keys take every TCP port of both. */
static void test_ftp(void **state)
{
	struct steer_keyvec v = { 0 };
	struct uvs_steer_key *keys;
	struct steer_ftp ftp = { .ports = { htons(2121) }, .n = 1 };
	int n;

	keys = keys_after(*state,
			  "-A -t 10.0.0.1:21 -s rr\n"
			  "-a -t 10.0.0.1:21 -r 192.168.0.11:21 -m\n"
			  "-a -t 10.0.0.1:21 -r 192.168.0.12:21 -g\n"
			  "-A -t [2001:db8::1]:21 -s rr -p 300\n"
			  "-a -t [2001:db8::1]:21 -r [2001:db8:1::11] -g\n"
			  "-A -u 10.0.0.2:21 -s rr\n"
			  "-a -u 10.0.0.2:21 -r 192.168.0.11:21 -m\n"
			  "-A -t 10.0.0.3:2121 -s rr\n"
			  "-a -t 10.0.0.3:2121 -r 192.168.0.13:2121 -m\n",
			  &n);
	assert_true(has(keys, n, key(AF_INET, IPPROTO_TCP, UVS_STEER_SERVICE, "10.0.0.1", 0)));
	assert_false(has(keys, n, key(AF_INET, IPPROTO_TCP, UVS_STEER_SERVICE, "10.0.0.1", 21)));
	assert_true(has(keys, n, key(AF_INET, IPPROTO_TCP, UVS_STEER_REPLY, "192.168.0.11", 0)));
	assert_false(has(keys, n, key(AF_INET, IPPROTO_TCP, UVS_STEER_REPLY, "192.168.0.12", 0)));
	/* DR with persistence: data connections by the VIP's other ports too. */
	assert_true(has(keys, n, key(AF_INET6, IPPROTO_TCP, UVS_STEER_SERVICE, "2001:db8::1", 0)));
	/* Only TCP, and only port 21 unless the helper serves more. */
	assert_true(has(keys, n, key(AF_INET, IPPROTO_UDP, UVS_STEER_SERVICE, "10.0.0.2", 21)));
	assert_true(has(keys, n, key(AF_INET, IPPROTO_UDP, UVS_STEER_REPLY, "192.168.0.11", 21)));
	assert_true(has(keys, n, key(AF_INET, IPPROTO_TCP, UVS_STEER_SERVICE, "10.0.0.3", 2121)));
	assert_true(has(keys, n, key(AF_INET, IPPROTO_TCP, UVS_STEER_REPLY, "192.168.0.13", 2121)));
	free(keys);

	/* With the helper on port 2121, that service's too. */
	assert_int_equal(steer_model_keys(&((struct test_env *)*state)->m, NULL, &ftp, &v), 0);
	assert_true(
		has(v.v, (int)v.n, key(AF_INET, IPPROTO_TCP, UVS_STEER_SERVICE, "10.0.0.3", 0)));
	assert_true(
		has(v.v, (int)v.n, key(AF_INET, IPPROTO_TCP, UVS_STEER_REPLY, "192.168.0.13", 0)));
	assert_false(
		has(v.v, (int)v.n, key(AF_INET, IPPROTO_TCP, UVS_STEER_SERVICE, "10.0.0.3", 2121)));
	free(v.v);
}

/* steer_model_keys gives the keys of a snapshot, in the model's order, duplicates
 * included. */
static void test_model_keys(void **state)
{
	struct steer_keyvec v = { 0 };
	struct uvs_steer_key *keys;
	int n;
	size_t u = 0;

	keys = keys_after(*state,
			  "-A -f 1 -s rr\n"
			  "-a -f 1 -r 192.168.0.14:80 -m\n"
			  "-A -t 10.0.0.1:80 -s rr\n"
			  "-a -t 10.0.0.1:80 -r 192.168.0.11:80 -m\n"
			  "-a -t 10.0.0.1:80 -r 192.168.0.12:80 -g\n"
			  "-A -u [2001:db8::1]:53 -s rr\n"
			  "-a -u [2001:db8::1]:53 -r [2001:db8::10]:5353 -m\n"
			  "-A -t 10.0.0.4:0 -s rr -p\n"
			  "-a -t 10.0.0.4:0 -r 192.168.0.11:80 -m\n",
			  &n);
	assert_int_equal(n, 10);
	assert_int_equal(steer_model_keys(&((struct test_env *)*state)->m, NULL, NULL, &v), 0);
	assert_int_equal(v.n, 12); /* 192.168.0.11:80's reply keys twice */
	for (size_t i = 0; i < v.n; i++) {
		assert_true(has(keys, n, v.v[i]));
		bool first = true;
		for (size_t j = 0; j < i; j++)
			first &= memcmp(&v.v[j], &v.v[i], sizeof(v.v[i])) != 0;
		u += first;
	}
	assert_int_equal(u, (size_t)n);
	free(v.v);
	free(keys);
}

/* A NAT service with many real servers: two keys for the service, two for each server
 * (its replies by port and, for fragments, by address), each written in room made for
 * it (the model's keys too: ASan finds a write past the buffer). */
static void test_many_nat_servers(void **state)
{
	struct steer_keyvec v = { 0 };
	struct uvs_steer_key *keys;
	char rules[4096];
	size_t len;
	int n;

	len = (size_t)snprintf(rules, sizeof(rules), "-A -t 10.0.0.1:80 -s rr\n");
	for (int i = 1; i <= 40; i++)
		len += (size_t)snprintf(rules + len, sizeof(rules) - len,
					"-a -t 10.0.0.1:80 -r 192.168.1.%d:8080 -m\n", i);
	keys = keys_after(*state, rules, &n);
	assert_int_equal(n, 2 + 2 * 40);
	assert_true(has(keys, n, key(AF_INET, IPPROTO_TCP, UVS_STEER_REPLY, "192.168.1.40", 8080)));
	assert_true(has(keys, n, key(AF_INET, 0, UVS_STEER_REPLY_ADDR, "192.168.1.40", 0)));
	assert_int_equal(steer_model_keys(&((struct test_env *)*state)->m, NULL, NULL, &v), 0);
	assert_int_equal(v.n, (size_t)n);
	free(v.v);
	free(keys);
}

/* steer_set against a plain array: adds, finds and removals over a small universe of
 * keys (so runs of collisions form, wrap around the table and are cut by removals),
 * through several growths. */
static void test_key_set(void **state)
{
	enum { UNIVERSE = 6000, STEPS = 200000 };
	static bool in[UNIVERSE];
	struct steer_set s = { 0 };
	uint64_t r = 88172645463325252ull;
	size_t n = 0;

	(void)state;
	for (int step = 0; step < STEPS; step++) {
		char a[32];
		r ^= r << 13, r ^= r >> 7, r ^= r << 17; /* xorshift64 */
		unsigned i = (unsigned)(r % UNIVERSE);
		/* Mostly adds early on, mostly removals late, so the set grows and shrinks. */
		bool add = (r >> 32) % STEPS > (uint64_t)step;
		snprintf(a, sizeof(a), "10.%u.%u.1", i / 250, i % 250);
		struct uvs_steer_key k = key(AF_INET, IPPROTO_TCP, UVS_STEER_REPLY, a, 80);
		struct steer_slot *slot = steer_set_find(&s, &k);

		assert_int_equal(slot != NULL, in[i]);
		if (add && !in[i]) {
			assert_int_equal(steer_set_add(&s, &k, 1), 0);
			in[i] = true;
			n++;
		} else if (!add && in[i]) {
			steer_set_remove(&s, &k);
			in[i] = false;
			n--;
		}
		assert_int_equal(s.n, n);
		if (step % 20000 == 0 || step == STEPS - 1) {
			for (unsigned j = 0; j < UNIVERSE; j++) {
				snprintf(a, sizeof(a), "10.%u.%u.1", j / 250, j % 250);
				k = key(AF_INET, IPPROTO_TCP, UVS_STEER_REPLY, a, 80);
				assert_int_equal(steer_set_find(&s, &k) != NULL, in[j]);
			}
		}
	}
	steer_set_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_empty, test_env_setup, test_env_teardown),
		cmocka_unit_test_setup_teardown(test_nat_and_dr, test_env_setup, test_env_teardown),
		cmocka_unit_test_setup_teardown(test_addr_bits, test_env_setup, test_env_teardown),
		cmocka_unit_test_setup_teardown(test_port_zero_ipv6_sctp, test_env_setup,
						test_env_teardown),
		cmocka_unit_test_setup_teardown(test_fwmark_and_duplicates, test_env_setup,
						test_env_teardown),
		cmocka_unit_test_setup_teardown(test_ftp, test_env_setup, test_env_teardown),
		cmocka_unit_test_setup_teardown(test_model_keys, test_env_setup, test_env_teardown),
		cmocka_unit_test_setup_teardown(test_many_nat_servers, test_env_setup,
						test_env_teardown),
		cmocka_unit_test(test_key_set),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
