// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The XDP fast path against the engine: the steering XDP program, as the kernel runs it
 * (BPF_PROG_TEST_RUN), and an engine with one worker offering flows to the program's
 * own table (mapped here as uvsd maps it). Each frame the program forwards is also
 * given to the engine, and the two outputs must be the same bytes: NAT both ways and
 * direct routing, TCP and UDP, IPv4 and IPv6, a local sender's unfinished checksum.
 * Frames the engine must see (FIN, a TTL of 1, a bad checksum, anything after the
 * epoch moved) are left to uvsd, and a flow's frames after one left go to uvsd too
 * until the engine offers the flow again. The counts the program keeps reach the real
 * server's stats, and its frames keep the connection from expiring. Skipped without
 * the privilege to load BPF programs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <linux/bpf.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "core/fastpath.h"
#include "engine_fixture.h"
#include "io/bpf/steer-key.h"

extern const unsigned char uvs_steer_xdp_obj[];
extern const unsigned long uvs_steer_xdp_obj_len;

#define ENTRIES 1024
#define CLIENT	"172.16.0.5"
#define CLIENT6 "2001:db8:c::5"

struct fpx {
	struct eng_fixture *fx;
	struct bpf_object *obj;
	int prog_fd, keys_fd;
	struct uvs_fp_head *head;
	struct uvs_fp_entry *entries;
	uint64_t *dirty;
	size_t entries_len;
	struct uvs_fastpath fp;
};

static uint64_t ktime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts); /* no time namespace in the tests */
	return (uint64_t)ts.tv_sec * 1000000000 + (uint64_t)ts.tv_nsec;
}

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	(void)fmt;
	(void)ap;
	return 0;
}

static void *map_shared(struct bpf_object *obj, const char *name, size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED,
		       bpf_object__find_map_fd_by_name(obj, name), 0);

	assert_true(p != MAP_FAILED);
	return p;
}

/* The engine's clock and the program's agree from now on. */
static void sync_clock(struct fpx *x)
{
	x->fp.clock_offset_ns = (int64_t)x->fx->env.now - (int64_t)ktime_ns();
}

static int setup(void **state)
{
	struct fpx *x = calloc(1, sizeof(*x));
	struct uvs_steer_alive alive = { .until_ns = UINT64_MAX };
	long page = sysconf(_SC_PAGESIZE);
	libbpf_print_fn_t prev;
	uint32_t zero = 0;
	int ret;

	assert_int_equal(eng_setup((void **)&x->fx), 0);
	x->fx->env.now = 1000 * S;
	prev = libbpf_set_print(quiet);
	x->obj = bpf_object__open_mem(uvs_steer_xdp_obj, uvs_steer_xdp_obj_len, NULL);
	assert_non_null(x->obj);
	assert_int_equal(bpf_map__set_max_entries(
				 bpf_object__find_map_by_name(x->obj, "uvs_fp_table"), ENTRIES),
			 0);
	assert_int_equal(
		bpf_map__set_max_entries(bpf_object__find_map_by_name(x->obj, "uvs_fp_dirty"),
					 ENTRIES / 64),
		0);
	ret = bpf_object__load(x->obj);
	libbpf_set_print(prev);
	if (ret == -EPERM || ret == -EACCES || ret == -ENOSYS) {
		bpf_object__close(x->obj);
		x->obj = NULL;
		*state = x;
		return 0;
	}
	assert_int_equal(ret, 0);
	x->prog_fd = bpf_program__fd(bpf_object__find_program_by_name(x->obj, "uvs_steer_xdp"));
	x->keys_fd = bpf_object__find_map_fd_by_name(x->obj, "uvs_steer_keys");
	assert_int_equal(
		bpf_map_update_elem(bpf_object__find_map_fd_by_name(x->obj, "uvs_steer_alive"),
				    &zero, &alive, BPF_ANY),
		0);
	x->head = map_shared(x->obj, "uvs_fp_head", (size_t)page);
	x->entries_len = ENTRIES * sizeof(struct uvs_fp_entry);
	x->entries = map_shared(x->obj, "uvs_fp_table", x->entries_len);
	x->dirty = map_shared(x->obj, "uvs_fp_dirty", (size_t)page);
	uvs_fastpath_init(&x->fp, x->head, x->entries, x->dirty, ENTRIES, 0x5eed);
	sync_clock(x);
	uvs_engine_set_fastpath(&x->fx->e, &x->fp);
	*state = x;
	return 0;
}

