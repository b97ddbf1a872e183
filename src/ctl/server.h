/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The control socket's server (protocol: include/uvs/ctl.h). uvsd opens it, polls its
 * one fd with the rest of its control loop and calls uvs_ctl_server_handle() when that
 * fd is readable. Requests become model calls (core/model.h) or calls of the ops the
 * daemon supplies for what lives outside the model.
 *
 * Threading: every function runs on the one control thread, which is registered with
 * RCU (model changes need it) and is the model's only writer besides what it
 * serialises itself (a reload runs on the same thread).
 *
 * Each request is one model call, so none is ever half applied. Hostile input (bad
 * lengths, unknown commands or attributes, duplicates, oversized strings) is answered
 * with an error and changes nothing. A client that does not read its replies stalls
 * only itself: sockets are non-blocking and a dump continues as the client reads. A
 * client's waiting requests are answered in a batch, their answers packed many to a
 * reply datagram (pipelining, see uvs/ctl.h).
 */
#ifndef UVS_CTL_SERVER_H
#define UVS_CTL_SERVER_H

#include <stddef.h>
#include <sys/types.h>

#include "core/proto_tcp.h"
#include "ctl/codec.h"

/* A control client: SO_PEERCRED when it connected, and its program's name then. */
struct uvs_ctl_peer {
	uid_t uid;
	pid_t pid;
	char comm[16]; /* /proc/PID/comm; "" if it could not be read */
};

/*
 * A request that changes the configuration (or a connection refused), done or not,
 * for the daemon's audit log. What the request asked is set when it could be read
 * (decoded); otherwise only cmd, cmd_name and the outcome are.
 */
struct uvs_ctl_audit {
	const struct uvs_ctl_peer *peer;
	uint8_t cmd;	      /* IPVS_CMD_* or UVS_CMD_*; 0 for a refused connection */
	const char *cmd_name; /* "NEW_SERVICE", ...; "connect" for a refused connection */
	bool decoded;
	bool has_svc;		      /* svc.key is set (every service command; ZERO of one) */
	struct uvs_svc_conf svc;      /* all of it for NEW_SERVICE and SET_SERVICE */
	struct uvs_dest_conf dest;    /* NEW_DEST, SET_DEST; af, addr, port for DEL_DEST */
	uint32_t timeouts[3];	      /* SET_CONFIG: tcp, tcpfin, udp; 0 leaves one alone */
	struct uvs_ctl_daemon daemon; /* NEW_DAEMON (as asked: 0 not given), DEL_DAEMON */
	struct uvs_ctl_sysctl sysctl; /* SET_SYSCTL: the name and value as sent */
	int error;		      /* 0: done; else the positive errno it was refused with */
	const char *msg;	      /* why it was refused; NULL when done */
};

/*
 * The audit's limit (uvs_ctl_config may set others): a client's changes are reported
 * one by one up to UVS_CTL_AUDIT_BURST at once and UVS_CTL_AUDIT_RATE a second on
 * average, so that a restore of 100,000 rules is not 100,000 log lines; the changes
 * beyond it are counted and reported together (ops->audit_skipped) before the
 * client's next one reported, at uvs_ctl_server_audit_flush() and when the client
 * leaves. Refused connections share one such limit.
 */
#define UVS_CTL_AUDIT_BURST 1000
#define UVS_CTL_AUDIT_RATE  100

/* What the server asks of the daemon. Every member may be NULL (see each). */
struct uvs_ctl_ops {
	/* The engine's timeouts (GET_CONFIG). NULL: the server keeps its own copy. */
	void (*get_timeouts)(void *arg, struct uvs_timeouts *out);
	/* --set: 0 leaves a timeout as it is. NULL: the server's own copy is set. */
	void (*set_timeouts)(void *arg, uint32_t tcp, uint32_t tcpfin, uint32_t udp);
	/*
	 * Connections for GET_CONN: fills up to max entries continuing from *cursor (0 at
	 * the start of a dump) and advances it; returns how many, 0 at the end. Entries
	 * created or removed meanwhile may be missed; none may be listed twice. NULL: no
	 * connections.
	 */
	size_t (*conns)(void *arg, uint64_t *cursor, struct uvs_ctl_conn *out, size_t max);
	/* The named counters for GET_COUNTERS: up to max of them; returns how many.
	 * NULL: none. */
	size_t (*counters)(void *arg, struct uvs_ctl_counter *out, size_t max);
	/*
	 * Sync daemons. daemon_config completes d with what depends on its link (the
	 * kernel's defaults: sync_maxlen from the link's MTU) and checks it (-ENODEV: no
	 * such link), before the server refuses a daemon that runs already; then
	 * daemon_start starts it. Each returns 0 or a negative errno with *err set, and
	 * the server records and reports only what started. daemon_stop stops the
	 * daemon of d->state. NULL: a daemon is only recorded, with sync_maxlen 1472 by
	 * default.
	 */
	int (*daemon_config)(void *arg, struct uvs_ctl_daemon *d, struct uvs_error *err);
	int (*daemon_start)(void *arg, const struct uvs_ctl_daemon *d, struct uvs_error *err);
	void (*daemon_stop)(void *arg, const struct uvs_ctl_daemon *d);
	/* A change was made or refused, or a connection refused (see uvs_ctl_audit),
	 * within the audit's limit. a and what it points to last for the call only. */
	void (*audit)(void *arg, const struct uvs_ctl_audit *a);
	/* Changes beyond the audit's limit, since the last report: ok done and refused
	 * refused, by peer (NULL: connections refused beyond the limit, in refused). */
	void (*audit_skipped)(void *arg, const struct uvs_ctl_peer *peer, unsigned long ok,
			      unsigned long refused);
	/* Marks as Local (UVS_FWD_LOCAL) the destinations of s that are the director
	 * itself, before GET_DEST lists them, as the kernel's IPVS reports a real server
	 * on its own host. NULL: each is listed with its configured method. */
	void (*mark_local)(void *arg, struct uvs_snap *s);
};

