// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The connection sync between two directors (bench/sync.sh runs it in two network
 * namespaces joined by a veth): uvs's engine and sync daemons with their real sockets
 * and threads, the frames made here instead of read from a link.
 *
 *   sync_bench master IF PEER N RATE   a master on IF: N new TCP connections (SYN,
 *                                      ACK, then data: synced at their third packet,
 *                                      the kernel's sync_threshold) at RATE a second
 *                                      (0: as fast as one thread goes), then serves
 *                                      its table to PEER's hand-over for 30 s
 *   sync_bench backup IF N             a backup on IF: counts the connections it makes
 *                                      until N, or 3 s without one more
 *   sync_bench fetch PEER N            asks PEER for its table (the hand-over) and
 *                                      times it
 *
 * Each prints one line of results. Root (the sockets are bound to the link).
 * SYNC_SOCK_SIZE in the environment sets the sync_sock_size sysctl (bytes).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <urcu.h>

#include "core/engine.h"
#include "pkt/csum.h"
#include "sync/sync.h"

#define FRAME_LEN 64
#define BATCH	  64
#define VIP	  0x0a000001u /* 10.0.0.1, host order */

static struct uvs_model model;
static struct uvs_engine engine;
static struct uvs_worker worker;
static struct uvs_sync *sync_daemons;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int route(void *arg, int af, const union uvs_addr *nh, struct uvs_route *r)
{
	(void)arg, (void)af;
	memset(r, 0, sizeof(*r));
	r->ifindex = 2;
	r->mtu = 1500;
	r->src.ip = htonl(0xc0a80002u);
	memset(r->src_mac, 0x02, 6);
	memcpy(r->dst_mac, "\x02\x00", 2);
	memcpy(r->dst_mac + 2, &nh->ip, 4);
	return 0;
}

/* TCP/IPv4 10.0.0.1:80 by NAT over four real servers; the engine and the daemons. */
static void director_init(void)
{
	struct uvs_engine_config c;
	struct uvs_svc_conf sc = { 0 };
	union uvs_addr a = { .ip = htonl(VIP) };

	rcu_register_thread();
	if (uvs_model_init(&model, 2) < 0)
		abort();
	uvs_svc_key_inet(&sc.key, AF_INET, IPPROTO_TCP, &a, htons(80));
	strcpy(sc.sched_name, "rr");
	sc.netmask = 0xffffffff;
	if (uvs_svc_add(&model, &sc, NULL) < 0)
		abort();
	for (unsigned i = 0; i < 4; i++) {
		struct uvs_dest_conf d = {
			.af = AF_INET, .port = htons(80), .fwd = UVS_FWD_MASQ, .weight = 1
		};
		d.addr.ip = htonl(0xc0a8000bu + i); /* 192.168.0.11.. */
		if (uvs_dest_add(&model, &sc.key, &d, NULL) < 0)
			abort();
	}
	uvs_engine_config_default(&c);
	c.table_bits = 20;
	c.nworkers = 2;
	c.route = route;
	/* SYNC_SOCK_SIZE: the sync_sock_size sysctl (0: the system's buffers). */
	if (getenv("SYNC_SOCK_SIZE"))
		model.sysctl.sync_sock_size = atoi(getenv("SYNC_SOCK_SIZE"));
	if (uvs_engine_init(&engine, &model, &c) < 0 || uvs_worker_init(&worker, &engine, 0) < 0 ||
	    uvs_sync_open(&engine, 1, &sync_daemons) < 0)
		abort();
}

static uint64_t counter(const char *name)
{
	const char *names[128];
	uint64_t values[128];
	size_t n = uvs_sync_counters(sync_daemons, names, values, 128);

	for (size_t i = 0; i < n && i < 128; i++)
		if (!strcmp(names[i], name))
			return values[i];
	abort();
}

static uint64_t queue_full(void)
{
	uint64_t c[UVS_R_COUNT], tx;

	uvs_engine_counters(&engine, c, &tx);
	return c[UVS_R_SYNC_QUEUE_FULL];
}

static void start(int state, const char *ifname)
{
	struct uvs_sync_config c = { .state = state, .syncid = 1 };
	struct uvs_error err;

	snprintf(c.ifname, sizeof(c.ifname), "%s", ifname);
	if (uvs_sync_config_complete(&c, &err) < 0 || uvs_sync_start(sync_daemons, &c, &err) < 0) {
		fprintf(stderr, "sync_bench: %s\n", err.msg);
		exit(1);
	}
}

static void set_peer(const char *addr)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(8848) };
	struct uvs_error err;

	if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1 ||
	    uvs_sync_set_peer(sync_daemons, (struct sockaddr *)&sa, sizeof(sa), 8848, &err) < 0) {
		fprintf(stderr, "sync_bench: peer %s: %s\n", addr, err.msg);
		exit(1);
	}
}

