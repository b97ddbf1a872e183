/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The generic netlink sockets the application opened, by fd, and what each has become.
 * One lock guards the table and every entry; it is held for short work (and while a
 * request is handed to uvsd) but never across a receive that may block. It is
 * recursive, so that a hook reached from inside the library finds its way.
 */
#ifndef UVS_PRELOAD_NLTRACK_H
#define UVS_PRELOAD_NLTRACK_H

#include <linux/netlink.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum uvs_nl_state {
	UVS_NL_KERNEL,	 /* still the kernel's socket: nothing asked for IPVS yet */
	UVS_NL_UVSD,	 /* the fd is a connection to uvsd */
	UVS_NL_DETACHED, /* the fd is one end of a socket pair: uvsd is gone or idle-closed */
};

#define UVS_NL_PENDING_MAX 64 /* requests sent to uvsd and not yet fully answered */
#define UVS_NL_OPTS_MAX	   16 /* SOL_NETLINK options remembered */

struct uvs_nl_opt {
	int name;
	int value;
};

struct uvs_nlsock {
	int fd;
	int type; /* as given to socket(): SOCK_RAW or SOCK_DGRAM, without flags */
	enum uvs_nl_state state;
	struct sockaddr_nl local; /* the kernel socket's address, kept once it is gone */
	int errpeer;		  /* DETACHED: the pair's other end, where errors are written */
	bool lost_reported;	  /* a loss was reported: report getting uvsd back */
	struct nlmsghdr pending[UVS_NL_PENDING_MAX]; /* oldest first */
	size_t npending;
	struct uvs_nl_opt opts[UVS_NL_OPTS_MAX];
	size_t nopts;
};

/* Whether any socket is tracked: a cheap test before the lock (a false "yes" costs a
 * lookup, a "no" is always right for fds the caller itself created before). */
bool uvs_nltrack_any(void);

void uvs_nltrack_lock(void);
void uvs_nltrack_unlock(void);

/* The entry of fd, or NULL; the caller holds the lock. */
struct uvs_nlsock *uvs_nltrack_find(int fd);

/* Tracks the new generic netlink socket fd of the given type (flags are masked off).
 * An fd already tracked (closed behind the library's back) starts again. Takes the
 * lock. Returns 0, or -ENOMEM (the socket then stays the kernel's, untracked). */
int uvs_nltrack_add(int fd, int type);

/* Forgets fd (about to be closed or replaced): closes its pair's other end. Takes the
 * lock; does nothing for an untracked fd. */
void uvs_nltrack_forget(int fd);

/* The remembered SOL_NETLINK option name, 0 if never set. The caller holds the lock. */
int uvs_nltrack_opt(const struct uvs_nlsock *s, int name);
/* Remembers a SOL_NETLINK option (the last value wins; past UVS_NL_OPTS_MAX names,
 * new ones are forgotten). The caller holds the lock. */
void uvs_nltrack_set_opt(struct uvs_nlsock *s, int name, int value);

#endif
