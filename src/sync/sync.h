/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The IPVS connection sync daemons of one director, wire-compatible with the kernel's
 * (net/netfilter/ipvs/ip_vs_sync.c): a master sends the connections its workers queue
 * (core/sync.h) to a multicast group on one link; a backup joins the group and makes
 * the connections it hears in the engine's table. Both may run at once, as in the
 * kernel (each director backs the other up). Each runs a thread of its own; each uses
 * sync_ports sockets, on the group's port + 0..sync_ports-1.
 *
 * Threading: every function but the daemons' own threads runs on the control thread,
 * which is registered with RCU.
 */
#ifndef UVS_SYNC_SYNC_H
#define UVS_SYNC_SYNC_H

#include <net/if.h>
#include <sys/socket.h>
#include <stdint.h>

#include "base/error.h"
#include "core/engine.h"
#include "core/sync.h"

/* The kernel's daemon states (IP_VS_STATE_*). */
#define UVS_SYNC_MASTER 1
#define UVS_SYNC_BACKUP 2

/* One daemon's settings, as the kernel's struct ipvs_sync_daemon_cfg. */
struct uvs_sync_config {
	int state; /* UVS_SYNC_MASTER or UVS_SYNC_BACKUP */
	char ifname[IF_NAMESIZE];
	uint8_t syncid;
	uint16_t sync_maxlen; /* UDP payload; 0: from the link (uvs_sync_config_complete) */
	int mcast_af;	      /* 0: AF_INET and 224.0.0.81 */
	union uvs_addr mcast_group;
	uint16_t mcast_port; /* host order; 0: 8848 */
	uint8_t mcast_ttl;   /* 0: 1 */
};

/*
 * Fills in the kernel's defaults and checks c as its start_sync_thread() does before
 * starting anything: the link must exist (ENODEV: "no link IF"); sync_maxlen defaults
 * to the MTU minus the IP and UDP headers, the MTU being 1500 for a master and the
 * link's (at least 1500) for a backup, and is otherwise held between 1 (a backup:
 * 1024) and 65535 minus the headers. Returns 0 or a negative errno with *err set.
 */
int uvs_sync_config_complete(struct uvs_sync_config *c, struct uvs_error *err);

struct uvs_sync;

/*
 * Sets up the daemons of engine e: worker id (not a data path worker's) will own the
 * connections a backup makes, from now until e is destroyed. Caller registered with
 * RCU. Returns 0 or a negative errno.
 */
int uvs_sync_open(struct uvs_engine *e, unsigned worker_id, struct uvs_sync **out);
/* Stops both daemons, and the hand-over. Call before uvs_engine_destroy. Accepts NULL. */
void uvs_sync_stop_all(struct uvs_sync *s);
/* Frees s, after uvs_engine_destroy. Accepts NULL. */
void uvs_sync_close(struct uvs_sync *s);

/*
 * Starts daemon c (completed by uvs_sync_config_complete): its sockets, then its
 * thread. -EEXIST if that daemon runs already; another negative errno with *err set if
 * a socket cannot be made (nothing is left running).
 */
int uvs_sync_start(struct uvs_sync *s, const struct uvs_sync_config *c, struct uvs_error *err);
/* Stops the daemon of state (UVS_SYNC_MASTER or _BACKUP): its thread is joined, what
 * it had not sent is dropped. Returns 0 or -ESRCH if it was not running. */
int uvs_sync_stop(struct uvs_sync *s, int state);

/*
 * Makes n connections a stopping uvsd kept (c[i] expiring at expires[i], the model's
 * clock) entries of the table, owned by the worker of the backups' connections and
 * expired with them (core/sync.h's uvs_sync_restore); adds each outcome to
 * results[UVS_SYNC_APPLY_*]. Caller registered with RCU, outside a read-side section.
 */
void uvs_sync_restore_conns(struct uvs_sync *s, const struct uvs_sync_conn *c,
			    const uvs_time_t *expires, size_t n, uint64_t *results);

/*
 * The full-table hand-over (handover.h), beyond the kernel: listens on TCP
 * listen_port (host order; 0: any) for peer, the other director, and from now on asks
 * peer (its address and port) for its whole table each time a daemon starts. Once,
 * before uvs_sync_stop_all. Returns 0 or a negative errno with *err set.
 */
int uvs_sync_set_peer(struct uvs_sync *s, const struct sockaddr *peer, socklen_t len,
		      uint16_t listen_port, struct uvs_error *err);
/* The TCP port the hand-over listens on (host order); 0 without a peer. */
uint16_t uvs_sync_handover_port(const struct uvs_sync *s);
/* Asks the peer for its table now, as a daemon's start does (nothing without a peer). */
void uvs_sync_handover_fetch(struct uvs_sync *s);
/* Waits, at most timeout_ms, until the tables asked for so far have come (or failed).
 * Returns 0, or -ETIMEDOUT. */
int uvs_sync_handover_wait(struct uvs_sync *s, int timeout_ms);

/* Expires the connections backups made; call every second or two. */
void uvs_sync_tick(struct uvs_sync *s);

/* Every counter of both daemons, summed over their runs: up to max names ("sync_tx_msgs",
 * ...) and values; returns how many there are. */
size_t uvs_sync_counters(struct uvs_sync *s, const char **names, uint64_t *values, size_t max);

#endif
