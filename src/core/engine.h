/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The frame engine: a batch of Ethernet frames in, a verdict for each and rewritten
 * frames out. No I/O: the caller supplies the frames, the clock and a route lookup.
 *
 * Threading contract
 * - One struct uvs_worker per thread; the thread is registered with RCU
 *   (rcu_register_thread) and calls uvs_engine_process and uvs_worker_timers only with
 *   its own worker. Several workers share one engine and one model without a global
 *   lock; a NAT reply may reach a different worker than its request.
 * - Configuration changes go through the model (model.h), the IPVS sysctls too
 *   (model->sysctl, core/sysctl.h: read at each packet, so a change applies to the
 *   next one).
 */
#ifndef UVS_ENGINE_H
#define UVS_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/conn.h"
#include "core/defence.h"
#include "core/frag.h"
#include "core/ftp.h"
#include "core/martian.h"
#include "core/model.h"
#include "core/proto_sctp.h"
#include "core/proto_tcp.h"
#include "pkt/parse.h"
#include "xmit/xmit.h"

enum uvs_verdict {
	UVS_VERDICT_DROP,  /* reason says why */
	UVS_VERDICT_PASS,  /* not uvs's: hand the original frame to the kernel's stack */
	UVS_VERDICT_TX,	   /* send data..data+len on ifindex */
	UVS_VERDICT_LOCAL, /* data..data+len is an IP packet for the director's own stack */
};

/*
 * Why a frame was dropped or passed, and what else the engine counts. The parser's
 * reasons come first, with the same values (counters "pkt_<name>"); then the engine's.
 */