struct uvs_ctl_config {
	const char *path;	/* socket path; NULL for a server fed by uvs_ctl_server_feed only */
	gid_t group;		/* members may connect besides root; (gid_t)-1: root only */
	unsigned conn_tab_size; /* GET_INFO's CONN_TAB_SIZE, shown as "(size=N)" */
	unsigned max_clients;	/* clients at a time, 0: 64; more are told why and closed */
	unsigned idle_timeout_ms;	  /* a client that moves nothing for this long is closed
					   * (told why first); 0: never */
	unsigned audit_burst, audit_rate; /* the audit's limit; 0: the defaults above */
	struct uvs_model *model;
	const struct uvs_ctl_ops *ops; /* may be NULL */
	void *ops_arg;
};

struct uvs_ctl_server;

/*
 * Creates the server and, if c->path is set, listens there: a stale socket file left
 * by a dead uvsd is replaced, a live one is -EADDRINUSE; the file gets mode 0660 and
 * group c->group. c is copied (path too); model and ops must outlive the server.
 * Returns 0 with *out set, or a negative errno with a message in *err (may be NULL).
 */
int uvs_ctl_server_open(struct uvs_ctl_server **out, const struct uvs_ctl_config *c,
			struct uvs_error *err);

/* The fd to poll for POLLIN (an epoll fd over the listening and client sockets);
 * -1 without a path. */
int uvs_ctl_server_fd(const struct uvs_ctl_server *s);

/*
 * Does what is ready without blocking: accepts clients, answers requests, continues
 * dumps, closes idle clients. Returns 0, or a negative errno if the server itself
 * failed (the listening socket); a failing client is only disconnected.
 *
 * A client is idle when nothing went either way for idle_timeout_ms: it sent no
 * request and took no reply (one that stops reading a dump is idle too). One with a
 * request waiting or room for its replies is not, however long the server itself was
 * busy. Idle clients are closed with an NLMSG_ERROR of seq 0 (ETIMEDOUT) saying so; a
 * client that connects when max_clients are connected gets one too (EUSERS), so that
 * neither waits for an answer that never comes.
 */
int uvs_ctl_server_handle(struct uvs_ctl_server *s);

/* Reports the changes the audit's limit held back (ops->audit_skipped), for every
 * client. Call every few seconds. */
void uvs_ctl_server_audit_flush(struct uvs_ctl_server *s);

/* Disconnects every client, closes the sockets and removes the socket file. Accepts
 * NULL. */
void uvs_ctl_server_close(struct uvs_ctl_server *s);

/*
 * Starts sync daemon d as a NEW_DAEMON request does: the same checks and messages,
 * the kernel's defaults for what d leaves 0, started through the ops. For uvsd's
 * restore of its state. Returns 0 or a negative errno with *err set.
 */
int uvs_ctl_server_start_daemon(struct uvs_ctl_server *s, const struct uvs_ctl_daemon *d,
				struct uvs_error *err);

/* The sync daemons that run (GET_DAEMON's answer, master first) into out; returns
 * how many (0..2). */
size_t uvs_ctl_server_daemons(const struct uvs_ctl_server *s, struct uvs_ctl_daemon out[2]);

/* What the server has done, for uvsd's metrics. */
struct uvs_ctl_stats {
	uint64_t done[UVS_CMD_MAX + 1];	   /* requests of each command answered with success */
	uint64_t refused[UVS_CMD_MAX + 1]; /* ... answered with an error */
	uint64_t unreadable;		   /* requests without a command it serves */
	uint64_t clients;		   /* clients connected now */
	uint64_t clients_refused;	   /* connections refused: not permitted, or too many */
};
/* Fills out. Unlike the rest, any thread may call it (the counts are written with
 * relaxed stores by the control thread, and read so). */
void uvs_ctl_server_stats(const struct uvs_ctl_server *s, struct uvs_ctl_stats *out);
/* The name of command cmd ("NEW_SERVICE", ...), or NULL if the server has none. */
const char *uvs_ctl_cmd_name(unsigned cmd);

/* Receives each reply datagram of uvs_ctl_server_feed(). */
typedef void (*uvs_ctl_sink_fn)(void *arg, const void *buf, size_t len);

/*
 * Runs one request datagram (untrusted bytes) as if a permitted client had sent it
 * (the calling process, for the audit), and passes every reply datagram to sink, a
 * dump to its end. For tests and fuzzing.
 */
void uvs_ctl_server_feed(struct uvs_ctl_server *s, const void *req, size_t len,
			 uvs_ctl_sink_fn sink, void *arg);

#endif
