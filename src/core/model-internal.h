/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Helpers shared by model.c, service.c and dest.c; not for other modules. */
#ifndef UVS_MODEL_INTERNAL_H
#define UVS_MODEL_INTERNAL_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "model.h"

/* Frees a destination now (nothing may refer to it) or after an RCU grace period. */
void uvs_dest_free(struct uvs_dest *d);
void uvs_dest_free_deferred(struct uvs_dest *d);

/* Moves every destination of a dying service to the trash. Caller holds ctl_lock and
 * svc->lock. */
void uvs_dest_trash_all(struct uvs_service *svc);

/*
 * The address index (svc_addrs.c): one more service (svc NULL) or destination of svc
 * with address af/addr, or one fewer. Caller holds ctl_lock. add returns 0 or -ENOMEM
 * (nothing changed then).
 */
int uvs_addrs_add(struct uvs_model *m, const struct uvs_service *svc, int af,
		  const union uvs_addr *addr);
void uvs_addrs_del(struct uvs_model *m, const struct uvs_service *svc, int af,
		   const union uvs_addr *addr);

#endif
