// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * steer: which received frames are uvs's, decided once in BPF and used twice.
 *
 *   uvs_steer_tc    tc ingress (clsact, direct action): drops uvs's frames
 *                   (TC_ACT_SHOT) so that the kernel stack does not handle them too;
 *                   everything else goes on untouched (TC_ACT_UNSPEC: the next filter,
 *                   if any, then the stack).
 *   uvs_steer_sock  socket filter on uvsd's AF_PACKET sockets: keeps uvs's frames
 *                   (their whole length), refuses the rest, so the rings carry only
 *                   uvs's frames. Packet taps run before tc ingress, so the socket
 *                   still gets the frames the tc program then drops.
 *
 * Both pass every frame to the kernel (and none to the sockets) once uvsd's heartbeat
 * is stale (steer_owner_alive). Which frames are uvs's is decided in steer-decide.h
 * (shared with the XDP program of steer_xdp.bpf.c); here, only IPv4 and IPv6 frames addressed to
 * this host (not PACKET_OTHERHOST), VLAN-tagged or not, are looked into.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/in.h>
#include <linux/pkt_cls.h>
#include <linux/types.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#define STEER_CTX		       struct __sk_buff
#define steer_load(ctx, off, buf, len) bpf_skb_load_bytes(ctx, off, buf, len)
#include "io/bpf/steer-decide.h"

/* The tag the kernel took off a tagged frame (skb->vlan_tci) is no longer in the
 * data, and skb->protocol names what followed it: the IP header, or a second tag. */
static __always_inline int decide(struct __sk_buff *skb, struct flow *f)
{
	if (skb->pkt_type == PACKET_OTHERHOST)
		return STEER_PASS;
	return steer_decide_frame(skb, (__be16)skb->protocol, ETH_HLEN, f);
}

SEC("tc")
int uvs_steer_tc(struct __sk_buff *skb)
{
	struct flow f;
	int d = decide(skb, &f);

	if (d == STEER_PASS || (d == STEER_STEAL_UNLESS_LOCAL && steer_local_socket(skb, &f)) ||
	    !steer_owner_alive())
		return TC_ACT_UNSPEC;
	return TC_ACT_SHOT;
}

SEC("socket")
int uvs_steer_sock(struct __sk_buff *skb)
{
	struct flow f;

	/* A frame the kernel gets (uvsd is gone or hung) is not queued for uvsd too, to
	 * be forwarded again when it resumes. */
	return decide(skb, &f) == STEER_PASS || !steer_owner_alive() ? 0 : skb->len;
}

char LICENSE[] SEC("license") = "GPL";