/* Client packet k (0: SYN, 1: ACK, 2: data) of connection i. */
static void build_frame(uint8_t *f, uint64_t i, int k)
{
	uint8_t *ip = f + 14, *tcp = ip + 20;
	union uvs_addr s = { .ip = htonl(0xac100000u + (uint32_t)(i >> 10)) }; /* 172.16/12 */
	union uvs_addr d = { .ip = htonl(VIP) };
	static const uint8_t flags[3] = { 0x02, 0x10, 0x18 };
	uint16_t w;

	memset(f, 0, FRAME_LEN);
	memcpy(f, "\x02\x00\x00\x00\x00\xfe\x02\x00\x00\x00\x00\x01\x08\x00", 14);
	ip[0] = 0x45;
	w = htons(FRAME_LEN - 14);
	memcpy(ip + 2, &w, 2);
	ip[6] = 0x40;
	ip[8] = 64;
	ip[9] = IPPROTO_TCP;
	memcpy(ip + 12, &s.ip, 4);
	memcpy(ip + 16, &d.ip, 4);
	w = uvs_csum_fold(uvs_csum_add(0, ip, 20));
	memcpy(ip + 10, &w, 2);
	w = htons((uint16_t)(10000 + (i & 1023)));
	memcpy(tcp, &w, 2);
	w = htons(80);
	memcpy(tcp + 2, &w, 2);
	tcp[7] = (uint8_t)(1 + (k > 0)); /* seq */
	tcp[12] = 5 << 4;
	tcp[13] = flags[k];
	tcp[14] = 0xff;
	memcpy(tcp + 20, "benchmark!", 10);
	w = uvs_csum_fold(uvs_csum_add(uvs_csum_pseudo(AF_INET, &s, &d, IPPROTO_TCP, 30), tcp, 30));
	memcpy(tcp + 16, &w, 2);
}

/* Sends packet k of connections [first, first + n) through the engine, n <= BATCH. */
static void send_batch(uint64_t first, unsigned n, int k)
{
	static uint8_t bufs[BATCH][UVS_FRAME_HEADROOM + FRAME_LEN + 64];
	struct uvs_frame fr[BATCH];

	for (unsigned j = 0; j < n; j++) {
		build_frame(bufs[j] + UVS_FRAME_HEADROOM, first + j, k);
		fr[j] = (struct uvs_frame){ .data = bufs[j] + UVS_FRAME_HEADROOM,
					    .len = FRAME_LEN,
					    .headroom = UVS_FRAME_HEADROOM,
					    .tailroom = 64 };
	}
	uvs_engine_process(&worker, fr, n, uvs_model_now(&model));
}

static int master(const char *ifname, const char *peer, uint64_t n, double rate)
{
	double t0, t;

	set_peer(peer);
	start(UVS_SYNC_MASTER, ifname);
	t0 = now_s();
	for (uint64_t i = 0; i < n; i += BATCH) {
		unsigned b = n - i < BATCH ? (unsigned)(n - i) : BATCH;
		for (int k = 0; k < 3; k++)
			send_batch(i, b, k);
		/* Paced: no faster than rate, sleeping (not spinning: the daemons' threads
		 * share the CPUs). */
		double ahead = rate > 0 ? (double)(i + b) / rate - (now_s() - t0) : 0;
		if (ahead > 0.0005)
			nanosleep(&(struct timespec){ .tv_nsec = (long)(ahead * 1e9) }, NULL);
	}
	t = now_s() - t0;
	sleep(4); /* the last partial message goes within 2 s */
	printf("master: %llu connections in %.2f s (%.0f/s offered%s), %u in the table; "
	       "sync_tx_conns %llu, sync_tx_msgs %llu, sync_queue_full %llu, "
	       "sync_tx_dropped %llu\n",
	       (unsigned long long)n, t, n / t, rate > 0 ? "" : ", unpaced",
	       uvs_engine_conn_count(&engine), (unsigned long long)counter("sync_tx_conns"),
	       (unsigned long long)counter("sync_tx_msgs"), (unsigned long long)queue_full(),
	       (unsigned long long)counter("sync_tx_dropped"));
	fflush(stdout);
	/* Then the table for the hand-over's measurement. */
	for (int s = 0; s < 30 && counter("sync_handover_served") == 0; s++)
		sleep(1);
	sleep(1);
	printf("master: hand-over served %llu, %llu entries sent\n",
	       (unsigned long long)counter("sync_handover_served"),
	       (unsigned long long)counter("sync_handover_sent"));
	return 0;
}

