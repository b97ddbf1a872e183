/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What uvsd follows in the kernel's tables as it changes: links (one deleted and made
 * again must be attached to again) and the host's addresses (frames from them are
 * martian). An rtnetlink socket subscribed to link and address notifications, read
 * when its fd is readable; the caller then looks at the tables themselves, so a lost
 * notification (the socket's buffer overran) costs nothing but a look.
 *
 * Control thread only.
 */
#ifndef UVS_NET_NETWATCH_H
#define UVS_NET_NETWATCH_H

#include <stddef.h>

#include "core/martian.h" /* struct uvs_host_addr */

struct uvs_netwatch;

/* What changed, as uvs_netwatch_read reports it. */
#define UVS_NETWATCH_LINKS 1u
#define UVS_NETWATCH_ADDRS 2u

/* Opens the notification socket in the caller's network namespace. Returns 0 or a
 * negative errno. */
int uvs_netwatch_open(struct uvs_netwatch **out);
void uvs_netwatch_close(struct uvs_netwatch *w);

/* The socket to poll for POLLIN. */
int uvs_netwatch_fd(const struct uvs_netwatch *w);

/* Reads every waiting notification without blocking. Returns UVS_NETWATCH_LINKS
 * and/or UVS_NETWATCH_ADDRS for what changed (both if notifications were lost), 0 if
 * nothing did. */
unsigned uvs_netwatch_read(struct uvs_netwatch *w);

/*
 * Lists the host's addresses (every link's, IPv4 and IPv6, with each IPv4 subnet's
 * broadcast address) into out[0..max). Returns how many there are (more than max
 * if out was too small: call again with more room), or a negative errno.
 */
int uvs_netwatch_host_addrs(struct uvs_netwatch *w, struct uvs_host_addr *out, size_t max);

#endif
