// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Engine benchmark: nanoseconds per frame through uvs_engine_process, no I/O.
 *
 * For NAT, DR and TUN (ipip) services of 4 real servers each:
 * - "new": TCP SYNs of distinct flows, each creating a scheduled connection;
 * - "est 1": the ACK of one established flow, over and over;
 * - "est 1M": ACKs of 1,000,000 established flows, each pass in a new random order.
 * Frames go through in batches of 64. The engine rewrites frames in place, so each
 * batch is first copied from prebuilt frames laid out in processing order (a
 * streaming read); that copy is timed alone too and is included in the figures.
 * With --workers 2 the flows are split between two threads, each with its own
 * worker on the same engine.
 *
 * --callgrind: only the 1M-flow NAT case (or --method's), with instrumentation on
 * around the established passes only, for `valgrind --tool=callgrind --instr-atstart=no`;
 * --callgrind-new: the same around the SYNs that make the connections.
 *
 * --sync: as a sync daemon's master (core/sync.h): every client packet goes through
 * the kernel's rules for sending its connection, and what is due is queued on the
 * worker's ring, which the thread empties after each batch (outside the engine, as
 * the master's own thread would).
 *
 * --csum-known: the frames arrive marked UVS_FRAME_RX_L4_CSUM_GOOD, as AF_PACKET marks
 * a local sender's (whose checksum it completed) or one the kernel checked.
 *
 * --scheduler NAME: the services' scheduler (rr by default), e.g. mh or sh to see how
 * new connections scale with one whose pick shares no cursor between workers.
 *
 * --payload N: TCP segments of N payload bytes (10 by default, at most 1460: a full
 * segment on a 1500-byte link), for what a NAT frame's checksum check costs.
 */
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <valgrind/callgrind.h>

#include "core/engine.h"
#include "core/sync.h"
#include "pkt/csum.h"

#define HDRS_LEN    (14 + 20 + 20) /* Ethernet, IPv4, TCP */
#define MAX_PAYLOAD 1460
#define BATCH	    64
#define MAX_WORKERS 2

/* A frame's length (headers and --payload bytes), and its room in a batch buffer. */
static size_t frame_len = HDRS_LEN + 10;
static size_t slot_len = UVS_FRAME_HEADROOM + 128;
#define MAX_ROOM 1600 /* the room of a frame of MAX_PAYLOAD, with some tailroom */

enum method { NAT, DR, TUN, NMETHODS };
static const char *const method_names[] = { "NAT", "DR", "TUN-ipip" };

struct worker_run {
	struct uvs_worker w;
	const uint8_t *frames; /* nframes prebuilt frames in processing order */
	size_t nframes;
	unsigned passes;
	uvs_time_t now;
	double ns;     /* wall time of the run */
	uint64_t sent; /* frames the engine sent */
	pthread_t th;
} __attribute__((aligned(64))); /* a worker's lines are its own, as in uvsd */

static struct uvs_model model;
static struct uvs_engine engine;
static pthread_barrier_t start_line;
static struct uvs_sync_out *sync_rings; /* --sync */

static void no_doorbell(void *arg)
{
	(void)arg; /* the worker's own thread empties its ring after each batch */
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int route(void *arg, int af, const union uvs_addr *nh, struct uvs_route *r)
{
	(void)arg;
	r->ifindex = 2;
	r->mtu = 1500;
	r->src.ip = htonl(0xc0000afe); /* 192.0.10.254 */
	memset(r->src_mac, 0x02, 6);
	memcpy(r->dst_mac, "\x02\x00", 2);
	memcpy(r->dst_mac + 2, af == AF_INET6 ? &nh->ip6[12] : nh->ip6, 4);
	return 0;
}

/* A TCP/IPv4 frame with correct checksums. Addresses host order. */
static void build_frame(uint8_t *f, uint32_t saddr, uint16_t sport, uint32_t daddr, uint16_t dport,
			uint8_t flags)
{
	uint8_t *ip = f + 14, *tcp = ip + 20;
	union uvs_addr s = { .ip = htonl(saddr) }, d = { .ip = htonl(daddr) };
	uint16_t w;

	memset(f, 0, frame_len);
	memcpy(f, "\x02\x00\x00\x00\x00\xfe\x02\x00\x00\x00\x00\x01\x08\x00", 14);
	ip[0] = 0x45;
	w = htons(frame_len - 14);
	memcpy(ip + 2, &w, 2);
	ip[6] = 0x40; /* DF */
	ip[8] = 64;
	ip[9] = IPPROTO_TCP;
	memcpy(ip + 12, &s.ip, 4);
	memcpy(ip + 16, &d.ip, 4);
	w = uvs_csum_fold(uvs_csum_add(0, ip, 20));
	memcpy(ip + 10, &w, 2);
	w = htons(sport);
	memcpy(tcp, &w, 2);
	w = htons(dport);
	memcpy(tcp + 2, &w, 2);
	tcp[4] = 1;	  /* seq */
	tcp[12] = 5 << 4; /* data offset */
	tcp[13] = flags;
	tcp[14] = 0xff; /* window */
	for (size_t i = 0; i < frame_len - HDRS_LEN; i++)
		tcp[20 + i] = (uint8_t) "benchmark!"[i % 10];
	uint32_t l4_len = (uint32_t)(frame_len - 14 - 20);
	w = uvs_csum_fold(
		uvs_csum_add(uvs_csum_pseudo(AF_INET, &s, &d, IPPROTO_TCP, l4_len), tcp, l4_len));
	memcpy(tcp + 16, &w, 2);
}

static void add_service(uint32_t vip, uint32_t fwd, const char *sched)
{
	struct uvs_svc_conf c = { 0 };
	union uvs_addr a = { .ip = htonl(vip) };

	uvs_svc_key_inet(&c.key, AF_INET, IPPROTO_TCP, &a, htons(80));
	snprintf(c.sched_name, sizeof(c.sched_name), "%s", sched);
	c.netmask = 0xffffffff;
	if (uvs_svc_add(&model, &c, NULL) < 0) {
		fprintf(stderr, "engine_bench: no scheduler %s\n", sched);
		exit(2);
	}
	for (unsigned i = 0; i < 4; i++) {
		struct uvs_dest_conf d = {
			.af = AF_INET, .port = htons(80), .fwd = fwd, .weight = 1
		};
		d.addr.ip = htonl(0xc0a80000u | (vip & 0xff) << 8 | (11 + i)); /* 192.168.x.11.. */
		if (uvs_dest_add(&model, &c.key, &d, NULL) < 0)
			abort();
	}
}

/* The VIP of a method's service: 10.0.0.1 NAT, .2 DR, .3 TUN. */
static uint32_t vip_of(enum method m)
{
	return 0x0a000001u + (uint32_t)m;
}

/* Flow i's client: 4096 addresses in 172.16.0.0/12, then the next port. */
static void client_of(size_t i, uint32_t *addr, uint16_t *port)
{
	*addr = 0xac100000u + (uint32_t)(i % 4096) + 1;
	*port = (uint16_t)(1024 + i / 4096);
}

/* Frames for flows first..first+n-1 of method m, in the order of perm (NULL: in
 * order), each a TCP segment with flags. */
static uint8_t *make_frames(enum method m, size_t first, size_t n, const uint32_t *perm,
			    uint8_t flags)
{
	uint8_t *frames = aligned_alloc(64, n * frame_len);

	if (!frames)
		abort();
	for (size_t i = 0; i < n; i++) {
		uint32_t caddr;
		uint16_t cport;
		client_of(first + (perm ? perm[i] : i), &caddr, &cport);
		build_frame(frames + i * frame_len, caddr, cport, vip_of(m), 80, flags);
	}
	return frames;
}

static uint32_t *random_order(size_t n, uint64_t seed)
{
	uint32_t *p = malloc(n * sizeof(*p));

	if (!p)
		abort();
	for (size_t i = 0; i < n; i++)
		p[i] = (uint32_t)i;
	for (size_t i = n - 1; i > 0; i--) {
		seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
		size_t j = seed % (i + 1);
		uint32_t t = p[i];
		p[i] = p[j];
		p[j] = t;
	}
	return p;
}

/* Runs r->frames through r's worker r->passes times (or only copies them, if
 * copy_only). Frame i of a pass is frames[i % nframes]. */
/* What the frames arrive marked with (--csum-known): as AF_PACKET marks a local
 * sender's frame, whose checksum it completed, or one the kernel checked. */
static uint8_t rx_flags;

static void run_frames(struct worker_run *r, bool copy_only)
{
	/* Room for the largest frames; only BATCH * slot_len bytes of it are used. */
	static __thread uint8_t buf[BATCH * (UVS_FRAME_HEADROOM + MAX_ROOM)]
		__attribute__((aligned(64)));
	struct uvs_frame fr[BATCH];

	for (unsigned pass = 0; pass < r->passes; pass++) {
		for (size_t i = 0; i < r->nframes; i += BATCH) {
			unsigned n = r->nframes - i < BATCH ? (unsigned)(r->nframes - i) : BATCH;
			for (unsigned k = 0; k < n; k++) {
				uint8_t *d = buf + k * slot_len + UVS_FRAME_HEADROOM;
				memcpy(d, r->frames + (i + k) * frame_len, frame_len);
				fr[k] = (struct uvs_frame){
					.data = d,
					.len = frame_len,
					.headroom = UVS_FRAME_HEADROOM,
					.tailroom = slot_len - UVS_FRAME_HEADROOM - frame_len,
					.ifindex = 1,
					.rx_flags = rx_flags
				};
			}
			if (copy_only) {
				__asm__ volatile("" : : "r"(fr) : "memory");
				continue;
			}
			uvs_engine_process(&r->w, fr, n, r->now);
			for (unsigned k = 0; k < n; k++)
				r->sent += fr[k].verdict == UVS_VERDICT_TX;
			if (sync_rings) {
				struct uvs_sync_conn taken[BATCH];
				while (uvs_sync_out_take(sync_rings, r->w.id, taken, BATCH))
					;
			}
		}
	}
}

static void *thread_main(void *arg)
{
	struct worker_run *r = arg;

	rcu_register_thread();
	pthread_barrier_wait(&start_line);
	double t0 = now_ns();
	run_frames(r, false);
	r->ns = now_ns() - t0;
	rcu_unregister_thread();
	return NULL;
}

/* Runs each of nw workers' frames on its own thread at once; returns ns per frame
 * over all of them (wall time / total frames). */
static double run_parallel(struct worker_run *runs, unsigned nw)
{
	double total_ns = 0;
	size_t frames = 0;

	pthread_barrier_init(&start_line, NULL, nw);
	for (unsigned i = 0; i < nw; i++)
		if (pthread_create(&runs[i].th, NULL, thread_main, &runs[i]))
			abort();
	for (unsigned i = 0; i < nw; i++) {
		pthread_join(runs[i].th, NULL);
		if (runs[i].ns > total_ns)
			total_ns = runs[i].ns;
		frames += runs[i].nframes * runs[i].passes;
	}
	pthread_barrier_destroy(&start_line);
	return total_ns / (double)frames;
}

static double median(double *v, int n)
{
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && v[j] < v[j - 1]; j--) {
			double t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	return v[n / 2];
}

static long rss_kib(void)
{
	long pages = 0, resident = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f) {
		if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
			resident = 0;
		fclose(f);
	}
	return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

struct options {
	int method; /* -1: all */
	size_t flows;
	unsigned workers;
	unsigned rounds;
	bool callgrind;
	bool callgrind_new; /* instrument the new connections instead */
	bool sync;
	const char *sched; /* the services' scheduler */
};

/* One method at nw workers: new connections, then 1 and many established flows.
 * Prints a row; returns nothing, aborts if the engine did not forward. */
static void bench_method(enum method m, const struct options *o, unsigned nw, bool print_memory)
{
	struct worker_run runs[MAX_WORKERS];
	size_t per;
	double new_ns[9], est1_ns[9], estn_ns[9], copy_ns[9];
	unsigned rounds = o->rounds;
	uvs_time_t t = 1000 * UVS_NS_PER_SEC;

	if (nw < 1 || nw > MAX_WORKERS)
		abort();
	per = o->flows / nw;

	/* The workers live through every round, so that rounds after the first reuse
	 * their pools' connection entries as a running director does; the first round
	 * also pays for fresh memory. */
	for (unsigned i = 0; i < nw; i++) {
		memset(&runs[i], 0, sizeof(runs[i]));
		/* The worker struct stays where it is: the engine points to it. */
		if (uvs_worker_init(&runs[i].w, &engine, i) < 0)
			abort();
	}
	for (unsigned r = 0; r < rounds; r++) {
		uint8_t *syn[MAX_WORKERS], *ack[MAX_WORKERS], *one[MAX_WORKERS];
		uint32_t *perm = random_order(per, 12345 + r);

		for (unsigned i = 0; i < nw; i++) {
			syn[i] = make_frames(m, i * per, per, NULL, 0x02 /* SYN */);
			ack[i] = make_frames(m, i * per, per, perm, 0x10 /* ACK */);
			one[i] = make_frames(m, i * per, BATCH, NULL, 0x10);
			for (unsigned k = 1; k < BATCH; k++) /* the first flow, 64 times */
				memcpy(one[i] + k * frame_len, one[i], frame_len);
		}
		long rss0 = rss_kib(); /* frames built: what grows now is the engine's */
		/* New connections: every flow's SYN once. */
		for (unsigned i = 0; i < nw; i++) {
			runs[i].frames = syn[i];
			runs[i].nframes = per;
			runs[i].passes = 1;
			runs[i].now = t;
			runs[i].sent = 0;
		}
		if (o->callgrind_new)
			CALLGRIND_START_INSTRUMENTATION;
		new_ns[r] = run_parallel(runs, nw);
		if (o->callgrind_new) {
			CALLGRIND_STOP_INSTRUMENTATION;
			printf("  callgrind: %zu new %s connections measured\n", per,
			       method_names[m]);
		}
		for (unsigned i = 0; i < nw; i++)
			if (runs[i].sent != per)
				fprintf(stderr, "engine_bench: %s: %zu of %zu SYNs forwarded\n",
					method_names[m], (size_t)runs[i].sent, per),
					exit(1);
		if (print_memory && r == 0) {
			long grown = rss_kib() - rss0;
			printf("  memory: %zu connections; struct uvs_conn %zu bytes + %zu beside; "
			       "hash heads "
			       "%.1f bytes/conn (2^%u pointers, resident from the start); RSS grew "
			       "%.0f bytes/conn (entries, slabs)\n",
			       (size_t)uvs_engine_conn_count(&engine), sizeof(struct uvs_conn),
			       sizeof(struct uvs_conn_side),
			       (double)sizeof(void *) * (engine.conns.mask + 1) /
				       (double)uvs_engine_conn_count(&engine),
			       __builtin_ctz(engine.conns.mask + 1),
			       (double)grown * 1024 / (double)uvs_engine_conn_count(&engine));
		}
		/* Established: the first ACK pass moves SYN_RECV to ESTABLISHED (untimed). */
		for (unsigned i = 0; i < nw; i++) {
			runs[i].frames = ack[i];
			runs[i].passes = 1;
			runs[i].sent = 0;
		}
		run_parallel(runs, nw);
		for (unsigned i = 0; i < nw; i++) {
			runs[i].passes = per >= 100000 ? 2 : 20;
			runs[i].sent = 0;
		}
		if (o->callgrind && !o->callgrind_new)
			CALLGRIND_START_INSTRUMENTATION;
		estn_ns[r] = run_parallel(runs, nw);
		if (o->callgrind && !o->callgrind_new) {
			CALLGRIND_STOP_INSTRUMENTATION;
			printf("  callgrind: %zu frames of %zu established %s flows measured\n",
			       per * runs[0].passes, per, method_names[m]);
		}
		for (unsigned i = 0; i < nw; i++)
			if (runs[i].sent != per * runs[i].passes)
				fprintf(stderr,
					"engine_bench: %s: established frames not all sent\n",
					method_names[m]),
					exit(1);
		/* The copy alone, over the same frames. */
		double c0 = now_ns();
		run_frames(&runs[0], true);
		copy_ns[r] = (now_ns() - c0) / (double)(per * runs[0].passes);
		/* One flow. */
		for (unsigned i = 0; i < nw; i++) {
			runs[i].frames = one[i];
			runs[i].nframes = BATCH;
			runs[i].passes = 100000;
		}
		for (unsigned i = 0; i < nw; i++)
			runs[i].sent = 0;
		est1_ns[r] = run_parallel(runs, nw);
		for (unsigned i = 0; i < nw; i++)
			if (runs[i].sent != (uint64_t)BATCH * runs[i].passes)
				fprintf(stderr, "engine_bench: %s: one-flow frames not all sent\n",
					method_names[m]),
					exit(1);
		/* Ends every connection (an hour later) before the next round. */
		t += 3600 * UVS_NS_PER_SEC;
		for (unsigned i = 0; i < nw; i++) {
			uvs_worker_timers(&runs[i].w, t);
			free(syn[i]);
			free(ack[i]);
			free(one[i]);
		}
		free(perm);
		/* Entries freed by the timers return to their pools after a grace period. */
		rcu_barrier();
		if (o->callgrind)
			break;
	}
	for (unsigned i = 0; i < nw; i++)
		uvs_worker_destroy(&runs[i].w);
	if (o->callgrind)
		return;
	double nn = median(new_ns, rounds), e1 = median(est1_ns, rounds),
	       en = median(estn_ns, rounds), cp = median(copy_ns, rounds);
	printf("%-9s %7u %12.1f %6.2f %12.1f %6.2f %12.1f %6.2f %8.1f\n", method_names[m], nw, nn,
	       1e3 / nn, e1, 1e3 / e1, en, 1e3 / en, cp);
}

static void usage(void)
{
	fprintf(stderr, "usage: engine_bench [--flows N] [--workers 1|2] [--rounds R] "
			"[--method NAT|DR|TUN-ipip] [--quick] [--callgrind|--callgrind-new] "
			"[--sync] [--csum-known] [--scheduler NAME] [--payload N]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option long_opts[] = {
		{ "flows", required_argument, NULL, 'f' },
		{ "workers", required_argument, NULL, 'w' },
		{ "rounds", required_argument, NULL, 'r' },
		{ "quick", no_argument, NULL, 'q' },
		{ "callgrind", no_argument, NULL, 'c' },
		{ "callgrind-new", no_argument, NULL, 'n' },
		{ "method", required_argument, NULL, 'm' },
		{ "sync", no_argument, NULL, 's' },
		{ "csum-known", no_argument, NULL, 'k' },
		{ "scheduler", required_argument, NULL, 'S' },
		{ "payload", required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 },
	};
	struct options o = {
		.method = -1, .flows = 1000000, .workers = 0, .rounds = 3, .sched = "rr"
	};
	struct uvs_engine_config c;
	int opt;

	while ((opt = getopt_long(argc, argv, "", long_opts, NULL)) != -1) {
		switch (opt) {
		case 'f':
			o.flows = strtoul(optarg, NULL, 10);
			break;
		case 'w':
			o.workers = (unsigned)atoi(optarg);
			break;
		case 'r':
			o.rounds = (unsigned)atoi(optarg);
			break;
		case 'q':
			o.flows = 100000;
			o.rounds = 1;
			break;
		case 'm':
			for (int m = 0; m < NMETHODS; m++)
				if (!strcasecmp(optarg, method_names[m]))
					o.method = m;
			if (o.method < 0)
				usage();
			break;
		case 'n':
			o.callgrind_new = true;
			/* fall through */
		case 'c':
			o.callgrind = true;
			o.rounds = 1;
			break;
		case 's':
			o.sync = true;
			break;
		case 'k':
			rx_flags = UVS_FRAME_RX_L4_CSUM_GOOD;
			break;
		case 'S':
			o.sched = optarg;
			break;
		case 'p': {
			unsigned long n = strtoul(optarg, NULL, 10);
			if (n > MAX_PAYLOAD)
				usage();
			frame_len = HDRS_LEN + n;
			/* A slot a whole number of lines, with 64 bytes or more of tailroom. */
			slot_len = UVS_FRAME_HEADROOM + (frame_len + 64 + 63) / 64 * 64;
			if (slot_len < UVS_FRAME_HEADROOM + 128)
				slot_len = UVS_FRAME_HEADROOM + 128;
			break;
		}
		default:
			usage();
		}
	}
	if (o.flows < BATCH * 2 || o.flows > 4000000 || o.rounds < 1 || o.rounds > 9 ||
	    o.workers > 2)
		usage();

	rcu_register_thread();
	if (uvs_model_init(&model, MAX_WORKERS) < 0)
		abort();
	add_service(vip_of(NAT), UVS_FWD_MASQ, o.sched);
	add_service(vip_of(DR), UVS_FWD_DROUTE, o.sched);
	add_service(vip_of(TUN), UVS_FWD_TUNNEL, o.sched);
	uvs_engine_config_default(&c);
	c.nworkers = MAX_WORKERS;
	c.table_bits = 21;
	c.max_conns = 4u << 20;
	c.route = route;
	if (uvs_engine_init(&engine, &model, &c) < 0)
		abort();
	if (o.sync) {
		if (uvs_sync_out_create(&engine, 4096, no_doorbell, NULL, &sync_rings) < 0)
			abort();
		uvs_engine_set_sync_out(&engine, sync_rings);
		printf("sync master on: each client packet through the sync rules\n");
	}

	if (o.callgrind) {
		bench_method(o.method >= 0 ? (enum method)o.method : NAT, &o, 1, false);
		return 0;
	}
	printf("engine: %zu flows, batches of %u, %u round(s), medians; ns per frame and "
	       "millions of frames per second (all workers together)\n",
	       o.flows, BATCH, o.rounds);
	printf("%-9s %7s %12s %6s %12s %6s %12s %6s %8s\n", "method", "workers", "new conn ns",
	       "Mpps", "est 1 ns", "Mpps", "est many ns", "Mpps", "copy ns");
	for (unsigned nw = 1; nw <= 2; nw++) {
		if (o.workers && nw != o.workers)
			continue;
		for (int m = 0; m < NMETHODS; m++)
			if (o.method < 0 || o.method == m)
				bench_method((enum method)m, &o, nw, m == NAT && nw == 1);
	}
	uvs_sync_out_free(uvs_engine_set_sync_out(&engine, NULL));
	uvs_engine_destroy(&engine);
	uvs_model_destroy(&model);
	return 0;
}
