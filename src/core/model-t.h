/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Types of the service model: virtual services, their destinations (real servers) and
 * the model that holds them. Functions are in model.h.
 *
 * Threading contract
 * - Control side: every change (add/edit/delete, zero, estimator, trash expiry) runs
 *   with model->ctl_lock held, so there is one writer at a time. Listing also holds it.
 * - Data path (workers): finds services with uvs_svc_lookup() inside an RCU read-side
 *   critical section (liburcu, default flavour; each worker calls rcu_register_thread()).
 *   A service found there stays allocated until the worker leaves that section.
 * - A service's scheduler state and its destination list are guarded by svc->lock.
 *   Workers take it to schedule and to change a destination's connection counters;
 *   the control side takes it (inside ctl_lock) to change the list. It is per service:
 *   there is no global lock on the data path.
 * - A destination counts the connections that use it (binds and unbinds, in the slot
 *   of the worker that owns each: stats.h) besides its list membership. A deleted
 *   destination goes to the trash, keeps its counters, and is restored if added back
 *   before it expires; it is freed once no connection uses it and UVS_DEST_TRASH_NS
 *   has passed.
 */
#ifndef UVS_MODEL_T_H
#define UVS_MODEL_T_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <urcu.h>
#include <urcu/list.h>
#include <urcu/rculfhash.h>

#include "base/error.h"
#include "pkt/addr.h"
#include "stats.h"
#include "sysctl.h"
#include "uvs/ipvs.h"

struct uvs_sched_ops;

/* Nanoseconds on a monotonic clock chosen by the caller. */
typedef uint64_t uvs_time_t;
#define UVS_NS_PER_SEC 1000000000ull

/* How long a deleted destination waits in the trash (the kernel's 120 s period). */
#define UVS_DEST_TRASH_NS (120 * UVS_NS_PER_SEC)

/*
 * What identifies a virtual service: <af, protocol, addr, port> or <af, fwmark>.
 * For a fwmark service protocol, addr and port are zero. port is in network order.
 * Zero-filled before use, so it can be hashed and compared as bytes.
 */
struct uvs_svc_key {
	uint16_t af;
	uint16_t protocol;
	uint32_t fwmark;
	union uvs_addr addr;
	uint16_t port;
	uint16_t pad_;
};

/* What a user gives to add or edit a service (ipvsadm -A / -E). */
struct uvs_svc_conf {
	struct uvs_svc_key key;
	char sched_name[UVS_SCHED_NAME_MAX]; /* must name one (empty is ENOENT) */
	uint32_t flags;			     /* UVS_SVC_F_* */
	uint32_t timeout;		     /* persistence timeout, seconds */
	uint32_t netmask;		     /* IPv4 mask (network order) or IPv6 prefix */
	char pe_name[UVS_PE_NAME_MAX];	     /* persistence engine, empty for none */
};

/* What a user gives to add or edit a destination (ipvsadm -a / -e). */
struct uvs_dest_conf {
	uint16_t af; /* may differ from the service's only for tunnelling */
	union uvs_addr addr;
	uint16_t port;	/* network order */
	uint32_t fwd;	/* UVS_FWD_* */
	int64_t weight; /* 0..65535; wider so that out-of-range input can be reported */
	uint32_t u_threshold;
	uint32_t l_threshold;
	uint8_t tun_type;
	uint16_t tun_port; /* network order */
	uint16_t tun_flags;
};

struct uvs_service;
struct uvs_sched_pkt;

/*
 * What a scheduler whose pick needs no lock publishes in svc->unlocked while it is the
 * service's (src/sched/sched.h): its pick, called inside an RCU read-side section
 * without svc->lock; the state behind u is freed a grace period after the scheduler
 * lets the service go.
 */
struct uvs_sched_unlocked {
	struct uvs_dest *(*schedule)(struct uvs_service *svc, struct uvs_sched_unlocked *u,
				     const struct uvs_sched_pkt *pkt);
};

