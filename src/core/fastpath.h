/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The XDP fast path's table, from the engine's side (the layout and the protocol:
 * core/fastpath-table.h). An established connection's frames that the engine forwards
 * whole, unchanged but for NAT's addresses, ports and checksums, the TTL and the link
 * addresses, are offered to the table; the XDP program then forwards that direction's
 * next frames itself, and counts them there. The engine takes the counts into the
 * real server's, the service's and the director's stats (uvs_fp_sweep), refreshes the
 * connection's timer from the table before it expires it, and takes the entries out
 * when the connection leaves ESTABLISHED or ends.
 *
 * A frame the program does not forward (a TCP flag other than ACK, a TTL about to
 * expire, a packet larger than the path, an entry written under an older epoch) goes
 * to uvsd as before, and the program stops using the entry until the engine offers it
 * again, so a flow's frames are not reordered between the two paths.
 *
 * The table is memory the caller provides (uvsd maps the BPF maps; tests use their
 * own); nothing here makes a system call.
 */
#ifndef UVS_CORE_FASTPATH_H
#define UVS_CORE_FASTPATH_H

#include <stdbool.h>
#include <stdint.h>

#include "core/fastpath-table.h"

struct uvs_fastpath {
	struct uvs_fp_head *head;
	struct uvs_fp_entry *entries; /* head->mask + 1 of them */
	uint64_t *dirty;	      /* a bit per entry (core/fastpath-table.h) */
	/* The engine's clock minus the program's (bpf_ktime_get_ns()): a time namespace's
	 * offset; 0 in tests. */
	int64_t clock_offset_ns;
	/* Counted with atomic additions, shown as the engine's fastpath_* counters: */
	uint64_t offered; /* entries written (new or refreshed) */
	uint64_t full;	  /* offers refused: every slot of the key's taken */
	uint64_t retired; /* entries taken out */
};

/* Sets fp over head, n entries (a power of two) and their dirty bits (n / 64 words, at
 * least one), all zeroed by the caller, with the hash seed `seed`. */
void uvs_fastpath_init(struct uvs_fastpath *fp, struct uvs_fp_head *head,
		       struct uvs_fp_entry *entries, uint64_t *dirty, uint32_t n, uint32_t seed);

/* Retires every entry at once: the next frame of each flow goes to uvsd, which offers
 * it again as it is now. For any change a written entry may not reflect (a setting, a
 * route, a neighbour, a real server), after the change. One thread (uvsd's control
 * thread). */
void uvs_fastpath_bump(struct uvs_fastpath *fp);

/* The number of entries in use (a walk over the table: for tests and listings). */
uint32_t uvs_fastpath_used(const struct uvs_fastpath *fp);

#endif