#define UVS_ENGINE_REASONS(X)                                                                      \
	X(NO_SERVICE, "no_service")	    /* pass: matches no connection or service */           \
	X(NO_CONN, "no_conn")		    /* pass: TCP non-SYN for a service, no entry */        \
	X(ICMP_UNRELATED, "icmp_unrelated") /* pass: ICMP not about a connection */                \
	X(LOCAL, "local")		    /* counted: to this host's stack (Local server) */     \
	X(NO_DEST, "no_dest")		    /* no destination available: port unreachable */       \
	X(CONN_LIMIT, "conn_limit")	    /* drop: table full */                                 \
	X(NO_MEMORY, "no_memory")	    /* drop: no memory for a connection */                 \
	X(NODEST_CONN, "nodest_conn")	    /* drop: the connection's destination is gone */       \
	X(L4_BAD_CSUM, "l4_bad_csum")	    /* drop: NAT would rewrite a bad checksum */           \
	X(TTL_EXPIRED, "ttl_expired")	    /* answered with time exceeded */                      \
	X(TOO_BIG, "too_big")		    /* answered with frag-needed / packet-too-big */       \
	X(NO_ROUTE, "no_route")		    /* drop: no route or neighbour for the next hop */     \
	X(NO_ROOM, "no_room")		    /* drop: too little headroom to encapsulate */         \
	X(ONE_PACKET, "one_packet")	    /* counted: scheduled without a hashed entry (-o) */   \
	X(ICMP_RATELIMIT, "icmp_ratelimit") /* drop: an ICMP error was due, over the rate */       \
	X(LOCAL_NOT_HOST, "local_not_host") /* drop: for a Local server, not to a host address */  \
	X(FRAGMENTED, "fragmented")	    /* counted: sent on in fragments (engine's frames) */  \
	/* Fragments (core/frag.h): */                                                             \
	X(FRAG_HELD, "frag_held")	    /* counted: kept until its datagram is whole */        \
	X(FRAG_DUP, "frag_dup")		    /* drop: lies inside fragments already held */         \
	X(FRAG_OVERLAP, "frag_overlap")	    /* drop: overlaps another; the datagram is dropped */  \
	X(FRAG_BAD, "frag_bad")		    /* drop: an impossible end or length (frag.h) */       \
	X(FRAG_NO_MEMORY, "frag_no_memory") /* drop: the reassembly memory is used up */           \
	X(FRAG_TIMEOUT, "frag_timeout") /* drop: a datagram not whole in time (per datagram) */    \
	/* Martian sources (core/martian.h), of new connections and ICMP errors: */                \
	X(MARTIAN_SRC, "martian_src")		  /* drop: no host has it (0/8, 127/8, ...) */     \
	X(MARTIAN_SRC_LOCAL, "martian_src_local") /* drop: a director's own address */             \
	X(MARTIAN_SRC_VIP, "martian_src_vip")	  /* drop: a virtual service's address */          \
	X(MARTIAN_SRC_RS, "martian_src_rs")	  /* drop: from one of the service's servers */    \
	/* The FTP helper (core/ftp.h): */                                                         \
	X(FTP_REWRITTEN, "ftp_rewritten") /* counted: a 227/229 reply rewritten for the VIP */     \
	X(FTP_DATA_CONN, "ftp_data_conn") /* counted: a data connection made for PASV/PORT... */   \
	X(FTP_BAD_REPLY, "ftp_bad_reply") /* counted: a 227/229 not understood, sent as it was */  \
	X(FTP_BAD_COMMAND, "ftp_bad_command") /* counted: PORT/EPRT/EPSV not taken, sent as is */  \
	X(FTP_NO_CONN, "ftp_no_conn")	      /* drop: no room or memory for a data connection */  \
	X(FTP_NO_ROOM, "ftp_no_room")	      /* drop: the rewritten reply does not fit */         \
	X(FTP_NO_MEMORY, "ftp_no_memory")     /* counted: a control connection without helper */   \
	/* The sync daemon's master (core/sync.h): */                                              \
	X(SYNC_QUEUE_FULL, "sync_queue_full") /* counted: an update lost, its ring was full */     \
	X(BACKUP_ONLY, "backup_only")	      /* pass: a backup runs and backup_only is set */     \
	/* The defences (core/defence.h): */                                                       \
	X(DEFENCE_DROP_PACKET, "defence_drop_packet") /* drop: drop_packet's share of new ones */  \
	X(DEFENCE_DROP_ENTRY, "defence_drop_entry")   /* counted: an entry drop_entry ended */     \
	/* The SYN proxy (core/synproxy.h): */                                                     \
	X(SYNPROXY_COOKIE, "synproxy_cookie")	      /* counted: a SYN answered with a cookie */  \
	X(SYNPROXY_BAD_COOKIE, "synproxy_bad_cookie") /* drop: an ACK without a valid cookie */    \
	X(SYNPROXY_WAIT, "synproxy_wait")	      /* drop: before the real server answered */  \
	X(SYNPROXY_NOT_NAT, "synproxy_not_nat")	      /* reset: its real server is not by NAT */   \
	X(SYNPROXY_HANDSHAKE, "synproxy_handshake")   /* counted: a real server's handshake done */

enum uvs_reason {
#define X(name, text) UVS_R_PKT_##name,
	UVS_PKT_REASONS(X)
#undef X
#define X(name, text) UVS_R_##name,
		UVS_ENGINE_REASONS(X)
#undef X
			UVS_R_COUNT
};

/* The counter name of a reason, e.g. "pkt_ip4_bad_csum" or "conn_limit". */
const char *uvs_reason_name(enum uvs_reason r);

/* The route and neighbour lookup the engine asks for each next hop. Returns 0, or
 * -EHOSTUNREACH / -EAGAIN (neighbour not resolved yet): the frame is dropped as
 * no_route and the backend is expected to start resolution. */
typedef int (*uvs_route_fn)(void *arg, int af, const union uvs_addr *next_hop,
			    struct uvs_route *out);

