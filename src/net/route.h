/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Next hops from the kernel's own tables, over rtnetlink (libmnl): for an address,
 * the route the kernel would take (egress link, gateway, source address, MTU), the
 * link's MAC address and the next hop's MAC from the neighbour table. Unresolved
 * neighbours are resolved by the kernel (a neighbour request with NTF_USE makes it
 * send ARP or neighbour solicitations); uvs never guesses a MAC.
 *
 * Blocking calls for the control thread. The workers' lock-free cache is built from
 * them (next in issue 4).
 */
#ifndef UVS_NET_ROUTE_H
#define UVS_NET_ROUTE_H

#include "pkt/addr.h"
#include "xmit/xmit.h"

struct uvs_net;

/* Opens an rtnetlink socket in the caller's network namespace. Returns 0 or a
 * negative errno. */
int uvs_net_open(struct uvs_net **out);
void uvs_net_close(struct uvs_net *n);

/*
 * Fills *r for sending to dst (family af): ifindex, mtu (the route's, else the
 * link's), src (the route's preferred source, else the link's first address of that
 * family), src_mac and dst_mac. Returns 0; -EHOSTUNREACH if there is no route or it
 * is not over an Ethernet link; -EAGAIN if the next hop's MAC is not known yet (the
 * kernel has been asked to resolve it: try again later); another negative errno.
 */
int uvs_net_resolve(struct uvs_net *n, int af, const union uvs_addr *dst, struct uvs_route *r);

#endif
