// SPDX-License-Identifier: GPL-2.0-or-later
/* The two directors of sync_fixture.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "sync_fixture.h"

static uvs_time_t fixture_clock(void *arg)
{
	return ((struct sync_fixture *)arg)->env.now;
}

static int route(void *arg, int af, const union uvs_addr *nh, struct uvs_route *r)
{
	(void)arg;
	memset(r, 0, sizeof(*r));
	r->ifindex = 7;
	r->mtu = 1500;
	uvs_addr_parse(af, af == AF_INET ? "192.0.2.254" : "2001:db8::fe", &r->src);
	r->src_mac[0] = 0x02, r->src_mac[5] = 0xfe;
	r->dst_mac[0] = 0x02;
	memcpy(&r->dst_mac[2], af == AF_INET6 ? &nh->ip6[12] : nh->ip6, 4);
	return 0;
}

static void node_init(struct sync_node *n)
{
	struct uvs_engine_config c;

	uvs_engine_config_default(&c);
	c.table_bits = 10;
	c.max_conns = 1000;
	c.nworkers = 3; /* id 2: free, for a receive path of its own */
	c.route = route;
	assert_int_equal(uvs_engine_init(&n->e, n->m, &c), 0);
	assert_int_equal(uvs_worker_init(&n->w, &n->e, 0), 0);
	assert_int_equal(uvs_worker_init(&n->sw, &n->e, 1), 0);
}

int sync_setup(void **state)
{
	struct sync_fixture *fx = calloc(1, sizeof(*fx));

	test_env_init_workers(&fx->env, 3);
	fx->a.m = &fx->env.m;
	fx->b.m = &fx->b.own_m;
	assert_int_equal(uvs_model_init(fx->b.m, 3), 0);
	uvs_model_set_clock(fx->b.m, fixture_clock, fx);
	uvs_model_set_clock(fx->a.m, fixture_clock, fx);
	node_init(&fx->a);
	node_init(&fx->b);
	*state = fx;
	return 0;
}

static void node_fini(struct sync_node *n)
{
	uvs_sync_out_free(uvs_engine_set_sync_out(&n->e, NULL));
	uvs_engine_destroy(&n->e);
}

int sync_teardown(void **state)
{
	struct sync_fixture *fx = *state;

	node_fini(&fx->a);
	node_fini(&fx->b);
	uvs_model_destroy(fx->b.m);
	test_env_fini(&fx->env);
	free(fx);
	return 0;
}

static void doorbell(void *arg)
{
	((struct sync_node *)arg)->wakes++;
}

void sync_master_start(struct sync_node *n, unsigned size)
{
	struct uvs_sync_out *so;

	assert_int_equal(uvs_sync_out_create(&n->e, size, doorbell, n, &so), 0);
	assert_null(uvs_engine_set_sync_out(&n->e, so));
	n->so = so;
}

unsigned sync_take(struct sync_node *n, struct uvs_sync_conn *out, unsigned max)
{
	return uvs_sync_out_take(n->so, 0, out, max);
}

int sync_send(struct sync_fixture *fx, struct sync_node *n, const struct frame_spec *s)
{
	uint8_t *data = n->buf + UVS_FRAME_HEADROOM;
	size_t len = frame_build(data, s);

	n->f = (struct uvs_frame){
		.data = data,
		.len = (uint32_t)len,
		.headroom = UVS_FRAME_HEADROOM,
		.tailroom = (uint32_t)(sizeof(n->buf) - UVS_FRAME_HEADROOM - len),
		.ifindex = 1,
	};
	uvs_engine_process(&n->w, &n->f, 1, fx->env.now);
	if (n->f.verdict == UVS_VERDICT_TX)
		assert_int_equal(uvs_pkt_parse(n->f.data, n->f.len, &n->out), UVS_PKT_OK);
	return n->f.verdict;
}

struct uvs_service *sync_add_svc(struct sync_node *n, const char *ap, bool udp, uint32_t flags,
				 uint32_t timeout)
{
	struct uvs_svc_conf c = test_svc_conf(ap, "rr");

	if (udp)
		c.key.protocol = IPPROTO_UDP;
	c.flags |= flags;
	c.timeout = timeout;
	if (flags & UVS_SVC_F_PERSISTENT)
		c.netmask = c.key.af == AF_INET ? htonl(0xffffff00) : 64;
	assert_int_equal(uvs_svc_add(n->m, &c, NULL), 0);
	return uvs_svc_find(n->m, &c.key);
}

struct uvs_dest *sync_add_dest(struct sync_node *n, struct uvs_service *svc, const char *ap,
			       uint32_t fwd)
{
	struct uvs_dest_conf dc = test_dest_conf(ap, 1);

	dc.fwd = fwd;
	assert_int_equal(uvs_dest_add(n->m, &svc->key, &dc, NULL), 0);
	return uvs_dest_find(svc, dc.af, &dc.addr, dc.port);
}

enum uvs_sync_apply_result sync_apply(struct sync_fixture *fx, struct sync_node *n,
				      const struct uvs_sync_conn *s)
{
	return uvs_sync_apply(&n->sw, s, fx->env.now);
}

struct uvs_conn *sync_find(struct sync_node *n, int protocol, const char *caddr, uint16_t cport,
			   const char *vaddr, uint16_t vport, bool template)
{
	int af = strchr(caddr, ':') ? AF_INET6 : AF_INET;
	union uvs_addr c, v;
	struct uvs_conn *found;

	memset(&c, 0, sizeof(c));
	memset(&v, 0, sizeof(v));
	assert_int_equal(uvs_addr_parse(af, caddr, &c), 0);
	assert_int_equal(uvs_addr_parse(af, vaddr, &v), 0);
	rcu_read_lock();
	found = uvs_conn_in_get(&n->e.conns, af, protocol, &c, htons(cport), &v, htons(vport),
				template);
	rcu_read_unlock();
	return found;
}

uint64_t sync_counter(struct sync_node *n, enum uvs_reason r)
{
	uint64_t c[UVS_R_COUNT], tx;

	uvs_engine_counters(&n->e, c, &tx);
	return c[r];
}

void sync_assert_addr(int af, const union uvs_addr *a, const char *text)
{
	char buf[UVS_ADDR_STRLEN];

	assert_string_equal(uvs_addr_format(af, a, buf, sizeof(buf)), text);
}
