/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the engine gives the connection sync daemon (src/sync/) and takes from it, in
 * the terms of the kernel's ip_vs_sync.c, without its wire format:
 *
 * - master: after each client packet a worker decides, by the kernel's rules, whether
 *   the connection (and its persistence template) is due to be sent, and if so puts a
 *   copy of it, a struct uvs_sync_conn, on its own ring (one producer, one consumer,
 *   no lock); the sync daemon's thread takes them off and sends them.
 * - the whole table, as entries, for a hand-over (uvs_sync_dump).
 * - backup: an entry received becomes a connection of the table, or updates one, as
 *   the kernel's ip_vs_proc_conn() does (uvs_sync_apply), on a worker of the caller's
 *   own (not a data path worker), which then owns and expires it.
 */
#ifndef UVS_CORE_SYNC_H
#define UVS_CORE_SYNC_H

#include <stdbool.h>
#include <stdint.h>

#include "core/engine.h"

/* Connection flags of the sync protocol beyond conn.h's (the kernel's values; the
 * FTP helper's SEQ and NO_CPORT flags are in conn.h). */
#define UVS_CONN_F_SYNC 0x0020 /* entry created by sync */
/* The flags a backup takes from a version 1 message, and those it updates on an
 * entry it has (IP_VS_CONN_F_BACKUP_MASK, IP_VS_CONN_F_BACKUP_UPD_MASK). */
#define UVS_CONN_F_BACKUP_MASK                                                                     \
	(UVS_CONN_F_FWD_MASK | UVS_CONN_F_NOOUTPUT | UVS_CONN_F_INACTIVE | UVS_CONN_F_SEQ_MASK |   \
	 UVS_CONN_F_NO_CPORT | UVS_CONN_F_TEMPLATE)
#define UVS_CONN_F_BACKUP_UPD_MASK (UVS_CONN_F_INACTIVE | UVS_CONN_F_SEQ_MASK)

/* How long a template that still controls connections lives on when it expires. */
#define UVS_TEMPLATE_REARM_S 60

/* The kernel's defaults and limits for the daemons (include/net/ip_vs.h). */
#define UVS_SYNC_PORT	   8848
#define UVS_SYNC_GROUP4	   0xe0000051u /* 224.0.0.81, host order */
#define UVS_SYNC_PORTS_MAX 64	       /* sync_ports: threads, each on port + id */

/*
 * One connection or template as the sync protocol carries it. Addresses and ports in
 * network order, the rest in host order. For a template of a fwmark service protocol
 * is IPPROTO_IP and vaddr holds the mark in its first word (network order).
 */
struct uvs_sync_conn {
	union uvs_addr caddr;
	union uvs_addr vaddr;
	union uvs_addr daddr;
	uint32_t flags;	  /* UVS_CONN_F_* as sent (HASHED cleared) */
	uint32_t fwmark;  /* of the connection's service */
	uint32_t timeout; /* seconds; 0: the protocol's default for the state (version 0) */
	uint16_t state;
	uint16_t cport;
	uint16_t vport;
	uint16_t dport;
	uint8_t af; /* AF_INET or AF_INET6 */
	uint8_t protocol;
	/* The FTP helper's sequence adjustment (core/ftp.h), when flags has SEQ bits:
	 * the SEQ_DATA option. */
	struct uvs_seq in_seq, out_seq;
};

/* ---- master ---- */

/*
 * The rings a master's workers fill: one per engine worker, each of `size` entries (a
 * power of two). wake(arg) is called by a worker whose ring has just reached
 * UVS_SYNC_WAKE_AT entries, so that the consumer empties it before it fills; it must
 * be safe on a worker's fast path (a write to an eventfd). The engine drops an entry
 * that finds its ring full (counted sync_queue_full).
 */
#define UVS_SYNC_WAKE_AT 32

struct uvs_sync_out;

/* Returns 0, -EINVAL (size not a power of two from 64) or -ENOMEM. */
int uvs_sync_out_create(const struct uvs_engine *e, unsigned size, void (*wake)(void *arg),
			void *arg, struct uvs_sync_out **out);
void uvs_sync_out_free(struct uvs_sync_out *so);
/*
 * Makes so the rings the workers fill (NULL: none; the master stops). Returns the
 * rings used before, which no worker touches any more (it waits for a grace period).
 * Control side, registered with RCU, outside a read-side section.
 */
struct uvs_sync_out *uvs_engine_set_sync_out(struct uvs_engine *e, struct uvs_sync_out *so);
/* The number of rings (the engine's workers). */
unsigned uvs_sync_out_rings(const struct uvs_sync_out *so);
/* Takes up to max entries off ring i into out; returns how many. One consumer. */
unsigned uvs_sync_out_take(struct uvs_sync_out *so, unsigned i, struct uvs_sync_conn *out,
			   unsigned max);