static int teardown(void **state)
{
	struct fpx *x = *state;

	eng_teardown((void **)&x->fx);
	if (x->obj) {
		munmap(x->head, (size_t)sysconf(_SC_PAGESIZE));
		munmap(x->entries, x->entries_len);
		munmap(x->dirty, (size_t)sysconf(_SC_PAGESIZE));
		bpf_object__close(x->obj);
	}
	free(x);
	return 0;
}

static struct fpx *fixture(void **state)
{
	struct fpx *x = *state;

	if (!x->obj)
		skip();
	return x;
}

/* Frames to or from addr:port (kind UVS_STEER_SERVICE or _REPLY) are uvs's. */
static void steer_key(struct fpx *x, uint8_t kind, uint8_t protocol, const char *addr,
		      uint16_t port)
{
	struct uvs_steer_key k = { .kind = kind, .protocol = protocol, .port = htons(port) };
	uint8_t one = 1;

	k.family = strchr(addr, ':') ? AF_INET6 : AF_INET;
	assert_int_equal(inet_pton(k.family, addr, k.addr), 1);
	assert_int_equal(bpf_map_update_elem(x->keys_fd, &k, &one, BPF_ANY), 0);
}

/* The program's verdict on the frame of spec s; its output in out (len *out_len). */
static int xdp_run(struct fpx *x, const uint8_t *in, size_t len, uint8_t *out, uint32_t *out_len)
{
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = in, .data_size_in = (uint32_t)len,
		    .data_out = out, .data_size_out = 2048, .repeat = 1);

	assert_int_equal(bpf_prog_test_run_opts(x->prog_fd, &o), 0);
	*out_len = o.data_size_out;
	return (int)o.retval;
}

/* The program's verdict on the frame of spec s, which the engine does not see. */
static int xdp_only(struct fpx *x, const struct frame_spec *s)
{
	uint8_t in[2048], out[2048];
	uint32_t out_len;

	return xdp_run(x, in, frame_build(in, s), out, &out_len);
}

/* A local sender's frame: the TCP or UDP checksum field holds only the pseudo
 * header's sum, for offload to finish. */
static void make_partial(uint8_t *frame, const struct frame_spec *s)
{
	size_t l3 = frame_l3_off(s), l4 = l3 + (s->af == AF_INET6 ? 40 : 20);
	size_t l4_len = s->af == AF_INET6 ? (size_t)(frame[l3 + 4] << 8 | frame[l3 + 5])
					  : (size_t)(frame[l3 + 2] << 8 | frame[l3 + 3]) - 20;
	size_t at = l4 + (s->protocol == IPPROTO_TCP ? 16 : 6);
	uint8_t src[16], dst[16];
	uint32_t sum;

	inet_pton(s->af, s->src, src);
	inet_pton(s->af, s->dst, dst);
	sum = ref_pseudo_sum(s->af, src, dst, s->protocol, (uint32_t)l4_len);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	frame[at] = (uint8_t)(sum >> 8);
	frame[at + 1] = (uint8_t)sum;
}

enum how { AS_BUILT, PARTIAL, BAD_CSUM };

/* Runs the frame of spec s through the program, then through the engine. Returns the
 * program's verdict; when it forwarded the frame, asserts its output is the engine's. */
static int both(struct fpx *x, const struct frame_spec *s, enum how how)
{
	uint8_t in[2048], out[2048];
	size_t len = frame_build(in, s);
	uint32_t out_len = 0;
	int verdict;

	if (how == PARTIAL)
		make_partial(in, s);
	if (how == BAD_CSUM)
		in[len - 1] ^= 0x40; /* the payload's last byte */
	verdict = xdp_run(x, in, len, out, &out_len);
	if (how == BAD_CSUM) {
		/* The engine drops it too, counted. */
		uint64_t bad = eng_counter(x->fx, UVS_R_L4_BAD_CSUM);
		uint8_t *data = x->fx->buf + UVS_FRAME_HEADROOM;

		memcpy(data, in, len);
		x->fx->f = (struct uvs_frame){ .data = data,
					       .len = (uint32_t)len,
					       .headroom = UVS_FRAME_HEADROOM,
					       .tailroom = 1024,
					       .ifindex = 1 };
		uvs_engine_process(&x->fx->w, &x->fx->f, 1, x->fx->env.now);
		assert_int_equal(x->fx->f.verdict, UVS_VERDICT_DROP);
		assert_int_equal(eng_counter(x->fx, UVS_R_L4_BAD_CSUM), bad + 1);
		return verdict;
	}
	assert_int_equal(eng_send(x->fx, s), UVS_VERDICT_TX);
	if (verdict == XDP_TX || verdict == XDP_REDIRECT) {
		assert_int_equal(out_len, x->fx->f.len);
		assert_memory_equal(out, x->fx->f.data, out_len);
	}
	return verdict;
}

