// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer harness for a sync backup's receive path (src/sync/rx.c): each input is one
 * message as it would arrive on the group, read and applied to an engine that serves
 * NAT, DR, persistent and fwmark services over IPv4 and IPv6. The table keeps what
 * earlier inputs made, and the clock moves, so updates, replacements and expiry are
 * met too. After each input every entry of the table is counted once on its real
 * server (ActiveConn + InActConn + PersistConn of all of them is the table's size).
 * The first input byte moves the clock and picks the backup's sync ID (0 or 1); the
 * rest is the message.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/engine.h"
#include "sync/rx.h"

static struct uvs_model model;
static struct uvs_engine engine;
static struct uvs_sync_rx rx;
static uvs_time_t now = 1000 * UVS_NS_PER_SEC;
static struct uvs_dest *dests[16];
static unsigned ndests;

static uvs_time_t fuzz_clock(void *arg)
{
	(void)arg;
	return now;
}

static int fuzz_route(void *arg, int af, const union uvs_addr *nh, struct uvs_route *r)
{
	(void)arg, (void)af, (void)nh;
	memset(r, 0, sizeof(*r));
	r->ifindex = 2;
	r->mtu = 1500;
	return 0;
}

static void add(int af, int proto, const char *vaddr, uint16_t port, uint32_t fwmark,
		uint32_t flags, const char *raddr, uint16_t rport, uint32_t fwd)
{
	struct uvs_svc_conf c;
	struct uvs_dest_conf d;
	struct uvs_service *svc;
	struct uvs_error err;
	union uvs_addr a;

	memset(&c, 0, sizeof(c));
	if (fwmark) {
		uvs_svc_key_fwmark(&c.key, af, fwmark);
	} else {
		uvs_addr_parse(af, vaddr, &a);
		uvs_svc_key_inet(&c.key, af, proto, &a, htons(port));
	}
	strcpy(c.sched_name, "rr");
	c.flags = flags;
	c.timeout = 300;
	c.netmask = af == AF_INET6 ? 128 : 0xffffffff;
	svc = uvs_svc_find(&model, &c.key);
	if (!svc && uvs_svc_add(&model, &c, &err) < 0) {
		fprintf(stderr, "fuzz_sync: service: %s\n", err.msg);
		abort();
	}
	memset(&d, 0, sizeof(d));
	d.af = (uint16_t)af;
	uvs_addr_parse(af, raddr, &d.addr);
	d.port = htons(rport);
	d.fwd = fwd;
	d.weight = 1;
	if (uvs_dest_add(&model, &c.key, &d, &err) < 0) {
		fprintf(stderr, "fuzz_sync: destination %s: %s\n", raddr, err.msg);
		abort();
	}
	svc = uvs_svc_find(&model, &c.key);
	dests[ndests++] = uvs_dest_find(svc, af, &d.addr,
					fwd == UVS_FWD_MASQ || fwmark ? d.port : c.key.port);
}

/* The services of tests/sync/gen.py's messages, and more. */
static void setup(void)
{
	struct uvs_engine_config c;

	rcu_register_thread();
	if (uvs_model_init(&model, 2) < 0)
		abort();
	uvs_model_set_clock(&model, fuzz_clock, NULL);
	add(AF_INET, IPPROTO_TCP, "10.0.0.1", 80, 0, 0, "192.168.0.11", 8080, UVS_FWD_MASQ);
	add(AF_INET, IPPROTO_TCP, "10.0.0.1", 80, 0, 0, "192.168.0.11", 80, UVS_FWD_MASQ);
	add(AF_INET, IPPROTO_UDP, "10.0.0.1", 53, 0, 0, "192.168.0.12", 53, UVS_FWD_MASQ);
	add(AF_INET, IPPROTO_TCP, "10.0.0.1", 21, 0, UVS_SVC_F_PERSISTENT, "192.168.0.11", 21,
	    UVS_FWD_MASQ);
	add(AF_INET, IPPROTO_UDP, "10.0.0.1", 5060, 0, UVS_SVC_F_PERSISTENT, "192.168.0.11", 5060,
	    UVS_FWD_DROUTE);
	add(AF_INET, 0, NULL, 0, 7, UVS_SVC_F_PERSISTENT, "192.168.0.13", 0, UVS_FWD_DROUTE);
	add(AF_INET6, IPPROTO_TCP, "2001:db8:f::1", 443, 0, 0, "2001:db8:1::11", 443,
	    UVS_FWD_DROUTE);
	add(AF_INET6, IPPROTO_TCP, "2001:db8:f::1", 80, 0, UVS_SVC_F_PERSISTENT, "2001:db8:1::12",
	    80, UVS_FWD_MASQ);
	add(AF_INET, IPPROTO_SCTP, "10.0.0.1", 3868, 0, 0, "192.168.0.17", 3868, UVS_FWD_MASQ);
	uvs_engine_config_default(&c);
	c.table_bits = 10;
	c.max_conns = 64; /* reached often: the refusal path too */
	c.nworkers = 2;
	c.route = fuzz_route;
	if (uvs_engine_init(&engine, &model, &c) < 0 || uvs_sync_rx_init(&rx, &engine, 1) < 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t bound = 0;

	if (!engine.workers)
		setup();
	if (size < 1 || size > 65536)
		return 0;
	/* Control byte: the clock's step, and the backup's sync ID. */
	now += (uvs_time_t)(data[0] >> 4) * (data[0] & 8 ? 60 : 1) * UVS_NS_PER_SEC;
	uvs_sync_rx_message(&rx, data + 1, size - 1, data[0] & 1);
	uvs_sync_rx_timers(&rx);
	for (unsigned i = 0; i < ndests; i++)
		bound += uvs_dest_active(dests[i]) + uvs_dest_inactive(dests[i]) +
			 uvs_dest_persistent(dests[i]);
	if (bound != uvs_engine_conn_count(&engine)) {
		fprintf(stderr,
			"fuzz_sync: %llu entries counted on real servers, %u in the table\n",
			(unsigned long long)bound, uvs_engine_conn_count(&engine));
		abort();
	}
	return 0;
}
