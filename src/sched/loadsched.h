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

/*
 * The first destination with the smallest key among those rule finds eligible, walking
 * svc's list from its head (under svc->lock, or inside an RCU read-side section: the
 * list's next are published with a release, model-t.h, and a destination taken out
 * meanwhile is passed over). At most a step per destination counted at the start, so
 * that a walker kept on a destination deleted and added back still ends. Inline, so
 * that each scheduler's scan has its rule's functions inlined (UVS_LOAD_SCHED).
 */
static inline __attribute__((always_inline)) struct uvs_dest *
uvs_load_scan(struct uvs_service *svc, const struct uvs_load_rule *rule)
{
	struct cds_list_head *head = &svc->dests, *p = uvs_load_acquire(&head->next);
	unsigned steps = uvs_load_relaxed(&svc->num_dests);
	struct uvs_dest *best = NULL;
	uint64_t best_num = 0;
	uint32_t best_den = 1;

	for (; p != head && steps; p = uvs_load_acquire(&p->next), steps--) {
		struct uvs_dest *d = cds_list_entry(p, struct uvs_dest, list);
		uint64_t num;
		uint32_t den;

		if (!rule->eligible(d) || uvs_dest_svc(d) != svc)
			continue;
		rule->key(d, &num, &den);
		if (best && num * best_den >= best_num * den)
			continue;
		best = d;
		best_num = num;
		best_den = den;
		if (num == 0)
			break; /* nothing after it can be smaller */
	}
	return best;
}

/* The ops of such a scheduler; rules[0..n) are static, scan is the pick that scans by
 * them in turn (the macro below makes both). */
int uvs_load_sched_init(struct uvs_service *svc, const struct uvs_load_rule *const *rules,
			unsigned n, uvs_sched_pick_fn *scan);
void uvs_load_sched_done(struct uvs_service *svc);
int uvs_load_sched_add(struct uvs_service *svc, struct uvs_dest *d);
void uvs_load_sched_del(struct uvs_service *svc, struct uvs_dest *d);
int uvs_load_sched_upd(struct uvs_service *svc, struct uvs_dest *d);
void uvs_load_sched_load(struct uvs_service *svc, struct uvs_dest *d);
struct uvs_dest *uvs_load_sched_pick(struct uvs_service *svc, const struct uvs_sched_pkt *p);

/* Defines the ops struct uvs_sched_NAME for the rules given (pointers to struct
 * uvs_load_rule), tried in that order. */
#define UVS_LOAD_SCHED(NAME, ...)                                                                  \
	static const struct uvs_load_rule *const NAME##_rules[] = { __VA_ARGS__ };                 \
	_Static_assert(sizeof(NAME##_rules) / sizeof(NAME##_rules[0]) <= UVS_LOAD_RULES_MAX,       \
		       "one index per rule");                                                      \
	static struct uvs_dest *NAME##_scan(struct uvs_service *svc, struct uvs_sched_unlocked *u, \
					    const struct uvs_sched_pkt *pkt)                       \
	{                                                                                          \
		enum { N_ = sizeof(NAME##_rules) / sizeof(NAME##_rules[0]) };                      \
		/* Unrolled, so that each rule's functions are inlined in the scan. */             \
		struct uvs_dest *d = uvs_load_scan(svc, NAME##_rules[0]);                          \
		(void)u;                                                                           \
		(void)pkt;                                                                         \
		if (N_ > 1 && !d)                                                                  \
			d = uvs_load_scan(svc, NAME##_rules[N_ > 1 ? 1 : 0]);                      \
		return d;                                                                          \
	}                                                                                          \
	static int NAME##_init(struct uvs_service *svc)                                            \
	{                                                                                          \
		return uvs_load_sched_init(svc, NAME##_rules,                                      \
					   sizeof(NAME##_rules) / sizeof(NAME##_rules[0]),         \
					   NAME##_scan);                                           \
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
