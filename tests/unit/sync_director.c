// SPDX-License-Identifier: GPL-2.0-or-later
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <netinet/in.h>
#include <string.h>

#include "frames.h"
#include "helpers.h"
#include "sync_director.h"

static void add_nat(struct uvs_model *m, const char *vip, const char *rs, int protocol)
{
	struct uvs_svc_conf sc = test_svc_conf(vip, "rr");
	struct uvs_dest_conf dc = test_dest_conf(rs, 1);

	sc.key.protocol = (uint8_t)protocol;
	assert_int_equal(uvs_svc_add(m, &sc, NULL), 0);
	assert_int_equal(uvs_dest_add(m, &sc.key, &dc, NULL), 0);
}

void sync_director_init(struct sync_director *x, unsigned nworkers, bool ftp)
{
	struct uvs_engine_config c;

	assert_int_equal(uvs_model_init(&x->m, nworkers), 0);
	add_nat(&x->m, "10.0.0.1:53", "192.168.0.11:53", IPPROTO_UDP);
	if (ftp)
		add_nat(&x->m, "10.0.0.1:21", "192.168.0.11:21", IPPROTO_TCP);
	uvs_engine_config_default(&c);
	c.table_bits = 10;
	c.max_conns = 1000;
	c.nworkers = nworkers;
	c.route = test_route_one_link;
	assert_int_equal(uvs_engine_init(&x->e, &x->m, &c), 0);
	assert_int_equal(uvs_sync_open(&x->e, 1, &x->sync), 0);
}

void sync_director_fini(struct sync_director *x)
{
	uvs_sync_stop_all(x->sync);
	uvs_engine_destroy(&x->e);
	uvs_sync_close(x->sync);
	uvs_model_destroy(&x->m);
}

void sync_director_dns(struct sync_director *x, const char *src)
{
	uint8_t buf[UVS_FRAME_HEADROOM + 2048]; /* frame_build() takes 2048 */
	struct frame_spec s = frame_udp(src, 5000, "10.0.0.1", 53);
	size_t len = frame_build(buf + UVS_FRAME_HEADROOM, &s);
	struct uvs_frame fr = {
		.data = buf + UVS_FRAME_HEADROOM,
		.len = (uint32_t)len,
		.headroom = UVS_FRAME_HEADROOM,
		.tailroom = (uint32_t)(sizeof(buf) - UVS_FRAME_HEADROOM - len),
	};

	uvs_engine_process(&x->w, &fr, 1, uvs_model_now(&x->m));
}

uint64_t sync_director_counter(struct uvs_sync *s, const char *name)
{
	const char *names[128];
	uint64_t values[128];
	size_t n = uvs_sync_counters(s, names, values, 128);

	for (size_t i = 0; i < n && i < 128; i++)
		if (!strcmp(names[i], name))
			return values[i];
	fail_msg("no counter %s", name);
	return 0;
}
