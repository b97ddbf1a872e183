/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Becoming a daemon without losing start-up errors. daemon(3) returns at once in the
 * parent, so a daemon whose set-up then fails exits 0 with nothing said. Here the
 * parent waits: the child's log goes to syslog and, until it is ready, its warnings
 * and errors also reach the parent through a pipe, which prints them on its stderr;
 * the parent exits 0 once the child says it serves, or with the child's status if it
 * exits first.
 */
#ifndef UVS_DAEMON_DETACH_H
#define UVS_DAEMON_DETACH_H

/*
 * Forks. The parent never returns (see above). The child returns 0: a session leader
 * in /, stdin and stdout on /dev/null, stderr the pipe to the parent and the log
 * copying its warnings there; or -1 in the caller's process if fork failed (errno).
 * Call before any thread starts.
 */
int uvsd_detach(void);

/* In the child, once it serves: tells the parent, which exits 0, and points stderr at
 * /dev/null. */
void uvsd_detach_ready(void);

#endif
