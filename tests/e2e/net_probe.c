// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * net_probe ADDR [TRIES]: resolves ADDR with uvs_net_resolve() in the current network
 * namespace, retrying every 100 ms (50 times by default: IPv6 links answer neighbour
 * solicitations only after their duplicate address detection) and prints
 * "ifindex mtu src src_mac dst_mac", or the error's name. Exit 0 if resolved.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net/route.h"

int main(int argc, char **argv)
{
	struct uvs_net *n;
	struct uvs_route r;
	union uvs_addr a;
	int af, ret, tries = argc > 2 ? atoi(argv[2]) : 50;
	char src[UVS_ADDR_STRLEN];

	if (argc < 2)
		return 2;
	af = strchr(argv[1], ':') ? AF_INET6 : AF_INET;
	if (uvs_addr_parse(af, argv[1], &a) < 0 || uvs_net_open(&n) < 0)
		return 2;
	do {
		ret = uvs_net_resolve(n, af, &a, &r);
		if (ret == -EAGAIN)
			usleep(100000);
	} while (ret == -EAGAIN && --tries > 0);
	uvs_net_close(n);
	if (ret) {
		printf("%s\n", ret == -EAGAIN	      ? "EAGAIN"
			       : ret == -EHOSTUNREACH ? "EHOSTUNREACH"
						      : strerror(-ret));
		return 1;
	}
	printf("%u %u %s %02x:%02x:%02x:%02x:%02x:%02x %02x:%02x:%02x:%02x:%02x:%02x\n", r.ifindex,
	       r.mtu, uvs_addr_format(af, &r.src, src, sizeof(src)), r.src_mac[0], r.src_mac[1],
	       r.src_mac[2], r.src_mac[3], r.src_mac[4], r.src_mac[5], r.dst_mac[0], r.dst_mac[1],
	       r.dst_mac[2], r.dst_mac[3], r.dst_mac[4], r.dst_mac[5]);
	return 0;
}