struct uvs_engine_config {
	unsigned nworkers;   /* at most the model's stats slots, at most 255 */
	unsigned table_bits; /* connection hash buckets: 2^bits, 8..24 (default 20) */
	uint32_t max_conns;  /* connections + templates (default 4,194,304) */
	uvs_route_fn route;
	void *route_arg;
	size_t frag_mem; /* reassembly memory per family (default 4 MiB, the kernel's) */
	/* The ports the FTP helper serves (core/ftp.h), network order: default 21 only;
	 * none when nftp_ports is 0. */
	uint16_t ftp_ports[UVS_FTP_PORTS_MAX];
	unsigned nftp_ports;
	bool syn_proxy; /* TCP services' handshakes by SYN cookie (core/synproxy.h) */
};

struct uvs_worker;
struct uvs_sync_out;
struct uvs_fastpath;

struct uvs_engine {
	struct uvs_model *model;
	struct uvs_conn_table conns;
	struct uvs_timeouts timeouts; /* read with relaxed loads */
	uvs_route_fn route;
	void *route_arg;
	unsigned nworkers;
	struct uvs_worker **workers;
	uint32_t paused; /* uvs_engine_pause(): workers wait between batches (futex) */
	struct uvs_host_set *host_addrs;       /* RCU; NULL: none (uvs_engine_set_host_addrs) */
	struct uvs_frag_table frags;	       /* datagrams being reassembled, every worker's */
	uint16_t ftp_ports[UVS_FTP_PORTS_MAX]; /* as configured, fixed for the engine's life */
	unsigned nftp_ports;
	struct uvs_sync_out *sync_out; /* RCU; NULL: no sync master (core/sync.h) */
	uint8_t sync_backup;	       /* a sync backup runs (atomic; core/sync.h) */
	struct uvs_defence defence;    /* the defences' levels (uvs_engine_defend) */
	unsigned tcp_opening_active;   /* uvs_tcp_opening_active_events(), fixed */
	struct uvs_fastpath *fastpath; /* NULL: none (uvs_engine_set_fastpath) */
};

/* The frames a worker makes itself in one batch (fragments of the packets it cuts,
 * reassembled datagrams it sends whole): at most this many, in this many bytes. */
#define UVS_OUT_FRAMES 512
#define UVS_OUT_BYTES  ((size_t)2 << 20)

struct uvs_worker {
	struct uvs_engine *engine;
	unsigned id;
	struct uvs_conn_pool pool;
	uint64_t counters[UVS_R_COUNT]; /* written by this worker only */
	uint64_t tx;
	uint32_t spare_conns; /* reserved from the table's count in advance (conn.h) */
	uvs_time_t now;	      /* of the batch being processed */
	/* Token bucket of the ICMP errors this worker may send (see answer_icmp). */
	uint32_t icmp_tokens;
	uvs_time_t icmp_refilled;
	/* The frames it made in the batch (uvs_worker_out), in out_buf. */
	struct uvs_frame *out;
	unsigned nout;
	uint8_t *out_buf;
	size_t out_used;
	/* A datagram it reassembled, while it handles it: its frame (NULL otherwise), its
	 * buffer, its largest fragment's size and its identification. */
	struct uvs_frame *dgram;
	uint8_t *dgram_buf;
	uint32_t dgram_max_frag;
	uint32_t dgram_id;
	uvs_time_t frag_sweep; /* when it next sweeps its share of the reassembly table */
	int drop_countdown;    /* drop_packet: new connections until the next one dropped */
	uvs_time_t fp_sweep;   /* when it next takes the fast path's counts (fastpath.c) */
	struct uvs_svc_cache svc_cache; /* its new connections' service lookups */
	/* The entry of a one-packet service's connection being forwarded (never hashed):
	 * from its pool, made at its first use, reused. */
	struct uvs_conn *once;
};

void uvs_engine_config_default(struct uvs_engine_config *c);
/* Sets up e over model m (which outlives it). Returns 0, -EINVAL or -ENOMEM. */
int uvs_engine_init(struct uvs_engine *e, struct uvs_model *m, const struct uvs_engine_config *c);
/* Ends every connection and frees everything. No worker may be running. */
void uvs_engine_destroy(struct uvs_engine *e);