static bool forwarded(int verdict)
{
	return verdict == XDP_TX || verdict == XDP_REDIRECT;
}

static const uint8_t payload[333] = { 1, 2, 3 };

static struct frame_spec data(const char *src, uint16_t sport, const char *dst, uint16_t dport,
			      uint8_t flags)
{
	struct frame_spec s = frame_tcp(src, sport, dst, dport, flags);

	s.payload = payload;
	s.payload_len = sizeof(payload);
	return s;
}

static uint64_t hits(struct fpx *x)
{
	int n = libbpf_num_possible_cpus();
	uint64_t per[n][2], sum = 0;
	uint32_t zero = 0;

	assert_int_equal(
		bpf_map_lookup_elem(bpf_object__find_map_fd_by_name(x->obj, "uvs_fp_counts"), &zero,
				    per),
		0);
	for (int i = 0; i < n; i++)
		sum += per[i][0];
	return sum;
}

/* A TCP connection through NAT to a real server on another port: after the handshake,
 * the client's frames and the server's, both offered when the client's ACK made the
 * connection ESTABLISHED. */
static void test_nat_tcp(void **state)
{
	struct fpx *x = fixture(state);
	struct uvs_service *svc = test_add_svc(&x->fx->env, "10.0.0.1:80", "rr");
	struct uvs_dest *d = eng_add_dest(x->fx, svc, "192.168.0.11:8080", 1, UVS_FWD_MASQ);
	struct frame_spec s;
	struct uvs_counters before, after;
	uint64_t h = hits(x);

	steer_key(x, UVS_STEER_SERVICE, IPPROTO_TCP, "10.0.0.1", 80);
	steer_key(x, UVS_STEER_REPLY, IPPROTO_TCP, "192.168.0.11", 8080);
	s = frame_tcp(CLIENT, 40000, "10.0.0.1", 80, TH_SYN);
	/* A SYN has no entry yet, and is never forwarded by the program; the engine
	 * offers the real server's SYN-ACK after it. */
	assert_false(forwarded(both(x, &s, AS_BUILT)));
	assert_int_equal(uvs_fastpath_used(&x->fp), 1);
	s = frame_tcp("192.168.0.11", 8080, CLIENT, 40000, TH_SYN | TH_ACK);
	assert_true(forwarded(both(x, &s, AS_BUILT)));
	/* The engine saw it too here, and took the SYN-ACK's entry out. */
	assert_int_equal(uvs_fastpath_used(&x->fp), 0);
	/* ESTABLISHED: offered both ways. */
	s = frame_tcp(CLIENT, 40000, "10.0.0.1", 80, TH_ACK);
	assert_false(forwarded(both(x, &s, AS_BUILT)));
	assert_int_equal(uvs_fastpath_used(&x->fp), 2);
	s = data(CLIENT, 40000, "10.0.0.1", 80, TH_ACK | TH_PUSH);
	assert_true(forwarded(both(x, &s, AS_BUILT)));
	assert_true(forwarded(both(x, &s, PARTIAL)));
	s = data("192.168.0.11", 8080, CLIENT, 40000, TH_ACK);
	assert_true(forwarded(both(x, &s, AS_BUILT)));
	assert_true(forwarded(both(x, &s, PARTIAL)));
	assert_int_equal(hits(x), h + 5);
	assert_int_equal(uvs_fastpath_used(&x->fp), 2);

	/* The program's counts reach the stats within a second: each frame above was
	 * counted once by the engine and, if forwarded there, once by the program (the
	 * SYN-ACK's when the engine took its entry out). */
	uvs_stats_read(&d->stats, &before);
	x->fx->env.now += 2 * S;
	uvs_worker_timers(&x->fx->w, x->fx->env.now);
	uvs_stats_read(&d->stats, &after);
	assert_int_equal(after.inpkts - before.inpkts, 2);
	assert_int_equal(after.outpkts - before.outpkts, 2);

	/* A bad checksum is left to the engine, which drops it; the flow's next frame
	 * follows it there and is offered again; the one after is the program's. */
	sync_clock(x);
	s = data(CLIENT, 40000, "10.0.0.1", 80, TH_ACK);
	assert_false(forwarded(both(x, &s, BAD_CSUM)));
	assert_false(forwarded(both(x, &s, AS_BUILT)));
	assert_true(forwarded(both(x, &s, AS_BUILT)));
	/* A TTL about to expire: the engine answers it (time exceeded), and the flow
	 * follows it there once. */
	s.ttl = 1;
	assert_false(forwarded(xdp_only(x, &s)));
	uint64_t expired = eng_counter(x->fx, UVS_R_TTL_EXPIRED);
	assert_int_equal(eng_send(x->fx, &s), UVS_VERDICT_TX);
	assert_int_equal(eng_counter(x->fx, UVS_R_TTL_EXPIRED), expired + 1);
	s.ttl = 0;
	assert_false(forwarded(both(x, &s, AS_BUILT)));
	assert_true(forwarded(both(x, &s, AS_BUILT)));
	/* The epoch moved: left, and offered again. */
	uvs_fastpath_bump(&x->fp);
	assert_false(forwarded(both(x, &s, AS_BUILT)));
	assert_true(forwarded(both(x, &s, AS_BUILT)));

	/* A FIN is the engine's: the connection leaves ESTABLISHED and its entries go. */
	s = frame_tcp(CLIENT, 40000, "10.0.0.1", 80, TH_FIN | TH_ACK);
	assert_false(forwarded(both(x, &s, AS_BUILT)));
	assert_int_equal(uvs_fastpath_used(&x->fp), 0);
	s = data("192.168.0.11", 8080, CLIENT, 40000, TH_ACK);
	assert_false(forwarded(both(x, &s, AS_BUILT)));
}

