// SPDX-License-Identifier: GPL-2.0-or-later
/* The steering programs as the kernel runs them (BPF_PROG_TEST_RUN, no link needed):
 * the tc, socket filter and XDP programs built into the library take a SYN to a
 * service while the fail-safe's deadline (uvs_steer_alive) is ahead or for ever, and
 * leave it to the kernel (and out of uvsd's sockets) once the deadline has passed;
 * a frame of no service is the kernel's either way, and so is one whose destination's
 * bit the address filter, once kept, lacks. Skipped without the privilege to
 * load BPF programs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <errno.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <string.h>
#include <time.h>

#include "io/steer-internal.h"

extern const unsigned char uvs_steer_obj[];
extern const unsigned long uvs_steer_obj_len;
extern const unsigned char uvs_steer_xdp_obj[];
extern const unsigned long uvs_steer_xdp_obj_len;

#define VIP  "10.0.0.1"
#define PORT 80

/* Ethernet, IPv4 and a TCP SYN from 192.0.2.1:1234 to VIP:dport. The destination MAC is
 * zero, the address of the loopback device test runs use, so that tc sees a frame for
 * this host (not PACKET_OTHERHOST). With pad, 14 bytes after the Ethernet header: a
 * socket filter's test run starts at the network header, where the program (run by
 * the kernel on packet sockets at the MAC header) looks for it at ETH_HLEN. */
static size_t syn(uint8_t *buf, uint16_t dport, int pad)
{
	/* Built aside and copied: the IPv4 header sits 14 or 28 bytes into buf, where a
	 * struct iphdr may not be accessed in place (UBSan: misaligned). */
	struct ethhdr eth = { .h_source = { 0x02 }, .h_proto = htons(ETH_P_IP) };
	struct iphdr ip = {
		.version = 4,
		.ihl = 5,
		.ttl = 64,
		.protocol = IPPROTO_TCP,
		.tot_len = htons(sizeof(struct iphdr) + sizeof(struct tcphdr)),
	};
	struct tcphdr tcp = { .source = htons(1234), .dest = htons(dport), .doff = 5, .syn = 1 };
	size_t at = ETH_HLEN + (pad ? ETH_HLEN : 0);

	inet_pton(AF_INET, "192.0.2.1", &ip.saddr);
	inet_pton(AF_INET, VIP, &ip.daddr);
	memset(buf, 0, at);
	memcpy(buf, &eth, sizeof(eth));
	memcpy(buf + at, &ip, sizeof(ip));
	memcpy(buf + at + sizeof(ip), &tcp, sizeof(tcp));
	return (size_t)(at + sizeof(ip) + sizeof(tcp));
}

struct loaded {
	struct bpf_object *obj;
	int alive_fd;
	int addrs_fd; /* the address filter */
};

static uint64_t ktime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts); /* no time namespace in the tests */
	return (uint64_t)ts.tv_sec * 1000000000 + (uint64_t)ts.tv_nsec;
}

static void set_until(const struct loaded *l, uint64_t until_ns)
{
	struct uvs_steer_alive a = { .until_ns = until_ns };
	uint32_t zero = 0;

	assert_int_equal(bpf_map_update_elem(l->alive_fd, &zero, &a, BPF_ANY), 0);
}

/* The address filter: kept, with VIP's bit or not, or not kept; written as uvsd
 * writes it. */
static void set_filter(const struct loaded *l, bool kept, bool vip_bit)
{
	static struct uvs_steer_addrs a;
	struct uvs_steer_key k = { .family = AF_INET };

	memset(&a, 0, sizeof(a));
	a.kept = kept;
	inet_pton(AF_INET, VIP, k.addr);
	if (vip_bit)
		steer_addr_bits(&k, 1, a.bits);
	assert_int_equal(steer_addrs_write(l->addrs_fd, &a, NULL), 0);
}

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	(void)fmt;
	(void)ap;
	return 0;
}

/* Loads the object with one key, TCP VIP:PORT, its programs reading the coarse clock
 * or the other; skips the test without privileges. */
static void load(struct loaded *l, const unsigned char *bytes, unsigned long len, bool coarse)
{
	struct uvs_steer_key k = { .family = AF_INET,
				   .protocol = IPPROTO_TCP,
				   .port = htons(PORT) };
	libbpf_print_fn_t prev = libbpf_set_print(quiet);
	uint8_t one = 1;
	int ret;

	l->obj = bpf_object__open_mem(bytes, len, NULL);
	assert_non_null(l->obj);
	assert_int_equal(steer_set_coarse_clock(l->obj, coarse), 0);
	ret = bpf_object__load(l->obj);
	libbpf_set_print(prev);
	if (ret == -EPERM || ret == -EACCES || ret == -ENOSYS) {
		bpf_object__close(l->obj);
		skip();
	}
	assert_int_equal(ret, 0);
	inet_pton(AF_INET, VIP, k.addr);
	assert_int_equal(
		bpf_map_update_elem(bpf_object__find_map_fd_by_name(l->obj, "uvs_steer_keys"), &k,
				    &one, BPF_ANY),
		0);
	l->alive_fd = bpf_object__find_map_fd_by_name(l->obj, "uvs_steer_alive");
	assert_true(l->alive_fd >= 0);
	l->addrs_fd = bpf_object__find_map_fd_by_name(l->obj, "uvs_steer_addrs");
	assert_true(l->addrs_fd >= 0);
}

