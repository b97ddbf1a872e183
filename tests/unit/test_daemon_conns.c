// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * uvsd's connection listing (GET_CONN): every connection and template listed exactly
 * once whatever the batch size, including batches smaller than a hash bucket's chain,
 * with the state names and remaining times uvsadm -c prints.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/conns.h"
#include "engine_fixture.h"

#define CLIENTS 600

/* Lists everything in batches of max; returns how many entries, and counts in seen[]
 * how often each client port (40000 + i) appeared. */
static size_t list_all(struct eng_fixture *fx, size_t max, unsigned *seen, unsigned *templates)
{
	struct uvs_ctl_conn *out = calloc(max, sizeof(*out));
	uint64_t cursor = 0;
	size_t total = 0, n, calls = 0;

	*templates = 0;
	while ((n = uvsd_conns(&fx->e, &cursor, out, max)) > 0) {
		assert_true(n <= max);
		assert_true(++calls < 100000); /* the walk ends */
		for (size_t i = 0; i < n; i++) {
			unsigned port = ntohs(out[i].cport);
			if (port == 0) {
				(*templates)++;
				continue;
			}
			assert_true(port >= 40000 && port < 40000 + CLIENTS);
			seen[port - 40000]++;
		}
		total += n;
	}
	free(out);
	return total;
}

static void test_every_entry_once_in_any_batch_size(void **state)
{
	struct eng_fixture *fx = *state;
	struct uvs_service *svc = test_add_svc(&fx->env, "10.0.0.1:80", "rr");

	eng_add_dest(fx, svc, "192.168.0.11:80", 1, UVS_FWD_MASQ);
	eng_add_dest(fx, svc, "192.168.0.12:80", 1, UVS_FWD_MASQ);
	for (unsigned i = 0; i < CLIENTS; i++) {
		struct frame_spec syn =
			frame_tcp("172.16.0.5", (uint16_t)(40000 + i), "10.0.0.1", 80, TH_SYN);
		assert_int_equal(eng_send(fx, &syn), UVS_VERDICT_TX);
	}
	assert_int_equal(uvs_engine_conn_count(&fx->e), CLIENTS);

	/* 600 entries in 1024 buckets: several chains hold two or more, so batches of one
	 * and two must continue inside a bucket. */
	const size_t sizes[] = { 1, 2, 3, 7, 64, 1000 };
	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		unsigned seen[CLIENTS] = { 0 }, templates;

		assert_int_equal(list_all(fx, sizes[k], seen, &templates), CLIENTS);
		assert_int_equal(templates, 0);
		for (unsigned i = 0; i < CLIENTS; i++)
			assert_int_equal(seen[i], 1);
	}
}

static void test_fields_state_and_expiry(void **state)
{
	struct eng_fixture *fx = *state;
	struct uvs_service *svc = test_add_svc(&fx->env, "10.0.0.1:80", "rr");
	struct uvs_ctl_conn out[4];
	uint64_t cursor = 0;
	char text[UVS_ADDR_STRLEN];

	eng_add_dest(fx, svc, "192.168.0.11:8080", 1, UVS_FWD_MASQ);
	struct frame_spec syn = frame_tcp("172.16.0.5", 40000, "10.0.0.1", 80, TH_SYN);
	assert_int_equal(eng_send(fx, &syn), UVS_VERDICT_TX);
	fx->env.now += 10 * S; /* SYN_RECV lasts 60 s: 50 s left */

	assert_int_equal(uvsd_conns(&fx->e, &cursor, out, 4), 1);
	assert_int_equal(uvsd_conns(&fx->e, &cursor, out + 1, 3), 0);
	assert_int_equal(out[0].protocol, IPPROTO_TCP);
	assert_int_equal(out[0].af, AF_INET);
	assert_string_equal(out[0].state, "SYN_RECV");
	assert_int_equal(out[0].expires_ms, 50000);
	assert_string_equal(uvs_addr_format(AF_INET, &out[0].caddr, text, sizeof(text)),
			    "172.16.0.5");
	assert_string_equal(uvs_addr_format(AF_INET, &out[0].daddr, text, sizeof(text)),
			    "192.168.0.11");
	assert_int_equal(ntohs(out[0].cport), 40000);
	assert_int_equal(ntohs(out[0].vport), 80);
	assert_int_equal(ntohs(out[0].dport), 8080);
	assert_int_equal(out[0].flags & UVS_CONN_F_FWD_MASK, UVS_FWD_MASQ);
}

static void test_empty_table(void **state)
{
	struct eng_fixture *fx = *state;
	struct uvs_ctl_conn out[2];
	uint64_t cursor = 0;

	assert_int_equal(uvsd_conns(&fx->e, &cursor, out, 2), 0);
	assert_int_equal(uvsd_conns(&fx->e, &cursor, out, 2), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_every_entry_once_in_any_batch_size, eng_setup,
						eng_teardown),
		cmocka_unit_test_setup_teardown(test_fields_state_and_expiry, eng_setup,
						eng_teardown),
		cmocka_unit_test_setup_teardown(test_empty_table, eng_setup, eng_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