/*
 * The kernel's ip_vs_sync_conn() after a client packet of c (forwarded or not): counts
 * it and queues c, then its template, as the rules say (sync_out.c). A one-packet
 * connection (UVS_CONN_F_ONE_PACKET, never hashed) only has its template sent. Data
 * path, inside the RCU read-side section in which so was read.
 */
void uvs_sync_conn_seen(struct uvs_worker *w, struct uvs_sync_out *so, struct uvs_conn *c,
			uvs_time_t now);

/*
 * A template that still controls connections, re-armed for UVS_TEMPLATE_REARM_S
 * seconds when it expired: sent (when due) with that timeout and the threshold for its
 * count, as the kernel's ip_vs_conn_expire() does. The owner's timer, inside an RCU
 * read-side section.
 */
void uvs_sync_template_rearmed(struct uvs_worker *w, struct uvs_sync_out *so, struct uvs_conn *ct,
			       uvs_time_t now);

/* The entry of connection c as the master sends it (timeout: c's, in seconds), with
 * its sequence adjustment (read under c's lock). Inside an RCU read-side section. */
void uvs_sync_conn_fill(const struct uvs_conn *c, struct uvs_sync_conn *out);

/*
 * Copies up to max of the table's connections and templates into out, continuing from
 * *cursor (0 at the start) and advancing it; returns how many, 0 at the end. Entries
 * made or ended meanwhile may be missed. Any thread registered with RCU, outside a
 * read-side section.
 */
size_t uvs_sync_dump(struct uvs_engine *e, uint64_t *cursor, struct uvs_sync_conn *out, size_t max);
/* The same, with each entry's expiry (the model's clock) in expires[i] when expires is
 * not NULL: what a restart keeps (uvs_sync_restore). */
size_t uvs_conn_dump(struct uvs_engine *e, uint64_t *cursor, struct uvs_sync_conn *out,
		     uvs_time_t *expires, size_t max);

/* ---- backup ---- */

/* Tells the engine whether a backup runs: with the backup_only sysctl set, it leaves
 * every frame to the kernel meanwhile. Any thread. */
static inline void uvs_engine_set_sync_backup(struct uvs_engine *e, bool running)
{
	uvs_store_relaxed(&e->sync_backup, running); /* relaxed: a flag read on its own */
}

/* What became of an entry received (the counters' names: "sync_rx_<name>"). */
#define UVS_SYNC_APPLY_RESULTS(X)                                                                  \
	X(NEW, "new")			/* a connection or template made */                        \
	X(UPDATED, "updated")		/* one that was there took the entry's state */            \
	X(STALE, "stale")		/* the end of a connection already replaced: ignored */    \
	X(BAD_PROTOCOL, "bad_protocol") /* not TCP, UDP or SCTP */                                 \
	X(BAD_STATE, "bad_state")	/* no state of its protocol */                             \
	X(NO_CPORT, "no_cport")		/* without a client port (FTP data: uvs has no helper) */  \
	X(NO_DEST, "no_dest")		/* no real server of a service here matches it */          \
	X(CONN_LIMIT, "conn_limit")	/* the table is full */                                    \
	X(NO_MEMORY, "no_memory")

enum uvs_sync_apply_result {
#define X(name, text) UVS_SYNC_APPLY_##name,
	UVS_SYNC_APPLY_RESULTS(X)
#undef X
		UVS_SYNC_APPLY_COUNT
};

const char *uvs_sync_apply_name(enum uvs_sync_apply_result r);

/*
 * Makes s a connection (or template) of w's engine, or updates the one there, as the
 * kernel's backup does: bound to its real server (found by its service: fwmark, else
 * protocol, virtual address and port), flags and state from s, the timeout s gives
 * (0: its state's, 180 s for a template) from now; a new one takes the forwarding
 * method of its real server and is owned by w. Of s->flags it keeps
 * UVS_CONN_F_BACKUP_MASK (of a version 0 message too, whose other bits the kernel
 * keeps), and adds UVS_CONN_F_SYNC. w is a worker of the caller's that no data path
 * thread uses; caller registered with RCU, outside a read-side section.
 */
enum uvs_sync_apply_result uvs_sync_apply(struct uvs_worker *w, const struct uvs_sync_conn *s,
					  uvs_time_t now);

/*
 * A connection or template that a stopping uvsd kept for the next one (a restart):
 * made as uvs_sync_apply makes a new one (its real server found the same way, its
 * method the real server's, the flags of UVS_CONN_F_BACKUP_MASK) but not marked
 * UVS_CONN_F_SYNC, with s->timeout (seconds, not 0) as its timeout and expiring at
 * `expires`, what it had left. Returns NEW, STALE if the table has it already (a
 * duplicate), or why it was not made (BAD_PROTOCOL, BAD_STATE, NO_CPORT, NO_DEST,
 * CONN_LIMIT, NO_MEMORY). Same caller as uvs_sync_apply.
 */
enum uvs_sync_apply_result uvs_sync_restore(struct uvs_worker *w, const struct uvs_sync_conn *s,
					    uvs_time_t now, uvs_time_t expires);

#endif
