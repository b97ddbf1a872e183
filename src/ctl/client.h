/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The control socket's client side, what uvsadm uses: requests one at a time, or
 * configuration commands queued and sent many at a time (uvs_ctl_queue); replies
 * turned into the structures src/adm prints (a snapshot for listings and saves).
 *
 * Every function returns 0 or a negative errno: the server's refusal (with its message
 * in *err, "" if it gave none), -EPROTO for a reply that breaks the protocol, or the
 * socket's error. *err may be NULL.
 */
#ifndef UVS_CTL_CLIENT_H
#define UVS_CTL_CLIENT_H

#include "ctl/request.h"
#include "ctl/codec.h"

struct uvs_ctl_client;

/* What uvsadm waits for a silent server by default, in seconds (see UVSADM_TIMEOUT). */
#define UVS_CTL_CLIENT_TIMEOUT_DEF 10
#define UVS_CTL_CLIENT_TIMEOUT_MAX 86400 /* a longer timeout_s is taken as this */

/*
 * Connects to the server at path. timeout_s bounds every wait for the server: to be
 * accepted, to take a request, and for each reply while nothing comes (the silence,
 * not a request's whole time: a long dump or restore goes on as long as it moves);
 * 0 waits for ever. A wait that ends so fails with -ETIMEDOUT (the server did not
 * accept: from here; did not answer: from the request, saying so in *err). If the
 * server closes the connection while nothing is asked (an idle client), the next
 * request connects again. Returns 0 with *out set, or a negative errno.
 */
int uvs_ctl_client_open(const char *path, unsigned timeout_s, struct uvs_ctl_client **out);
/* Accepts NULL. */
void uvs_ctl_client_close(struct uvs_ctl_client *c);

/*
 * Low level: starts a request of command cmd (a dump if dump) in the client's buffer,
 * for the caller to add attributes to; then run it. Replies of the server's family are
 * passed to fn (may be NULL) with their command and top-level attributes; an error fn
 * returns is returned once the reply is read to its end.
 */
struct uvs_ctl_msg *uvs_ctl_client_start(struct uvs_ctl_client *c, uint8_t cmd, bool dump);
typedef int (*uvs_ctl_reply_fn)(void *arg, uint8_t cmd, const struct nlattr *const *tb,
				struct uvs_error *err);
int uvs_ctl_client_run(struct uvs_ctl_client *c, uvs_ctl_reply_fn fn, void *arg,
		       struct uvs_error *err);

/* Runs a configuration command: -A -E -D -C -a -e -d --set. */
int uvs_ctl_exec(struct uvs_ctl_client *c, const struct uvs_ctl_req *cmd, struct uvs_error *err);
/*
 * Queued configuration commands, for many in a row (uvsadm -R): the request goes out
 * with others, without waiting for the answers to those before it, and
 * done(arg, tag, ret, err) is called with its answer (ret 0, the server's refusal or
 * the connection's error, as uvs_ctl_exec returns them), in the order the commands
 * were queued, during a later uvs_ctl_queue(), uvs_ctl_flush() or other request of c:
 * every other request first takes all the answers outstanding. uvsd applies one
 * client's requests in order, each as if it came alone, so queued commands have
 * exactly the effect of the same commands run one by one: a refused one changes
 * nothing and those after it still run.
 *
 * Returns 0 once queued, or -EINVAL / -EMSGSIZE with *err for a command that cannot
 * be written (done is then not called for it).
 */
typedef void (*uvs_ctl_done_fn)(void *arg, uint64_t tag, int ret, const struct uvs_error *err);
int uvs_ctl_queue(struct uvs_ctl_client *c, const struct uvs_ctl_req *cmd, uvs_ctl_done_fn done,
		  void *arg, uint64_t tag, struct uvs_error *err);
/* Sends what is queued and waits for every answer, calling their callbacks. Returns 0,
 * or the connection's error (every command outstanding was then answered with it). */
int uvs_ctl_flush(struct uvs_ctl_client *c);
/* How many queued commands have not been answered yet. */
size_t uvs_ctl_queued(const struct uvs_ctl_client *c);

/* Zeroes the counters of service k, or of all if k is NULL. */
int uvs_ctl_zero(struct uvs_ctl_client *c, const struct uvs_svc_key *k, struct uvs_error *err);
/* GET_INFO: the IPVS version code and the connection table size. */
int uvs_ctl_get_info(struct uvs_ctl_client *c, uint32_t *version, uint32_t *conn_tab_size,
		     struct uvs_error *err);
/* GET_CONFIG: the TCP (established), TCP FIN and UDP timeouts in seconds. */
int uvs_ctl_get_timeouts(struct uvs_ctl_client *c, uint32_t t[3], struct uvs_error *err);
/*
 * Every service with its destinations, or only the service `only` (-ESRCH if it does
 * not exist); sorted as ipvsadm sorts, or in the server's order. The caller frees *out
 * with uvs_snap_free(), also after an error.
 */
int uvs_ctl_get_snap(struct uvs_ctl_client *c, const struct uvs_svc_key *only, bool sorted,
		     struct uvs_snap *out, struct uvs_error *err);
/* --start-daemon / --stop-daemon (d->state says which; stop uses state and syncid). */
int uvs_ctl_daemon(struct uvs_ctl_client *c, const struct uvs_ctl_daemon *d, bool start,
		   struct uvs_error *err);
/* The running sync daemons, master first: *n of them (0..2). */
int uvs_ctl_get_daemons(struct uvs_ctl_client *c, struct uvs_ctl_daemon out[2], size_t *n,
			struct uvs_error *err);
/* Calls fn for each connection entry as it arrives; fn returns 0 or a negative errno,
 * which ends the walk (after the dump has been read). */
int uvs_ctl_get_conns(struct uvs_ctl_client *c, int (*fn)(void *arg, const struct uvs_ctl_conn *),
		      void *arg, struct uvs_error *err);
/* Calls fn for each of the engine's counters. */
int uvs_ctl_get_counters(struct uvs_ctl_client *c,
			 int (*fn)(void *arg, const struct uvs_ctl_counter *), void *arg,
			 struct uvs_error *err);

/*
 * The IPVS sysctls uvsd has (client_sysctl.c), as /proc/sys/net/ipv4/vs/ shows and
 * takes them: a name with or without "net.ipv4.vs.", a value as text ("1", "3\t50").
 * A name uvsd does not have (not the kernel's, or one uvs refuses) is -ENOENT and a
 * value it refuses -EINVAL, each with uvsd's reason in *err ("net.ipv4.vs.conntrack:
 * uvs has no netfilter conntrack to keep entries in").
 */
/* The value of name into value (UVS_CTL_SYSCTL_MAX bytes, no newline). */
int uvs_ctl_sysctl_get(struct uvs_ctl_client *c, const char *name, char value[UVS_CTL_SYSCTL_MAX],
		       struct uvs_error *err);
/* Calls fn with each one's name (without the prefix) and value, in name order, as
 * `sysctl -a` lists them; fn returns 0 or a negative errno, which ends the walk. */
int uvs_ctl_sysctl_list(struct uvs_ctl_client *c,
			int (*fn)(void *arg, const struct uvs_ctl_sysctl *s), void *arg,
			struct uvs_error *err);
/* Sets name to value, as a write of value to /proc/sys/net/ipv4/vs/NAME would. */
int uvs_ctl_sysctl_set(struct uvs_ctl_client *c, const char *name, const char *value,
		       struct uvs_error *err);

#endif
