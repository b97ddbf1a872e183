/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Routes that say "this director serves this VIP", for a routing daemon (BIRD) to
 * export by BGP: one host route per VIP in a routing table of uvsd's own (no ip rule
 * points at it: the kernel never forwards by it), with a protocol number of its own.
 *
 * Every route goes over a TUN link uvsd makes and holds open ("uvsvip<TABLE>"), not a
 * persistent one: when uvsd exits in any way (SIGKILL and crashes too) the kernel
 * closes its descriptors, which deletes the link and every route over it, and BIRD,
 * told of the link's removal, withdraws them at once. No frame is ever sent on it.
 *
 * Control thread only; blocking rtnetlink calls.
 */
#ifndef UVS_NET_ANNOUNCE_H
#define UVS_NET_ANNOUNCE_H

#include <stdbool.h>
#include <stdint.h>

#include "base/error.h"
#include "pkt/addr.h"

/* Tables the kernel uses itself (unspec, default, main, local) are refused; the link's
 * name holds the table's number, which keeps it to 9 digits. */
#define UVS_ANNOUNCE_TABLE_MAX 999999999u
#define UVS_ANNOUNCE_PROTO_DEF 250 /* rtnetlink protocol; 0..4 are the kernel's */
#define UVS_ANNOUNCE_PROTO_MIN 5

struct uvs_announce;

/* True if table may be announced to (not 0 and not 253..255). */
bool uvs_announce_table_ok(uint32_t table);

/*
 * Makes the link "uvsvip<table>" and brings it up, in the caller's network namespace.
 * Returns 0, or a negative errno with err saying why (-EBUSY: another process holds
 * the link: another uvsd announces to that table).
 */
int uvs_announce_open(uint32_t table, uint8_t protocol, struct uvs_announce **out,
		      struct uvs_error *err);

/* Deletes the routes and the link. NULL is fine. */
void uvs_announce_close(struct uvs_announce *a);

/* The link's name. */
const char *uvs_announce_link(const struct uvs_announce *a);

/*
 * Adds (add) or deletes the host route to addr (family af). Adding one that is there
 * and deleting one that is not succeed. Returns 0 or a negative errno.
 */
int uvs_announce_route(struct uvs_announce *a, bool add, int af, const union uvs_addr *addr);

#endif
