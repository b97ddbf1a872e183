/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The kernel's pick for a service's list as lc, wlc, sed, nq, fo and ovf make it,
 * literally (sched_ref.c): what test_sched_random compares uvs's schedulers with.
 * Each returns the destination the kernel would pick, or NULL if it would pick none. */
#ifndef UVS_TEST_SCHED_REF_H
#define UVS_TEST_SCHED_REF_H

#include "core/model.h"

struct uvs_dest *ref_lc(struct uvs_service *svc);
struct uvs_dest *ref_wlc(struct uvs_service *svc);
struct uvs_dest *ref_sed(struct uvs_service *svc);
struct uvs_dest *ref_nq(struct uvs_service *svc);
struct uvs_dest *ref_fo(struct uvs_service *svc);
struct uvs_dest *ref_ovf(struct uvs_service *svc);

#endif