static struct uvs_conn *conn_of(struct fpx *x, const char *client, uint16_t cport, const char *vip,
				uint16_t vport)
{
	union uvs_addr c = { 0 }, v = { 0 };

	assert_int_equal(inet_pton(AF_INET, client, &c), 1);
	assert_int_equal(inet_pton(AF_INET, vip, &v), 1);
	return uvs_conn_in_get(&x->fx->e.conns, AF_INET, IPPROTO_TCP, &c, htons(cport), &v,
			       htons(vport), false);
}

/* A SYN-ACK only the program sends: the connection stays SYN_RECV, counts the frame,
 * and is answered, as if the engine had sent it: the client's ACK offers both ways,
 * and the client's FIN then takes it to CLOSE_WAIT (FIN_WAIT if it had no reply). A
 * real server's frame other than a SYN-ACK is left to the engine, and the flow's
 * frames after it too. */
static void test_handshake(void **state)
{
	struct fpx *x = fixture(state);
	struct uvs_service *svc = test_add_svc(&x->fx->env, "10.0.0.1:80", "rr");
	struct uvs_dest *d = eng_add_dest(x->fx, svc, "192.168.0.11:80", 1, UVS_FWD_MASQ);
	struct frame_spec s;
	struct uvs_counters before, after;
	struct uvs_conn *c;

	steer_key(x, UVS_STEER_SERVICE, IPPROTO_TCP, "10.0.0.1", 80);
	steer_key(x, UVS_STEER_REPLY, IPPROTO_TCP, "192.168.0.11", 80);
	s = frame_tcp(CLIENT, 40002, "10.0.0.1", 80, TH_SYN);
	assert_int_equal(eng_send(x->fx, &s), UVS_VERDICT_TX);
	c = conn_of(x, CLIENT, 40002, "10.0.0.1", 80);
	assert_non_null(c);
	uvs_stats_read(&d->stats, &before);
	s = frame_tcp("192.168.0.11", 80, CLIENT, 40002, TH_SYN | TH_ACK);
	assert_true(forwarded(xdp_only(x, &s)));
	assert_int_equal(c->state, UVS_TCP_S_SYN_RECV);
	x->fx->env.now += 2 * S;
	uvs_worker_timers(&x->fx->w, x->fx->env.now);
	uvs_stats_read(&d->stats, &after);
	assert_int_equal(after.outpkts - before.outpkts, 1);
	sync_clock(x);
	s = frame_tcp(CLIENT, 40002, "10.0.0.1", 80, TH_ACK);
	assert_int_equal(eng_send(x->fx, &s), UVS_VERDICT_TX);
	assert_int_equal(c->state, UVS_TCP_S_ESTABLISHED);
	assert_int_equal(uvs_fastpath_used(&x->fp), 2);
	s = data("192.168.0.11", 80, CLIENT, 40002, TH_ACK);
	assert_true(forwarded(both(x, &s, AS_BUILT)));
	s = frame_tcp(CLIENT, 40002, "10.0.0.1", 80, TH_FIN | TH_ACK);
	assert_int_equal(eng_send(x->fx, &s), UVS_VERDICT_TX);
	assert_int_equal(c->state, UVS_TCP_S_CLOSE_WAIT);
	assert_int_equal(uvs_fastpath_used(&x->fp), 0);

	/* Another connection: its server's ACK without SYN is the engine's, and so is the
	 * SYN-ACK after it. */
	s = frame_tcp(CLIENT, 40003, "10.0.0.1", 80, TH_SYN);
	assert_int_equal(eng_send(x->fx, &s), UVS_VERDICT_TX);
	s = frame_tcp("192.168.0.11", 80, CLIENT, 40003, TH_ACK);
	assert_false(forwarded(xdp_only(x, &s)));
	s = frame_tcp("192.168.0.11", 80, CLIENT, 40003, TH_SYN | TH_ACK);
	assert_false(forwarded(both(x, &s, AS_BUILT)));
	assert_int_equal(uvs_fastpath_used(&x->fp), 0);

	/* A third whose server never answers: the client's ACK alone makes it
	 * ESTABLISHED, and its FIN takes it to FIN_WAIT, as without the fast path. */
	s = frame_tcp(CLIENT, 40004, "10.0.0.1", 80, TH_SYN);
	assert_int_equal(eng_send(x->fx, &s), UVS_VERDICT_TX);
	s.tcp_flags = TH_ACK;
	assert_int_equal(eng_send(x->fx, &s), UVS_VERDICT_TX);
	s.tcp_flags = TH_FIN | TH_ACK;
	assert_int_equal(eng_send(x->fx, &s), UVS_VERDICT_TX);
	assert_int_equal(conn_of(x, CLIENT, 40004, "10.0.0.1", 80)->state, UVS_TCP_S_FIN_WAIT);
}

