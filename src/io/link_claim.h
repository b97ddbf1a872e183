/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One steering owner per link. A process that attaches uvs's steering program to a
 * link first claims the link: it binds an abstract Unix socket named after the link's
 * index. Abstract names belong to the network namespace, as link indexes do, and the
 * kernel releases the name when the process dies, however it dies (SIGKILL included):
 * so a claim that is taken means a live owner, one that can be taken means that any
 * uvs program on the link was left by a dead one. Neither PID reuse nor mount or PID
 * namespaces can make the test wrong (see docs/decisions.md).
 */
#ifndef UVS_IO_LINK_CLAIM_H
#define UVS_IO_LINK_CLAIM_H

#include <sys/types.h>

/*
 * Claims link ifindex for the calling process. Returns the claim (a file descriptor,
 * close-on-exec, to keep while the link is used and give to uvs_link_unclaim), or
 * -EBUSY when a live process holds it: *owner is then its PID, or 0 if no process
 * visible from here holds it (one in another PID namespace). Another negative errno
 * if the socket cannot be made.
 */
int uvs_link_claim(unsigned ifindex, pid_t *owner);

/* Gives the claim up. Accepts a negative fd (no claim). */
void uvs_link_unclaim(int claim);

#endif