/* Worker id (0..nworkers-1) of e. The calling thread must be registered with RCU.
 * Returns 0 or -EINVAL/-EBUSY. */
int uvs_worker_init(struct uvs_worker *w, struct uvs_engine *e, unsigned id);
/*
 * Ends w's connections, frees its pool and gives its id back. No worker may be
 * running, and no other worker's connection may still belong to one of w's
 * persistence templates (tear every worker down with uvs_engine_destroy otherwise).
 * The calling thread is registered with RCU, outside a read-side section.
 */
void uvs_worker_destroy(struct uvs_worker *w);

/*
 * Handles n frames that arrived at time now: sets each frame's verdict and reason and,
 * for TX, rewrites it in place (data and len may change within its head/tailroom).
 * Runs the worker's timers up to now first.
 */
void uvs_engine_process(struct uvs_worker *w, struct uvs_frame *frames, unsigned n, uvs_time_t now);
/* Expires the worker's connections due by now, and its share of the datagrams being
 * reassembled; call it when idle too. */
void uvs_worker_timers(struct uvs_worker *w, uvs_time_t now);

/*
 * The frames the engine made itself during w's last uvs_engine_process(): the
 * fragments of packets it cut to the path's MTU and the datagrams it reassembled and
 * sends whole. Each has verdict UVS_VERDICT_TX and its ifindex; send them after the
 * batch's own. Valid until w's next uvs_engine_process(). Returns how many.
 */
unsigned uvs_worker_out(struct uvs_worker *w, struct uvs_frame **frames);

/*
 * Holds every worker between batches: returns once no worker is handling a frame,
 * and none starts until uvs_engine_resume(). For configuration changes the data path
 * must only see whole, such as a reload. One control thread at a time; it is
 * registered with RCU and outside a read-side section. Frames wait in the backend
 * meanwhile; timers keep running.
 */
void uvs_engine_pause(struct uvs_engine *e);
void uvs_engine_resume(struct uvs_engine *e);

/* When c expires as things are now: its timer, or later if the XDP fast path forwarded
 * its frames since (a listing, a dump). Any thread, inside an RCU read-side section. */
uvs_time_t uvs_conn_expiry(struct uvs_engine *e, const struct uvs_conn *c);

/* Offers established flows to the XDP fast path's table fp (core/fastpath.h), which
 * outlives the engine; NULL: none. Before the workers start. */
void uvs_engine_set_fastpath(struct uvs_engine *e, struct uvs_fastpath *fp);

/*
 * The director's own addresses (its links' addresses and IPv4 broadcast addresses): a
 * new connection or an ICMP error from one of them is dropped as martian_src_local.
 * Replaces the previous set whole. Control thread, registered with RCU and outside a
 * read-side section (it waits for a grace period). Returns 0, or -ENOMEM (the previous
 * set stays).
 */
int uvs_engine_set_host_addrs(struct uvs_engine *e, const struct uvs_host_addr *a, size_t n);

/*
 * Whether a is the director's own address: a loopback address, or one of the host's
 * (uvs_engine_set_host_addrs). A real server there is Local, as the kernel's IPVS calls
 * it: its connections' packets go to the director's own stack unchanged
 * (UVS_VERDICT_LOCAL), whatever method it was configured with. Any thread.
 */
bool uvs_engine_addr_is_local(struct uvs_engine *e, int af, const union uvs_addr *a);

struct uvs_snap;
/* Lists the destinations of s whose address is the director's own (above) as Local,
 * as the kernel's IPVS reports them (ipvsadm then prints "Local"). */
void uvs_snap_mark_local(struct uvs_snap *s, struct uvs_engine *e);

/* Sums the workers' counters (racy but monotonic reads). out has UVS_R_COUNT entries. */
void uvs_engine_counters(const struct uvs_engine *e, uint64_t *out, uint64_t *tx);
/* The number of connections and templates in the table. */
uint32_t uvs_engine_conn_count(const struct uvs_engine *e);

#endif