struct uvs_dest {
	/* In svc->dests (newest first): changed under svc->lock, walked there or under
	 * RCU (a scheduler's unlocked pick); an unlinked entry's next is left as it was,
	 * for a walker standing on it. */
	struct cds_list_head list;
	struct cds_list_head trash_node; /* in model->trash while there */
	struct uvs_service *svc;	 /* NULL while in the trash; read under RCU */
	struct uvs_svc_key vkey;	 /* the service it belongs or belonged to */
	uint64_t seq; /* list order: larger nearer the head (atomic: read unlocked) */

	struct uvs_dest_conf conf; /* af, addr, port, fwd, weight, thresholds, tunnel */
	uint32_t last_weight;	   /* the most recent non-zero weight (mh) */

	/* Written under svc->lock (or atomically while detached), read lock-free. */
	uint32_t flags;	  /* UVS_DEST_F_* */
	int sched_pos[2]; /* private to the service's scheduler (an index's anchor, a mark) */
	/* Traffic and connection counts, in a line per worker (stats.h). Beside the flags:
	 * a least-connection pick reads the slots' address with them. */
	struct uvs_stats stats;

	/* The service object it was last unlinked from: written by the control side only,
	 * on an unlink. */
	struct uvs_service *left_svc;
	uvs_time_t trash_since;
};

struct uvs_service {
	struct cds_lfht_node node; /* in model->svc_table */
	struct cds_list_head all;  /* in model->services, for listing */
	struct uvs_svc_key key;
	uint32_t flags; /* UVS_SVC_F_* */
	uint32_t timeout;
	uint32_t netmask;
	char pe_name[UVS_PE_NAME_MAX];

	pthread_mutex_t lock; /* scheduler state and destination list */
	const struct uvs_sched_ops *sched;
	void *sched_data;
	/* Set by a scheduler whose pick takes no lock (sched.h), else NULL; RCU. */
	struct uvs_sched_unlocked *unlocked;
	/* Whether the scheduler is told of each change of the destinations' counters,
	 * under this lock (sched.h: uvs_sched_follow_load()); written under it, read
	 * unlocked (atomic). */
	bool follows_load;
	struct cds_list_head dests; /* newest first, as in the kernel */
	unsigned num_dests;	    /* written under svc->lock, read unlocked (atomic) */
	uint64_t next_seq;
	uint64_t rand_state; /* for randomised schedulers (twos) */

	struct uvs_model *model;
	struct uvs_stats stats;
	struct rcu_head rcu;
};

typedef uvs_time_t (*uvs_clock_fn)(void *arg);

#define UVS_VIP_BITS 65536

struct uvs_model {
	pthread_mutex_t ctl_lock;
	struct cds_lfht *svc_table;
	struct cds_list_head services; /* creation order */
	struct cds_list_head trash;
	unsigned num_services;
	/* Counts configuration changes (services and destinations), so that the control
	 * thread can tell whether anything derived from them needs redoing. Written
	 * under ctl_lock. */
	uint64_t generation;
	/* Moves on (release) after every service added to or removed from svc_table, so
	 * that the workers' caches of lookups (svc_cache.c) drop their answers. Starts at
	 * 1: a cache slot of 0 is empty. Written under ctl_lock. */
	uint64_t svc_gen;
	unsigned nworkers; /* stats slots per object */
	uint64_t seed;	   /* seeds each service's rand_state */
	uvs_clock_fn clock;
	void *clock_arg;
	struct uvs_stats stats; /* the director's totals */
	/* The IPVS sysctls (sysctl.h): written by the control thread, read anywhere. */
	struct uvs_sysctl sysctl;
	bool estimating; /* run_estimation at the last uvs_model_estimate_tick() */
	/* A bit for the hash of every address a service has had (never cleared, so that
	 * connections of deleted services still count): the frame path skips the
	 * inbound lookup for a destination whose bit is clear. */
	uint64_t vip_bits[UVS_VIP_BITS / 64];
	/* The addresses of the services and of each service's destinations, exactly
	 * (svc_addrs.c): for the frame path's martian checks. */
	struct cds_lfht *addr_table;
	/* A bit for the hash of every address addr_table ever had (never cleared): a
	 * client's address, whose bit is nearly always clear, is not looked up. */
	uint64_t addr_bits[UVS_VIP_BITS / 64];
};

#endif
