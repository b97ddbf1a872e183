/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The control socket's client side, for uvsadm: ipvsadm commands as IPVS messages to
 * uvsd, and its configuration and counters back as the snapshots that src/adm prints.
 */
#ifndef UVS_CTL_CLIENT_H
#define UVS_CTL_CLIENT_H

#include "adm/rules.h"
#include "adm/snap.h"

struct uvs_ctl_client {
	int fd;
	uint32_t seq;
};

/* Connects to uvsd at path (NULL: $UVSD_SOCKET, else UVS_CTL_PATH). Returns 0 or a
 * negative errno. */
int uvs_ctl_connect(struct uvs_ctl_client *c, const char *path);
/* Uses an already connected SOCK_SEQPACKET socket (tests use a socketpair). */
void uvs_ctl_client_from_fd(struct uvs_ctl_client *c, int fd);
void uvs_ctl_close(struct uvs_ctl_client *c);

/* Runs one configuration command (-A -E -D -C -a -e -d --set) in uvsd. Returns 0 or
 * uvsd's negative errno with its message in *err. */
int uvs_ctl_exec(struct uvs_ctl_client *c, const struct uvs_adm_cmd *cmd, struct uvs_error *err);
/* -Z: zeroes one service's counters, or all if k is NULL. */
int uvs_ctl_zero(struct uvs_ctl_client *c, const struct uvs_svc_key *k, struct uvs_error *err);

/* The services (or the service `only`) with their destinations and counters, in
 * uvsd's order; the caller frees it with uvs_adm_snap_free(). Returns 0 or a negative
 * errno. */
int uvs_ctl_get_snap(struct uvs_ctl_client *c, const struct uvs_svc_key *only,
		     struct uvs_adm_snap *out, struct uvs_error *err);
/* ipvsadm's three timeouts, in seconds. */
int uvs_ctl_get_timeouts(struct uvs_ctl_client *c, uint32_t *tcp, uint32_t *tcpfin, uint32_t *udp,
			 struct uvs_error *err);
/* The IPVS version (0x010201) and the connection table's size. */
int uvs_ctl_get_info(struct uvs_ctl_client *c, uint32_t *version, uint32_t *conn_tab_size,
		     struct uvs_error *err);

#endif
