/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The least-connection family (lc, wlc, sed, nq, fo, ovf): a scheduler made of one or
 * two load rules (loadheap.h), tried in turn until one finds a destination (nq: an
 * idle one, then sed's choice). Each rule's choice is the first-wins minimum of a scan
 * of the service's list, as the kernel's.
 *
 * A small service is scanned for each new connection, as the kernel does, without the
 * service's lock; a large one keeps a load index per rule under it (loadsched.c).
 */
#ifndef UVS_LOADSCHED_H
#define UVS_LOADSCHED_H

#include "loadheap.h"

#define UVS_LOAD_RULES_MAX 2 /* one index per rule, in d->sched_pos[rule] */

/* The ops of such a scheduler; rules[0..n) are static. */
int uvs_load_sched_init(struct uvs_service *svc, const struct uvs_load_rule *const *rules,
			unsigned n);
void uvs_load_sched_done(struct uvs_service *svc);
int uvs_load_sched_add(struct uvs_service *svc, struct uvs_dest *d);
void uvs_load_sched_del(struct uvs_service *svc, struct uvs_dest *d);
int uvs_load_sched_upd(struct uvs_service *svc, struct uvs_dest *d);
void uvs_load_sched_load(struct uvs_service *svc, struct uvs_dest *d);
struct uvs_dest *uvs_load_sched_pick(struct uvs_service *svc, const struct uvs_sched_pkt *p);

/* Defines the ops struct uvs_sched_NAME for the rules given (pointers to struct
 * uvs_load_rule), tried in that order. */
#define UVS_LOAD_SCHED(NAME, ...)                                                                  \
	static int NAME##_init(struct uvs_service *svc)                                            \
	{                                                                                          \
		static const struct uvs_load_rule *const rules[] = { __VA_ARGS__ };                \
		_Static_assert(sizeof(rules) / sizeof(rules[0]) <= UVS_LOAD_RULES_MAX,             \
			       "one index per rule");                                              \
		return uvs_load_sched_init(svc, rules, sizeof(rules) / sizeof(rules[0]));          \
	}                                                                                          \
	const struct uvs_sched_ops uvs_sched_##NAME = {                                            \
		.name = #NAME,                                                                     \
		.init_service = NAME##_init,                                                       \
		.done_service = uvs_load_sched_done,                                               \
		.add_dest = uvs_load_sched_add,                                                    \
		.del_dest = uvs_load_sched_del,                                                    \
		.upd_dest = uvs_load_sched_upd,                                                    \
		.load_changed = uvs_load_sched_load,                                               \
		.schedule = uvs_load_sched_pick,                                                   \
	}

#endif
