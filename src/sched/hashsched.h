/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Read-only views of the hashing schedulers' tables, for tests and diagnostics. Each
 * returns NULL if svc does not use that scheduler or i is out of range. Caller holds
 * svc->lock or ctl_lock. */
#ifndef UVS_HASHSCHED_H
#define UVS_HASHSCHED_H

#include "core/model.h"

#define UVS_DH_BUCKETS	256
#define UVS_SH_BUCKETS	256
#define UVS_MH_TAB_SIZE 4093 /* a prime; the kernel's default */

struct uvs_sched_ops;
extern const struct uvs_sched_ops uvs_sched_dh, uvs_sched_sh, uvs_sched_mh;

struct uvs_dest *uvs_dh_bucket(const struct uvs_service *svc, unsigned i);
struct uvs_dest *uvs_sh_bucket(const struct uvs_service *svc, unsigned i);
struct uvs_dest *uvs_mh_slot(const struct uvs_service *svc, unsigned i);

#endif