/* What program name returns for a SYN to dport. */
static int run(const struct loaded *l, const char *name, uint16_t dport, int pad)
{
	uint8_t frame[128];
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frame, .repeat = 1);
	struct bpf_program *p = bpf_object__find_program_by_name(l->obj, name);

	assert_non_null(p);
	o.data_size_in = (uint32_t)syn(frame, dport, pad);
	assert_int_equal(bpf_prog_test_run_opts(bpf_program__fd(p), &o), 0);
	return (int)o.retval;
}

/* A deadline passed: a second ago (the coarse clock lags by a tick at most). */
#define PASSED (ktime_ns() - 1000000000ull)

static void tc_and_socket_filter(bool coarse)
{
	struct loaded l;
	int frame_len;

	load(&l, uvs_steer_obj, uvs_steer_obj_len, coarse);
	/* Zero at load: a deadline long gone (steer.c sets ~0 before attaching). */
	assert_int_equal(run(&l, "uvs_steer_tc", PORT, 0), TC_ACT_UNSPEC);
	assert_int_equal(run(&l, "uvs_steer_sock", PORT, 1), 0);
	set_until(&l, UINT64_MAX);
	assert_int_equal(run(&l, "uvs_steer_tc", PORT, 0), TC_ACT_SHOT);
	frame_len = run(&l, "uvs_steer_sock", PORT, 1);
	assert_true(frame_len > 0); /* the whole frame kept */
	assert_int_equal(run(&l, "uvs_steer_tc", PORT + 1, 0), TC_ACT_UNSPEC);
	assert_int_equal(run(&l, "uvs_steer_sock", PORT + 1, 1), 0);
	/* A deadline ahead: still taken; passed: the kernel's, and not queued for uvsd. */
	set_until(&l, ktime_ns() + 60 * 1000000000ull);
	assert_int_equal(run(&l, "uvs_steer_tc", PORT, 0), TC_ACT_SHOT);
	assert_int_equal(run(&l, "uvs_steer_sock", PORT, 1), frame_len);
	set_until(&l, PASSED);
	assert_int_equal(run(&l, "uvs_steer_tc", PORT, 0), TC_ACT_UNSPEC);
	assert_int_equal(run(&l, "uvs_steer_sock", PORT, 1), 0);
	assert_int_equal(run(&l, "uvs_steer_tc", PORT + 1, 0), TC_ACT_UNSPEC);
	/* Moved ahead again (uvsd resumed): taken again. */
	set_until(&l, ktime_ns() + 60 * 1000000000ull);
	assert_int_equal(run(&l, "uvs_steer_tc", PORT, 0), TC_ACT_SHOT);
	/* The address filter, once kept, decides before the keys: with VIP's bit the
	 * keys do; without it the frame is the kernel's, key or not. */
	set_filter(&l, true, true);
	assert_int_equal(run(&l, "uvs_steer_tc", PORT, 0), TC_ACT_SHOT);
	assert_int_equal(run(&l, "uvs_steer_sock", PORT, 1), frame_len);
	assert_int_equal(run(&l, "uvs_steer_tc", PORT + 1, 0), TC_ACT_UNSPEC);
	set_filter(&l, true, false);
	assert_int_equal(run(&l, "uvs_steer_tc", PORT, 0), TC_ACT_UNSPEC);
	assert_int_equal(run(&l, "uvs_steer_sock", PORT, 1), 0);
	set_filter(&l, false, false);
	assert_int_equal(run(&l, "uvs_steer_tc", PORT, 0), TC_ACT_SHOT);
	bpf_object__close(l.obj);
}

static void xdp(bool coarse)
{
	struct loaded l;

	load(&l, uvs_steer_xdp_obj, uvs_steer_xdp_obj_len, coarse);
	/* Taken: with no AF_XDP socket for the test run's link, dropped. */
	set_until(&l, UINT64_MAX);
	assert_int_equal(run(&l, "uvs_steer_xdp", PORT, 0), XDP_DROP);
	assert_int_equal(run(&l, "uvs_steer_xdp", PORT + 1, 0), XDP_PASS);
	set_until(&l, ktime_ns() + 60 * 1000000000ull);
	assert_int_equal(run(&l, "uvs_steer_xdp", PORT, 0), XDP_DROP);
	set_until(&l, PASSED);
	assert_int_equal(run(&l, "uvs_steer_xdp", PORT, 0), XDP_PASS);
	assert_int_equal(run(&l, "uvs_steer_xdp", PORT + 1, 0), XDP_PASS);
	/* The address filter, as for tc. */
	set_until(&l, UINT64_MAX);
	set_filter(&l, true, true);
	assert_int_equal(run(&l, "uvs_steer_xdp", PORT, 0), XDP_DROP);
	set_filter(&l, true, false);
	assert_int_equal(run(&l, "uvs_steer_xdp", PORT, 0), XDP_PASS);
	set_filter(&l, false, false);
	assert_int_equal(run(&l, "uvs_steer_xdp", PORT, 0), XDP_DROP);
	bpf_object__close(l.obj);
}

/* bpf_ktime_get_coarse_ns, where the kernel has it (steer_has_coarse_clock). */
static void test_tc_and_socket_filter(void **state)
{
	(void)state;
	tc_and_socket_filter(true);
}

/* bpf_ktime_get_ns, as on a kernel without the coarse clock. */
static void test_tc_and_socket_filter_fine_clock(void **state)
{
	(void)state;
	tc_and_socket_filter(false);
}

static void test_xdp(void **state)
{
	(void)state;
	xdp(true);
}

static void test_xdp_fine_clock(void **state)
{
	(void)state;
	xdp(false);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tc_and_socket_filter),
		cmocka_unit_test(test_tc_and_socket_filter_fine_clock),
		cmocka_unit_test(test_xdp),
		cmocka_unit_test(test_xdp_fine_clock),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
