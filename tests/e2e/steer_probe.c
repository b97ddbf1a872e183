// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * steer_probe IFNAME VIP RS RSPORT SECONDS [VIP6]: steering on IFNAME for a model with
 * a TCP service VIP:80 whose one destination is RS:RSPORT by NAT (and a TCP service
 * [VIP6]:80 without destinations), and the AF_PACKET backend with the steering socket
 * filter. Prints "ready keys N", then one line per frame received ("rx tcp SRC:PORT >
 * DST:PORT", "rx tcp6 [SRC]:PORT > [DST]:PORT", "rx icmp TYPE", "rx other"), and takes
 * commands on stdin, one a line:
 *   del     deletes the service and syncs ("deleted keys N ret ERRNO")
 *   fill N  adds N more services 10.200.x.y:80 and syncs ("filled keys N ret ERRNO")
 *   unfill  deletes those and syncs ("unfilled keys N ret ERRNO")
 *   close   closes steering: the tc filter goes ("closed")
 *   quit    exits
 * It exits by itself after SECONDS. With UVS_PROBE_IO=af_xdp in the environment, it
 * steers with the XDP program and receives through the AF_XDP backend instead.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/model.h"
#include "io/io.h"
#include "io/steer.h"
#include "pkt/parse.h"

/* One line per frame, parsed as the engine parses it (VLAN tags, IPv6 extension
 * headers); a tagged frame's line starts "rx vlanID "; a fragment's is "rx frag SRC >
 * DST OFFSET". */
static void print_frame(const uint8_t *d, unsigned len)
{
	char s[INET6_ADDRSTRLEN], t[INET6_ADDRSTRLEN], tag[16] = "";
	uint8_t copy[2048];
	struct uvs_pkt p;
	enum uvs_pkt_reason r;

	if (len > sizeof(copy)) {
		printf("rx other\n");
		return;
	}
	memcpy(copy, d, len);
	r = uvs_pkt_parse(copy, len, &p);
	if (r == UVS_PKT_FRAGMENT) {
		uvs_addr_format(p.af, &p.saddr, s, sizeof(s));
		uvs_addr_format(p.af, &p.daddr, t, sizeof(t));
		printf("rx frag %s > %s %u\n", s, t, p.frag_off);
		return;
	}
	if (r != UVS_PKT_OK && r != UVS_PKT_L4_UNKNOWN) {
		printf("rx other\n");
		return;
	}
	if (p.has_vlan)
		snprintf(tag, sizeof(tag), "vlan%u ", p.vlan_tci & 0xfff);
	uvs_addr_format(p.af, &p.saddr, s, sizeof(s));
	uvs_addr_format(p.af, &p.daddr, t, sizeof(t));
	if (p.protocol == IPPROTO_TCP && p.af == AF_INET6)
		printf("rx %stcp6 [%s]:%u > [%s]:%u\n", tag, s, ntohs(p.sport), t, ntohs(p.dport));
	else if (p.protocol == IPPROTO_TCP)
		printf("rx %stcp %s:%u > %s:%u\n", tag, s, ntohs(p.sport), t, ntohs(p.dport));
	else if (p.protocol == IPPROTO_ICMP)
		printf("rx %sicmp %u\n", tag, p.icmp_type);
	else if (p.af == AF_INET)
		printf("rx %sip %u\n", tag, p.protocol);
	else
		printf("rx other\n");
}

static int setup(struct uvs_model *m, const char *vip, const char *rs, int rsport, const char *vip6)
{
	struct uvs_svc_conf sc;
	struct uvs_dest_conf dc;
	struct uvs_error err;
	union uvs_addr a;

	memset(&sc, 0, sizeof(sc));
	memset(&dc, 0, sizeof(dc));
	if (uvs_addr_parse(AF_INET, vip, &a) < 0 || uvs_addr_parse(AF_INET, rs, &dc.addr) < 0)
		return -EINVAL;
	uvs_svc_key_inet(&sc.key, AF_INET, IPPROTO_TCP, &a, htons(80));
	snprintf(sc.sched_name, sizeof(sc.sched_name), "%s", UVS_DEFAULT_SCHED);
	sc.netmask = 0xffffffffu;
	dc.af = AF_INET;
	dc.port = htons((uint16_t)rsport);
	dc.fwd = UVS_FWD_MASQ;
	dc.weight = 1;
	if (uvs_svc_add(m, &sc, &err) < 0 || uvs_dest_add(m, &sc.key, &dc, &err) < 0) {
		fprintf(stderr, "steer_probe: %s\n", err.msg);
		return -EINVAL;
	}
	if (!vip6)
		return 0;
	if (uvs_addr_parse(AF_INET6, vip6, &a) < 0)
		return -EINVAL;
	uvs_svc_key_inet(&sc.key, AF_INET6, IPPROTO_TCP, &a, htons(80));
	sc.netmask = 128;
	if (uvs_svc_add(m, &sc, &err) < 0) {
		fprintf(stderr, "steer_probe: %s\n", err.msg);
		return -EINVAL;
	}
	return 0;
}

/* Adds (or deletes) services 10.200.0.0:80 and up, n of them. */
static int fill(struct uvs_model *m, unsigned n, bool add)
{
	struct uvs_svc_conf sc;
	int ret = 0;

	for (unsigned i = 0; i < n && !ret; i++) {
		union uvs_addr a = { .ip = htonl(0x0ac80000u + i) };
		memset(&sc, 0, sizeof(sc));
		uvs_svc_key_inet(&sc.key, AF_INET, IPPROTO_TCP, &a, htons(80));
		snprintf(sc.sched_name, sizeof(sc.sched_name), "%s", UVS_DEFAULT_SCHED);
		sc.netmask = 0xffffffffu;
		ret = add ? uvs_svc_add(m, &sc, NULL) : uvs_svc_del(m, &sc.key, NULL);
	}
	return ret;
}

/* Runs one command line; returns 1 to quit. */
static int command(const char *line, struct uvs_model *m, struct uvs_steer **steer, const char *vip)
{
	struct uvs_svc_key k;
	union uvs_addr a;
	int ret;

	if (!strcmp(line, "del")) {
		uvs_addr_parse(AF_INET, vip, &a);
		uvs_svc_key_inet(&k, AF_INET, IPPROTO_TCP, &a, htons(80));
		ret = uvs_svc_del(m, &k, NULL);
		if (!ret)
			ret = uvs_steer_sync(*steer, m);
		printf("deleted keys %u ret %d\n", uvs_steer_keys(*steer), ret);
	} else if (!strncmp(line, "fill ", 5)) {
		ret = fill(m, (unsigned)atoi(line + 5), true);
		if (!ret)
			ret = uvs_steer_sync(*steer, m);
		printf("filled keys %u ret %d\n", uvs_steer_keys(*steer), ret);
	} else if (!strcmp(line, "unfill")) {
		ret = fill(m, 1u << 17, false);
		if (ret == -ESRCH)
			ret = uvs_steer_sync(*steer, m);
		printf("unfilled keys %u ret %d\n", uvs_steer_keys(*steer), ret);
	} else if (!strcmp(line, "close")) {
		uvs_steer_close(*steer);
		*steer = NULL;
		printf("closed\n");
	} else if (!strcmp(line, "quit")) {
		return 1;
	} else {
		printf("unknown command %s\n", line);
	}
	return 0;
}

int main(int argc, char **argv)
{
	static struct uvs_model m;
	struct uvs_steer *steer = NULL;
	struct uvs_io *io = NULL;
	struct uvs_frame f[UVS_IO_BATCH];
	const char *ifs[1];
	struct uvs_io_config c = { .ifnames = ifs, .nifs = 1, .nworkers = 1, .ring_mib = 2 };
	struct uvs_error err = { "" };
	char line[64];
	size_t used = 0;
	unsigned ifindex;
	time_t end;
	bool model = false, xdp;
	int ret, status = 1;

	if (argc != 6 && argc != 7) {
		fprintf(stderr, "usage: steer_probe IFNAME VIP RS RSPORT SECONDS [VIP6]\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	ifs[0] = argv[1];
	end = time(NULL) + atoi(argv[5]);
	ifindex = if_nametoindex(argv[1]);
	rcu_register_thread();
	if (uvs_model_init(&m, 1) < 0)
		goto out;
	model = true;
	if (setup(&m, argv[2], argv[3], atoi(argv[4]), argc == 7 ? argv[6] : NULL) < 0)
		goto out;
	xdp = getenv("UVS_PROBE_IO") && !strcmp(getenv("UVS_PROBE_IO"), "af_xdp");
	uvs_steer_set_capacity(65536); /* the test fills it */
	ret = xdp ? uvs_steer_open_xdp(&ifindex, 1, &steer, &err)
		  : uvs_steer_open(&ifindex, 1, &steer, &err);
	if (!ret)
		ret = uvs_steer_sync(steer, &m);
	if (ret) {
		fprintf(stderr, "steer_probe: %s (%d)\n", err.msg, ret);
		goto out;
	}
	c.bpf_filter_fd = uvs_steer_sock_fd(steer);
	c.backend = xdp ? UVS_IO_AF_XDP : UVS_IO_AF_PACKET;
	c.xsk_map_fd = uvs_steer_xsk_map_fd(steer);
	if (uvs_io_open(&c, &io, &err) < 0) {
		fprintf(stderr, "steer_probe: %s\n", err.msg);
		goto out;
	}
	printf("ready keys %u\n", uvs_steer_keys(steer));
	while (time(NULL) < end) {
		struct pollfd in = { 0, POLLIN, 0 };
		unsigned n;
		ssize_t r;

		uvs_io_wait(io, 0, 20);
		n = uvs_io_rx(io, 0, f, UVS_IO_BATCH);
		for (unsigned i = 0; i < n; i++)
			print_frame(f[i].data, f[i].len);
		if (poll(&in, 1, 0) <= 0)
			continue;
		r = read(0, line + used, sizeof(line) - 1 - used);
		if (r <= 0)
			break; /* stdin closed: done */
		used += (size_t)r;
		line[used] = 0;
		for (char *nl; (nl = strchr(line, '\n'));) {
			*nl = 0;
			if (command(line, &m, &steer, argv[2])) {
				status = 0;
				goto out;
			}
			used -= (size_t)(nl + 1 - line);
			memmove(line, nl + 1, used + 1);
		}
		if (used == sizeof(line) - 1)
			used = 0; /* an overlong line: dropped */
	}
	status = 0;
out:
	uvs_io_close(io);
	uvs_steer_close(steer);
	if (model)
		uvs_model_destroy(&m);
	rcu_unregister_thread();
	return status;
}
