// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * io_echo IFNAME COUNT SECONDS: the AF_PACKET backend on IFNAME, receiving only frames
 * of the test's Ethernet type 0x88b5 (a socket filter), sends each back to its sender
 * (MAC addresses swapped) until COUNT were received or SECONDS passed. Prints
 * "rx N tx N dropped N" and exits 0 if COUNT were received and each was either sent
 * or counted as a send the kernel refused.
 */
#include <linux/filter.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "io/io.h"

int main(int argc, char **argv)
{
	struct sock_filter code[] = {
		{ BPF_LD | BPF_H | BPF_ABS, 0, 0, 12 },	     /* the Ethernet type */
		{ BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0x88b5 }, /* the test's? */
		{ BPF_RET | BPF_K, 0, 0, 0xffff },	     /* take it */
		{ BPF_RET | BPF_K, 0, 0, 0 },		     /* leave it to the kernel */
	};
	struct sock_fprog prog = { .len = 4, .filter = code };
	const char *ifs[1];
	struct uvs_io_config c = {
		.ifnames = ifs,
		.nifs = 1,
		.nworkers = 1,
		.ring_mib = 2,
		.filter = &prog,
		.bpf_filter_fd = -1,
	};
	struct uvs_io *io;
	struct uvs_frame f[UVS_IO_BATCH];
	struct uvs_io_stats st;
	char err[256];
	unsigned long want, received = 0;
	time_t end;

	if (argc != 4)
		return 2;
	ifs[0] = argv[1];
	want = strtoul(argv[2], NULL, 10);
	end = time(NULL) + atoi(argv[3]);
	if (uvs_io_open_af_packet(&c, &io, err, sizeof(err)) < 0) {
		fprintf(stderr, "io_echo: %s\n", err);
		return 2;
	}
	printf("ready\n");
	fflush(stdout);
	while (received < want && time(NULL) < end) {
		unsigned n = uvs_io_rx(io, 0, f, UVS_IO_BATCH);
		if (!n) {
			uvs_io_wait(io, 0, 100);
			continue;
		}
		for (unsigned i = 0; i < n; i++) {
			uint8_t mac[6];
			memcpy(mac, f[i].data, 6);
			memcpy(f[i].data, f[i].data + 6, 6);
			memcpy(f[i].data + 6, mac, 6);
			f[i].verdict = UVS_VERDICT_TX;
		}
		received += n;
		uvs_io_tx(io, 0, f, n);
	}
	uvs_io_stats(io, 0, &st);
	printf("rx %llu tx %llu dropped %llu\n", (unsigned long long)st.rx,
	       (unsigned long long)st.tx, (unsigned long long)st.tx_dropped);
	uvs_io_close(io);
	return received >= want && st.tx + st.tx_dropped == received ? 0 : 1;
}
