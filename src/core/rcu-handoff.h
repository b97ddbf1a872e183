/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * call_rcu() with a hand-off ThreadSanitizer can see. liburcu is not built with TSan,
 * so the order between what a thread wrote before call_rcu() and what the callback
 * reads is invisible to it. A release before and an acquire at the start of the
 * callback on one shared counter make that order explicit; on x86 they cost nothing
 * beyond the atomic add.
 */
#ifndef UVS_RCU_HANDOFF_H
#define UVS_RCU_HANDOFF_H

#include <urcu.h>

#include "base/atomic.h"

extern unsigned long uvs_rcu_handoffs;

static inline void uvs_call_rcu(struct rcu_head *head, void (*fn)(struct rcu_head *))
{
	uvs_add_release(&uvs_rcu_handoffs, 1);
	call_rcu(head, fn);
}

/* First thing in every callback passed to uvs_call_rcu(). */
static inline void uvs_rcu_callback_begin(void)
{
	(void)uvs_load_acquire(&uvs_rcu_handoffs);
}

#endif
