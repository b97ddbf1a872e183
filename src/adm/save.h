/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The configuration as `ipvsadm -S -n` prints it: one command a line, services and
 * destinations in ipvsadm's sort order, readable back by uvs_adm_apply() (and by
 * `ipvsadm -R`).
 */
#ifndef UVS_ADM_SAVE_H
#define UVS_ADM_SAVE_H

#include <stddef.h>
#include <stdio.h>

#include "core/snap.h"
#include "core/model.h"

/* Writes m's configuration to f. Returns 0, -ENOMEM, or -EIO if writing failed. */
int uvs_adm_save(FILE *f, struct uvs_model *m);

/* m's configuration as rules that rebuild it in the same order when applied to an
 * empty model: services oldest first, each one's destinations oldest first (the
 * model's order, which schedulers such as rr follow), numeric. For what uvsd reads
 * back itself (its state file). Returns 0, -ENOMEM or -EIO. */
int uvs_adm_save_in_order(FILE *f, struct uvs_model *m);

/* uvs_adm_save() as a NUL-terminated string the caller frees, or NULL if out of memory. */
char *uvs_adm_save_string(struct uvs_model *m);

/* The configuration in snapshot s (in its order) as rules; with names, addresses and
 * ports by name as `ipvsadm -S` without -n writes them. Returns 0 or -EIO. */
int uvs_adm_save_snap(FILE *f, const struct uvs_snap *s, bool names);

/* How a rule names a service: "-t 10.0.0.1:80", "-f 7 -6". */
#define UVS_ADM_SVC_NAME_LEN (UVS_ADDR_STRLEN + 32)
void uvs_adm_rule_svc_name(const struct uvs_svc_key *k, char *buf, size_t len);

/* One rule line for a service ("-A" or "-E" as cmd) or a destination of service svc
 * ("-a" or "-e"), in the form save writes, with its newline. */
void uvs_adm_write_svc(FILE *f, const char *cmd, const struct uvs_svc_conf *c);
void uvs_adm_write_dest(FILE *f, const char *cmd, const struct uvs_svc_key *svc,
			const struct uvs_dest_conf *d);

#endif