static int backup(const char *ifname, uint64_t n)
{
	double first = 0, last = 0, t99 = 0, idle_since = now_s();
	uint64_t seen = 0;

	start(UVS_SYNC_BACKUP, ifname);
	printf("backup: ready\n");
	fflush(stdout);
	for (;;) {
		uint64_t got = counter("sync_rx_new");
		double t = now_s();

		if (got != seen) {
			if (!seen)
				first = t;
			seen = got;
			last = t;
			if (!t99 && seen * 100 >= n * 99)
				t99 = t;
			idle_since = t;
		}
		if (seen >= n || (seen && t - idle_since > 3) || t - idle_since > 60)
			break;
		usleep(1000);
	}
	/* The rate up to 99%: the last partial message waits up to 2 s by the rules
	 * (-1 s and 0/s: 99% never came). */
	printf("backup: %llu of %llu connections made (%llu lost); 99%% of them %.2f s after "
	       "the first: %.0f/s; sync_rx_msgs %llu, sync_rx_errors %llu, sync_rx_no_dest %llu, "
	       "sync_rx_conn_limit %llu\n",
	       (unsigned long long)seen, (unsigned long long)n, (unsigned long long)(n - seen),
	       t99 ? t99 - first : -1.0, t99 > first ? 0.99 * (double)n / (t99 - first) : 0.0,
	       (unsigned long long)counter("sync_rx_msgs"),
	       (unsigned long long)counter("sync_rx_errors"),
	       (unsigned long long)counter("sync_rx_no_dest"),
	       (unsigned long long)counter("sync_rx_conn_limit"));
	(void)last;
	return seen == n ? 0 : 1;
}

static int fetch(const char *peer, uint64_t n)
{
	double t0, t;

	set_peer(peer);
	t0 = now_s();
	uvs_sync_handover_fetch(sync_daemons);
	if (uvs_sync_handover_wait(sync_daemons, 120000) < 0)
		fprintf(stderr, "sync_bench: the hand-over did not end in 120 s\n");
	t = now_s() - t0;
	printf("fetch: hand-over of %llu entries (%llu expected) in %.3f s: %.0f/s; "
	       "fetched %llu, failed %llu, %u in the table\n",
	       (unsigned long long)counter("sync_handover_received"), (unsigned long long)n, t,
	       (double)counter("sync_handover_received") / t,
	       (unsigned long long)counter("sync_handover_fetched"),
	       (unsigned long long)counter("sync_handover_failed"), uvs_engine_conn_count(&engine));
	return counter("sync_handover_received") == n ? 0 : 1;
}

int main(int argc, char **argv)
{
	int ret = 2;

	setvbuf(stdout, NULL, _IOLBF, 0);
	director_init();
	if (argc == 6 && !strcmp(argv[1], "master"))
		ret = master(argv[2], argv[3], strtoull(argv[4], NULL, 10), atof(argv[5]));
	else if (argc == 4 && !strcmp(argv[1], "backup"))
		ret = backup(argv[2], strtoull(argv[3], NULL, 10));
	else if (argc == 4 && !strcmp(argv[1], "fetch"))
		ret = fetch(argv[2], strtoull(argv[3], NULL, 10));
	else
		fprintf(stderr, "usage: sync_bench master IF PEER N RATE | backup IF N | "
				"fetch PEER N\n");
	uvs_sync_stop_all(sync_daemons);
	uvs_engine_destroy(&engine);
	uvs_sync_close(sync_daemons);
	uvs_model_destroy(&model);
	rcu_unregister_thread();
	return ret;
}
