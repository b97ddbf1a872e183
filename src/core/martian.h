/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Martian sources. The kernel's input path drops a packet whose source no honest
 * sender can have before any forwarding or socket sees it (IPv4: ip_route_input_slow
 * and fib_validate_source; IPv6: ip6_rcv_core). uvs takes its frames before that path
 * runs, so the engine makes the same checks on what it would forward, each with its
 * own counter (engine.h's reasons):
 *   martian_src        a source no host may have (uvs_addr_is_martian_source)
 *   martian_src_local  one of the director's own addresses, or an IPv4 broadcast
 *                      address of its subnets (uvs_engine_set_host_addrs)
 *   martian_src_vip    a virtual service's address
 *   martian_src_rs     a new connection to a service from one of that service's own
 *                      real servers (never for a NAT reply, which comes from there)
 * See docs/decisions.md for what counts and why.
 */
#ifndef UVS_MARTIAN_H
#define UVS_MARTIAN_H

#include <stddef.h>

#include "pkt/addr.h"

/* An address of the director: one of its links', or an IPv4 subnet's broadcast. */
struct uvs_host_addr {
	int af;
	union uvs_addr addr;
};

/* An immutable set of host addresses (martian.c), published to the workers by RCU. */
struct uvs_host_set;

/* A new set of a[0..n) (duplicates allowed), or NULL without memory. */
struct uvs_host_set *uvs_host_set_new(const struct uvs_host_addr *a, size_t n);
/* Whether set (may be NULL: empty) holds af/addr. */
bool uvs_host_set_has(const struct uvs_host_set *set, int af, const union uvs_addr *addr);

#endif
