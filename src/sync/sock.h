/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The sync daemons' UDP sockets, set up as the kernel's make_send_sock() and
 * make_receive_sock() set up theirs.
 */
#ifndef UVS_SYNC_SOCK_H
#define UVS_SYNC_SOCK_H

#include "sync/sync.h"

/* What a daemon needs to know of its link. */
struct uvs_sync_link {
	unsigned ifindex;
	unsigned mtu;
	union uvs_addr addr4; /* its first IPv4 address of global scope; 0 if none */
};

/* The link named ifname. Returns 0, or -ENODEV (or another negative errno) with *err
 * set. */
int uvs_sync_link_find(const char *ifname, struct uvs_sync_link *out, struct uvs_error *err);

/*
 * A master's socket for port id (c->mcast_port + id): multicast out of the link, not
 * looped back, c->mcast_ttl hops, fragmented if the path's MTU shrinks, SO_SNDBUF from
 * sock_size (0: the system's), bound to the link's IPv4 address (IPv4), connected to
 * the group. Non-blocking. Returns the fd or a negative errno with *err set.
 */
int uvs_sync_sock_master(const struct uvs_sync_config *c, const struct uvs_sync_link *l,
			 unsigned id, int sock_size, struct uvs_error *err);

/*
 * A backup's socket for port id: bound to the group's address and port on the link
 * only (SO_BINDTODEVICE), address reuse allowed, SO_RCVBUF from sock_size, the group
 * joined on the link. Non-blocking. Returns the fd or a negative errno with *err set.
 */
int uvs_sync_sock_backup(const struct uvs_sync_config *c, const struct uvs_sync_link *l,
			 unsigned id, int sock_size, struct uvs_error *err);

#endif
