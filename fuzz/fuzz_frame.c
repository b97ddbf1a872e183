// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer harness for the frame path: each input is one Ethernet frame, handed to an
 * engine that serves NAT, DR, tunnelled, persistent and one-packet services over IPv4
 * and IPv6, SCTP among them; fragments meet the reassembly table, which keeps them
 * between inputs, and the frames the engine makes itself are checked too. The engine keeps its
 * connections between inputs and the clock moves on, so inputs also meet existing connections,
 * replies and expiry. The first input byte picks the fwmark and how far the clock moves; the rest
 * is the frame.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/engine.h"

static struct uvs_model model;
static struct uvs_engine engine;
static struct uvs_worker worker;
static uvs_time_t now = 1000 * UVS_NS_PER_SEC;
static uint32_t path_mtu = 1500;

static uvs_time_t fuzz_clock(void *arg)
{
	(void)arg;
	return now;
}

static int fuzz_route(void *arg, int af, const union uvs_addr *nh, struct uvs_route *r)
{
	(void)arg;
	memset(r, 0, sizeof(*r));
	if (nh->ip6[0] == 0xde)
		return -EHOSTUNREACH; /* some next hops have no route */
	r->ifindex = 2;
	r->mtu = path_mtu;
	uvs_addr_parse(af, af == AF_INET ? "192.0.2.254" : "2001:db8::fe", &r->src);
	r->dst_mac[0] = 2;
	return 0;
}

static void add_service(const char *addr, int af, int proto, uint16_t port, uint32_t fwmark,
			uint32_t flags, const char *sched)
{
	struct uvs_svc_conf c;
	struct uvs_error err;

	memset(&c, 0, sizeof(c));
	if (fwmark)
		uvs_svc_key_fwmark(&c.key, af, fwmark);
	else {
		union uvs_addr a;
		uvs_addr_parse(af, addr, &a);
		uvs_svc_key_inet(&c.key, af, proto, &a, htons(port));
	}
	strcpy(c.sched_name, sched);
	c.flags = flags;
	c.netmask = af == AF_INET6 ? 128 : 0xffffffff; /* ipvsadm's defaults */
	if (flags & UVS_SVC_F_PERSISTENT) {
		c.timeout = 30;
		c.netmask = af == AF_INET ? htonl(0xffffff00) : 64;
	}
	if (uvs_svc_add(&model, &c, &err) < 0) {
		fprintf(stderr, "fuzz_frame: service: %s\n", err.msg);
		abort();
	}
}

static void add_dest(const char *vaddr, int af, int proto, uint16_t port, uint32_t fwmark,
		     const char *raddr, int daf, uint32_t fwd, uint8_t tun_type)
{
	struct uvs_svc_key k;
	struct uvs_dest_conf d;
	struct uvs_error err;
	union uvs_addr a;

	if (fwmark)
		uvs_svc_key_fwmark(&k, af, fwmark);
	else {
		uvs_addr_parse(af, vaddr, &a);
		uvs_svc_key_inet(&k, af, proto, &a, htons(port));
	}
	memset(&d, 0, sizeof(d));
	d.af = (uint16_t)daf;
	uvs_addr_parse(daf, raddr, &d.addr);
	d.port = htons(port);
	d.fwd = fwd;
	d.weight = 1;
	d.tun_type = tun_type;
	d.tun_port = htons(6080);
	d.u_threshold = 50;
	if (uvs_dest_add(&model, &k, &d, &err) < 0) {
		fprintf(stderr, "fuzz_frame: destination %s: %s\n", raddr, err.msg);
		abort();
	}
}

