// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * steer_bench [STEER.bpf.o STEER_XDP.bpf.o]: what the steering programs cost per frame.
 * Loads the programs built into the library, their fail-safe reading the coarse clock
 * and then the other (steer-decide.h), or the two objects named (e.g. those of an
 * older build, to compare), with one key, TCP 10.0.0.1:80, and the fail-safe's
 * deadline for ever ahead where the object has one; then prints, for the tc, socket
 * filter and XDP programs, their size as the kernel runs them (instructions after the
 * verifier's rewriting, bytes of machine code) and the ns per run that
 * BPF_PROG_TEST_RUN measures over 1,000,000 runs, for a SYN to the service (taken)
 * and one to port 81 (the kernel's). Needs the privilege to load BPF programs.
 */
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>

#include "io/steer-internal.h"

extern const unsigned char uvs_steer_obj[];
extern const unsigned long uvs_steer_obj_len;
extern const unsigned char uvs_steer_xdp_obj[];
extern const unsigned long uvs_steer_xdp_obj_len;

#define RUNS 1000000

/* A SYN to 10.0.0.1:dport for the test run of a program (test_steer_prog.c says why
 * the MAC is zero and why a socket filter's frame has 14 bytes more). */
static uint32_t syn(uint8_t *buf, uint16_t dport, int pad)
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
	inet_pton(AF_INET, "10.0.0.1", &ip.daddr);
	memset(buf, 0, at);
	memcpy(buf, &eth, sizeof(eth));
	memcpy(buf + at, &ip, sizeof(ip));
	memcpy(buf + at + sizeof(ip), &tcp, sizeof(tcp));
	return (uint32_t)(at + sizeof(ip) + sizeof(tcp));
}

/* The ns per run of prog over a SYN to dport, or -1. */
static int ns_per_run(int prog, uint16_t dport, int pad, unsigned *verdict)
{
	uint8_t frame[128];
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frame, .repeat = RUNS);

	o.data_size_in = syn(frame, dport, pad);
	if (bpf_prog_test_run_opts(prog, &o))
		return -1;
	*verdict = o.retval;
	return (int)o.duration;
}

/* Loads obj (with the clock coarse says: 0 or 1; -1: as it is) and measures progs. */
static int bench(const char *what, struct bpf_object *obj, int coarse, const char *const *progs)
{
	struct uvs_steer_key k = { .family = AF_INET, .protocol = IPPROTO_TCP, .port = htons(80) };
	struct uvs_steer_alive a = { .until_ns = UINT64_MAX };
	uint32_t zero = 0;
	uint8_t one = 1;
	int ret, fd;

	if (obj && coarse >= 0 && steer_set_coarse_clock(obj, coarse))
		return -1;
	if (!obj || (ret = bpf_object__load(obj))) {
		fprintf(stderr, "steer_bench: loading %s: %s\n", what, strerror(errno));
		return -1;
	}
	inet_pton(AF_INET, "10.0.0.1", k.addr);
	if (bpf_map_update_elem(bpf_object__find_map_fd_by_name(obj, "uvs_steer_keys"), &k, &one,
				BPF_ANY))
		return -1;
	fd = bpf_object__find_map_fd_by_name(obj, "uvs_steer_alive");
	printf("%s: %s\n", what,
	       fd < 0	     ? "without a fail-safe map"
	       : coarse == 0 ? "the fail-safe on bpf_ktime_get_ns"
			     : "the fail-safe on bpf_ktime_get_coarse_ns");
	if (fd >= 0 && bpf_map_update_elem(fd, &zero, &a, BPF_ANY))
		return -1;
	for (; *progs; progs++) {
		struct bpf_program *p = bpf_object__find_program_by_name(obj, *progs);
		struct bpf_prog_info info;
		uint32_t len = sizeof(info);
		int pad = !strcmp(*progs, "uvs_steer_sock"), taken, passed;
		unsigned vt = 0, vp = 0;

		memset(&info, 0, sizeof(info));
		if (!p || bpf_obj_get_info_by_fd(bpf_program__fd(p), &info, &len))
			return -1;
		taken = ns_per_run(bpf_program__fd(p), 80, pad, &vt);
		passed = ns_per_run(bpf_program__fd(p), 81, pad, &vp);
		printf("  %-15s %4u insns %5u bytes jited  taken %3d ns (verdict %u)  passed %3d "
		       "ns "
		       "(verdict %u)\n",
		       *progs, info.xlated_prog_len / 8, info.jited_prog_len, taken, vt, passed,
		       vp);
	}
	bpf_object__close(obj);
	return 0;
}

int main(int argc, char **argv)
{
	static const char *const tc[] = { "uvs_steer_tc", "uvs_steer_sock", NULL };
	static const char *const xdp[] = { "uvs_steer_xdp", NULL };

	printf("steering programs, %d test runs each:\n", RUNS);
	if (argc == 3)
		return bench(argv[1], bpf_object__open_file(argv[1], NULL), -1, tc) < 0 ||
		       bench(argv[2], bpf_object__open_file(argv[2], NULL), -1, xdp) < 0;
	if (argc != 1) {
		fprintf(stderr, "usage: steer_bench [STEER.bpf.o STEER_XDP.bpf.o]\n");
		return 2;
	}
	for (int coarse = 1; coarse >= 0; coarse--)
		if (bench("built in (tc, socket filter)",
			  bpf_object__open_mem(uvs_steer_obj, uvs_steer_obj_len, NULL), coarse,
			  tc) < 0 ||
		    bench("built in (XDP)",
			  bpf_object__open_mem(uvs_steer_xdp_obj, uvs_steer_xdp_obj_len, NULL),
			  coarse, xdp) < 0)
			return 1;
	return 0;
}
