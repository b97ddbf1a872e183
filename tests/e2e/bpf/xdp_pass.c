// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * xdp_pass: every frame to the stack. Put on the lab's veth peer of a director whose
 * uvsd runs the XDP fast path (--fast-path): a veth receives the frames its peer's XDP
 * program sends back (XDP_TX, a redirect) only while it has an XDP program of its own,
 * which is what sets up its side of the transfer. A physical NIC needs nothing.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp.frags") /* jumbo frames too */
int xdp_pass(struct xdp_md *ctx)
{
	(void)ctx;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
