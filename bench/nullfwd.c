// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nullfwd: the ceiling of a packet backend. Receives the IPv4/UDP frames arriving on
 * link IN through the same backend uvsd uses, sets their MACs (source: OUT's own,
 * destination: DST_MAC) and sends them on link OUT, doing nothing else, until SECONDS
 * pass or SIGTERM/SIGINT. One worker, as the benchmark runs uvsd with.
 *
 *   nullfwd [--io af_packet] IN OUT DST_MAC SECONDS
 *
 * Prints "rx N tx N dropped N" at the end.
 */
#include <linux/filter.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "io/io.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int link_mac(const char *ifname, uint8_t *mac)
{
	struct ifreq ifr = { 0 };
	int fd = socket(AF_INET, SOCK_DGRAM, 0), r;

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	r = fd < 0 ? -1 : ioctl(fd, SIOCGIFHWADDR, &ifr);
	if (fd >= 0)
		close(fd);
	if (r < 0)
		return -1;
	memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	return 0;
}

int main(int argc, char **argv)
{
	/* IPv4 and UDP only: ARP and the rest stay the kernel's, as with uvsd. */
	struct sock_filter code[] = {
		{ BPF_LD | BPF_H | BPF_ABS, 0, 0, 12 }, { BPF_JMP | BPF_JEQ | BPF_K, 0, 3, 0x0800 },
		{ BPF_LD | BPF_B | BPF_ABS, 0, 0, 23 }, { BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 17 },
		{ BPF_RET | BPF_K, 0, 0, 0xffff },	{ BPF_RET | BPF_K, 0, 0, 0 },
	};
	struct sock_fprog prog = { .len = 6, .filter = code };
	const char *ifs[2];
	struct uvs_io_config c = {
		.ifnames = ifs,
		.nifs = 2,
		.nworkers = 1,
		.filter = &prog,
		.bpf_filter_fd = -1,
	};
	struct uvs_io *io;
	struct uvs_frame f[UVS_IO_BATCH];
	struct uvs_io_stats st;
	uint8_t out_mac[6], dst_mac[6];
	unsigned in_index, out_index, v[6];
	char err[256];
	time_t end;
	int a = 1;

	if (argc > 2 && !strcmp(argv[1], "--io")) {
		if (strcmp(argv[2], "af_packet")) {
			fprintf(stderr, "nullfwd: backend %s is not built\n", argv[2]);
			return 2;
		}
		a = 3;
	}
	if (argc - a != 4 || sscanf(argv[a + 2], "%x:%x:%x:%x:%x:%x", &v[0], &v[1], &v[2], &v[3],
				    &v[4], &v[5]) != 6) {
		fprintf(stderr, "usage: nullfwd [--io af_packet] IN OUT DST_MAC SECONDS\n");
		return 2;
	}
	for (int i = 0; i < 6; i++)
		dst_mac[i] = (uint8_t)v[i];
	ifs[0] = argv[a];
	ifs[1] = argv[a + 1];
	in_index = if_nametoindex(ifs[0]);
	out_index = if_nametoindex(ifs[1]);
	if (!in_index || !out_index || link_mac(ifs[1], out_mac) < 0) {
		fprintf(stderr, "nullfwd: no such links\n");
		return 2;
	}
	end = time(NULL) + atoi(argv[a + 3]);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	if (uvs_io_open_af_packet(&c, &io, err, sizeof(err)) < 0) {
		fprintf(stderr, "nullfwd: %s\n", err);
		return 2;
	}
	printf("ready\n");
	fflush(stdout);
	while (!stop && time(NULL) < end) {
		unsigned n = uvs_io_rx(io, 0, f, UVS_IO_BATCH);
		if (!n) {
			uvs_io_wait(io, 0, 100);
			continue;
		}
		for (unsigned i = 0; i < n; i++) {
			f[i].verdict = UVS_VERDICT_DROP;
			if (f[i].ifindex != in_index || f[i].len < 14)
				continue;
			memcpy(f[i].data, dst_mac, 6);
			memcpy(f[i].data + 6, out_mac, 6);
			f[i].ifindex = out_index;
			f[i].verdict = UVS_VERDICT_TX;
		}
		uvs_io_tx(io, 0, f, n);
	}
	uvs_io_stats(io, 0, &st);
	printf("rx %llu tx %llu dropped %llu\n", (unsigned long long)st.rx,
	       (unsigned long long)st.tx, (unsigned long long)st.tx_dropped);
	uvs_io_close(io);
	return 0;
}
