// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * io_echo IFNAME COUNT SECONDS [af_xdp VIP PORT]: the AF_PACKET backend on IFNAME,
 * receiving only frames of the test's Ethernet type 0x88b5 (a socket filter), or the
 * AF_XDP backend with the steering XDP program for one UDP service VIP:PORT, sends
 * each back to its sender (MAC addresses swapped) until COUNT were received or
 * SECONDS passed. Prints "ready" (with AF_XDP: "ready xdp MODE"), then "rx N tx N
 * dropped N", and exits 0 if COUNT were received and each was either sent or counted
 * as a send the kernel refused.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <urcu.h>

#include "core/model.h"
#include "io/io.h"
#include "io/steer.h"

/* Steering for a model of one UDP service vip:port, with the XDP program. */
static int steer_xdp(struct uvs_model *m, const char *ifname, const char *vip, int port,
		     struct uvs_steer **steer, struct uvs_error *err)
{
	struct uvs_svc_conf sc;
	union uvs_addr a;
	unsigned ifindex = if_nametoindex(ifname);
	int ret;

	memset(&sc, 0, sizeof(sc));
	if (uvs_addr_parse(AF_INET, vip, &a) < 0) {
		uvs_errorf(err, EINVAL, "bad address %s", vip);
		return -1;
	}
	uvs_svc_key_inet(&sc.key, AF_INET, IPPROTO_UDP, &a, htons((uint16_t)port));
	snprintf(sc.sched_name, sizeof(sc.sched_name), "%s", UVS_DEFAULT_SCHED);
	sc.netmask = 0xffffffffu;
	if (uvs_svc_add(m, &sc, NULL) < 0) {
		uvs_errorf(err, EINVAL, "cannot add the service");
		return -1;
	}
	if ((ret = uvs_steer_open_xdp(&ifindex, 1, steer, err)) < 0)
		return ret;
	if ((ret = uvs_steer_sync(*steer, m)) < 0)
		uvs_errorf(err, EINVAL, "steering sync: %d", ret);
	return ret;
}

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
	static struct uvs_model m;
	struct uvs_steer *steer = NULL;
	struct uvs_io *io;
	struct uvs_frame f[UVS_IO_BATCH];
	struct uvs_io_stats st;
	struct uvs_error err = { "" };
	unsigned long want, received = 0;
	time_t end;

	if (argc != 4 && !(argc == 7 && !strcmp(argv[4], "af_xdp")))
		return 2;
	ifs[0] = argv[1];
	want = strtoul(argv[2], NULL, 10);
	end = time(NULL) + atoi(argv[3]);
	rcu_register_thread();
	if (argc == 7) {
		if (uvs_model_init(&m, 1) < 0 ||
		    steer_xdp(&m, argv[1], argv[5], atoi(argv[6]), &steer, &err) < 0) {
			fprintf(stderr, "io_echo: %s\n", err.msg);
			return 2;
		}
		c.backend = UVS_IO_AF_XDP;
		c.xsk_map_fd = uvs_steer_xsk_map_fd(steer);
	}
	if (uvs_io_open(&c, &io, &err) < 0) {
		fprintf(stderr, "io_echo: %s\n", err.msg);
		return 2;
	}
	if (steer)
		printf("ready xdp %s\n", uvs_steer_xdp_mode(steer, 0));
	else
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
	uvs_steer_close(steer);
	if (argc == 7)
		uvs_model_destroy(&m);
	rcu_unregister_thread();
	return received >= want && st.tx + st.tx_dropped == received ? 0 : 1;
}
