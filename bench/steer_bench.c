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
 * and one to port 81 (the kernel's), with the address filter kept as uvsd keeps it
 * where the object has one. Then, one run per frame over FLOWS flows, each
 * its own client address and port (the map's buckets then leave the cache as on a
 * busy director): a NAT real server's reply (its key 192.168.0.11:80 added) and a frame
 * of no service (to the director's own address). Needs the privilege to load BPF
 * programs.
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

#define FLOWS (1u << 18)

/* A TCP segment from saddr:sport to daddr:dport for the test run of a program
 * (test_steer_prog.c says why the MAC is zero and why a socket filter's frame has 14
 * bytes more). */
static uint32_t segment(uint8_t *buf, uint32_t saddr, uint16_t sport, uint32_t daddr,
			uint16_t dport, int pad)
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
	struct tcphdr tcp = { .source = htons(sport), .dest = htons(dport), .doff = 5, .syn = 1 };
	size_t at = ETH_HLEN + (pad ? ETH_HLEN : 0);

	ip.saddr = htonl(saddr);
	ip.daddr = htonl(daddr);
	memset(buf, 0, at);
	memcpy(buf, &eth, sizeof(eth));
	memcpy(buf + at, &ip, sizeof(ip));
	memcpy(buf + at + sizeof(ip), &tcp, sizeof(tcp));
	return (uint32_t)(at + sizeof(ip) + sizeof(tcp));
}

/* The ns per run of prog over a SYN to dport, or -1. */
#define CLIENT	    0xc0000201u /* 192.0.2.1 */
#define VIP	    0x0a000001u /* 10.0.0.1 */
#define DIRECTOR    0x0a000002u /* 10.0.0.2, no service's */
#define REAL_SERVER 0xc0a8000bu /* 192.168.0.11 */

/* The ns per run of prog over a SYN from CLIENT:1234 to VIP:dport, or -1. */
static int ns_per_run(int prog, uint16_t dport, int pad, unsigned *verdict)
{
	uint8_t frame[128];
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frame, .repeat = RUNS);

	o.data_size_in = segment(frame, CLIENT, 1234, VIP, dport, pad);
	if (bpf_prog_test_run_opts(prog, &o))
		return -1;
	*verdict = o.retval;
	return (int)o.duration;
}

/* The mean ns of one run of prog over FLOWS frames, flow i's client 198.18.0.0 + i / 64
 * port 1024 + i % 64 * 997: from REAL_SERVER:80 to it (reply), or from it to
 * DIRECTOR:22. -1 on an error. */
static double ns_per_flow(int prog, int pad, bool reply)
{
	uint64_t total = 0;

	for (uint32_t i = 0; i < FLOWS; i++) {
		uint8_t frame[128];
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frame, .repeat = 1);
		uint32_t client = 0xc6120000u + i / 64;
		uint16_t port = (uint16_t)(1024 + i % 64 * 997);

		o.data_size_in = reply ? segment(frame, REAL_SERVER, 80, client, port, pad)
				       : segment(frame, client, port, DIRECTOR, 22, pad);
		if (bpf_prog_test_run_opts(prog, &o))
			return -1;
		total += o.duration;
	}
	return (double)total / FLOWS;
}

/* The address filter (an object without one: nothing to do), with the bits of the
 * addresses of the keys added, as uvsd keeps it (steer.c). */
static struct uvs_steer_addrs filter = { .kept = 1 };

/* Adds <kind, addr, port> and its address's key, as uvsd does (steer_keys.c). */
static int add_keys(int fd, uint8_t kind, uint32_t addr, uint16_t port)
{
	struct uvs_steer_key k = {
		.family = AF_INET, .protocol = IPPROTO_TCP, .kind = kind, .port = htons(port)
	};
	struct uvs_steer_key a = { .family = AF_INET };
	uint32_t be = htonl(addr);
	uint8_t one = 1;

	a.kind = kind == UVS_STEER_SERVICE ? UVS_STEER_SERVICE_ADDR : UVS_STEER_REPLY_ADDR;
	memcpy(k.addr, &be, sizeof(be));
	memcpy(a.addr, &be, sizeof(be));
	steer_addr_bits(&k, 1, filter.bits);
	return bpf_map_update_elem(fd, &a, &one, BPF_ANY) ||
	       bpf_map_update_elem(fd, &k, &one, BPF_ANY);
}

/* Loads obj (with the clock coarse says: 0 or 1; -1: as it is) and measures progs. */
static int bench(const char *what, struct bpf_object *obj, int coarse, const char *const *progs)
{
	struct uvs_steer_alive a = { .until_ns = UINT64_MAX };
	uint32_t zero = 0;
	int ret, fd;

	if (obj && coarse >= 0 && steer_set_coarse_clock(obj, coarse))
		return -1;
	if (!obj || (ret = bpf_object__load(obj))) {
		fprintf(stderr, "steer_bench: loading %s: %s\n", what, strerror(errno));
		return -1;
	}
	fd = bpf_object__find_map_fd_by_name(obj, "uvs_steer_keys");
	if (add_keys(fd, UVS_STEER_SERVICE, VIP, 80) ||
	    add_keys(fd, UVS_STEER_REPLY, REAL_SERVER, 80))
		return -1;
	fd = bpf_object__find_map_fd_by_name(obj, "uvs_steer_addrs");
	if (fd >= 0 && steer_addrs_write(fd, &filter, NULL))
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
		       "ns (verdict %u)\n",
		       *progs, info.xlated_prog_len / 8, info.jited_prog_len, taken, vt, passed,
		       vp);
		printf("  %-15s over %u flows, one run each: a NAT reply %.1f ns, a frame of no "
		       "service %.1f ns\n",
		       "", FLOWS, ns_per_flow(bpf_program__fd(p), pad, true),
		       ns_per_flow(bpf_program__fd(p), pad, false));
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
