/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The configuration as `ipvsadm -S -n` prints it: one command a line, services and
 * destinations in ipvsadm's sort order, readable back by uvs_adm_apply() (and by
 * `ipvsadm -R`).
 */
#ifndef UVS_ADM_SAVE_H
#define UVS_ADM_SAVE_H

#include <stdio.h>

#include "core/model.h"

/* Writes m's configuration to f. Returns 0, -ENOMEM, or -EIO if writing failed. */
int uvs_adm_save(FILE *f, struct uvs_model *m);

/* The same as a NUL-terminated string the caller frees, or NULL if out of memory. */
char *uvs_adm_save_string(struct uvs_model *m);

#endif