/* UDP over IPv6 through NAT: the first datagram makes the connection and is offered;
 * the reply is offered when it passes the engine. */
static void test_nat_udp6(void **state)
{
	struct fpx *x = fixture(state);
	struct uvs_svc_conf sc = test_svc_conf("[2001:db8:f::1]:53", "rr");
	struct frame_spec s;

	sc.key.protocol = IPPROTO_UDP;
	assert_int_equal(uvs_svc_add(&x->fx->env.m, &sc, NULL), 0);
	eng_add_dest(x->fx, uvs_svc_find(&x->fx->env.m, &sc.key), "[2001:db8:1::11]:5353", 1,
		     UVS_FWD_MASQ);
	steer_key(x, UVS_STEER_SERVICE, IPPROTO_UDP, "2001:db8:f::1", 53);
	steer_key(x, UVS_STEER_REPLY, IPPROTO_UDP, "2001:db8:1::11", 5353);
	s = frame_udp(CLIENT6, 5000, "2001:db8:f::1", 53);
	s.payload = payload;
	s.payload_len = 100;
	assert_false(forwarded(both(x, &s, AS_BUILT)));
	assert_true(forwarded(both(x, &s, AS_BUILT)));
	assert_true(forwarded(both(x, &s, PARTIAL)));
	s = frame_udp("2001:db8:1::11", 5353, CLIENT6, 5000);
	s.payload = payload;
	s.payload_len = 1;
	assert_false(forwarded(both(x, &s, AS_BUILT)));
	assert_true(forwarded(both(x, &s, AS_BUILT)));
	assert_true(forwarded(both(x, &s, PARTIAL)));
}

/* Direct routing, IPv4 and IPv6: only the TTL and the link addresses change; a local
 * sender's unfinished checksum is finished. */
