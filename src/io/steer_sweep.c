// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The steering programs a dead uvsd left: found by their names at uvs's places
 * (steer_place.c), and removed only from links whose claim (link_claim.h) is free,
 * held while removing.
 */
#include <bpf/libbpf.h>
#include <errno.h>
#include <net/if.h>
#include <stdarg.h>

#include "link_claim.h"
#include "steer-internal.h"

/* The kinds of uvs programs on link ifindex (of those in kinds); *xdp_mode gets the
 * mode of an XDP one. Whatever cannot be looked at counts as not there. */
static unsigned left_on(unsigned ifindex, unsigned kinds, uint32_t *xdp_mode)
{
	uint32_t prog_id;
	unsigned found = 0;

	if ((kinds & STEER_LEFT_TC) && steer_tc_at_place(ifindex) == STEER_OURS)
		found |= STEER_LEFT_TC;
	if ((kinds & STEER_LEFT_XDP) && steer_xdp_on(ifindex, &prog_id, xdp_mode) == STEER_OURS)
		found |= STEER_LEFT_XDP;
	return found;
}

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level, (void)fmt, (void)ap;
	return 0;
}

unsigned steer_remove_left(unsigned ifindex, unsigned kinds)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = (int)ifindex, .attach_point = BPF_TC_INGRESS);
	LIBBPF_OPTS(bpf_tc_opts, o, .handle = STEER_TC_HANDLE, .priority = STEER_TC_PRIO);
	libbpf_print_fn_t prev = libbpf_set_print(quiet);
	uint32_t xdp_mode = 0;
	unsigned found = left_on(ifindex, kinds, &xdp_mode), removed = 0;

	if ((found & STEER_LEFT_TC) && !bpf_tc_detach(&hook, &o))
		removed |= STEER_LEFT_TC;
	if ((found & STEER_LEFT_XDP) && !bpf_xdp_detach((int)ifindex, xdp_mode, NULL))
		removed |= STEER_LEFT_XDP;
	libbpf_set_print(prev);
	return removed;
}

static bool skipped(unsigned ifindex, const unsigned *skip, unsigned nskip)
{
	for (unsigned i = 0; i < nskip; i++)
		if (skip[i] == ifindex)
			return true;
	return false;
}

int uvs_steer_sweep(const unsigned *skip, unsigned nskip, uvs_steer_swept_fn swept, void *arg)
{
	struct if_nameindex *links = if_nameindex();
	libbpf_print_fn_t prev;
	int count = 0;

	if (!links)
		return -errno;
	prev = libbpf_set_print(quiet);
	for (struct if_nameindex *l = links; l->if_index; l++) {
		uint32_t xdp_mode;
		unsigned removed;
		pid_t owner;
		int claim;

		/* Most links have nothing of ours: looked at without claiming them, so that
		 * a uvsd starting on one meanwhile never finds it claimed. */
		if (skipped(l->if_index, skip, nskip) ||
		    !left_on(l->if_index, STEER_LEFT_TC | STEER_LEFT_XDP, &xdp_mode))
			continue;
		claim = uvs_link_claim(l->if_index, &owner);
		if (claim < 0)
			continue; /* a live uvsd steers it (or no claim can be made): not ours */
		removed = steer_remove_left(l->if_index, STEER_LEFT_TC | STEER_LEFT_XDP);
		uvs_link_unclaim(claim);
		if (removed & STEER_LEFT_TC)
			swept(arg, l->if_name, "tc filter");
		if (removed & STEER_LEFT_XDP)
			swept(arg, l->if_name, "XDP program");
		count += !!(removed & STEER_LEFT_TC) + !!(removed & STEER_LEFT_XDP);
	}
	libbpf_set_print(prev);
	if_freenameindex(links);
	return count;
}
