/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The control socket's client side, what uvsadm uses: one request at a time, replies
 * turned into the structures src/adm prints (a snapshot for listings and saves).
 *
 * Every function returns 0 or a negative errno: the server's refusal (with its message
 * in *err, "" if it gave none), -EPROTO for a reply that breaks the protocol, or the
 * socket's error. *err may be NULL.
 */
#ifndef UVS_CTL_CLIENT_H
#define UVS_CTL_CLIENT_H

#include "adm/rules.h"
#include "ctl/codec.h"

struct uvs_ctl_client;

/* Connects to the server at path. Returns 0 with *out set, or a negative errno. */
int uvs_ctl_client_open(const char *path, struct uvs_ctl_client **out);
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
int uvs_ctl_exec(struct uvs_ctl_client *c, const struct uvs_adm_cmd *cmd, struct uvs_error *err);
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
 * with uvs_adm_snap_free(), also after an error.
 */
int uvs_ctl_get_snap(struct uvs_ctl_client *c, const struct uvs_svc_key *only, bool sorted,
		     struct uvs_adm_snap *out, struct uvs_error *err);
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

#endif