static void dr(struct fpx *x, const char *vip, const char *rs, const char *client)
{
	struct uvs_service *svc = test_add_svc(&x->fx->env, vip, "rr");
	char addr[64];
	struct frame_spec s;

	eng_add_dest(x->fx, svc, rs, 1, UVS_FWD_DROUTE);
	snprintf(addr, sizeof(addr), "%s", vip[0] == '[' ? vip + 1 : vip);
	*strrchr(addr, vip[0] == '[' ? ']' : ':') = 0;
	steer_key(x, UVS_STEER_SERVICE, IPPROTO_TCP, addr, 80);
	s = frame_tcp(client, 41000, addr, 80, TH_SYN);
	assert_false(forwarded(both(x, &s, AS_BUILT)));
	s = frame_tcp(client, 41000, addr, 80, TH_ACK); /* ESTABLISHED, as the kernel's */
	assert_false(forwarded(both(x, &s, AS_BUILT)));
	s = data(client, 41000, addr, 80, TH_ACK);
	assert_true(forwarded(both(x, &s, AS_BUILT)));
	assert_true(forwarded(both(x, &s, PARTIAL)));
}

static void test_dr(void **state)
{
	struct fpx *x = fixture(state);

	dr(x, "10.0.0.2:80", "192.168.0.12:80", CLIENT);
	dr(x, "[2001:db8:f::2]:80", "[2001:db8:1::12]:80", CLIENT6);
}

/* The connection lives on while the program forwards its frames, and expires its
 * timeout after the last. */
static void test_timer(void **state)
{
	struct fpx *x = fixture(state);
	struct uvs_service *svc = test_add_svc(&x->fx->env, "10.0.0.1:80", "rr");
	struct frame_spec s;

	eng_add_dest(x->fx, svc, "192.168.0.11:80", 1, UVS_FWD_MASQ);
	steer_key(x, UVS_STEER_SERVICE, IPPROTO_TCP, "10.0.0.1", 80);
	s = frame_tcp(CLIENT, 40001, "10.0.0.1", 80, TH_SYN);
	both(x, &s, AS_BUILT);
	s = frame_tcp("192.168.0.11", 80, CLIENT, 40001, TH_SYN | TH_ACK);
	both(x, &s, AS_BUILT);
	s = frame_tcp(CLIENT, 40001, "10.0.0.1", 80, TH_ACK);
	both(x, &s, AS_BUILT);
	assert_int_equal(uvs_engine_conn_count(&x->fx->e), 1);
	/* 600 s on, a frame the program alone forwards; ESTABLISHED's timeout is 900 s. */
	x->fx->env.now += 600 * S;
	uvs_worker_timers(&x->fx->w, x->fx->env.now);
	sync_clock(x);
	s = data(CLIENT, 40001, "10.0.0.1", 80, TH_ACK);
	/* The entry's route is a second old at most (the offer was just now, in the
	 * program's clock). */
	assert_true(forwarded(xdp_only(x, &s)));
	x->fx->env.now += 400 * S; /* 1000 s after the engine last saw a frame */
	uvs_worker_timers(&x->fx->w, x->fx->env.now);
	assert_int_equal(uvs_engine_conn_count(&x->fx->e), 1);
	x->fx->env.now += 600 * S; /* 1000 s after the program's */
	uvs_worker_timers(&x->fx->w, x->fx->env.now);
	assert_int_equal(uvs_engine_conn_count(&x->fx->e), 0);
	assert_int_equal(uvs_fastpath_used(&x->fp), 0);
}

/* Many flows, told apart by their ports only: each one's entry finds a slot. */
static void test_many_flows(void **state)
{
	struct fpx *x = fixture(state);
	struct uvs_svc_conf sc = test_svc_conf("10.0.0.3:53", "rr");

	sc.key.protocol = IPPROTO_UDP;
	assert_int_equal(uvs_svc_add(&x->fx->env.m, &sc, NULL), 0);
	eng_add_dest(x->fx, uvs_svc_find(&x->fx->env.m, &sc.key), "192.168.0.11:53", 1,
		     UVS_FWD_MASQ);
	steer_key(x, UVS_STEER_SERVICE, IPPROTO_UDP, "10.0.0.3", 53);
	for (int i = 0; i < 200; i++) {
		struct frame_spec s = frame_udp(CLIENT, (uint16_t)(1024 + i), "10.0.0.3", 53);

		assert_int_equal(eng_send(x->fx, &s), UVS_VERDICT_TX);
	}
	assert_int_equal(uvs_load_relaxed(&x->fp.full), 0);
	assert_int_equal(uvs_fastpath_used(&x->fp), 200);
	for (int i = 0; i < 200; i++) {
		struct frame_spec s = frame_udp(CLIENT, (uint16_t)(1024 + i), "10.0.0.3", 53);

		assert_true(forwarded(xdp_only(x, &s)));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_nat_tcp, setup, teardown),
		cmocka_unit_test_setup_teardown(test_handshake, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nat_udp6, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dr, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_flows, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