static void setup(void)
{
	struct uvs_engine_config c;

	rcu_register_thread();
	if (uvs_model_init(&model, 1) < 0)
		abort();
	uvs_model_set_clock(&model, fuzz_clock, NULL);
	add_service("10.0.0.1", AF_INET, IPPROTO_TCP, 80, 0, 0, "wlc");
	add_dest("10.0.0.1", AF_INET, IPPROTO_TCP, 80, 0, "192.168.0.11", AF_INET, UVS_FWD_MASQ, 0);
	add_dest("10.0.0.1", AF_INET, IPPROTO_TCP, 80, 0, "222.0.0.1", AF_INET, UVS_FWD_MASQ, 0);
	add_service("10.0.0.1", AF_INET, IPPROTO_UDP, 53, 0, UVS_SVC_F_ONEPACKET, "rr");
	add_dest("10.0.0.1", AF_INET, IPPROTO_UDP, 53, 0, "192.168.0.12", AF_INET, UVS_FWD_MASQ, 0);
	add_service("10.0.0.2", AF_INET, IPPROTO_TCP, 443, 0, UVS_SVC_F_PERSISTENT, "sh");
	add_dest("10.0.0.2", AF_INET, IPPROTO_TCP, 443, 0, "192.168.0.13", AF_INET, UVS_FWD_DROUTE,
		 0);
	add_dest("10.0.0.2", AF_INET, IPPROTO_TCP, 443, 0, "192.168.0.14", AF_INET, UVS_FWD_TUNNEL,
		 UVS_TUN_TYPE_GUE);
	add_service(NULL, AF_INET, 0, 0, 7, UVS_SVC_F_PERSISTENT, "rr");
	add_dest(NULL, AF_INET, 0, 0, 7, "192.168.0.15", AF_INET, UVS_FWD_TUNNEL, UVS_TUN_TYPE_GRE);
	add_service("2001:db8::1", AF_INET6, IPPROTO_TCP, 80, 0, 0, "mh");
	add_dest("2001:db8::1", AF_INET6, IPPROTO_TCP, 80, 0, "2001:db8:1::11", AF_INET6,
		 UVS_FWD_MASQ, 0);
	add_dest("2001:db8::1", AF_INET6, IPPROTO_TCP, 80, 0, "2001:db8:1::12", AF_INET6,
		 UVS_FWD_TUNNEL, UVS_TUN_TYPE_IPIP);
	add_service("2001:db8::1", AF_INET6, IPPROTO_UDP, 53, 0, 0, "lblcr");
	add_dest("2001:db8::1", AF_INET6, IPPROTO_UDP, 53, 0, "192.168.0.16", AF_INET,
		 UVS_FWD_TUNNEL, UVS_TUN_TYPE_IPIP);
	add_service("10.0.0.1", AF_INET, IPPROTO_SCTP, 3868, 0, 0, "rr");
	add_dest("10.0.0.1", AF_INET, IPPROTO_SCTP, 3868, 0, "192.168.0.17", AF_INET, UVS_FWD_MASQ,
		 0);
	uvs_engine_config_default(&c);
	c.table_bits = 10;
	c.frag_mem = 256 * 1024; /* reached by a long run of fragments */
	c.max_conns = 512;
	c.route = fuzz_route;
	if (uvs_engine_init(&engine, &model, &c) < 0 || uvs_worker_init(&worker, &engine, 0) < 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t buf[UVS_FRAME_HEADROOM + 65536 + 256];
	struct uvs_frame f;

	if (!engine.workers)
		setup();
	if (size < 1 || size > 65536 + 1)
		return 0;
	/* Control byte: mark 7 or none, clock step, path MTU. */
	now += (uvs_time_t)(data[0] >> 4) * (data[0] & 8 ? 60 : 1) * UVS_NS_PER_SEC;
	path_mtu = data[0] & 4 ? 1280 : 1500;
	memcpy(buf + UVS_FRAME_HEADROOM, data + 1, size - 1);
	f = (struct uvs_frame){
		.data = buf + UVS_FRAME_HEADROOM,
		.len = (uint32_t)(size - 1),
		.headroom = UVS_FRAME_HEADROOM,
		.tailroom = (uint32_t)(sizeof(buf) - UVS_FRAME_HEADROOM - (size - 1)),
		.fwmark = data[0] & 1 ? 7 : 0,
		.ifindex = 1,
	};
	/* Frames that came in with correct checksums must go out with correct ones (DR
	 * and tunnels pass a bad L4 checksum on untouched, as IPVS does). */
	struct uvs_pkt in;
	bool in_ok = uvs_pkt_parse(f.data, f.len, &in) == UVS_PKT_OK && uvs_pkt_l4_csum_ok(&in);

	uvs_engine_process(&worker, &f, 1, now);
	if (f.verdict == UVS_VERDICT_TX && in_ok) {
		struct uvs_pkt p;
		if (f.data < buf || f.data + f.len > buf + sizeof(buf))
			abort();
		enum uvs_pkt_reason r = uvs_pkt_parse(f.data, f.len, &p);
		if (r == UVS_PKT_OK && !uvs_pkt_l4_csum_ok(&p))
			abort();
		if (r != UVS_PKT_OK && r != UVS_PKT_L4_UNKNOWN && r != UVS_PKT_FRAGMENT)
			abort();
	}
	/* The engine's own frames (fragments, reassembled datagrams): in its buffer,
	 * parsed whole or as fragments, and never longer than a packet can be. */
	struct uvs_frame *made;
	unsigned n = uvs_worker_out(&worker, &made);
	for (unsigned i = 0; i < n; i++) {
		struct uvs_pkt p;
		if (made[i].verdict != UVS_VERDICT_TX ||
		    made[i].len > 65535 + 22 + UVS_FRAME_HEADROOM)
			abort();
		enum uvs_pkt_reason r = uvs_pkt_parse(made[i].data, made[i].len, &p);
		if (r != UVS_PKT_OK && r != UVS_PKT_L4_UNKNOWN && r != UVS_PKT_FRAGMENT)
			abort();
	}
	return 0;
}
