// SPDX-License-Identifier: GPL-2.0-or-later
/* The engine fixture of engine_fixture.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "engine_fixture.h"

static int eng_route(void *arg, int af, const union uvs_addr *nh, struct uvs_route *r)
{
	struct eng_fixture *fx = arg;

	memset(r, 0, sizeof(*r));
	r->ifindex = 7;
	r->mtu = fx->mtu;
	uvs_addr_parse(af, af == AF_INET ? "192.0.2.254" : "2001:db8::fe", &r->src);
	r->src_mac[0] = 0x02, r->src_mac[5] = 0xfe;
	r->dst_mac[0] = 0x02;
	memcpy(&r->dst_mac[2], af == AF_INET6 ? &nh->ip6[12] : nh->ip6, 4);
	return 0;
}

static int eng_setup_max(void **state, uint32_t max_conns)
{
	struct eng_fixture *fx = calloc(1, sizeof(*fx));
	struct uvs_engine_config c;

	test_env_init(&fx->env);
	uvs_engine_config_default(&c);
	c.table_bits = 10;
	c.max_conns = max_conns;
	c.route = eng_route;
	c.route_arg = fx;
	fx->mtu = 1500;
	assert_int_equal(uvs_engine_init(&fx->e, &fx->env.m, &c), 0);
	assert_int_equal(uvs_worker_init(&fx->w, &fx->e, 0), 0);
	*state = fx;
	return 0;
}

int eng_setup(void **state)
{
	return eng_setup_max(state, 1000);
}

int eng_setup_small(void **state)
{
	return eng_setup_max(state, 2);
}

int eng_teardown(void **state)
{
	struct eng_fixture *fx = *state;

	uvs_engine_destroy(&fx->e);
	test_env_fini(&fx->env);
	free(fx);
	return 0;
}

int eng_send(struct eng_fixture *fx, const struct frame_spec *s)
{
	uint8_t *data = fx->buf + UVS_FRAME_HEADROOM;
	size_t len = frame_build(data, s);

	fx->f = (struct uvs_frame){
		.data = data,
		.len = (uint32_t)len,
		.headroom = UVS_FRAME_HEADROOM,
		.tailroom = (uint32_t)(sizeof(fx->buf) - UVS_FRAME_HEADROOM - len),
		.ifindex = 1,
	};
	uvs_engine_process(&fx->w, &fx->f, 1, fx->env.now);
	if (fx->f.verdict == UVS_VERDICT_TX) {
		/* Tunnelled frames have an IP-in-IP payload the parser does not follow. */
		enum uvs_pkt_reason r = uvs_pkt_parse(fx->f.data, fx->f.len, &fx->out);
		if (r != UVS_PKT_L4_UNKNOWN) {
			assert_int_equal(r, UVS_PKT_OK);
			assert_true(uvs_pkt_l4_csum_ok(&fx->out));
		}
	}
	return fx->f.verdict;
}

void eng_assert_addr(int af, const union uvs_addr *a, const char *text)
{
	char buf[UVS_ADDR_STRLEN];

	assert_string_equal(uvs_addr_format(af, a, buf, sizeof(buf)), text);
}

struct uvs_dest *eng_add_dest(struct eng_fixture *fx, struct uvs_service *svc, const char *ap,
			      int w, uint32_t fwd)
{
	struct uvs_dest_conf dc = test_dest_conf(ap, w);

	dc.fwd = fwd;
	assert_int_equal(uvs_dest_add(&fx->env.m, &svc->key, &dc, NULL), 0);
	return uvs_dest_find(svc, dc.af, &dc.addr, dc.port);
}

uint64_t eng_counter(struct eng_fixture *fx, enum uvs_reason r)
{
	uint64_t c[UVS_R_COUNT], tx;

	uvs_engine_counters(&fx->e, c, &tx);
	return c[r];
}
