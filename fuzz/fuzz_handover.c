// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer harness for the full-table hand-over's receive path (src/sync/
 * handover_wire.c into src/sync/rx.c): each input is what a peer sends on the TCP
 * connection, read in pieces as recv() would hand them over, each MESSAGE applied to
 * an engine serving NAT and DR services over IPv4 and IPv6 (the table kept across
 * inputs). The first input byte sets the pieces' size (1..256 bytes). After each
 * input: the reader took nothing after an error or after END, and every entry of the
 * table is counted once on its real server.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/engine.h"
#include "sync/handover_wire.h"
#include "sync/rx.h"

static struct uvs_model model;
static struct uvs_engine engine;
static struct uvs_sync_rx rx;
static struct uvs_handover_reader reader;
static struct uvs_dest *dests[8];
static unsigned ndests;

static int fuzz_route(void *arg, int af, const union uvs_addr *nh, struct uvs_route *r)
{
	(void)arg, (void)af, (void)nh;
	memset(r, 0, sizeof(*r));
	r->ifindex = 2;
	r->mtu = 1500;
	return 0;
}

static void add(int af, int proto, const char *vaddr, uint16_t port, uint32_t flags,
		const char *raddr, uint32_t fwd)
{
	struct uvs_svc_conf c;
	struct uvs_dest_conf d;
	struct uvs_error err;
	union uvs_addr a;

	memset(&c, 0, sizeof(c));
	uvs_addr_parse(af, vaddr, &a);
	uvs_svc_key_inet(&c.key, af, proto, &a, htons(port));
	strcpy(c.sched_name, "rr");
	c.flags = flags;
	c.timeout = 300;
	c.netmask = af == AF_INET6 ? 128 : 0xffffffff;
	memset(&d, 0, sizeof(d));
	d.af = (uint16_t)af;
	uvs_addr_parse(af, raddr, &d.addr);
	d.port = htons(port);
	d.fwd = fwd;
	d.weight = 1;
	if (uvs_svc_add(&model, &c, &err) < 0 || uvs_dest_add(&model, &c.key, &d, &err) < 0) {
		fprintf(stderr, "fuzz_handover: %s\n", err.msg);
		abort();
	}
	dests[ndests++] = uvs_dest_find(uvs_svc_find(&model, &c.key), af, &d.addr, d.port);
}

static void setup(void)
{
	struct uvs_engine_config c;

	rcu_register_thread();
	if (uvs_model_init(&model, 2) < 0)
		abort();
	add(AF_INET, IPPROTO_TCP, "10.0.0.1", 80, 0, "192.168.0.11", UVS_FWD_MASQ);
	add(AF_INET, IPPROTO_UDP, "10.0.0.1", 53, 0, "192.168.0.12", UVS_FWD_MASQ);
	add(AF_INET, IPPROTO_TCP, "10.0.0.1", 21, UVS_SVC_F_PERSISTENT, "192.168.0.11",
	    UVS_FWD_DROUTE);
	add(AF_INET6, IPPROTO_TCP, "2001:db8:f::1", 80, UVS_SVC_F_PERSISTENT, "2001:db8:1::12",
	    UVS_FWD_MASQ);
	uvs_engine_config_default(&c);
	c.table_bits = 10;
	c.max_conns = 64; /* reached often: the refusal path too */
	c.nworkers = 2;
	c.route = fuzz_route;
	if (uvs_engine_init(&engine, &model, &c) < 0 || uvs_sync_rx_init(&rx, &engine, 1) < 0)
		abort();
}

static void on_message(void *arg, const uint8_t *msg, size_t len)
{
	(void)arg;
	uvs_sync_rx_message(&rx, msg, len, 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum uvs_handover_wire_error e = UVS_HANDOVER_WIRE_OK;
	uint64_t bound = 0, before;
	size_t piece, pos;

	if (!engine.workers)
		setup();
	if (size < 1 || size > 1 << 20)
		return 0;
	piece = (size_t)data[0] + 1;
	uvs_handover_reader_init(&reader, on_message, NULL);
	for (pos = 1; pos < size && e == UVS_HANDOVER_WIRE_OK; pos += piece) {
		size_t n = size - pos < piece ? size - pos : piece;
		before = reader.messages;
		e = uvs_handover_read(&reader, data + pos, n);
		/* A piece holds at most piece / 12 + 1 whole frames (12: the smallest). */
		if (reader.messages - before > n / 12 + 1)
			abort();
	}
	if (e == UVS_HANDOVER_WIRE_OK && reader.ended && pos < size)
		abort(); /* bytes after END must be refused */
	if (e == UVS_HANDOVER_WIRE_AFTER_END && !reader.ended)
		abort();
	uvs_sync_rx_timers(&rx);
	for (unsigned i = 0; i < ndests; i++)
		bound += uvs_dest_active(dests[i]) + uvs_dest_inactive(dests[i]) +
			 uvs_dest_persistent(dests[i]);
	if (bound != uvs_engine_conn_count(&engine)) {
		fprintf(stderr,
			"fuzz_handover: %llu entries counted on real servers, %u in the table\n",
			(unsigned long long)bound, uvs_engine_conn_count(&engine));
		abort();
	}
	return 0;
}
