// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nullfwd: the ceiling of a packet backend. Receives the IPv4/UDP frames arriving on
 * link IN through the same backend uvsd uses, sets their MACs (source: OUT's own,
 * destination: DST_MAC) and sends them on link OUT, doing nothing else, until SECONDS
 * pass or SIGTERM/SIGINT. One worker, as the benchmark runs uvsd with.
 *
 *   nullfwd [--io af_packet] IN OUT DST_MAC SECONDS
 *   nullfwd --io af_xdp --udp VIP:PORT IN OUT DST_MAC SECONDS
 *
 * AF_PACKET takes the frames through a socket filter (IPv4 UDP); the kernel's own copy
 * is the caller's to drop (bench/net.sh: a tc filter). AF_XDP takes them as uvsd does:
 * the steering XDP program on IN and OUT (in that order: their XSKMAP slots), its map
 * holding the key of one UDP service VIP:PORT, put there by uvs_steer_sync from a model
 * with that service, so the XDP program does for the null forwarder exactly what it
 * does for uvsd. GRO is off on both links while it runs, as uvsd has it.
 *
 * Prints "ready" once it receives, and "rx N tx N dropped N rx_ring_full N
 * rx_fill_empty N" at the end (the backend's counters, as uvsd's io_* ones).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
#include <net/if.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <urcu.h>

#include "core/model.h"
#include "io/io.h"
#include "io/link.h"
#include "io/steer.h"

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

/*
 * Steering for AF_XDP: model m (initialised) gets one UDP service ("VIP:PORT", IPv4),
 * the XDP program goes on links ifindex[0..2) and its map is synced from m. Returns 0,
 * or -1 with a message in err.
 */
static int steer_service(struct uvs_model *m, const char *service, const unsigned *ifindex,
			 struct uvs_steer **steer, struct uvs_error *err)
{
	char vip[64];
	const char *colon = strrchr(service, ':');
	struct uvs_svc_conf sc;
	union uvs_addr a;
	int port, ret;

	port = colon ? atoi(colon + 1) : 0;
	if (!colon || (size_t)(colon - service) >= sizeof(vip) || port <= 0 || port > 65535) {
		uvs_errorf(err, EINVAL, "--udp wants VIP:PORT, not %s", service);
		return -1;
	}
	memcpy(vip, service, (size_t)(colon - service));
	vip[colon - service] = 0;
	memset(&sc, 0, sizeof(sc));
	if (uvs_addr_parse(AF_INET, vip, &a) < 0) {
		uvs_errorf(err, EINVAL, "not an IPv4 address: %s", vip);
		return -1;
	}
	uvs_svc_key_inet(&sc.key, AF_INET, IPPROTO_UDP, &a, htons((uint16_t)port));
	snprintf(sc.sched_name, sizeof(sc.sched_name), "%s", UVS_DEFAULT_SCHED);
	sc.netmask = 0xffffffffu;
	if (uvs_svc_add(m, &sc, NULL) < 0) {
		uvs_errorf(err, EINVAL, "cannot make a model with the service %s", service);
		return -1;
	}
	if (uvs_steer_open_xdp(ifindex, 2, steer, err) < 0)
		return -1;
	if ((ret = uvs_steer_sync(*steer, m)) < 0) {
		uvs_errorf(err, EINVAL, "steering map: %s", strerror(-ret));
		return -1;
	}
	return 0;
}

/* Receives, sets MACs and sends until stop or end. */
static void forward(struct uvs_io *io, unsigned in_index, unsigned out_index,
		    const uint8_t *dst_mac, const uint8_t *out_mac, time_t end)
{
	struct uvs_frame f[UVS_IO_BATCH];

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
}

static int usage(void)
{
	fprintf(stderr, "usage: nullfwd [--io af_packet] IN OUT DST_MAC SECONDS\n"
			"       nullfwd --io af_xdp --udp VIP:PORT IN OUT DST_MAC SECONDS\n");
	return 2;
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
		.xsk_map_fd = -1,
	};
	static struct uvs_model model;
	struct uvs_steer *steer = NULL;
	struct uvs_io *io;
	struct uvs_io_stats st;
	uint8_t out_mac[6], dst_mac[6];
	unsigned ifindex[2], v[6];
	const char *service = NULL;
	bool gro_was_on[2] = { false, false };
	struct uvs_error err = { "" };
	time_t end;
	int a = 1, rc = 0;

	while (argc - a >= 2 && argv[a][0] == '-') {
		if (!strcmp(argv[a], "--io") && !strcmp(argv[a + 1], "af_packet"))
			c.backend = UVS_IO_AF_PACKET;
		else if (!strcmp(argv[a], "--io") && !strcmp(argv[a + 1], "af_xdp"))
			c.backend = UVS_IO_AF_XDP;
		else if (!strcmp(argv[a], "--udp"))
			service = argv[a + 1];
		else
			return usage();
		a += 2;
	}
	if (argc - a != 4 || (c.backend == UVS_IO_AF_XDP) != (service != NULL) ||
	    sscanf(argv[a + 2], "%x:%x:%x:%x:%x:%x", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5]) != 6)
		return usage();
	for (int i = 0; i < 6; i++)
		dst_mac[i] = (uint8_t)v[i];
	ifs[0] = argv[a];
	ifs[1] = argv[a + 1];
	ifindex[0] = if_nametoindex(ifs[0]);
	ifindex[1] = if_nametoindex(ifs[1]);
	if (!ifindex[0] || !ifindex[1] || link_mac(ifs[1], out_mac) < 0) {
		fprintf(stderr, "nullfwd: no such links\n");
		return 2;
	}
	end = time(NULL) + atoi(argv[a + 3]);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	rcu_register_thread();
	if (service) {
		if (uvs_model_init(&model, 1) < 0) {
			fprintf(stderr, "nullfwd: out of memory\n");
			return 2;
		}
		if (steer_service(&model, service, ifindex, &steer, &err) < 0) {
			fprintf(stderr, "nullfwd: %s\n", err.msg);
			rc = 2;
			goto out;
		}
		c.xsk_map_fd = uvs_steer_xsk_map_fd(steer);
	}
	for (int i = 0; i < 2; i++)
		uvs_link_gro_off(ifs[i], &gro_was_on[i]);
	if (uvs_io_open(&c, &io, &err) < 0) {
		fprintf(stderr, "nullfwd: %s\n", err.msg);
		rc = 2;
		goto out;
	}
	printf("ready\n");
	fflush(stdout);
	forward(io, ifindex[0], ifindex[1], dst_mac, out_mac, end);
	uvs_io_stats(io, 0, &st);
	printf("rx %llu tx %llu dropped %llu rx_ring_full %llu rx_fill_empty %llu\n",
	       (unsigned long long)st.rx, (unsigned long long)st.tx,
	       (unsigned long long)st.tx_dropped, (unsigned long long)st.rx_ring_full,
	       (unsigned long long)st.rx_fill_empty);
	uvs_io_close(io);
out:
	for (int i = 0; i < 2; i++)
		if (gro_was_on[i])
			uvs_link_gro_on(ifs[i]);
	uvs_steer_close(steer);
	if (service)
		uvs_model_destroy(&model);
	rcu_unregister_thread();
	return rc;
}
