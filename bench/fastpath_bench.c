// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fastpath_bench [STEER_XDP.bpf.o]: what the XDP program costs for a frame of a flow it
 * forwards itself (the fast path, src/io/bpf/fastpath.h). Loads the program built into
 * the library, or the object named (an older build's, to compare), with a table of
 * 1,024 entries holding one: a NAT client's flow, 192.0.2.1:1234 to 10.0.0.1:80
 * rewritten to 192.168.0.11:8080, ACKs only. Then prints the mean ns of one run that
 * BPF_PROG_TEST_RUN measures for that flow's ACK with 0, 512 and 1,400 bytes of
 * payload (the checksum is checked over all of it), one run per system call so that
 * each run sees the frame as sent, and the verdict (3: XDP_TX, forwarded). Needs the
 * privilege to load BPF programs.
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
#include <time.h>

#include "core/fastpath-table.h"
#include "io/steer-internal.h"
#include "pkt/csum.h"

extern const unsigned char uvs_steer_xdp_obj[];
extern const unsigned long uvs_steer_xdp_obj_len;

#define RUNS	200000
#define ENTRIES 1024

#define CLIENT	    "192.0.2.1"
#define VIP	    "10.0.0.1"
#define REAL_SERVER "192.168.0.11"

static uint64_t ktime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000 + (uint64_t)ts.tv_nsec;
}

/* The client's ACK with payload bytes after its header, its checksums right. Returns
 * its length. */
static uint32_t ack(uint8_t *buf, uint32_t payload)
{
	struct ethhdr eth = { .h_source = { 0x02 }, .h_proto = htons(ETH_P_IP) };
	struct iphdr ip = { .version = 4, .ihl = 5, .ttl = 64, .protocol = IPPROTO_TCP };
	struct tcphdr tcp = { .source = htons(1234), .dest = htons(80), .doff = 5, .ack = 1 };
	uint32_t l4_len = (uint32_t)sizeof(tcp) + payload;
	union uvs_addr s = { 0 }, d = { 0 };
	uint8_t *l4 = buf + ETH_HLEN + sizeof(ip);

	inet_pton(AF_INET, CLIENT, &s.ip);
	inet_pton(AF_INET, VIP, &d.ip);
	ip.saddr = s.ip;
	ip.daddr = d.ip;
	ip.tot_len = htons((uint16_t)(sizeof(ip) + l4_len));
	ip.check = uvs_csum_fold(uvs_csum_add(0, &ip, sizeof(ip)));
	memcpy(buf, &eth, sizeof(eth));
	memcpy(buf + ETH_HLEN, &ip, sizeof(ip));
	memcpy(l4, &tcp, sizeof(tcp));
	for (uint32_t i = 0; i < payload; i++)
		l4[sizeof(tcp) + i] = (uint8_t)(i * 7);
	tcp.check = uvs_csum_fold(
		uvs_csum_add(uvs_csum_pseudo(AF_INET, &s, &d, IPPROTO_TCP, l4_len), l4, l4_len));
	memcpy(l4 + offsetof(struct tcphdr, check), &tcp.check, sizeof(tcp.check));
	return ETH_HLEN + (uint32_t)sizeof(ip) + l4_len;
}

/* The table's head and the flow's entry, written as the engine writes them. */
static int fill(struct bpf_object *obj)
{
	struct uvs_fp_head head = { .epoch = 1, .seed = 0x5eed, .mask = ENTRIES - 1 };
	struct uvs_fp_entry e = { .seq = 2,
				  .epoch = 1,
				  .ifindex = 1, /* the test run's: XDP_TX */
				  .port = htons(8080),
				  .action = UVS_FP_NAT_IN,
				  .live = 1,
				  .mtu = 1500,
				  .tcp_flags = UVS_FP_TCP_ACK };
	struct uvs_steer_alive alive = { .until_ns = UINT64_MAX };
	uint32_t zero = 0, at;

	inet_pton(AF_INET, CLIENT, e.key.saddr);
	inet_pton(AF_INET, VIP, e.key.daddr);
	e.key.sport = htons(1234);
	e.key.dport = htons(80);
	e.key.family = AF_INET;
	e.key.protocol = IPPROTO_TCP;
	inet_pton(AF_INET, REAL_SERVER, e.addr);
	/* Valid for about 2^30 units of 2^20 ns: the whole run. */
	e.until = (uint32_t)(ktime_ns() >> UVS_FP_UNTIL_SHIFT) + (1u << 30);
	at = uvs_fp_hash(&e.key, head.seed) & head.mask;
	return bpf_map_update_elem(bpf_object__find_map_fd_by_name(obj, "uvs_fp_head"), &zero,
				   &head, BPF_ANY) ||
	       bpf_map_update_elem(bpf_object__find_map_fd_by_name(obj, "uvs_fp_table"), &at, &e,
				   BPF_ANY) ||
	       bpf_map_update_elem(bpf_object__find_map_fd_by_name(obj, "uvs_steer_alive"), &zero,
				   &alive, BPF_ANY);
}

/* The mean ns of one run of prog over the ACK with payload bytes; -1 on an error. */
static double ns_per_run(int prog, uint32_t payload, unsigned *verdict)
{
	static uint8_t frame[2048], out[2048];
	uint64_t total = 0;

	for (unsigned i = 0; i < RUNS; i++) {
		LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = frame, .data_out = out,
			    .data_size_out = sizeof(out), .repeat = 1);

		o.data_size_in = ack(frame, payload);
		if (bpf_prog_test_run_opts(prog, &o))
			return -1;
		total += o.duration;
		*verdict = o.retval;
	}
	return (double)total / RUNS;
}

int main(int argc, char **argv)
{
	static const uint32_t payloads[] = { 0, 512, 1400 };
	struct bpf_object *obj;
	struct bpf_program *p;

	if (argc > 2) {
		fprintf(stderr, "usage: fastpath_bench [STEER_XDP.bpf.o]\n");
		return 2;
	}
	obj = argc == 2 ? bpf_object__open_file(argv[1], NULL)
			: bpf_object__open_mem(uvs_steer_xdp_obj, uvs_steer_xdp_obj_len, NULL);
	if (!obj ||
	    bpf_map__set_max_entries(bpf_object__find_map_by_name(obj, "uvs_fp_table"), ENTRIES) ||
	    bpf_map__set_max_entries(bpf_object__find_map_by_name(obj, "uvs_fp_dirty"),
				     ENTRIES / 64) ||
	    bpf_object__load(obj) || fill(obj)) {
		fprintf(stderr, "fastpath_bench: loading %s: %s\n",
			argc == 2 ? argv[1] : "built in", strerror(errno));
		return 1;
	}
	p = bpf_object__find_program_by_name(obj, "uvs_steer_xdp");
	printf("fast path (%s), %d test runs each, one per system call:\n",
	       argc == 2 ? argv[1] : "built in", RUNS);
	for (unsigned i = 0; i < sizeof(payloads) / sizeof(payloads[0]); i++) {
		unsigned verdict = 0;
		double ns = ns_per_run(bpf_program__fd(p), payloads[i], &verdict);

		printf("  NAT client's ACK, %4u bytes of payload: %6.1f ns (verdict %u)\n",
		       payloads[i], ns, verdict);
	}
	bpf_object__close(obj);
	return 0;
}
