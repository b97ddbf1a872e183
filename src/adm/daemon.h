/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A sync daemon as ipvsadm's --start-daemon and --stop-daemon words give it, and the
 * same words written back: uvsadm's command line and uvsd's state file read them.
 */
#ifndef UVS_ADM_DAEMON_H
#define UVS_ADM_DAEMON_H

#include <stdio.h>

#include "adm/options.h"
#include "ctl/codec.h"

/*
 * The daemon of a (a --start-daemon or --stop-daemon command, checked by
 * adm_args_check) into *d, zeroed first: ipvsadm's ranges and its default interface
 * eth0; what is not given stays 0 (uvsd fills in the kernel's defaults). Returns 0,
 * or -EINVAL with ipvsadm's message ("illegal mcast-port specified") in *err.
 */
int uvs_adm_daemon(const struct adm_args *a, struct uvs_ctl_daemon *d, struct uvs_error *err);

/* Writes d as the --start-daemon command that starts it again, every value given,
 * with a newline. */
void uvs_adm_write_daemon(FILE *f, const struct uvs_ctl_daemon *d);
/* Only d's optional settings that were given, each as " --option value": --sync-maxlen,
 * --mcast-group, --mcast-port, --mcast-ttl. */
void uvs_adm_write_daemon_options(FILE *f, const struct uvs_ctl_daemon *d);

#endif
