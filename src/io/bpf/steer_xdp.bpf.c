// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * steer_xdp: the steering decision (steer-decide.h) at XDP, for the AF_XDP backend.
 * uvs's frames are redirected to the AF_XDP socket of their link and receive queue;
 * everything else (ARP, neighbour discovery, the director's own traffic) passes to the
 * kernel stack. XDP runs before the stack, so no tc program is needed: a frame
 * redirected here never reaches it.
 *
 *   uvs_steer_keys  the keys (steer-decide.h), synced by src/io/steer.c
 *   uvs_xsk_links   ingress ifindex -> the link's slot (its place in uvsd's links)
 *   uvs_xsks        slot * UVS_XSK_MAX_QUEUES + rx queue -> AF_XDP socket
 *
 * Once uvsd's heartbeat is stale (steer_owner_alive), every frame passes.
 *
 * A frame of uvs's with no socket at its place (between start and the sockets' bind,
 * or on a queue added later) is dropped, as the tc program drops it: the kernel must
 * not answer a service's port.
 *
 * Unlike tc, XDP sees every VLAN tag in the frame (steer-decide.h walks them) and has
 * no packet type: a frame for another host's MAC address reaches XDP only in
 * promiscuous mode, which uvsd does not turn on.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/types.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#define STEER_CTX		       struct xdp_md
#define steer_load(ctx, off, buf, len) bpf_xdp_load_bytes(ctx, off, buf, len)
#include "io/bpf/steer-decide.h"
#include "io/bpf/fastpath.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, UVS_XSK_MAX_LINKS);
	__type(key, __u32);
	__type(value, __u32);
} uvs_xsk_links SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, UVS_XSK_MAX_LINKS *UVS_XSK_MAX_QUEUES);
	__type(key, __u32);
	__type(value, __u32);
} uvs_xsks SEC(".maps");

SEC("xdp.frags")
int uvs_steer_xdp(struct xdp_md *ctx)
{
	__u32 ifindex = ctx->ingress_ifindex, queue = ctx->rx_queue_index, *slot;
	struct flow f;
	__be16 type;
	int d;

	if (bpf_xdp_load_bytes(ctx, offsetof(struct ethhdr, h_proto), &type, sizeof(type)))
		return XDP_PASS;
	/* A flow the engine offered to the fast path is forwarded here, before the
	 * steering decision: an offered flow is uvs's (the entries go when the
	 * configuration changes), and a NAT reply's key, from the real server to the
	 * client, is no connection of this host's own. */
	if (fp_enabled() && steer_owner_alive()) {
		int fast = fp_forward(ctx, type);
		if (fast >= 0)
			return fast;
	}
	d = steer_decide_frame(ctx, type, ETH_HLEN, &f);
	if (d == STEER_PASS || (d == STEER_STEAL_UNLESS_LOCAL && steer_local_socket(ctx, &f)) ||
	    !steer_owner_alive())
		return XDP_PASS;
	slot = bpf_map_lookup_elem(&uvs_xsk_links, &ifindex);
	if (!slot || queue >= UVS_XSK_MAX_QUEUES)
		return XDP_DROP;
	/* The low bits of the flags: what to return when no socket is there. */
	return bpf_redirect_map(&uvs_xsks, *slot * UVS_XSK_MAX_QUEUES + queue, XDP_DROP);
}

char LICENSE[] SEC("license") = "GPL";
